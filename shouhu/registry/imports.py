"""Staged xlsx imports of existing registers: template, check of every row, review, all-or-nothing commit.

Three registers arrive as spreadsheets (issue 3, item 5): the left-behind-children register of
the 2016 survey (DOMAIN.md §3: the child, the family's situation, the parents' place of work,
the entrusted carer, the village contact), the disability-screening list of the health
department and the drop-out list of the education department. Each has a downloadable template
(``template_workbook``) whose column titles are a fixed Chinese data format.

An upload becomes a background job (kind ``registry.import``) in two phases:

* ``validate`` streams the sheet (``xlsx.Sheet``) and checks EVERY row: the header, merged cells,
  dates in their Chinese forms and Excel serial numbers, full-width digits, identity numbers
  (``idnumber.parse`` with the precise cause, then the birth date and sex against the number),
  the village inside the importer's jurisdiction, required fields, enumerations in Chinese, a
  family member's situation without the day it began. Each row then is *new*, an *update* (its
  identity number is on file: what changes is listed), *unchanged*, a *possible duplicate*
  (``duplicates.find_possible_duplicates``: the reviewer decides — the same child, a new child,
  or skip) or *rejected* (row, column and reason). The verdicts go to files beside the job (a
  100 000-row register does not fit a JSON column), the rejected rows to an xlsx that can be
  corrected and uploaded again, and the job waits for review.
* ``commit`` checks the file again; if anything it would write differs from what was reviewed,
  nothing is written and the job waits for review again. Otherwise every accepted row is
  written with ``services.bulk_register_children`` inside one transaction: all or nothing.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from openpyxl.worksheet.datavalidation import DataValidation

from shouhu.core import xlsx as core_xlsx
from shouhu.core.errors import DomainError, NotAllowedError
from shouhu.core.history import acting_as
from shouhu.core.jobs import ProgressReporter, register_job, start_job
from shouhu.core.models import Job
from shouhu.core.policy import CREATE, policy_for
from shouhu.policy import selectors as policy_selectors
from shouhu.regions import codes
from shouhu.regions.choices import Level
from shouhu.regions.models import Region
from shouhu.registry import dates, duplicates, explain, idnumber, services
from shouhu.registry import xlsx as sheets
from shouhu.registry.choices import (
    PARENT_RELATIONS,
    DisabilityType,
    EconomicStatus,
    Ethnicity,
    FileStatus,
    HealthStatus,
    HouseholdRegistration,
    HukouNature,
    Relation,
    SchoolStatus,
    Sex,
    SituationKind,
)
from shouhu.registry.models import Child, EntrustedCare, Kinship, Situation

if TYPE_CHECKING:
    from shouhu.accounts.models import User

JOB_KIND = "registry.import"
VALIDATE, COMMIT = "validate", "commit"
MAX_ROWS = 200_000
ADULT_AGE = 18
# Rows judged together: one query for the identity numbers on file, one for their families.
CHUNK = 500
# Records handed to bulk_register_children at once (the transaction spans all of them); 2000
# keeps a worker under 300 MB whatever the size of the register.
WRITE_CHUNK = 2000
ROW_NUMBER_TITLE = "原行号"
REASON_TITLE = "拒绝原因"
IGNORED_TITLES = frozenset({ROW_NUMBER_TITLE, REASON_TITLE, "序号"})
OPTIONS_SHEET = "可选值"
REGIONS_SHEET = "区划代码"
NOTES_SHEET = "填写说明"
STORAGE_DIR = "registry/imports"

# The groups of a review, in the order the review page shows them.
NEW, UPDATE, UNCHANGED, DUPLICATE, REJECTED = "new", "update", "unchanged", "duplicate", "rejected"
STATUSES = (NEW, UPDATE, DUPLICATE, REJECTED, UNCHANGED)
# A reviewer's decision on a possible duplicate.
DECIDE_NEW, DECIDE_SKIP, DECIDE_SAME = "new", "skip", "same"


class RegisterKind(models.TextChoices):
    LEFT_BEHIND = "left_behind", gettext_lazy("Left-behind children register")  # 农村留守儿童信息登记表
    DISABILITY = "disability", gettext_lazy("Disability screening list (health department)")  # 残疾儿童筛查名单
    DROPOUT = "dropout", gettext_lazy("Drop-out list (education department)")  # 失学辍学儿童名单


# --- Allowed values, in Chinese --------------------------------------------------------------------


def spelling_key(text: str) -> str:
    """A value as compared with the allowed spellings: NFKC, no spaces or brackets, lower case."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in folded if not ch.isspace() and ch not in "()[]【】").lower()


@dataclass(frozen=True)
class Spellings:
    """The accepted spellings of a choice: the term of the template first, then common variants."""

    terms: tuple[tuple[str, tuple[str, ...]], ...]  # (stored value, (term, other spellings …))

    def lookup(self, text: str) -> str | None:
        return self._index.get(spelling_key(text))

    @functools.cached_property
    def _index(self) -> dict[str, str]:
        index: dict[str, str] = {}
        for value, spellings in self.terms:
            index[spelling_key(value)] = value
            for spelling in spellings:
                index[spelling_key(spelling)] = value
        return index

    def term(self, value: str) -> str:
        """The template's term of a stored value (``dropped_out`` → ``辍学``)."""
        for stored, spellings in self.terms:
            if stored == value:
                return spellings[0]
        return value

    def listed(self) -> list[str]:
        return [spellings[0] for _value, spellings in self.terms]


def _spellings(*terms: tuple[str, ...]) -> Spellings:
    return Spellings(tuple((str(value), tuple(spellings)) for value, *spellings in terms))


SEXES = _spellings((Sex.MALE, "男", "男性"), (Sex.FEMALE, "女", "女性"))
# The 56 nationalities in the order of their GB/T 3304-1991 codes (01-56), then 97 and 98.
# fmt: off
ETHNIC_NAMES = (
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白",
    "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇",
    "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米", "塔吉克", "怒",
    "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴",
    "珞巴", "基诺",
)
# fmt: on
ETHNICITIES = _spellings(
    *((f"{number:02d}", f"{name}族", name, str(number)) for number, name in enumerate(ETHNIC_NAMES, start=1)),
    (Ethnicity.OTHER, "其他", "97"),
    (Ethnicity.FOREIGN_ORIGIN, "外国血统中国籍人士", "98"),
)
assert set(ETHNICITIES._index.values()) == set(Ethnicity.values)  # noqa: S101  (every code has its name)
HUKOU_STATUSES = _spellings(
    (HouseholdRegistration.REGISTERED, "有户籍", "有", "已落户", "已登记户口"),
    (HouseholdRegistration.UNREGISTERED, "无户籍", "无", "未落户", "未登记户口", "黑户"),
)
HUKOU_NATURES = _spellings(
    (HukouNature.AGRICULTURAL, "农业户口", "农业", "农村户口"),
    (HukouNature.NON_AGRICULTURAL, "非农业户口", "非农业", "城镇户口"),
    (HukouNature.RESIDENT, "居民户口", "居民", "统一居民户口"),
    (HukouNature.UNKNOWN, "不详", "未知"),
)
SCHOOL_STATUSES = _spellings(
    (SchoolStatus.PRESCHOOL, "学龄前（散居）", "学龄前", "散居"),
    (SchoolStatus.KINDERGARTEN, "在园", "幼儿园", "入园", "幼儿园在读"),
    (SchoolStatus.PRIMARY, "小学在读", "小学"),
    (SchoolStatus.JUNIOR_SECONDARY, "初中在读", "初中"),
    (SchoolStatus.SENIOR_SECONDARY, "高中在读", "高中", "普通高中"),
    (SchoolStatus.VOCATIONAL, "中职/技工在读", "中职", "技工", "职高", "中专", "技工学校"),
    (SchoolStatus.SPECIAL_SCHOOL, "特殊教育学校", "特教", "特殊教育", "特殊学校"),
    (SchoolStatus.HIGHER, "高等教育", "大学", "大专", "本科"),
    (SchoolStatus.NOT_ENROLLED, "未入学", "从未入学", "适龄未入学"),
    (SchoolStatus.DROPPED_OUT, "辍学", "失学辍学", "中途辍学"),
    (SchoolStatus.FINISHED, "毕业未继续就学", "毕业未升学", "已毕业"),
)
OUT_OF_SCHOOL = frozenset({SchoolStatus.DROPPED_OUT, SchoolStatus.NOT_ENROLLED})
HEALTH_STATUSES = _spellings(
    (HealthStatus.HEALTHY, "健康", "良好", "正常"),
    (HealthStatus.ILL, "患病", "疾病", "有病"),
    (HealthStatus.CHRONIC, "慢性病", "慢病"),
    (HealthStatus.SERIOUS, "重病", "大病", "重大疾病"),
)
DISABILITY_TYPES = _spellings(
    (DisabilityType.VISUAL, "视力残疾", "视力", "视残"),
    (DisabilityType.HEARING, "听力残疾", "听力", "听残"),
    (DisabilityType.SPEECH, "言语残疾", "言语", "语言残疾"),
    (DisabilityType.PHYSICAL, "肢体残疾", "肢体", "肢残"),
    (DisabilityType.INTELLECTUAL, "智力残疾", "智力", "智残"),
    (DisabilityType.MENTAL, "精神残疾", "精神", "精残"),
    (DisabilityType.MULTIPLE, "多重残疾", "多重"),
)
DISABILITY_GRADES = _spellings(
    *((str(g), f"{c}级", c, f"{g}级", f"{c}等", f"{g}") for g, c in ((1, "一"), (2, "二"), (3, "三"), (4, "四")))
)
ECONOMIC_STATUSES = _spellings(
    (EconomicStatus.NONE, "无", "否", "一般", "正常", "非救助对象"),
    (EconomicStatus.LOW_INCOME, "低收入家庭", "低收入", "低边"),
    (EconomicStatus.DIBAO, "低保", "低保户", "低保家庭", "最低生活保障"),
    (EconomicStatus.EXTREME_POVERTY, "特困供养", "特困", "特困人员", "五保"),
    (EconomicStatus.MONITORED, "防返贫监测对象", "防返贫监测", "监测对象", "脱贫不稳定户"),
)
YES_NO = _spellings(("yes", "是", "有", "Y", "√", "寄宿"), ("no", "否", "无", "N", "×", "走读", "不寄宿"))
# "在家" and the like say that the parent has no situation the rules read.
NO_SITUATION = frozenset(spelling_key(t) for t in ("在家", "正常", "无", "在家务农", "在家务工", "在家照顾"))
SITUATIONS = _spellings(
    (SituationKind.WORKING_AWAY, "外出务工", "务工", "外出打工", "打工", "外出"),
    (SituationKind.IMPRISONED, "服刑在押", "服刑", "在押"),
    (SituationKind.PRETRIAL_DETENTION, "羁押待审", "羁押"),
    (SituationKind.DRUG_REHABILITATION, "强制隔离戒毒", "强戒", "戒毒"),
    (SituationKind.OTHER_LIBERTY_RESTRICTION, "其他限制人身自由"),
    (SituationKind.SEVERE_DISABILITY, "重残", "重度残疾"),
    (SituationKind.SERIOUS_ILLNESS, "重病", "大病"),
    (SituationKind.LOST_CONTACT, "失联", "下落不明"),
    (SituationKind.DEAD, "死亡", "去世", "已故", "病故"),
    (SituationKind.DECLARED_DEAD, "宣告死亡", "被宣告死亡"),
    (SituationKind.DECLARED_MISSING, "宣告失踪", "被宣告失踪"),
    (SituationKind.GUARDIANSHIP_REVOKED, "撤销监护资格", "被撤销监护资格"),
    (SituationKind.DEPORTED, "被遣送出境", "遣送出境", "驱逐出境", "被驱逐出境"),
    (SituationKind.NO_CAPACITY, "无监护能力", "丧失监护能力"),
)
# A parent in one of these situations is no guardian any more.
NOT_GUARDIAN = frozenset({SituationKind.DEAD, SituationKind.DECLARED_DEAD, SituationKind.GUARDIANSHIP_REVOKED})
RELATIONS = _spellings(
    (Relation.FATHER, "父亲", "父", "爸爸"),
    (Relation.MOTHER, "母亲", "母", "妈妈"),
    (Relation.STEPFATHER, "继父"),
    (Relation.STEPMOTHER, "继母"),
    (Relation.ADOPTIVE_FATHER, "养父"),
    (Relation.ADOPTIVE_MOTHER, "养母"),
    (Relation.PATERNAL_GRANDFATHER, "祖父", "爷爷"),
    (Relation.PATERNAL_GRANDMOTHER, "祖母", "奶奶"),
    (Relation.MATERNAL_GRANDFATHER, "外祖父", "外公", "姥爷"),
    (Relation.MATERNAL_GRANDMOTHER, "外祖母", "外婆", "姥姥"),
    (Relation.SIBLING, "兄弟姐妹", "哥哥", "姐姐", "兄", "姐"),
    (Relation.UNCLE_AUNT, "叔伯姑舅姨", "叔叔", "伯伯", "伯父", "叔父", "姑姑", "姑妈", "舅舅", "姨妈", "阿姨"),
    (Relation.OTHER_RELATIVE, "其他亲属", "亲属", "亲戚"),
    (Relation.NON_RELATIVE, "非亲属", "邻居", "朋友", "其他"),
)

