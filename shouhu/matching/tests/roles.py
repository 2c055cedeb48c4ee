"""Actors of the test world (``conftest.actors``) by what matching lets them do."""

# The registry roles, wherever their jurisdiction is: they search, and open the queue.
SEARCHERS = (
    "village_director",
    "other_village_director",
    "township_supervisor",
    "other_township_supervisor",
    "county_caseworker",
    "other_county_caseworker",
    "intake_officer",
    "superuser",
)
