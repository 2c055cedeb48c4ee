"""Change-log entries (django-auditlog) made readable: field by field, before and after.

auditlog stores each change as ``{field: [old, new]}`` with values as strings (``"None"``
for nothing, foreign keys as primary keys, choices as codes, instants as naive UTC).
``describe_entries`` turns a page of entries into ``ChangeRecord``s with the fields' verbose
names, choice labels, the names of related rows (one query per related model for the whole
page, not one per value) and local times. Values of masked fields are shown as auditlog
stored them — masked — and never looked up.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from auditlog.diff import get_mask_function
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from shouhu.audit.choices import CHANGE_ACTION_LABELS

# Shown hidden even when a model's registration forgot to exclude or mask them.
ALWAYS_HIDDEN_FIELDS = frozenset({"password"})
HIDDEN = "******"
NOTHING = {"None", ""}
MAX_VALUE_LENGTH = 300


@dataclass(frozen=True)
class FieldChange:
    """One field of one change: its name, label, value before and after."""

    name: str
    label: str
    old: str
    new: str
    masked: bool = False


@dataclass(frozen=True)
class ChangeRecord:
    """One change-log entry ready for a template, a spreadsheet or the API."""

    entry_id: int
    at: datetime
    action: int
    action_label: str
    actor_id: int | None
    actor_name: str
    actor_username: str
    record_type: str
    record_type_label: str
    object_pk: str
    object_repr: str
    remote_addr: str | None
    fields: tuple[FieldChange, ...]


def record_type(entry: LogEntry) -> str:
    """``app_label.model`` of the changed record."""
    return f"{entry.content_type.app_label}.{entry.content_type.model}"


def record_type_label(model: type[models.Model] | None, fallback: str) -> str:
    return str(capfirst(model._meta.verbose_name)) if model is not None else fallback


def _changes_of(entry: LogEntry) -> dict[str, Any]:
    changes = entry.changes
    if isinstance(changes, str):  # rows written by older auditlog versions
        try:
            changes = json.loads(changes)
        except ValueError:
            return {}
    return changes if isinstance(changes, dict) else {}


def _field(model: type[models.Model] | None, name: str) -> models.Field[Any, Any] | None:
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


def _is_reverse_relation(model: type[models.Model] | None, name: str) -> bool:
    """auditlog records reverse relations on creation ("regions.Region.None"): noise, not data."""
    if model is None:
        return False
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return not isinstance(field, models.Field)


def _is_reference(field: models.Field[Any, Any] | None) -> bool:
    return field is not None and bool(field.many_to_one or field.one_to_one) and field.related_model is not None


def _masked_fields(model: type[models.Model] | None) -> frozenset[str]:
    if model is None or not auditlog.contains(model):
        return frozenset()
    return frozenset(auditlog.get_model_fields(model)["mask_fields"])


def _masked_nothing(model: type[models.Model] | None) -> str:
    """How auditlog stored "no value" of a masked field of ``model`` (it masks the text "None")."""
    if model is None or not auditlog.contains(model):
        return "None"
    return str(get_mask_function(auditlog.get_model_fields(model).get("mask_callable"))("None"))


def _label_of(model: type[models.Model] | None, field: models.Field[Any, Any] | None, name: str) -> str:
    if model is not None and auditlog.contains(model):
        mapped = auditlog.get_model_fields(model)["mapping_fields"].get(name)
        if mapped:
            return str(mapped)
    if field is not None:
        return str(capfirst(field.verbose_name))
    return name


def _truncate(value: str) -> str:
    return value if len(value) <= MAX_VALUE_LENGTH else value[: MAX_VALUE_LENGTH - 1] + "…"


def _local_instant(value: str) -> str:
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_naive(instant):
        instant = instant.replace(tzinfo=UTC)  # auditlog keeps instants as naive UTC
    return str(formats.localize(timezone.localtime(instant)))


class _References:
    """Names of the rows that foreign-key values point to, fetched once per related model."""

    def __init__(self) -> None:
        self.wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
        self.names: dict[tuple[type[models.Model], str], str] = {}

    def want(self, field: models.Field[Any, Any], raw: Any) -> None:
        if raw is None or str(raw) in NOTHING:
            return
        related = field.related_model
        assert isinstance(related, type)  # noqa: S101  (guarded by _is_reference)
        try:
            self.wanted[related].add(related._meta.pk.to_python(raw))  # type: ignore[union-attr]
        except ValidationError:
            return

    def fetch(self) -> None:
        for related, keys in self.wanted.items():
            for pk, obj in related._base_manager.in_bulk(list(keys)).items():
                self.names[(related, str(pk))] = str(obj)

    def name(self, field: models.Field[Any, Any], raw: str) -> str:
        related = field.related_model
        name = self.names.get((related, raw)) if isinstance(related, type) else None  # type: ignore[arg-type]
        return name if name is not None else _("deleted row (%(pk)s)") % {"pk": raw}


def _display(field: models.Field[Any, Any] | None, raw: Any, references: _References) -> str:
    if raw is None or (isinstance(raw, str) and raw in NOTHING):
        return ""
    text = raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False)
    if field is None:
        return _truncate(text)
    if _is_reference(field):
        return _truncate(references.name(field, text))
    if field.flatchoices:
        labels = {str(value): label for value, label in field.flatchoices}
        return _truncate(str(labels.get(text, text)))
    if isinstance(field, models.BooleanField):
        return {"True": _("Yes"), "False": _("No")}.get(text, text)
    if isinstance(field, models.DateTimeField):
        return _local_instant(text)
    return _truncate(text)


def _field_order(model: type[models.Model] | None, names: Iterable[str]) -> list[str]:
    def key(name: str) -> tuple[int, str]:
        field = _field(model, name)
        return (field.creation_counter if field is not None else 1 << 30, name)

    return sorted(names, key=key)


def _actor_name(entry: LogEntry) -> str:
    actor = entry.actor
    if actor is not None:
        return str(actor.get_full_name() or actor.get_username())
    return entry.actor_email or _("system")


def describe_entries(entries: Sequence[LogEntry]) -> list[ChangeRecord]:
    """Readable ``ChangeRecord``s of ``entries`` (fetched with ``select_related("actor", "content_type")``)."""
    references = _References()
    prepared: list[tuple[LogEntry, type[models.Model] | None, dict[str, Any]]] = []
    for entry in entries:
        model = entry.content_type.model_class()
        changes = _changes_of(entry)
        masked = _masked_fields(model) | ALWAYS_HIDDEN_FIELDS
        for name, values in changes.items():
            field = _field(model, name)
            if name in masked or not _is_reference(field) or not isinstance(values, list | tuple):
                continue
            assert field is not None  # noqa: S101  (checked by _is_reference)
            for raw in values[:2]:
                references.want(field, raw)
        prepared.append((entry, model, changes))
    references.fetch()
    return [_describe(entry, model, changes, references) for entry, model, changes in prepared]


def _describe(
    entry: LogEntry, model: type[models.Model] | None, changes: dict[str, Any], references: _References
) -> ChangeRecord:
    masked = _masked_fields(model)
    masked_nothing = _masked_nothing(model) if masked else "None"
    fields: list[FieldChange] = []
    for name in _field_order(model, changes):
        if _is_reverse_relation(model, name):
            continue
        values = changes[name]
        field = _field(model, name)
        label = _label_of(model, field, name)
        if isinstance(values, dict) and values.get("type") == "m2m":
            objects = ", ".join(str(o) for o in values.get("objects", []))
            added = values.get("operation") == "add"
            fields.append(FieldChange(name, label, "" if added else objects, objects if added else ""))
            continue
        if not isinstance(values, list | tuple) or len(values) != 2:  # noqa: PLR2004  ([old, new])
            continue
        if name in ALWAYS_HIDDEN_FIELDS:
            fields.append(FieldChange(name, label, HIDDEN, HIDDEN, masked=True))
            continue
        if name in masked:
            old, new = ("" if str(v) in NOTHING or str(v) == masked_nothing else str(v) for v in values)
        else:
            old, new = (_display(field, v, references) for v in values)
        # Creation has no "before" and deletion no "after", whatever auditlog wrote there.
        if entry.action == LogEntry.Action.CREATE:
            old = ""
        elif entry.action == LogEntry.Action.DELETE:
            new = ""
        if old == new == "":
            continue
        fields.append(FieldChange(name, label, old, new, masked=name in masked))
    kind = record_type(entry)
    return ChangeRecord(
        entry_id=entry.pk,
        at=entry.timestamp,
        action=entry.action,
        action_label=str(CHANGE_ACTION_LABELS.get(entry.action, entry.action)),
        actor_id=entry.actor_id,
        actor_name=_actor_name(entry),
        actor_username=entry.actor.get_username() if entry.actor is not None else "",
        record_type=kind,
        record_type_label=record_type_label(model, kind),
        object_pk=entry.object_pk,
        object_repr=entry.object_repr,
        remote_addr=entry.remote_addr,
        fields=tuple(fields),
    )


def registered_record_types() -> list[tuple[str, str]]:
    """``(app_label.model, label)`` of every model versioned by auditlog, for filters."""
    found = [
        (model._meta.label_lower, record_type_label(model, model._meta.label_lower)) for model in auditlog.get_models()
    ]
    return sorted(found, key=lambda item: item[1])
