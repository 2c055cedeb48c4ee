"""factory_boy factories of agencies and users."""

from __future__ import annotations

from typing import Any

from factory.declarations import LazyFunction, Sequence, SubFactory
from factory.django import DjangoModelFactory, Password
from factory.helpers import post_generation

from shouhu.accounts.choices import AgencyKind, Role
from shouhu.accounts.models import Agency, RoleAssignment, User
from shouhu.regions.tests.factories import make_region

TEST_PASSWORD = "Shouhu-test-Pa55!"


class AgencyFactory(DjangoModelFactory[Agency]):
    class Meta:
        model = Agency

    name = Sequence(lambda n: f"测试单位{n}")
    kind = AgencyKind.CIVIL_AFFAIRS
    region = LazyFunction(lambda: make_region("370902"))


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = Sequence(lambda n: f"user{n}")
    full_name = Sequence(lambda n: f"测试用户{n}")
    phone = Sequence(lambda n: f"1380000{n:04d}")
    jurisdiction = LazyFunction(lambda: make_region("370902001001"))
    agency = SubFactory(AgencyFactory)
    password = Password(TEST_PASSWORD)

    @post_generation  # type: ignore[untyped-decorator]
    def roles(self: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create or not extracted:
            return
        for role in extracted:
            RoleAssignment.objects.create(user=self, role=Role(role))
        self.__dict__.pop("roles", None)
