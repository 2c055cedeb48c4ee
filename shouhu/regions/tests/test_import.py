"""Importing tables: the whole country, one city, a later year's changes, and the demo city."""

from __future__ import annotations

import filecmp
import shutil
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from shouhu.accounts.choices import AgencyKind
from shouhu.accounts.models import Agency, User
from shouhu.core.errors import DomainError
from shouhu.regions import services
from shouhu.regions.choices import Level
from shouhu.regions.models import DivisionImport, Region
from shouhu.regions.tests.tablefiles import MINI_COUNTS, TableFiles, write_villages

# The project's shared material lies beside the checkout (in CI too); the bundled copy is used without it.
SHARED_TABLE = next(
    (
        path
        for path in (
            Path(settings.BASE_DIR).parent / "shared" / "data" / "divisions-2023",
            Path("/work/shared/data/divisions-2023"),
        )
        if path.exists()
    ),
    Path("/nonexistent"),
)
STREET = "streets.csv"

# The 2023 table: 31 provinces, 342 cities, 2,978 county lines of which 3 repeat their city
# (东莞, 中山, 儋州), 41,352 township lines of which one repeats its county (金门县).
COUNTRY_2023 = {"province": 31, "city": 342, "county": 2975, "township": 41351}
TAIAN_2023 = {"province": 1, "city": 1, "county": 6, "township": 88}


def level_counts(prefix: str = "") -> dict[str, int]:
    counts: dict[str, int] = {}
    for level in Region.objects.filter(code__startswith=prefix).values_list("level", flat=True):
        counts[level] = counts.get(level, 0) + 1
    return counts


def test_the_bundled_table_is_the_shared_one():
    if not SHARED_TABLE.exists():
        pytest.skip("no shared/ beside this checkout")
    for name in ("provinces.csv", "cities.csv", "areas.csv", "streets.csv"):
        assert filecmp.cmp(services.BUNDLED_TABLE / name, SHARED_TABLE / name, shallow=False), name


@pytest.mark.django_db
def test_whole_country_import_creates_every_region_by_level():
    source = SHARED_TABLE if SHARED_TABLE.exists() else services.BUNDLED_TABLE
    result = services.import_divisions(actor=None, year=2023, source=source)
    assert result.rows_by_level == COUNTRY_2023
    assert level_counts() == COUNTRY_2023
    assert result.created == sum(COUNTRY_2023.values())
    assert result.repeats == 4
    # The quirks: 东莞's townships hang under the city; 金门县 is a county with no township.
    assert Region.objects.get(code="441900003000").parent_id == "441900000000"
    assert not Region.objects.filter(parent_id="350527000000").exists()
    assert Region.objects.get(code="370911106000").name == "满庄镇"
    record = result.record
    assert record is not None
    assert (record.year, record.scope, record.created, record.rows) == (2023, "", 44699, 44699)
    assert record.source == "shouhu/regions/data/divisions-2023" or record.source == str(SHARED_TABLE)


@pytest.mark.django_db
def test_one_city_import_brings_the_city_with_its_province_and_nothing_else():
    result = services.import_divisions(actor=None, year=2023, scope="3709")
    assert result.rows_by_level == TAIAN_2023
    assert level_counts() == TAIAN_2023
    assert Region.objects.get(code="370000000000").name == "山东省"
    assert result.scope_name == "泰安市"
    assert result.record is not None
    assert result.record.scope == "3709"


@pytest.mark.django_db
def test_a_province_import_brings_every_city_of_the_province():
    result = services.import_divisions(actor=None, year=2023, scope="37")
    assert result.rows_by_level["city"] == 16
    assert set(level_counts()) == {"province", "city", "county", "township"}
    assert not Region.objects.exclude(code__startswith="37").exists()


@pytest.mark.django_db
def test_a_scope_that_is_not_in_the_table_is_refused():
    with pytest.raises(DomainError, match="3799"):
        services.import_divisions(actor=None, year=2023, scope="3799")
    with pytest.raises(DomainError):
        services.import_divisions(actor=None, year=2023, scope="370")
    assert not Region.objects.exists()


@pytest.mark.django_db
def test_a_dry_run_counts_and_writes_nothing():
    result = services.import_divisions(actor=None, year=2023, scope="3709", dry_run=True)
    assert result.created == sum(TAIAN_2023.values())
    assert result.record is None
    assert not Region.objects.exists()
    assert not DivisionImport.objects.exists()


@pytest.fixture
def taian_2023(tmp_path):
    """The mini table loaded as 2023, with an agency in 化马湾乡, which will vanish in 2024."""
    services.import_divisions(actor=None, year=2023, source=TableFiles().write(tmp_path / "2023"))
    return Agency.objects.create(name="化马湾乡人民政府", kind=AgencyKind.TOWNSHIP_GOVERNMENT, region_id="370911201000")


