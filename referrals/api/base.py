"""What every API view shares: JSON in and out, errors in one shape, every refusal audited.

Every error body has `detail` (a sentence for a person) and `code` (for a program). A request
with invalid fields also has `errors`, naming each field by its path in the request body:

    {"detail": "The request has errors: see errors, by field.", "code": "invalid",
     "errors": {"child.nhs_number": ["Enter a valid NHS number: ..."],
                "household.0.full_name": ["Enter the person's full name"]}}

Errors about the whole request (or a whole object in it) are under `non_field_errors` (or the
object's path, e.g. `child`).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.settings import api_settings
from rest_framework.views import APIView, exception_handler

import access
from agencies import audit
from referrals.services import ReferralError
from referrals.workflow import TransitionNotAllowed

ACCESS_REASON_HEADER = "X-Access-Reason"
ACCESS_REASON_MAX_LENGTH = 1000
INVALID = "The request has errors: see errors, by field."
NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY


class AccessReasonRequired(exceptions.PermissionDenied):
    """A quality auditor reads a case only with a reason, each time (docs/access.md)."""

    default_detail = (
        f"Give the reason you are reading this case in the {ACCESS_REASON_HEADER} header. "
        "It is recorded with this view for the data protection officer."
    )
    default_code = "access_reason_required"

    def __init__(self, referral):
        super().__init__()
        # What audit.record_refusal reads from the policy's own refusals.
        self.object_type = "referral"
        self.object_id = referral.pk
        self.referral_id = referral.pk


class Conflict(exceptions.APIException):
    status_code = 409
    default_detail = "The referral has moved on: this is no longer possible."
    default_code = "conflict"


REFUSALS = (access.NotFoundForUser, access.ForbiddenForUser, AccessReasonRequired)


def _joined(path: str, key) -> str:
    return f"{path}.{key}" if path else str(key)


def field_errors(detail, path: str = "") -> dict[str, list[str]]:
    """DRF's nested errors flattened to one level, keyed by each field's path in the body."""
    if isinstance(detail, dict):
        errors: dict[str, list[str]] = {}
        for key, value in detail.items():
            # An object's own errors (not a field's) are named by the object's path.
            name = path or NON_FIELD if key == NON_FIELD else _joined(path, key)
            for field, messages in field_errors(value, name).items():
                errors.setdefault(field, []).extend(messages)
        return errors
    if isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        # One entry per item of a list of objects; valid items have no errors ({}).
        errors = {}
        for index, item in enumerate(detail):
            errors.update(field_errors(item, _joined(path, index)))
        return errors
    messages = detail if isinstance(detail, list) else [detail]
    return {path or NON_FIELD: [str(message) for message in messages]}


def api_exception_handler(exc, context):
    """Every error as {"detail", "code"[, "errors"]}; every refusal of the policy audited."""
    request = context.get("request")
    if isinstance(exc, REFUSALS) and request is not None:
        audit.record_refusal(actor=request.user, exc=exc, request=request)
    if isinstance(exc, ReferralError):
        exc = exceptions.ValidationError({NON_FIELD: [str(exc)]})
    elif isinstance(exc, TransitionNotAllowed):
        exc = Conflict(str(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": INVALID, "code": "invalid", "errors": field_errors(exc.detail)}
    elif isinstance(exc.detail, str):
        response.data = {"detail": str(exc.detail), "code": exc.detail.code}
    else:
        response.data = {"detail": exc.default_detail, "code": exc.default_code}
    return response


class ApiErrorsMixin:
    """Errors in the API's one shape, also for drf-spectacular's schema and docs views."""

    def get_exception_handler(self):
        return api_exception_handler


class ApiView(ApiErrorsMixin, APIView):
    """The base of every API view: JSON only (no browsable HTML API)."""

    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]


def access_reason(request) -> str:
    """The reason given in the X-Access-Reason header, or "" when none is given."""
    reason = request.headers.get(ACCESS_REASON_HEADER, "").strip()
    if len(reason) > ACCESS_REASON_MAX_LENGTH:
        raise exceptions.ValidationError(
            {ACCESS_REASON_HEADER: [f"Keep the reason to {ACCESS_REASON_MAX_LENGTH} characters"]}
        )
    return reason


# --- For the schema ----------------------------------------------------------------------------


class ApiErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in a sentence for a person.")
    code = serializers.CharField(help_text="What went wrong, for a program: e.g. not_found.")


class ApiValidationErrorSerializer(ApiErrorSerializer):
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages by the field's path in the request body, e.g. child.nhs_number, "
        "household.0.full_name, details.categories.1; non_field_errors for the whole request.",
    )


ERROR_MEANINGS = {
    400: (ApiValidationErrorSerializer, "Invalid fields, each named in errors."),
    401: (ApiErrorSerializer, "No valid token (Authorization: Token <key>) or session."),
    403: (ApiErrorSerializer, "You may see this referral (or use this endpoint) but not do this."),
    404: (
        ApiErrorSerializer,
        "No such referral, or one you may not see: the same answer for both.",
    ),
    409: (ApiErrorSerializer, "The referral has moved on and this is no longer possible."),
    415: (ApiErrorSerializer, "The body must be JSON (Content-Type: application/json)."),
    422: (
        ApiErrorSerializer,
        "This Idempotency-Key was used before with a different request body.",
    ),
}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    return {
        status: OpenApiResponse(ERROR_MEANINGS[status][0], description=ERROR_MEANINGS[status][1])
        for status in statuses
    }


ACCESS_REASON_PARAMETER = OpenApiParameter(
    ACCESS_REASON_HEADER,
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="Why you are reading this case. Required of a quality auditor reading a case "
    "they hold no other right to (403 access_reason_required without it); recorded with the "
    "view for the data protection officer.",
)
