from django.urls import path, re_path

from shouhu.regions import views

app_name = "regions"

urlpatterns = [
    path("", views.browse, name="browse"),
    path("imports/", views.imports, name="imports"),
    re_path(r"^(?P<code>[0-9]{12})/$", views.detail, name="detail"),
]
