"""Users, their agencies and roles, and the API tokens of partner systems."""

from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shouhu.accounts import roles as role_rules
from shouhu.accounts.choices import AgencyKind, Role
from shouhu.core.models import TimeStampedModel
from shouhu.regions import codes


class Agency(TimeStampedModel):
    """A unit a user works for: a lead or responsible department, or a reporting institution."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=40, choices=AgencyKind.choices, db_index=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="agencies"
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), on_delete=models.PROTECT, null=True, blank=True, related_name="units"
    )
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["region_id", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="agency_unique_name_in_region")]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who works in Shouhu: one agency, one jurisdiction, one or more roles."""

    first_name = None  # type: ignore[assignment]  # Chinese names are one field: full_name
    last_name = None  # type: ignore[assignment]

    full_name = models.CharField(_("full name"), max_length=60)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    jurisdiction = models.ForeignKey(
        "regions.Region",
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The region whose data this user works on."),
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    must_change_password = models.BooleanField(_("must change password at next log-in"), default=False)
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    deactivated_at = models.DateTimeField(_("deactivated at"), null=True, blank=True)
    created_by = models.ForeignKey(
        "self", verbose_name=_("created by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = UserManager()  # type: ignore[misc]

    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]
        indexes = [models.Index(fields=["jurisdiction", "is_active"], name="user_jurisdiction_active")]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.username})" if self.full_name else self.username

    def get_full_name(self) -> str:
        return self.full_name or self.username

    def get_short_name(self) -> str:
        return self.full_name or self.username

    @cached_property
    def roles(self) -> frozenset[Role]:
        """The user's roles (one query, or none after ``prefetch_related('role_assignments')``)."""
        return frozenset(Role(a.role) for a in self.role_assignments.all())

    def has_role(self, *roles: Role) -> bool:
        return any(r in self.roles for r in roles)

    @property
    def jurisdiction_code(self) -> str:
        return self.jurisdiction_id or ""

    def covers(self, code: str) -> bool:
        """Does this user's jurisdiction contain region ``code``?"""
        if not self.jurisdiction_id or not code:
            return False
        return codes.is_within(code, self.jurisdiction_id)

    @property
    def needs_second_factor(self) -> bool:
        return role_rules.needs_second_factor(self.roles, is_superuser=self.is_superuser)

    @property
    def is_administrator(self) -> bool:
        return self.is_superuser or bool(self.roles & role_rules.ADMIN_ROLES)


class RoleAssignment(models.Model):
    """One role held by one user; the rows answer "who holds which role where"."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, db_index=True)
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    granted_by = models.ForeignKey(
        User, verbose_name=_("granted by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="role_assignment_unique")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.role}"


class ApiToken(models.Model):
    """A bearer token of a partner system. Only a hash is stored; the key is shown once."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, unique=True)
    key_hash = models.CharField(_("key hash"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        User, verbose_name=_("created by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
