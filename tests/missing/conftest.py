"""A small borough for missing children: police who report, a school, the council's return
home interview team, a coordinator and a board member."""

from datetime import UTC, date, datetime

import pytest

from agencies.models import AgencyType, Membership, Role, Team
from missing import services
from missing.matching import ReportedChild
from tests.factories import AgencyFactory, person


@pytest.fixture
def borough(db):
    police = AgencyFactory(name="Police", agency_type=AgencyType.POLICE)
    school = AgencyFactory(name="School", agency_type=AgencyType.EDUCATION)
    council = AgencyFactory(name="Council", agency_type=AgencyType.CHILDRENS_SOCIAL_CARE)
    team = Team.objects.create(agency=council, name="Return home interviews")
    interviewer = person(Role.REFERRER, council, username="interviewer")
    Membership.objects.filter(user=interviewer).update(team=team)
    return {
        "police": police,
        "school": school,
        "council": council,
        "team": team,
        "officer": person(Role.REFERRER, police, username="officer"),
        "other_officer": person(Role.REFERRER, police, username="other_officer"),
        "police_lead": person(Role.AGENCY_LEAD, police, username="police_lead"),
        "school_lead": person(Role.AGENCY_LEAD, school, username="school_lead"),
        "council_lead": person(Role.AGENCY_LEAD, council, username="council_lead"),
        "coordinator": person(Role.PANEL_COORDINATOR, council, username="coordinator"),
        "board": person(Role.BOARD_MEMBER, council, username="board"),
        "interviewer": interviewer,
    }


def at(year, month, day, hour=12, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def a_child(**overrides) -> ReportedChild:
    values = {
        "first_name": "Kestrel",
        "last_name": "Amberwood",
        "date_of_birth": date(2011, 4, 2),
        "nhs_number": "9434765919",
    }
    values.update(overrides)
    return ReportedChild(**values)


def report(actor, agency, *, child=None, since, risk="medium", returned_at=None, **more):
    return services.episode_report(
        actor=actor,
        agency=agency,
        child=child or a_child(),
        details=services.EpisodeDetails(
            missing_from=more.pop("missing_from", "home"),
            missing_since=since,
            risk_grading=risk,
            returned_at=returned_at,
            **more,
        ),
    )
