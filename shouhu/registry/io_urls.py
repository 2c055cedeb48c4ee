"""URLs of the registry imports and exports (same namespace as the registry)."""

from django.urls import path

from shouhu.registry import io_views

urlpatterns = [
    path("import/", io_views.import_upload, name="import"),
    path("import/template/<slug:kind>/", io_views.import_template, name="import_template"),
    path("import/<int:pk>/", io_views.import_review, name="import_review"),
    path("import/<int:pk>/decide/", io_views.import_decide, name="import_decide"),
    path("import/<int:pk>/commit/", io_views.import_commit, name="import_commit"),
    path("import/<int:pk>/cancel/", io_views.import_cancel, name="import_cancel"),
    path("import/<int:pk>/rejected/", io_views.import_rejected, name="import_rejected"),
    path("export/", io_views.export_dialog, name="export"),
    path("export/<int:pk>/", io_views.export_detail, name="export_detail"),
    path("export/<int:pk>/download/", io_views.export_download, name="export_download"),
]
