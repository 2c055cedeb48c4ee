from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    name = "shouhu.regions"
    label = "regions"
    verbose_name = _("Regions")

    def ready(self) -> None:
        from shouhu.regions import permissions  # noqa: F401  (registers the policy)
