from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "shouhu.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Imported here: models and registries are ready only now.
        from auditlog.registry import auditlog

        from shouhu.accounts import (
            permissions,  # noqa: F401  (registers the policies)
            user_import,  # noqa: F401  (registers the import job)
        )
        from shouhu.accounts.models import Agency, ApiToken, RoleAssignment, User

        # Versioning: every change of these rows (who, when, before/after). Secrets are never
        # copied into the history; last_login and last_used_at change on every use and are noise.
        auditlog.register(User, exclude_fields=["password", "last_login"])
        auditlog.register(RoleAssignment)
        auditlog.register(Agency)
        auditlog.register(ApiToken, exclude_fields=["key_hash", "last_used_at"])
