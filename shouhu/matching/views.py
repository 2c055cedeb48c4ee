"""Screens of matching: the identity search, the review queue, a pair, merges and de-duplication runs.

Views are thin (STYLE.md): they fetch through the policies (``permissions``) and selectors, validate
with a form, call one service and render; not allowed and not found are both 404. Every page that
shows children's files writes the access log (the search through ``search.search``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shouhu.accounts.choices import AgencyKind
from shouhu.accounts.models import Agency, User
from shouhu.core.accesslog import AccessAction, record_access
from shouhu.core.errors import DomainError, NotAllowedError
from shouhu.core.models import Job
from shouhu.core.pagination import paginate
from shouhu.core.policy import VIEW, policy_for
from shouhu.matching import jobs, permissions, search, selectors, services
from shouhu.matching.engine import Band
from shouhu.matching.forms import (
    DecisionForm,
    DeduplicationForm,
    MergeForm,
    ProposeForm,
    QueueFilterForm,
    SearchForm,
    UnmergeForm,
)
from shouhu.matching.models import Merge, MergedRow, PairReview, ReviewStatus
from shouhu.matching.record import PersonRecord
from shouhu.policy import selectors as policy_selectors
from shouhu.regions import codes
from shouhu.regions.models import Region
from shouhu.registry.models import Child, Kinship
from shouhu.registry.permissions import registry_scope_code
from shouhu.registry.views import apply_error, registry_view

if TYPE_CHECKING:
    from shouhu.matching.engine import Match

CHILD = "registry.child"
PAIR = "matching.pairreview"
PER_PAGE = 30
RESULTS = 10
CITY_DIGITS = 4


def _actor(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _may_review(user: User) -> bool:
    return permissions.role_allows(user, VIEW) and registry_scope_code(user) is not None


def _log_files(request: HttpRequest, children: list[Child], summary: str, **detail: Any) -> None:
    """A page showing children's files: one access-log entry per file."""
    for child in children:
        record_access(
            actor=_actor(request),
            action=AccessAction.VIEW,
            object_type=CHILD,
            object_id=child.pk,
            region_code=child.village_id,
            summary=summary,
            detail=detail,
            request=request,
        )


# --- the identity search ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    """Whom to ask about a file the searcher may not open (nothing of the file itself)."""

    name: str
    phone: str


def _contact(user: User) -> Contact | None:
    """The civil-affairs bureau of the searcher's city: it sees every county of the city."""
    code = user.jurisdiction_id or ""
    if len(code) < CITY_DIGITS:
        return None
    agency = (
        Agency.objects.filter(kind=AgencyKind.CIVIL_AFFAIRS, is_active=True, region_id=codes.pad(code[:CITY_DIGITS]))
        .order_by("pk")
        .first()
    )
    return Contact(agency.name, agency.phone) if agency is not None else None


@registry_view
def identity_search(request: HttpRequest) -> HttpResponse:
    """Who is this child? Files that may be theirs, best first, with the evidence for and against."""
    user = _actor(request)
    if not permissions.may_search(user):
        raise Http404
    on = policy_selectors.today()
    form = SearchForm(request.POST or None, actor=user)
    result: search.SearchResult | None = None
    warnings: list[Any] = []
    crowded = False
    if request.method == "POST" and form.is_valid():
        record = form.record(on=on)
        try:
            result = search.search(user, record, limit=RESULTS, on=on, request=request)
        except NotAllowedError:
            raise Http404 from None
        # What of the description could not be used, and why (the files' own gaps are not the searcher's).
        warnings = [*result.notes, *result.unused]
        crowded = _crowded(record, result)
    visible = [c for c in result or [] if c.visible]
    return render(
        request,
        "matching/search.html",
        {
            "form": form,
            "result": result,
            "warnings": warnings,
            "crowded": crowded,
            "first_visible": visible[0] if len(visible) > 1 else None,
            "can_propose": permissions.role_allows(user, permissions.DECIDE),
            "contact": _contact(user) if result and len(visible) < len(result) else None,
        },
    )


