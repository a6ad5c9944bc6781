"""POST /api/v1/referrals/<id>/contributions/: an agency adds what it knows to a referral."""

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

import access
from referrals import intake
from referrals.api.base import ApiView, error_responses
from referrals.api.serializers import (
    AgencyChoiceField,
    ContributionOutputSerializer,
    StrictSerializer,
    required_messages,
)
from referrals.models import ContributionSensitivity


class ContributionCreateApi(ApiView):
    @extend_schema_serializer(component_name="ContributionSubmission")
    class InputSerializer(StrictSerializer):
        agency = AgencyChoiceField(
            required=False,
            help_text="The agency whose information this is; may be left out if you act for "
            "only one.",
        )
        text = serializers.CharField(
            max_length=20000, error_messages=required_messages("Enter what your agency knows")
        )
        sensitivity = serializers.ChoiceField(
            choices=ContributionSensitivity.choices,
            required=False,
            default=ContributionSensitivity.NORMAL,
            help_text="Who may read it: normal; not_for_family (never in a family-facing "
            "summary); panel_only (the panel, your agency and the quality auditor).",
        )
        lawful_basis = serializers.CharField(
            max_length=2000,
            error_messages=required_messages("Give the lawful basis for sharing this information"),
        )

        def __init__(self, *args, agencies=None, **kwargs):
            super().__init__(*args, **kwargs)
            if agencies is not None:
                self.fields["agency"].queryset = agencies

        def validate(self, attrs):
            if "agency" not in attrs:
                choices = list(self.fields["agency"].queryset.order_by("pk")[:2])
                if len(choices) != 1:
                    raise serializers.ValidationError(
                        {"agency": "Choose the agency whose information this is"}
                    )
                attrs["agency"] = choices[0]
            return attrs

    OutputSerializer = ContributionOutputSerializer

    @extend_schema(
        operation_id="referrals_contributions_create",
        summary="Add what your agency knows to a submitted referral",
        description="For a person who may read the referral and refers or leads for an "
        "agency. Answers the coordinator's request to that agency, if there was one.",
        request=InputSerializer,
        responses={201: OutputSerializer, **error_responses(400, 401, 403, 404, 415)},
    )
    def post(self, request, pk: int):
        referral = access.get_referral_for(request.user, pk)
        agencies = access.contributing_agencies(request.user, referral)
        if not agencies.exists():
            raise access.ForbiddenForUser(
                action="add information to",
                object_type="referral",
                object_id=referral.pk,
                referral_id=referral.pk,
            )
        serializer = self.InputSerializer(data=request.data, agencies=agencies)
        serializer.is_valid(raise_exception=True)
        contribution = intake.contribution_add(
            actor=request.user, referral=referral, request=request, **serializer.validated_data
        )
        return Response(self.OutputSerializer(contribution).data, status=status.HTTP_201_CREATED)
