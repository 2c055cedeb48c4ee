"""Writes of accounts: users, roles, agencies, passwords and second factors.

Every function takes the acting user as ``actor``, checks the access policy and the pure rules
of ``roles.py``, runs in one transaction and is versioned by django-auditlog (``acting_as``
attributes the change when no web request does).
"""

from __future__ import annotations

import secrets
import string
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from auditlog.models import LogEntry
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from shouhu.accounts import roles as role_rules
from shouhu.accounts.choices import AgencyKind, Role
from shouhu.accounts.models import Agency, RoleAssignment, User
from shouhu.accounts.permissions import manages_users
from shouhu.accounts.validators import is_credit_code, normalise_mobile
from shouhu.core.errors import DomainError, NotAllowedError
from shouhu.core.history import acting_as
from shouhu.core.policy import CHANGE, CREATE, policy_for
from shouhu.regions import codes
from shouhu.regions.choices import Level
from shouhu.regions.models import Region

LANGUAGES = frozenset(code for code, _name in settings.LANGUAGES)
BACKUP_CODE_COUNT = 10
TOTP_DIGITS = 6
TEMPORARY_PASSWORD_LENGTH = 14
# No 0/O, 1/l/I: a temporary password is read aloud over the phone or copied from paper.
_TEMP_LOWER = "abcdefghijkmnpqrstuvwxyz"
_TEMP_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_TEMP_DIGITS = "23456789"
_TEMP_SYMBOLS = "#%+=@-"


@dataclass(frozen=True)
class Problem:
    """A broken rule, with the form field it belongs to."""

    field: str
    message: str


# --- Placement rules shared by the screens and the xlsx import -----------------------------------


def placement_problems(
    *,
    actor: User,
    jurisdiction: Region,
    roles: Iterable[Role],
    agency: Agency | None,
    current: User | None = None,
    require_roles: bool = True,
) -> list[Problem]:
    """Every rule a placement (jurisdiction, roles, agency) of a user by ``actor`` breaks.

    ``current`` is the user being edited: an inactive region or agency they already have may
    stay, but nobody is newly placed in one. ``require_roles=False`` leaves a missing role to
    the caller (an import row whose role column was already found wrong).
    """
    roles = list(dict.fromkeys(Role(r) for r in roles))
    problems: list[Problem] = []
    if not roles and require_roles:
        problems.append(Problem("roles", _("Choose at least one role.")))
    unchanged_region = current is not None and current.jurisdiction_id == jurisdiction.code
    if not jurisdiction.active and not unchanged_region:
        problems.append(
            Problem("jurisdiction", _("The region %(region)s is no longer in use.") % {"region": jurisdiction})
        )
    if not role_rules.may_place(actor.jurisdiction_id, jurisdiction.code, is_superuser=actor.is_superuser):
        problems.append(
            Problem(
                "jurisdiction",
                _("%(region)s lies outside your jurisdiction; you can only place users inside it.")
                % {"region": jurisdiction},
            )
        )
    grantable = role_rules.grantable_roles(actor.roles, is_superuser=actor.is_superuser)
    refused = [r for r in roles if r not in grantable]
    if refused:
        problems.append(
            Problem(
                "roles",
                _("You may not grant the role(s): %(roles)s.") % {"roles": "、".join(str(r.label) for r in refused)},
            )
        )
    for role in role_rules.level_problems(roles, jurisdiction.level):
        allowed = "、".join(
            str(Level(level).label) for level in codes.LEVEL_ORDER if level in role_rules.ROLE_LEVELS[role]
        )
        problems.append(
            Problem(
                "roles",
                _("The role “%(role)s” cannot be held at %(level)s level (%(region)s); it needs: %(allowed)s.")
                % {
                    "role": role.label,
                    "level": Level(jurisdiction.level).label,
                    "region": jurisdiction.name,
                    "allowed": allowed,
                },
            )
        )
    if agency is not None:
        unchanged_agency = current is not None and current.agency_id == agency.pk
        if not agency.is_active and not unchanged_agency:
            problems.append(Problem("agency", _("The agency %(agency)s is inactive.") % {"agency": agency.name}))
        if not role_rules.agency_in_reach(jurisdiction.code, agency.region_id):
            problems.append(
                Problem(
                    "agency",
                    _(
                        "The agency %(agency)s (%(agency_region)s) is out of reach of %(region)s: its region must "
                        "contain the user's jurisdiction or lie inside it."
                    )
                    % {"agency": agency.name, "agency_region": agency.region_id, "region": jurisdiction.name},
                )
            )
    return problems


