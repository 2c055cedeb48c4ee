"""Menu entries of the child registry, for the roles that keep or oversee children's files."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from shouhu.core.navigation import NavItem
from shouhu.core.policy import CREATE, VIEW, policy_for
from shouhu.registry.models import Child


def _sees_children(user: Any) -> bool:
    return policy_for(Child).can(user, VIEW)


def _registers_children(user: Any) -> bool:
    return policy_for(Child).can(user, CREATE)


ITEMS = [
    NavItem(_("Children's files"), "registry:list", "people", _sees_children, section="work", order=10),
    NavItem(_("Register a child"), "registry:create", "person-plus", _registers_children, section="work", order=11),
]
