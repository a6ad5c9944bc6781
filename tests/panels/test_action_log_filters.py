"""The action log's filters (whose, status, owner agency, panel, when due), sort and pages:
each filter narrows to exactly the actions it names, and however the filters are set, a
person is shown only actions the access policy lets them see (access.visible_actions)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

import access
from panels.filters import end_of_week
from panels.models import Action, ActionStatus, AgendaItem, AgendaItemKind, Meeting
from referrals.models import Child, Referral, ReferralState

TODAY = timezone.localdate()


def shown(client, **params) -> set[int]:
    """The ids of the actions the page lists (every page of them)."""
    ids, page = set(), 1
    while True:
        html = client.get("/actions/", {**params, "page": page}).content.decode()
        ids |= {int(pk) for pk in re.findall(r'data-action-id="(\d+)"', html)}
        if 'rel="next"' not in html:
            return ids
        page += 1


def heading_count(client, **params) -> int:
    html = client.get("/actions/", params).content.decode()
    return int(re.search(r'data-testid="list-count">\((\d+)\)', html).group(1))


@pytest.fixture
def log(world):
    """Actions of panel P's meeting on the world's case (which agency B may read) and of panel
    Q's meeting on a standard item, owned by agency B, CSC or A, due at every distance; and
    one owned by agency B on a case B may not read, which the policy hides from B's people."""
    people, agencies = world.people, world.agencies
    case_item = AgendaItem.objects.get(meeting=world.meeting, referral=world.referral)
    meeting_q = Meeting.objects.create(
        panel=world.people["member_q"].panel_memberships.get().panel,
        starts_at=timezone.now() - timedelta(days=7),
    )
    standard_q = AgendaItem.objects.create(
        meeting=meeting_q, kind=AgendaItemKind.APOLOGIES, position=0
    )
    hidden_case = Referral.objects.create(
        reference="T-0099",
        child=Child.objects.create(first_name="Other", last_name="Child"),
        agency=agencies["c"],
        referrer=people["referrer_c"],
        state=ReferralState.LISTED_FOR_PANEL,
        concern="Not shared with agency B.",
        submitted_at=timezone.now(),
    )
    hidden_item = AgendaItem.objects.create(meeting=world.meeting, referral=hidden_case, position=2)

    def action(name, *, item, owner, due, status=ActionStatus.OPEN, person=None):
        return Action.objects.create(
            meeting=item.meeting,
            agenda_item=item,
            text=name,
            owner_agency=agencies[owner],
            owner_person=people[person] if person else None,
            due_date=TODAY + timedelta(days=due),
            status=status,
            created_by=people["chair"],
        )

    return {
        "b_overdue_mine": action(
            "B overdue, lead_b's", item=case_item, owner="b", due=-3, person="lead_b"
        ),
        "b_today": action(
            "B due today", item=case_item, owner="b", due=0, status=ActionStatus.IN_PROGRESS
        ),
        "b_later_done": action(
            "B later, done", item=case_item, owner="b", due=30, status=ActionStatus.DONE
        ),
        "b_overdue_done": action(
            "B past due, done", item=case_item, owner="b", due=-10, status=ActionStatus.DONE
        ),
        "csc_q_later": action("CSC on panel Q", item=standard_q, owner="csc", due=9),
        "b_q_week": action("B on panel Q", item=standard_q, owner="b", due=0),
        "a_case": action("A on the case", item=case_item, owner="a", due=1),
        "b_hidden": action("B on a case B may not read", item=hidden_item, owner="b", due=-1),
    }


def ids(log, *names) -> set[int]:
    return {log[name].pk for name in names}


def test_the_policy_hides_the_action_on_a_case_agency_b_may_not_read(world, log):
    # The premise of the "never more than the policy" tests below.
    assert not access.can_view_action(world.people["lead_b"], log["b_hidden"])
    assert access.can_view_action(world.people["coordinator"], log["b_hidden"])


def test_with_no_filter_a_person_sees_every_open_action_they_may_see(client, world, log):
    client.force_login(world.people["lead_b"])
    assert shown(client) == ids(log, "b_overdue_mine", "b_today", "b_q_week")


def test_whose_narrows_to_mine_my_agencys_or_all_i_may_see(client, world, log):
    client.force_login(world.people["lead_b"])
    open_b = ids(log, "b_overdue_mine", "b_today", "b_q_week")

    assert shown(client, view="mine") == ids(log, "b_overdue_mine")
    assert shown(client, view="agency") == open_b
    assert shown(client, view="all") == open_b


def test_the_panels_i_run_shows_only_the_actions_of_the_chairs_panels(client, world, log):
    client.force_login(world.people["chair"])
    # The chair runs panel P only; a chair is not an owner, so sees P's actions they may read.
    on_p = {
        a.pk
        for a in access.visible_actions(world.people["chair"]).filter(
            meeting__panel=world.meeting.panel, status__in=["open", "in_progress"]
        )
    }
    assert shown(client, view="panels") == on_p
    assert log["csc_q_later"].pk not in shown(client, view="panels")


def test_status_narrows_to_one_status_open_or_in_progress_or_any(client, world, log):
    client.force_login(world.people["lead_b"])

    assert shown(client, view="agency", status="done") == ids(log, "b_later_done", "b_overdue_done")
    assert shown(client, view="agency", status="in_progress") == ids(log, "b_today")
    assert shown(client, view="agency", status="any") == ids(
        log, "b_overdue_mine", "b_today", "b_later_done", "b_overdue_done", "b_q_week"
    )


