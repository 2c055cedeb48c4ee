"""Endpoints of matching: ``/api/v1/matching/search/``, ``/api/v1/matching/lists/`` and the review queue.

The same rules as the screens (``permissions``, ``search.search``): the registry roles search; a
candidate the caller may not open shows only that a file exists, how likely, and in which county
(whom to ask) — no id, no name, no evidence; every search is written to the access log. ``lists``
answers a department's list (信息共享: a school roll, a hospital's list) record by record, at most
``LIST_LIMIT`` records per call. The review queue is read and decided here too; merging a file is a
caseworker's decision taken on the pair's screen, not through the API.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from shouhu.core.drf import THROTTLE_CLASSES, PolicyReadOnlyViewSet, SecondFactorVerified
from shouhu.matching import permissions, search, selectors, services
from shouhu.matching.engine import Band
from shouhu.matching.models import PairReview, ReviewStatus
from shouhu.matching.record import PersonRecord
from shouhu.policy import selectors as policy_selectors
from shouhu.regions.models import Region
from shouhu.registry import explain
from shouhu.registry.choices import Sex

LIST_LIMIT = 200
COUNTY_DIGITS = 6
CODE = r"^\d{2,12}$"


def _texts() -> serializers.ListField:
    return serializers.ListField(child=serializers.CharField(max_length=100), required=False, max_length=10)


class PersonQuerySerializer(serializers.Serializer[Any]):
    """The person looked for. Every field may be missing; what cannot be used is said in ``notes``."""

    name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    former_names = _texts()
    sex = serializers.ChoiceField(choices=Sex.choices, required=False, allow_blank=True)
    birth_date = serializers.DateField(required=False, allow_null=True)
    birth_year = serializers.IntegerField(required=False, allow_null=True, min_value=1900, max_value=2200)
    age = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=120, help_text=_("An approximate age in years.")
    )
    id_number = serializers.CharField(required=False, allow_blank=True, max_length=40)
    phones = _texts()
    region = serializers.RegexField(CODE, required=False, allow_blank=True, help_text=_("A division code."))
    address = serializers.CharField(required=False, allow_blank=True, max_length=200)
    guardian_names = _texts()
    guardian_phones = _texts()
    ref = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text=_("The caller's own reference, given back.")
    )

    def record(self) -> PersonRecord:
        return record_of(self.validated_data)


def record_of(data: Any) -> PersonRecord:
    """A ``PersonRecord`` from a validated ``PersonQuerySerializer``'s data."""
    names = tuple(n for n in (data.get("name", ""), *data.get("former_names", ())) if n.strip())
    return PersonRecord(
        names=names,
        sex=data.get("sex") or None,
        birth_date=data.get("birth_date"),
        birth_year=data.get("birth_year"),
        age=data.get("age"),
        id_number=data.get("id_number", ""),
        phones=tuple(data.get("phones", ())),
        region_code=data.get("region", ""),
        address=data.get("address", ""),
        guardian_names=tuple(data.get("guardian_names", ())),
        guardian_phones=tuple(data.get("guardian_phones", ())),
    )


class MatchSearchSerializer(PersonQuerySerializer):
    scope = serializers.RegexField(
        CODE, required=False, allow_blank=True, help_text=_("Search only within this division code.")
    )
    limit = serializers.IntegerField(required=False, min_value=1, max_value=50, default=10)


class MatchListSerializer(serializers.Serializer[Any]):
    records = PersonQuerySerializer(many=True, allow_empty=False)
    scope = serializers.RegexField(CODE, required=False, allow_blank=True)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=10, default=3)

    def validate_records(self, records: list[Any]) -> list[Any]:
        if len(records) > LIST_LIMIT:
            raise serializers.ValidationError(
                _("At most %(limit)d records per call; split the list.") % {"limit": LIST_LIMIT}
            )
        return records


class MatchEvidenceSerializer(serializers.Serializer[Any]):
    field = serializers.CharField()
    field_label = serializers.CharField()
    direction = serializers.ChoiceField(choices=["for", "against", "neutral"])
    weight = serializers.FloatField(help_text=_("Bits for (positive) or against (negative) the same child."))
    text = serializers.CharField(allow_blank=True)


