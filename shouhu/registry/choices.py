"""Choices of the child registry. The UI shows the Chinese terms (docs/glossary.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Sex(models.TextChoices):
    MALE = "male", pgettext_lazy("sex", "Male")  # 男
    FEMALE = "female", pgettext_lazy("sex", "Female")  # 女


class Ethnicity(models.TextChoices):
    """民族, with the codes of GB/T 3304-1991."""

    HAN = "01", _("Han")
    MONGOL = "02", _("Mongol")
    HUI = "03", _("Hui")
    TIBETAN = "04", _("Tibetan")
    UYGHUR = "05", _("Uyghur")
    MIAO = "06", _("Miao")
    YI = "07", _("Yi")
    ZHUANG = "08", _("Zhuang")
    BOUYEI = "09", _("Bouyei")
    KOREAN = "10", _("Korean")
    MANCHU = "11", _("Manchu")
    DONG = "12", _("Dong")
    YAO = "13", _("Yao")
    BAI = "14", _("Bai")
    TUJIA = "15", _("Tujia")
    HANI = "16", _("Hani")
    KAZAKH = "17", _("Kazakh")
    DAI = "18", _("Dai")
    LI = "19", _("Li")
    LISU = "20", _("Lisu")
    VA = "21", _("Va")
    SHE = "22", _("She")
    GAOSHAN = "23", _("Gaoshan")
    LAHU = "24", _("Lahu")
    SUI = "25", _("Sui")
    DONGXIANG = "26", _("Dongxiang")
    NAXI = "27", _("Naxi")
    JINGPO = "28", _("Jingpo")
    KIRGIZ = "29", _("Kirgiz")
    TU = "30", _("Tu")
    DAUR = "31", _("Daur")
    MULAO = "32", _("Mulao")
    QIANG = "33", _("Qiang")
    BLANG = "34", _("Blang")
    SALAR = "35", _("Salar")
    MAONAN = "36", _("Maonan")
    GELAO = "37", _("Gelao")
    XIBE = "38", _("Xibe")
    ACHANG = "39", _("Achang")
    PUMI = "40", _("Pumi")
    TAJIK = "41", _("Tajik")
    NU = "42", _("Nu")
    UZBEK = "43", _("Uzbek")
    RUSSIAN = "44", _("Russian")
    EWENKI = "45", _("Ewenki")
    DEANG = "46", _("De'ang")
    BONAN = "47", _("Bonan")
    YUGUR = "48", _("Yugur")
    GIN = "49", _("Gin")
    TATAR = "50", _("Tatar")
    DERUNG = "51", _("Derung")
    OROQEN = "52", _("Oroqen")
    HEZHEN = "53", _("Hezhen")
    MONBA = "54", _("Monba")
    LHOBA = "55", _("Lhoba")
    JINO = "56", _("Jino")
    OTHER = "97", _("Other (not identified)")
    FOREIGN_ORIGIN = "98", _("Chinese citizen of foreign origin")


class HouseholdRegistration(models.TextChoices):
    REGISTERED = "registered", _("Registered")  # 有户籍
    UNREGISTERED = "unregistered", _("Not registered")  # 无户籍


class HukouNature(models.TextChoices):
    """户口性质; since the 2014 reform many places record only 居民户口."""

    AGRICULTURAL = "agricultural", _("Agricultural")  # 农业户口
    NON_AGRICULTURAL = "non_agricultural", _("Non-agricultural")  # 非农业户口
    RESIDENT = "resident", _("Resident (unified)")  # 居民户口
    UNKNOWN = "unknown", _("Unknown")


class SchoolStatus(models.TextChoices):
    PRESCHOOL = "preschool", _("Pre-school, at home")  # 学龄前（散居）
    KINDERGARTEN = "kindergarten", _("In kindergarten")  # 在园
    PRIMARY = "primary", _("Primary school")  # 小学在读
    JUNIOR_SECONDARY = "junior_secondary", _("Junior secondary school")  # 初中在读
    SENIOR_SECONDARY = "senior_secondary", _("Senior secondary school")  # 高中在读
    VOCATIONAL = "vocational", _("Vocational school")  # 中职/技工在读
    SPECIAL_SCHOOL = "special_school", _("Special education school")  # 特殊教育学校
    HIGHER = "higher", _("Higher education")  # 高等教育
    NOT_ENROLLED = "not_enrolled", _("Never enrolled")  # 未入学
    DROPPED_OUT = "dropped_out", _("Dropped out")  # 辍学
    FINISHED = "finished", _("Finished schooling")  # 毕业未继续就学


class HealthStatus(models.TextChoices):
    HEALTHY = "healthy", _("Healthy")  # 健康
    ILL = "ill", _("Ill")  # 患病
    CHRONIC = "chronic", _("Chronic illness")  # 慢性病
    SERIOUS = "serious", _("Serious illness")  # 重病/大病


class DisabilityType(models.TextChoices):
    """残疾类别 of GB/T 26341-2010 (the disability certificate)."""

    VISUAL = "visual", _("Visual")  # 视力
    HEARING = "hearing", _("Hearing")  # 听力
    SPEECH = "speech", _("Speech")  # 言语
    PHYSICAL = "physical", _("Physical")  # 肢体
    INTELLECTUAL = "intellectual", _("Intellectual")  # 智力
    MENTAL = "mental", _("Mental")  # 精神
    MULTIPLE = "multiple", _("Multiple")  # 多重


class EconomicStatus(models.TextChoices):
    """The family's social-assistance status (basis of 困境儿童 category (a))."""

    NONE = "none", _("No assistance")
    LOW_INCOME = "low_income", _("Low-income family")  # 低收入家庭
    DIBAO = "dibao", _("Minimum living allowance")  # 低保
    EXTREME_POVERTY = "extreme_poverty", _("Extreme-poverty support")  # 特困供养
    MONITORED = "monitored", _("Monitored against falling back into poverty")  # 防返贫监测对象