def _crowded(record: PersonRecord, result: search.SearchResult) -> bool:
    """Do more children fit the description than a page shows, with nothing that tells them apart?

    A name and an age alone, in a city of a million children: many namesakes of that age. The
    screen then asks for what narrows it (where the child lives, a guardian, a phone).
    """
    distinguishing = (record.id_number, record.guardian_names, record.phones, record.guardian_phones)
    return len(result) >= RESULTS and not any(distinguishing) and not record.region_code


@registry_view
@require_POST
def propose(request: HttpRequest) -> HttpResponse:
    """Put two files found by a search in the review queue, and open the pair."""
    user = _actor(request)
    form = ProposeForm(request.POST)
    if not form.is_valid():
        raise Http404
    children = policy_for(Child)
    child_a = children.get_or_404(user, VIEW, pk=form.cleaned_data["child_a"])
    child_b = children.get_or_404(user, VIEW, pk=form.cleaned_data["child_b"])
    try:
        review = services.propose_pair(actor=user, child_a=child_a, child_b=child_b)
    except NotAllowedError:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("matching:search")
    messages.success(request, _("The two files are in the review queue."))
    return redirect("matching:pair", pk=review.pk)


# --- the review queue ---------------------------------------------------------------------------------


@registry_view
def review_list(request: HttpRequest) -> HttpResponse:
    """Pairs of files that may be one child, most likely first, for the user's jurisdiction."""
    user = _actor(request)
    if not _may_review(user):
        raise Http404
    form = QueueFilterForm(request.GET or None, actor=user)
    values = form.values()
    pairs = selectors.review_queue(user, status=values["status"], band=values["band"], region=values["region"])
    job = None
    if values["job"]:
        job = policy_for(Job).visible(user).filter(pk=values["job"], kind=jobs.DEDUP_JOB).first()
        pairs = pairs.filter(found_by=job) if job is not None else pairs.none()
    page = paginate(request, pairs, PER_PAGE)
    record_access(
        actor=user,
        action=AccessAction.SEARCH,
        object_type=PAIR,
        region_code=values["region"] or user.jurisdiction_id or "",
        summary=_("Pairs to review: %(count)d") % {"count": page.paginator.count},
        detail={
            "filters": {k: v for k, v in values.items() if v},
            "page": page.number,
            "pairs": [p.pk for p in page.object_list],
        },
        request=request,
    )
    return render(
        request,
        "matching/review_list.html",
        {"form": form, "page_obj": page, "count": page.paginator.count, "job": job, "values": values},
    )


# --- a pair -------------------------------------------------------------------------------------------


def _review_or_404(user: User, pk: int) -> tuple[PairReview, Child, Child]:
    """The pair and its two files (with families), when the user may see the pair and both files."""
    review = policy_for(PairReview).get_or_404(
        user, VIEW, queryset=PairReview.objects.select_related("decided_by"), pk=pk
    )
    files = {
        child.pk: child
        for child in policy_for(Child)
        .visible(user)
        .filter(pk__in=[review.child_a_id, review.child_b_id])
        .select_related("village", "merged_into")
        .prefetch_related(Prefetch("kinships", queryset=Kinship.objects.select_related("person").order_by("pk")))
    }
    if len(files) != 2:  # noqa: PLR2004  (both files of the pair)
        raise Http404
    review.child_a, review.child_b = files[review.child_a_id], files[review.child_b_id]
    return review, review.child_a, review.child_b


def _evidence(match: Match, child: Child) -> list[search.FieldEvidence]:
    """The engine's evidence field by field (the screen's lines), as the identity search shows it."""
    # A pair may have fallen below every band since it was found: its lines are shown all the same.
    candidate = search.Candidate(
        child=child, probability=match.probability, band=match.band or Band.POSSIBLE, visible=True, match=match
    )
    return candidate.evidence()


