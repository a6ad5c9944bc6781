"""Fenmarsh's missing children and the persons and places linked to them: every name here is
invented. Episodes go through the services (so their clocks, triggers and audit rows are the
real ones); running the seed twice changes nothing the second time.

- Kai: missing three times in the last 30 days (the trigger): one interview held in time,
  one held late, one declined.
- Rhys: back since yesterday, his interview's clock still running.
- Ellie-Mae: still missing.
- Dex Varrow (a person) and The Gull's Rest Hotel (a place), police intelligence discussed
  at the exploitation panel, each linked to Kai, Zara (police referrals) and Ellie-Mae (a
  school referral): three children across two agencies. The hotel is listed as a theme on
  the panel's next agenda (panels.demo.seed_themes).
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from agencies.models import Agency, Membership, Role, Team
from intelligence import services as intelligence_services
from intelligence.models import Link, Subject, SubjectKind
from missing import services
from missing.matching import ReportedChild
from missing.models import InterviewOutcome, MissingEpisode
from panels import demo as panel_demo
from panels.models import Panel, PanelKind
from referrals.models import Referral


def _reported(child) -> ReportedChild:
    return ReportedChild(
        first_name=child.first_name,
        last_name=child.last_name,
        date_of_birth=child.date_of_birth,
        nhs_number=child.nhs_number,
    )


def _report(actor, agency, child, *, days_ago, hours_missing=None, risk="medium", **more):
    now = timezone.now()
    since = now - timedelta(days=days_ago)
    return services.episode_report(
        actor=actor,
        agency=agency,
        child=_reported(child),
        details=services.EpisodeDetails(
            missing_from=more.pop("missing_from", "home"),
            missing_since=since,
            risk_grading=risk,
            returned_at=since + timedelta(hours=hours_missing) if hours_missing else None,
            **more,
        ),
    )


def _interview(actor, episode, *, outcome, held_after_hours=None, **more):
    returned = episode.returned_at
    services.return_interview_record(
        actor=actor,
        interview=episode.return_interview,
        record=services.InterviewRecord(
            outcome=outcome,
            offered_at=returned + timedelta(hours=6),
            held_at=returned + timedelta(hours=held_after_hours) if held_after_hours else None,
            **more,
        ),
    )


def seed_missing() -> None:
    """Episodes, interviews and the trigger, then the intelligence picture. Outside any
    transaction: the services are durable."""
    User = get_user_model()
    csc = Agency.objects.get(name="Fenmarsh Council Children's Social Care")
    team, _ = Team.objects.get_or_create(agency=csc, name="Return home interviews")
    interviewer = User.objects.get(username="ruth.kellaway")
    Membership.objects.filter(user=interviewer, agency=csc, role=Role.AGENCY_LEAD).update(team=team)
    if not MissingEpisode.objects.exists():
        _seed_episodes(User, interviewer)
    _seed_intelligence(User)
    # The hotel goes on the exploitation panel's next agenda as a theme, now that it exists.
    panel_demo.seed_themes()


def _seed_episodes(User, interviewer) -> None:
    police = Agency.objects.get(name="Fenmarsh Constabulary")
    school = Agency.objects.get(name="Willowmere Academy")
    health = Agency.objects.get(name="Fenmarsh Community Health NHS Trust")
    dana = User.objects.get(username="dana.harlow")
    children = {r.reference: r.child for r in Referral.objects.select_related("child")}
    kai, ellie, rhys = (
        children["FEN-2026-0001"],
        children["FEN-2026-0002"],
        children["FEN-2026-0003"],
    )

    first = _report(
        dana,
        police,
        kai,
        days_ago=25,
        hours_missing=14,
        thought_to_be="Flat above the takeaway on Quay Street",
        with_whom="An older male known as Dex",
        found_where="Fenmarsh bus station",
        found_by="PC Harlow",
    )
    _interview(
        interviewer,
        first,
        outcome=InterviewOutcome.ACCEPTED,
        held_after_hours=30,
        childs_account="I went to a party at a friend's. Dex gave us a lift and said I owed him.",
        push_factors="Arguments at home about school.",
        pull_factors="Gifts, a phone, older friends.",
        risks="Possible criminal exploitation: asked to carry a bag.",
        actions="Share with the exploitation panel; safety plan with his mother.",
    )
    second = _report(
        dana,
        police,
        kai,
        days_ago=14,
        hours_missing=20,
        risk="medium",
        found_where="The Gull's Rest Hotel car park",
        found_by="Hotel night manager",
    )
    _interview(
        interviewer,
        second,
        outcome=InterviewOutcome.ACCEPTED,
        held_after_hours=80,
        childs_account="I don't want to say where I was.",
        risks="Seen at a hotel linked to other children.",
    )
    third = _report(
        dana, police, kai, days_ago=3, hours_missing=9, found_where="Home", found_by="Returned"
    )
    _interview(
        interviewer,
        third,
        outcome=InterviewOutcome.DECLINED,
        declined_reason="Kai said he had already talked to the police and did not want to talk again.",
    )
    _report(
        User.objects.get(username="tom.ellery"),
        health,
        rhys,
        days_ago=2,
        hours_missing=28,
        missing_from="care_placement",
        found_where="Railway station, Ashcombe",
        found_by="British Transport Police",
    )
    _report(
        User.objects.get(username="priya.okafor"),
        school,
        ellie,
        days_ago=0,
        risk="high",
        missing_from="education",
        thought_to_be="Town centre",
        circumstances="Left school at lunchtime and did not come back.",
    )


def _seed_intelligence(User) -> None:
    if Subject.objects.exists():
        return
    panel = Panel.objects.filter(kind=PanelKind.EXPLOITATION, is_active=True).order_by("pk").first()
    police = Agency.objects.get(name="Fenmarsh Constabulary")
    sergeant = User.objects.get(username="sam.whitlock")
    person = intelligence_services.subject_record(
        actor=sergeant,
        kind=SubjectKind.PERSON,
        name="Dex Varrow",
        holding_agency=police,
        panel=panel,
        approximate_age="about 24",
        description="Drives young people to parties; believed to run a county line.",
    )
    place = intelligence_services.subject_record(
        actor=sergeant,
        kind=SubjectKind.PLACE,
        name="The Gull's Rest Hotel",
        holding_agency=police,
        panel=panel,
        address="Harbour Road, Fenmarsh",
        place_type="Hotel",
    )
    referrals = {r.reference: r for r in Referral.objects.select_related("child")}
    for subject, nature in ((person, "seen with"), (place, "found at")):
        for reference in ("FEN-2026-0001", "FEN-2026-0004", "FEN-2026-0002"):
            referral = referrals[reference]
            episode = MissingEpisode.objects.filter(child=referral.child).order_by("pk").first()
            Link.objects.create(
                subject=subject,
                child=referral.child,
                referral=referral,
                episode=episode,
                nature=nature,
                source="Police intelligence" if reference != "FEN-2026-0002" else "School",
                recorded_by=sergeant,
            )
