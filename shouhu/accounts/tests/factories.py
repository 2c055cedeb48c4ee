"""factory_boy factories of agencies and users."""

from __future__ import annotations

from typing import Any

import factory

from shouhu.accounts.choices import AgencyKind, Role
from shouhu.accounts.models import Agency, RoleAssignment, User
from shouhu.regions.tests.factories import make_region

TEST_PASSWORD = "Shouhu-test-Pa55!"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = AgencyKind.CIVIL_AFFAIRS
    region = factory.LazyFunction(lambda: make_region("370902"))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"测试用户{n}")
    phone = factory.Sequence(lambda n: f"1380000{n:04d}")
    jurisdiction = factory.LazyFunction(lambda: make_region("370902001001"))
    agency = factory.SubFactory(AgencyFactory)
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def roles(self: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create or not extracted:
            return
        for role in extracted:
            RoleAssignment.objects.create(user=self, role=Role(role))
        self.__dict__.pop("roles", None)
