from django.urls import path

from shouhu.audit import views

app_name = "audit"

urlpatterns = [
    path("access/", views.access_log, name="access_log"),
    path("access/<int:seq>/", views.access_event, name="access_event"),
    path("access/export/", views.access_log_export, name="access_log_export"),
    path("access/verify/", views.verify, name="verify"),
    path("changes/", views.changes, name="changes"),
    path("changes/export/", views.changes_export, name="changes_export"),
]
