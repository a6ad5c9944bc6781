"""Reads about referrals that are more than a .get(). Callers pass what the policy allows."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.postgres.search import TrigramWordSimilarity
from django.core.paginator import Page
from django.db import connection
from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, When
from django.http import QueryDict
from django.urls import reverse
from django.utils import dateformat, timezone

import access
from agencies.models import Agency, AuditEvent
from config.json_rows import JSONRows
from missing import selectors as missing_selectors
from referrals.filters import ReferralFilter
from referrals.list_paging import CappedPaginator
from referrals.matching import normalise_name
from referrals.models import Rag, Referral, ReferralState, ReferralTransition, initials_of


def referral_list_for(*, user, limit: int = 50) -> list[Referral]:
    """The first page of referrals the person may see, newest first, in one query."""
    return list(
        access.visible_referrals(user)
        .select_related("agency", "child")
        .order_by("-created_at", "-id")[:limit]
    )


@dataclass(frozen=True, slots=True)
class ListedReferral:
    """One row of the referral list, as the page shows it."""

    pk: int
    reference: str
    url: str
    child_initials: str
    agency_name: str
    state_label: str
    rag: str
    rag_label: str
    rag_tag: str  # the GOV.UK tag's colour class
    received: str  # when received (a draft: when started), "j M Y H:i" in the local time


@dataclass(frozen=True)
class ReferralList:
    """The referral list's page: its filters (bound and checked), and a page of rows."""

    filters: ReferralFilter
    page: Page  # its object_list: ListedReferral rows
    reviews: bool  # a quality auditor's review queue


def referral_list_page(*, user, params: QueryDict, page_size: int) -> ReferralList:
    """The referrals the person may see, filtered and sorted as `params` ask, a page at a
    time (`params["page"]`), counted up to list_paging.CAP; for a quality auditor with no
    filters chosen, the live cases they have not yet reviewed."""
    visible, rules = access.listable_referrals(user)
    reviews = access.reviews_live_cases(user)
    data = params.copy()
    if reviews and not data:
        data["review"] = "to_review"
    filters = ReferralFilter(
        data,
        queryset=visible,
        user=user,
        # Every agency of the partnership: naming one reveals nothing, and a filter only
        # narrows what the policy lets the person see. (Only the agencies among those
        # referrals would walk all of them through the policy twice a page: 85 ms at
        # 100,000 referrals.)
        agencies=Agency.objects.filter(is_active=True).order_by("name"),
        acting_for=access.roles_of(user).all_agencies,
        reviews=reviews,
    )
    if filters.is_valid():
        rows = filters.qs.values(*_LISTED_COLUMNS)
        # Counted from the same filters over the same referrals, rule by rule.
        counted = [filters.filter_queryset(rule) for rule in rules]
    else:
        rows = visible.none()
        counted = [rows]
    page = CappedPaginator(rows, page_size, counted_parts=counted).get_page(params.get("page"))
    page.object_list = _listed(page.object_list)
    return ReferralList(filters=filters, page=page, reviews=reviews)


_LISTED_COLUMNS = (
    "pk",
    "reference",
    "child__first_name",
    "child__last_name",
    "agency__name",
    "state",
    "rag",
    "submitted_at",
    "created_at",
)
_RAG_TAGS = {Rag.RED: "govuk-tag--red", Rag.AMBER: "govuk-tag--orange"}
# Reversed once with a stand-in key, then the key put in for each row: a reverse() per row
# was about 50 us, more than the rest of the row.
_STAND_IN_PK = 918273645


def _listed(rows) -> list[ListedReferral]:
    states = dict(ReferralState.choices)
    rags = dict(Rag.choices)
    before, after = reverse("referrals:detail", args=[_STAND_IN_PK]).split(str(_STAND_IN_PK))
    listed = []
    for row in rows:
        received = timezone.localtime(row["submitted_at"] or row["created_at"])
        rag = row["rag"]
        listed.append(
            ListedReferral(
                pk=row["pk"],
                reference=row["reference"],
                url=f"{before}{row['pk']}{after}",
                child_initials=initials_of(row["child__first_name"], row["child__last_name"]),
                agency_name=row["agency__name"],
                state_label=states.get(row["state"], row["state"]),
                rag=rag,
                rag_label=rags.get(rag, rag) if rag else "",
                rag_tag=_RAG_TAGS.get(rag, "govuk-tag--green"),
                received=dateformat.format(received, "j M Y H:i"),
            )
        )
    return listed