def _raise_first(problems: list[Problem]) -> None:
    if problems:
        raise DomainError(problems[0].message, field=problems[0].field)


def _require(allowed: bool) -> None:
    if not allowed:
        raise NotAllowedError


def _clean_phone(phone: str) -> str:
    if not phone.strip():
        return ""
    normalised = normalise_mobile(phone)
    if normalised is None:
        raise DomainError(_("Enter an 11-digit mobile number such as 13800138000."), field="phone")
    return normalised


def _clean_full_name(full_name: str) -> str:
    name = " ".join(full_name.split())
    if not name:
        raise DomainError(_("Enter the person's full name."), field="full_name")
    return name


def _set_roles(*, user: User, roles: Iterable[Role], actor: User) -> None:
    wanted = set(roles)
    existing = {Role(a.role): a for a in RoleAssignment.objects.select_for_update().filter(user=user)}
    for role, assignment in existing.items():
        if role not in wanted:
            assignment.delete()
    for role in sorted(wanted - set(existing)):
        RoleAssignment.objects.create(user=user, role=role, granted_by=actor)
    user.__dict__.pop("roles", None)


def _reload(user: User) -> User:
    fresh = User.objects.select_for_update().get(pk=user.pk)
    fresh.__dict__.pop("roles", None)
    return fresh


# --- Users ---------------------------------------------------------------------------------------


def generate_temporary_password() -> str:
    """A random password that passes the validators: every character class, no look-alikes."""
    alphabet = _TEMP_LOWER + _TEMP_UPPER + _TEMP_DIGITS + _TEMP_SYMBOLS
    while True:
        chars = [secrets.choice(group) for group in (_TEMP_LOWER, _TEMP_UPPER, _TEMP_DIGITS, _TEMP_SYMBOLS)]
        chars += [secrets.choice(alphabet) for _ in range(TEMPORARY_PASSWORD_LENGTH - len(chars))]
        secrets.SystemRandom().shuffle(chars)
        password = "".join(chars)
        try:
            password_validation.validate_password(password)
        except ValidationError:
            continue
        return password


def validate_username(username: str) -> str:
    """The username as stored, or a DomainError saying what is wrong with it."""
    username = User.normalize_username(username.strip())
    if not username:
        raise DomainError(_("Enter a username."), field="username")
    if len(username) > User._meta.get_field("username").max_length:  # type: ignore[operator]
        raise DomainError(_("The username is longer than 150 characters."), field="username")
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        raise DomainError(
            _("A username may contain only letters, digits and the characters @ . + - _."), field="username"
        ) from None
    return username