class GuardianshipQuality(models.TextChoices):
    """The child director's judgement of how the child is looked after (监护情况)."""

    GOOD = "good", _("Good")
    ADEQUATE = "adequate", _("Adequate")
    POOR = "poor", _("Poor")  # 监护情况较差
    UNASSESSED = "unassessed", _("Not assessed yet")


class RiskLevel(models.TextChoices):
    UNASSESSED = "unassessed", _("Not assessed")
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class FileStatus(models.TextChoices):
    """The state of a child's file (一人一档)."""

    ACTIVE = "active", _("Active")
    MOVED_AWAY = "moved_away", _("Moved away")  # 迁出
    AGED_OUT = "aged_out", _("Turned 18")  # 年满18周岁
    DECEASED = "deceased", _("Deceased")  # 死亡
    MERGED = "merged", _("Merged into another file")  # 重复档案已合并


class Relation(models.TextChoices):
    FATHER = "father", _("Father")
    MOTHER = "mother", _("Mother")
    STEPFATHER = "stepfather", _("Stepfather")
    STEPMOTHER = "stepmother", _("Stepmother")
    ADOPTIVE_FATHER = "adoptive_father", _("Adoptive father")
    ADOPTIVE_MOTHER = "adoptive_mother", _("Adoptive mother")
    PATERNAL_GRANDFATHER = "paternal_grandfather", _("Paternal grandfather")  # 祖父
    PATERNAL_GRANDMOTHER = "paternal_grandmother", _("Paternal grandmother")  # 祖母
    MATERNAL_GRANDFATHER = "maternal_grandfather", _("Maternal grandfather")  # 外祖父
    MATERNAL_GRANDMOTHER = "maternal_grandmother", _("Maternal grandmother")  # 外祖母
    SIBLING = "sibling", _("Brother or sister")  # 兄弟姐妹
    UNCLE_AUNT = "uncle_aunt", _("Uncle or aunt")  # 叔伯姑舅姨
    OTHER_RELATIVE = "other_relative", _("Other relative")
    NON_RELATIVE = "non_relative", _("Not a relative")  # e.g. an entrusted neighbour


PARENT_RELATIONS = frozenset({Relation.FATHER, Relation.MOTHER, Relation.ADOPTIVE_FATHER, Relation.ADOPTIVE_MOTHER})


