"""The demo city loads once, with one account per role, and a second run changes nothing."""

from __future__ import annotations

import pytest
from django.test import override_settings

from shouhu.accounts.choices import Role
from shouhu.accounts.models import Agency, RoleAssignment, User
from shouhu.core.errors import DomainError
from shouhu.demo.services import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo
from shouhu.regions.choices import Level
from shouhu.regions.models import Region

CITY = "370900000000"


@pytest.mark.django_db
def test_demo_city_loads_once_with_an_account_per_role():
    # One test, because a load takes seconds; each block states one expectation.
    first = load_demo(city_code="3709")
    counts = (Region.objects.count(), Agency.objects.count(), User.objects.count())
    second = load_demo(city_code="3709")

    # Given a loaded demo city, when it is loaded again, then nothing changes.
    assert first.changed
    assert not second.changed
    assert (Region.objects.count(), Agency.objects.count(), User.objects.count()) == counts

    # Every role has a demo account that logs in with the printed password, at the right level.
    demo_names = [a.username for a in DEMO_ACCOUNTS]
    roles = set(RoleAssignment.objects.filter(user__username__in=demo_names).values_list("role", flat=True))
    assert roles == {r.value for r in Role}
    for account in DEMO_ACCOUNTS:
        user = User.objects.get(username=account.username)
        assert user.check_password(DEMO_PASSWORD)
        if account.level is not None:
            assert user.jurisdiction is not None
            assert user.jurisdiction.level == account.level
    assert User.objects.get(username="admin").is_superuser

    # The city is the real 泰安市 with its six counties and 88 townships; villages are generated.
    assert Region.objects.get(code=CITY).name == "泰安市"
    within = Region.objects.within(CITY)
    assert within.filter(level=Level.COUNTY).count() == 6
    assert within.filter(level=Level.TOWNSHIP, generated=False).count() == 88
    villages = within.filter(level=Level.VILLAGE)
    assert villages.count() > 1000
    assert not villages.filter(generated=False).exists()

    # Most villages, not all, have a child director: the coverage figures have gaps to show.
    directed = (
        User.objects.filter(role_assignments__role=Role.CHILD_DIRECTOR, jurisdiction__level=Level.VILLAGE)
        .values("jurisdiction")
        .distinct()
        .count()
    )
    assert 0.6 * villages.count() < directed < villages.count()


@pytest.mark.django_db
def test_demo_is_refused_in_production():
    with override_settings(PRODUCTION=True), pytest.raises(DomainError):
        load_demo(city_code="3709")
