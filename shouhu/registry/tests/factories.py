"""factory_boy factories of the registry's rows, and helpers that build a whole family.

The factories write rows directly (fast, for tests of reads and screens); tests of rules go
through the services. Identity numbers are valid numbers (``idnumber.make``) stored as the
services store them (encrypted, keyed hash, mask): pass ``id_number="..."`` or
``with_id_number=True``.

    child = ChildFactory(village=regions.village_a1a)
    father = add_parent(child, Relation.FATHER, situations=[SituationKind.IMPRISONED], term_months=36)
    services.reclassify(child=child)
"""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from factory.declarations import LazyAttribute, LazyFunction, Sequence
from factory.django import DjangoModelFactory
from factory.helpers import post_generation

from shouhu.policy import selectors as policy_selectors
from shouhu.regions.models import Region
from shouhu.regions.tests.factories import make_region
from shouhu.registry import idnumber
from shouhu.registry.choices import (
    Category,
    ClassificationSource,
    HealthStatus,
    Relation,
    SchoolStatus,
    Sex,
    SituationKind,
)
from shouhu.registry.models import (
    CategoryOverride,
    Child,
    Classification,
    EntrustedCare,
    Kinship,
    Person,
    Situation,
)
from shouhu.registry.services import _store_identity

DEFAULT_VILLAGE = "370902001001"  # 东湖社区 of the test world (conftest.py)
_sequence = itertools.count()


def default_village() -> Region:
    return make_region(DEFAULT_VILLAGE, "东湖社区", urban_rural_class="111")


def valid_id_number(birth_date: date, sex: str, *, address_code: str = "370902") -> str:
    """A valid identity number not used before in this test run."""
    return idnumber.make(address_code, birth_date, next(_sequence) % 500, sex)


def _store_number(obj: Child | Person, number: str) -> None:
    _store_identity(obj, idnumber.parse(number) if number else None)


class ChildFactory(DjangoModelFactory[Child]):
    """A child of 东湖社区 (or ``village=``), 8 years old, in primary school, healthy."""

    class Meta:
        model = Child
        skip_postgeneration_save = True

    name = Sequence(lambda n: f"王小{'明红刚丽华强芳军'[n % 8]}{n}")
    sex = Sex.MALE
    birth_date = LazyFunction(lambda: date(policy_selectors.today().year - 8, 1, 15))
    village = LazyFunction(default_village)
    county_code = LazyAttribute(lambda o: o.village.code[:6])
    residence_address = "幸福路1号"
    school_status = SchoolStatus.PRIMARY
    health_status = HealthStatus.HEALTHY
    phones = LazyFunction(lambda: ["13800000000"])

    @post_generation  # type: ignore[untyped-decorator]
    def id_number(self: Child, create: bool, extracted: Any, **kwargs: Any) -> None:
        """``id_number="3709…"`` stores that number; ``id_number=True`` a valid one matching the child."""
        if not extracted:
            return
        number = (
            valid_id_number(self.birth_date, self.sex, address_code=self.village_id[:6])
            if extracted is True
            else extracted
        )
        _store_number(self, number)
        if create:
            self.save(update_fields=["id_number_cipher", "id_number_hash", "id_number_mask"])