class SituationKind(models.TextChoices):
    """A situation of a parent or carer that the category rules read (DOMAIN.md §2, §3, §8)."""

    WORKING_AWAY = "working_away", _("Working away from home")  # 外出务工
    IMPRISONED = "imprisoned", _("Serving a sentence")  # 服刑在押
    PRETRIAL_DETENTION = "pretrial_detention", _("Detained awaiting trial")  # 羁押待审
    DRUG_REHABILITATION = "drug_rehabilitation", _("Compulsory drug rehabilitation")  # 强制隔离戒毒
    OTHER_LIBERTY_RESTRICTION = "other_liberty_restriction", _("Other restriction of liberty")  # 其他限制人身自由
    SEVERE_DISABILITY = "severe_disability", _("Severe disability")  # 重残
    SERIOUS_ILLNESS = "serious_illness", _("Serious illness")  # 重病
    LOST_CONTACT = "lost_contact", _("Lost contact")  # 失联
    DEAD = "dead", _("Dead")  # 死亡
    DECLARED_DEAD = "declared_dead", _("Declared dead by a court")  # 宣告死亡
    DECLARED_MISSING = "declared_missing", _("Declared missing by a court")  # 宣告失踪
    GUARDIANSHIP_REVOKED = "guardianship_revoked", _("Guardianship revoked")  # 撤销监护资格
    DEPORTED = "deported", _("Deported")  # 被遣送（驱逐）出境
    NO_CAPACITY = "no_capacity", _("Without guardianship capacity")  # 无监护能力


class Category(models.TextChoices):
    """What the rules (``classification.py``) find a child to be; several may hold at once."""

    ORPHAN = "orphan", _("Orphan")  # 孤儿
    DE_FACTO_UNATTENDED = "de_facto_unattended", _("De facto unattended child")  # 事实无人抚养儿童
    DIFFICULTY_POVERTY = "difficulty_poverty", _("In difficulty: family poverty")  # 困境儿童（家庭贫困）
    DIFFICULTY_DISABILITY = "difficulty_disability", _("In difficulty: own disability")  # 困境儿童（自身残疾）
    DIFFICULTY_GUARDIANSHIP = (
        "difficulty_guardianship",
        _("In difficulty: missing or improper guardianship"),
    )  # 困境儿童（监护缺失或不当）
    DIFFICULTY_ORPHAN = "difficulty_orphan", _("In difficulty: orphan")  # 困境儿童（孤儿，部分城市）
    DIFFICULTY_TEMPORARY = "difficulty_temporary", _("In difficulty: temporary hardship")  # 临时困境
    LEFT_BEHIND = "left_behind", _("Rural left-behind child")  # 农村留守儿童
    MIGRANT = "migrant", _("Migrant child")  # 流动儿童
    DISABLED = "disabled", _("Disabled child")  # 残疾儿童
    STREET = "street", _("Street child")  # 流浪儿童
    INFANT = "infant", _("Infant under 3")  # 3岁以下婴幼儿
    # Reasons for regular follow-up of key children (seed (10)).
    KEY_POOR_GUARDIANSHIP = "key_poor_guardianship", _("Key child: poor guardianship")  # 监护情况较差
    KEY_OUT_OF_SCHOOL = "key_out_of_school", _("Key child: out of school")  # 失学辍学
    KEY_UNREGISTERED = "key_unregistered", _("Key child: no household registration")  # 无户籍
    KEY_ILL = "key_ill", _("Key child: ill")  # 患病
    KEY_DISABLED = "key_disabled", _("Key child: disabled")  # 残疾


KEY_CHILD_REASONS = frozenset(
    {
        Category.KEY_POOR_GUARDIANSHIP,
        Category.KEY_OUT_OF_SCHOOL,
        Category.KEY_UNREGISTERED,
        Category.KEY_ILL,
        Category.KEY_DISABLED,
    }
)


class ClassificationSource(models.TextChoices):
    RULE = "rule", _("Rule")
    OVERRIDE = "override", _("Caseworker's decision")


class OverrideEffect(models.TextChoices):
    INCLUDE = "include", _("Counts although the rules say no")
    EXCLUDE = "exclude", _("Does not count although the rules say yes")
