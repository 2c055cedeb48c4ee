"""The engine: bands, thresholds from the policy settings, guards, ranking, bad input (issue 4)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta

import pytest
from django.utils import translation

from shouhu.matching import engine, model
from shouhu.matching.compare import FIELDS, Field, NameLevel
from shouhu.matching.engine import DEFAULT_THRESHOLDS, Band, Thresholds
from shouhu.matching.record import PersonRecord
from shouhu.policy import selectors as policy_selectors
from shouhu.policy import services as policy_services
from shouhu.registry import idnumber
from shouhu.registry.explain import render, render_one

ON = date(2025, 6, 1)
BORN = date(2016, 3, 2)
VILLAGE = "330102001001"
ID = idnumber.make("330102", BORN, 5, "male")

ON_FILE = PersonRecord(
    names=("王小明",),
    sex="male",
    birth_date=BORN,
    id_number=ID,
    region_code=VILLAGE,
    guardian_names=("王建国",),
    guardian_phones=("13812345678",),
)


def _match(a: PersonRecord, b: PersonRecord, **kwargs: object) -> engine.Match:
    return engine.match(a, b, on=ON, thresholds=DEFAULT_THRESHOLDS, **kwargs)  # type: ignore[arg-type]


def test_band_values_and_labels() -> None:
    assert list(Band.values) == ["certain", "likely", "possible"]
    with translation.override("en"):
        assert [str(label) for label in Band.labels] == ["Certain", "Likely", "Possible"]


@pytest.mark.parametrize(
    ("probability", "band"),
    [
        (0.999, Band.CERTAIN),
        (0.99, Band.CERTAIN),
        (0.9, Band.LIKELY),
        (0.8, Band.LIKELY),
        (0.5, Band.POSSIBLE),
        (0.1, None),
    ],
)
def test_thresholds_give_the_highest_band_reached(probability: float, band: Band | None) -> None:
    assert DEFAULT_THRESHOLDS.band(probability) == band


def test_thresholds_from_percents_straighten_an_inverted_order() -> None:
    limits = Thresholds.from_percents(90, 95, 97)
    assert (limits.certain, limits.likely, limits.possible) == (0.9, 0.9, 0.9)


def test_thresholds_refuse_an_impossible_order() -> None:
    with pytest.raises(ValueError, match="thresholds"):
        Thresholds(certain=0.5, likely=0.9, possible=0.1)


@pytest.mark.django_db
def test_thresholds_are_the_policy_settings_defaults() -> None:
    assert engine.thresholds(ON) == DEFAULT_THRESHOLDS
    assert Thresholds(certain=0.99, likely=0.8, possible=0.2) == DEFAULT_THRESHOLDS


@pytest.mark.django_db
def test_thresholds_follow_a_changed_setting(city_admin) -> None:
    tomorrow = policy_selectors.today() + timedelta(days=1)
    policy_services.set_policy_value(
        actor=city_admin, key=engine.LIKELY_SETTING, value=90, effective_from=tomorrow, reason="市民政局通知"
    )
    assert engine.thresholds(tomorrow).likely == 0.9
    assert engine.thresholds(tomorrow - timedelta(days=1)).likely == 0.8


# -- the cases ---------------------------------------------------------------------------


def test_a_report_of_wang_xiaoming_about_9_in_the_village_reaches_the_file() -> None:
    """Issue 4: "王晓明, about 9, in 李家村" must reach 王小明 born 2016-03-02 in that village."""
    report = PersonRecord(names=("王晓明",), age=9, region_code=VILLAGE)
    result = _match(report, ON_FILE)
    assert result.band in (Band.LIKELY, Band.CERTAIN)
    with translation.override("en"):
        said = render(evidence.reason for evidence in result.evidence_for)
    assert "Homophone names: 王晓明 / 王小明 (wang xiao ming)" in said
    assert "Same village" in said
    assert "Age agrees: born March 2, 2016, about 9 years old on June 1, 2025" in said
    assert result.evidence_against == ()


def test_the_same_record_is_certain() -> None:
    result = _match(ON_FILE, ON_FILE)
    assert result.band == Band.CERTAIN
    assert result.guards == ()
    assert result.evidence_for[0].field == Field.ID_NUMBER  # strongest first


def test_a_mistyped_number_with_the_same_name_and_birth_is_at_least_likely() -> None:
    typed = replace(ON_FILE, id_number=ID[:9] + ID[10] + ID[9] + ID[11:], names=("王晓明",))
    assert _match(typed, ON_FILE).band in (Band.LIKELY, Band.CERTAIN)


def _twin(**changes: object) -> PersonRecord:
    base = replace(
        ON_FILE,
        names=("王小红",),
        id_number=idnumber.make("330102", BORN, 6, "male"),
        phones=("13900000001",),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def _overwhelming() -> model.Weights:
    """Weights under which shared family data alone would make any pair certain."""
    data = model.DEFAULT_WEIGHTS.to_json()
    for field in ("guardian", "phone", "region", "birth"):
        for level in data["fields"][field].values():
            level["u"] = max(level["u"] / 1000, 1e-9) if level["m"] > level["u"] else level["u"]
    data["household_discount"] = 1.0
    return model.Weights.from_json(data)


@pytest.mark.parametrize(
    "twin",
    [
        _twin(),  # different valid numbers
        _twin(id_number=""),  # no numbers at all
        _twin(id_number="", names=("王建华",)),
        _twin(id_number="", names=("王晓红",)),
    ],
)
@pytest.mark.parametrize("weights", [None, "overwhelming"])
def test_twins_are_never_certain(twin: PersonRecord, weights: str | None) -> None:
    chosen = _overwhelming() if weights else None
    on_file = replace(ON_FILE, id_number="") if not twin.id_number else ON_FILE
    result = _match(on_file, twin, weights=chosen)
    assert result.band != Band.CERTAIN
    assert model.GUARD_SIBLINGS in [reason.msg for reason in result.guards]
    assert result.probability < DEFAULT_THRESHOLDS.certain


def test_two_different_valid_numbers_are_never_certain() -> None:
    other = replace(ON_FILE, id_number=idnumber.make("330102", BORN, 7, "male"))
    result = _match(ON_FILE, other, weights=_overwhelming())
    assert result.band == Band.LIKELY  # everything else agrees: a person must look
    assert [reason.msg for reason in result.guards] == [model.GUARD_DIFFERENT_ID]
    with translation.override("en"):
        assert "Different identity numbers" in render(e.reason for e in result.evidence_against)


def test_a_guard_is_said_even_when_the_score_is_low() -> None:
    sibling = _twin(birth_date=date(2012, 5, 1), id_number="")
    result = _match(replace(ON_FILE, id_number=""), sibling)
    assert result.band != Band.CERTAIN
    assert model.GUARD_SIBLINGS in [reason.msg for reason in result.guards]


# -- bad input ------------------------------------------------------------------------------------

BAD = [
    PersonRecord(names=()),
    PersonRecord(names=("明",), age=9),
    PersonRecord(names=("王小明",), birth_date=date(2030, 1, 1)),
    PersonRecord(names=("王小明",), id_number="not a number"),
    PersonRecord(names=("", "·"), region_code="李家村", phones=("1",)),
]


@pytest.mark.parametrize("record", BAD)
def test_bad_input_never_raises_and_is_explained(record: PersonRecord) -> None:
    result = _match(record, ON_FILE)
    assert result.unused
    with translation.override("en"):
        assert all(render_one(reason) for reason in result.unused)
    json.dumps(result.as_json())


def test_a_one_character_name_still_searches_on_the_rest() -> None:
    result = _match(PersonRecord(names=("明",), birth_date=BORN, region_code=VILLAGE, sex="male"), ON_FILE)
    assert result.comparison is not None
    assert result.comparison.level(Field.NAME) == "missing"
    assert {evidence.field for evidence in result.evidence_for} >= {Field.BIRTH, Field.REGION}


# -- ranking --------------------------------------------------------------------------------------


def test_rank_puts_the_child_first_and_drops_strangers() -> None:
    query = PersonRecord(names=("王晓明",), age=9, region_code=VILLAGE, sex="male")
    candidates = [
        ("stranger", PersonRecord(names=("李建国",), birth_date=date(2010, 1, 1), region_code="330103001001")),
        (
            "namesake elsewhere",
            PersonRecord(names=("王小明",), birth_date=date(2019, 8, 8), region_code="330103001001"),
        ),
        ("the child", ON_FILE),
        ("sibling", _twin(birth_date=date(2013, 1, 1))),
    ]
    ranked = engine.rank(query, candidates, on=ON, limit=10, thresholds=DEFAULT_THRESHOLDS)
    keys = [key for key, _match_ in ranked]
    assert keys[0] == "the child"
    assert "stranger" not in keys
    probabilities = [m.probability for _key, m in ranked]
    assert probabilities == sorted(probabilities, reverse=True)
    assert all(m.band is not None for _key, m in ranked)


def test_rank_respects_the_limit_and_keeps_the_candidates_order_on_ties() -> None:
    candidates = [(index, ON_FILE) for index in range(5)]
    ranked = engine.rank(ON_FILE, candidates, on=ON, limit=3, thresholds=DEFAULT_THRESHOLDS)
    assert [key for key, _match_ in ranked] == [0, 1, 2]


def test_rank_of_nothing_is_empty() -> None:
    assert engine.rank(ON_FILE, [], on=ON, limit=5, thresholds=DEFAULT_THRESHOLDS) == []


def test_rank_gives_the_same_match_as_match() -> None:
    other = replace(ON_FILE, names=("王晓明",), id_number="")
    [(_key, ranked)] = engine.rank(ON_FILE, [("x", other)], on=ON, limit=1, thresholds=DEFAULT_THRESHOLDS)
    single = _match(ON_FILE, other)
    assert ranked.probability == single.probability
    assert ranked.band == single.band
    assert ranked.evidence_for == single.evidence_for


def test_match_json_is_plain_and_complete() -> None:
    data = _match(PersonRecord(names=("王晓明",), age=9, region_code=VILLAGE), ON_FILE).as_json()
    assert json.loads(json.dumps(data)) == data
    assert set(data["levels"]) == {str(field) for field in FIELDS}
    assert data["levels"]["name"] == NameLevel.HOMOPHONE
    assert {"field", "level", "weight", "msg", "args"} <= set(data["for"][0])
    assert ID not in json.dumps(data)  # the clear identity number is never in the evidence


# -- a common name (model rule 4) and the batch's decider -----------------------------------------

COMMON_NAMES = model.Weights.from_json(
    {**model.DEFAULT_WEIGHTS.to_json(), "common_name": {"reference": 8, "lowest": -6, "highest": 1}}
)


def test_a_common_name_is_said_and_weighs_against() -> None:
    stranger = PersonRecord(names=("王小明",), sex="male", age=9)
    plain = _match(stranger, ON_FILE, weights=COMMON_NAMES)
    crowded = _match(stranger, ON_FILE, weights=COMMON_NAMES, name_count=256)
    assert crowded.probability < plain.probability
    assert crowded.log2_ratio == pytest.approx(plain.log2_ratio - 5)
    [common] = [e for e in crowded.evidence_against if e.level == engine.COMMON]
    assert common.field == Field.NAME
    assert common.weight == pytest.approx(-5)
    with translation.override("en"):
        assert render_one(common.reason) == (
            "A common name: 256 records on file sound like 王小明, so agreeing on it says less"
        )
    rare = _match(stranger, ON_FILE, weights=COMMON_NAMES, name_count=2)
    assert [e.level for e in rare.evidence_for if e.field == Field.NAME] == [NameLevel.SAME, engine.RARE]


def test_a_common_name_does_not_touch_names_that_differ() -> None:
    other = PersonRecord(names=("王小红",), sex="female", age=9)
    assert _match(other, ON_FILE, weights=COMMON_NAMES, name_count=256).log2_ratio == pytest.approx(
        _match(other, ON_FILE, weights=COMMON_NAMES).log2_ratio
    )


def test_rank_weighs_the_query_name_by_its_namesakes() -> None:
    other = replace(ON_FILE, id_number="", guardian_names=(), guardian_phones=())
    query = PersonRecord(names=("王晓明",), sex="male", age=9, region_code=VILLAGE)
    options = {"on": ON, "limit": 1, "thresholds": DEFAULT_THRESHOLDS, "weights": COMMON_NAMES}
    [(_k, alone)] = engine.rank(query, [("x", other)], **options)  # type: ignore[arg-type]
    [(_k, crowded)] = engine.rank(query, [("x", other)], name_count=64, **options)  # type: ignore[arg-type]
    assert crowded.log2_ratio == pytest.approx(alone.log2_ratio - 3)


@pytest.mark.parametrize("name_count", [0, 3, 500])
def test_the_decider_agrees_with_match(name_count: int) -> None:
    from shouhu.matching.compare import prepare  # noqa: PLC0415

    records = [
        ON_FILE,
        replace(ON_FILE, names=("王晓明",), id_number=""),
        replace(ON_FILE, names=("王小红",), sex="female", id_number=""),  # a sister
        replace(ON_FILE, id_number=idnumber.make("330102", BORN, 7, "male")),  # another valid number
        PersonRecord(names=("王小明",), age=9),
        PersonRecord(names=("李红",), birth_date=date(2012, 1, 1)),
    ]
    decide = engine.Decider(COMMON_NAMES, DEFAULT_THRESHOLDS)
    for a in records:
        for b in records:
            first, second = prepare(a, on=ON), prepare(b, on=ON)
            first.name_count = second.name_count = name_count
            expected = _match(a, b, weights=COMMON_NAMES, name_count=name_count)
            assert decide(first, second) == pytest.approx((expected.probability, expected.band))
