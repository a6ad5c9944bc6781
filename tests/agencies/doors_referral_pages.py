"""Rows of the access matrix for the referral work pages: see test_access_matrix.py.

The world's referral is listed for panel P, referred by referrer_a of agency A and shared with
agency B; its draft is referrer_a's alone. Forms are asked for with GET, so the matrix changes
nothing; the few objects a door needs (a suggested match, an information request, a file) are
made by its path builder.
"""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from referrals.models import (
    Attachment,
    Child,
    ChildMatch,
    ContributionRequest,
    Referral,
    ReferralState,
)
from tests.agencies.matrix import VIEWERS, everyone, only

REFERS = ["referrer_a", "referrer_a2", "referrer_c", "lead_a", "lead_b", "lead_c"]
MATRIX_FILE = "attachments/access-matrix/door.txt"


def draft_page(step):
    return lambda w: f"/referrals/{w.draft.pk}/draft/{step}/"


def suggested_match(w) -> str:
    # Only a child named on a referral that has left draft is ever a candidate.
    other = Child.objects.create(first_name="Testchild", last_name="Examples")
    Referral.objects.create(
        reference=f"MATRIX-{other.pk}",
        child=other,
        agency=w.referral.agency,
        referrer=w.referral.referrer,
        state=ReferralState.SUBMITTED,
        submitted_at=w.referral.submitted_at,
    )
    match = ChildMatch.objects.create(
        referral=w.referral, candidate=other, reasons="Same date of birth", score=0.9
    )
    return f"/referrals/{w.referral.pk}/matches/{match.pk}/"


def request_to_agency_b(w) -> str:
    asked = ContributionRequest.objects.create(
        referral=w.referral, agency=w.agencies["b"], requested_by=w.people["coordinator"]
    )
    return f"/referrals/{w.referral.pk}/requests/{asked.pk}/decline/"


def attachment(w) -> str:
    # One small file under MEDIA_ROOT, written once and reused by every run.
    name = MATRIX_FILE
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(b"Access matrix door.\n"))
    attached = Attachment.objects.create(
        referral=w.referral,
        file=name,
        original_name="door.txt",
        content_type="text/plain",
        size=20,
        sha256="0" * 64,
        uploaded_by=w.people["lead_a"],
    )
    return f"/referrals/{w.referral.pk}/attachments/{attached.pk}/"


def referral_page(suffix):
    return lambda w: f"/referrals/{w.referral.pk}/{suffix}"


CAN_REFER = only(dict.fromkeys(REFERS, 200), default=403)
OWN_DRAFT = only({"referrer_a": 200})

REFERRAL_PAGE_DOORS: dict = {
    # A new referral, step by step: the referrer's own draft, nobody else's.
    "referrals:new": ("get", lambda w: "/referrals/new/", None, CAN_REFER),
    "referrals:drafts": ("get", lambda w: "/referrals/drafts/", None, CAN_REFER),
    "referrals:draft-child": ("get", draft_page("child"), None, OWN_DRAFT),
    "referrals:draft-household": ("get", draft_page("household"), None, OWN_DRAFT),
    "referrals:draft-concern": ("get", draft_page("concern"), None, OWN_DRAFT),
    "referrals:draft-consent": ("get", draft_page("consent"), None, OWN_DRAFT),
    "referrals:draft-attachments": ("get", draft_page("attachments"), None, OWN_DRAFT),
    "referrals:draft-check": ("get", draft_page("check"), None, OWN_DRAFT),
    "referrals:submitted": (
        "get",
        referral_page("submitted/"),
        None,
        only(dict.fromkeys(VIEWERS, 200)),
    ),
    # What happens to a referral: those who may read it but not do this get 403.
    "referrals:screen": (
        "get",
        referral_page("screen/"),
        None,
        only({"coordinator": 200}, knowers=VIEWERS),
    ),
    "referrals:decide": (
        "get",
        referral_page("decide/"),
        None,
        only({"coordinator": 200}, knowers=VIEWERS),
    ),
    "referrals:close": (
        "get",
        referral_page("close/"),
        None,
        only({"coordinator": 200}, knowers=VIEWERS),
    ),
    "referrals:withdraw": (
        "get",
        referral_page("withdraw/"),
        None,
        only({"referrer_a": 200, "lead_a": 200}, knowers=VIEWERS),
    ),
    "referrals:match": ("get", suggested_match, None, only({"coordinator": 200}, knowers=VIEWERS)),
    "referrals:contributions-request": (
        "get",
        referral_page("contributions/request/"),
        None,
        only({"coordinator": 200}, knowers=VIEWERS),
    ),
    # Readers who refer or lead for an agency add what it knows.
    "referrals:contribution-add": (
        "get",
        referral_page("contributions/add/"),
        None,
        only({"referrer_a": 200, "lead_a": 200, "lead_b": 200}, knowers=VIEWERS),
    ),
    # Only the agency asked (B) answers for itself.
    "referrals:contribution-decline": (
        "get",
        request_to_agency_b,
        None,
        only({"lead_b": 200}, knowers=VIEWERS),
    ),
    "referrals:attachment-add": (
        "get",
        referral_page("attachments/add/"),
        None,
        only({"lead_a": 200, "coordinator": 200}, knowers=VIEWERS),
    ),
    # Every reader may download (the auditor is first asked for a reason).
    "referrals:attachment-download": ("get", attachment, None, only(dict.fromkeys(VIEWERS, 200))),
    "referrals:screening-queue": (
        "get",
        lambda w: "/screening/",
        None,
        only({"coordinator": 200}, default=403),
    ),
    # Search filters its results by the policy: everyone may search, and finds what they may read.
    "referrals:search": ("get", lambda w: "/search/", {"q": "Testchild"}, everyone(200)),
    "referrals:child": (
        "get",
        lambda w: f"/children/{w.referral.child_id}/",
        None,
        only(dict.fromkeys(VIEWERS, 200)),
    ),
}