def create_user(
    *,
    actor: User,
    username: str,
    full_name: str,
    phone: str = "",
    jurisdiction: Region,
    agency: Agency | None,
    roles: Iterable[Role],
    language: str = "zh-hans",
) -> tuple[User, str]:
    """Create a user placed by ``actor``; return it with its temporary password (shown once).

    The user must change the password at first log-in.
    """
    _require(policy_for(User).can(actor, CREATE))
    roles = list(roles)
    username = validate_username(username)
    full_name = _clean_full_name(full_name)
    phone = _clean_phone(phone)
    _raise_first(placement_problems(actor=actor, jurisdiction=jurisdiction, roles=roles, agency=agency))
    if language not in LANGUAGES:
        raise DomainError(_("Choose a language."), field="language")
    password = generate_temporary_password()
    with transaction.atomic(), acting_as(actor):
        if User.objects.filter(username=username).exists():
            raise DomainError(_("The username %(username)s is taken.") % {"username": username}, field="username")
        user = User(
            username=username,
            full_name=full_name,
            phone=phone,
            jurisdiction=jurisdiction,
            agency=agency,
            language=language,
            must_change_password=True,
            password_changed_at=timezone.now(),
            created_by=actor,
        )
        user.set_password(password)
        user.save()
        _set_roles(user=user, roles=roles, actor=actor)
    return user, password


def update_user(
    *,
    actor: User,
    user: User,
    full_name: str,
    phone: str,
    jurisdiction: Region,
    agency: Agency | None,
    roles: Iterable[Role],
    language: str,
) -> User:
    """Change the name, phone, placement, roles and language of ``user``.

    An administrator never edits their own account here nor a superuser's (UserPolicy), and the
    new roles and place must follow the same rules as for a new user.
    """
    _require(policy_for(User).can(actor, CHANGE, user))
    roles = list(roles)
    full_name = _clean_full_name(full_name)
    phone = _clean_phone(phone)
    if language not in LANGUAGES:
        raise DomainError(_("Choose a language."), field="language")
    with transaction.atomic(), acting_as(actor):
        locked = _reload(user)
        _raise_first(
            placement_problems(actor=actor, jurisdiction=jurisdiction, roles=roles, agency=agency, current=locked)
        )
        locked.full_name = full_name
        locked.phone = phone
        locked.jurisdiction = jurisdiction
        locked.agency = agency
        locked.language = language
        locked.save(update_fields=["full_name", "phone", "jurisdiction", "agency", "language"])
        _set_roles(user=locked, roles=roles, actor=actor)
    return locked


def set_user_active(*, actor: User, user: User, active: bool) -> User:
    """Deactivate (never delete) or reactivate ``user``; a deactivated user's sessions end at once."""
    _require(policy_for(User).can(actor, CHANGE, user))
    with transaction.atomic(), acting_as(actor):
        locked = _reload(user)
        if locked.is_active == active:
            return locked
        locked.is_active = active
        locked.deactivated_at = None if active else timezone.now()
        locked.save(update_fields=["is_active", "deactivated_at"])
    return locked


def _log_security_change(*, actor: User, user: User, what: str, before: str, after: str) -> None:
    """Version an account change that is not a field of the user row (lock, second factor)."""
    LogEntry.objects.log_create(user, action=LogEntry.Action.UPDATE, changes={what: [before, after]}, actor=actor)


def reset_password(*, actor: User, user: User) -> str:
    """Give ``user`` a new temporary password (returned, shown once) to change at next log-in.

    Also lifts a log-in lock-out: a locked user usually calls because they forgot the password.
    The user's open sessions end, as the session hash depends on the password.
    """
    _require(policy_for(User).can(actor, CHANGE, user))
    password = generate_temporary_password()
    with transaction.atomic(), acting_as(actor):
        locked = _reload(user)
        locked.set_password(password)
        locked.must_change_password = True
        locked.password_changed_at = timezone.now()
        locked.save(update_fields=["password", "must_change_password", "password_changed_at"])
        axes_reset(username=locked.username)
    return password


def unlock_user(*, actor: User, user: User) -> int:
    """Lift the lock-out of ``user`` after repeated failed log-ins; return the cleared attempts."""
    _require(policy_for(User).can(actor, CHANGE, user))
    with transaction.atomic():
        cleared = int(axes_reset(username=user.username))
        if cleared:
            _log_security_change(actor=actor, user=user, what="login_lock", before="locked", after="unlocked")
    return cleared


