"""The Django admin shows regions and imports to system administrators; nothing can be deleted."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from shouhu.core.testing import login
from shouhu.regions import services

pytestmark = pytest.mark.django_db


def test_the_system_administrator_lists_and_searches_regions(actors):
    client = login(Client(), actors["superuser"])
    response = client.get(reverse("admin:regions_region_changelist"), {"q": "东湖"})
    assert response.status_code == 200
    assert "370902001001" in response.content.decode()


def test_a_region_can_be_corrected_but_not_deleted_nor_added(actors):
    client = login(Client(), actors["superuser"])
    assert client.get(reverse("admin:regions_region_change", args=["370902001001"])).status_code == 200
    assert client.get(reverse("admin:regions_region_delete", args=["370902001001"])).status_code == 403
    assert client.get(reverse("admin:regions_region_add")).status_code == 403


def test_the_import_history_is_read_only(actors):
    services.load_demo_city(actor=None)
    client = login(Client(), actors["superuser"])
    assert client.get(reverse("admin:regions_divisionimport_changelist")).status_code == 200
    assert client.get(reverse("admin:regions_divisionimport_add")).status_code == 403


def test_a_staff_member_who_is_not_a_system_administrator_gets_nothing(actors):
    admin_user = actors["city_admin"]
    admin_user.is_staff = True
    admin_user.save(update_fields=["is_staff"])
    client = login(Client(), admin_user)
    assert client.get(reverse("admin:regions_region_changelist")).status_code in (302, 403, 404)
    assert client.get(reverse("admin:regions_region_change", args=["370902001001"])).status_code in (302, 403, 404)
