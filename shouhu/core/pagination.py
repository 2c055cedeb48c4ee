"""Page-numbered lists of the HTML screens: one way to read the page and to show the pager.

A view calls ``paginate(request, items)`` and its template includes ``core/_pagination.html``
with ``page_obj``; the pager's links keep every other query parameter (the filters). Lists too
long to count (the audit logs) page by key instead (``shouhu.audit.selectors.keyset_page``).
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PER_PAGE = 50


def paginate(request: HttpRequest, items: QuerySet[Any] | list[Any], per_page: int = PER_PAGE) -> Page[Any]:
    """The page of ``items`` named by the ``page`` parameter (the first, or the last if it is too high)."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))
