"""Referral API views, one per operation: list, create (and submit), read, history."""

from django.urls import reverse
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings

import access
from referrals import intake, services
from referrals.api import submission
from referrals.api.base import (
    ACCESS_REASON_PARAMETER,
    AccessReasonRequired,
    ApiView,
    access_reason,
    error_responses,
)
from referrals.api.serializers import (
    HOUSEHOLD_MAX,
    AgencyChoiceField,
    AgencyOutputSerializer,
    ChildInputSerializer,
    HouseholdMemberInputSerializer,
    ReferralDetailsInputSerializer,
    ReferralOutputSerializer,
    StateField,
    StrictSerializer,
)
from referrals.models import Referral, ReferralTransition


class MayNotRefer(access.ForbiddenForUser):
    def __init__(self, user):
        super().__init__(action="refer for", object_type="person", object_id=user.pk)
        self.args = ("Only a referrer or an agency's safeguarding lead may create referrals.",)


def household_of(referral: Referral) -> list:
    return list(referral.household_members.filter(removed_at__isnull=True).order_by("pk"))


def readable(user, referral: Referral) -> Referral:
    """The referral with the parts this reader may see, for ReferralOutputSerializer."""
    referral.api_household = household_of(referral)
    referral.api_contributions = list(
        access.visible_contributions(user, referral).select_related("agency")
    )
    return referral


def record_view(request, referral: Referral) -> None:
    """Every read of a case is audited as a view; a quality auditor must say why (403 if not)."""
    try:
        services.referral_view_record(
            actor=request.user, referral=referral, request=request, reason=access_reason(request)
        )
    except services.ReferralError:
        # The service's one refusal: a reason is asked of this reader and none was given.
        raise AccessReasonRequired(referral) from None


# --- GET and POST /api/v1/referrals/ ------------------------------------------------------------


