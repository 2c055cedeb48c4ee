"""Screens of the regions app: the region browser and the history of division imports."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from shouhu.core.pagination import paginate
from shouhu.core.policy import VIEW, policy_for
from shouhu.regions import codes, selectors
from shouhu.regions.choices import Level
from shouhu.regions.forms import RegionSearchForm
from shouhu.regions.models import DivisionImport, Region

IMPORTS_PER_PAGE = 20


@login_required
def browse(request: HttpRequest) -> HttpResponse:
    """The region browser at the user's root: the jurisdiction (the country for a system administrator)."""
    root = selectors.root_code(request.user)
    if root is None and not request.user.is_superuser:
        return render(request, "regions/no_jurisdiction.html")
    region = policy_for(Region).get_or_404(request.user, VIEW, code=root) if root else None
    return _region_page(request, region)


@login_required
def detail(request: HttpRequest, code: str) -> HttpResponse:
    """One region: its path, its facts, its children with their counts, and a search inside it."""
    region = policy_for(Region).get_or_404(request.user, VIEW, code=code)
    return _region_page(request, region)


def _region_page(request: HttpRequest, region: Region | None) -> HttpResponse:
    user = request.user
    code = region.code if region else None
    form = RegionSearchForm(request.GET or None)
    results: list[Region] | None = None
    more = False
    if form.is_bound and form.is_valid() and form.cleaned_data["q"]:
        matches = selectors.search_regions(user, form.cleaned_data["q"], within=code).select_related("parent")
        found = list(matches[: selectors.SEARCH_LIMIT + 1])
        results, more = found[: selectors.SEARCH_LIMIT], len(found) > selectors.SEARCH_LIMIT
    context: dict[str, Any] = {
        "region": region,
        "form": form,
        "results": results,
        "more_results": more,
        "search_limit": selectors.SEARCH_LIMIT,
    }
    if getattr(request, "htmx", False) and form.is_bound:
        return render(request, "regions/_search_results.html", context)
    root = selectors.root_code(user)
    context.update(
        crumbs=selectors.path_of(user, region) if region else [],
        is_root=code == root,
        children=selectors.children_with_counts(user, code),
        level_counts=[c for c in selectors.level_counts(user, code) if c.total and _below(c.level, region)],
    )
    return render(request, "regions/region.html", context)


@login_required
def imports(request: HttpRequest) -> HttpResponse:
    """The history of division imports, for system administrators; others get 404."""
    if not policy_for(DivisionImport).can(request.user, VIEW):
        raise Http404
    page = paginate(request, selectors.import_history(request.user), IMPORTS_PER_PAGE)
    return render(request, "regions/imports.html", {"page_obj": page, "imports": page.object_list})


def _below(level: Level, region: Region | None) -> bool:
    """Is ``level`` under the level of ``region`` (the region's own level is not counted)?"""
    return region is None or codes.LEVEL_ORDER.index(level) > codes.LEVEL_ORDER.index(Level(region.level))
