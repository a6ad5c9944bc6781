"""Recognising the child a missing report is about, as a referral's child is recognised
(referrals.matching): the same NHS number, or the same date of birth and the same name
(tolerant of accents, punctuation, order and aliases). Only a sure match joins the child's
record; otherwise the report makes a record of its own, so that a police report never lands
on the wrong child.

Known children are those with a referral that has left draft, and those already reported
missing (a child may go missing before anyone refers them)."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, Q

from missing.models import MissingEpisode
from referrals import matching
from referrals.models import Child, Referral

# Sure, not likely: a name as alike as a typing slip is a suggestion for a referral's
# screener, never grounds to put an episode on another child's record unseen.
SURE_NAME_SIMILARITY = 1.0


@dataclass
class ReportedChild:
    first_name: str
    last_name: str
    date_of_birth: date | None = None
    gender: str = "not_known"
    nhs_number: str = ""
    aliases: list[str] | None = None
    address: str = ""
    postcode: str = ""
    school: str = ""


def known_children():
    referred = Referral.objects.left_draft().filter(child=OuterRef("pk"))
    reported = MissingEpisode.objects.filter(child=OuterRef("pk"))
    return Child.objects.filter(Q(Exists(referred)) | Q(Exists(reported)))


def sure_match(details: ReportedChild) -> Child | None:
    """The known child this surely is (same NHS number, or same date of birth and name), or
    None."""
    known = known_children()
    if details.nhs_number:
        child = known.filter(nhs_number=details.nhs_number).order_by("pk").first()
        if child is not None:
            return child
    if details.date_of_birth is None:
        return None
    names = [f"{details.first_name} {details.last_name}", *(details.aliases or [])]
    for child in known.filter(date_of_birth=details.date_of_birth).order_by("pk"):
        score = max(matching.best_name_similarity(name, child) for name in names)
        if score >= SURE_NAME_SIMILARITY:
            return child
    return None


def child_record_for(details: ReportedChild) -> tuple[Child, bool]:
    """(the child, whether the record is new): the known child when surely matched."""
    child = sure_match(details)
    if child is not None:
        return child, False
    child = Child.objects.create(
        first_name=details.first_name,
        last_name=details.last_name,
        aliases=list(details.aliases or []),
        date_of_birth=details.date_of_birth,
        gender=details.gender,
        nhs_number=details.nhs_number,
        address=details.address,
        postcode=details.postcode,
        school=details.school,
        search_name=matching.search_name_for(
            details.first_name, details.last_name, details.aliases
        ),
    )
    return child, True
