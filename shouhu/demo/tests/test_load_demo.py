"""The demo city loads once, with one account per role, and a second run changes nothing."""

from __future__ import annotations

import pytest
from django.test import override_settings

from shouhu.accounts.choices import Role
from shouhu.accounts.models import Agency, RoleAssignment, User
from shouhu.core.errors import DomainError
from shouhu.demo.services import DEMO_ACCOUNTS, DEMO_CHILDREN, DEMO_PASSWORD, load_demo
from shouhu.regions.choices import Level
from shouhu.regions.codes import within_q
from shouhu.regions.models import Region
from shouhu.registry import selectors
from shouhu.registry.choices import Category
from shouhu.registry.models import Child, Classification, Kinship, Person

# The hand-made families of the demo (``showcase``) and a category each must hold, or not hold.
SHOWCASE = [
    ("刘子涵", {Category.ORPHAN}, set()),
    ("张浩宇", {Category.DE_FACTO_UNATTENDED, Category.DIFFICULTY_POVERTY}, {Category.ORPHAN}),
    ("张一诺", {Category.DE_FACTO_UNATTENDED}, set()),
    ("陈雨桐", {Category.DE_FACTO_UNATTENDED}, set()),
    ("王梓睿", {Category.KEY_POOR_GUARDIANSHIP}, {Category.DE_FACTO_UNATTENDED}),
    ("李沐宸", {Category.DISABLED, Category.DIFFICULTY_DISABILITY, Category.DIFFICULTY_POVERTY}, set()),
    ("赵欣怡", {Category.KEY_UNREGISTERED}, set()),
    ("孙浩然", {Category.KEY_OUT_OF_SCHOOL, Category.KEY_POOR_GUARDIANSHIP}, set()),
    ("郭梓豪", {Category.MIGRANT}, set()),
    ("周若汐", {Category.INFANT}, set()),
    ("吴一鸣", {Category.KEY_ILL, Category.DIFFICULTY_POVERTY}, set()),
    ("高子轩", {Category.LEFT_BEHIND}, set()),
    ("高欣怡", {Category.LEFT_BEHIND}, set()),
    ("徐宇航", {Category.LEFT_BEHIND}, set()),
]

CITY = "370900000000"


@pytest.mark.django_db
def test_demo_city_loads_once_with_an_account_per_role():
    # One test, because a load takes seconds; each block states one expectation.
    first = load_demo(city_code="3709")
    counts = (
        Region.objects.count(),
        Agency.objects.count(),
        User.objects.count(),
        Child.objects.count(),
        Person.objects.count(),
        Classification.objects.count(),
    )
    second = load_demo(city_code="3709")

    # Given a loaded demo city, when it is loaded again, then nothing changes.
    assert first.changed
    assert not second.changed
    assert second.children is None
    assert (
        Region.objects.count(),
        Agency.objects.count(),
        User.objects.count(),
        Child.objects.count(),
        Person.objects.count(),
        Classification.objects.count(),
    ) == counts

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

    # The children: a few thousand in the city's villages, registered once, with their families.
    assert first.children is not None
    assert first.children.created == DEMO_CHILDREN == Child.objects.filter(within_q("village", CITY)).count()
    assert second.children_on_file == DEMO_CHILDREN
    assert Kinship.objects.count() > 1.5 * DEMO_CHILDREN
    assert Person.objects.count() > DEMO_CHILDREN


def _categories(child: Child) -> set[str]:
    return set(Classification.objects.filter(child=child, until__isnull=True).values_list("category", flat=True))


@pytest.mark.django_db
def test_demo_children_show_each_case_where_the_demo_accounts_look():
    load_demo(city_code="3709", children_total=600)
    director = User.objects.get(username="demo_director")
    supervisor = User.objects.get(username="demo_supervisor")

    # Each hand-made case holds its category. (They are registered first: a generated child may
    # bear the same common name.)
    for name, held, not_held in SHOWCASE:
        child = Child.objects.filter(name=name).order_by("pk").first()
        assert child is not None, name
        categories = _categories(child)
        assert {c.value for c in held} <= categories, name
        assert not ({c.value for c in not_held} & categories), name
    pending = Child.objects.filter(name="王梓睿").order_by("pk").first()
    assert pending is not None
    assert pending.next_review_on is not None  # the six months of lost contact are still running
    infant = Child.objects.filter(name="周若汐").order_by("pk").first()
    assert infant is not None
    assert not infant.is_complete  # the infant's number is not on file yet

    # The director sees her community's children (the showcase among them), the supervisor her township's.
    in_village = selectors.child_list(director, selectors.ChildFilters())
    assert in_village.count() == Child.objects.filter(village=director.jurisdiction).count() >= 40
    assert in_village.filter(name="刘子涵").exists()
    in_township = selectors.child_list(supervisor, selectors.ChildFilters()).count()
    assert in_township > in_village.count()
    # The generated population adds the common categories across the city.
    city = set(Classification.objects.filter(until__isnull=True).values_list("category", flat=True))
    assert {Category.INFANT, Category.MIGRANT, Category.LEFT_BEHIND} <= city
    assert Child.objects.filter(is_complete=False).exists()


@pytest.mark.django_db
def test_demo_is_refused_in_production():
    with override_settings(PRODUCTION=True), pytest.raises(DomainError):
        load_demo(city_code="3709")