def test_due_narrows_to_overdue_this_week_or_later(client, world, log):
    client.force_login(world.people["coordinator"])
    every = {"view": "all", "status": "any"}

    # Overdue: not finished and past its date (a finished one past its date is not overdue).
    assert shown(client, **every, due="overdue") == ids(log, "b_overdue_mine", "b_hidden")
    this_week = {a.pk for a in Action.objects.filter(due_date__range=(TODAY, end_of_week(TODAY)))}
    assert shown(client, **every, due="this_week") == this_week
    assert ids(log, "b_today", "b_q_week") <= this_week
    assert shown(client, **every, due="later") == {
        a.pk for a in Action.objects.filter(due_date__gt=end_of_week(TODAY))
    }
    assert ids(log, "b_later_done", "csc_q_later") <= shown(client, **every, due="later")


def test_the_homes_overdue_link_still_means_overdue(client, world, log):
    client.force_login(world.people["lead_b"])
    assert shown(client, view="agency", overdue="1") == ids(log, "b_overdue_mine")


def test_owner_agency_and_panel_narrow_to_theirs(client, world, log):
    client.force_login(world.people["coordinator"])
    every = {"view": "all", "status": "any"}
    panel_q = log["csc_q_later"].meeting.panel

    assert shown(client, **every, owner_agency=world.agencies["csc"].pk) == ids(log, "csc_q_later")
    assert shown(client, **every, panel=panel_q.pk) == ids(log, "csc_q_later", "b_q_week")
    assert shown(client, **every, panel=panel_q.pk, owner_agency=world.agencies["b"].pk) == ids(
        log, "b_q_week"
    )


def test_an_agency_or_panel_the_person_has_no_action_of_is_refused_not_shown(client, world, log):
    client.force_login(world.people["lead_b"])

    response = client.get("/actions/", {"view": "all", "owner_agency": world.agencies["a"].pk})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in html and "govuk-error-summary" in html
    assert 'data-action-id="' not in html


def test_filters_naming_the_hidden_action_exactly_still_do_not_show_it(client, world, log):
    client.force_login(world.people["lead_b"])
    aimed = {
        "view": "agency",
        "status": "open",
        "due": "overdue",
        "owner_agency": world.agencies["b"].pk,
        "panel": world.meeting.panel_id,
    }

    assert shown(client, **aimed) == ids(log, "b_overdue_mine")
    assert log["b_hidden"].pk not in shown(client, view="all", status="any")


@pytest.mark.parametrize("position", ["lead_b", "member_p", "lead_a", "referrer_c", "chair"])
def test_no_filter_value_shows_an_action_the_policy_hides(client, world, log, position):
    every_value = {
        "view": ["mine", "agency", "panels", "all"],
        "status": ["incomplete", "any", *ActionStatus.values],
        "due": ["overdue", "this_week", "later"],
        "owner_agency": [str(agency.pk) for agency in world.agencies.values()],
        "panel": [str(world.meeting.panel_id), str(log["csc_q_later"].meeting.panel_id)],
    }
    user = world.people[position]
    allowed = set(access.visible_actions(user).values_list("pk", flat=True))
    client.force_login(user)
    asked = [{key: value} for key, values in every_value.items() for value in values]
    asked += [
        {"view": "all", "status": "any", "owner_agency": v} for v in every_value["owner_agency"]
    ]
    asked += [{"view": "all", "status": "any", "panel": v} for v in every_value["panel"]]
    for params in asked:
        seen = shown(client, **params)
        assert seen <= allowed, (params, seen - allowed)


@pytest.mark.parametrize(
    ("sort", "key"),
    [
        ("due", lambda a: (a.due_date, a.pk)),
        ("due_latest", lambda a: (-a.due_date.toordinal(), -a.pk)),
        ("agency", lambda a: (a.owner_agency.name, a.due_date, a.pk)),
    ],
)
def test_sort_orders_the_list(client, world, log, sort, key):
    client.force_login(world.people["coordinator"])
    html = client.get("/actions/", {"view": "all", "status": "any", "sort": sort}).content
    order = [int(pk) for pk in re.findall(r'data-action-id="(\d+)"', html.decode())]

    assert order == [a.pk for a in sorted(Action.objects.select_related("owner_agency"), key=key)]


def test_pages_of_25_and_the_heading_counts_every_match(client, world, log):
    template = log["b_today"]
    for n in range(30):
        Action.objects.create(
            meeting=template.meeting,
            agenda_item=template.agenda_item,
            text=f"Extra {n}",
            owner_agency=template.owner_agency,
            due_date=TODAY + timedelta(days=40 + n),
            created_by=world.people["chair"],
        )
    client.force_login(world.people["lead_b"])
    expected = access.visible_actions(world.people["lead_b"]).filter(
        status__in=["open", "in_progress"]
    )

    first = client.get("/actions/", {"view": "agency"}).content.decode()
    last = client.get("/actions/", {"view": "agency", "page": 99}).content.decode()

    assert heading_count(client, view="agency") == expected.count() == 33
    assert len(re.findall(r'data-action-id="', first)) == 25
    assert "Showing 1 to 25 of 33" in first
    assert len(re.findall(r'data-action-id="', last)) == 8  # past the end: the last page
    assert shown(client, view="agency") == set(expected.values_list("pk", flat=True))