def _pair_page(
    request: HttpRequest,
    review: PairReview,
    *,
    decision_form: DecisionForm | None = None,
    merge_form: MergeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _actor(request)
    a, b = review.child_a, review.child_b
    match = services.score_pair(a, b, on=policy_selectors.today())
    merges = list(review.merges.select_related("keep", "other", "merged_by", "undone_by").order_by("-merged_at", "-pk"))
    in_force = next((m for m in merges if m.in_force), None)
    can_merge = permissions.can_merge(user, a, b)
    can_decide = policy_for(PairReview).can(user, permissions.DECIDE, review) and in_force is None
    if merge_form is None and can_merge and in_force is None and review.status == ReviewStatus.SAME:
        merge_form = MergeForm(review=review, initial={"keep": _default_keep(a, b)})
    _log_files(request, [a, b], _("Pair of files #%(pk)d") % {"pk": review.pk}, pair=review.pk)
    return render(
        request,
        "matching/pair.html",
        {
            "review": review,
            "files": [a, b],
            "match": match,
            "evidence": _evidence(match, a),
            "merges": merges,
            "in_force": in_force,
            "can_decide": can_decide,
            "can_merge": can_merge,
            "decision_form": decision_form or (DecisionForm() if can_decide else None),
            "merge_form": merge_form if in_force is None and can_merge else None,
        },
        status=status,
    )


def _default_keep(a: Child, b: Child) -> int:
    """The file to keep unless the caseworker chooses: the one with an identity number, else the older."""
    if bool(a.id_number_hash) != bool(b.id_number_hash):
        return a.pk if a.id_number_hash else b.pk
    return min(a.pk, b.pk)


@registry_view
def pair_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The two files side by side with the engine's evidence, the decision, and the merge once confirmed."""
    user = _actor(request)
    review, _a, _b = _review_or_404(user, pk)
    if request.method != "POST":
        return _pair_page(request, review)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            decided = services.decide_pair(
                actor=user, review=review, decision=form.cleaned_data["decision"], note=form.cleaned_data["note"]
            )
        except NotAllowedError:
            raise Http404 from None
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _decided_message(decided.status))
            anchor = "#merge" if decided.status == ReviewStatus.SAME else ""
            return redirect(reverse("matching:pair", args=[review.pk]) + anchor)
    return _pair_page(request, review, decision_form=form)


def _decided_message(status: str) -> str:
    if status == ReviewStatus.SAME:
        return _("Recorded: the same child. A caseworker can now merge the two files.")
    if status == ReviewStatus.NOT_SAME:
        return _("Recorded: not the same child. This pair will not be proposed again.")
    return _("Recorded: unsure. The pair stays in the queue for someone who knows the children.")


@registry_view
def pair_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge the two files of a pair: the caseworker chooses the file kept and gives the reason."""
    user = _actor(request)
    review, a, b = _review_or_404(user, pk)
    if not permissions.can_merge(user, a, b):
        raise Http404
    form = MergeForm(request.POST or None, review=review, initial={"keep": _default_keep(a, b)})
    if request.method == "POST" and form.is_valid():
        keep, other = (a, b) if form.cleaned_data["keep"] == a.pk else (b, a)
        try:
            merge = services.merge(actor=user, keep=keep, other=other, reason=form.cleaned_data["reason"])
        except NotAllowedError:
            raise Http404 from None
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(
                request,
                _("The file #%(other)d was merged into the file of %(name)s.") % {"other": other.pk, "name": keep.name},
            )
            return redirect("matching:merge", pk=merge.pk)
    if request.method == "POST":
        return _pair_page(request, review, merge_form=form)
    return redirect(reverse("matching:pair", args=[review.pk]) + "#merge")


# --- merges -------------------------------------------------------------------------------------------


def _merge_or_404(user: User, pk: int) -> Merge:
    rows = MergedRow.objects.select_related("content_type").order_by("pk")
    return policy_for(Merge).get_or_404(
        user,
        VIEW,
        queryset=Merge.objects.select_related(
            "keep__village", "other__village", "merged_by", "undone_by", "review"
        ).prefetch_related(Prefetch("rows", queryset=rows)),
        pk=pk,
    )


@dataclass(frozen=True)
class MovedKind:
    """Rows of one kind that a merge moved (or left), as the merge's page lists them."""

    label: str
    moved: int
    left: list[MergedRow]
    returned: int
    kept_away: int


