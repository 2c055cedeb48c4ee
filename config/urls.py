"""Root URLs. Every app mounts under its own prefix; the Django admin is for system administrators."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    # Browsers ask for /favicon.ico whatever the page says.
    path("favicon.ico", RedirectView.as_view(url="/static/shouhu/favicon.svg", permanent=True)),
    path("", include("shouhu.dashboards.urls")),
    path("accounts/", include("shouhu.accounts.urls")),
    path("regions/", include("shouhu.regions.urls")),
    path("children/", include("shouhu.registry.urls")),
    path("matching/", include("shouhu.matching.urls")),
    path("intake/", include("shouhu.intake.urls")),
    path("audit/", include("shouhu.audit.urls")),
    path("policy-settings/", include("shouhu.policy.urls")),
    path("jobs/", include("shouhu.core.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("shouhu.api.urls")),
    # System administrators log in through Shouhu's own form (second factor, access log).
    path("system-admin/login/", RedirectView.as_view(pattern_name="accounts:login", query_string=True)),
    path("system-admin/", admin.site.urls),
]

handler400 = "shouhu.core.views.bad_request"
handler403 = "shouhu.core.views.permission_denied"
handler404 = "shouhu.core.views.page_not_found"
handler500 = "shouhu.core.views.server_error"