class MatchCandidateSerializer(serializers.Serializer[Any]):
    """A child on file who may be the person; details only when the caller may open the file."""

    id = serializers.IntegerField(allow_null=True)
    visible = serializers.BooleanField()
    probability = serializers.FloatField()
    band = serializers.ChoiceField(choices=Band.choices)
    band_label = serializers.CharField()
    name = serializers.CharField(allow_blank=True)
    sex = serializers.CharField(allow_blank=True)
    birth_date = serializers.DateField(allow_null=True)
    village = serializers.CharField(allow_blank=True)
    village_name = serializers.CharField(allow_blank=True)
    county = serializers.CharField(allow_blank=True, help_text=_("Where the file is kept (whom to ask)."))
    county_name = serializers.CharField(allow_blank=True)
    evidence = MatchEvidenceSerializer(many=True)
    guards = serializers.ListField(child=serializers.CharField())


class MatchSearchResultSerializer(serializers.Serializer[Any]):
    ref = serializers.CharField(allow_blank=True)
    examined = serializers.IntegerField(help_text=_("Children scored."))
    notes = serializers.ListField(child=serializers.CharField(), help_text=_("What the search did not use."))
    unused = serializers.ListField(
        child=serializers.CharField(), help_text=_("What could not be read in the record, and why.")
    )
    candidates = MatchCandidateSerializer(many=True)


class MatchListResultSerializer(serializers.Serializer[Any]):
    results = MatchSearchResultSerializer(many=True)


def _county_names(result: search.SearchResult, known: dict[str, str]) -> dict[str, str]:
    """``known`` with the names of the candidates' counties it lacks (one query, none when it has them)."""
    missing = {candidate.child.village_id[:COUNTY_DIGITS].ljust(12, "0") for candidate in result} - known.keys()
    if missing:
        known.update(Region.objects.filter(code__in=missing).values_list("code", "name"))
    return known


def _candidate(candidate: search.Candidate, counties: dict[str, str]) -> dict[str, Any]:
    child = candidate.child
    county = child.village_id[:COUNTY_DIGITS].ljust(12, "0")
    data: dict[str, Any] = {
        "id": None,
        "visible": candidate.visible,
        "probability": round(candidate.probability, 4),
        "band": candidate.band.value,
        "band_label": candidate.band_label,
        "name": "",
        "sex": "",
        "birth_date": None,
        "village": "",
        "village_name": "",
        "county": county,
        "county_name": counties.get(county, ""),
        "evidence": [],
        "guards": [],
    }
    if candidate.visible and candidate.match is not None:
        data.update(
            id=child.pk,
            name=child.name,
            sex=child.sex,
            birth_date=child.birth_date,
            village=child.village_id,
            village_name=child.village.name,
            evidence=[
                {"field": e.field, "field_label": e.label, "direction": e.direction, "weight": e.weight, "text": e.text}
                for e in candidate.evidence()
            ],
            guards=explain.render(candidate.match.guards),
        )
    return data


def _answer(result: search.SearchResult, ref: str = "", counties: dict[str, str] | None = None) -> dict[str, Any]:
    counties = _county_names(result, {} if counties is None else counties)
    return {
        "ref": ref,
        "examined": result.examined,
        "notes": explain.render(result.notes),
        "unused": explain.render(result.unused),
        "candidates": [_candidate(candidate, counties) for candidate in result],
    }


class _SearchBase(viewsets.ViewSet):
    permission_classes = [SecondFactorVerified]
    throttle_classes = THROTTLE_CLASSES

    def check_may_search(self, request: Request) -> None:
        if not permissions.may_search(request.user):
            raise PermissionDenied(_("Your role may not search for children."))

    def search(
        self, request: Request, record: PersonRecord, data: Any, *, on: date | None = None
    ) -> search.SearchResult:
        """One search as the caller, logged (``search.search``), with the call's limit and scope."""
        return search.search(
            request.user,  # type: ignore[arg-type]
            record,
            limit=data["limit"],
            scope=data.get("scope") or None,
            on=on,
            request=request._request,
        )