# --- Columns of the registers --------------------------------------------------------------------

TEXT = "text"
NAME = "name"
DATE = "date"
ID = "id"
CHOICE = "choice"
VILLAGE = "village"
REGION = "region"
PHONES = "phones"
MONTHS = "months"
NOTE = "note"


@dataclass(frozen=True)
class Column:
    key: str  # a field of the child, "<person>.<field>" of a family member, or "note.<what>"
    title: str  # the template's header: a fixed Chinese data format, not translated
    kind: str = TEXT
    spellings: Spellings | None = None
    required: bool = False
    limit: int = 0  # maximum length of a text
    width: int = 14

    @property
    def person(self) -> str:
        return self.key.split(".", 1)[0] if "." in self.key and self.kind != NOTE else ""

    @property
    def field_name(self) -> str:
        return self.key.split(".", 1)[1] if "." in self.key else self.key


CHILD_IDENTITY = (
    Column("name", "姓名", NAME, required=True, width=10),
    Column("id_number", "公民身份号码", ID, width=21),
    Column("sex", "性别", CHOICE, SEXES, width=6),
    Column("birth_date", "出生日期", DATE, width=12),
)
ETHNICITY = Column("ethnicity", "民族", CHOICE, ETHNICITIES, width=8)
VILLAGE_COLUMN = Column("village", "现居住村（社区）区划代码", VILLAGE, required=True, width=16)
ADDRESS = Column("residence_address", "现居住地址", limit=255, width=24)
HUKOU = (
    Column("hukou_status", "户籍状况", CHOICE, HUKOU_STATUSES, width=10),
    Column("hukou_nature", "户口性质", CHOICE, HUKOU_NATURES, width=10),
    Column("hukou_region", "户籍地区划代码", REGION, width=16),
    Column("hukou_address", "户籍地址", limit=255, width=24),
)
SCHOOL = (
    Column("school_status", "就学状况", CHOICE, SCHOOL_STATUSES, width=12),
    Column("school_name", "就读学校", limit=120, width=18),
    Column("school_grade", "年级", limit=20, width=8),
    Column("boarding", "是否寄宿", CHOICE, YES_NO, width=8),
)
HEALTH = (
    Column("health_status", "健康状况", CHOICE, HEALTH_STATUSES, width=10),
    Column("illness", "疾病名称", limit=200, width=14),
)
DISABILITY = (
    Column("disability_type", "残疾类别", CHOICE, DISABILITY_TYPES, width=10),
    Column("disability_grade", "残疾等级", CHOICE, DISABILITY_GRADES, width=8),
    Column("disability_certificate_no", "残疾证号", limit=30, width=22),
)
ECONOMY = Column("economic_status", "家庭救助情况", CHOICE, ECONOMIC_STATUSES, width=12)
PHONES_COLUMN = Column("phones", "儿童联系电话", PHONES, width=14)
PERSON_WORDS = {"father": "父亲", "mother": "母亲", "carer": "委托监护人", "guardian": "监护人"}


def parent_columns(person: str) -> tuple[Column, ...]:
    word = PERSON_WORDS[person]
    return (
        Column(f"{person}.name", f"{word}姓名", NAME, width=10),
        Column(f"{person}.id_number", f"{word}公民身份号码", ID, width=21),
        Column(f"{person}.phone", f"{word}联系电话", PHONES, width=14),
        Column(f"{person}.situation", f"{word}情况", CHOICE, SITUATIONS, width=12),
        Column(f"{person}.since", f"{word}情况开始日期", DATE, width=12),
        Column(f"{person}.place", f"{word}务工地点", limit=120, width=16),
        Column(f"{person}.term_months", f"{word}刑期或期限（月）", MONTHS, width=10),
        Column(f"{person}.police_accepted_on", f"{word}失联报案受理日期", DATE, width=12),
    )


CARER_COLUMNS = (
    Column("carer.name", "委托监护人姓名", NAME, width=10),
    Column("carer.relation", "委托监护人与儿童关系", CHOICE, RELATIONS, width=10),
    Column("carer.id_number", "委托监护人公民身份号码", ID, width=21),
    Column("carer.phone", "委托监护人联系电话", PHONES, width=14),
    Column("carer.since", "委托监护开始日期", DATE, width=12),
    Column("carer.confirmation_signed_on", "委托监护确认书签订日期", DATE, width=12),
)
GUARDIAN_COLUMNS = (
    Column("guardian.name", "监护人姓名", NAME, width=10),
    Column("guardian.relation", "监护人与儿童关系", CHOICE, RELATIONS, width=10),
    Column("guardian.id_number", "监护人公民身份号码", ID, width=21),
    Column("guardian.phone", "监护人联系电话", PHONES, width=14),
)


@dataclass(frozen=True)
class Register:
    kind: RegisterKind
    sheet: str  # name of the data sheet
    file_name: str  # name of the downloaded template
    columns: tuple[Column, ...]
    # Values the register itself implies, e.g. "out of school" for the drop-out list.
    allowed: Mapping[str, frozenset[str]] = field(default_factory=dict)
    required: frozenset[str] = frozenset()

    @functools.cached_property
    def titles(self) -> dict[str, str]:
        return {c.title: c.key for c in self.columns}

    @functools.cached_property
    def _by_key(self) -> dict[str, Column]:
        return {c.key: c for c in self.columns}

    def column(self, key: str) -> Column:
        return self._by_key[key]

    def has(self, key: str) -> bool:
        return key in self._by_key

    @functools.cached_property
    def persons(self) -> list[str]:
        """The family members the register describes (father, mother, carer, guardian), in order."""
        seen: list[str] = []
        for column in self.columns:
            if column.person and column.person not in seen:
                seen.append(column.person)
        return seen

    @functools.cached_property
    def person_columns(self) -> dict[str, dict[str, Column]]:
        """person → field name → column (``{"father": {"name": …, "situation": …}}``)."""
        return {p: {c.field_name: c for c in self.columns if c.person == p} for p in self.persons}


