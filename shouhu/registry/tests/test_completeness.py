"""What a file lacks (DOMAIN.md §3 survey fields as the minimum), as a table of cases."""

from __future__ import annotations

import dataclasses

import pytest
from django.utils import translation

from shouhu.registry.completeness import (
    LABELS,
    FileSnapshot,
    RelativeSnapshot,
    SituationSnapshot,
    labels,
    missing,
)

AWAY = SituationSnapshot(kind="working_away", place="上海")
COMPLETE = FileSnapshot(
    has_id_number=True,
    hukou_status="registered",
    has_hukou_region=True,
    residence_address="东湖路8号",
    school_status="primary",
    health_status="healthy",
    disability_type="",
    disability_grade=None,
    phones=("13905380001",),
    birth_parents_unknown=False,
    relatives=(
        RelativeSnapshot(relation="father", is_guardian=True),
        RelativeSnapshot(relation="mother"),
    ),
)


def variant(**changes):
    return dataclasses.replace(COMPLETE, **changes)


@pytest.mark.parametrize(
    ("file", "gaps"),
    [
        (COMPLETE, []),
        (variant(has_id_number=False), ["id_number"]),
        (variant(hukou_status="unregistered", has_id_number=False, has_hukou_region=False), []),
        (variant(has_hukou_region=False), ["hukou_region"]),
        (variant(residence_address="  "), ["residence_address"]),
        (variant(school_status="", health_status=""), ["school_status", "health_status"]),
        (variant(disability_type="physical"), ["disability_grade"]),
        (variant(disability_type="physical", disability_grade=2), []),
        (variant(phones=()), ["phones"]),
        (variant(phones=(" ",)), ["phones"]),
        (variant(relatives=()), ["father", "mother", "guardian"]),
        (variant(relatives=(), birth_parents_unknown=True), ["guardian"]),
        (
            variant(relatives=(RelativeSnapshot("adoptive_father", True), RelativeSnapshot("adoptive_mother"))),
            [],
        ),
        (
            variant(
                relatives=(
                    RelativeSnapshot("father", True, (SituationSnapshot("working_away"),)),
                    RelativeSnapshot("mother"),
                )
            ),
            ["work_place"],
        ),
        (
            variant(
                relatives=(
                    RelativeSnapshot("father", True, (SituationSnapshot("imprisoned"),)),
                    RelativeSnapshot("mother"),
                )
            ),
            ["term_months"],
        ),
        (
            variant(
                relatives=(
                    RelativeSnapshot("father", True, (SituationSnapshot("imprisoned", term_months=36),)),
                    RelativeSnapshot("mother"),
                )
            ),
            [],
        ),
        (
            variant(
                relatives=(
                    RelativeSnapshot("father", True, (SituationSnapshot("lost_contact"),)),
                    RelativeSnapshot("mother"),
                )
            ),
            ["police_report"],
        ),
        (
            variant(
                relatives=(
                    RelativeSnapshot("father", True, (SituationSnapshot("lost_contact", ended=True),)),
                    RelativeSnapshot("mother"),
                )
            ),
            [],
        ),
        (
            variant(
                relatives=(
                    RelativeSnapshot("father", False, (AWAY,)),
                    RelativeSnapshot("mother", False, (AWAY,)),
                    RelativeSnapshot("paternal_grandmother", True),
                )
            ),
            ["entrusted_care"],
        ),
        (
            variant(
                relatives=(
                    RelativeSnapshot("father", False, (AWAY,)),
                    RelativeSnapshot("mother", False, (AWAY,)),
                    RelativeSnapshot("paternal_grandmother", True),
                ),
                has_current_entrusted_care=True,
            ),
            [],
        ),
    ],
)
def test_missing_facts(file, gaps):
    assert missing(file) == gaps


def test_missing_facts_come_in_display_order():
    everything = variant(
        has_id_number=False, has_hukou_region=False, residence_address="", school_status="", relatives=()
    )
    gaps = missing(everything)
    assert gaps == [key for key in LABELS if key in gaps]


def test_labels_in_the_users_language():
    with translation.override("en"):
        assert labels(["phones", "unknown_key"]) == ["Contact phone"]
