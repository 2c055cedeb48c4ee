"""The Django admin (system administrators only) for the change log.

auditlog's own admin searches ``actor__first_name``, which Shouhu's user model does not have
(names are one field): the search is replaced so that it works. Access-log entries are not in
the admin at all: they are read on the auditors' screens, where every read is itself logged.
"""

from __future__ import annotations

from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin


class ChangeLogAdmin(LogEntryAdmin):  # type: ignore[misc]
    search_fields = ("object_repr", "object_pk", "actor__username", "actor__full_name")


admin.site.unregister(LogEntry)
admin.site.register(LogEntry, ChangeLogAdmin)
