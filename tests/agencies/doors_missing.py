"""Rows of the access matrix for missing children and subjects of concern (pages, CSV, API).

The world's episode is reported by referrer_a (agency A, police) about the world's child,
returned, and graded high risk (so the trigger's task exists); its readers are those who may
read the child (VIEWERS: the reporter, A's lead, B's lead whom the case is shared with, the
panel's chair and member, the coordinator, the auditor). The world's subject is held by A,
panel only, and discussed at panel P: A's people and P's members read it."""

from datetime import timedelta

from django.utils import timezone

from tests.agencies.matrix import SIGNED_IN, VIEWERS, everyone, only

REPORTERS = ["referrer_a", "referrer_a2", "referrer_c", "lead_a", "lead_b", "lead_c"]
CHANGERS = ["referrer_a", "lead_a", "coordinator"]
SUBJECT_READERS = ["referrer_a", "referrer_a2", "lead_a", "chair", "member_p"]
WRITERS = REPORTERS + ["coordinator", "chair", "member_p", "member_q"]


def world_episode(world):
    from missing import services
    from missing.matching import ReportedChild
    from missing.models import MissingEpisode

    episode = MissingEpisode.objects.filter(child=world.referral.child).first()
    if episode is None:
        now = timezone.now()
        child = world.referral.child
        episode = services.episode_report(
            actor=world.people["referrer_a"],
            agency=world.agencies["a"],
            child=ReportedChild(first_name="Other", last_name="Child"),
            details=services.EpisodeDetails(
                missing_from="home",
                missing_since=now - timedelta(days=1),
                risk_grading="high",
                returned_at=now - timedelta(hours=2),
            ),
        )
        # The world's child is known only by a referral left draft-free: put the episode
        # on that child's record, as a sure match would.
        MissingEpisode.objects.filter(pk=episode.pk).update(child=child)
        from missing.models import ChildFlag

        ChildFlag.objects.filter(episode=episode).update(child=child)
        episode.refresh_from_db()
    return episode


def world_flag(world):
    return world_episode(world).flags.get()


def world_subject(world):
    from intelligence.models import Link, Subject, SubjectDiscussion

    subject = Subject.objects.filter(name="Matrix person").first()
    if subject is None:
        subject = Subject.objects.create(
            kind="person",
            name="Matrix person",
            holding_agency=world.agencies["a"],
            created_by=world.people["lead_a"],
        )
        SubjectDiscussion.objects.create(
            subject=subject, panel=world.meeting.panel, listed_by=world.people["lead_a"]
        )
        Link.objects.create(
            subject=subject,
            child=world.referral.child,
            referral=world.referral,
            nature="seen with",
            source="police intelligence",
            recorded_by=world.people["lead_a"],
        )
    return subject


def world_link(world):
    return world_subject(world).links.get()


MISSING_DOORS = {
    "missing:list": ("get", lambda w: "/missing/", None, everyone(200)),
    "missing:report": (
        "get",
        lambda w: "/missing/report/",
        None,
        only(dict.fromkeys(REPORTERS, 200), default=403),
    ),
    "missing:export": (
        "get",
        lambda w: "/missing/episodes.csv",
        None,
        only(dict.fromkeys(["lead_a", "lead_b", "lead_c", "coordinator"], 200), default=403),
    ),
    "missing:figures": (
        "get",
        lambda w: "/missing/figures/",
        None,
        only({"board": 200, "coordinator": 200}, default=403),
    ),
    "missing:flags": ("get", lambda w: "/missing/flags/", None, everyone(200)),
    "missing:flag": (
        "get",
        lambda w: f"/missing/flags/{world_flag(w).pk}/",
        None,
        only(dict.fromkeys(VIEWERS, 200)),
    ),
    "missing:detail": (
        "get",
        lambda w: f"/missing/{world_episode(w).pk}/",
        None,
        only(dict.fromkeys(VIEWERS, 200)),
    ),
    "missing:return": (
        "get",
        lambda w: f"/missing/{world_episode(w).pk}/return/",
        None,
        only(dict.fromkeys(CHANGERS, 200), knowers=VIEWERS),
    ),
    "missing:correct": (
        "get",
        lambda w: f"/missing/{world_episode(w).pk}/correct/",
        None,
        only(dict.fromkeys(CHANGERS, 200), knowers=VIEWERS),
    ),
    "missing:interview": (
        "get",
        lambda w: f"/missing/{world_episode(w).pk}/interview/",
        None,
        only({"coordinator": 200}, knowers=VIEWERS),
    ),
    "api:missing-episode-list": (
        "get",
        lambda w: "/api/v1/missing-episodes/",
        None,
        everyone(200, anonymous=401),
    ),
    "api:missing-episode-detail": (
        "get",
        lambda w: f"/api/v1/missing-episodes/{world_episode(w).pk}/",
        None,
        only(dict.fromkeys(VIEWERS, 200)) | {"anonymous": 401},
    ),
    "intelligence:list": ("get", lambda w: "/intelligence/", None, everyone(200)),
    "intelligence:record": (
        "get",
        lambda w: "/intelligence/record/",
        None,
        only(dict.fromkeys(WRITERS, 200), default=403),
    ),
    "intelligence:detail": (
        "get",
        lambda w: f"/intelligence/{world_subject(w).pk}/",
        None,
        only(dict.fromkeys(SUBJECT_READERS, 200)),
    ),
    "intelligence:link": (
        "get",
        lambda w: f"/intelligence/{world_subject(w).pk}/link/",
        None,
        only(dict.fromkeys(SUBJECT_READERS, 200)),
    ),
    # Posted without a reason: refused as incomplete even when allowed, so nothing changes.
    "intelligence:link-end": (
        "post",
        lambda w: f"/intelligence/links/{world_link(w).pk}/end/",
        {},
        only(
            dict.fromkeys(["referrer_a", "referrer_a2", "lead_a", "chair"], 302),
            knowers=SUBJECT_READERS,
        ),
    ),
    "intelligence:network": (
        "get",
        lambda w: f"/intelligence/panels/{w.meeting.panel_id}/",
        None,
        only({"chair": 200, "member_p": 200}),
    ),
    "intelligence:network-csv": (
        "get",
        lambda w: f"/intelligence/panels/{w.meeting.panel_id}/links.csv",
        None,
        only({"chair": 200, "member_p": 200}),
    ),
}

assert all(set(row[3]) == set(SIGNED_IN) | {"anonymous"} for row in MISSING_DOORS.values())