def reset_second_factor(*, actor: User, user: User) -> None:
    """Remove ``user``'s authenticator and backup codes: they set up a new one at next log-in."""
    _require(policy_for(User).can(actor, CHANGE, user))
    with transaction.atomic():
        removed = TOTPDevice.objects.filter(user=user).delete()[0] + StaticDevice.objects.filter(user=user).delete()[0]
        if removed:
            _log_security_change(actor=actor, user=user, what="second_factor", before="configured", after="reset")


def change_password(*, actor: User, new_password: str) -> None:
    """Set ``actor``'s own new password (the view has checked the old one and the validators).

    Other sessions of the user end: their session hash no longer matches the password.
    """
    if actor.check_password(new_password):
        raise DomainError(_("The new password must differ from the current one."), field="new_password1")
    try:
        password_validation.validate_password(new_password, actor)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), field="new_password1") from None
    with transaction.atomic(), acting_as(actor):
        locked = _reload(actor)
        locked.set_password(new_password)
        locked.must_change_password = False
        locked.password_changed_at = timezone.now()
        locked.save(update_fields=["password", "must_change_password", "password_changed_at"])
    actor.password = locked.password
    actor.must_change_password = False
    actor.password_changed_at = locked.password_changed_at


def set_language(*, actor: User, language: str) -> None:
    """Change ``actor``'s language of the user interface."""
    if language not in LANGUAGES:
        raise DomainError(_("Choose a language."), field="language")
    with transaction.atomic(), acting_as(actor):
        User.objects.filter(pk=actor.pk).update(language=language)
    actor.language = language


# --- Second factor -------------------------------------------------------------------------------


def pending_totp_device(*, actor: User) -> TOTPDevice:
    """The unconfirmed authenticator ``actor`` is setting up (one per user, reused on reload)."""
    device = TOTPDevice.objects.filter(user=actor, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=actor, name=_("Authenticator app"), confirmed=False)
    return device


def confirm_totp_device(*, actor: User, device: TOTPDevice, token: str) -> list[str]:
    """Confirm ``device`` with a code from the app; replace older devices; return new backup codes."""
    if device.user_id != actor.pk or device.confirmed:
        raise NotAllowedError
    token = normalise_code(token)
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if not token.isdigit() or not locked.verify_token(token):
            raise DomainError(
                _("The code is not right. Check the time on your phone and enter the code now shown."), field="token"
            )
        TOTPDevice.objects.filter(user=actor).exclude(pk=locked.pk).delete()
        locked.confirmed = True
        locked.save(update_fields=["confirmed"])
        device.confirmed = True
        backup = _new_backup_codes(actor)
        _log_security_change(actor=actor, user=actor, what="second_factor", before="", after="configured")
    return backup


def verify_second_factor(*, actor: User, token: str) -> Device:
    """The device of ``actor`` that accepts ``token`` (a 6-digit TOTP code or a backup code).

    django-otp throttles each device (1, 2, 4 … seconds between attempts after failures); the
    failures are committed even though the caller is refused.
    """
    code = normalise_code(token)
    if not code:
        raise DomainError(_("Enter the code."), field="token")
    totp = code.isdigit() and len(code) == TOTP_DIGITS
    model: type[Device] = TOTPDevice if totp else StaticDevice
    refusal: str | None = None
    accepted: Device | None = None
    with transaction.atomic():
        for device in model.objects.select_for_update().filter(user=actor, confirmed=True):  # type: ignore[attr-defined]
            allowed, info = device.verify_is_allowed()
            if not allowed:
                until = (info or {}).get("locked_until")
                wait = max(int((until - timezone.now()).total_seconds()), 1) if until else 1
                refusal = _("Too many wrong codes. Wait %(seconds)d seconds and try again.") % {"seconds": wait}
                continue
            if device.verify_token(code):
                accepted = device
                break
    if accepted is not None:
        return accepted
    raise DomainError(
        refusal or _("The code is not right. Enter the code now shown by the app, or an unused backup code."),
        field="token",
    )


