"""Menu entries: every staff member can read the settings; city administrators change them."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from shouhu.core.navigation import NavItem
from shouhu.core.policy import CREATE, VIEW
from shouhu.policy.permissions import policy_value_policy


def _may_read(user: Any) -> bool:
    return policy_value_policy.can(user, VIEW)


def _may_change(user: Any) -> bool:
    return policy_value_policy.can(user, CREATE)


ITEMS = [
    NavItem(
        label=_("Deadlines and policy settings"),
        url_name="policy:list",
        icon="clock-history",
        visible=lambda user: _may_read(user) and not _may_change(user),
        section="help",
        order=10,
    ),
    NavItem(
        label=_("Policy settings"),
        url_name="policy:list",
        icon="sliders",
        visible=_may_change,
        section="admin",
        order=40,
    ),
]
