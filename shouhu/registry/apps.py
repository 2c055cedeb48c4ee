from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "shouhu.registry"
    label = "registry"
    verbose_name = _("Child registry")

    def ready(self) -> None:
        # Imported here: models and registries are ready only now.
        from auditlog.registry import auditlog

        from shouhu.registry import (
            exports,  # noqa: F401  (registers the export job)
            imports,  # noqa: F401  (registers the import job)
            permissions,  # noqa: F401  (registers the policies)
            services,  # noqa: F401  (registers the recomputation job)
            tasks,  # noqa: F401  (registers the daily recomputation)
        )
        from shouhu.registry.models import CategoryOverride, Child, EntrustedCare, Kinship, Person, Situation

        # Versioning: every change of a file's rows (who, when, before/after), with the village
        # code in additional_data (``get_additional_data``) so that county auditors see them.
        # Identity numbers appear only masked: the cipher and the keyed hash never enter the log.
        # What the services derive (completeness, the categories' review day) is not a change of
        # the file; the categories have their own history (``Classification`` rows).
        identity = ["id_number_cipher", "id_number_hash"]
        derived = ["missing_fields", "is_complete", "classified_at", "next_review_on", "created_at", "updated_at"]
        auditlog.register(Child, exclude_fields=[*identity, *derived])
        auditlog.register(Person, exclude_fields=[*identity, "created_at", "updated_at"])
        auditlog.register(Kinship)
        auditlog.register(Situation, exclude_fields=["recorded_at"])
        auditlog.register(EntrustedCare)
        auditlog.register(CategoryOverride)
