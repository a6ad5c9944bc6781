"""Rows of the access matrix for the action log pages."""

from datetime import date

from tests.agencies.matrix import everyone, only


def world_action(world):
    """An action on the world's referral, owned by agency B (whose lead it is shared with)."""
    from panels.models import Action, AgendaItem

    item = AgendaItem.objects.filter(referral=world.referral).first()
    action, _ = Action.objects.get_or_create(
        agenda_item=item,
        text="Return home interview",
        defaults={
            "meeting": item.meeting,
            "owner_agency": world.agencies["b"],
            "due_date": date(2026, 11, 20),
            "created_by": world.people["chair"],
        },
    )
    return action


# Agency B's people who may read the case, and the coordinator, see it; nobody else knows it.
ACTION_DOORS = {
    "actions:list": ("get", lambda w: "/actions/", None, everyone(200)),
    "actions:detail": (
        "get",
        lambda w: f"/actions/{world_action(w).pk}/",
        None,
        only({"lead_b": 200, "member_p": 200, "coordinator": 200}),
    ),
}
