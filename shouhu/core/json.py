"""JSON for model fields whose text must stay searchable."""

from __future__ import annotations

from typing import Any

from django.core.serializers.json import DjangoJSONEncoder


class LiteralJSONEncoder(DjangoJSONEncoder):
    """Writes non-ASCII characters as themselves, not as ``\\uXXXX`` escapes.

    PostgreSQL's ``jsonb`` does so anyway; SQLite keeps the text as written, so without this a
    search inside a list of Chinese names (``former_names__icontains="狗蛋"``) finds nothing there.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["ensure_ascii"] = False
        super().__init__(*args, **kwargs)
