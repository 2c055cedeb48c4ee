from django.urls import path

from shouhu.policy import views

app_name = "policy"

urlpatterns = [
    path("", views.setting_list, name="list"),
    path("<str:key>/", views.setting_detail, name="detail"),
    path("<str:key>/edit/", views.setting_edit, name="edit"),
    path("<str:key>/values/<int:pk>/withdraw/", views.value_withdraw, name="withdraw"),
]
