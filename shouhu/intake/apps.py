from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "shouhu.intake"
    label = "intake"
    verbose_name = _("Reports and intake")

    def ready(self) -> None:
        # Imported here: models and registries are ready only now.
        from auditlog.registry import auditlog

        from shouhu.intake import permissions  # noqa: F401  (registers the policy)
        from shouhu.intake.models import Report
        from shouhu.matching.merging import register_link

        # The reporter's name and phone stay on the report alone (they never change after filing): the
        # change history is read by auditors, and only the front door may know who reported
        # (反家暴法 art. 14).
        confidential = ["reporter_name", "reporter_phone"]
        identity = ["id_number_cipher", "id_number_hash"]
        auditlog.register(Report, exclude_fields=[*identity, *confidential, "created_at", "updated_at"])
        # A merge of two files moves the reports linked to the merged file (issue 4).
        register_link(Report, "child")