class ReferralListApi(ApiView):
    pagination_class = api_settings.DEFAULT_PAGINATION_CLASS

    @extend_schema_serializer(component_name="ReferralSummary")
    class OutputSerializer(serializers.ModelSerializer):
        url = serializers.HyperlinkedIdentityField(view_name="api:referral-detail")
        agency = AgencyOutputSerializer()
        state = StateField()

        class Meta:
            model = Referral
            fields = ["id", "url", "reference", "state", "agency", "created_at", "submitted_at"]

    @extend_schema(
        operation_id="referrals_list",
        summary="The referrals you may see, newest first",
        description="No case content: read a referral (audited) for that. Drafts are listed "
        "only to the referrer who is writing them. Pages of `limit` referrals (50 if not "
        "given, at most 100) from `offset`; a limit or offset that is not a whole number in "
        "range is a 400.",
        responses={200: OutputSerializer(many=True), **error_responses(400, 401)},
    )
    def get(self, request):
        referrals = (
            access.visible_referrals(request.user)
            .select_related("agency")
            .order_by("-created_at", "-id")
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(referrals, request, view=self)
        serializer = ReferralListApi.OutputSerializer(page, many=True, context={"request": request})
        return paginator.get_paginated_response(serializer.data)


class ReferralCreateApi(ApiView):
    @extend_schema_serializer(
        component_name="ReferralSubmission",
        examples=[
            OpenApiExample(
                "A referral",
                value={
                    "child": {
                        "first_name": "Ashlyn",
                        "last_name": "Brackenridge",
                        "date_of_birth": "2012-06-15",
                        "gender": "female",
                        "postcode": "ZZ1 1AA",
                        "nhs_number": "943 476 5919",
                    },
                    "details": {
                        "concern": "Missing overnight twice this week; seen with older males.",
                        "categories": ["missing", "cse"],
                        "family_aware": "yes",
                        "consent": "not_sought",
                        "lawful_basis": "Children Act 1989 s47; UK GDPR Art 6(1)(e)",
                        "reason_without_consent": "Telling the family may increase the risk.",
                    },
                    "household": [{"full_name": "Dawn Brackenridge", "relationship": "mother"}],
                },
                request_only=True,
            )
        ],
    )
    class InputSerializer(StrictSerializer):
        agency = AgencyChoiceField(
            required=False,
            help_text="The agency you refer for; may be left out if you act for only one.",
        )
        child = ChildInputSerializer()
        details = ReferralDetailsInputSerializer()
        household = HouseholdMemberInputSerializer(
            many=True, required=False, default=list, max_length=HOUSEHOLD_MAX
        )

        def __init__(self, *args, agencies=None, **kwargs):
            super().__init__(*args, **kwargs)
            self.agencies = list(agencies or [])
            self.fields["agency"].agencies = self.agencies

        def validate(self, attrs):
            if "agency" not in attrs:
                choices = self.agencies
                if len(choices) != 1:
                    raise serializers.ValidationError(
                        {"agency": "Choose the agency you are referring for: you act for several"}
                    )
                attrs["agency"] = choices[0]
            return attrs

    OutputSerializer = ReferralOutputSerializer

    @extend_schema(
        operation_id="referrals_create",
        summary="Create a referral and submit it",
        description="The referral is saved and submitted at once: its clocks start and likely "
        "existing records of the child are suggested to the screener. Send an Idempotency-Key "
        "to make retries safe: the same key with the same body creates one referral and "
        "answers 200 with it (header Idempotent-Replayed: true); the same key with another "
        "body is refused with 422.",
        request=InputSerializer,
        parameters=[submission.IDEMPOTENCY_KEY_PARAMETER],
        responses={
            201: OpenApiResponse(ReferralOutputSerializer, description="Created and submitted."),
            200: OpenApiResponse(
                ReferralOutputSerializer,
                description="A repeat of an earlier request with the same Idempotency-Key: "
                "the referral it made, as it is now.",
            ),
            **error_responses(400, 401, 403, 404, 415, 422),
        },
    )
    def post(self, request):
        agencies = list(access.referring_agencies(request.user).order_by("pk"))
        if not agencies:
            raise MayNotRefer(request.user)
        key = submission.idempotency_key(request)
        sha256 = ""
        if key is not None:
            sha256 = submission.body_sha256(request.data)
            earlier = submission.replay(actor=request.user, key=key, sha256=sha256, request=request)
            if earlier is not None:
                return self._answer(request, earlier, created=False)
        serializer = ReferralCreateApi.InputSerializer(data=request.data, agencies=agencies)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        referral, created = submission.referral_create_and_submit(
            actor=request.user,
            agency=data["agency"],
            child=intake.ChildDetails(**data["child"]),
            details=intake.ReferralDetails(**data["details"]),
            household=[intake.HouseholdDetails(**member) for member in data["household"]],
            key=key,
            sha256=sha256,
            request=request,
        )
        return self._answer(request, referral, created=created)

    def _answer(self, request, referral: Referral, *, created: bool) -> Response:
        if created:
            # Just made by the caller, through services that asked the policy, and answered
            # from the rows they wrote (child, agency, hub and household in hand); a referral
            # a moment old has no contributions yet.
            referral.api_household = referral.new_household
            referral.api_contributions = []
        else:
            # A replay is a read like any other, of the referral as it is now: recorded as a
            # view, and someone who may no longer see it gets the 404 anyone else would.
            referral = access.get_referral_for(request.user, referral.pk)
            record_view(request, referral)
            referral = readable(request.user, referral)
        data = ReferralCreateApi.OutputSerializer(referral, context={"request": request}).data
        headers = {"Location": reverse("api:referral-detail", args=[referral.pk])}
        if not created:
            headers["Idempotent-Replayed"] = "true"
        return Response(
            data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK, headers=headers
        )


class ReferralCollectionApi(ReferralListApi, ReferralCreateApi):
    """/api/v1/referrals/: GET lists (ReferralListApi), POST creates (ReferralCreateApi).

    The two operations share a URL, so each names its own serializers by its class
    (ReferralListApi.OutputSerializer), never through `self`, which would find the first
    class's."""


# --- GET /api/v1/referrals/<id>/ ---------------------------------------------------------------


class ReferralDetailApi(ApiView):
    OutputSerializer = ReferralOutputSerializer

    @extend_schema(
        operation_id="referrals_read",
        summary="Read a referral",
        description="Recorded in the referral's audit trail as a view, with the reason given "
        "in X-Access-Reason. Contributions are those you may read (a panel-only one only by "
        "the panel, its own agency and the quality auditor).",
        parameters=[ACCESS_REASON_PARAMETER],
        responses={200: ReferralOutputSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request, pk: int):
        referral = access.get_referral_for(request.user, pk)
        record_view(request, referral)
        data = self.OutputSerializer(
            readable(request.user, referral), context={"request": request}
        ).data
        return Response(data)


# --- GET /api/v1/referrals/<id>/history/ -------------------------------------------------------


class ReferralTransitionOutputSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField(help_text="Who took the step.")
    from_state = StateField()
    to_state = StateField()

    class Meta:
        model = ReferralTransition
        fields = ["name", "from_state", "to_state", "at", "actor", "reason"]

    def get_actor(self, step: ReferralTransition) -> str:
        return step.actor.get_full_name() or step.actor.get_username()


class ReferralHistoryApi(ApiView):
    @extend_schema_serializer(component_name="ReferralHistory")
    class OutputSerializer(serializers.ModelSerializer):
        transitions = ReferralTransitionOutputSerializer(
            many=True, source="api_transitions", help_text="Oldest first."
        )
        state = StateField()

        class Meta:
            model = Referral
            fields = ["id", "reference", "state", "transitions"]

    @extend_schema(
        operation_id="referrals_history",
        summary="A referral's state and every move in its life, oldest first",
        description="Recorded as a view of the referral, like reading it.",
        parameters=[ACCESS_REASON_PARAMETER],
        responses={200: OutputSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request, pk: int):
        referral = access.get_referral_for(request.user, pk)
        record_view(request, referral)
        referral.api_transitions = list(referral.transitions.select_related("actor"))
        return Response(self.OutputSerializer(referral).data)
