"""Menu entries of the audit screens (auditors and system administrators)."""

from django.utils.translation import gettext_lazy as _

from shouhu.audit.permissions import is_auditor
from shouhu.core.navigation import NavItem

ITEMS = [
    NavItem(
        label=_("Access log"),
        url_name="audit:access_log",
        icon="journal-text",
        visible=is_auditor,
        section="audit",
        order=10,
    ),
    NavItem(
        label=_("Change log"),
        url_name="audit:changes",
        icon="clock-history",
        visible=is_auditor,
        section="audit",
        order=20,
    ),
]