def _moved_kinds(merge: Merge) -> list[MovedKind]:
    kinds: dict[str, list[MergedRow]] = {}
    for row in merge.rows.all():
        model = row.content_type.model_class()
        label = str(model._meta.verbose_name_plural) if model is not None else row.content_type.model
        kinds.setdefault(label, []).append(row)
    return [
        MovedKind(
            label=label,
            moved=sum(1 for r in rows if r.moved),
            left=[r for r in rows if not r.moved],
            returned=sum(1 for r in rows if r.returned is True),
            kept_away=sum(1 for r in rows if r.moved and r.returned is False),
        )
        for label, rows in kinds.items()
    ]


def _merge_page(request: HttpRequest, merge: Merge, *, form: UnmergeForm | None = None) -> HttpResponse:
    user = _actor(request)
    can_unmerge = merge.in_force and _may_unmerge(user, merge)
    _log_files(request, [merge.keep, merge.other], _("Merge of files #%(pk)d") % {"pk": merge.pk}, merge=merge.pk)
    return render(
        request,
        "matching/merge.html",
        {
            "merge": merge,
            "kinds": _moved_kinds(merge),
            "can_unmerge": can_unmerge,
            "form": form or (UnmergeForm() if can_unmerge else None),
        },
    )


def _may_unmerge(user: User, merge: Merge) -> bool:
    return policy_for(Merge).can(user, permissions.UNMERGE, merge) and permissions.can_change_both(
        user, merge.keep, merge.other
    )


@registry_view
def merge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """What a merge moved from one file to the other, and the form that undoes it."""
    return _merge_page(request, _merge_or_404(_actor(request), pk))


@registry_view
def merge_undo(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo a merge: everything moved goes back, with the reason."""
    user = _actor(request)
    merge = _merge_or_404(user, pk)
    if not _may_unmerge(user, merge):
        raise Http404
    if request.method != "POST":
        return redirect(reverse("matching:merge", args=[merge.pk]) + "#unmerge")
    form = UnmergeForm(request.POST)
    if form.is_valid():
        try:
            services.unmerge(actor=user, merge=merge, reason=form.cleaned_data["reason"])
        except NotAllowedError:
            raise Http404 from None
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("The merge was undone: both files are as they were."))
            return redirect("matching:merge", pk=merge.pk)
    return _merge_page(request, _merge_or_404(user, pk), form=form)


# --- de-duplication runs --------------------------------------------------------------------------------


@registry_view
def deduplication(request: HttpRequest) -> HttpResponse:
    """Compare every file of a region with each other in the background; the pairs go to the queue."""
    user = _actor(request)
    if not permissions.role_allows(user, permissions.DEDUPLICATE) or registry_scope_code(user) is None:
        raise Http404
    form = DeduplicationForm(request.POST or None, actor=user)
    if request.method == "POST" and form.is_valid():
        try:
            job = jobs.start_deduplication(actor=user, region_code=form.cleaned_data["region"])
        except NotAllowedError:
            raise Http404 from None
        return redirect("matching:dedup_job", pk=job.pk)
    recent = policy_for(Job).visible(user).filter(kind=jobs.DEDUP_JOB).order_by("-created_at")[:10]
    return render(request, "matching/dedup.html", {"form": form, "recent": recent})


@registry_view
def deduplication_job(request: HttpRequest, pk: int) -> HttpResponse:
    """A run's progress (the shell's job progress) and, once done, its figures and the queue."""
    job = policy_for(Job).get_or_404(_actor(request), VIEW, pk=pk, kind=jobs.DEDUP_JOB)
    region = str(job.params.get("region", ""))
    place = Region.objects.filter(code=region).only("name").first() if region else None
    context = {
        "job": job,
        "region": region,
        "region_name": place.name if place is not None else region,
        "queue_url": _queue_url(job, region),
    }
    if getattr(request, "htmx", False):
        return render(request, "matching/_dedup_result.html", context)
    return render(request, "matching/dedup_job.html", context)


def _queue_url(job: Job, region: str) -> dict[str, str]:
    base = reverse("matching:reviews")
    return {
        "region": base + (f"?{urlencode({'region': region})}" if region else ""),
        "job": base + "?" + urlencode({"job": str(job.pk), "status": "all"}),
    }
