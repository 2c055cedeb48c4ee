"""A few reports at the demo city's front door, so that ``make run`` shows a queue to triage.

Filed through ``intake.services.file_report`` by the demo accounts, once (a city with any report is
left alone): a school's mandatory report of a pupil of the demo director's community, named as a
teacher heard it (a homophone of the name on file, an age instead of the date of birth) — the
report's page finds the file; a patrol finding of an unnamed child begging, in danger now; a
hotline call about a child left alone.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from shouhu.accounts.models import User
from shouhu.intake import services as intake_services
from shouhu.intake.choices import Channel, ReporterType, Situation
from shouhu.intake.models import Report
from shouhu.regions.codes import within_q
from shouhu.regions.models import Region
from shouhu.registry import dates
from shouhu.registry.models import Child

# Characters a listener writes for another that sounds the same (小/晓, 明/铭 …).
PUPIL_AGES = (7, 13)  # a primary-school pupil
HOMOPHONES = {
    "小": "晓",
    "明": "铭",
    "华": "化",
    "红": "宏",
    "丽": "莉",
    "伟": "玮",
    "军": "君",
    "芳": "方",
    "杰": "洁",
}


def sounds_like(name: str) -> str:
    """``name`` with the first character of the given name that has a homophone replaced by it."""
    for index, char in enumerate(name[1:], start=1):
        if char in HOMOPHONES:
            return name[:index] + HOMOPHONES[char] + name[index + 1 :]
    return name


def ensure_reports(city: Region, *, reporter: User, director: User, intake: User, community: Region) -> int:
    """File the demo's reports unless the city has some; the number filed."""
    if Report.objects.filter(within_q("region", city.code)).exists():
        return 0
    today = timezone.localdate()
    pupils = list(
        Child.objects.filter(
            village=community,
            birth_date__lte=today - timedelta(days=PUPIL_AGES[0] * 366),
            birth_date__gt=today - timedelta(days=PUPIL_AGES[1] * 365),
        ).order_by("-birth_date", "pk")
    )
    # A pupil whose name a teacher could mishear, if there is one.
    pupil = next((c for c in pupils if sounds_like(c.name) != c.name), pupils[0] if pupils else None)
    filed = 0
    if pupil is not None:
        intake_services.file_report(
            actor=reporter,
            region=community,
            data={
                "channel": Channel.MANDATORY,
                "reporter_type": ReporterType.SCHOOL,
                "situations": [Situation.VIOLENCE_SIGNS],
                "description": "班主任发现该生手臂和背部多处淤青，学生称是在家里被打的。",
                "place": "学校",
                "discovered_at": timezone.now() - timedelta(hours=30),
                "child_name": sounds_like(pupil.name),
                "child_sex": pupil.sex,
                "child_age": dates.age_on(pupil.birth_date, today),
                "reporter_name": reporter.full_name,
            },
        )
        filed += 1
    intake_services.file_report(
        actor=director,
        region=community,
        data={
            "channel": Channel.PATROL,
            "reporter_type": ReporterType.VILLAGE_COMMITTEE,
            "situations": [Situation.BEGGING],
            "immediate_danger": True,
            "description": "汽车站附近有一名约六岁的男孩跟随一名成年男子乞讨，男孩说不出家在哪里。",
            "place": "汽车站广场",
            "child_sex": "male",
            "child_age": 6,
        },
    )
    intake_services.file_report(
        actor=intake,
        region=community,
        data={
            "channel": Channel.HOTLINE,
            "reporter_type": ReporterType.PUBLIC,
            "situations": [Situation.ABANDONED],
            "description": "邻居来电：隔壁两个孩子的父母外出打工已三个月，孩子独自在家，常常没有饭吃。",
            "reporter_name": "匿名邻居",
        },
    )
    return filed + 2
