"""The Fellegi-Sunter model: the shipped weights, their JSON form, fitting, scoring and the guards."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from shouhu.matching import model
from shouhu.matching.compare import (
    FIELDS,
    LEVELS,
    MISSING,
    BirthLevel,
    Comparison,
    Field,
    GuardianLevel,
    IdLevel,
    NameLevel,
    PhoneLevel,
    RegionLevel,
    SexLevel,
)
from shouhu.matching.model import DEFAULT_WEIGHTS, Weights


def _comparison(**levels: str) -> Comparison:
    values = tuple(levels.get(str(field), MISSING) for field in FIELDS)
    return Comparison(levels=values, details=(None,) * len(FIELDS))


def test_shipped_weights_cover_every_level_and_sum_to_one() -> None:
    data = json.loads(model.WEIGHTS_PATH.read_text(encoding="utf-8"))
    for field in FIELDS:
        levels = data["fields"][field]
        assert set(levels) == set(LEVELS[field])
        assert math.isclose(sum(v["m"] for v in levels.values()), 1.0)
        assert math.isclose(sum(v["u"] for v in levels.values()), 1.0)


def test_shipped_weights_explain_each_hand_set_figure() -> None:
    data = json.loads(model.WEIGHTS_PATH.read_text(encoding="utf-8"))
    if "why" not in data["fields"]["name"]["same"]:
        pytest.skip("weights.json has been refitted from labelled data")
    for field in FIELDS:
        assert all(level.get("why") for level in data["fields"][field].values())


@pytest.mark.parametrize(
    ("field", "stronger", "weaker"),
    [
        (Field.ID_NUMBER, IdLevel.SAME, IdLevel.ONE_DIGIT),
        (Field.ID_NUMBER, IdLevel.ONE_DIGIT, IdLevel.DIFFERENT),
        (Field.ID_NUMBER, IdLevel.CLOSE, IdLevel.DIFFERENT),
        (Field.NAME, NameLevel.HOMOPHONE, NameLevel.DIALECT),
        (Field.NAME, NameLevel.DIALECT, NameLevel.ONE_DIFFERENT),
        (Field.NAME, NameLevel.ONE_MISSING, NameLevel.ONE_DIFFERENT),
        (Field.NAME, NameLevel.SURNAME_ONLY, NameLevel.DIFFERENT),
        (Field.BIRTH, BirthLevel.SAME, BirthLevel.DAY_MONTH_SWAPPED),
        (Field.BIRTH, BirthLevel.AGE_AGREES, BirthLevel.AGE_NEAR),
        (Field.BIRTH, BirthLevel.AGE_NEAR, BirthLevel.DIFFERENT),
        (Field.REGION, RegionLevel.VILLAGE, RegionLevel.TOWNSHIP),
        (Field.REGION, RegionLevel.IN_TOWNSHIP, RegionLevel.TOWNSHIP),
        (Field.REGION, RegionLevel.TOWNSHIP, RegionLevel.ELSEWHERE),
    ],
)
def test_shipped_weights_order_the_levels_sensibly(field: Field, stronger: str, weaker: str) -> None:
    assert DEFAULT_WEIGHTS.weight(field, stronger) > DEFAULT_WEIGHTS.weight(field, weaker)


def test_a_township_alone_never_says_more_than_the_same_village() -> None:
    assert DEFAULT_WEIGHTS.weight(Field.REGION, RegionLevel.IN_TOWNSHIP) <= DEFAULT_WEIGHTS.weight(
        Field.REGION, RegionLevel.VILLAGE
    )


@pytest.mark.parametrize(
    ("field", "level", "sign"),
    [
        (Field.ID_NUMBER, IdLevel.SAME, 1),
        (Field.ID_NUMBER, IdLevel.DIFFERENT, -1),
        (Field.NAME, NameLevel.SAME, 1),
        (Field.NAME, NameLevel.HOMOPHONE, 1),
        (Field.NAME, NameLevel.DIFFERENT, -1),
        (Field.BIRTH, BirthLevel.SAME, 1),
        (Field.BIRTH, BirthLevel.DIFFERENT, -1),
        (Field.SEX, SexLevel.DIFFERENT, -1),
        (Field.GUARDIAN, GuardianLevel.SHARED, 1),
        (Field.PHONE, PhoneLevel.SHARED, 1),
    ],
)
def test_shipped_weights_point_the_right_way(field: Field, level: str, sign: int) -> None:
    assert DEFAULT_WEIGHTS.weight(field, level) * sign > 0


def test_a_missing_field_weighs_nothing() -> None:
    for field in FIELDS:
        assert DEFAULT_WEIGHTS.weight(field, MISSING) == 0.0
    nothing = model.score(_comparison(), DEFAULT_WEIGHTS)
    assert math.isclose(nothing.log2_ratio, DEFAULT_WEIGHTS.prior_bits)
    assert math.isclose(nothing.probability, DEFAULT_WEIGHTS.prior)


def test_json_round_trip_keeps_every_figure(tmp_path: Path) -> None:
    again = Weights.from_json(json.dumps(DEFAULT_WEIGHTS.to_json()))
    assert again == DEFAULT_WEIGHTS
    path = tmp_path / "weights.json"
    DEFAULT_WEIGHTS.save(path)
    assert Weights.load(path) == DEFAULT_WEIGHTS


def test_json_with_a_missing_level_is_refused() -> None:
    data = DEFAULT_WEIGHTS.to_json()
    del data["fields"]["name"]["homophone"]
    with pytest.raises(ValueError, match=r"name\.homophone"):
        Weights.from_json(data)


@pytest.mark.parametrize("value", [0.0, 1.0, -0.1, 2.0])
def test_json_with_an_impossible_probability_is_refused(value: float) -> None:
    data = DEFAULT_WEIGHTS.to_json()
    data["fields"]["birth"]["same"]["u"] = value
    with pytest.raises(ValueError, match=r"birth\.same"):
        Weights.from_json(data)


def test_json_of_another_format_is_refused() -> None:
    with pytest.raises(ValueError, match="format"):
        Weights.from_json({**DEFAULT_WEIGHTS.to_json(), "format": 99})


def test_score_adds_the_weights_to_the_prior() -> None:
    comparison = _comparison(name=NameLevel.HOMOPHONE, birth=BirthLevel.SAME)
    expected = (
        DEFAULT_WEIGHTS.prior_bits
        + DEFAULT_WEIGHTS.weight(Field.NAME, NameLevel.HOMOPHONE)
        + DEFAULT_WEIGHTS.weight(Field.BIRTH, BirthLevel.SAME)
    )
    scored = model.score(comparison, DEFAULT_WEIGHTS)
    assert math.isclose(scored.log2_ratio, expected)
    assert math.isclose(scored.probability, 1 / (1 + 2**-expected))


def test_household_evidence_counts_once() -> None:
    """A shared guardian, a shared phone and the same village: the largest in full, the others discounted."""
    family = _comparison(guardian=GuardianLevel.SHARED, phone=PhoneLevel.SHARED, region=RegionLevel.VILLAGE)
    weights = [
        DEFAULT_WEIGHTS.weight(Field.GUARDIAN, GuardianLevel.SHARED),
        DEFAULT_WEIGHTS.weight(Field.PHONE, PhoneLevel.SHARED),
        DEFAULT_WEIGHTS.weight(Field.REGION, RegionLevel.VILLAGE),
    ]
    expected = max(weights) + DEFAULT_WEIGHTS.household_discount * (sum(weights) - max(weights))
    scored = model.score(family, DEFAULT_WEIGHTS)
    assert math.isclose(scored.log2_ratio - DEFAULT_WEIGHTS.prior_bits, expected)
    assert expected < sum(weights)


def test_household_evidence_against_counts_in_full() -> None:
    moved = _comparison(guardian=GuardianLevel.DIFFERENT, region=RegionLevel.ELSEWHERE)
    expected = DEFAULT_WEIGHTS.weight(Field.GUARDIAN, GuardianLevel.DIFFERENT) + DEFAULT_WEIGHTS.weight(
        Field.REGION, RegionLevel.ELSEWHERE
    )
    assert math.isclose(model.score(moved, DEFAULT_WEIGHTS).log2_ratio - DEFAULT_WEIGHTS.prior_bits, expected)


# -- guards ---------------------------------------------------------------------------------------

GUARD_CASES = [
    (_comparison(id_number=IdLevel.DIFFERENT, name=NameLevel.SAME, birth=BirthLevel.SAME), [model.GUARD_DIFFERENT_ID]),
    (_comparison(id_number=IdLevel.ONE_DIGIT, name=NameLevel.SAME), []),
    (_comparison(id_number=IdLevel.SAME, name=NameLevel.SAME), []),
    # Twins: same birth date, same guardian and village, different given names, different numbers.
    (
        _comparison(
            id_number=IdLevel.DIFFERENT,
            name=NameLevel.ONE_DIFFERENT,
            birth=BirthLevel.SAME,
            guardian=GuardianLevel.SHARED,
            region=RegionLevel.VILLAGE,
        ),
        [model.GUARD_DIFFERENT_ID, model.GUARD_SIBLINGS],
    ),
    # Twins with no identity numbers on file.
    (
        _comparison(name=NameLevel.SURNAME_ONLY, birth=BirthLevel.SAME, phone=PhoneLevel.SHARED),
        [model.GUARD_SIBLINGS],
    ),
    (_comparison(name=NameLevel.DIFFERENT, region=RegionLevel.VILLAGE), [model.GUARD_SIBLINGS]),
    # 孙欣 in the family of the twins 孙欣妍 and 孙欣怡: either of them.
    (
        _comparison(name=NameLevel.ONE_MISSING, birth=BirthLevel.SAME, guardian=GuardianLevel.SHARED),
        [model.GUARD_SIBLINGS],
    ),
    (_comparison(name=NameLevel.ONE_MISSING, birth=BirthLevel.SAME, region=RegionLevel.TOWNSHIP), []),
    # 郭沐阳 / 郭沐妍 (yang / yan, which a dialect merges): twins.
    (_comparison(name=NameLevel.DIALECT, birth=BirthLevel.SAME, phone=PhoneLevel.SHARED), [model.GUARD_SIBLINGS]),
    (_comparison(name=NameLevel.DIALECT, birth=BirthLevel.SAME), []),
    # 杜煜逸 / 杜奕瑜 (yu yi / yi yu): twins.
    (_comparison(name=NameLevel.SWAPPED, birth=BirthLevel.SAME, region=RegionLevel.VILLAGE), [model.GUARD_SIBLINGS]),
    # The same number says one person, renamed: not the sibling pattern.
    (_comparison(id_number=IdLevel.SAME, name=NameLevel.DIFFERENT, guardian=GuardianLevel.SHARED), []),
    # A homophone in the same family is the same child written twice.
    (_comparison(name=NameLevel.HOMOPHONE, guardian=GuardianLevel.SHARED, birth=BirthLevel.SAME), []),
    (_comparison(name=NameLevel.ONE_DIFFERENT, region=RegionLevel.TOWNSHIP), []),
]


@pytest.mark.parametrize(("comparison", "messages"), GUARD_CASES)
def test_guards(comparison: Comparison, messages: list[str]) -> None:
    assert [reason.msg for reason in model.guards(comparison)] == messages


# -- fitting --------------------------------------------------------------------------------------


def test_fit_counts_with_add_one_smoothing() -> None:
    same = _comparison(name=NameLevel.SAME)
    different = _comparison(name=NameLevel.DIFFERENT)
    labelled = [(same, True)] * 3 + [(different, True)] + [(different, False)] * 6 + [(same, False)] * 2
    weights = model.fit(labelled, calibrate=False)
    levels = len(LEVELS[Field.NAME])
    assert math.isclose(weights.m[Field.NAME][NameLevel.SAME], (3 + 1) / (4 + levels))
    assert math.isclose(weights.u[Field.NAME][NameLevel.SAME], (2 + 1) / (8 + levels))
    assert math.isclose(weights.m[Field.NAME][NameLevel.HOMOPHONE], 1 / (4 + levels))  # never seen: rare
    assert math.isclose(weights.prior, 4 / 12)
    assert weights.notes["pairs"] == 12


def test_fit_needs_both_kinds_of_pair() -> None:
    with pytest.raises(ValueError, match="both"):
        model.fit([(_comparison(), True)])


def _simulated(truth_weights: Weights, n: int, seed: int) -> Iterator[tuple[Comparison, bool]]:
    """Pairs drawn from the model itself: levels independent given the truth."""
    rng = random.Random(seed)
    for _ in range(n):
        truth = rng.random() < truth_weights.prior
        source = truth_weights.m if truth else truth_weights.u
        levels = {}
        for field in FIELDS:
            options = LEVELS[field]
            levels[str(field)] = rng.choices(options, weights=[source[field][level] for level in options])[0]
        yield _comparison(**levels), truth


def test_fit_recovers_the_weights_of_simulated_pairs() -> None:
    truth = Weights.from_json({**DEFAULT_WEIGHTS.to_json(), "prior": 0.2})
    fitted = model.fit(_simulated(truth, 40_000, seed=4))
    assert abs(fitted.prior - 0.2) < 0.01
    for field, level in [
        (Field.NAME, NameLevel.SAME),
        (Field.BIRTH, BirthLevel.SAME),
        (Field.BIRTH, BirthLevel.DIFFERENT),
        (Field.SEX, SexLevel.DIFFERENT),
    ]:
        assert abs(fitted.weight(field, level) - truth.weight(field, level)) < 0.5
    # Independent fields: the likelihood wants them summed, not discounted, and no rescaling (the
    # intercept is free: the simulated missing levels say something, which rule 1 ignores).
    assert fitted.household_discount >= 0.75
    assert abs(fitted.calibration[0] - 1) < 0.2


def test_fitted_probabilities_are_calibrated() -> None:
    truth = Weights.from_json({**DEFAULT_WEIGHTS.to_json(), "prior": 0.3})
    fitted = model.fit(_simulated(truth, 30_000, seed=1))
    bins: dict[int, list[tuple[float, bool]]] = {}
    for comparison, is_match in _simulated(truth, 30_000, seed=2):
        probability = model.score(comparison, fitted).probability
        bins.setdefault(min(int(probability * 5), 4), []).append((probability, is_match))
    for rows in bins.values():
        if len(rows) < 500:
            continue
        predicted = sum(p for p, _ in rows) / len(rows)
        observed = sum(1 for _, truth_ in rows if truth_) / len(rows)
        assert abs(predicted - observed) < 0.05


def test_fit_discounts_household_evidence_that_always_comes_together() -> None:
    """Siblings share guardian, phone and village at once: the fit learns not to sum them."""
    rng = random.Random(7)
    labelled = []
    for _ in range(20_000):
        truth = rng.random() < 0.3
        family = rng.random() < (0.8 if truth else 0.3)
        levels = {
            "guardian": GuardianLevel.SHARED if family else GuardianLevel.DIFFERENT,
            "phone": PhoneLevel.SHARED if family else PhoneLevel.DIFFERENT,
            "region": RegionLevel.VILLAGE if family else RegionLevel.ELSEWHERE,
            "name": NameLevel.SAME if rng.random() < (0.9 if truth else 0.2) else NameLevel.DIFFERENT,
        }
        labelled.append((_comparison(**levels), truth))
    assert model.fit(labelled).household_discount <= 0.25


def test_family_evidence_is_discounted_again_when_the_given_names_differ() -> None:
    family = {"guardian": GuardianLevel.SHARED, "region": RegionLevel.VILLAGE}
    weights = Weights.from_json({**DEFAULT_WEIGHTS.to_json(), "sibling_discount": 0.25})
    guardian = weights.weight(Field.GUARDIAN, GuardianLevel.SHARED)
    village = weights.weight(Field.REGION, RegionLevel.VILLAGE)
    household = max(guardian, village) + weights.household_discount * min(guardian, village)
    for name, factor in [
        (NameLevel.HOMOPHONE, 1.0),
        (NameLevel.ONE_MISSING, 1.0),
        (NameLevel.ONE_DIFFERENT, 0.25),
        (NameLevel.SURNAME_ONLY, 0.25),
        (NameLevel.DIFFERENT, 0.25),
    ]:
        scored = model.score(_comparison(name=name, **family), weights)
        expected = weights.prior_bits + weights.weight(Field.NAME, name) + factor * household
        assert math.isclose(scored.log2_ratio, expected), name


# -- rule 4: a common name says less -----------------------------------------------------------------

COMMON = Weights.from_json({**DEFAULT_WEIGHTS.to_json(), "common_name": {"reference": 8, "lowest": -6, "highest": 1}})


@pytest.mark.parametrize(
    ("level", "count", "expected"),
    [
        (NameLevel.SAME, 8, 0.0),  # as common as the reference: the table's weight
        (NameLevel.SAME, 32, -2.0),  # four times as common: two bits less
        (NameLevel.HOMOPHONE, 4, 1.0),  # rarer: more, up to the highest
        (NameLevel.DIALECT, 2, 1.0),
        (NameLevel.NORMALISED, 100_000, -6.0),  # held at the lowest
        (NameLevel.SAME, 0, 0.0),  # not known
        (NameLevel.ONE_MISSING, 1000, 0.0),  # the names do not agree: nothing to weigh
        (NameLevel.FORMER, 1000, 0.0),
    ],
)
def test_a_common_name_weighs_less(level: str, count: int, expected: float) -> None:
    assert model.common_name_bits(level, count, COMMON) == pytest.approx(expected)
    comparison = _comparison(name=level, birth=BirthLevel.SAME)
    plain = model.score(comparison, COMMON).log2_ratio
    assert model.score(comparison, COMMON, name_count=count).log2_ratio == pytest.approx(plain + expected)


def test_without_a_reference_names_are_not_weighed_by_how_common_they_are() -> None:
    off = Weights.from_json({**DEFAULT_WEIGHTS.to_json(), "common_name": {"reference": 0}})
    assert model.common_name_bits(NameLevel.SAME, 5000, off) == 0.0


def test_common_name_settings_round_trip_and_are_checked() -> None:
    assert Weights.from_json(COMMON.to_json()).common_name == (8.0, -6.0, 1.0)
    with pytest.raises(ValueError, match="common_name"):
        Weights.from_json({**DEFAULT_WEIGHTS.to_json(), "common_name": {"reference": 8, "lowest": 1, "highest": 1}})


def test_bits_and_guard_messages_read_the_levels_alone() -> None:
    comparison = _comparison(name=NameLevel.ONE_DIFFERENT, guardian=GuardianLevel.SHARED, id_number=IdLevel.DIFFERENT)
    assert model.bits(comparison.levels, DEFAULT_WEIGHTS) == model.score(comparison, DEFAULT_WEIGHTS).log2_ratio
    assert model.guard_messages(comparison.levels) == (model.GUARD_DIFFERENT_ID, model.GUARD_SIBLINGS)
    assert [reason.msg for reason in model.guards(comparison)] == list(model.guard_messages(comparison.levels))


def test_counts_of_one_namesakes_class_weigh_the_same() -> None:
    weights = model.DEFAULT_WEIGHTS
    by_class: dict[int, set[float]] = {}
    for count in range(0, 5000):
        for level in (NameLevel.SAME, NameLevel.DIALECT, NameLevel.ONE_MISSING):
            found = model.namesakes_class(level, count, weights)
            by_class.setdefault(found, set()).add(model.common_name_bits(level, count, weights))
    assert all(len(bits) == 1 for bits in by_class.values())
    assert by_class[0] == {0.0}
    assert by_class[model.RARE_CLASS] == {weights.common_name[2]}
    assert by_class[model.COMMON_CLASS] == {weights.common_name[1]}
    assert len(by_class) > 3  # counts between the bounds are their own class
