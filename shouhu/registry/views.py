"""Screens of the child registry: the list, registration, the child's page (一人一档) and its forms.

Views are thin (STYLE.md): they fetch through the policies and selectors, validate with a form,
call one service and render. Services' refusals come back onto the fields they name
(``apply_error``), so a form is shown again with everything typed. Viewing a file, searching the
list and revealing an identity number are written to the access log.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from shouhu.accounts.models import User
from shouhu.core.accesslog import AccessAction, record_access
from shouhu.core.errors import DomainError, NotAllowedError
from shouhu.core.policy import CHANGE, CREATE, EXPORT, VIEW, policy_for
from shouhu.registry import completeness, idnumber, photos, selectors, services
from shouhu.registry.choices import PARENT_RELATIONS, Relation, SituationKind
from shouhu.registry.forms import (
    ChildFilterForm,
    ChildForm,
    EndSituationForm,
    EntrustedCareForm,
    FamilyMemberForm,
    IdNumberCheckForm,
    IdNumberFillForm,
    IdNumberForm,
    OverrideForm,
    PersonForm,
    PhotoForm,
    RevealForm,
    SituationForm,
    StatusForm,
    WithdrawForm,
)
from shouhu.registry.models import CategoryOverride, Child, EntrustedCare, Kinship, Person, Situation
from shouhu.registry.permissions import OVERRIDE, REVEAL

CHILD = "registry.child"
PERSON = "registry.person"
PER_PAGE = 30
V = TypeVar("V", bound=Callable[..., HttpResponse | FileResponse])

# Where each missing fact of a file is filled in (completeness.LABELS keys): a field of the
# child's form, the family form with the relation chosen, the family section, entrusted care.
EDIT_FIELDS = frozenset(
    {"hukou_region", "residence_address", "school_status", "health_status", "disability_grade", "phones"}
)
FAMILY_RELATIONS = {"father": Relation.FATHER, "mother": Relation.MOTHER}


def registry_view(view: V) -> V:
    """Logged in, and never kept in a browser's or proxy's cache (children's personal data)."""
    return login_required(never_cache(view))


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)


def apply_error(form: Any, exc: DomainError) -> None:
    """Put a service's refusal on the fields it names (all of them), else above the form."""
    errors: dict[str, list[str]] = getattr(exc, "errors", None) or {exc.field or "": [str(exc.message)]}
    for name, field_messages in errors.items():
        field = name if name in form.fields else None
        for message in field_messages:
            form.add_error(field, message)


def _changeable_child(request: HttpRequest, pk: int) -> Child:
    return policy_for(Child).get_or_404(_actor(request), CHANGE, pk=pk)


def _log(request: HttpRequest, action: str, obj: Child | Person, summary: str = "", **detail: Any) -> None:
    record_access(
        actor=_actor(request),
        action=action,
        object_type=CHILD if isinstance(obj, Child) else PERSON,
        object_id=obj.pk,
        region_code=obj.village_id,
        summary=summary or f"{obj.name} #{obj.pk}",
        detail=detail,
        request=request,
    )


def _done(request: HttpRequest, child: Child, message: str, anchor: str = "") -> HttpResponse:
    messages.success(request, message)
    return redirect(reverse("registry:detail", args=[child.pk]) + (f"#{anchor}" if anchor else ""))


# --- the list -----------------------------------------------------------------------------------


def _logged_filters(values: dict[str, Any]) -> dict[str, Any]:
    """The filters as the access log keeps them: a full identity number searched for stays masked."""
    logged = {name: value for name, value in values.items() if value}
    query = str(logged.get("q", ""))
    if query and idnumber.is_valid(query):
        logged["q"] = idnumber.mask(idnumber.normalise(query))
    return logged