REGISTERS: dict[str, Register] = {
    RegisterKind.LEFT_BEHIND: Register(
        RegisterKind.LEFT_BEHIND,
        sheet="留守儿童",
        file_name="农村留守儿童信息登记表（导入模板）.xlsx",
        columns=(
            *CHILD_IDENTITY,
            ETHNICITY,
            VILLAGE_COLUMN,
            ADDRESS,
            *HUKOU,
            *SCHOOL,
            *HEALTH,
            *DISABILITY[:2],
            ECONOMY,
            Column("note.income_source", "家庭主要经济来源", NOTE, limit=100, width=14),
            PHONES_COLUMN,
            *parent_columns("father"),
            *parent_columns("mother"),
            *CARER_COLUMNS,
            Column("note.contact_name", "村（居）联系人", NOTE, limit=60, width=10),
            Column("note.contact_phone", "村（居）联系人电话", NOTE, limit=40, width=14),
        ),
    ),
    RegisterKind.DISABILITY: Register(
        RegisterKind.DISABILITY,
        sheet="残疾儿童筛查",
        file_name="残疾儿童筛查名单（导入模板）.xlsx",
        columns=(
            *CHILD_IDENTITY,
            ETHNICITY,
            VILLAGE_COLUMN,
            ADDRESS,
            *DISABILITY,
            *HEALTH,
            Column("note.screened_on", "筛查日期", NOTE, limit=20, width=12),
            Column("note.screened_by", "筛查机构", NOTE, limit=100, width=18),
            *GUARDIAN_COLUMNS,
        ),
        required=frozenset({"disability_type"}),
    ),
    RegisterKind.DROPOUT: Register(
        RegisterKind.DROPOUT,
        sheet="失学辍学儿童",
        file_name="失学辍学儿童名单（导入模板）.xlsx",
        columns=(
            *CHILD_IDENTITY,
            VILLAGE_COLUMN,
            ADDRESS,
            HUKOU[0],
            Column("school_status", "就学状况", CHOICE, SCHOOL_STATUSES, width=12),
            Column("school_name", "原就读学校", limit=120, width=18),
            Column("school_grade", "原年级", limit=20, width=8),
            Column("note.left_school_on", "辍学日期", NOTE, limit=20, width=12),
            Column("note.left_school_reason", "辍学原因", NOTE, limit=200, width=18),
            *GUARDIAN_COLUMNS,
        ),
        allowed={"school_status": frozenset(OUT_OF_SCHOOL)},
        required=frozenset({"school_status"}),
    ),
}
# Other headers seen in registers kept by villages and departments.
ALIASES = {
    "身份证号": "id_number",
    "身份证号码": "id_number",
    "居民身份证号码": "id_number",
    "儿童姓名": "name",
    "出生年月日": "birth_date",
    "村（社区）区划代码": "village",
    "区划代码": "village",
    "家庭住址": "residence_address",
    "联系电话": "phones",
}


def register_of(kind: str) -> Register:
    try:
        return REGISTERS[kind]
    except KeyError:
        raise DomainError(_("Choose the type of register."), field="register") from None


# --- Checking one row ----------------------------------------------------------------------------


@dataclass
class Problem:
    column: str  # the column's title, or "" for the whole row
    message: str

    def as_json(self) -> dict[str, str]:
        return {"column": self.column, "message": self.message}


@dataclass
class Parsed:
    """One row read and checked on its own (before anything on file is looked at)."""

    row: int
    raw: list[str]  # the cells as typed, in the order of the template's columns
    problems: list[Problem] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)  # fields of the child, JSON values
    derived: set[str] = field(default_factory=set)  # sex/birth date taken from the identity number
    number: idnumber.IdNumber | None = None
    family: list[dict[str, Any]] = field(default_factory=list)  # FamilyMemberRecord fields, JSON values
    groups: list[str] = field(default_factory=list)  # the person (father, carer …) of each family entry
    notes: list[str] = field(default_factory=list)

    def add(self, column: Column | str, message: str) -> None:
        self.problems.append(Problem(column.title if isinstance(column, Column) else column, message))

    @property
    def number_hash(self) -> str:
        return services.id_number_hash(self.number.value) if self.number else ""

    def shown(self) -> dict[str, str]:
        """What the review page shows of an accepted row (the identity number masked)."""
        return {
            "name": str(self.data.get("name", "")),
            "id_number": self.number.masked() if self.number else "",
            "sex": SEXES.term(str(self.data.get("sex", ""))),
            "birth_date": str(self.data.get("birth_date", "")),
            "village": str(self.data.get("village", "")),
        }

    def record(self) -> dict[str, Any]:
        """The row as a ``services.ChildRecord`` in JSON (kept in a temporary file until the commit)."""
        return {
            "row": self.row,
            "data": self.data,
            "id_number": self.number.value if self.number else "",
            "family": self.family,
            "groups": self.groups,
            "notes": self.notes,
        }


@dataclass
class Context:
    """What the check of every row needs, read once per file."""

    actor: User
    register: Register
    today: date
    regions: dict[str, Region | None] = field(default_factory=dict)

    def region(self, code: str) -> Region | None:
        if code not in self.regions:
            self.regions[code] = Region.objects.filter(code=code).first()
        return self.regions[code]

    def covers(self, code: str) -> bool:
        return self.actor.is_superuser or self.actor.covers(code)


def _empty(message_column: Column) -> str:
    return _("%(column)s is empty") % {"column": message_column.title}


def read_cell(column: Column, value: Any, parsed: Parsed, context: Context, epoch: Any) -> Any:
    """The value of one cell in the form the record needs, or None with the problem added."""
    try:
        if column.kind == DATE:
            day = sheets.date_of(value, column.title, epoch=epoch)
            if day is not None and day > context.today:
                parsed.add(column, _("the date %(date)s is in the future") % {"date": day.isoformat()})
                return None
            return day
        if column.kind == ID:
            return sheets.identity_text(value, column.title)
        text = sheets.text_of(value, column.title)
    except sheets.CellError as problem:
        parsed.add(column, problem.message)
        return None
    if not text:
        return ""
    if column.kind == CHOICE:
        assert column.spellings is not None  # noqa: S101  (a choice column has its spellings)
        if column.spellings is SITUATIONS and spelling_key(text) in NO_SITUATION:
            return ""
        found = column.spellings.lookup(text)
        if found is None:
            parsed.add(
                column,
                _("“%(value)s” is not one of the allowed values (%(allowed)s)")
                % {"value": text, "allowed": "、".join(column.spellings.listed())},
            )
        return found
    if column.kind == MONTHS:
        digits = text.removesuffix("个月").removesuffix("月")
        if not digits.isdigit() or not 1 <= int(digits) <= services.MAX_TERM_MONTHS:
            parsed.add(column, _("“%(value)s” is not a number of months") % {"value": text})
            return None
        return int(digits)
    if column.kind == PHONES:
        phones = [p.replace(" ", "") for p in services.LIST_SEPARATORS.split(text) if p.strip()]
        bad = [p for p in phones if not services.PHONE_PATTERN.match(p)]
        if bad:
            parsed.add(column, _("“%(value)s” is not a phone number") % {"value": "、".join(bad)})
            return None
        return phones
    limit = column.limit or (services.NAME_LIMIT if column.kind == NAME else 0)
    if limit and len(text) > limit:
        parsed.add(column, _("longer than %(limit)d characters") % {"limit": limit})
        return None
    return text


def parse_row(number: int, values: Sequence[Any], header: sheets.Header, context: Context, epoch: Any) -> Parsed:
    """Read and check one data row of the sheet."""
    register = context.register
    cells: dict[str, Any] = {
        key: values[index] if index < len(values) else None for index, key in header.columns.items()
    }
    parsed = Parsed(row=number, raw=[sheets.raw_text(cells.get(c.key)) for c in register.columns])
    read = {c.key: read_cell(c, cells.get(c.key), parsed, context, epoch) for c in register.columns}
    _check_child(read, parsed, context)
    for person in register.persons:
        _check_person(person, read, parsed, context)
    for column in register.columns:
        if column.kind == NOTE and read[column.key]:
            parsed.notes.append(f"{column.title}：{read[column.key]}")
    return parsed


def _check_child(read: dict[str, Any], parsed: Parsed, context: Context) -> None:
    register = context.register
    for column in register.columns:
        if column.person or column.kind == NOTE or column.key == "id_number":
            continue
        value = read[column.key]
        required = column.required or column.key in register.required
        if required and (value == "" or (value is None and not _has_problem(parsed, column))):
            parsed.add(column, _empty(column))
            continue
        if value in ("", None, []):
            continue
        if column.key in register.allowed and value not in register.allowed[column.key]:
            parsed.add(
                column,
                _("this register takes only %(allowed)s")
                % {"allowed": "、".join(SCHOOL_STATUSES.term(v) for v in sorted(register.allowed[column.key]))},
            )
            continue
        parsed.data[column.key] = _json_value(column, value)
    _check_identity(read, parsed, context)
    _check_birth_date(parsed, context)
    _check_village(parsed, context)
    _check_hukou(parsed, context)
    if (
        parsed.data.get("disability_grade")
        and not parsed.data.get("disability_type")
        and register.has("disability_type")
    ):
        parsed.add(register.column("disability_type"), _("a disability grade is given without the type of disability"))


