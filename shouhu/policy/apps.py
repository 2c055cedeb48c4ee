from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PolicyConfig(AppConfig):
    name = "shouhu.policy"
    label = "policy"
    verbose_name = _("Policy settings")

    def ready(self) -> None:
        # Imported here: models and policies load once the app registry is ready.
        from auditlog.registry import auditlog

        from shouhu.policy import permissions  # noqa: F401  (registers the access policy)
        from shouhu.policy.models import PolicyValue, PolicyWithdrawal

        auditlog.register(PolicyValue)
        auditlog.register(PolicyWithdrawal)
