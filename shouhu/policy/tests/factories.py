"""factory_boy factory of stored policy values (tests that need history without the service)."""

from __future__ import annotations

from factory.declarations import SubFactory
from factory.django import DjangoModelFactory
from factory.faker import Faker

from shouhu.accounts.tests.factories import UserFactory
from shouhu.policy.models import PolicyValue


class PolicyValueFactory(DjangoModelFactory[PolicyValue]):
    class Meta:
        model = PolicyValue

    key = "intake.triage_hours"
    value = 12
    effective_from = Faker("date_object")
    reason = "测试：市民政局文件"
    created_by = SubFactory(UserFactory)