def _new_backup_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="backup", confirmed=True)
    tokens = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=t) for t in tokens])
    return tokens


def regenerate_backup_codes(*, actor: User) -> list[str]:
    """Replace ``actor``'s backup codes (the old ones stop working)."""
    if not TOTPDevice.objects.filter(user=actor, confirmed=True).exists():
        raise DomainError(_("Set up an authenticator app first."))
    with transaction.atomic():
        return _new_backup_codes(actor)


def format_backup_code(token: str) -> str:
    return f"{token[:4]}-{token[4:]}" if len(token) == 8 else token  # noqa: PLR2004  (django-otp's 8 characters)


def normalise_code(text: str) -> str:
    """A code as typed: full-width digits, spaces and hyphens allowed; backup codes are lower case."""
    allowed = set(string.ascii_letters + string.digits)
    return "".join(c for c in unicodedata.normalize("NFKC", text) if c in allowed).lower()


# --- Agencies ------------------------------------------------------------------------------------


def _agency_problems(
    *, actor: User, name: str, kind: str, region: Region, parent: Agency | None, credit_code: str, agency: Agency | None
) -> None:
    if not name:
        raise DomainError(_("Enter the agency's name."), field="name")
    if kind not in AgencyKind.values:
        raise DomainError(_("Choose the kind of agency."), field="kind")
    if not role_rules.may_place(actor.jurisdiction_id, region.code, is_superuser=actor.is_superuser):
        raise DomainError(_("%(region)s lies outside your jurisdiction.") % {"region": region}, field="region")
    if (agency is None or agency.region_id != region.code) and not region.active:
        raise DomainError(_("The region %(region)s is no longer in use.") % {"region": region}, field="region")
    if parent is not None:
        if agency is not None and (parent.pk == agency.pk or _is_ancestor(agency, parent)):
            raise DomainError(_("An agency cannot be its own parent unit."), field="parent")
        if not codes.is_within(region.code, parent.region_id):
            raise DomainError(
                _("The parent unit must belong to the same region or to a region above it."), field="parent"
            )
    if credit_code and not is_credit_code(credit_code):
        raise DomainError(
            _("Enter the 18-character unified social credit code; it is malformed or its last character is wrong."),
            field="credit_code",
        )
    duplicate = Agency.objects.filter(region=region, name=name)
    if agency is not None:
        duplicate = duplicate.exclude(pk=agency.pk)
    if duplicate.exists():
        raise DomainError(_("This region already has an agency of that name."), field="name")


def _is_ancestor(agency: Agency, candidate: Agency) -> bool:
    """Is ``agency`` above ``candidate`` in the chain of parent units?"""
    seen: set[int] = set()
    current: Agency | None = candidate
    while current is not None and current.pk not in seen:
        if current.parent_id == agency.pk:
            return True
        seen.add(current.pk)
        current = current.parent
    return False


def create_agency(
    *,
    actor: User,
    name: str,
    kind: str,
    region: Region,
    parent: Agency | None = None,
    credit_code: str = "",
    phone: str = "",
    address: str = "",
    is_active: bool = True,
) -> Agency:
    """Register an agency of ``actor``'s jurisdiction."""
    _require(manages_users(actor) and policy_for(Agency).can(actor, CREATE))
    name = " ".join(name.split())
    credit_code = credit_code.strip().upper()
    _agency_problems(
        actor=actor, name=name, kind=kind, region=region, parent=parent, credit_code=credit_code, agency=None
    )
    with transaction.atomic(), acting_as(actor):
        return Agency.objects.create(
            name=name,
            kind=kind,
            region=region,
            parent=parent,
            credit_code=credit_code,
            phone=phone.strip(),
            address=address.strip(),
            is_active=is_active,
            created_by=actor,
        )


