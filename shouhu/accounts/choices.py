from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a user does; the glossary maps each to its Chinese post (docs/glossary.md)."""

    CHILD_DIRECTOR = "child_director", _("Child director")  # 儿童主任
    TOWNSHIP_SUPERVISOR = "township_supervisor", _("Township child supervisor")  # 儿童督导员
    COUNTY_CASEWORKER = "county_caseworker", _("Caseworker")  # 民政 个案社工
    INTAKE_OFFICER = "intake_officer", _("Intake officer")  # 接报员 (一门受理)
    DEPARTMENT_LIAISON = "department_liaison", _("Department liaison")  # 部门联络员
    MANDATED_REPORTER = "mandated_reporter", _("Mandated reporter")  # 强制报告责任人
    PLAN_MONITOR = "plan_monitor", _("Plan monitor")  # 妇儿工委办 监测员
    AUDITOR = "auditor", _("Auditor")  # 审计员
    COUNTY_ADMIN = "county_admin", _("County administrator")  # 区县管理员
    CITY_ADMIN = "city_admin", _("City administrator")  # 市级管理员


class AgencyKind(models.TextChoices):
    """Lead and responsible units of the plan, and the institutions that must report."""

    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs bureau")  # 民政局
    PUBLIC_SECURITY = "public_security", _("Public security bureau")  # 公安局
    EDUCATION_SPORTS = "education_sports", _("Education and sports bureau")  # 教育体育局
    JUSTICE = "justice", _("Justice bureau")  # 司法局
    HEALTH = "health", _("Health commission")  # 卫健委/卫健局
    FINANCE = "finance", _("Finance bureau")  # 财政局
    HR_SOCIAL_SECURITY = "hr_social_security", _("Human resources and social security bureau")  # 人社局
    MARKET_REGULATION = "market_regulation", _("Market regulation bureau")  # 市场监管局
    CULTURE_TOURISM = "culture_tourism", _("Culture and tourism bureau")  # 文化和旅游局
    WOMENS_FEDERATION = "womens_federation", _("Women's federation")  # 妇联
    YOUTH_LEAGUE = "youth_league", _("Communist Youth League committee")  # 团委
    NEXT_GENERATION_COMMITTEE = "next_generation_committee", _("Working committee for the next generation")  # 关工委
    TRADE_UNION = "trade_union", _("Federation of trade unions")  # 总工会
    DISABLED_PERSONS_FEDERATION = "disabled_persons_federation", _("Disabled persons' federation")  # 残联
    CHILDREN_WORK_COMMITTEE = "children_work_committee", _("Women and children's work committee office")  # 妇儿工委办
    COURT = "court", _("People's court")  # 人民法院
    PROCURATORATE = "procuratorate", _("People's procuratorate")  # 人民检察院
    TOWNSHIP_GOVERNMENT = "township_government", _("Township government / sub-district office")  # 乡镇政府/街道办
    SCHOOL = "school", _("School")  # 学校
    KINDERGARTEN = "kindergarten", _("Kindergarten")  # 幼儿园
    HOSPITAL = "hospital", _("Medical institution")  # 医疗机构
    CHILD_WELFARE_INSTITUTION = "child_welfare_institution", _("Child welfare institution")  # 儿童福利机构
    RESCUE_PROTECTION_INSTITUTION = (
        "rescue_protection_institution",
        _("Minors' rescue and protection institution"),
    )  # 未成年人救助保护机构
    VILLAGE_COMMITTEE = "village_committee", _("Village / residents' committee")  # 村(居)民委员会
    SOCIAL_ORGANISATION = "social_organisation", _("Social organisation")  # 社会组织
    CHILDCARE_INSTITUTION = "childcare_institution", _("Infant-care institution")  # 托育机构
    OTHER = "other", _("Other unit")
