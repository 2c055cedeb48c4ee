"""Test helpers shared by every app: log-in as any role, and the permission matrix.

``assert_permission_matrix`` requests one URL as every actor of the test world and checks
that exactly the listed actors get through; everyone else gets the same answer as for a
missing object (404 by default). Every view and endpoint of every app is tested with it, so a
new role or a forgotten scope shows up as a failing row, not as a leak.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

if TYPE_CHECKING:
    from shouhu.accounts.models import User


# The actors of the test world (the ``actors`` fixture of the root conftest), one per role and place.
ACTORS = (
    "village_director",
    "other_village_director",
    "township_supervisor",
    "other_township_supervisor",
    "county_caseworker",
    "other_county_caseworker",
    "intake_officer",
    "department_liaison",
    "mandated_reporter",
    "plan_monitor",
    "auditor",
    "county_admin",
    "other_county_admin",
    "city_admin",
    "superuser",
)
# The registry's roles, wherever their jurisdiction, and the superuser: who registers, imports,
# exports and searches for a child (each within what the policies let them see).
REGISTRY_ACTORS = (
    "village_director",
    "other_village_director",
    "township_supervisor",
    "other_township_supervisor",
    "county_caseworker",
    "other_county_caseworker",
    "intake_officer",
    "superuser",
)


def login(client: Client, user: User) -> Client:
    """Log ``user`` in on ``client``, with a verified second factor where the role needs one."""
    client.force_login(user)
    if user.needs_second_factor:
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client


@dataclass
class MatrixResult:
    rows: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        return "\n".join(f"  {actor:<28} {status}" for actor, status in self.rows.items())


def assert_permission_matrix(
    actors: Mapping[str, User],
    *,
    url: str,
    allowed: Iterable[str],
    method: str = "get",
    data: Any = None,
    ok: Iterable[int] = (200,),
    denied: Iterable[int] = (404,),
    anonymous: Iterable[int] = (302,),
    client_factory: Callable[[], Client] = Client,
    content_type: str | None = None,
    setup: Callable[[], Any] | None = None,
) -> MatrixResult:
    """Request ``url`` as anonymous and as every actor; fail on any unexpected status.

    ``allowed`` names the actors that must get one of ``ok``; all other actors must get one
    of ``denied``; the anonymous visitor one of ``anonymous``. ``setup`` runs before each
    request (e.g. to recreate an object a successful POST deleted).
    """
    allowed = set(allowed)
    unknown = allowed - set(actors)
    if unknown:
        raise AssertionError(f"allowed names actors the world does not have: {sorted(unknown)}")
    ok, denied, anonymous = set(ok), set(denied), set(anonymous)
    result = MatrixResult()
    failures: list[str] = []

    def request(client: Client) -> int:
        if setup is not None:
            setup()
        kwargs: dict[str, Any] = {}
        if data is not None:
            kwargs["data"] = data
        if content_type is not None:
            kwargs["content_type"] = content_type
        return int(getattr(client, method)(url, **kwargs).status_code)

    status = request(client_factory())
    result.rows["(anonymous)"] = status
    if status not in anonymous:
        failures.append(f"(anonymous) got {status}, expected one of {sorted(anonymous)}")
    for name, user in actors.items():
        client = login(client_factory(), user)
        status = request(client)
        result.rows[name] = status
        expected = ok if name in allowed else denied
        if status not in expected:
            verdict = "allowed" if name in allowed else "denied"
            failures.append(f"{name} ({verdict}) got {status}, expected one of {sorted(expected)}")
    if failures:
        raise AssertionError(
            f"permission matrix of {method.upper()} {url} failed:\n  "
            + "\n  ".join(failures)
            + f"\nall rows:\n{result}"
        )
    return result
