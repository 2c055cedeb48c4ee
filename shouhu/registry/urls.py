"""URLs of the child registry; the import/export screens live in ``io_urls``."""

from django.urls import include, path

app_name = "registry"

urlpatterns = [
    path("", include("shouhu.registry.io_urls")),
]