def _json_value(column: Column, value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if column.key == "boarding":
        return value == "yes"
    if column.key == "disability_grade":
        return int(value)
    return value


def _has_problem(parsed: Parsed, column: Column) -> bool:
    return any(p.column == column.title for p in parsed.problems)


def _check_identity(read: dict[str, Any], parsed: Parsed, context: Context) -> None:
    register = context.register
    id_column = register.column("id_number")
    text = read["id_number"]
    if text:
        try:
            parsed.number = idnumber.parse(text, today=context.today)
        except idnumber.IdNumberError as error:
            parsed.add(id_column, error.message)
            return
    elif text is None:
        return  # the cell itself is wrong (a number Excel cut short): its problem is reported
    number = parsed.number
    sex, born = parsed.data.get("sex"), parsed.data.get("birth_date")
    if number is not None:
        for problem in idnumber.check_against(
            number, birth_date=date.fromisoformat(born) if born else None, sex=sex or None
        ):
            parsed.add(id_column, problem.message)
        if not sex:
            parsed.data["sex"] = number.sex.value
            parsed.derived.add("sex")
        if not born:
            parsed.data["birth_date"] = number.birth_date.isoformat()
            parsed.derived.add("birth_date")
        return
    for key in ("sex", "birth_date"):
        column = register.column(key)
        if not parsed.data.get(key) and not _has_problem(parsed, column):
            parsed.add(
                column,
                _("%(column)s is empty (it is required when there is no identity number)") % {"column": column.title},
            )


def _check_birth_date(parsed: Parsed, context: Context) -> None:
    born = parsed.data.get("birth_date")
    if not born:
        return
    if dates.age_on(date.fromisoformat(born), context.today) >= ADULT_AGE:
        column = context.register.column("birth_date")
        parsed.add(
            column if "birth_date" not in parsed.derived else context.register.column("id_number"),
            _("born on %(date)s, the person is 18 or older: the registry keeps files of minors") % {"date": born},
        )


def _check_village(parsed: Parsed, context: Context) -> None:
    column = context.register.column("village")
    text = parsed.data.pop("village", "")
    if not text:
        return
    try:
        code = codes.pad(text.replace(" ", ""))
        level = codes.level_of(code)
    except codes.CodeError:
        parsed.add(column, _("“%(code)s” is not a 12-digit division code") % {"code": text})
        return
    if level != Level.VILLAGE:
        parsed.add(
            column,
            _("%(code)s is not the code of a village or community (12 digits, the last three not 000)")
            % {"code": code},
        )
        return
    region = context.region(code)
    if region is None:
        parsed.add(column, _("the division code %(code)s is not in the table of regions") % {"code": code})
        return
    if not region.active:
        parsed.add(
            column,
            _("%(name)s (%(code)s) no longer exists in the division table") % {"name": region.name, "code": code},
        )
        return
    if not context.covers(code):
        parsed.add(column, _("%(name)s (%(code)s) is outside your jurisdiction") % {"name": region.name, "code": code})
        return
    parsed.data["village"] = code


def _check_hukou(parsed: Parsed, context: Context) -> None:
    register = context.register
    text = parsed.data.pop("hukou_region", "")
    if not text:
        return
    column = register.column("hukou_region")
    try:
        code = codes.pad(text.replace(" ", ""))
    except codes.CodeError:
        parsed.add(column, _("“%(code)s” is not a division code of 6, 9 or 12 digits") % {"code": text})
        return
    if context.region(code) is None:
        parsed.add(column, _("the division code %(code)s is not in the table of regions") % {"code": code})
        return
    if parsed.data.get("hukou_status") == HouseholdRegistration.UNREGISTERED:
        parsed.add(column, _("a child without household registration has no place of registration"))
        return
    parsed.data["hukou_region"] = code


def _check_person(person: str, read: dict[str, Any], parsed: Parsed, context: Context) -> None:
    """A parent, the entrusted carer or the guardian of the row, as a family member of the record."""
    register = context.register
    columns = register.person_columns[person]
    given = {name: read[c.key] for name, c in columns.items() if read[c.key] not in ("", None, [])}
    if not given and not any(_has_problem(parsed, c) for c in columns.values()):
        return
    word = PERSON_WORDS[person]
    name = given.get("name", "")
    if not name and not _has_problem(parsed, columns["name"]):
        parsed.add(
            columns["name"],
            _("%(column)s is empty (other columns of the %(person)s are filled in)")
            % {"column": columns["name"].title, "person": word},
        )
    member: dict[str, Any] = {"name": name, "phone": (given.get("phone") or [""])[0]}
    if person in ("father", "mother"):
        member["relation"] = Relation.FATHER if person == "father" else Relation.MOTHER
        member["sex"] = Sex.MALE if person == "father" else Sex.FEMALE
    else:
        relation = given.get("relation")
        if not relation and not _has_problem(parsed, columns["relation"]):
            parsed.add(columns["relation"], _empty(columns["relation"]))
        if person == "carer" and relation in PARENT_RELATIONS:
            parsed.add(columns["relation"], _("a parent cannot be the entrusted carer of their own child"))
        member["relation"] = relation or ""
    text = given.get("id_number", "")
    if text:
        try:
            number = idnumber.parse(text, today=context.today)
        except idnumber.IdNumberError as error:
            parsed.add(columns["id_number"], error.message)
        else:
            for problem in idnumber.check_against(number, birth_date=None, sex=member.get("sex") or None):
                parsed.add(columns["id_number"], problem.message)
            member["id_number"] = number.value
            if parsed.number is not None and number.value == parsed.number.value:
                parsed.add(columns["id_number"], _("the same identity number as the child's"))
    situation = _situation(columns, given, parsed)
    if person in ("father", "mother"):
        member["situations"] = [situation] if situation else []
        member["is_guardian"] = not situation or situation["kind"] not in NOT_GUARDIAN
        member["lives_with_child"] = not situation
    elif person == "carer":
        since = given.get("since")
        if since is None and not _has_problem(parsed, columns["since"]):
            parsed.add(
                columns["since"],
                _("%(column)s is empty: give the day from which the carer looks after the child")
                % {"column": columns["since"].title},
            )
        signed = given.get("confirmation_signed_on")
        member["lives_with_child"] = True
        member["entrusted_care"] = {
            "since": since.isoformat() if since else None,
            "confirmation_signed_on": signed.isoformat() if signed else None,
        }
    else:
        member["is_guardian"] = True
    parsed.family.append(member)
    parsed.groups.append(person)


def _situation(columns: dict[str, Column], given: dict[str, Any], parsed: Parsed) -> dict[str, Any] | None:
    """The situation of a parent (working away, imprisoned, lost contact …) with the day it began."""
    if "situation" not in columns:
        return None
    kind = given.get("situation")
    details = [name for name in ("since", "place", "term_months", "police_accepted_on") if name in given]
    if not kind:
        if details and not _has_problem(parsed, columns["situation"]):
            parsed.add(
                columns["situation"],
                _("%(column)s is empty although %(details)s is filled in")
                % {"column": columns["situation"].title, "details": "、".join(columns[d].title for d in details)},
            )
        return None
    since = given.get("since")
    if since is None:
        if not _has_problem(parsed, columns["since"]):
            parsed.add(
                columns["since"],
                _("%(column)s is empty: a situation (“%(situation)s”) needs the day it began")
                % {"column": columns["since"].title, "situation": SITUATIONS.term(kind)},
            )
        return None
    accepted = given.get("police_accepted_on")
    if accepted is not None and accepted < since:
        parsed.add(columns["police_accepted_on"], _("the police accepted the report before contact was lost"))
    return {
        "kind": kind,
        "started_on": since.isoformat(),
        "place": given.get("place", ""),
        "term_months": given.get("term_months"),
        "police_accepted_on": accepted.isoformat() if accepted else None,
    }


# --- Judging rows against what is on file --------------------------------------------------------


def _stored(child: Child, key: str) -> Any:
    """A field of a file in the form of the records' JSON values, for comparing with a row."""
    if key == "village":
        return child.village_id
    if key == "hukou_region":
        return child.hukou_region_id or ""
    value = getattr(child, key)
    if isinstance(value, date):
        return value.isoformat()
    if key == "phones":
        return list(value or [])
    return "" if value is None else value


def _display(register: Register, key: str, value: Any) -> str:
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if value in (None, ""):
        return ""
    if key == "boarding":
        return YES_NO.term("yes" if value else "no")
    column = next((c for c in register.columns if c.key == key), None)
    if column is not None and column.spellings is not None:
        return column.spellings.term(str(value))
    return str(value)


@dataclass
class FileOfChild:
    """A child on file with the family rows an update is compared with."""

    child: Child
    kinships: list[Kinship] = field(default_factory=list)
    situations: dict[int, set[tuple[str, str]]] = field(default_factory=dict)  # person → (kind, start)
    carers: set[int] = field(default_factory=set)  # persons caring for the child now


def load_files(pks: Iterable[int]) -> dict[int, FileOfChild]:
    """Children with their relations, situations and current carers (four queries per call)."""
    files: dict[int, FileOfChild] = {}
    wanted = sorted(set(pks))
    for start in range(0, len(wanted), services.IN_CHUNK):
        chunk = wanted[start : start + services.IN_CHUNK]
        found = {c.pk: FileOfChild(c) for c in Child.objects.filter(pk__in=chunk).select_related("village")}
        for kinship in Kinship.objects.filter(child_id__in=chunk).select_related("person"):
            found[kinship.child_id].kinships.append(kinship)
        persons = sorted({k.person_id for f in found.values() for k in f.kinships})
        held: dict[int, set[tuple[str, str]]] = {}
        for first in range(0, len(persons), services.IN_CHUNK):
            situations = Situation.objects.filter(person_id__in=persons[first : first + services.IN_CHUNK])
            for person_id, kind, started in situations.values_list("person_id", "kind", "started_on"):
                held.setdefault(person_id, set()).add((kind, started.isoformat()))
        for file in found.values():
            file.situations = {k.person_id: held.get(k.person_id, set()) for k in file.kinships}
        cares = EntrustedCare.objects.filter(child_id__in=chunk, until__isnull=True)
        for child_id, carer_id in cares.values_list("child_id", "carer_id"):
            found[child_id].carers.add(carer_id)
        files.update(found)
    return files


def _matching_kinship(member: Mapping[str, Any], kinships: Iterable[Kinship]) -> Kinship | None:
    """The relation on file that a family member of a row describes (as ``bulk_register_children``
    matches them): the same identity number, the same parent, or the same relation and name."""
    number_hash = services.id_number_hash(member["id_number"]) if member.get("id_number") else ""
    fathers, mothers = services.FATHERS, services.MOTHERS
    for kinship in kinships:
        if number_hash and kinship.person.id_number_hash == number_hash:
            return kinship
        for group in (fathers, mothers):
            if member["relation"] in group and kinship.relation in group:
                return kinship
        if kinship.relation == member["relation"] and kinship.person.name == member["name"]:
            return kinship
    return None


def plan_update(
    register: Register, record: Mapping[str, Any], file: FileOfChild
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """What an update of ``file`` with the row's ``record`` writes, and the changes as the reviewer reads them.

    A cell left empty keeps what is on file; phone numbers and notes are added to those on file;
    a new name keeps the old one among the former names; family members and situations not yet
    on file are added.
    """
    child = file.child
    data: dict[str, Any] = {}
    changes: list[dict[str, str]] = []
    derived = set(record.get("derived", ()))
    for key, given in record["data"].items():
        if key in derived:
            continue
        stored = _stored(child, key)
        value = [*stored, *(p for p in given if p not in stored)] if key == "phones" else given
        if value == stored:
            continue
        data[key] = value
        title = register.column(key).title
        changes.append(
            {"column": title, "before": _display(register, key, stored), "after": _display(register, key, value)}
        )
    if "name" in data and child.name not in (child.former_names or []):
        data["former_names"] = [*(child.former_names or []), child.name]
    new_notes = [line for line in record.get("notes", ()) if line not in (child.notes or "")]
    if new_notes:
        data["notes"] = "\n".join(filter(None, [child.notes or "", *new_notes]))
        changes.append({"column": _("Notes"), "before": "", "after": "；".join(new_notes)})
    for member, person in zip(record["family"], record["groups"], strict=True):
        word = PERSON_WORDS[person]
        match = _matching_kinship(member, file.kinships)
        if match is None:
            changes.append({"column": word, "before": "", "after": _("%(name)s (added)") % {"name": member["name"]}})
        held = file.situations.get(match.person_id, set()) if match is not None else set()
        for situation in member.get("situations", ()):
            if (situation["kind"], situation["started_on"]) not in held:
                changes.append(
                    {
                        "column": f"{word}情况",
                        "before": "",
                        "after": _("%(situation)s since %(date)s")
                        % {"situation": SITUATIONS.term(situation["kind"]), "date": situation["started_on"]},
                    }
                )
        if member.get("entrusted_care") and (match is None or match.person_id not in file.carers):
            changes.append({"column": PERSON_WORDS["carer"], "before": "", "after": member["name"]})
    return data, changes


def _candidate_json(candidate: duplicates.Candidate) -> dict[str, Any]:
    if not candidate.visible:
        # Only that a match exists outside the importer's jurisdiction; nothing of the child.
        return {"pk": candidate.child.pk, "visible": False}
    child = candidate.child
    return {
        "pk": child.pk,
        "visible": True,
        "name": child.name,
        "sex": SEXES.term(child.sex),
        "birth_date": child.birth_date.isoformat(),
        "village": child.village.name if child.village_id else "",
        "id_number": child.id_number_mask,
        "score": round(candidate.score, 2),
        "reasons": explain.render(candidate.reasons),
    }


def judge(parsed_rows: list[Parsed], context: Context) -> list[dict[str, Any]]:
    """The verdict on each row of a chunk: rejected, update, unchanged, possible duplicate or new."""
    actor = context.actor
    hashes = sorted({p.number_hash for p in parsed_rows if p.number is not None and not p.problems})
    on_file: dict[str, Child] = {}
    live = Child.objects.exclude(status=FileStatus.MERGED)
    for start in range(0, len(hashes), services.IN_CHUNK):
        for child in live.filter(id_number_hash__in=hashes[start : start + services.IN_CHUNK]).only(
            "pk", "id_number_hash"
        ):
            on_file[child.id_number_hash] = child
    visible = set(
        policy_for(Child)
        .visible(actor, Child.objects.filter(pk__in=[c.pk for c in on_file.values()]))
        .values_list("pk", flat=True)
    )
    files = load_files(visible)
    may_match = _rows_with_look_alikes([p for p in parsed_rows if not p.problems and p.number_hash not in on_file])
    verdicts = []
    for parsed in parsed_rows:
        verdict: dict[str, Any] = {"row": parsed.row}
        record = {**parsed.record(), "derived": sorted(parsed.derived)}
        existing = on_file.get(parsed.number_hash) if parsed.number is not None else None
        if existing is not None and not parsed.problems and existing.pk not in visible:
            parsed.add(
                context.register.column("id_number"),
                _(
                    "A child with this identity number is already on file in another jurisdiction. "
                    "Ask the county civil-affairs bureau."
                ),
            )
        if parsed.problems:
            verdict.update(status=REJECTED, values=parsed.raw, problems=[p.as_json() for p in parsed.problems])
        elif existing is not None:
            _data, changes = plan_update(context.register, record, files[existing.pk])
            verdict.update(
                status=UPDATE if changes else UNCHANGED,
                values=parsed.shown(),
                child=existing.pk,
                changes=changes,
                stamp=files[existing.pk].child.updated_at.isoformat(),
            )
        else:
            data = parsed.data
            candidates = []
            if may_match is None or parsed.row in may_match:
                candidates = duplicates.find_possible_duplicates(
                    actor=actor,
                    name=str(data.get("name", "")),
                    birth_date=date.fromisoformat(data["birth_date"]),
                    sex=str(data.get("sex", "")),
                    village_code=str(data["village"]),
                    id_number_hash=parsed.number_hash,
                )
            if candidates:
                verdict.update(
                    status=DUPLICATE, values=parsed.shown(), candidates=[_candidate_json(c) for c in candidates]
                )
            else:
                verdict.update(status=NEW, values=parsed.shown())
        verdict["record"] = None if verdict["status"] == REJECTED else record
        verdict["raw"] = parsed.raw
        verdict["keys"] = _repeat_keys(parsed)
        verdicts.append(verdict)
    return verdicts


def _rows_with_look_alikes(parsed_rows: list[Parsed]) -> set[int] | None:
    """Rows for which the default duplicate finder can find a child, in one query for the whole chunk.

    The default finder (``duplicates.default_finder``) blocks on birth date, sex and county and
    then compares names: the same block and name test here, for 500 rows at once, spare the
    rows without any look-alike their two queries each (a 100 000-row register would otherwise
    make 200 000). With another finder registered (issue 4's engine) every row is asked: None.
    """
    if duplicates.registered_finders() != [duplicates.default_finder]:
        return None
    birth_dates = {p.data["birth_date"] for p in parsed_rows}
    counties = {str(p.data["village"])[:6] for p in parsed_rows}
    blocks: dict[tuple[str, str, str], list[tuple[str, list[str], str]]] = {}
    found = (
        Child.objects.exclude(status=FileStatus.MERGED)
        .filter(birth_date__in=sorted(birth_dates), county_code__in=sorted(counties))
        .values_list("birth_date", "sex", "county_code", "name", "former_names", "id_number_hash")
    )
    for born, sex, county, name, former, number_hash in found.iterator(chunk_size=2000):
        blocks.setdefault((born.isoformat(), sex, county), []).append((name, former or [], number_hash))
    rows = set()
    for parsed in parsed_rows:
        name = duplicates.normalise_name(str(parsed.data.get("name", "")))
        block = (parsed.data["birth_date"], str(parsed.data.get("sex", "")), str(parsed.data["village"])[:6])
        for child_name, former, number_hash in blocks.get(block, ()):
            if parsed.number is not None and number_hash:
                continue  # another identity number: another child (twins share the rest)
            if duplicates.name_evidence(name, child_name, former) is not None:
                rows.add(parsed.row)
                break
    return rows


def _repeat_keys(parsed: Parsed) -> list[str]:
    """What makes two rows of a file the same child: the identity number, else name, birth date, sex and village."""
    if parsed.number is not None:
        return [f"id:{parsed.number_hash}"]
    data = parsed.data
    if data.get("name") and data.get("birth_date") and data.get("village"):
        name = duplicates.normalise_name(str(data["name"]))
        return [f"facts:{name}|{data['birth_date']}|{data.get('sex', '')}|{data['village']}"]
    return []


# --- A whole file ---------------------------------------------------------------------------------


def open_sheet(file: IO[bytes], register: Register) -> tuple[sheets.Sheet, sheets.Header]:
    """The register's sheet and its header, or a ``SheetError`` that names what is wrong with them."""
    sheet = sheets.Sheet(file, title=register.sheet)
    try:
        merged_header, _rows = sheet.merged_rows()
        if merged_header:
            raise sheets.SheetError(
                _("The header row has merged cells (%(ranges)s); unmerge them.") % {"ranges": "、".join(merged_header)}
            )
        header = sheets.map_header(
            sheet.header(),
            register.titles,
            required=[c.key for c in register.columns],
            ignored=IGNORED_TITLES,
            aliases={alias: key for alias, key in ALIASES.items() if register.has(key)},
            expected=[c.title for c in register.columns],
        )
    except BaseException:
        sheet.close()
        raise
    return sheet, header


def check_upload(file: IO[bytes], kind: str) -> str | None:
    """A quick check at upload time (a workbook, the register's header), or the problem."""
    try:
        sheet, _header = open_sheet(file, register_of(kind))
    except DomainError as error:
        return str(error.message)
    sheet.close()
    return None


@dataclass
class Outcome:
    """The verdicts on a whole file, kept in temporary files (one per group) until saved or dropped."""

    counts: dict[str, int]
    signature: str
    groups: Mapping[str, IO[bytes]]
    rejected_xlsx: IO[bytes] | None
    records: IO[bytes]  # JSON lines: {"row", "status", "record", "child", "candidates", "stamp"}

    def close(self) -> None:
        for handle in [*self.groups.values(), self.records, self.rejected_xlsx]:
            if handle is not None:
                handle.close()


def check_file(
    file: IO[bytes],
    context: Context,
    report: ProgressReporter,
    *,
    forced: Mapping[int, list[Problem]] | None = None,
) -> Outcome:
    """Check every row of ``file``; ``forced`` adds problems found when saving (rows then rejected)."""
    sheet, header = open_sheet(file, context.register)
    first_pass = tempfile.TemporaryFile()  # noqa: SIM115  (closed below)
    keys: dict[str, list[int]] = {}
    try:
        _header_merges, merged = sheet.merged_rows()
        estimate = sheet.row_estimate
        chunk: list[Parsed] = []
        done = 0
        for number, values in sheet.rows():
            if not any(v is not None and str(v).strip() for v in values) and number not in merged:
                continue
            done += 1
            if done > MAX_ROWS:
                raise sheets.SheetError(
                    _("The file has more than %(max)d rows; split it into several files.") % {"max": MAX_ROWS}
                )
            parsed = parse_row(number, values, header, context, sheet.epoch)
            if number in merged:
                parsed.problems.insert(
                    0,
                    Problem(
                        "",
                        _("the row has merged cells (%(range)s); unmerge them and fill in every row")
                        % {"range": merged[number]},
                    ),
                )
            for problem in (forced or {}).get(number, []):
                parsed.problems.append(problem)
            chunk.append(parsed)
            if len(chunk) >= CHUNK:
                _judge_into(chunk, context, first_pass, keys)
                chunk = []
            report(done, max(estimate, done + 1), _("Checking row %(row)d") % {"row": number})
        _judge_into(chunk, context, first_pass, keys)
    finally:
        sheet.close()
    report(done, done, _("Sorting the rows"))
    first_pass.seek(0)
    with first_pass:
        return _sort_verdicts(first_pass, context.register, repeated={k: v for k, v in keys.items() if len(v) > 1})


def _judge_into(chunk: list[Parsed], context: Context, out: IO[bytes], keys: dict[str, list[int]]) -> None:
    for verdict in judge(chunk, context):
        for key in verdict.pop("keys"):
            keys.setdefault(key, []).append(verdict["row"])
        out.write(json.dumps(verdict, ensure_ascii=False).encode() + b"\n")


def _sort_verdicts(first_pass: IO[bytes], register: Register, *, repeated: dict[str, list[int]]) -> Outcome:
    """Second pass: reject rows repeated in the file, split the verdicts into their groups, sign them."""
    repeats: dict[int, list[int]] = {}
    for rows in repeated.values():
        for row in rows:
            repeats[row] = rows
    groups = {status: tempfile.TemporaryFile() for status in STATUSES}  # noqa: SIM115  (the Outcome closes them)
    records = tempfile.TemporaryFile()  # noqa: SIM115
    counts = dict.fromkeys(STATUSES, 0)
    signature = hashlib.sha256()
    rejected: sheets.TextSheetWriter | None = None
    for line in first_pass:
        verdict = json.loads(line)
        raw = verdict.pop("raw")
        repeated_in = repeats.get(verdict["row"])
        if repeated_in is not None:
            if verdict["status"] != REJECTED:
                verdict.update(status=REJECTED, values=raw, problems=[])
                verdict.pop("changes", None)
                verdict.pop("candidates", None)
            verdict["problems"].append(
                Problem(
                    "",
                    _("the same child is in rows %(rows)s of the file; keep one row per child")
                    % {"rows": "、".join(str(r) for r in repeated_in)},
                ).as_json()
            )
        status = verdict["status"]
        counts[status] += 1
        record = verdict.pop("record")
        if status == REJECTED:
            if rejected is None:
                rejected = _rejected_writer(register)
            rejected.append([*verdict["values"], verdict["row"], reasons_text(verdict["problems"])])
        else:
            records.write(
                json.dumps(
                    {
                        "row": verdict["row"],
                        "status": status,
                        "record": record,
                        "child": verdict.get("child"),
                        "stamp": verdict.get("stamp"),
                        "candidates": [c["pk"] for c in verdict.get("candidates", []) if c.get("visible")],
                    },
                    ensure_ascii=False,
                ).encode()
                + b"\n"
            )
        signature.update(
            json.dumps(
                [
                    verdict["row"],
                    status,
                    verdict.get("child"),
                    verdict.get("changes"),
                    [c["pk"] for c in verdict.get("candidates", [])],
                ],
                sort_keys=True,
                ensure_ascii=False,
            ).encode()
        )
        groups[status].write(json.dumps(verdict, ensure_ascii=False).encode() + b"\n")
    counts["total"] = sum(counts[s] for s in STATUSES)
    for handle in [*groups.values(), records]:
        handle.seek(0)
    rejected_file = None
    if rejected is not None:
        rejected_file = rejected.save()
    return Outcome(
        counts=counts, signature=signature.hexdigest(), groups=groups, rejected_xlsx=rejected_file, records=records
    )


def reasons_text(problems: Iterable[Mapping[str, str]]) -> str:
    """The problems of a row in one cell: "column: reason; column: reason"."""
    parts = []
    for problem in problems:
        if problem["column"]:
            parts.append(_("%(column)s: %(message)s") % {"column": problem["column"], "message": problem["message"]})
        else:
            parts.append(problem["message"])
    return pgettext("list separator", "; ").join(parts)


def _rejected_writer(register: Register) -> sheets.TextSheetWriter:
    return sheets.TextSheetWriter(
        register.sheet,
        [*(c.title for c in register.columns), ROW_NUMBER_TITLE, REASON_TITLE],
        [*(c.width for c in register.columns), 8, 80],
    )


# --- Stored verdicts -------------------------------------------------------------------------------


def _storage_name(job: Job, name: str) -> str:
    return f"{STORAGE_DIR}/{job.pk}/{name}"


def _save_outcome(job: Job, outcome: Outcome) -> dict[str, str]:
    """Replace the job's stored verdicts with those of ``outcome``; the names of the files."""
    _delete_files(job)
    files = {}
    for status, handle in outcome.groups.items():
        files[status] = default_storage.save(_storage_name(job, f"{status}.jsonl"), File(handle))
    if outcome.rejected_xlsx is not None:
        files["rejected_xlsx"] = default_storage.save(_storage_name(job, "rejected.xlsx"), File(outcome.rejected_xlsx))
    return files


def _delete_files(job: Job) -> None:
    for name in (job.result.get("files") or {}).values():
        with contextlib.suppress(OSError):
            default_storage.delete(name)


def read_group(job: Job, status: str, *, offset: int = 0, limit: int | None = None) -> list[dict[str, Any]]:
    """Verdicts of one group of a checked file, from ``offset`` (rows are read as a stream)."""
    name = (job.result.get("files") or {}).get(status)
    if not name or not default_storage.exists(name):
        return []
    found: list[dict[str, Any]] = []
    with default_storage.open(name, "rb") as handle:
        for index, line in enumerate(handle):
            if index < offset:
                continue
            if limit is not None and len(found) >= limit:
                break
            found.append(json.loads(line))
    return found


def rejected_file(job: Job) -> IO[bytes] | None:
    name = (job.result.get("files") or {}).get("rejected_xlsx")
    if not name or not default_storage.exists(name):
        return None
    return default_storage.open(name, "rb")  # type: ignore[no-any-return]


# --- The job ---------------------------------------------------------------------------------------


def may_import(actor: User) -> bool:
    return policy_for(Child).can(actor, CREATE)


def start_import(*, actor: User, upload: IO[bytes], kind: str) -> Job:
    """Queue the check of an uploaded register; the importer follows it on the job page."""
    register = register_of(kind)
    if not may_import(actor):
        raise NotAllowedError()
    return start_job(
        actor=actor,
        kind=JOB_KIND,
        params={
            "register": register.kind.value,
            "language": translation.get_language() or settings.LANGUAGE_CODE,
            "file_name": str(getattr(upload, "name", ""))[:200],
        },
        input_file=upload,  # type: ignore[arg-type]
        phase=VALIDATE,
    )


def review_url(job: Job) -> str:
    return reverse("registry:import_review", args=[job.pk])


@register_job(JOB_KIND)
def run_import(job: Job, report: ProgressReporter) -> None:
    actor = job.created_by
    if actor is None or not actor.is_active or not may_import(actor):
        raise NotAllowedError(_("You may not import children's files."))
    with translation.override(job.params.get("language") or settings.LANGUAGE_CODE), acting_as(actor):
        context = Context(
            actor=actor, register=register_of(job.params.get("register", "")), today=policy_selectors.today()
        )
        if job.phase == COMMIT:
            _commit(job, context, report)
        else:
            _validate(job, context, report)


def _check(
    job: Job, context: Context, report: ProgressReporter, forced: Mapping[int, list[Problem]] | None = None
) -> Outcome:
    try:
        with job.input_file.open("rb") as handle:
            return check_file(handle, context, report, forced=forced)
    except sheets.SheetError as error:
        job.message = str(error.message)[:255]
        job.result = {**job.result, "file_error": str(error.message)}
        raise


def _validate(
    job: Job,
    context: Context,
    report: ProgressReporter,
    *,
    forced: Mapping[int, list[Problem]] | None = None,
    changed: bool = False,
) -> None:
    started = timezone.now()
    outcome = _check(job, context, report, forced)
    try:
        _await_review(job, outcome, changed=changed, seconds=(timezone.now() - started).total_seconds())
    finally:
        outcome.close()


def _await_review(job: Job, outcome: Outcome, *, changed: bool, seconds: float) -> None:
    decisions = _still_valid(job.result.get("decisions") or {}, outcome) if changed else {}
    files = _save_outcome(job, outcome)
    job.result = {
        "stage": "checked",
        "register": job.params.get("register"),
        "counts": outcome.counts,
        "signature": outcome.signature,
        "files": files,
        "decisions": decisions,
        "next_url": review_url(job),
        "changed_since_review": changed,
        "checked_at": timezone.now().isoformat(),
        "seconds": {**(job.result.get("seconds") or {}), "validate": round(seconds, 1)},
    }
    job.message = summary(outcome.counts)
    job.status = Job.Status.AWAITING_REVIEW


def summary(counts: Mapping[str, int]) -> str:
    return _(
        "%(new)d new, %(update)d to update, %(duplicate)d possible duplicates, %(rejected)d rejected, "
        "%(unchanged)d unchanged"
    ) % {s: counts.get(s, 0) for s in STATUSES}


def _records(outcome: Outcome) -> Iterator[dict[str, Any]]:
    outcome.records.seek(0)
    for line in outcome.records:
        yield json.loads(line)


def _still_valid(decisions: Mapping[str, Any], outcome: Outcome) -> dict[str, Any]:
    """Decisions on possible duplicates whose candidates are still the same after a new check."""
    kept = {}
    for entry in _records(outcome):
        decision = decisions.get(str(entry["row"]))
        if entry["status"] == DUPLICATE and decision and decision.get("candidates") == entry["candidates"]:
            kept[str(entry["row"])] = decision
    return kept


class ChangedSinceReview(Exception):  # noqa: N818  (a signal between two functions, not an error)
    """What the commit would write differs from what was reviewed."""


def undecided(job: Job) -> int:
    """Possible duplicates without a decision yet."""
    decisions = job.result.get("decisions") or {}
    return sum(1 for v in read_group(job, DUPLICATE) if str(v["row"]) not in decisions)


def _commit(job: Job, context: Context, report: ProgressReporter) -> None:
    started = timezone.now()
    outcome = _check(job, context, report)
    try:
        decisions = job.result.get("decisions") or {}
        if outcome.signature != job.result.get("signature") or _still_valid(decisions, outcome) != decisions:
            _await_review(job, outcome, changed=True, seconds=(timezone.now() - started).total_seconds())
            job.message = _("The registry changed since the check; nothing was written. Review the rows again.")
            return
        try:
            written = _write(job, context, outcome, decisions, report)
        except ChangedSinceReview:
            outcome.close()
            outcome = _check(job, context, report)
            _await_review(job, outcome, changed=True, seconds=(timezone.now() - started).total_seconds())
            job.message = _("The registry changed since the check; nothing was written. Review the rows again.")
            return
        except services.BulkValidationError as error:
            outcome.close()
            forced = _forced_problems(context.register, error.errors, outcome_rows={})
            _validate(job, context, report, forced=forced, changed=True)
            job.message = _("Saving found problems in some rows; nothing was written. Review the rows again.")
            return
    finally:
        outcome.close()
    job.result = {
        **job.result,
        "stage": "committed",
        "committed": written,
        "committed_at": timezone.now().isoformat(),
        "next_url": review_url(job),
        "seconds": {
            **(job.result.get("seconds") or {}),
            "commit": round((timezone.now() - started).total_seconds(), 1),
        },
    }
    job.message = _("%(created)d files created, %(updated)d updated, %(skipped)d rows skipped") % written


def _write(
    job: Job, context: Context, outcome: Outcome, decisions: Mapping[str, Any], report: ProgressReporter
) -> dict[str, int]:
    """Every accepted row in one transaction, through ``bulk_register_children``: all or nothing.

    The rows are read back from the check's temporary file in batches, so that memory holds one
    batch of records whatever the size of the register.
    """
    writing = (NEW, UPDATE, DUPLICATE)
    stamps: dict[int, str] = {}
    total = 0
    for entry in _records(outcome):
        if entry["status"] in writing:
            total += 1
        if entry["status"] == UPDATE:
            stamps[entry["child"]] = entry["stamp"]
    same = {
        int(d["choice"].split(":", 1)[1])
        for d in decisions.values()
        if str(d.get("choice", "")).startswith(f"{DECIDE_SAME}:")
    }
    written = {"created": 0, "updated": 0, "skipped": outcome.counts.get(UNCHANGED, 0)}
    writer = _Writer(job=job, actor=context.actor, report=report, total=total, written=written)
    with transaction.atomic():
        wanted = sorted({*stamps, *same})
        locked: dict[int, str] = {}
        for start in range(0, len(wanted), services.IN_CHUNK):
            rows = Child.objects.select_for_update().filter(pk__in=wanted[start : start + services.IN_CHUNK])
            locked.update({c.pk: c.updated_at.isoformat() for c in rows.only("pk", "updated_at")})
        if any(locked.get(pk) != stamp for pk, stamp in stamps.items()) or not same <= set(locked):
            raise ChangedSinceReview
        batch: list[dict[str, Any]] = []
        for entry in _records(outcome):
            if entry["status"] not in writing:
                continue
            batch.append(entry)
            if len(batch) >= WRITE_CHUNK:
                writer.write(_batch_records(context.register, batch, decisions, written))
                batch = []
        writer.write(_batch_records(context.register, batch, decisions, written))
    return written


def _batch_records(
    register: Register, entries: list[dict[str, Any]], decisions: Mapping[str, Any], written: dict[str, int]
) -> list[services.ChildRecord]:
    """The records of a batch of rows, with the files they update loaded at once."""
    targets = [t for t in (_update_target(e, decisions) for e in entries) if t is not None]
    files = load_files(targets)
    records = []
    for entry in entries:
        record = _child_record(register, entry, decisions, files)
        if record is None:
            written["skipped"] += 1
        else:
            records.append(record)
    return records


@dataclass
class _Writer:
    """Hands the records to ``bulk_register_children`` in batches and follows the progress over all of them."""

    job: Job
    actor: User
    report: ProgressReporter
    total: int
    written: dict[str, int]
    done: int = 0

    def write(self, batch: list[services.ChildRecord]) -> None:
        if not batch:
            return
        base = self.done

        def progress(step: int, steps: int, message: str) -> None:
            self.report(base + len(batch) * step // max(steps, 1), self.total, _("Saving the files"))

        result = services.bulk_register_children(actor=self.actor, records=batch, progress=progress, job_id=self.job.pk)
        self.written["created"] += result.created
        self.written["updated"] += result.updated
        self.done += len(batch)
        self.report(self.done, self.total, _("Saving the files"))


def _update_target(entry: Mapping[str, Any], decisions: Mapping[str, Any]) -> int | None:
    """The file a row updates: its identity number's, or the one the reviewer chose as the same child."""
    if entry["status"] == UPDATE:
        return int(entry["child"])
    if entry["status"] == DUPLICATE:
        choice = str((decisions.get(str(entry["row"])) or {}).get("choice", ""))
        if choice.startswith(f"{DECIDE_SAME}:"):
            return int(choice.split(":", 1)[1])
    return None


def _child_record(
    register: Register, entry: Mapping[str, Any], decisions: Mapping[str, Any], files: Mapping[int, FileOfChild]
) -> services.ChildRecord | None:
    """The record that ``bulk_register_children`` writes for a row, or None for a row skipped by the reviewer."""
    record = entry["record"]
    update_pk = _update_target(entry, decisions)
    if update_pk is None and entry["status"] == DUPLICATE:
        choice = str((decisions.get(str(entry["row"])) or {}).get("choice", ""))
        if choice != DECIDE_NEW:
            return None
    if update_pk is not None:
        data, _changes = plan_update(register, record, files[update_pk])
    else:
        data = dict(record["data"])
        if record.get("notes"):
            data["notes"] = "\n".join(record["notes"])
    return services.ChildRecord(
        data=data,
        id_number=record["id_number"],
        family=[_member_record(m) for m in record["family"]],
        update_pk=update_pk,
        row=entry["row"],
    )


def _member_record(member: Mapping[str, Any]) -> services.FamilyMemberRecord:
    care = member.get("entrusted_care")
    return services.FamilyMemberRecord(
        relation=member["relation"],
        name=member["name"],
        id_number=member.get("id_number", ""),
        sex=member.get("sex", ""),
        phone=member.get("phone", ""),
        is_guardian=bool(member.get("is_guardian")),
        lives_with_child=bool(member.get("lives_with_child")),
        situations=[services.SituationRecord(**s) for s in member.get("situations", ())],
        entrusted_care=services.EntrustedCareRecord(**care) if care else None,
    )


def _forced_problems(
    register: Register, errors: Iterable[services.RecordError], *, outcome_rows: Mapping[int, Any]
) -> dict[int, list[Problem]]:
    """Problems that ``bulk_register_children`` found, on the rows and columns they concern."""
    forced: dict[int, list[Problem]] = {}
    for error in errors:
        if error.row is None:
            continue
        forced.setdefault(error.row, []).append(Problem(_column_of(register, error.field), error.message))
    return forced


def _column_of(register: Register, field_path: str) -> str:
    """The title of the column a service's field name points to ("family.0.situations.0.started_on")."""
    parts = field_path.split(".")
    if parts[0] != "family":
        key = {"update_pk": "id_number"}.get(parts[0], parts[0])
        return register.column(key).title if register.has(key) else ""
    name = parts[-1]
    name = {"started_on": "since", "kind": "situation", "since": "since"}.get(name, name)
    for person in register.persons:
        key = f"{person}.{name}"
        if register.has(key):
            return register.column(key).title
    return ""


# --- Review decisions ------------------------------------------------------------------------------


def decide(*, actor: User, job: Job, choices: Mapping[int, str]) -> int:
    """Record the reviewer's decisions on possible duplicates: ``new``, ``skip`` or ``same:<pk>``.

    ``same`` names a candidate the reviewer may open; the decision holds as long as a new check
    finds the same candidates. Returns how many decisions were recorded.
    """
    if not may_import(actor):
        raise NotAllowedError()
    rows = {v["row"]: v for v in read_group(job, DUPLICATE)}
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.status != Job.Status.AWAITING_REVIEW or locked.result.get("stage") != "checked":
            raise DomainError(_("This import is not waiting for review any more."), code="job_state")
        decisions = dict(locked.result.get("decisions") or {})
        recorded = 0
        for row, choice in choices.items():
            verdict = rows.get(row)
            if verdict is None:
                raise DomainError(_("Row %(row)d is not a possible duplicate.") % {"row": row})
            visible = [c["pk"] for c in verdict["candidates"] if c.get("visible")]
            if choice not in (DECIDE_NEW, DECIDE_SKIP) and choice not in {f"{DECIDE_SAME}:{pk}" for pk in visible}:
                raise DomainError(_("Choose one of the decisions offered for row %(row)d.") % {"row": row})
            decisions[str(row)] = {"choice": choice, "candidates": visible, "by": actor.pk}
            recorded += 1
        locked.result = {**locked.result, "decisions": decisions}
        locked.save(update_fields=["result", "updated_at"])
    job.result = locked.result
    return recorded


def decide_rest(*, actor: User, job: Job, choice: str) -> int:
    """The same decision (``new`` or ``skip``) for every possible duplicate not decided yet."""
    if choice not in (DECIDE_NEW, DECIDE_SKIP):
        raise DomainError(_("Choose one of the decisions offered."))
    decided = job.result.get("decisions") or {}
    rest = {v["row"]: choice for v in read_group(job, DUPLICATE) if str(v["row"]) not in decided}
    return decide(actor=actor, job=job, choices=rest) if rest else 0


def start_commit(*, actor: User, job: Job) -> Job:
    """Queue the commit of a reviewed import; refused while possible duplicates wait for a decision."""
    from shouhu.core.jobs import continue_job  # noqa: PLC0415  (kept next to its one use)

    if not may_import(actor):
        raise NotAllowedError()
    if job.result.get("stage") != "checked":
        raise DomainError(_("This import is not waiting for review any more."), code="job_state")
    waiting = undecided(job)
    if waiting:
        raise DomainError(
            _("%(count)d possible duplicates still need your decision.") % {"count": waiting}, code="undecided"
        )
    counts = job.result.get("counts") or {}
    if not counts.get(NEW) and not counts.get(UPDATE) and not counts.get(DUPLICATE):
        raise DomainError(_("There is nothing to save in this file."), code="empty")
    return continue_job(actor=actor, job=job, phase=COMMIT)


def cancel_import(*, actor: User, job: Job) -> Job:
    """Abandon an import that waits for review; its stored verdicts are deleted."""
    from shouhu.core.jobs import cancel_job  # noqa: PLC0415

    cancelled = cancel_job(actor=actor, job=job)
    _delete_files(cancelled)
    return cancelled


# --- The template ----------------------------------------------------------------------------------


def template_workbook(actor: User, kind: str) -> bytes:
    """The register's template: the sheet to fill in, instructions, allowed values, the villages in reach.

    Always in Chinese: the column titles and allowed values are the data format of the file.
    """
    register = register_of(kind)
    with translation.override("zh-hans"):
        workbook, sheet = core_xlsx.new_workbook(register.sheet)
        core_xlsx.write_table(
            sheet, [c.title for c in register.columns], [], widths=[c.width for c in register.columns]
        )
        choice_columns = [c for c in register.columns if c.spellings is not None]
        options = workbook.create_sheet(OPTIONS_SHEET)
        lists = [_allowed_terms(register, c) for c in choice_columns]
        longest = max((len(terms) for terms in lists), default=0)
        core_xlsx.write_table(
            options,
            [c.title for c in choice_columns],
            [[terms[i] if i < len(terms) else "" for terms in lists] for i in range(longest)],
            widths=[max(12, c.width) for c in choice_columns],
        )
        from openpyxl.utils import get_column_letter  # noqa: PLC0415

        for position, (column, terms) in enumerate(zip(choice_columns, lists, strict=True), start=1):
            letter = get_column_letter(position)
            target = get_column_letter(list(register.columns).index(column) + 1)
            validation = DataValidation(
                type="list", formula1=f"='{OPTIONS_SHEET}'!${letter}$2:${letter}${len(terms) + 1}", allow_blank=True
            )
            validation.error = _("Pick a value from the list.")
            validation.showErrorMessage = False  # other spellings of the same value are accepted too
            sheet.add_data_validation(validation)
            validation.add(f"{target}2:{target}{MAX_ROWS + 1}")
        regions = workbook.create_sheet(REGIONS_SHEET)
        core_xlsx.write_table(
            regions, ["区划代码", "村（社区）名称", "乡镇（街道）"], _villages_in_reach(actor), widths=[16, 24, 20]
        )
        notes = workbook.create_sheet(NOTES_SHEET, 0)
        core_xlsx.write_notes(notes, str(register.kind.label), instructions(register))
        workbook.active = 1
        return core_xlsx.to_bytes(workbook)


def _allowed_terms(register: Register, column: Column) -> list[str]:
    assert column.spellings is not None  # noqa: S101
    allowed = register.allowed.get(column.key)
    return [column.spellings.term(v) for v, _s in column.spellings.terms if allowed is None or v in allowed]


def _villages_in_reach(actor: User) -> list[tuple[str, str, str]]:
    villages = Region.objects.active().filter(level=Level.VILLAGE)
    if not actor.is_superuser:
        villages = (
            villages.within(actor.jurisdiction_id or "000000000000") if actor.jurisdiction_id else villages.none()
        )
    villages = villages.order_by("code").only("code", "name")
    township_codes = {codes.parent_code(v.code) or "" for v in villages}
    townships = dict(Region.objects.filter(code__in=township_codes).values_list("code", "name"))
    return [(v.code, v.name, townships.get(codes.parent_code(v.code) or "", "")) for v in villages]


def instructions(register: Register) -> list[str]:
    """The lines of the instructions sheet, in the active language."""
    required = [c.title for c in register.columns if c.required or c.key in register.required]
    lines = [
        _("One row per child, from row 2 on. Do not change, move or merge the header row; do not merge cells."),
        _("Required columns: %(columns)s.") % {"columns": "、".join(required)},
        _(
            "%(id)s: 18 characters. When it is given, %(sex)s and %(birth)s may stay empty: they are read from the "
            "number; when they are filled in, they must agree with it. Without a number, both are required."
        )
        % {"id": "公民身份号码", "sex": "性别", "birth": "出生日期"},
        _(
            "Dates: 2016-03-02, 2016/3/2, 2016年3月2日 or 20160302; cells formatted as dates in Excel are read too. "
            "No date may lie in the future."
        ),
        _(
            "%(village)s: the 12-digit statistical division code of the village or community where the child "
            "lives, inside your jurisdiction; the sheet “%(sheet)s” lists them."
        )
        % {"village": VILLAGE_COLUMN.title, "sheet": REGIONS_SHEET},
        _("Columns with a list of values: use a value of the sheet “%(sheet)s”.") % {"sheet": OPTIONS_SHEET},
        _(
            "Type identity numbers, codes and phone numbers as text (the columns are formatted as text): Excel "
            "keeps only 15 digits of a number, and a number whose last digits were lost is rejected."
        ),
        _("Full-width digits and letters (１２３, ｘ) and spaces are accepted."),
        _(
            "A row whose identity number is already on file updates that child's file: cells left empty keep "
            "what is on file, phone numbers and notes are added. Before anything is saved you review every row."
        ),
        _(
            "Children on file who may be the same child (same date of birth and sex, similar name, same county) "
            "are shown to you: you decide whether the row is the same child, a new child, or is skipped."
        ),
        _(
            "Rejected rows are not saved; download them with the reason in each row, correct them and upload "
            "that file again. At most %(max)d rows per file."
        )
        % {"max": MAX_ROWS},
    ]
    if register.persons and "father" in register.persons:
        lines.append(
            _(
                "Parents: %(situation)s is one of the values of the sheet “%(sheet)s” (empty or “在家” if the "
                "parent lives at home); a situation needs %(since)s. For 服刑在押 and 强制隔离戒毒 give the term "
                "in months; for 失联 the day the police accepted the report."
            )
            % {"situation": "父亲情况/母亲情况", "sheet": OPTIONS_SHEET, "since": "情况开始日期"}
        )
        lines.append(
            _(
                "Entrusted carer: the person who looks after the child while the parents are away (not a parent), "
                "with the day the care began and the day the entrustment confirmation was signed."
            )
        )
    if register.kind == RegisterKind.DROPOUT:
        lines.append(_("%(column)s: 辍学 or 未入学.") % {"column": "就学状况"})
    if register.kind == RegisterKind.DISABILITY:
        lines.append(
            _("%(column)s is required; the grade is 一级 to 四级 as on the disability certificate.")
            % {"column": "残疾类别"}
        )
    return lines
