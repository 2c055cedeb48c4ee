"""The rows a merge moves from one child's file to another: a registry of links.

Each app whose rows belong to a child registers the foreign key that ties them to the file
(``register_link(model, "child")``), so that ``services.merge`` moves them to the kept file and
``services.unmerge`` moves them back; a later app (reports, cases, visits, benefits) registers its
own links in its ``AppConfig.ready`` without matching knowing of it. A link may say which rows must
stay where they are (``conflict``): the kept file already has that relation, that current
entrusted care, that active decision. Rows left are recorded with the reason, never dropped.

Rows that carry the child's village code (``village_field``) take the kept file's village with them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_noop

from shouhu.registry.choices import Relation
from shouhu.registry.facts import Reason
from shouhu.registry.models import CategoryOverride, Child, EntrustedCare, Kinship

# ``conflict(row, rows_of_the_kept_file)``: why ``row`` must stay on the merged file, or None.
Conflict = Callable[[Any, Sequence[Any]], Reason | None]


@dataclass(frozen=True)
class Link:
    """A foreign key from ``model`` to ``Child`` that a merge follows."""

    model: type[models.Model]
    field: str
    village_field: str | None = None
    conflict: Conflict | None = None

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.field}"

    @property
    def attname(self) -> str:
        return str(self.model._meta.get_field(self.field).attname)  # type: ignore[union-attr]


_LINKS: dict[tuple[type[models.Model], str], Link] = {}


def register_link(
    model: type[models.Model], field: str, *, village_field: str | None = None, conflict: Conflict | None = None
) -> Link:
    """Make merges move ``model`` rows whose ``field`` points at the merged file.

    ``village_field`` names the row's copy of the child's village code (it follows the kept file);
    by default ``village_code`` when the model has one.
    """
    target = model._meta.get_field(field)
    if not isinstance(target, models.ForeignKey) or target.related_model is not Child:
        raise ValueError(f"{model._meta.label}.{field} is not a foreign key to Child")
    if village_field is None and any(f.name == "village_code" for f in model._meta.concrete_fields):
        village_field = "village_code"
    link = Link(model=model, field=field, village_field=village_field, conflict=conflict)
    _LINKS[(model, field)] = link
    return link


def registered_links() -> list[Link]:
    """The links a merge follows, in registration order."""
    return list(_LINKS.values())


def link_for(model: type[models.Model], field: str) -> Link | None:
    return _LINKS.get((model, field))


# -- the registry's own links ---------------------------------------------------------------------

PARENT_GROUPS = (
    frozenset({Relation.FATHER, Relation.ADOPTIVE_FATHER}),
    frozenset({Relation.MOTHER, Relation.ADOPTIVE_MOTHER}),
)


def kinship_conflict(row: Kinship, kept: Sequence[Kinship]) -> Reason | None:
    """A relation stays on the merged file when the kept file already relates to that person, or
    already has a father (or mother): a file has one of each (``registry.services``' rule)."""
    if any(k.person_id == row.person_id for k in kept):
        return Reason(gettext_noop("The kept file already has this family member."), {"relation": row.relation})
    for group in PARENT_GROUPS:
        if row.relation in group and any(k.relation in group for k in kept):
            return Reason(
                gettext_noop("The kept file already has a %(relation)s; check which record is right."),
                {"relation": row.relation},
            )
    return None


def entrusted_care_conflict(row: EntrustedCare, kept: Sequence[EntrustedCare]) -> Reason | None:
    """A current entrusted care stays when the kept file has a current one: a child has one carer at a time."""
    if row.until is None and any(c.until is None for c in kept):
        return Reason(gettext_noop("The kept file already has a current entrusted carer."))
    return None


def override_conflict(row: CategoryOverride, kept: Sequence[CategoryOverride]) -> Reason | None:
    """An active category decision stays when the kept file has an active one on the same category."""
    if row.withdrawn_at is None and any(o.withdrawn_at is None and o.category == row.category for o in kept):
        return Reason(gettext_noop("The kept file already has a decision on %(category)s."), {"category": row.category})
    return None


def register_registry_links() -> None:
    """The registry's rows of a file: family relations, entrusted care, category decisions.

    Categories (``Classification``) are not moved: they are computed again for both files by the
    registry's services; family members (``Person``) follow their relations.
    """
    register_link(Kinship, "child", conflict=kinship_conflict)
    register_link(EntrustedCare, "child", conflict=entrusted_care_conflict)
    register_link(CategoryOverride, "child", conflict=override_conflict)