def _filter_audit(
    events: QuerySet, *, person: str = "", agency=None, since: date | None, until: date | None
):
    if person:
        events = events.filter(
            Q(actor__username__icontains=person)
            | Q(actor__first_name__icontains=person)
            | Q(actor__last_name__icontains=person)
        )
    if agency is not None:
        events = events.filter(actor_agency=agency)
    tz = timezone.get_current_timezone()
    if since:
        events = events.filter(at__gte=datetime.combine(since, time.min, tzinfo=tz))
    if until:
        events = events.filter(at__lte=datetime.combine(until, time.max, tzinfo=tz))
    return events.select_related("actor", "actor_agency", "referral").order_by("-at", "-id")


def referral_audit_trail(*, referral: Referral, person="", agency=None, since=None, until=None):
    return _filter_audit(
        AuditEvent.objects.filter(referral=referral),
        person=person,
        agency=agency,
        since=since,
        until=until,
    )


def child_audit_trail(*, child, person="", agency=None, since=None, until=None):
    return _filter_audit(
        AuditEvent.objects.filter(child=child),
        person=person,
        agency=agency,
        since=since,
        until=until,
    )


REPEAT_WINDOW = timedelta(days=365)


def with_repeat_flag(referrals: QuerySet) -> QuerySet:
    """Annotate `is_repeat`: the same child was referred within the 12 months (365 days)
    before this referral was received."""
    earlier = Referral.objects.filter(
        child=OuterRef("child"),
        submitted_at__lt=OuterRef("submitted_at"),
        submitted_at__gte=OuterRef("submitted_at") - REPEAT_WINDOW,
    ).exclude(pk=OuterRef("pk"))
    return referrals.annotate(is_repeat=Exists(earlier))


def is_repeat_referral(referral: Referral) -> bool:
    return (
        with_repeat_flag(Referral.objects.filter(pk=referral.pk))
        .values_list("is_repeat", flat=True)
        .first()
        or False
    )


@dataclass(frozen=True)
class ReferralPage:
    """The lists the referral page shows, as the person may see them."""

    is_repeat: bool
    contribution_requests: list
    household: list
    contributions: list
    attachments: list
    history: list
    shares: list
    contributing_agencies: list[Agency]  # access.contributing_agencies
    matches: list  # for a screener only: suggested and decided matches of a referred child
    agencies_to_ask: list[Agency]  # for whoever may ask: active agencies not asked yet


def referral_page(*, user, referral: Referral, screening: bool, asking: bool) -> ReferralPage:
    """Every list of the referral page in one query, however long each is: each list is the
    queryset the page would have run (the policy's for contributions and for the agencies
    the person may contribute for), sent back as one JSON column (config/json_rows.py)."""
    lists = {
        "contribution_requests": JSONRows(
            referral.contribution_requests.all(), related=["agency", "requested_by"]
        ),
        "household": JSONRows(referral.household_members.filter(removed_at__isnull=True)),
        "contributions": JSONRows(
            access.visible_contributions(user, referral), related=["agency", "author"]
        ),
        "attachments": JSONRows(referral.attachments.all(), related=["uploaded_by"]),
        "history": JSONRows(referral.transitions.all(), related=["actor"]),
        "shares": JSONRows(referral.shares.all(), related=["agency", "shared_by", "withdrawn_by"]),
        "contributing_agencies": JSONRows(access.contributing_agencies(user, referral)),
    }
    if screening:
        lists["matches"] = JSONRows(
            referral.matches.of_referred_children(), related=["candidate", "decided_by"]
        )
    if asking:
        asked = referral.contribution_requests.values("agency_id")
        lists["agencies_to_ask"] = JSONRows(
            Agency.objects.filter(is_active=True).exclude(pk__in=asked)
        )
    # Named apart from the referral's own relations (contribution_requests, shares ...).
    columns = {f"page_{name}": rows for name, rows in lists.items()}
    row = (
        with_repeat_flag(Referral.objects.filter(pk=referral.pk))
        .annotate(**columns)
        .values("is_repeat", *columns)
        .get()
    )
    decoded = {name: rows.decode(row[f"page_{name}"]) for name, rows in lists.items()}
    return ReferralPage(
        is_repeat=bool(row["is_repeat"]),
        matches=decoded.pop("matches", []),
        agencies_to_ask=decoded.pop("agencies_to_ask", []),
        **decoded,
    )


