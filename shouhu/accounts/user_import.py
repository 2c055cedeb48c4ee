"""Import of users from an xlsx file: template, check of every row, review, all-or-nothing commit.

A city's 900 village directors are not typed one by one. The administrator downloads the
template, fills it in and uploads it; a background job (kind ``accounts.user_import``) runs in
two phases:

* ``validate`` reads the sheet and checks EVERY row against the rules of the screens
  (``services.placement_problems``) and the sheet's own pitfalls (merged cells, dates and
  numbers where text belongs, full-width digits); the job then waits for review with the new,
  updated, unchanged and rejected rows in ``job.result``;
* ``commit`` checks the file again (the world may have changed since the review: if any row
  would now be treated differently, nothing is written and the job waits for review again),
  then writes every accepted row in one transaction.

New users get temporary passwords, delivered once to the administrator as an encrypted file
that is deleted when downloaded; they must change them at first log-in. An existing username
is an update of that user (if the administrator may change them): the row states the user's
full set of roles; an empty phone or agency keeps the current one.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import unicodedata
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import IO, Any

from cryptography.fernet import Fernet
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from shouhu.accounts import roles as role_rules
from shouhu.accounts import selectors, services
from shouhu.accounts.choices import AgencyKind, Role
from shouhu.accounts.models import Agency, User
from shouhu.accounts.permissions import manages_users
from shouhu.accounts.validators import normalise_mobile
from shouhu.core import xlsx
from shouhu.core.errors import DomainError
from shouhu.core.history import acting_as
from shouhu.core.jobs import ProgressReporter, register_job, start_job
from shouhu.core.models import Job
from shouhu.core.policy import CHANGE, policy_for
from shouhu.regions import codes
from shouhu.regions.choices import Level
from shouhu.regions.models import Region

JOB_KIND = "accounts.user_import"
SHEET_NAME = "用户"
MAX_ROWS = 5000
FIRST_DATA_ROW = 2


@dataclass(frozen=True)
class Column:
    key: str
    title: str  # the header of the template (a fixed Chinese data format, not translated)
    required: bool = False


COLUMNS = (
    Column("username", "用户名", required=True),
    Column("full_name", "姓名", required=True),
    Column("phone", "手机号"),
    Column("roles", "角色", required=True),
    Column("region", "所属区划代码", required=True),
    Column("agency_name", "单位名称"),
    Column("agency_kind", "单位类型"),
)
TITLES = {c.key: c.title for c in COLUMNS}
ROW_NUMBER_TITLE = "原行号"
REASON_TITLE = "拒绝原因"
# Columns of Shouhu's own files (rejected rows, user export) that an upload may carry along.
IGNORED_TITLES = frozenset({ROW_NUMBER_TITLE, REASON_TITLE, "区划名称", "状态", "已锁定", "双因素认证", "上次登录"})
ROLE_SEPARATORS = re.compile(r"[、,;/\s|]+")
# Common short forms of the role names seen in county rosters.
ROLE_ALIASES = {
    "儿童督导": Role.TOWNSHIP_SUPERVISOR,
    "督导员": Role.TOWNSHIP_SUPERVISOR,
    "社工": Role.COUNTY_CASEWORKER,
    "县级管理员": Role.COUNTY_ADMIN,
    "区级管理员": Role.COUNTY_ADMIN,
    "市管理员": Role.CITY_ADMIN,
}


class SheetError(DomainError):
    """The file as a whole cannot be imported (not a workbook, header row wrong, too many rows)."""


# --- Reading the sheet ---------------------------------------------------------------------------


def _header_text(value: Any) -> str:
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    return re.sub(r"\s+|\*|\(必填\)|必填", "", text)


def _map_header(values: list[Any]) -> dict[int, str]:
    """Column index (1-based) → column key; a SheetError naming every missing or unknown column."""
    by_title = {c.title: c.key for c in COLUMNS}
    found: dict[int, str] = {}
    unknown: list[str] = []
    duplicate: list[str] = []
    for index, value in enumerate(values, start=1):
        title = _header_text(value)
        if not title or title in IGNORED_TITLES:
            continue
        key = by_title.get(title)
        if key is None:
            unknown.append(title)
        elif key in found.values():
            duplicate.append(title)
        else:
            found[index] = key
    missing = [c.title for c in COLUMNS if c.key not in found.values()]
    if missing or unknown or duplicate:
        parts = []
        if missing:
            parts.append(_("missing column(s): %(columns)s") % {"columns": "、".join(missing)})
        if unknown:
            parts.append(_("unknown column(s): %(columns)s") % {"columns": "、".join(unknown)})
        if duplicate:
            parts.append(_("repeated column(s): %(columns)s") % {"columns": "、".join(duplicate)})
        raise SheetError(
            _(
                "The header row (row 1) does not match the template — %(problems)s. Download the template and "
                "keep its first row: %(expected)s."
            )
            % {"problems": "; ".join(parts), "expected": "、".join(c.title for c in COLUMNS)}
        )
    return found


def _open(file: IO[bytes], *, read_only: bool) -> Any:
    try:
        return load_workbook(file, read_only=read_only, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise SheetError(
            _("The file cannot be read as an Excel workbook (.xlsx). Save it as .xlsx and try again.")
        ) from None


def _sheet(workbook: Any) -> Any:
    return workbook[SHEET_NAME] if SHEET_NAME in workbook.sheetnames else workbook.worksheets[0]


def check_file(file: IO[bytes]) -> str | None:
    """A quick check at upload time (workbook readable, header row right), or the problem."""
    try:
        workbook = _open(file, read_only=True)
        try:
            header = next(_sheet(workbook).iter_rows(min_row=1, max_row=1, values_only=True), ())
            _map_header(list(header))
        finally:
            workbook.close()
    except SheetError as exc:
        return str(exc.message)
    return None


def _cell_text(value: Any, title: str) -> tuple[str, str | None]:
    """The text of a cell, and a problem when the cell holds what cannot be meant (a date, a fraction)."""
    if value is None:
        return "", None
    if isinstance(value, bool):
        return str(value), _("column %(column)s holds a true/false value") % {"column": title}
    if isinstance(value, datetime | date | time | timedelta):
        return str(value), _(
            "column %(column)s holds a date or time (Excel converted what was typed); format the column as text "
            "and type the value again"
        ) % {"column": title}
    if isinstance(value, int):
        return str(value), None
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value)), None
        return str(value), _("column %(column)s holds the decimal number %(value)s") % {"column": title, "value": value}
    text = unicodedata.normalize("NFKC", str(value))
    return " ".join(text.split()), None


@dataclass
class RawRow:
    number: int
    values: dict[str, str]
    problems: list[str]


def read_rows(file: IO[bytes]) -> list[RawRow]:
    """The non-empty data rows of the sheet, with the problems of their cells."""
    workbook = _open(file, read_only=False)
    sheet = _sheet(workbook)
    header = [cell.value for cell in sheet[1]] if sheet.max_row >= 1 else []
    columns = _map_header(header)
    merged: dict[int, str] = {}
    for cell_range in sheet.merged_cells.ranges:
        if cell_range.min_row <= 1:
            raise SheetError(_("The header row has merged cells (%(range)s); unmerge them.") % {"range": cell_range})
        for number in range(cell_range.min_row, cell_range.max_row + 1):
            merged.setdefault(number, str(cell_range))
    rows: list[RawRow] = []
    for number in range(FIRST_DATA_ROW, sheet.max_row + 1):
        values: dict[str, str] = {c.key: "" for c in COLUMNS}
        problems: list[str] = []
        for index, key in columns.items():
            text, problem = _cell_text(sheet.cell(row=number, column=index).value, TITLES[key])
            values[key] = text
            if problem:
                problems.append(problem)
        if not any(values.values()) and number not in merged:
            continue
        if number in merged:
            problems.insert(
                0,
                _("the row has merged cells (%(range)s); unmerge them and fill in every row")
                % {"range": merged[number]},
            )
        rows.append(RawRow(number, values, problems))
        if len(rows) > MAX_ROWS:
            raise SheetError(_("The file has more than %(max)d rows; split it into several files.") % {"max": MAX_ROWS})
    return rows


# --- Checking the rows ---------------------------------------------------------------------------


def _name_key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def role_names() -> dict[str, Role]:
    """Every accepted spelling of every role: Chinese and English names, codes, common short forms."""
    names: dict[str, Role] = {_name_key(k): v for k, v in ROLE_ALIASES.items()}
    for role in Role:
        names[_name_key(role.value)] = role
        for language in ("en", "zh-hans"):
            with translation.override(language):
                names[_name_key(str(role.label))] = role
    return names


def kind_names() -> dict[str, AgencyKind]:
    names: dict[str, AgencyKind] = {}
    for kind in AgencyKind:
        names[_name_key(kind.value)] = kind
        for language in ("en", "zh-hans"):
            with translation.override(language):
                names[_name_key(str(kind.label))] = kind
    return names


def chinese_label(choice: Role | AgencyKind) -> str:
    with translation.override("zh-hans"):
        return str(choice.label)


@dataclass
class Context:
    """What the check of every row needs, read once."""

    actor: User
    roles: dict[str, Role]
    kinds: dict[str, AgencyKind]
    regions: dict[str, Region]
    existing: dict[str, User]
    manageable: set[int]
    agencies: dict[str, list[Agency]]


def _context(actor: User, rows: list[RawRow]) -> Context:
    region_codes: set[str] = set()
    for row in rows:
        try:
            region_codes.add(codes.pad(row.values["region"]))
        except codes.CodeError:
            continue
    usernames = {row.values["username"] for row in rows if row.values["username"]}
    existing = {
        u.username: u
        for u in User.objects.filter(username__in=usernames)
        .select_related("agency", "jurisdiction")
        .prefetch_related("role_assignments")
    }
    visible = set(
        policy_for(User).visible(actor, User.objects.filter(username__in=usernames)).values_list("pk", flat=True)
    )
    manageable = {u.pk for u in existing.values() if u.pk in visible and policy_for(User).allows(actor, CHANGE, u)}
    agency_names = {row.values["agency_name"] for row in rows if row.values["agency_name"]}
    agencies: dict[str, list[Agency]] = {}
    for agency in Agency.objects.filter(name__in=agency_names).select_related("region"):
        agencies.setdefault(agency.name, []).append(agency)
    return Context(
        actor=actor,
        roles=role_names(),
        kinds=kind_names(),
        regions=Region.objects.in_bulk(list(region_codes)),
        existing=existing,
        manageable=manageable,
        agencies=agencies,
    )


def _parse_roles(text: str, context: Context, reasons: list[str]) -> list[Role]:
    found: list[Role] = []
    for name in ROLE_SEPARATORS.split(text):
        if not name:
            continue
        role = context.roles.get(_name_key(name))
        if role is None:
            reasons.append(
                _("unknown role “%(name)s” (use: %(names)s)")
                % {"name": name, "names": "、".join(chinese_label(r) for r in Role)}
            )
        elif role not in found:
            found.append(role)
    return found


def _agency_for(
    values: dict[str, str], region: Region, current: User | None, context: Context, reasons: list[str]
) -> tuple[int | None, services.ImportedAgency | None]:
    """The agency of a row: an existing one within reach, a new one, or (blank) the current one."""
    name, kind_text = values["agency_name"], values["agency_kind"]
    kind = context.kinds.get(_name_key(kind_text)) if kind_text else None
    if kind_text and kind is None:
        reasons.append(
            _("unknown agency kind “%(kind)s” (see the sheet of options in the template)") % {"kind": kind_text}
        )
        return None, None
    if not name:
        if kind_text:
            reasons.append(_("an agency kind is given without an agency name"))
        return (current.agency_id if current else None), None
    candidates = [a for a in context.agencies.get(name, []) if role_rules.agency_in_reach(region.code, a.region_id)]
    if len(candidates) > 1:
        nearest = [a for a in candidates if a.region_id == region.code]
        candidates = nearest if len(nearest) == 1 else candidates
    if len(candidates) > 1:
        reasons.append(
            _("several agencies named “%(name)s” are within reach (%(regions)s); rename one of them first")
            % {"name": name, "regions": "、".join(a.region_id for a in candidates)}
        )
        return None, None
    if candidates:
        agency = candidates[0]
        if kind is not None and agency.kind != kind:
            reasons.append(
                _("the agency “%(name)s” is registered as %(registered)s, not %(given)s")
                % {"name": name, "registered": chinese_label(AgencyKind(agency.kind)), "given": kind_text}
            )
        if not agency.is_active and (current is None or current.agency_id != agency.pk):
            reasons.append(_("the agency “%(name)s” is inactive") % {"name": name})
        return agency.pk, None
    if kind is None:
        reasons.append(
            _("the agency “%(name)s” does not exist within reach of %(region)s; give its kind to create it")
            % {"name": name, "region": region.name}
        )
        return None, None
    return None, services.ImportedAgency(name=name, kind=kind.value, region_code=region.code)


def _check_identity(values: dict[str, str], context: Context, reasons: list[str]) -> tuple[str, User | None]:
    """The username as stored and the existing user it names (an update), if any."""
    username = values["username"].replace(" ", "")
    if username:
        try:
            username = services.validate_username(username)
        except DomainError as exc:
            reasons.append(str(exc.message))
    current = context.existing.get(username)
    if current is not None:
        if current.pk == context.actor.pk:
            reasons.append(_("your own account cannot be changed by an import"))
        elif current.pk not in context.manageable:
            reasons.append(_("the username %(username)s is taken by a user you do not manage") % {"username": username})
    if len(values["full_name"]) > User._meta.get_field("full_name").max_length:  # type: ignore[operator]
        reasons.append(_("the name is longer than 60 characters"))
    return username, current


def _check_phone(values: dict[str, str], reasons: list[str]) -> str:
    if not values["phone"]:
        return ""
    phone = normalise_mobile(values["phone"])
    if phone is None:
        reasons.append(_("“%(phone)s” is not an 11-digit mobile number") % {"phone": values["phone"]})
    return phone or ""


def _check_region(values: dict[str, str], context: Context, reasons: list[str]) -> Region | None:
    if not values["region"]:
        return None
    try:
        code = codes.pad(values["region"].replace(" ", ""))
    except codes.CodeError:
        reasons.append(_("the division code “%(code)s” is not 12 digits") % {"code": values["region"]})
        return None
    region = context.regions.get(code)
    if region is None:
        reasons.append(_("the division code %(code)s is not in the table of regions") % {"code": code})
    return region


def _agency_object(agency_id: int | None, current: User | None, context: Context) -> Agency | None:
    if agency_id is None:
        return None
    if current is not None and current.agency_id == agency_id:
        return current.agency
    return next((a for group in context.agencies.values() for a in group if a.pk == agency_id), None)


def check_row(row: RawRow, context: Context) -> dict[str, Any]:
    """The verdict on one row: ``status`` new / update / unchanged / rejected, its plan or its reasons."""
    values = row.values
    reasons = list(row.problems)
    for column in COLUMNS:
        if column.required and not values[column.key]:
            reasons.append(_("%(column)s is empty") % {"column": column.title})
    username, current = _check_identity(values, context, reasons)
    phone = _check_phone(values, reasons)
    roles = _parse_roles(values["roles"], context, reasons)
    region = _check_region(values, context, reasons)
    agency_id: int | None = None
    agency: Agency | None = None
    new_agency: services.ImportedAgency | None = None
    if region is not None:
        agency_id, new_agency = _agency_for(values, region, current, context, reasons)
        agency = _agency_object(agency_id, current, context)
        reasons.extend(
            problem.message
            for problem in services.placement_problems(
                actor=context.actor,
                jurisdiction=region,
                roles=roles,
                agency=agency,
                current=current,
                require_roles=False,  # an empty or unknown role is already a reason of the row
            )
        )
    verdict: dict[str, Any] = {"row": row.number, "values": values, "reasons": reasons}
    if reasons or region is None:
        verdict["status"] = "rejected"
        return verdict
    plan = {
        "username": username,
        "full_name": values["full_name"],
        "phone": phone or (current.phone if current else ""),
        "region": region.code,
        "roles": sorted(r.value for r in roles),
        "agency_id": agency_id,
        "new_agency": None
        if new_agency is None
        else {"name": new_agency.name, "kind": new_agency.kind, "region": new_agency.region_code},
        "user_id": current.pk if current else None,
    }
    verdict["plan"] = plan
    if current is None:
        verdict["status"] = "new"
        return verdict
    changes = _changes(current, plan, new_agency.name if new_agency else (agency.name if agency else ""))
    verdict["changes"] = changes
    verdict["status"] = "update" if changes else "unchanged"
    return verdict


def _changes(user: User, plan: dict[str, Any], agency_name: str) -> dict[str, list[str]]:
    before = {
        "full_name": user.full_name,
        "phone": user.phone,
        "region": user.jurisdiction_id or "",
        "roles": "、".join(chinese_label(r) for r in sorted(user.roles)),
        "agency": user.agency.name if user.agency else "",
    }
    after = {
        "full_name": plan["full_name"],
        "phone": plan["phone"],
        "region": plan["region"],
        "roles": "、".join(chinese_label(Role(r)) for r in plan["roles"]),
        "agency": agency_name,
    }
    titles = {**TITLES, "region": TITLES["region"], "agency": TITLES["agency_name"]}
    return {titles[key]: [before[key], after[key]] for key in before if before[key] != after[key]}


def check_rows(actor: User, rows: list[RawRow], report: ProgressReporter | None = None) -> list[dict[str, Any]]:
    """The verdict on every row; usernames repeated in the file reject all their rows."""
    context = _context(actor, rows)
    seen: dict[str, list[int]] = {}
    for row in rows:
        if row.values["username"]:
            seen.setdefault(row.values["username"], []).append(row.number)
    new_agency_kinds: dict[tuple[str, str], str] = {}
    verdicts = []
    for index, row in enumerate(rows, start=1):
        verdict = check_row(row, context)
        numbers = seen.get(row.values["username"], [])
        if len(numbers) > 1:
            verdict["reasons"].append(
                _("the username is repeated in the file (rows %(rows)s)") % {"rows": "、".join(map(str, numbers))}
            )
            verdict["status"] = "rejected"
        new_agency = (verdict.get("plan") or {}).get("new_agency")
        if new_agency and verdict["status"] != "rejected":
            key = (new_agency["region"], new_agency["name"])
            kind = new_agency_kinds.setdefault(key, new_agency["kind"])
            if kind != new_agency["kind"]:
                verdict["reasons"].append(
                    _("the new agency “%(name)s” has another kind in an earlier row") % {"name": new_agency["name"]}
                )
                verdict["status"] = "rejected"
        if verdict["status"] == "rejected":
            verdict.pop("plan", None)
            verdict.pop("changes", None)
        verdicts.append(verdict)
        if report is not None:
            report(index, len(rows), _("Checking row %(row)d") % {"row": row.number})
    return verdicts


def summarise(verdicts: list[dict[str, Any]]) -> dict[str, int]:
    counts = {"new": 0, "update": 0, "unchanged": 0, "rejected": 0}
    for verdict in verdicts:
        counts[verdict["status"]] += 1
    counts["total"] = len(verdicts)
    counts["new_agencies"] = len(
        {
            (v["plan"]["new_agency"]["region"], v["plan"]["new_agency"]["name"])
            for v in verdicts
            if v["status"] in ("new", "update") and v["plan"]["new_agency"]
        }
    )
    return counts


def _signature(verdicts: list[dict[str, Any]]) -> list[Any]:
    """What the commit writes: equal signatures mean the review still holds."""
    return [(v["row"], v["status"], v.get("plan")) for v in verdicts]


# --- The job -------------------------------------------------------------------------------------


def start_import(*, actor: User, upload: IO[bytes]) -> Job:
    """Queue the check of an uploaded file; the administrator follows it on the job page."""
    if not manages_users(actor):
        raise DomainError(_("Only administrators import users."))
    return start_job(
        actor=actor,
        kind=JOB_KIND,
        params={"language": translation.get_language() or settings.LANGUAGE_CODE},
        input_file=upload,  # type: ignore[arg-type]
        phase="validate",
    )


def review_url(job: Job) -> str:
    return reverse("accounts:user_import_review", args=[job.pk])


@register_job(JOB_KIND)
def run_user_import(job: Job, report: ProgressReporter) -> None:
    actor = job.created_by
    if actor is None or not actor.is_active or not manages_users(actor):
        raise DomainError(_("Only administrators import users."))
    with translation.override(job.params.get("language") or settings.LANGUAGE_CODE), acting_as(actor):
        if job.phase == "commit":
            _commit(job, actor, report)
        else:
            _validate(job, actor, report)


def _read_input(job: Job) -> list[RawRow]:
    try:
        with job.input_file.open("rb") as handle:
            return read_rows(handle)
    except SheetError as exc:
        job.message = str(exc.message)[:255]
        job.result = {"file_error": str(exc.message)}
        raise


def _validate(job: Job, actor: User, report: ProgressReporter) -> None:
    rows = _read_input(job)
    report(0, len(rows), _("Checking %(count)d rows") % {"count": len(rows)})
    verdicts = check_rows(actor, rows, report)
    counts = summarise(verdicts)
    job.result = {"stage": "checked", "rows": verdicts, "counts": counts, "next_url": review_url(job)}
    job.message = _("%(new)d new, %(update)d to update, %(unchanged)d unchanged, %(rejected)d rejected") % counts
    job.status = Job.Status.AWAITING_REVIEW


def _hash_all(passwords: list[str], report: ProgressReporter) -> list[str]:
    # PBKDF2 runs in C without the GIL: hashing 900 passwords on all cores takes seconds, not minutes,
    # and happens before the transaction so that the database is never locked meanwhile.
    done = 0
    hashes: list[str] = []
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for hashed in pool.map(make_password, passwords):
            hashes.append(hashed)
            done += 1
            report(done, len(passwords), _("Preparing passwords"))
    return hashes


def _commit(job: Job, actor: User, report: ProgressReporter) -> None:
    rows = _read_input(job)
    verdicts = check_rows(actor, rows)
    if _signature(verdicts) != _signature(job.result.get("rows", [])):
        counts = summarise(verdicts)
        job.result = {
            "stage": "checked",
            "rows": verdicts,
            "counts": counts,
            "next_url": review_url(job),
            "changed_since_review": True,
        }
        job.message = _("Accounts changed since the check; nothing was written. Review the rows again.")
        job.status = Job.Status.AWAITING_REVIEW
        return
    accepted = [v for v in verdicts if v["status"] in ("new", "update")]
    new_rows = [v for v in accepted if v["status"] == "new"]
    passwords = [services.generate_temporary_password() for _ in new_rows]
    hashes = iter(_hash_all(passwords, report))
    specs = []
    for verdict in accepted:
        plan = verdict["plan"]
        new_agency = plan["new_agency"]
        specs.append(
            services.ImportedUser(
                username=plan["username"],
                full_name=plan["full_name"],
                phone=plan["phone"],
                region_code=plan["region"],
                roles=tuple(Role(r) for r in plan["roles"]),
                agency_id=plan["agency_id"],
                new_agency=services.ImportedAgency(new_agency["name"], new_agency["kind"], new_agency["region"])
                if new_agency
                else None,
                user_id=plan["user_id"],
                password_hash=next(hashes) if verdict["status"] == "new" else "",
            )
        )
    counts = services.import_users(
        actor=actor, users=specs, progress=lambda done, total: report(done, total, _("Saving accounts"))
    )
    result = {**job.result, "stage": "committed", "committed": counts, "committed_at": timezone.now().isoformat()}
    if new_rows:
        content = passwords_workbook([(v["plan"], p) for v, p in zip(new_rows, passwords, strict=True)])
        name = default_storage.save(
            f"accounts/imports/{job.pk}/passwords.xlsx.enc", ContentFile(_fernet().encrypt(content))
        )
        result["passwords_file"] = name
    job.result = result
    job.message = _("%(created)d users created, %(updated)d updated, %(agencies_created)d agencies created") % counts


# --- Files ---------------------------------------------------------------------------------------


def _fernet() -> Fernet:
    # The temporary passwords wait encrypted at rest until the one download; the key is derived
    # from SECRET_KEY so that a copy of the file store alone reveals nothing.
    digest = hashlib.sha256(f"shouhu.accounts.import-passwords:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def take_passwords(job: Job) -> bytes | None:
    """The passwords workbook of a committed import, once: the file is deleted as it is read."""
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        name = locked.result.get("passwords_file")
        if not name or locked.result.get("passwords_taken_at"):
            return None
        with default_storage.open(name, "rb") as handle:
            content = _fernet().decrypt(handle.read())
        default_storage.delete(name)
        locked.result = {**locked.result, "passwords_file": "", "passwords_taken_at": timezone.now().isoformat()}
        locked.save(update_fields=["result", "updated_at"])
    job.result = locked.result
    return content


def passwords_workbook(rows: list[tuple[dict[str, Any], str]]) -> bytes:
    workbook, sheet = xlsx.new_workbook(_("Temporary passwords")[:31])
    regions = Region.objects.in_bulk([plan["region"] for plan, _password in rows])
    xlsx.write_table(
        sheet,
        ["用户名", "姓名", "所属区划代码", "区划名称", "临时密码"],
        [
            (plan["username"], plan["full_name"], plan["region"], getattr(regions.get(plan["region"]), "name", ""), pw)
            for plan, pw in rows
        ],
        widths=[18, 12, 16, 20, 20],
    )
    notes = workbook.create_sheet(_("Read me")[:31])
    xlsx.write_notes(
        notes,
        _("Temporary passwords"),
        [
            _("Give each person their own password in private; every person must change it at first log-in."),
            _("This file could be downloaded once only. Delete it once the passwords have been handed over."),
            _("Anyone who loses the password: an administrator resets it on the user's page."),
        ],
    )
    return xlsx.to_bytes(workbook)


def rejected_workbook(verdicts: list[dict[str, Any]]) -> bytes:
    """The rejected rows as typed, with their row number and reasons: fix them and upload the file again."""
    workbook, sheet = xlsx.new_workbook(SHEET_NAME)
    rejected = [v for v in verdicts if v["status"] == "rejected"]
    xlsx.write_table(
        sheet,
        [*(c.title for c in COLUMNS), ROW_NUMBER_TITLE, REASON_TITLE],
        [[*(v["values"][c.key] for c in COLUMNS), v["row"], "；".join(v["reasons"])] for v in rejected],
        widths=[16, 10, 14, 22, 16, 24, 18, 8, 80],
    )
    return xlsx.to_bytes(workbook)


def template_workbook(actor: User) -> bytes:
    """The template: the sheet to fill in, instructions, allowed values, the regions in reach."""
    workbook, sheet = xlsx.new_workbook(SHEET_NAME)
    xlsx.write_table(sheet, [c.title for c in COLUMNS], [], widths=[16, 10, 14, 22, 16, 24, 18])
    options = workbook.create_sheet("选项")
    role_labels = [chinese_label(r) for r in Role]
    kind_labels = [chinese_label(k) for k in AgencyKind]
    xlsx.write_table(
        options,
        ["角色", "单位类型"],
        [
            (role_labels[i] if i < len(role_labels) else "", kind_labels[i] if i < len(kind_labels) else "")
            for i in range(max(len(role_labels), len(kind_labels)))
        ],
        widths=[20, 30],
    )
    kind_list = DataValidation(type="list", formula1=f"='选项'!$B$2:$B${len(kind_labels) + 1}", allow_blank=True)
    kind_list.error = _("Pick an agency kind from the list.")
    sheet.add_data_validation(kind_list)
    kind_list.add(f"G{FIRST_DATA_ROW}:G{MAX_ROWS + 1}")
    regions = workbook.create_sheet("区划代码")
    xlsx.write_table(
        regions,
        ["区划代码", "名称", "级别"],
        [(r.code, r.name, str(Level(r.level).label)) for r in selectors.regions_in_reach(actor).order_by("code")],
        widths=[16, 30, 16],
    )
    notes = workbook.create_sheet("填写说明", 0)
    grantable = role_rules.grantable_roles(actor.roles, is_superuser=actor.is_superuser)
    xlsx.write_notes(notes, _("How to fill in the sheet “%(sheet)s”") % {"sheet": SHEET_NAME}, _instructions(grantable))
    workbook.active = 1
    return xlsx.to_bytes(workbook)


def _instructions(grantable: frozenset[Role]) -> list[str]:
    levels = []
    for role in Role:
        if role in grantable:
            allowed = "、".join(str(Level(lv).label) for lv in codes.LEVEL_ORDER if lv in role_rules.ROLE_LEVELS[role])
            levels.append(f"    {chinese_label(role)}: {allowed}")
    t = TITLES
    return [
        _("One row per person, from row 2 on. Do not change, move or merge the header row; do not merge cells."),
        _("Required columns: %(columns)s.") % {"columns": "、".join(c.title for c in COLUMNS if c.required)},
        _(
            "%(column)s: letters, digits and @ . + - _ only; it is used to log in. A username that already exists "
            "updates that user: the row then gives the person's complete set of roles, and an empty phone or "
            "agency keeps the current one."
        )
        % {"column": t["username"]},
        _("%(column)s: the person's name as on their identity card.") % {"column": t["full_name"]},
        _("%(column)s: 11 digits, optional. Full-width digits and spaces are accepted.") % {"column": t["phone"]},
        _("%(column)s: one or more role names from the sheet “%(sheet)s”, separated by 、 or a comma.")
        % {"column": t["roles"], "sheet": "选项"},
        _(
            "%(column)s: the 12-digit statistical division code of the person's village, township, county or "
            "city; the sheet “%(sheet)s” lists the codes you may use."
        )
        % {"column": t["region"], "sheet": "区划代码"},
        _("Each role needs a jurisdiction of a certain level; the roles you may grant and their levels:"),
        *levels,
        _(
            "%(name)s / %(kind)s: an agency of that name within reach of the jurisdiction is used; if there is "
            "none, give the kind (from the sheet “%(sheet)s”) and it is created in the jurisdiction."
        )
        % {"name": t["agency_name"], "kind": t["agency_kind"], "sheet": "选项"},
        _(
            "Type codes and phone numbers as text (the columns are formatted as text). A value that Excel turned "
            "into a date, or a decimal number, is rejected with the reason."
        ),
        _("At most %(max)d rows per file. Rows that are rejected can be downloaded, corrected and uploaded again.")
        % {"max": MAX_ROWS},
        _("New users receive a temporary password (downloaded once by you) and must change it at first log-in."),
    ]
