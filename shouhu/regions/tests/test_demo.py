"""The generated villages of the demo city: deterministic, plausible, and following §6.1."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest

from shouhu.regions import codes, demo, services, tables
from shouhu.regions.choices import UrbanRuralClass
from shouhu.regions.codes import TownshipKind

DEMO_FILE = services.DEMO_DIR / "3709-villages.csv"


@pytest.fixture(scope="module")
def villages() -> list[tables.TableRow]:
    table = tables.read_villages(DEMO_FILE)
    assert table.problems == []
    return table.rows


@pytest.fixture(scope="module")
def townships() -> dict[str, str]:
    spec = tables.OFFICIAL_FILES[-1]
    table = tables.read_file(services.BUNDLED_TABLE / spec.filename, spec, source=spec.filename)
    return {row.code: row.name for row in table.rows if row.code.startswith("3709")}


def test_the_file_is_marked_generated_line_by_line(villages):
    assert all(row.generated for row in villages)


def test_every_township_of_the_city_gets_8_to_30_villages(villages, townships):
    per_township = Counter(codes.parent_code(row.code) for row in villages)
    assert set(per_township) == set(townships)
    assert all(8 <= n <= 30 for n in per_township.values()), per_township
    assert 1500 <= len(villages) <= 2000


def test_names_are_unique_within_a_township(villages):
    names = defaultdict(list)
    for row in villages:
        names[row.code[:9]].append(row.name)
    assert all(len(set(group)) == len(group) for group in names.values())


@pytest.mark.parametrize(
    ("kind", "allowed"),
    [
        (TownshipKind.SUB_DISTRICT, {"111", "112", "220"}),
        (TownshipKind.TOWN, {"121", "122", "220"}),
        (TownshipKind.TOWNSHIP, {"210", "220"}),
    ],
)
def test_urban_rural_classes_follow_the_kind_of_township(villages, kind, allowed):
    found = {row.urban_rural_class for row in villages if codes.township_kind(row.code) is kind}
    assert found
    assert found <= allowed


def test_committees_follow_the_published_code_ranges(villages):
    for row in villages:
        part = int(row.code[9:])
        if row.name.endswith(demo.COMMUNITY_SUFFIX):
            assert part in codes.RESIDENTS_COMMITTEE_PARTS, row
        else:
            assert row.name.endswith(demo.VILLAGE_SUFFIX), row
            assert part in codes.VILLAGERS_COMMITTEE_PARTS, row


def test_sub_districts_are_mostly_communities_and_towns_mostly_villages(villages):
    by_kind: dict[TownshipKind | None, Counter[bool]] = defaultdict(Counter)
    for row in villages:
        by_kind[codes.township_kind(row.code)][row.name.endswith(demo.COMMUNITY_SUFFIX)] += 1
    assert by_kind[TownshipKind.SUB_DISTRICT][True] > by_kind[TownshipKind.SUB_DISTRICT][False]
    assert by_kind[TownshipKind.TOWN][False] > 5 * by_kind[TownshipKind.TOWN][True]


def test_a_town_centre_community_bears_the_name_of_the_town():
    rows = demo.generate_for(demo.Township("370911106", "满庄镇"))
    assert rows[0].name == "满庄社区居民委员会"
    assert rows[0].urban_rural_class is UrbanRuralClass.TOWN_CENTRE
    assert rows[0].code == "370911106001"


@pytest.mark.parametrize(
    ("name", "stem"), [("满庄镇", "满庄"), ("岱庙街道", "岱庙"), ("化马湾乡", "化马湾"), ("范镇", "范镇")]
)
def test_stem_of_a_township_name(name, stem):
    assert demo.stem(name) == stem


def test_generation_is_the_same_on_every_run(townships):
    sample = [demo.Township(code, name) for code, name in list(townships.items())[:5]]
    assert demo.generate(sample) == demo.generate(list(reversed(sample)))
    assert demo.to_csv(demo.generate(sample)) == demo.to_csv(demo.generate(sample))
