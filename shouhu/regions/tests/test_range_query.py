"""All of township T is one range on the primary-key index, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shouhu.regions import codes, services
from shouhu.regions.models import Region

pytestmark = pytest.mark.django_db

TOWNSHIP = "370911106000"  # 满庄镇 of the demo city


@pytest.fixture
def demo_city():
    services.load_demo_city(actor=None)


def test_all_of_a_township_is_one_query_bounded_by_two_code_comparisons(demo_city):
    with CaptureQueriesContext(connection) as queries:
        found = list(Region.objects.within(TOWNSHIP).values_list("code", flat=True))
    assert len(queries) == 1
    sql = queries[0]["sql"]
    assert "LIKE" not in sql.upper()
    assert "'370911106000'" in sql
    assert "'370911107000'" in sql
    assert found[0] == TOWNSHIP
    assert len(found) > 10
    assert all(code.startswith("370911106") for code in found)
    expected = Region.objects.filter(code__startswith="370911106").count()
    assert len(found) == expected


def _plan(queryset) -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # The table is small enough for a sequential scan to win; forbid it to see that the
            # index can serve the predicate (on a city-sized table the planner picks it alone).
            cursor.execute("SET LOCAL enable_seqscan = off")
        return str(queryset.explain())
    with connection.cursor() as cursor:
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def test_the_range_is_served_by_the_primary_key_index(demo_city):
    plan = _plan(Region.objects.within(TOWNSHIP))
    if connection.vendor == "postgresql":
        # "Index Scan using regions_region_pkey" or "Bitmap Index Scan on regions_region_pkey".
        assert "Index" in plan, plan
        assert "regions_region_pkey" in plan, plan
        assert "Index Cond: (((code)::text >= '370911106000'::text) AND ((code)::text < '370911107000'::text))" in plan
        assert "Seq Scan" not in plan, plan
    else:
        # The primary key of a text column is SQLite's automatic unique index.
        assert "SEARCH regions_region USING INDEX sqlite_autoindex_regions_region_1 (code>? AND code<?)" in plan, plan


def test_the_villages_of_a_county_are_one_range_of_the_level_and_code_index(demo_city):
    plan = _plan(Region.objects.filter(codes.within_q("code", "370911000000"), level="village"))
    if connection.vendor == "postgresql":
        assert "region_level_code" in plan, plan
        assert "Index Cond: (((level)::text = 'village'::text) AND ((code)::text >= '370911000000'::text)" in plan, plan
    else:
        assert "SEARCH regions_region USING INDEX region_level_code (level=? AND code>? AND code<?)" in plan, plan