def update_agency(
    *,
    actor: User,
    agency: Agency,
    name: str,
    kind: str,
    region: Region,
    parent: Agency | None = None,
    credit_code: str = "",
    phone: str = "",
    address: str = "",
    is_active: bool = True,
) -> Agency:
    """Change an agency of ``actor``'s jurisdiction (deactivate it rather than delete it)."""
    _require(manages_users(actor) and policy_for(Agency).can(actor, CHANGE, agency))
    name = " ".join(name.split())
    credit_code = credit_code.strip().upper()
    _agency_problems(
        actor=actor, name=name, kind=kind, region=region, parent=parent, credit_code=credit_code, agency=agency
    )
    with transaction.atomic(), acting_as(actor):
        locked = Agency.objects.select_for_update().get(pk=agency.pk)
        if region.code != locked.region_id:
            stranded = [
                u.username
                for u in locked.users.only("username", "jurisdiction_id")
                if not role_rules.agency_in_reach(u.jurisdiction_id or region.code, region.code)
            ]
            if stranded:
                raise DomainError(
                    _("Moving the agency would put it out of reach of its users: %(users)s.")
                    % {"users": "、".join(stranded[:10])},
                    field="region",
                )
        locked.name, locked.kind, locked.region, locked.parent = name, kind, region, parent
        locked.credit_code, locked.phone, locked.address, locked.is_active = (
            credit_code,
            phone.strip(),
            address.strip(),
            is_active,
        )
        locked.save()
    return locked


# --- Import --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportedAgency:
    """A new agency named in an import file (created once, whatever the number of its rows)."""

    name: str
    kind: str
    region_code: str


@dataclass(frozen=True)
class ImportedUser:
    """One checked row of an import: a new user (``user_id`` None) or an update."""

    username: str
    full_name: str
    phone: str
    region_code: str
    roles: tuple[Role, ...]
    agency_id: int | None = None
    new_agency: ImportedAgency | None = None
    user_id: int | None = None
    password_hash: str = ""  # new users: the hash of the temporary password


def import_users(
    *,
    actor: User,
    users: list[ImportedUser],
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Write the checked rows of an import in one transaction: all rows or none.

    The rows were checked against the same rules as the screens (``placement_problems``);
    password hashes are computed before, so that the transaction stays short. Every change
    is versioned under ``actor``.
    """
    if not manages_users(actor):
        raise NotAllowedError
    counts = {"created": 0, "updated": 0, "agencies_created": 0}
    now = timezone.now()
    with transaction.atomic(), acting_as(actor):
        new_agencies: dict[ImportedAgency, Agency] = {}
        for spec in dict.fromkeys(u.new_agency for u in users if u.new_agency is not None):
            new_agencies[spec] = Agency.objects.create(
                name=spec.name, kind=spec.kind, region_id=spec.region_code, created_by=actor
            )
            counts["agencies_created"] += 1
        existing = User.objects.select_for_update().in_bulk([u.user_id for u in users if u.user_id])
        for index, row in enumerate(users, start=1):
            agency_id = new_agencies[row.new_agency].pk if row.new_agency is not None else row.agency_id
            if row.user_id is None:
                user = User.objects.create(
                    username=row.username,
                    full_name=row.full_name,
                    phone=row.phone,
                    jurisdiction_id=row.region_code,
                    agency_id=agency_id,
                    password=row.password_hash,
                    must_change_password=True,
                    password_changed_at=now,
                    created_by=actor,
                )
                counts["created"] += 1
            else:
                user = existing[row.user_id]
                user.full_name, user.phone = row.full_name, row.phone
                user.jurisdiction_id, user.agency_id = row.region_code, agency_id
                user.save(update_fields=["full_name", "phone", "jurisdiction", "agency"])
                counts["updated"] += 1
            _set_roles(user=user, roles=row.roles, actor=actor)
            if progress is not None:
                progress(index, len(users))
    return counts
