from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "shouhu.api"
    label = "api"
    verbose_name = _("API")

    def ready(self) -> None:
        from shouhu.api import permissions, schema  # noqa: F401  (token policy; OpenAPI security scheme)
