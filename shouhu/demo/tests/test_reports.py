"""The demo's reports: three at the demo county's front door, once; the school's names a pupil on file
as a teacher heard it, and the report's description finds the pupil's file."""

from __future__ import annotations

import pytest

from shouhu.accounts.models import User
from shouhu.demo.reports import sounds_like
from shouhu.demo.services import load_demo
from shouhu.intake import selectors
from shouhu.intake.choices import Channel
from shouhu.intake.models import Report
from shouhu.matching import keys, search
from shouhu.registry.models import Child


def test_a_name_sounds_like_itself_with_one_homophone_of_the_given_name():
    assert sounds_like("王小明") == "王晓明"
    assert sounds_like("张可怡") == "张可怡"  # no homophone in the table: the name as it is
    assert sounds_like("小明") == "小铭"  # the surname is never changed


@pytest.mark.django_db
def test_the_demo_files_three_reports_once_and_the_schools_finds_the_pupil():
    first = load_demo(city_code="3709", children_total=600)
    assert first.reports_filed == 3
    intake = User.objects.get(username="demo_intake")
    queue = selectors.queue(intake)
    assert queue.count() == 3
    assert queue.filter(immediate_danger=True).count() == 1  # the begging child comes first
    top = queue.first()
    assert top is not None
    assert top.immediate_danger

    school = Report.objects.get(channel=Channel.MANDATORY)
    assert school.created_by == User.objects.get(username="demo_reporter")
    pupil = next(c for c in Child.objects.filter(village=school.region) if sounds_like(c.name) == school.child_name)
    keys.refresh(list(Child.objects.values_list("pk", flat=True)))
    found = search.search(intake, selectors.person_record(school), limit=5)
    assert found[0].child == pupil

    second = load_demo(city_code="3709", children_total=600)
    assert second.reports_filed == 0
    assert Report.objects.count() == 3
