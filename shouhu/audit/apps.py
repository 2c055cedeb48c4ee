from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "shouhu.audit"
    label = "audit"
    verbose_name = _("Audit")

    def ready(self) -> None:
        # Imported once the app registry is ready: these modules use the models.
        from shouhu.audit import jobs, permissions  # noqa: F401  (register job handlers and policies)
        from shouhu.audit.services import write_access_event
        from shouhu.core.accesslog import install_writer

        install_writer(write_access_event)
