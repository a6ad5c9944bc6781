"""Recognising a child already known: the same NHS number, or the same date of birth and a
similar name (tolerant of spelling, order and aliases), or a similar name and the date of
birth with day and month swapped (03/07 typed for 07/03). Every lookup uses an index: NHS
number, or date of birth; names are compared only among children born that day.

Only a child with a referral that has left draft is known (Child.objects.referred()): a
draft's child is its referrer's work in progress, seen by nobody else, so it is never offered
to a screener as a match. A draft withdrawn before submission never left draft."""

import unicodedata
from dataclasses import dataclass
from datetime import date
from difflib import SequenceMatcher

from django.db.models import Q

from referrals.models import Child

NAME_MATCH_THRESHOLD = 0.8
# A swapped day and month is a likely typing slip, but less sure than the same date.
SWAPPED_DATE_FACTOR = 0.9


def normalise_name(value: str) -> str:
    """Lower case, no accents or punctuation, single spaces ("Ellie-Mae" -> "ellie mae")."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    letters = "".join(ch if ch.isalnum() else " " for ch in ascii_only.lower())
    return " ".join(letters.split())


def search_name_for(first_name: str, last_name: str, aliases: list[str] | None = None) -> str:
    names = [f"{first_name} {last_name}", *(aliases or [])]
    return " | ".join(normalise_name(name) for name in names if name.strip())[:400]


def name_similarity(a: str, b: str) -> float:
    """1.0 for the same name; order of the names does not matter; spelling slips cost little."""
    a_tokens, b_tokens = normalise_name(a).split(), normalise_name(b).split()
    if not a_tokens or not b_tokens:
        return 0.0
    in_order = SequenceMatcher(None, " ".join(a_tokens), " ".join(b_tokens)).ratio()
    sorted_order = SequenceMatcher(
        None, " ".join(sorted(a_tokens)), " ".join(sorted(b_tokens))
    ).ratio()
    return max(in_order, sorted_order)


def best_name_similarity(name: str, child: Child) -> float:
    known = [f"{child.first_name} {child.last_name}", *(child.aliases or [])]
    return max(name_similarity(name, other) for other in known)


def swapped_day_and_month(born: date) -> date | None:
    """The date with day and month swapped (3 July -> 7 March), when that is a valid date and
    not the same one (7 July swapped is 7 July)."""
    if born.day == born.month or born.day > 12:
        return None
    try:
        return born.replace(month=born.day, day=born.month)
    except ValueError:
        return None


@dataclass(frozen=True)
class Candidate:
    child: Child
    score: float
    reasons: str


def find_candidates(
    *,
    first_name: str,
    last_name: str,
    date_of_birth: date | None,
    nhs_number: str = "",
    aliases: list[str] | None = None,
    exclude_child_id: int | None = None,
) -> list[Candidate]:
    """Known children who may be this one, best first: the same NHS number scores 1; a similar
    name scores its likeness on the same date of birth, and less on a swapped day and month."""
    dates: list[tuple[date, float, str]] = []
    if date_of_birth:
        dates.append((date_of_birth, 1.0, "Same date of birth"))
        swapped = swapped_day_and_month(date_of_birth)
        if swapped is not None:
            dates.append((swapped, SWAPPED_DATE_FACTOR, "Day and month of birth swapped"))
    if not dates and not nhs_number:
        return []
    wanted = Q(date_of_birth__in=[born for born, _, _ in dates])
    if nhs_number:
        wanted |= Q(nhs_number=nhs_number)
    # One read of every child who could match, by either rule; each index answers its part.
    known = list(Child.objects.referred().exclude(pk=exclude_child_id).filter(wanted))
    found: dict[int, Candidate] = {}
    if nhs_number:
        for child in known:
            if child.nhs_number == nhs_number:
                found[child.pk] = Candidate(child, 1.0, "Same NHS number")
    names = [f"{first_name} {last_name}", *(aliases or [])]
    for born, factor, why in dates:
        for child in known:
            if child.date_of_birth != born or child.pk in found:
                continue
            score = max(best_name_similarity(name, child) for name in names)
            if score >= NAME_MATCH_THRESHOLD:
                found[child.pk] = Candidate(
                    child, round(score * factor, 3), f"{why}; name {round(score * 100)}% alike"
                )
    return sorted(found.values(), key=lambda c: (-c.score, c.child.pk))
