"""Every transition of a referral's life, allowed and refused; each one recorded."""

import pytest

import access
from agencies.models import AuditAction, AuditEvent
from referrals import intake, workflow
from referrals.models import ReferralState, ReferralTransition
from referrals.services import ReferralError

S = ReferralState


def move(referral, name, actor, reason="Because."):
    if name == "submit":
        return intake.referral_submit(actor=actor, referral=referral)
    if name == "screen":
        return intake.referral_screen(actor=actor, referral=referral, rag="amber", reason=reason)
    if name in intake.DECISIONS:
        return intake.referral_decide(actor=actor, referral=referral, decision=name, reason=reason)
    if name == "close":
        return intake.referral_close(actor=actor, referral=referral, outcome=reason)
    if name == "withdraw":
        return intake.referral_withdraw(actor=actor, referral=referral, reason=reason)
    raise AssertionError(name)


PATHS = {
    S.DRAFT: [],
    S.SUBMITTED: ["submit"],
    S.SCREENED: ["submit", "screen"],
    S.NO_FURTHER_ACTION: ["submit", "screen", "no_further_action"],
    S.EARLY_HELP: ["submit", "screen", "early_help"],
    S.LISTED_FOR_PANEL: ["submit", "screen", "list_for_panel"],
    S.ESCALATED: ["submit", "screen", "escalate"],
    S.CLOSED: ["submit", "screen", "no_further_action", "close"],
    S.WITHDRAWN: ["withdraw"],
}


def actor_for(borough, name):
    return borough["referrer"] if name in {"submit", "withdraw"} else borough["coordinator"]


def referral_in(state, borough, make_draft):
    referral = make_draft()
    for name in PATHS[state]:
        referral = move(referral, name, actor_for(borough, name))
    assert referral.state == state
    return referral


ALL_MOVES = list(workflow.TRANSITIONS)


@pytest.mark.parametrize(
    ("state", "name"), [(state, name) for state in S.values for name in ALL_MOVES]
)
def test_each_move_is_allowed_exactly_from_its_source_states(borough, make_draft, state, name):
    referral = referral_in(state, borough, make_draft)
    allowed = state in workflow.TRANSITIONS[name].source

    if allowed:
        moved = move(referral, name, actor_for(borough, name))
        assert moved.state == workflow.TRANSITIONS[name].target
        step = ReferralTransition.objects.filter(referral=referral).last()
        assert (step.name, step.from_state, step.to_state) == (name, state, moved.state)
        assert step.actor == actor_for(borough, name)
    else:
        with pytest.raises(workflow.TransitionNotAllowed, match="cannot be moved to"):
            move(referral, name, actor_for(borough, name))
        referral.refresh_from_db()
        assert referral.state == state


def test_every_transition_is_audited_with_its_reason(borough, make_submitted):
    referral = make_submitted()

    intake.referral_screen(
        actor=borough["coordinator"], referral=referral, rag="red", reason="Immediate risk."
    )

    event = AuditEvent.objects.filter(referral=referral, action=AuditAction.CHANGED).first()
    assert event.reason == "Immediate risk."
    assert event.actor == borough["coordinator"]


def test_a_referrer_cannot_screen(borough, make_submitted):
    referral = make_submitted()

    with pytest.raises(access.ForbiddenForUser):
        intake.referral_screen(
            actor=borough["referrer"], referral=referral, rag="red", reason="Trying."
        )


def test_another_agencys_referrer_cannot_submit_or_withdraw(borough, make_draft):
    draft = make_draft()

    with pytest.raises(access.ForbiddenForUser):
        intake.referral_submit(actor=borough["other_referrer"], referral=draft)
    with pytest.raises(access.ForbiddenForUser):
        intake.referral_withdraw(actor=borough["other_referrer"], referral=draft, reason="No.")


def test_decisions_and_withdrawal_need_a_reason(borough, make_submitted):
    referral = make_submitted()

    with pytest.raises(ReferralError, match="reason"):
        intake.referral_withdraw(actor=borough["referrer"], referral=referral, reason=" ")
    with pytest.raises(ReferralError, match="reason"):
        intake.referral_screen(
            actor=borough["coordinator"], referral=referral, rag="red", reason=""
        )


def test_an_incomplete_draft_cannot_be_submitted_and_is_kept_as_typed(borough, make_draft):
    from tests.referrals.conftest import referral_details

    draft = make_draft(details=referral_details(categories=[], concern=""))

    with pytest.raises(ReferralError) as refused:
        intake.referral_submit(actor=borough["referrer"], referral=draft)

    assert "Select at least one category of concern" in str(refused.value)
    assert "Describe the concern" in str(refused.value)
    draft.refresh_from_db()
    assert draft.state == S.DRAFT
    assert draft.child.first_name == "Ashlyn"


def test_sharing_without_consent_needs_the_lawful_basis(borough, make_draft):
    from tests.referrals.conftest import referral_details

    draft = make_draft(details=referral_details(consent="refused", lawful_basis=""))

    with pytest.raises(ReferralError, match="lawful basis"):
        intake.referral_submit(actor=borough["referrer"], referral=draft)
