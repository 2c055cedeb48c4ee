"""What the matching engine knows of a person: one plain record, whatever it came from.

Pure module. Source: issue 4 ("A person record is: names (and former names), sex (optional), birth
date or an approximate age, identity number (optional), phones, region code, address text, guardian
names") and docs/architecture.md ("Matching"). A registry child, a report's description of a child
("王晓明, about 9, in 李家村"), an import row or a street child's answers all become a
``PersonRecord``; nothing in it is validated here — the engine reads what it can and says what it
could not use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """A person as the engine compares them. Every field may be empty or wrong."""

    names: tuple[str, ...] = ()  # current name first, then former names
    sex: str | None = None  # "male" | "female" | None (registry.choices.Sex values)
    birth_date: date | None = None
    birth_year: int | None = None  # only the year is known
    age: int | None = None  # an approximate age in completed years ("about 9") …
    on: date | None = None  # … on this day (default: the day of the comparison)
    id_number: str = ""  # as typed, possibly invalid; clear text, never stored by matching
    id_number_hash: str = ""  # the registry's keyed hash (exact look-up)
    phones: tuple[str, ...] = ()
    region_code: str = ""  # a division code or prefix (village 12 digits, township 9, county 6)
    address: str = ""
    guardian_names: tuple[str, ...] = ()
    guardian_phones: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The current name, or "" when none is known."""
        return self.names[0] if self.names else ""
