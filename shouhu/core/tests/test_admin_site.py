"""The Django admin opens for active superusers only, also for third-party admins."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from shouhu.core.testing import login


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/system-admin/", "/system-admin/otp_totp/totpdevice/", "/system-admin/axes/accessattempt/"]
)
def test_staff_with_model_permissions_cannot_open_the_admin(actors, url):
    staff = actors["city_admin"]
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label__in=["otp_totp", "axes"]))
    response = login(Client(), staff).get(url)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/system-admin/", "/system-admin/otp_totp/totpdevice/", "/system-admin/axes/accessattempt/"]
)
def test_superuser_opens_the_admin(actors, url):
    assert login(Client(), actors["superuser"]).get(url).status_code == 200