def table_2024() -> TableFiles:
    return (
        TableFiles()
        .replace(STREET, "370911106", '370911106,"满庄街道",370911,37,3709')  # renamed
        .replace(STREET, "370911201", None)  # 化马湾乡 vanishes
        .replace(STREET, "370102002", None)  # vanishes from 济南 too, outside the scope
        .add(STREET, '370902003,"泰前街道",370902,37,3709')  # new
    )


@pytest.mark.django_db
def test_a_later_year_renames_retires_and_adds_within_its_scope(tmp_path, taian_2023):
    superuser = User.objects.create(username="root", full_name="系统管理员", is_superuser=True)
    result = services.import_divisions(
        actor=superuser, year=2024, source=table_2024().write(tmp_path / "2024"), scope="3709"
    )
    assert (result.created, result.renamed, result.deactivated, result.reactivated) == (1, 1, 1, 0)
    assert result.renames == [("370911106000", "满庄镇", "满庄街道")]

    renamed = Region.objects.get(code="370911106000")
    assert (renamed.name, renamed.year, renamed.first_year, renamed.active) == ("满庄街道", 2024, 2023, True)
    vanished = Region.objects.get(code="370911201000")
    assert (vanished.active, vanished.year, vanished.name) == (False, 2023, "化马湾乡")
    assert Region.objects.get(code="370902003000").first_year == 2024
    # Unchanged rows of the scope are confirmed as listed in 2024; the province row too.
    assert Region.objects.get(code="370902001000").year == 2024
    assert Region.objects.get(code="370000000000").year == 2024
    # 济南 is another city: its vanished township stays active, its rows keep their year.
    assert Region.objects.get(code="370102002000").active
    assert Region.objects.get(code="370102001000").year == 2023

    # The agency in the vanished township still points at it and still loads.
    agency = Agency.objects.select_related("region").get(pk=taian_2023.pk)
    assert agency.region.name == "化马湾乡"
    assert not agency.region.active

    # The old name stays in the change history and in the import record.
    entry = LogEntry.objects.get_for_object(renamed).get()
    assert entry.changes == {"name": ["满庄镇", "满庄街道"]}
    assert entry.actor == superuser
    record = DivisionImport.objects.get(year=2024)
    assert record.changes["renamed"] == [["370911106000", "满庄镇", "满庄街道"]]
    assert record.changes["deactivated"] == ["370911201000"]
    assert record.created_by == superuser


@pytest.mark.django_db
def test_a_code_that_reappears_is_reactivated(tmp_path, taian_2023):
    services.import_divisions(actor=None, year=2024, source=table_2024().write(tmp_path / "2024"), scope="3709")
    files_2025 = TableFiles().replace(STREET, "370911106", '370911106,"满庄街道",370911,37,3709')
    result = services.import_divisions(actor=None, year=2025, source=files_2025.write(tmp_path / "2025"), scope="3709")
    assert result.reactivated == 1
    assert result.deactivated == 1  # 泰前街道 of 2024 is not in this table
    back = Region.objects.get(code="370911201000")
    assert (back.active, back.year, back.first_year) == (True, 2025, 2023)
    assert LogEntry.objects.get_for_object(back).filter(changes__active=["False", "True"]).exists()


@pytest.mark.django_db
def test_an_older_table_cannot_overwrite_a_newer_one(tmp_path, taian_2023):
    services.import_divisions(actor=None, year=2024, source=table_2024().write(tmp_path / "2024"), scope="3709")
    with pytest.raises(DomainError, match="2024"):
        services.import_divisions(actor=None, year=2023, source=TableFiles().write(tmp_path / "again"), scope="3709")
    assert Region.objects.get(code="370911106000").name == "满庄街道"


@pytest.mark.django_db
def test_importing_the_same_table_again_changes_nothing(tmp_path):
    directory = TableFiles().write(tmp_path)
    first = services.import_divisions(actor=None, year=2023, source=directory)
    again = services.import_divisions(actor=None, year=2023, source=directory)
    assert first.changed
    assert not again.changed
    assert again.record is None
    assert "Nothing to change" in again.summary() or "无需更改" in again.summary()
    assert DivisionImport.objects.count() == 1
    assert level_counts() == MINI_COUNTS


@pytest.mark.django_db
def test_a_village_list_replaces_the_villages_of_its_city_only(tmp_path):
    services.import_divisions(actor=None, year=2023, source=TableFiles().write(tmp_path / "t"))
    header = "code,name,streetCode"
    first = write_villages(
        tmp_path / "v1.csv",
        ['370902001001,"东湖社区居民委员会",370902001', '370902001201,"王家庄村",370902001'],
        header,
    )
    jinan = write_villages(tmp_path / "jn.csv", ['370102001001,"泉城路社区居民委员会",370102001'], header)
    services.import_divisions(actor=None, year=2023, source=None, villages=first)
    services.import_divisions(actor=None, year=2023, source=None, villages=jinan)
    second = write_villages(tmp_path / "v2.csv", ['370902001001,"东湖社区居民委员会",370902001'], header)
    result = services.import_divisions(actor=None, year=2024, source=None, villages=second)
    assert result.deactivated == 1
    assert not Region.objects.get(code="370902001201").active
    assert Region.objects.get(code="370102001001").active  # 济南's list is not touched
    assert Region.objects.get(code="370902001000").year == 2023  # townships are not in a village list


