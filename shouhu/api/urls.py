"""``/api/``: the REST API under ``v1/``, its schema and viewers, the developer guide and the
token screens.

Each app's ``api.py`` registers its viewsets through ``register(router)``; the endpoints of
accounts are registered here (``shouhu/api/accounts.py``), since accounts sits below the API.
"""

from __future__ import annotations

from importlib import import_module

from django.apps import apps
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from shouhu.api import accounts, views
from shouhu.api.schema import SchemaView

app_name = "api"

router = DefaultRouter()
accounts.register(router)
for config in apps.get_app_configs():
    if config.name.startswith("shouhu.") and config.name != "shouhu.api":
        try:
            module = import_module(f"{config.name}.api")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.api":
                raise
            continue
        module.register(router)

urlpatterns = [
    path("", views.docs, name="docs"),
    path("v1/me/", accounts.MeView.as_view(), name="me"),
    path("v1/", include(router.urls)),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("schema/swagger/", views.swagger_ui, name="swagger"),
    path("schema/redoc/", views.redoc, name="redoc"),
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/new/", views.token_issue, name="token_issue"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