@registry_view
def child_list(request: HttpRequest) -> HttpResponse:
    """The children of the user's jurisdiction: search, filters, pages, count (each search logged)."""
    user = _actor(request)
    policy = policy_for(Child)
    if not policy.can(user, VIEW):
        raise Http404
    form = ChildFilterForm(request.GET or None, actor=user)
    values = form.values()
    children = selectors.child_list(user, selectors.ChildFilters(**values))
    page = Paginator(children, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    logged = _logged_filters(values)
    record_access(
        actor=user,
        action=AccessAction.SEARCH,
        object_type=CHILD,
        region_code=values.get("region") or user.jurisdiction_id or "",
        summary=_("Children's files: %(count)d found") % {"count": page.paginator.count},
        detail={"filters": logged, "page": page.number, "count": page.paginator.count},
        request=request,
    )
    filtered = any(name not in {"status", "sort"} for name in logged) or values.get("status") != "active"
    return render(
        request,
        "registry/child_list.html",
        {
            "form": form,
            "page_obj": page,
            "count": page.paginator.count,
            "query": query.urlencode(),
            "filtered": filtered,
            "scope": user.jurisdiction,
            "can_create": policy.can(user, CREATE),
            "can_export": policy.can(user, EXPORT),
        },
    )


# --- registration --------------------------------------------------------------------------------


def _visible_candidates(candidates: list[Any]) -> list[Any]:
    return sorted(candidates, key=lambda c: (not c.visible, -c.score))


@registry_view
def child_create(request: HttpRequest) -> HttpResponse:
    """Register a child: a number already on file opens that file; likely matches are shown first."""
    user = _actor(request)
    if not policy_for(Child).can(user, CREATE):
        raise Http404
    form = ChildForm(request.POST or None, actor=user)
    candidates: list[Any] = []
    if request.method == "POST" and form.is_valid():
        try:
            child = services.register_child(
                actor=user,
                data=form.child_data(),
                id_number=form.cleaned_data.get("id_number") or "",
                allow_possible_duplicates=request.POST.get("register_anyway") == "1",
            )
        except services.DuplicateChildError as exc:
            if exc.visible:
                messages.info(
                    request,
                    _("This identity number is already on file: here is the child's file. Nothing was registered."),
                )
                return redirect("registry:detail", pk=exc.existing.pk)
            apply_error(form, exc)
        except services.PossibleDuplicatesError as exc:
            candidates = _visible_candidates(exc.candidates)
        except NotAllowedError:
            raise Http404 from None
        except DomainError as exc:
            apply_error(form, exc)
        else:
            return _done(
                request,
                child,
                _("The file of %(name)s has been opened. Add the family next: the categories follow from it.")
                % {"name": child.name},
                anchor="family",
            )
    return render(request, "registry/child_form.html", {"form": form, "candidates": candidates, "child": None})


@registry_view
def id_number_check(request: HttpRequest) -> HttpResponse:
    """The identity number as it is typed (htmx): the cause of each invalidity, or what it says.

    A valid number fills an empty date of birth and sex of the form (out-of-band swaps). Nothing
    is looked up in the registry: whether a number is on file is said only when the form is sent.
    """
    user = _actor(request)
    if not policy_for(Child).can(user, CREATE) and not policy_for(Child).can(user, CHANGE):
        raise Http404
    form = IdNumberCheckForm(request.POST or request.GET)
    form.is_valid()
    data = form.cleaned_data
    context: dict[str, Any] = {"fill": []}
    text = data.get("id_number") or ""
    if text.strip():
        try:
            number = idnumber.parse(text, today=timezone.localdate())
        except idnumber.IdNumberError as error:
            context["error"] = error
        else:
            birth_date, sex = data.get("birth_date"), data.get("sex") or ""
            context["number"] = number
            context["problems"] = idnumber.check_against(number, birth_date=birth_date, sex=sex or None)
            # Forms with a date of birth and a sex get the empty ones filled in from the number.
            kind = data.get("form_kind") or ""
            if kind in IdNumberFillForm.KINDS:
                fill = IdNumberFillForm(
                    initial={"birth_date": birth_date or number.birth_date, "sex": sex or number.sex.value},
                    person=kind == "person",
                )
                context["fill"] = [
                    fill[name] for name, value in (("birth_date", birth_date), ("sex", sex)) if not value
                ]
            context["filled"] = bool(context["fill"])
    return render(request, "registry/_id_number_check.html", context)


# --- the child's page ----------------------------------------------------------------------------


def _missing_links(child: Child) -> list[dict[str, str]]:
    """Each missing fact of the file with the link where it is filled in."""
    links = []
    for key in child.missing_fields or []:
        if key not in completeness.LABELS:
            continue
        if key == "id_number":
            url = reverse("registry:id_number", args=[child.pk])
        elif key in EDIT_FIELDS:
            url = reverse("registry:edit", args=[child.pk]) + f"#field-{key}"
        elif key in FAMILY_RELATIONS:
            url = reverse("registry:family_add", args=[child.pk]) + f"?relation={FAMILY_RELATIONS[key]}"
        elif key == "guardian":
            url = reverse("registry:detail", args=[child.pk]) + "#family"
        elif key == "entrusted_care":
            url = reverse("registry:entrusted_care", args=[child.pk])
        else:
            url = reverse("registry:detail", args=[child.pk]) + "#family"
        links.append({"key": key, "label": str(completeness.LABELS[key]), "url": url})
    return links


@registry_view
def child_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One child's file: facts, categories and why, family, entrusted care, gaps, what is due, history."""
    user = _actor(request)
    child = selectors.child_detail(user, pk)
    _log(request, AccessAction.VIEW, child)
    policy = policy_for(Child)
    can_change = policy.can(user, CHANGE, child)
    kinships = list(child.kinships.all())
    cares = list(child.entrusted_cares.all())
    overrides = [o for o in child.overrides.all() if o.withdrawn_at is None]
    can_override = policy.can(user, OVERRIDE, child)
    return render(
        request,
        "registry/child_detail.html",
        {
            "child": child,
            "path": child.village.path(),
            "categories": selectors.current_categories(child),
            "overrides": overrides,
            "past_overrides": [o for o in child.overrides.all() if o.withdrawn_at is not None],
            "kinships": kinships,
            "current_care": next((c for c in cares if c.until is None), None),
            "past_cares": [c for c in cares if c.until is not None],
            "parents_away": _parents_away(kinships),
            "missing": _missing_links(child),
            "timeline": selectors.child_timeline(user, child),
            "can_change": can_change,
            "can_reveal": policy.can(user, REVEAL, child),
            "can_override": can_override,
            "override_form": OverrideForm() if can_override else None,
        },
    )


def _parents_away(kinships: list[Kinship]) -> bool:
    """Is a parent of the child working away now (the weekly contact of MPL art. 23 applies)?"""
    return any(
        k.relation in PARENT_RELATIONS
        and any(s.kind == SituationKind.WORKING_AWAY and s.ended_on is None for s in k.person.situations.all())
        for k in kinships
    )


# --- identity numbers -----------------------------------------------------------------------------


def _reveal(request: HttpRequest, obj: Child | Person, child: Child) -> HttpResponse:
    form = RevealForm(request.POST or None)
    number = ""
    if request.method == "POST" and form.is_valid():
        try:
            number = services.reveal_id_number(
                actor=_actor(request), obj=obj, reason=form.cleaned_data["reason"], request=request
            )
        except NotAllowedError:
            raise Http404 from None
        except DomainError as exc:
            apply_error(form, exc)
    template = "registry/_reveal.html" if getattr(request, "htmx", False) else "registry/reveal.html"
    response = render(request, template, {"form": form, "obj": obj, "child": child, "number": number})
    response["Cache-Control"] = "no-store"
    return response


@registry_view
def child_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the child's full identity number once, for a reason written to the access log."""
    child = policy_for(Child).get_or_404(_actor(request), REVEAL, pk=pk)
    return _reveal(request, child, child)


@registry_view
def person_reveal(request: HttpRequest, pk: int, kinship_pk: int) -> HttpResponse:
    child = policy_for(Child).get_or_404(_actor(request), VIEW, pk=pk)
    kinship = _kinship_or_404(child, kinship_pk)
    person = policy_for(Person).get_or_404(_actor(request), REVEAL, pk=kinship.person_id)
    return _reveal(request, person, child)


@registry_view
def child_id_number(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the identity number of a child registered without one."""
    child = _changeable_child(request, pk)
    form = IdNumberForm(request.POST or None, obj=child)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_id_number(actor=_actor(request), obj=child, id_number=form.cleaned_data["id_number"])
        except services.DuplicateChildError as exc:
            if exc.visible:
                messages.warning(request, _("This identity number belongs to the file shown here."))
                return redirect("registry:detail", pk=exc.existing.pk)
            apply_error(form, exc)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            return _done(request, child, _("The identity number has been recorded."))
    return render(
        request,
        "registry/simple_form.html",
        {"form": form, "child": child, "title": _("Identity number"), "submit": _("Save"), "check_id": True},
    )


# --- photo ---------------------------------------------------------------------------------------


@registry_view
def child_photo(request: HttpRequest, pk: int) -> FileResponse:
    """The child's photo, for those who may open the file (never a public media URL)."""
    child = policy_for(Child).get_or_404(_actor(request), VIEW, pk=pk)
    if not child.photo:
        raise Http404
    try:
        handle = child.photo.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@registry_view
def child_photo_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Add, replace or remove the child's photo (a phone's camera works as the picker)."""
    child = _changeable_child(request, pk)
    form = PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = None if form.cleaned_data["remove"] else form.cleaned_data["photo"]
        try:
            photos.set_photo(actor=_actor(request), child=child, upload=upload)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            message = _("The photo has been removed.") if upload is None else _("The photo has been saved.")
            return _done(request, child, message)
    return render(
        request,
        "registry/simple_form.html",
        {"form": form, "child": child, "title": _("Photo"), "submit": _("Save"), "photo_help": True},
    )


# --- edit, status --------------------------------------------------------------------------------


@registry_view
def child_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _actor(request)
    child = _changeable_child(request, pk)
    form = ChildForm(request.POST or None, actor=user, instance=child)
    if request.method == "POST" and form.is_valid():
        changed = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
        try:
            services.update_child(actor=user, child=child, data=changed)
        except NotAllowedError:
            raise Http404 from None
        except DomainError as exc:
            apply_error(form, exc)
        else:
            return _done(request, child, _("The changes have been saved."))
    return render(request, "registry/child_form.html", {"form": form, "child": child, "candidates": []})


@registry_view
def child_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Close the file (moved away, deceased …) or open it again, with the date and the reason."""
    child = _changeable_child(request, pk)
    form = StatusForm(request.POST or None, child=child)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.change_file_status(
                actor=_actor(request), child=child, status=data["status"], on=data["on"], reason=data["reason"]
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            return _done(request, child, _("The status of the file has been changed."))
    return render(
        request,
        "registry/simple_form.html",
        {"form": form, "child": child, "title": _("Status of the file"), "submit": _("Change the status")},
    )


# --- family ---------------------------------------------------------------------------------------


def _kinship_or_404(child: Child, kinship_pk: int) -> Kinship:
    kinship = Kinship.objects.select_related("person", "child").filter(child=child, pk=kinship_pk).first()
    if kinship is None:
        raise Http404
    return kinship


def _household(user: User, child: Child) -> QuerySet[Person]:
    """Family members already recorded for the other children of the child's village (siblings' parents)."""
    related = Kinship.objects.filter(child__village_id=child.village_id).exclude(child=child)
    return (
        policy_for(Person)
        .visible(user, Person.objects.filter(pk__in=related.values("person_id")))
        .exclude(kinships__child=child)
        .order_by("name", "pk")
    )


@registry_view
def family_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a family member: a new person or one recorded for a sibling; a new person may bring a number."""
    user = _actor(request)
    child = _changeable_child(request, pk)
    household = _household(user, child)
    initial = {"relation": request.GET.get("relation", "")}
    form = FamilyMemberForm(request.POST or None, household=household, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        existing = form.is_existing()
        try:
            services.add_family_member(
                actor=user,
                child=child,
                relation=data["relation"],
                person=data["existing"] if existing else None,
                person_data=None if existing else form.person_data(),
                id_number="" if existing else data.get("id_number") or "",
                is_guardian=data["is_guardian"],
                lives_with_child=data["lives_with_child"],
            )
        except NotAllowedError:
            raise Http404 from None
        except DomainError as exc:
            apply_error(form, exc)
        else:
            return _done(request, child, _("The family member has been added."), anchor="family")
    return render(
        request,
        "registry/family_form.html",
        {"form": form, "child": child, "title": _("Add a family member"), "submit": _("Add")},
    )


@registry_view
def family_edit(request: HttpRequest, pk: int, kinship_pk: int) -> HttpResponse:
    """Edit a family member's details, their number, and whether they are a guardian or live with the child."""
    user = _actor(request)
    child = _changeable_child(request, pk)
    kinship = _kinship_or_404(child, kinship_pk)
    form = PersonForm(request.POST or None, kinship=kinship)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_person(actor=user, person=kinship.person, data=form.person_data())
            if data.get("id_number"):
                services.set_id_number(actor=user, obj=kinship.person, id_number=data["id_number"])
            services.update_kinship(
                actor=user, kinship=kinship, is_guardian=data["is_guardian"], lives_with_child=data["lives_with_child"]
            )
        except NotAllowedError:
            raise Http404 from None
        except DomainError as exc:
            apply_error(form, exc)
        else:
            return _done(request, child, _("The changes have been saved."), anchor="family")
    return render(
        request,
        "registry/family_form.html",
        {"form": form, "child": child, "kinship": kinship, "title": _("Edit a family member"), "submit": _("Save")},
    )


@registry_view
@require_POST
def family_remove(request: HttpRequest, pk: int, kinship_pk: int) -> HttpResponse:
    child = _changeable_child(request, pk)
    kinship = _kinship_or_404(child, kinship_pk)
    try:
        services.remove_family_member(actor=_actor(request), kinship=kinship)
    except NotAllowedError:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect(reverse("registry:detail", args=[child.pk]) + "#family")
    return _done(
        request, child, _("%(name)s is no longer in the family of this file.") % {"name": kinship.person.name}, "family"
    )


# --- situations -----------------------------------------------------------------------------------


@registry_view
def situation_add(request: HttpRequest, pk: int, kinship_pk: int) -> HttpResponse:
    """Record a situation of a family member; the fields follow the kind (htmx refreshes them)."""
    child = _changeable_child(request, pk)
    kinship = _kinship_or_404(child, kinship_pk)
    if getattr(request, "htmx", False) and request.method == "GET" and "kind" in request.GET:
        # The kind changed: the fields of that kind, with what was typed so far and no errors yet.
        typed = SituationForm(initial=request.GET.dict())
        return render(request, "registry/_situation_fields.html", {"form": typed})
    form = SituationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_situation(actor=_actor(request), person=kinship.person, data=form.situation_data())
        except NotAllowedError:
            raise Http404 from None
        except DomainError as exc:
            apply_error(form, exc)
        else:
            return _done(
                request,
                child,
                _("The situation of %(name)s has been recorded; the categories were worked out again.")
                % {"name": kinship.person.name},
                anchor="family",
            )
    return render(request, "registry/situation_form.html", {"form": form, "child": child, "kinship": kinship})


def _situation_or_404(child: Child, situation_pk: int) -> Situation:
    situation = (
        Situation.objects.select_related("person")
        .filter(pk=situation_pk, person__kinships__child=child)
        .distinct()
        .first()
    )
    if situation is None:
        raise Http404
    return situation


@registry_view
def situation_end(request: HttpRequest, pk: int, situation_pk: int) -> HttpResponse:
    """Record the day a situation ended (released, back home, contact restored …)."""
    child = _changeable_child(request, pk)
    situation = _situation_or_404(child, situation_pk)
    form = EndSituationForm(request.POST or None, situation=situation)
    if request.method == "POST" and form.is_valid():
        try:
            services.end_situation(actor=_actor(request), situation=situation, ended_on=form.cleaned_data["ended_on"])
        except NotAllowedError:
            raise Http404 from None
        except DomainError as exc:
            apply_error(form, exc)
        else:
            return _done(request, child, _("The end of the situation has been recorded."), anchor="family")
    return render(
        request,
        "registry/simple_form.html",
        {
            "form": form,
            "child": child,
            "situation": situation,
            "title": _("End of a situation"),
            "submit": _("Save"),
        },
    )


# --- entrusted care -------------------------------------------------------------------------------


@registry_view
def entrusted_care(request: HttpRequest, pk: int) -> HttpResponse:
    """Who cares for a left-behind child, the signed confirmation, and the parents' last contact."""
    child = _changeable_child(request, pk)
    family = Person.objects.filter(kinships__child=child).order_by("name", "pk")
    current = EntrustedCare.objects.filter(child=child, until__isnull=True).select_related("carer").first()
    form = EntrustedCareForm(request.POST or None, family=family, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_entrusted_care(
                actor=_actor(request), child=child, carer=form.cleaned_data["carer"], data=form.care_data()
            )
        except NotAllowedError:
            raise Http404 from None
        except DomainError as exc:
            apply_error(form, exc)
        else:
            return _done(request, child, _("The entrusted care has been recorded."), anchor="care")
    return render(
        request,
        "registry/simple_form.html",
        {"form": form, "child": child, "title": _("Entrusted care"), "submit": _("Save"), "care_help": True},
    )


# --- caseworkers' decisions -----------------------------------------------------------------------


@registry_view
def category_override(request: HttpRequest, pk: int) -> HttpResponse:
    """A caseworker decides that a category applies, or not, against the rules — with a reason."""
    child = policy_for(Child).get_or_404(_actor(request), OVERRIDE, pk=pk)
    form = OverrideForm(request.POST or None, initial={"category": request.GET.get("category", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.override_category(
                actor=_actor(request),
                child=child,
                category=data["category"],
                effect=data["effect"],
                reason=data["reason"],
            )
        except NotAllowedError:
            raise Http404 from None
        except DomainError as exc:
            apply_error(form, exc)
        else:
            return _done(request, child, _("The decision has been recorded."), anchor="categories")
    return render(
        request,
        "registry/simple_form.html",
        {"form": form, "child": child, "title": _("Decision on a category"), "submit": _("Record the decision")},
    )


@registry_view
def override_withdraw(request: HttpRequest, pk: int, override_pk: int) -> HttpResponse:
    child = policy_for(Child).get_or_404(_actor(request), OVERRIDE, pk=pk)
    override = CategoryOverride.objects.filter(child=child, pk=override_pk, withdrawn_at__isnull=True).first()
    if override is None:
        raise Http404
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_override(actor=_actor(request), override=override, reason=form.cleaned_data["reason"])
        except NotAllowedError:
            raise Http404 from None
        except DomainError as exc:
            apply_error(form, exc)
        else:
            return _done(request, child, _("The decision has been withdrawn; the rules decide again."), "categories")
    return render(
        request,
        "registry/simple_form.html",
        {
            "form": form,
            "child": child,
            "override": override,
            "title": _("Withdraw a decision"),
            "submit": _("Withdraw the decision"),
        },
    )