class SearchViewSet(_SearchBase):
    """Search the registry for a child: candidates best first, with the evidence field by field."""

    @extend_schema(request=MatchSearchSerializer, responses={200: MatchSearchResultSerializer})
    def create(self, request: Request) -> Response:
        self.check_may_search(request)
        query = MatchSearchSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        result = self.search(request, query.record(), data)
        return Response(MatchSearchResultSerializer(_answer(result, data.get("ref", ""))).data)


class ListViewSet(_SearchBase):
    """Match a department's list against the registry (信息共享): each record answered in order."""

    @extend_schema(request=MatchListSerializer, responses={200: MatchListResultSerializer})
    def create(self, request: Request) -> Response:
        self.check_may_search(request)
        query = MatchListSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        on = policy_selectors.today()
        counties: dict[str, str] = {}  # a list's records mostly fall in a few counties: named once
        results = [
            _answer(self.search(request, record_of(item), data, on=on), item.get("ref", ""), counties)
            for item in data["records"]
        ]
        return Response(MatchListResultSerializer({"results": results}).data)


class PairDecisionSerializer(serializers.Serializer[Any]):
    decision = serializers.ChoiceField(choices=[s for s in ReviewStatus.choices if s[0] != ReviewStatus.PENDING])
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class MatchPairSerializer(serializers.ModelSerializer[PairReview]):
    child_a = serializers.IntegerField(source="child_a_id", read_only=True)
    child_b = serializers.IntegerField(source="child_b_id", read_only=True)
    name_a = serializers.CharField(source="child_a.name", read_only=True)
    name_b = serializers.CharField(source="child_b.name", read_only=True)
    reasons_for = serializers.SerializerMethodField()
    reasons_against = serializers.SerializerMethodField()

    class Meta:
        model = PairReview
        fields = [
            "id",
            "child_a",
            "child_b",
            "name_a",
            "name_b",
            "village_a",
            "village_b",
            "probability",
            "band",
            "status",
            "note",
            "decided_at",
            "scored_at",
            "reasons_for",
            "reasons_against",
        ]
        read_only_fields = fields

    def _reasons(self, review: PairReview, side: str) -> list[str]:
        return [explain.render_one(item) for item in (review.evidence or {}).get(side, []) if "msg" in item]

    def get_reasons_for(self, review: PairReview) -> list[str]:
        return self._reasons(review, "for")

    def get_reasons_against(self, review: PairReview) -> list[str]:
        return self._reasons(review, "against")


class MatchPairFilterSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=[*ReviewStatus.choices, ("any", "any")], required=False)
    band = serializers.ChoiceField(choices=Band.choices, required=False)
    region = serializers.RegexField(CODE, required=False)


class PairViewSet(PolicyReadOnlyViewSet):
    """Pairs of files that may be one child, most likely first (by default those awaiting a decision)."""

    queryset = PairReview.objects.all()
    serializer_class = MatchPairSerializer
    policy_actions: ClassVar[dict[str, str]] = {"decide": permissions.DECIDE}

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return PairReview.objects.none()
        if self.action != "list":
            return super().get_queryset()
        filters = MatchPairFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        wanted = filters.validated_data.get("status", ReviewStatus.PENDING)
        return selectors.review_queue(
            self.request.user,  # type: ignore[arg-type]
            status=None if wanted == "any" else wanted,
            band=filters.validated_data.get("band"),
            region=filters.validated_data.get("region"),
        )

    @extend_schema(request=PairDecisionSerializer, responses={200: MatchPairSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        review = self.get_object()
        decision = PairDecisionSerializer(data=request.data)
        decision.is_valid(raise_exception=True)
        # A refusal of the policy is a 404, a rule's refusal (a reason missing) a 400: the API's handler.
        review = services.decide_pair(
            actor=request.user,  # type: ignore[arg-type]
            review=review,
            decision=decision.validated_data["decision"],
            note=decision.validated_data.get("note", ""),
        )
        return Response(MatchPairSerializer(review).data, status=status.HTTP_200_OK)


def register(router: BaseRouter) -> None:
    router.register("matching/search", SearchViewSet, basename="matching-search")
    router.register("matching/lists", ListViewSet, basename="matching-lists")
    router.register("matching/pairs", PairViewSet, basename="matching-pair")
