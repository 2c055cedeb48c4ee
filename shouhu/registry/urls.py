"""URLs of the child registry (mounted at ``/children/``); the import/export screens live in ``io_urls``."""

from django.urls import include, path

from shouhu.registry import views

app_name = "registry"

urlpatterns = [
    path("", views.child_list, name="list"),
    path("new/", views.child_create, name="create"),
    path("check-id-number/", views.id_number_check, name="check_id"),
    path("<int:pk>/", views.child_detail, name="detail"),
    path("<int:pk>/edit/", views.child_edit, name="edit"),
    path("<int:pk>/status/", views.child_status, name="status"),
    path("<int:pk>/identity-number/", views.child_id_number, name="id_number"),
    path("<int:pk>/reveal/", views.child_reveal, name="reveal"),
    path("<int:pk>/photo/", views.child_photo, name="photo"),
    path("<int:pk>/photo/edit/", views.child_photo_edit, name="photo_edit"),
    path("<int:pk>/family/add/", views.family_add, name="family_add"),
    path("<int:pk>/family/<int:kinship_pk>/", views.family_edit, name="family_edit"),
    path("<int:pk>/family/<int:kinship_pk>/remove/", views.family_remove, name="family_remove"),
    path("<int:pk>/family/<int:kinship_pk>/reveal/", views.person_reveal, name="person_reveal"),
    path("<int:pk>/family/<int:kinship_pk>/situations/add/", views.situation_add, name="situation_add"),
    path("<int:pk>/situations/<int:situation_pk>/end/", views.situation_end, name="situation_end"),
    path("<int:pk>/entrusted-care/", views.entrusted_care, name="entrusted_care"),
    path("<int:pk>/categories/decide/", views.category_override, name="override"),
    path("<int:pk>/categories/decisions/<int:override_pk>/withdraw/", views.override_withdraw, name="withdraw"),
    path("", include("shouhu.registry.io_urls")),
]