@pytest.mark.django_db
def test_an_official_table_leaves_the_villages_alone(tmp_path):
    services.load_demo_city(actor=None)
    villages = Region.objects.filter(level=Level.VILLAGE).count()
    result = services.import_divisions(actor=None, year=2024, scope="3709")
    assert result.deactivated == 0
    assert Region.objects.filter(level=Level.VILLAGE, active=True).count() == villages


@pytest.mark.django_db
def test_generated_villages_are_marked_and_a_real_list_clears_the_mark(tmp_path):
    services.import_divisions(actor=None, year=2023, source=TableFiles().write(tmp_path / "t"))
    path = write_villages(tmp_path / "v.csv", ['370902001001,"东湖社区居民委员会",370902001'], "code,name,streetCode")
    services.import_divisions(actor=None, year=2023, source=None, villages=path, generated=True)
    assert Region.objects.get(code="370902001001").generated
    result = services.import_divisions(actor=None, year=2024, source=None, villages=path)
    assert result.updated == 1
    assert not Region.objects.get(code="370902001001").generated


@pytest.mark.django_db
def test_load_demo_city_is_idempotent():
    first = services.load_demo_city("3709", actor=None)
    assert first.changed
    assert first.rows_by_level == {**TAIAN_2023, "village": 1775}
    assert Region.objects.filter(level=Level.VILLAGE, generated=True).count() == 1775
    assert not Region.objects.filter(level__in=["city", "county", "township"], generated=True).exists()
    before = list(Region.objects.values_list("code", "name", "year", "active", "generated", "urban_rural_class"))
    second = services.load_demo_city("3709", actor=None)
    assert not second.changed
    assert second.record is None
    assert list(Region.objects.values_list("code", "name", "year", "active", "generated", "urban_rural_class")) == (
        before
    )
    assert DivisionImport.objects.count() == 1


@pytest.mark.django_db
def test_load_demo_city_without_a_village_list_is_refused():
    with pytest.raises(DomainError, match="3701"):
        services.load_demo_city("3701", actor=None)


@pytest.mark.django_db
def test_the_command_lists_every_bad_line_and_fails(tmp_path, capsys):
    files = TableFiles().add(STREET, '37090200x,"坏码",370902,37,3709').add(STREET, '370902003,"",370902,37,3709')
    with pytest.raises(CommandError, match="2 problem"):
        call_command("import_divisions", source=files.write(tmp_path / "divisions-2024"))
    err = capsys.readouterr().err
    assert "streets.csv, line 10, code 37090200x: the code has characters other than the digits 0-9" in err
    assert "streets.csv, line 11, code 370902003: the name is empty" in err
    assert not Region.objects.exists()


@pytest.mark.django_db
def test_the_command_takes_the_year_from_the_directory_and_reports(tmp_path, capsys):
    directory = TableFiles().write(tmp_path / "divisions-2024")
    call_command("import_divisions", source=directory, city="3709")
    out = capsys.readouterr().out
    assert "2024 泰安市" in out
    assert "created" in out
    assert DivisionImport.objects.get().year == 2024


@pytest.mark.django_db
def test_the_command_needs_a_year_it_cannot_guess(tmp_path):
    with pytest.raises(CommandError, match="--year"):
        call_command("import_divisions", source=TableFiles().write(tmp_path / "table"))


@pytest.mark.django_db
def test_the_command_imports_a_village_list_alone(tmp_path, capsys):
    call_command("import_divisions", source=TableFiles().write(tmp_path / "divisions-2023"))
    villages = write_villages(
        tmp_path / "v.csv", ['370902001001,"东湖社区居民委员会",370902001'], "code,name,streetCode"
    )
    call_command("import_divisions", villages=villages, villages_only=True, year=2023, generated=True, city="3709")
    assert Region.objects.get(code="370902001001").generated


def test_the_committed_demo_villages_are_what_the_generator_writes(tmp_path):
    output = tmp_path / "3709-villages.csv"
    call_command("generate_demo_villages", output=output)
    assert output.read_bytes() == (services.DEMO_DIR / "3709-villages.csv").read_bytes()
    call_command("generate_demo_villages", check=True)


def test_the_generator_check_fails_on_a_stale_file(tmp_path):
    stale = tmp_path / "stale.csv"
    shutil.copy(services.DEMO_DIR / "3709-villages.csv", stale)
    with stale.open("a", encoding="utf-8") as handle:
        handle.write("370902001999,多余村,370902001,37,3709,370902,220,1\n")
    with pytest.raises(CommandError, match="not what the generator writes"):
        call_command("generate_demo_villages", output=stale, check=True)
