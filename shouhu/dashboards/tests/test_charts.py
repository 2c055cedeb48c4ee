"""The ECharts options the home pages hand to shouhu.js."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.serializers.json import DjangoJSONEncoder

from shouhu.dashboards import charts


def test_donut_leaves_out_empty_parts_with_their_colours():
    option = charts.donut([("有", 3), ("无", 0)], colors=["#111111", "#222222"])
    assert option["series"][0]["data"] == [{"name": "有", "value": 3}]
    assert option["color"] == ["#111111"]


def test_donut_keeps_each_part_with_its_own_colour():
    option = charts.donut([("a", 0), ("b", 2), ("c", 5)], colors=["#1", "#2", "#3"])
    assert [d["name"] for d in option["series"][0]["data"]] == ["b", "c"]
    assert option["color"] == ["#2", "#3"]


def test_staffed_bar_stacks_filled_and_open_posts_per_region():
    option = charts.staffed_bar(["甲", "乙"], [2, 0], [1, 1], staffed_label="有", unstaffed_label="无")
    assert option["yAxis"]["data"] == ["甲", "乙"]
    assert [s["data"] for s in option["series"]] == [[2, 0], [1, 1]]
    assert {s["stack"] for s in option["series"]} == {"posts"}


def test_rate_bar_turns_rates_into_rounded_percentages_and_keeps_gaps():
    option = charts.rate_bar(["甲", "乙"], [("村", [2 / 3, None])])
    assert option["series"][0]["data"] == [66.7, None]
    assert option["xAxis"]["max"] == 100


def test_daily_stacked_labels_days_by_month_and_day():
    option = charts.daily_stacked([date(2026, 1, 30), date(2026, 1, 31)], [("查看", [1, 2])])
    assert option["xAxis"]["data"] == ["01-30", "01-31"]
    assert option["series"][0]["data"] == [1, 2]


@pytest.mark.parametrize(("rows", "expected"), [(0, "12.0rem"), (3, "12.0rem"), (10, "24.0rem")])
def test_chart_height_grows_with_the_number_of_bars(rows, expected):
    assert charts.height_for(rows) == expected


def test_options_are_plain_json_without_functions():
    option = charts.count_bar(["a"], [1], label="n")
    assert json.loads(json.dumps(option, cls=DjangoJSONEncoder)) == option
