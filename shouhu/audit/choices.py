"""Choices of the audit app: verification triggers and problems, labels of access actions."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shouhu.core.accesslog import AccessAction


class VerificationTrigger(models.TextChoices):
    """What started a verification of the access-log chain."""

    COMMAND = "command", _("Command line")
    JOB = "job", _("Requested on screen")
    SCHEDULE = "schedule", _("Daily schedule")


class ChainProblem(models.TextChoices):
    """What a verification found wrong at the first broken link."""

    ALTERED = "altered", _("Entry altered")
    MISSING = "missing", _("Entry missing")
    INSERTED = "inserted", _("Entry inserted")
    LINK_BROKEN = "link_broken", _("Link to the previous entry broken")
    TRUNCATED = "truncated", _("Entries deleted at the end")
    HEAD_ALTERED = "head_altered", _("Chain head altered")
    HEAD_MISSING = "head_missing", _("Chain head missing")


# Short words get the message context "audit": catalogues of apps listed earlier in
# INSTALLED_APPS (Django's, DRF's) would otherwise translate them for another meaning.

# Labels of the actions that ``shouhu.core.accesslog.AccessAction`` defines; an action added
# there later shows its stored value until it gets a label here.
ACTION_LABELS = {
    AccessAction.VIEW: pgettext_lazy("audit", "View"),
    AccessAction.SEARCH: pgettext_lazy("audit", "Search"),
    AccessAction.EXPORT: pgettext_lazy("audit", "Export"),
    AccessAction.REVEAL: pgettext_lazy("audit", "Reveal in full"),
    AccessAction.DOWNLOAD: pgettext_lazy("audit", "Download"),
    AccessAction.LOGIN: pgettext_lazy("audit", "Log-in"),
    AccessAction.LOGIN_FAILED: pgettext_lazy("audit", "Failed log-in"),
    AccessAction.LOGOUT: pgettext_lazy("audit", "Log-out"),
}


def access_actions() -> list[str]:
    """Every action value ``AccessAction`` defines, in its order."""
    return [value for name, value in vars(AccessAction).items() if name.isupper() and isinstance(value, str)]


def access_action_choices() -> list[tuple[str, str]]:
    return [(value, str(ACTION_LABELS.get(value, value))) for value in access_actions()]


def access_action_label(value: str) -> str:
    return str(ACTION_LABELS.get(value, value))


# What a verification reports, by kind of break (placeholders come from ``chain.Break.params``).
CHAIN_MESSAGES = {
    "altered": _("Entry #%(seq)s does not match its hash: its content was altered, or it was forged without the key."),
    "checkpoint_differs": _(
        "Entry #%(seq)s differs from the entry that an earlier verification found intact: it was rewritten."
    ),
    "missing_one": _("Entry #%(first)s is missing: #%(prev)s is followed by #%(next)s."),
    "missing_many": _("Entries #%(first)s to #%(last)s are missing: #%(prev)s is followed by #%(next)s."),
    "anchor_missing": _("Entry #%(seq)s, the starting point of this verification, is missing."),
    "inserted_out_of_order": _("Entry #%(seq)s is out of sequence after #%(prev)s: it was inserted outside the log."),
    "inserted_beyond_head": _(
        "Entry #%(seq)s lies beyond the chain head (#%(head)s): it was inserted outside the log."
    ),
    "link_broken": _("Entry #%(seq)s does not point to the hash of entry #%(prev)s."),
    "truncated": _("The chain head is at #%(head)s but the last entry is #%(last)s: entries were deleted at the end."),
    "shorter_than_checkpoint": _(
        "The log ends at #%(last)s but an earlier verification reached #%(checkpoint)s: "
        "entries were deleted at the end and the chain head was set back."
    ),
    "head_altered": _("The chain head (#%(head)s) was changed outside the log: its seal does not match."),
    "head_missing": _("The chain head is missing although the log has entries."),
}


def describe_break(kind: str, params: dict[str, object]) -> str:
    """The sentence for a break, in the active language."""
    template = CHAIN_MESSAGES.get(kind)
    if template is None:
        return kind
    return str(template) % params


# django-auditlog's ``LogEntry.Action`` values, labelled for the change log.
ACCESSED = 3  # auditlog's read logging, not used by Shouhu (reads go to the access log)
CHANGE_ACTION_LABELS = {
    0: pgettext_lazy("audit", "Created"),
    1: pgettext_lazy("audit", "Changed"),
    2: pgettext_lazy("audit", "Deleted"),
    3: pgettext_lazy("audit", "Accessed"),
}


def change_action_choices() -> list[tuple[str, str]]:
    return [(str(value), str(label)) for value, label in CHANGE_ACTION_LABELS.items() if value != ACCESSED]
