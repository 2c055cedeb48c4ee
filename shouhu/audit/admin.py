"""The Django admin of the change log, for system administrators only.

auditlog's own admin searches ``actor__first_name``, which Shouhu's user model does not have
(names are one field): the search is replaced so that it works. It shows every change,
unscoped and without an access-log entry, hence superusers only (``shouhu.core.admin``).
Access-log entries are not in the admin at all: they are read on the auditors' screens, where
every read is itself logged.
"""

from __future__ import annotations

from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin

from shouhu.core.admin import SystemAdministratorsOnly


class ChangeLogAdmin(SystemAdministratorsOnly, LogEntryAdmin):  # type: ignore[misc]
    search_fields = ("object_repr", "object_pk", "actor__username", "actor__full_name")


admin.site.unregister(LogEntry)
admin.site.register(LogEntry, ChangeLogAdmin)
