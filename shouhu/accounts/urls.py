from django.urls import path

from shouhu.accounts.views import agencies, auth, imports, users

app_name = "accounts"

urlpatterns = [
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("second-factor/setup/", auth.otp_setup, name="otp_setup"),
    path("second-factor/verify/", auth.otp_verify, name="otp_verify"),
    path("second-factor/backup-codes/", auth.backup_codes, name="backup_codes"),
    path("second-factor/backup-codes/new/", auth.backup_codes_new, name="backup_codes_new"),
    path("password/", auth.password_change, name="password_change"),
    path("me/", auth.profile, name="profile"),
    path("users/", users.user_list, name="user_list"),
    path("users/export/", users.user_export, name="user_export"),
    path("users/roles/", users.role_overview, name="role_overview"),
    path("users/new/", users.user_create, name="user_create"),
    path("users/<int:pk>/", users.user_detail, name="user_detail"),
    path("users/<int:pk>/edit/", users.user_edit, name="user_edit"),
    path("users/<int:pk>/deactivate/", users.user_deactivate, name="user_deactivate"),
    path("users/<int:pk>/reactivate/", users.user_reactivate, name="user_reactivate"),
    path("users/<int:pk>/reset-password/", users.user_reset_password, name="user_reset_password"),
    path("users/<int:pk>/unlock/", users.user_unlock, name="user_unlock"),
    path("users/<int:pk>/reset-second-factor/", users.user_reset_second_factor, name="user_reset_second_factor"),
    path("agencies/", agencies.agency_list, name="agency_list"),
    path("agencies/new/", agencies.agency_create, name="agency_create"),
    path("agencies/<int:pk>/edit/", agencies.agency_edit, name="agency_edit"),
    path("import/", imports.import_upload, name="user_import"),
    path("import/template/", imports.import_template, name="user_import_template"),
    path("import/<int:pk>/", imports.import_review, name="user_import_review"),
    path("import/<int:pk>/commit/", imports.import_commit, name="user_import_commit"),
    path("import/<int:pk>/cancel/", imports.import_cancel, name="user_import_cancel"),
    path("import/<int:pk>/rejected/", imports.import_rejected, name="user_import_rejected"),
    path("import/<int:pk>/passwords/", imports.import_passwords, name="user_import_passwords"),
]
