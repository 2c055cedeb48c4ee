from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "shouhu.matching"
    label = "matching"
    verbose_name = _("Matching and de-duplication")

    def ready(self) -> None:
        # Imported here: models and registries are ready only now.
        from shouhu.matching import (
            jobs,  # noqa: F401  (registers the de-duplication job)
            merging,
            permissions,  # noqa: F401  (registers the policies)
            search,
            tasks,
        )
        from shouhu.registry import duplicates
        from shouhu.registry.signals import children_changed

        merging.register_registry_links()
        children_changed.connect(tasks.on_children_changed, dispatch_uid="matching.keys")
        # Registrations and imports ask the engine for possible duplicates (issue 4).
        duplicates.register_finder(search.finder, replace=True)
