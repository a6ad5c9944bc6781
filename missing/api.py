"""The missing children API (/api/v1/missing-episodes/): a police or partner system reports a
child missing, at most once per Idempotency-Key (the same header, rules and answers as the
referrals API: referrals/api/submission.py), and reads an episode back.

The same policy and services as the pages; the same token authentication, throttle, error
shape and refusal audit as every API view (referrals/api/base.py)."""

from django.db import IntegrityError
from django.urls import reverse
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings

import access
from agencies import audit
from missing import services
from missing.matching import ReportedChild
from missing.models import (
    InterviewOutcome,
    MissingEpisode,
    MissingFrom,
    MissingReportKey,
    ReturnInterview,
    RiskGrading,
)
from referrals.api import submission
from referrals.api.base import ApiView, error_responses
from referrals.api.serializers import AgencyChoiceField, StrictSerializer
from referrals.models import Gender
from referrals.validators import normalise_nhs_number, validate_nhs_number


class MayNotReport(access.ForbiddenForUser):
    def __init__(self, user):
        super().__init__(action="report for", object_type="person", object_id=user.pk)
        self.args = (
            "Only a referrer or an agency's safeguarding lead may report a child missing.",
        )


class ReportedChildSerializer(StrictSerializer):
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
    gender = serializers.ChoiceField(choices=Gender.choices, required=False, default="not_known")
    nhs_number = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        default="",
        help_text="10 digits passing the NHS check digit; with it (or the name and date of "
        "birth) the child's existing record is found.",
    )
    address = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    school = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def validate_nhs_number(self, value: str) -> str:
        if not value.strip():
            return ""
        validate_nhs_number(value)
        return normalise_nhs_number(value)


def _text(max_length: int, help_text: str = ""):
    return serializers.CharField(
        max_length=max_length, required=False, allow_blank=True, default="", help_text=help_text
    )


class InterviewOutputSerializer(serializers.ModelSerializer):
    outcome = serializers.ChoiceField(choices=InterviewOutcome.choices)
    held_in_time = serializers.BooleanField(help_text="Held within 72 clock hours of the return.")

    class Meta:
        model = ReturnInterview
        fields = ["due_at", "outcome", "offered_at", "held_at", "held_in_time"]


@extend_schema_serializer(component_name="MissingEpisode")
class EpisodeOutputSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:missing-episode-detail")
    agency = serializers.CharField(source="reporting_agency.name")
    child = serializers.SerializerMethodField()
    missing_from = serializers.ChoiceField(choices=MissingFrom.choices)
    risk_grading = serializers.ChoiceField(choices=RiskGrading.choices)
    return_interview = serializers.SerializerMethodField()

    class Meta:
        model = MissingEpisode
        fields = [
            "id",
            "url",
            "reference",
            "agency",
            "child",
            "missing_from",
            "missing_since",
            "risk_grading",
            "thought_to_be",
            "with_whom",
            "circumstances",
            "returned_at",
            "found_where",
            "found_by",
            "reported_at",
            "return_interview",
        ]

    def get_child(self, episode) -> dict:
        child = episode.child
        return {
            "first_name": child.first_name,
            "last_name": child.last_name,
            "date_of_birth": child.date_of_birth.isoformat() if child.date_of_birth else None,
        }

    @extend_schema_field(InterviewOutputSerializer(allow_null=True))
    def get_return_interview(self, episode) -> dict | None:
        interview = getattr(episode, "return_interview", None)
        if interview is None:
            return None
        return InterviewOutputSerializer(interview).data


@extend_schema_serializer(component_name="MissingEpisodeSummary")
class EpisodeSummarySerializer(serializers.ModelSerializer):
    """No child's details: read an episode (audited) for those."""

    url = serializers.HyperlinkedIdentityField(view_name="api:missing-episode-detail")
    agency = serializers.CharField(source="reporting_agency.name")
    risk_grading = serializers.ChoiceField(choices=RiskGrading.choices)

    class Meta:
        model = MissingEpisode
        fields = [
            "id",
            "url",
            "reference",
            "agency",
            "missing_since",
            "returned_at",
            "risk_grading",
        ]


