from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionsConfig(AppConfig):
    name = "shouhu.regions"
    label = "regions"
    verbose_name = _("Regions")

    def ready(self) -> None:
        # Imported here, not at the top: models and policies load only once the registry is ready.
        from auditlog.registry import auditlog

        from shouhu.regions import permissions  # noqa: F401  (registers the policies)
        from shouhu.regions.models import Region

        # Edits of single rows are versioned by auditlog; imports write their own entries
        # (services._log_changes), since bulk statements send no signals.
        auditlog.register(Region)
