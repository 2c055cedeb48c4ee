"""Writing the access log."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shouhu.audit import chain
from shouhu.audit.models import AccessEvent, ChainHead

if TYPE_CHECKING:
    from django.http import HttpRequest

HEAD_ID = 1


def client_ip(request: HttpRequest) -> str | None:
    """The client address; behind the documented nginx the proxy's REMOTE_ADDR is replaced."""
    return request.META.get("REMOTE_ADDR") or None


def append_access_event(
    *,
    actor: Any,
    action: str,
    object_type: str,
    object_id: str,
    region_code: str,
    summary: str,
    detail: dict[str, Any],
    reason: str,
    request: HttpRequest | None,
) -> AccessEvent:
    """Append one entry to the chain (serialised on the chain head row)."""
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    event = AccessEvent(
        at=timezone.now(),
        actor=actor if authenticated else None,
        actor_username=(actor.get_username() if authenticated else str(detail.get("username", "")))[:150],
        actor_region=(getattr(actor, "jurisdiction_id", None) or "") if authenticated else "",
        action=action,
        object_type=object_type,
        object_id=object_id[:64],
        region_code=region_code,
        summary=summary[:255],
        detail=detail,
        reason=reason,
    )
    if request is not None:
        # Normalised as the database will store it, so that the hash matches what is read back.
        event.ip = AccessEvent._meta.get_field("ip").get_prep_value(client_ip(request))
        event.user_agent = request.META.get("HTTP_USER_AGENT", "")[:255]
        event.request_path = request.get_full_path()[:255]
    with transaction.atomic():
        head, _ = ChainHead.objects.select_for_update().get_or_create(pk=HEAD_ID, defaults={"hash": chain.GENESIS})
        event.seq = head.seq + 1
        event.prev_hash = head.hash
        event.hash = chain.link(settings.SHOUHU_AUDIT_KEY, head.hash, event.hashed_content())
        event.save()
        head.seq, head.hash = event.seq, event.hash
        head.save(update_fields=["seq", "hash"])
    return event


def write_access_event(**kwargs: Any) -> None:
    """The writer installed into ``shouhu.core.accesslog``."""
    append_access_event(**kwargs)