class MissingEpisodeCollectionApi(ApiView):
    pagination_class = api_settings.DEFAULT_PAGINATION_CLASS

    @extend_schema_serializer(
        component_name="MissingReport",
        examples=[
            OpenApiExample(
                "A police missing report",
                value={
                    "child": {
                        "first_name": "Ashlyn",
                        "last_name": "Brackenridge",
                        "date_of_birth": "2012-06-15",
                        "nhs_number": "943 476 5919",
                    },
                    "missing_from": "care_placement",
                    "missing_since": "2026-03-06T21:30:00Z",
                    "risk_grading": "medium",
                    "thought_to_be": "Town centre, near the bus station",
                    "with_whom": "Two older males, not known",
                },
                request_only=True,
            )
        ],
    )
    class InputSerializer(StrictSerializer):
        agency = AgencyChoiceField(
            required=False,
            help_text="The agency you report for; may be left out if you act for only one.",
        )
        child = ReportedChildSerializer()
        missing_from = serializers.ChoiceField(choices=MissingFrom.choices)
        missing_since = serializers.DateTimeField()
        risk_grading = serializers.ChoiceField(
            choices=RiskGrading.choices, help_text="The police risk grading."
        )
        thought_to_be = _text(2000, "Where the child is thought to be or to have been.")
        with_whom = _text(2000, "Who the child is thought to be with.")
        circumstances = _text(4000)
        returned_at = serializers.DateTimeField(
            required=False, allow_null=True, default=None, help_text="If already back."
        )
        found_where = _text(2000)
        found_by = _text(200)

        def __init__(self, *args, agencies=None, **kwargs):
            super().__init__(*args, **kwargs)
            if agencies is not None:
                self.fields["agency"].queryset = agencies

        def validate(self, attrs):
            if "agency" not in attrs:
                choices = list(self.fields["agency"].queryset.order_by("pk")[:2])
                if len(choices) != 1:
                    raise serializers.ValidationError(
                        {"agency": "Choose the agency you report for: you act for several"}
                    )
                attrs["agency"] = choices[0]
            details = services.EpisodeDetails(
                **{name: attrs[name] for name in services.EpisodeDetails.__dataclass_fields__}
            )
            problems = services.episode_problems(details)
            if problems:
                raise serializers.ValidationError(problems)
            return attrs

    @extend_schema(
        operation_id="missing_episodes_list",
        summary="The missing episodes you may read, newest first",
        description="No child's details: read an episode (audited) for those. Pages of "
        "`limit` (50 if not given, at most 100) from `offset`.",
        responses={200: EpisodeSummarySerializer(many=True), **error_responses(400, 401)},
    )
    def get(self, request):
        episodes = (
            access.visible_missing_episodes(request.user)
            .select_related("reporting_agency")
            .order_by("-missing_since", "-pk")
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(episodes, request, view=self)
        data = EpisodeSummarySerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        operation_id="missing_episodes_create",
        summary="Report a child missing",
        description="The child is recognised by NHS number, or by name and date of birth; "
        "otherwise a new record is made. A return given here starts the 72-hour return home "
        "interview clock. Send an Idempotency-Key to make retries safe: the same key with the "
        "same body reports one episode and answers 200 with it (header Idempotent-Replayed: "
        "true); the same key with another body is refused with 422.",
        request=InputSerializer,
        parameters=[submission.IDEMPOTENCY_KEY_PARAMETER],
        responses={
            201: OpenApiResponse(EpisodeOutputSerializer, description="Reported."),
            200: OpenApiResponse(
                EpisodeOutputSerializer,
                description="A repeat of an earlier request with the same Idempotency-Key: "
                "the episode it reported, as it is now.",
            ),
            **error_responses(400, 401, 403, 404, 415, 422),
        },
    )
    def post(self, request):
        agencies = access.missing_reporting_agencies(request.user)
        if not agencies.exists():
            raise MayNotReport(request.user)
        key = submission.idempotency_key(request)
        sha256 = submission.body_sha256(request.data) if key is not None else ""
        if key is not None:
            earlier = _replay(user=request.user, key=key, sha256=sha256)
            if earlier is not None:
                return _answer(request, earlier, created=False)
        serializer = MissingEpisodeCollectionApi.InputSerializer(
            data=request.data, agencies=agencies
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        details = services.EpisodeDetails(
            **{name: data[name] for name in services.EpisodeDetails.__dataclass_fields__}
        )
        try:
            episode = services.episode_report(
                actor=request.user,
                agency=data["agency"],
                child=ReportedChild(**data["child"]),
                details=details,
                key=key,
                sha256=sha256,
                address=audit.client_address(request),
            )
        except services.MissingError as exc:
            raise serializers.ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: [str(exc)]}
            ) from None
        except IntegrityError:
            # Another request with the same key reported it a moment ago: ours changed nothing.
            earlier = key is not None and _replay(user=request.user, key=key, sha256=sha256)
            if not earlier:
                raise
            return _answer(request, earlier, created=False)
        return _answer(request, episode, created=True)


def _replay(*, user, key: str, sha256: str) -> MissingEpisode | None:
    claim = MissingReportKey.objects.filter(user=user, key=key).first()
    if claim is None:
        return None
    if claim.body_sha256 != sha256:
        raise submission.IdempotencyKeyReused()
    return claim.episode


def _answer(request, episode: MissingEpisode, *, created: bool) -> Response:
    # Read as it is now, through the policy: someone who may no longer see it gets the 404
    # anyone else would; a replay is a reading like any other.
    episode = access.get_missing_episode_for(request.user, episode.pk)
    if not created:
        services.episode_view_record(
            actor=request.user, episode=episode, address=audit.client_address(request)
        )
    data = EpisodeOutputSerializer(episode, context={"request": request}).data
    headers = {"Location": reverse("api:missing-episode-detail", args=[episode.pk])}
    if not created:
        headers["Idempotent-Replayed"] = "true"
    return Response(
        data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK, headers=headers
    )


class MissingEpisodeDetailApi(ApiView):
    @extend_schema(
        operation_id="missing_episodes_read",
        summary="Read a missing episode",
        description="Recorded in the child's audit trail as a view.",
        responses={200: EpisodeOutputSerializer, **error_responses(401, 404)},
    )
    def get(self, request, pk: int):
        episode = access.get_missing_episode_for(request.user, pk)
        services.episode_view_record(
            actor=request.user, episode=episode, address=audit.client_address(request)
        )
        return Response(EpisodeOutputSerializer(episode, context={"request": request}).data)