def screening_queue(*, user) -> list[Referral]:
    """Submitted and screened referrals the person may see, the least time left first."""
    queue = (
        access.visible_referrals(user)
        .filter(state__in=[ReferralState.SUBMITTED, ReferralState.SCREENED])
        .annotate(
            next_due_at=Case(
                When(state=ReferralState.SUBMITTED, then=F("screening_due_at")),
                default=F("decision_due_at"),
            )
        )
        # The hub's clocks too: each row's clock reads in its hub's terms.
        .select_related("agency", "child", "hub__screening_clocks")
        # Walked in this order on PostgreSQL (index referral_screening_queue_order,
        # migration referrals 0010): keep the two in step.
        .order_by(F("next_due_at").asc(nulls_last=True), "submitted_at", "pk")
    )
    return list(with_repeat_flag(queue)[:200])


@dataclass(frozen=True)
class ChronologyEntry:
    at: datetime
    kind: str
    agency: str
    summary: str
    referral: Referral


def child_chronology(*, user, child) -> list[ChronologyEntry]:
    """One chronology across agencies, in time order, of what this person may see (three
    queries however many referrals the child has)."""
    referrals = list(access.visible_referrals(user).filter(child=child).select_related("agency"))
    ids = [referral.pk for referral in referrals]
    contributions: dict[int, list] = {}
    for contribution in (
        access.contributions_visible_to(user).filter(referral__in=ids).select_related("agency")
    ):
        contributions.setdefault(contribution.referral_id, []).append(contribution)
    steps: dict[int, list] = {}
    for step in ReferralTransition.objects.filter(referral__in=ids).exclude(name="submit"):
        steps.setdefault(step.referral_id, []).append(step)
    entries: list[ChronologyEntry] = []
    for referral in referrals:
        entries.append(
            ChronologyEntry(
                referral.submitted_at or referral.created_at,
                "Referral",
                referral.agency.name,
                f"{referral.reference}: {', '.join(referral.get_categories_display())}",
                referral,
            )
        )
        for contribution in contributions.get(referral.pk, []):
            entries.append(
                ChronologyEntry(
                    contribution.created_at,
                    "Information shared",
                    contribution.agency.name,
                    contribution.text[:200],
                    referral,
                )
            )
        for step in steps.get(referral.pk, []):
            entries.append(
                ChronologyEntry(
                    step.at,
                    "Decision",
                    referral.agency.name,
                    f"{ReferralState(step.to_state).label}"
                    + (f": {step.reason[:150]}" if step.reason else ""),
                    referral,
                )
            )
    # Missing episodes, return home interviews and the trigger's decisions (missing/).
    entries += missing_selectors.chronology_entries(user=user, child=child)
    return sorted(entries, key=lambda entry: entry.at)


def search_referrals(*, user, query: str, limit: int = 50) -> list[Referral]:
    """By reference, NHS number or the child's name (any order, aliases too), within what the
    person may see. Uses PostgreSQL trigram similarity where available, a substring match
    elsewhere."""
    query = query.strip()
    if not query:
        return []
    visible = access.visible_referrals(user).select_related("agency", "child")
    digits = query.replace(" ", "")
    if digits.isdigit() and len(digits) == 10:
        return list(visible.filter(child__nhs_number=digits)[:limit])
    by_reference = visible.filter(reference__iexact=query)
    if by_reference.exists():
        return list(by_reference)
    name = normalise_name(query)
    if not name:
        return []
    condition = Q()
    for token in name.split():
        condition &= Q(child__search_name__contains=token)
    if connection.vendor == "postgresql":
        return list(
            visible.annotate(score=TrigramWordSimilarity(name, "child__search_name"))
            .filter(condition | Q(score__gte=0.5))
            .order_by("-score", "-created_at")[:limit]
        )
    return list(visible.filter(condition).order_by("-created_at")[:limit])
