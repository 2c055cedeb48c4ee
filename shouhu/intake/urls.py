"""URLs of intake (mounted at ``/intake/``): the queue, filing a report, a report and its actions."""

from django.urls import path

from shouhu.intake import views

app_name = "intake"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/triage/", views.triage, name="triage"),
    path("<int:pk>/identify/", views.identify, name="identify"),
    path("<int:pk>/not-on-file/", views.not_on_file, name="not_on_file"),
]