class PersonFactory(DjangoModelFactory[Person]):
    """An adult of a child's family (by default of 东湖社区)."""

    class Meta:
        model = Person
        skip_postgeneration_save = True

    name = Sequence(lambda n: f"王建{'国华军平'[n % 4]}{n}")
    sex = Sex.MALE
    birth_date = date(1988, 5, 20)
    phone = Sequence(lambda n: f"139{n:08d}")
    village = LazyFunction(default_village)
    county_code = LazyAttribute(lambda o: o.village.code[:6])

    @post_generation  # type: ignore[untyped-decorator]
    def id_number(self: Person, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not extracted:
            return
        assert self.birth_date is not None
        number = valid_id_number(self.birth_date, self.sex or Sex.MALE) if extracted is True else extracted
        _store_number(self, number)
        if create:
            self.save(update_fields=["id_number_cipher", "id_number_hash", "id_number_mask"])


class KinshipFactory(DjangoModelFactory[Kinship]):
    class Meta:
        model = Kinship

    child = LazyFunction(ChildFactory.create)
    person = LazyAttribute(lambda o: PersonFactory.create(village=o.child.village))
    relation = Relation.FATHER
    is_guardian = True
    lives_with_child = True
    village_code = LazyAttribute(lambda o: o.child.village_id)


class SituationFactory(DjangoModelFactory[Situation]):
    class Meta:
        model = Situation

    person = LazyFunction(PersonFactory.create)
    kind = SituationKind.WORKING_AWAY
    started_on = date(2024, 3, 1)
    place = "上海市"
    village_code = LazyAttribute(lambda o: o.person.village_id)


class EntrustedCareFactory(DjangoModelFactory[EntrustedCare]):
    class Meta:
        model = EntrustedCare

    child = LazyFunction(ChildFactory.create)
    carer = LazyAttribute(lambda o: PersonFactory.create(village=o.child.village, name="李奶奶", sex=Sex.FEMALE))
    since = date(2024, 3, 1)
    village_code = LazyAttribute(lambda o: o.child.village_id)


class ClassificationFactory(DjangoModelFactory[Classification]):
    """A current category row (as the rules would write it); for tests of reads."""

    class Meta:
        model = Classification

    child = LazyFunction(ChildFactory.create)
    category = Category.LEFT_BEHIND
    village_code = LazyAttribute(lambda o: o.child.village_id)
    since = date(2024, 9, 1)
    source = ClassificationSource.RULE
    explanation = LazyFunction(list)


class CategoryOverrideFactory(DjangoModelFactory[CategoryOverride]):
    class Meta:
        model = CategoryOverride

    child = LazyFunction(ChildFactory.create)
    category = Category.DIFFICULTY_GUARDIANSHIP
    effect = "include"
    reason = "家访核实：监护人长期酗酒，监护缺失"
    decided_by = None  # set in tests: a caseworker
    village_code = LazyAttribute(lambda o: o.child.village_id)


def add_parent(
    child: Child,
    relation: Relation = Relation.FATHER,
    *,
    situations: list[SituationKind] | tuple[SituationKind, ...] = (),
    started_on: date = date(2024, 3, 1),
    is_guardian: bool = True,
    lives_with_child: bool = False,
    **situation_fields: Any,
) -> Person:
    """A parent of ``child`` with the given situations (all from ``started_on``)."""
    sex = Sex.FEMALE if relation in (Relation.MOTHER, Relation.ADOPTIVE_MOTHER, Relation.STEPMOTHER) else Sex.MALE
    person = PersonFactory.create(village=child.village, sex=sex)
    KinshipFactory.create(
        child=child, person=person, relation=relation, is_guardian=is_guardian, lives_with_child=lives_with_child
    )
    for kind in situations:
        SituationFactory.create(person=person, kind=kind, started_on=started_on, **situation_fields)
    return person


def left_behind_child(village: Region | None = None, **child_fields: Any) -> Child:
    """A rural child whose parents both work away, cared for by a grandmother (for category tests)."""
    village = village or make_region("370911101201", "张家庄村")
    child = ChildFactory.create(village=village, hukou_region=village, hukou_nature="agricultural", **child_fields)
    add_parent(child, Relation.FATHER, situations=[SituationKind.WORKING_AWAY])
    add_parent(child, Relation.MOTHER, situations=[SituationKind.WORKING_AWAY])
    grandmother = PersonFactory.create(village=village, name="张奶奶", sex=Sex.FEMALE, birth_date=date(1955, 1, 1))
    KinshipFactory.create(
        child=child, person=grandmother, relation=Relation.PATERNAL_GRANDMOTHER, lives_with_child=True
    )
    EntrustedCareFactory.create(child=child, carer=grandmother)
    return child
