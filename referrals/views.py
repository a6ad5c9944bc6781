"""Referral pages: parse input, ask the policy, call one service or selector, render."""

import functools
from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

import access
from agencies import audit, exports, session_timeout, two_factor
from agencies.models import Agency
from agencies.two_factor_middleware import second_factor_recent, step_up_redirect
from config import json_rows
from referrals import clocks, clocks_for, intake, selectors, services, workflow
from referrals.attachments import AttachmentRejected
from referrals.forms import (
    AttachmentForm,
    AuditFilterForm,
    BreakGlassForm,
    ChildForm,
    CloseForm,
    ConcernForm,
    ConsentForm,
    ContributionForm,
    ContributionRequestForm,
    DecideForm,
    DeclineForm,
    HouseholdMemberForm,
    MatchDecisionForm,
    ScreenForm,
    SearchForm,
    ShareForm,
    ViewReasonForm,
    WithdrawForm,
    WithdrawShareForm,
    child_details_of,
    referral_details_of,
)
from referrals.models import (
    Child,
    ChildMatch,
    MatchStatus,
    Referral,
    ReferralShare,
    ReferralState,
)


@login_required
@require_http_methods(["GET", "POST"])
def referral_detail(request, pk: int):
    referral = access.get_referral_for(request.user, pk)
    reason = ""
    if access.must_give_view_reason(request.user, referral):
        form = ViewReasonForm(request.POST or None)
        if request.method != "POST" or not form.is_valid():
            return render(
                request, "referrals/view_reason.html", {"referral": referral, "form": form}
            )
        reason = form.cleaned_data["reason"]
    services.referral_view_record(
        actor=request.user, referral=referral, request=request, reason=reason
    )
    context = {
        "referral": referral,
        "can_share": access.can_share_referral(request.user, referral),
        "can_view_audit": access.can_view_audit_trail(request.user, referral),
        "withdraw_form": WithdrawShareForm(),
        **_case_context(request.user, referral),
    }
    return render(request, "referrals/referral_detail.html", context)


@dataclass(frozen=True)
class Deadline:
    name: str
    due: datetime
    label: str
    overdue: bool


def _deadlines(referral: Referral, now) -> list[Deadline]:
    """Each clock of the referral: time left while it runs, met or missed once done."""
    rows = []
    for name, due, done_at, running in (
        (
            clocks_for.SCREENING,
            referral.screening_due_at,
            referral.screened_at,
            referral.state == ReferralState.SUBMITTED,
        ),
        (
            clocks_for.DECISION,
            referral.decision_due_at,
            referral.decided_at,
            referral.state in (ReferralState.SUBMITTED, ReferralState.SCREENED),
        ),
    ):
        if due is None:
            continue
        title = name.capitalize()
        if done_at is not None:
            late = done_at > due
            status = clocks_for.clock_status_of(referral, clock=name, deadline=due, now=done_at)
            label = f"Missed: {status.label.lower()}" if late else "Met"
            rows.append(Deadline(title, due, label, late))
        elif running:
            status = clocks_for.clock_status_of(referral, clock=name, deadline=due, now=now)
            rows.append(Deadline(title, due, status.label, status.is_overdue))
        else:
            rows.append(Deadline(title, due, "Stopped", False))
    return rows


def _case_context(user, referral: Referral) -> dict:
    """What the referral page shows besides the referral itself, and the action forms the
    policy and the referral's state allow this person. Every list is read in one query
    (selectors.referral_page); the policy's answers come from the scope's roles."""
    can_ask = access.can_request_contributions(user, referral)
    page = selectors.referral_page(
        user=user, referral=referral, screening=access.can_screen(user), asking=can_ask
    )
    contributing_ids = {agency.pk for agency in page.contributing_agencies}
    decisions = [d for d in intake.DECISIONS if _allowed(user, referral, d)]
    to_ask = json_rows.as_queryset(Agency, page.agencies_to_ask)
    actions = {
        "screen": _allowed(user, referral, "screen") and ScreenForm(prefix="screen"),
        "decide": bool(decisions) and DecideForm(prefix="decide", decisions=decisions),
        "close": _allowed(user, referral, "close") and CloseForm(prefix="close"),
        "withdraw": _allowed(user, referral, "withdraw") and WithdrawForm(prefix="withdraw"),
        "ask": can_ask
        and _form_if_any_to_ask(ContributionRequestForm(prefix="ask", agencies=to_ask)),
        "contribute": bool(contributing_ids)
        and ContributionForm(prefix="contribute", agencies=page.contributing_agencies),
        "attach": access.can_add_attachment(user, referral) and AttachmentForm(prefix="attach"),
    }
    matches = [
        (
            match,
            match.status == MatchStatus.SUGGESTED and MatchDecisionForm(prefix=f"match-{match.pk}"),
        )
        for match in page.matches
    ]
    asked = page.contribution_requests
    return {
        "child": referral.child,
        "is_repeat": page.is_repeat,
        "deadlines": _deadlines(referral, timezone.now()),
        "history": page.history,
        "household": page.household,
        "attachments": page.attachments,
        "contributions": page.contributions,
        "shares": page.shares,
        "contribution_requests": [
            (
                one,
                one.answered_at is None
                and one.agency_id in contributing_ids
                and DeclineForm(prefix=f"decline-{one.pk}"),
            )
            for one in asked
        ],
        "not_answered": [one.agency for one in asked if one.answered_at is None],
        "matches": matches,
        "actions": actions,
        "can_edit_draft": referral.state == ReferralState.DRAFT
        and access.can_change_referral(user, referral),
    }


@login_required
@require_http_methods(["GET", "POST"])
def referral_share(request, pk: int):
    referral = access.get_referral_for(request.user, pk)
    access.require(request.user, "share_referral", referral)
    already = referral.shares.filter(withdrawn_at__isnull=True).values("agency_id")
    choices = Agency.objects.filter(is_active=True).exclude(pk=referral.agency_id)
    form = ShareForm(request.POST or None, agencies=choices.exclude(pk__in=already))
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_share(
                actor=request.user,
                referral=referral,
                agency=form.cleaned_data["agency"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except services.ReferralError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, f"Referral {referral.reference} shared with {form.cleaned_data['agency']}."
            )
            return redirect("referrals:detail", pk=referral.pk)
    return render(request, "referrals/share.html", {"referral": referral, "form": form})


@login_required
@require_POST
def referral_share_withdraw(request, pk: int, share_pk: int):
    referral = access.get_referral_for(request.user, pk)
    access.require(request.user, "share_referral", referral)
    share = ReferralShare.objects.filter(referral=referral, pk=share_pk).first()
    if share is None:
        raise access.NotFoundForUser(
            object_type="share", object_id=share_pk, referral_id=referral.pk
        )
    form = WithdrawShareForm(request.POST)
    if form.is_valid():
        try:
            services.referral_share_withdraw(
                actor=request.user, share=share, reason=form.cleaned_data["reason"], request=request
            )
        except services.ReferralError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"The share with {share.agency} was withdrawn.")
    else:
        messages.error(request, "Enter the reason for withdrawing the share.")
    return redirect("referrals:detail", pk=referral.pk)


@login_required
@second_factor_recent
@require_http_methods(["GET", "POST"])
def break_glass(request):
    if not access.can_break_glass_at_all(request.user):
        raise access.ForbiddenForUser(action="break the glass", object_type="case", object_id="")
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        referral = Referral.objects.filter(
            reference__iexact=form.cleaned_data["reference"].strip()
        ).first()
        if referral is None:
            form.add_error("reference", "There is no referral with that reference")
        elif access.can_view_referral(request.user, referral):
            return redirect("referrals:detail", pk=referral.pk)
        else:
            try:
                glass = services.referral_break_glass(
                    actor=request.user,
                    referral=referral,
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
            except services.ReferralError as exc:
                form.add_error("reason", str(exc))
            else:
                messages.success(
                    request,
                    f"You can read {referral.reference} until "
                    f"{timezone.localtime(glass.expires_at):%H:%M on %d %B}. "
                    "Its agency lead has been told.",
                )
                return redirect("referrals:detail", pk=referral.pk)
    return render(request, "referrals/break_glass.html", {"form": form})


def _audit_page(request, *, title, events, filter_form, subject, csv_name, audit_kwargs):
    if request.GET.get("format") == "csv" and filter_form.is_valid():
        if not two_factor.verified_recently(request.session):
            return step_up_redirect(request)  # an export: the second factor again first
        exports.csv_export_record(
            actor=request.user,
            detail=f"Audit trail of {subject}",
            origin=audit.origin_of(request),
            **audit_kwargs,
        )
        return exports.csv_response(
            filename=csv_name,
            header=["when", "person", "agency", "action", "reason", "address", "detail"],
            rows=(
                [
                    timezone.localtime(event.at).isoformat(timespec="seconds"),
                    event.actor.get_username() if event.actor else "anonymous",
                    event.actor_agency.name if event.actor_agency else "",
                    event.get_action_display(),
                    event.reason,
                    event.ip_address or "",
                    event.detail,
                ]
                for event in events.iterator()
            ),
        )
    return render(
        request,
        "referrals/audit_trail.html",
        {"title": title, "events": events[:500], "form": filter_form, "subject": subject},
    )


def _audit_filters(request):
    form = AuditFilterForm(request.GET or None)
    filters = {}
    if form.is_bound and form.is_valid():
        filters = {
            "person": form.cleaned_data["person"],
            "agency": form.cleaned_data["agency"],
            "since": form.cleaned_data["since"],
            "until": form.cleaned_data["until"],
        }
    elif not form.is_bound:
        form = AuditFilterForm({})
    return form, filters


@login_required
def referral_audit(request, pk: int):
    referral = Referral.objects.select_related("child").filter(pk=pk).first()
    if referral is None or not access.can_view_audit_trail(request.user, referral):
        if referral is not None and access.can_view_referral(request.user, referral):
            access.require(request.user, "view_audit_trail", referral)
        raise access.NotFoundForUser(
            object_type="referral", object_id=pk, referral_id=referral and referral.pk
        )
    form, filters = _audit_filters(request)
    events = selectors.referral_audit_trail(referral=referral, **filters)
    return _audit_page(
        request,
        title=f"Who saw referral {referral.reference}",
        events=events,
        filter_form=form,
        subject=f"referral {referral.reference}",
        csv_name=f"audit-{referral.reference}.csv",
        audit_kwargs={"referral": referral, "obj": referral},
    )


@login_required
def child_audit(request, pk: int):
    child = Child.objects.filter(pk=pk).first()
    if child is None or not access.can_view_child_audit_trail(request.user, child):
        raise access.NotFoundForUser(object_type="child", object_id=pk, child_id=child and child.pk)
    form, filters = _audit_filters(request)
    events = selectors.child_audit_trail(child=child, **filters)
    return _audit_page(
        request,
        title=f"Who saw the record of child {child.pk} ({child.initials})",
        events=events,
        filter_form=form,
        subject=f"child {child.pk}",
        csv_name=f"audit-child-{child.pk}.csv",
        audit_kwargs={"child": child, "obj": child},
    )


# --- Intake: a new referral, one question page at a time ----------------------------------

STEPS = {
    "child": "About the child",
    "household": "Family and household",
    "concern": "The concern",
    "consent": "Consent and the family",
    "attachments": "Attachments",
}
STEP_ORDER = list(STEPS)
MAX_HOUSEHOLD_ROWS = 30
# Each thing missing before submission, and the input on the step that fixes it.
MISSING_ANCHORS = {
    "Enter the child's first name": ("child", "id_first_name"),
    "Enter the child's last name": ("child", "id_last_name"),
    "Enter the child's date of birth": ("child", "id_born_0"),
    "Enter the expected date of birth": ("child", "id_born_0"),
    "Select at least one category of concern": ("concern", "id_categories_1"),
    "Describe the concern": ("concern", "id_concern"),
    "Say whether the family consented to this referral": ("consent", "id_consent_0"),
    "Give the lawful basis for sharing without consent": ("consent", "id_consent_0"),
    "Give the reason for sharing without consent": ("consent", "id_consent_0"),
}


def _step_url(referral, step: str) -> str:
    return reverse(f"referrals:draft-{step}", args=[referral.pk])


def _submitted_action(request) -> str:
    """Which button was pressed: continue (the default for Enter), save, add or remove-N."""
    return request.POST.get("action", "continue") if request.method == "POST" else ""


def _after_save(request, referral, step: str, action: str):
    if action == "save" and session_timeout.is_replay(request):
        # Saved by the timeout warning as the session ended: back to the same step.
        messages.success(
            request,
            "What you typed before you were signed out is saved in your draft referral "
            f"{referral.reference}.",
        )
        back = "?return=check" if request.GET.get("return") == "check" else ""
        return redirect(_step_url(referral, step) + back)
    if action == "save":
        messages.success(
            request,
            f"Your draft referral {referral.reference} is saved. "
            "You can come back to it from your draft referrals.",
        )
        return redirect("referrals:drafts")
    position = STEP_ORDER.index(step)
    if request.GET.get("return") == "check" or position == len(STEP_ORDER) - 1:
        return redirect("referrals:draft-check", pk=referral.pk)
    return redirect(_step_url(referral, STEP_ORDER[position + 1]))


def _render_step(request, step: str, referral, **context):
    position = STEP_ORDER.index(step)
    if request.GET.get("return") == "check" and referral is not None:
        back = reverse("referrals:draft-check", args=[referral.pk])
    elif position == 0:
        back = reverse("referrals:drafts")
    else:
        back = _step_url(referral, STEP_ORDER[position - 1])
    return render(
        request,
        f"referrals/draft_{step}.html",
        {
            "referral": referral,
            "step": step,
            "step_title": STEPS[step],
            "step_number": position + 1,
            "step_count": len(STEPS),
            "back_url": back,
            **context,
        },
    )


def _save_draft(request, referral, *, details=None, household=None):
    return intake.referral_draft_save(
        actor=request.user,
        agency=referral.agency,
        child=child_details_of(referral.child),
        details=details or referral_details_of(referral),
        household=household,
        referral=referral,
        request=request,
    )


def draft_view(view):
    """A step of the referrer's own draft: 404 if hidden, the referral page once submitted."""

    @functools.wraps(view)
    @login_required
    @require_http_methods(["GET", "POST"])
    def wrapper(request, pk: int):
        referral = access.get_referral_for(request.user, pk)
        if referral.state != ReferralState.DRAFT:
            return redirect("referrals:detail", pk=referral.pk)
        access.require(request.user, "change_referral", referral)
        return view(request, referral)

    return wrapper


@login_required
def draft_list(request):
    if not access.can_refer(request.user):
        raise access.ForbiddenForUser(action="refer", object_type="child", object_id="")
    drafts = (
        access.visible_referrals(request.user)
        .filter(state=ReferralState.DRAFT, referrer=request.user)
        .select_related("child", "agency")
        .order_by("-created_at", "-id")
    )
    return render(request, "referrals/draft_list.html", {"drafts": drafts})


@login_required
@require_http_methods(["GET", "POST"])
@session_timeout.keeps_post_across_sign_in
def draft_new(request):
    if not access.can_refer(request.user):
        raise access.ForbiddenForUser(action="refer", object_type="child", object_id="")
    return _child_step(request, referral=None)


@draft_view
@session_timeout.keeps_post_across_sign_in
def draft_child(request, referral):
    return _child_step(request, referral=referral)


def _child_step(request, *, referral):
    action = _submitted_action(request)
    form = ChildForm(
        request.POST if action else None,
        agencies=access.referring_agencies(request.user),
        complete=action != "save",
        initial=ChildForm.initial_from(referral) if referral else None,
    )
    if action and form.is_valid():
        referral = intake.referral_draft_save(
            actor=request.user,
            agency=form.chosen_agency,
            child=form.child_details(),
            details=referral_details_of(referral) if referral else intake.ReferralDetails(),
            referral=referral,
            request=request,
        )
        return _after_save(request, referral, "child", action)
    return _render_step(request, "child", referral, form=form, error_links=form.error_links)


def _household_rows(request, referral, action: str) -> list[HouseholdMemberForm]:
    if action:
        wanted = request.POST.get("rows", "").split(",")
        indexes = list(dict.fromkeys(int(i) for i in wanted if i.isdigit()))[:MAX_HOUSEHOLD_ROWS]
        if action.startswith("remove-"):
            indexes = [i for i in indexes if str(i) != action.removeprefix("remove-")]
        return [
            HouseholdMemberForm(request.POST, prefix=f"member-{index}", number=number)
            for number, index in enumerate(indexes, start=1)
        ]
    initial = [
        HouseholdMemberForm.initial_from(member)
        for member in referral.household_members.filter(removed_at__isnull=True)
    ]
    if not initial or request.GET.get("add"):
        initial.append({"lives_with_child": "yes"})
    return [
        HouseholdMemberForm(prefix=f"member-{index}", number=index + 1, initial=row)
        for index, row in enumerate(initial[:MAX_HOUSEHOLD_ROWS])
    ]


@draft_view
@session_timeout.keeps_post_across_sign_in
def draft_household(request, referral):
    action = _submitted_action(request)
    rows = _household_rows(request, referral, action)
    valid = [row.is_valid() for row in rows]  # every row, so every row shows its errors
    if action and all(valid):
        household = [row.household_details() for row in rows if not row.is_blank]
        _save_draft(request, referral, household=household)
        if action == "add":
            return redirect(f"{_step_url(referral, 'household')}?add=1#member-{len(household)}")
        if action.startswith("remove-"):
            messages.success(request, "The person was removed from the referral.")
            return redirect(_step_url(referral, "household"))
        return _after_save(request, referral, "household", action)
    return _render_step(
        request,
        "household",
        referral,
        rows=rows,
        row_prefixes=",".join(row.prefix.removeprefix("member-") for row in rows),
        error_links=[link for row in rows for link in row.error_links],
    )


@draft_view
@session_timeout.keeps_post_across_sign_in
def draft_concern(request, referral):
    action = _submitted_action(request)
    form = ConcernForm(
        request.POST if action else None,
        complete=action != "save",
        initial=ConcernForm.initial_from(referral),
    )
    if action and form.is_valid():
        _save_draft(request, referral, details=form.referral_details(referral_details_of(referral)))
        return _after_save(request, referral, "concern", action)
    return _render_step(request, "concern", referral, form=form, error_links=form.error_links)


@draft_view
@session_timeout.keeps_post_across_sign_in
def draft_consent(request, referral):
    action = _submitted_action(request)
    form = ConsentForm(
        request.POST if action else None,
        complete=action != "save",
        initial=ConsentForm.initial_from(referral),
    )
    if action and form.is_valid():
        _save_draft(request, referral, details=form.referral_details(referral_details_of(referral)))
        return _after_save(request, referral, "consent", action)
    return _render_step(request, "consent", referral, form=form, error_links=form.error_links)


@draft_view
def draft_attachments(request, referral):
    action = _submitted_action(request)
    chosen = action and (action == "upload" or request.FILES)
    form = AttachmentForm(request.POST if chosen else None, request.FILES if chosen else None)
    if chosen and form.is_valid():
        try:
            attachment = intake.attachment_add(
                actor=request.user,
                referral=referral,
                uploaded=form.cleaned_data["file"],
                request=request,
            )
        except AttachmentRejected as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(request, f"{attachment.original_name} has been uploaded.")
            if action == "upload":
                return redirect(_step_url(referral, "attachments"))
    if action and not form.errors:
        return _after_save(request, referral, "attachments", action)
    return _render_step(
        request,
        "attachments",
        referral,
        form=form,
        attachments=referral.attachments.all(),
        error_links=form.error_links,
    )


@draft_view
def draft_check(request, referral):
    error_links = []
    if request.method == "POST":
        try:
            intake.referral_submit(actor=request.user, referral=referral, request=request)
        except services.ReferralError as exc:
            missing = intake.missing_for_submission(referral) or [str(exc)]
            for message in missing:
                step, anchor = MISSING_ANCHORS.get(message, ("child", "main-content"))
                error_links.append((f"{_step_url(referral, step)}?return=check#{anchor}", message))
        except workflow.TransitionNotAllowed as exc:
            error_links.append(("#submit", str(exc)))
        else:
            return redirect("referrals:submitted", pk=referral.pk)
    context = {
        "referral": referral,
        "child": referral.child,
        "household": referral.household_members.filter(removed_at__isnull=True),
        "attachments": referral.attachments.all(),
        "error_links": error_links,
        "change": {step: f"{_step_url(referral, step)}?return=check" for step in STEPS},
    }
    return render(request, "referrals/draft_check.html", context)


@login_required
def referral_submitted(request, pk: int):
    referral = access.get_referral_for(request.user, pk)
    if referral.state == ReferralState.DRAFT:
        return redirect("referrals:draft-check", pk=referral.pk)
    return render(request, "referrals/submitted.html", {"referral": referral})


# --- The screening queue, search and the child's chronology ---------------------------------


@dataclass(frozen=True)
class QueueRow:
    referral: Referral
    clock: clocks.ClockStatus | None
    suggested_matches: int


@login_required
def screening_queue(request):
    if not access.can_screen(request.user):
        raise access.ForbiddenForUser(action="screen", object_type="referral", object_id="")
    queue = selectors.screening_queue(user=request.user)
    now = timezone.now()
    suggested = dict(
        ChildMatch.objects.of_referred_children()
        .filter(referral__in=[r.pk for r in queue], status=MatchStatus.SUGGESTED)
        .values("referral")
        .annotate(count=Count("pk"))
        .values_list("referral", "count")
    )
    rows = [
        QueueRow(
            referral=referral,
            clock=clocks_for.clock_status_of(
                referral,
                clock=clocks_for.SCREENING
                if referral.state == ReferralState.SUBMITTED
                else clocks_for.DECISION,
                deadline=referral.next_due_at,
                now=now,
            )
            if referral.next_due_at
            else None,
            suggested_matches=suggested.get(referral.pk, 0),
        )
        for referral in queue
    ]
    return render(request, "referrals/screening_queue.html", {"rows": rows})


@login_required
def referral_search(request):
    form = SearchForm(request.GET or None)
    query, results = "", []
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        results = selectors.search_referrals(user=request.user, query=query)
    return render(
        request, "referrals/search.html", {"form": form, "query": query, "results": results}
    )


@login_required
@require_http_methods(["GET", "POST"])
def child_detail(request, pk: int):
    child = access.get_child_for(request.user, pk)
    reason = ""
    if access.must_give_child_view_reason(request.user, child):
        form = ViewReasonForm(request.POST if request.method == "POST" else None)
        if not form.is_valid():
            return render(request, "referrals/view_reason.html", {"child": child, "form": form})
        reason = form.cleaned_data["reason"]
    services.child_record_view_record(
        actor=request.user, child=child, origin=audit.origin_of(request), reason=reason
    )
    context = {
        "child": child,
        "chronology": selectors.child_chronology(user=request.user, child=child),
        "can_view_audit": access.can_view_child_audit_trail(request.user, child),
    }
    return render(request, "referrals/child_detail.html", context)


# --- What happens to a referral: one view per operation -----------------------------------

REFUSALS = (services.ReferralError, workflow.TransitionNotAllowed)


def _act(request, referral, *, form, title, button, perform, success, extra=None):
    """GET shows the form on its own page; a valid POST runs the service and goes back to the
    referral with a banner; a refusal is shown as the form's error summary."""
    if request.method == "POST" and form.is_valid():
        try:
            perform(form.cleaned_data)
        except REFUSALS as exc:
            form.add_error(None, str(exc))
        except AttachmentRejected as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(request, success)
            return redirect("referrals:detail", pk=referral.pk)
    context = {"referral": referral, "form": form, "title": title, "button": button}
    return render(request, "referrals/action.html", {**context, **(extra or {})})


def _bound(request):
    return request.POST if request.method == "POST" else None


def _allowed(user, referral, name: str) -> bool:
    """The policy lets this person make the move, and the referral's state allows it now."""
    in_state = any(t.name == name for t in workflow.allowed_transitions(referral.state))
    return in_state and access.allows(user, name, referral)


@login_required
@require_http_methods(["GET", "POST"])
def referral_screen(request, pk: int):
    referral = access.get_referral_for(request.user, pk)
    access.require(request.user, "screen", referral)
    return _act(
        request,
        referral,
        form=ScreenForm(_bound(request), prefix="screen"),
        title="Screen the referral",
        button="Record the screening",
        perform=lambda data: intake.referral_screen(
            actor=request.user,
            referral=referral,
            rag=data["rag"],
            reason=data["reason"],
            request=request,
        ),
        success=f"Referral {referral.reference} has been screened.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def referral_decide(request, pk: int):
    referral = access.get_referral_for(request.user, pk)
    permitted = [d for d in intake.DECISIONS if access.allows(request.user, d, referral)]
    if not permitted:
        raise access.ForbiddenForUser(
            action="decide", object_type="referral", object_id=pk, referral_id=referral.pk
        )
    decisions = [d for d in permitted if _allowed(request.user, referral, d)] or permitted
    return _act(
        request,
        referral,
        form=DecideForm(_bound(request), prefix="decide", decisions=decisions),
        title="Decide what happens next",
        button="Record the decision",
        perform=lambda data: intake.referral_decide(
            actor=request.user,
            referral=referral,
            decision=data["decision"],
            reason=data["reason"],
            request=request,
        ),
        success=f"The decision on referral {referral.reference} has been recorded.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def referral_close(request, pk: int):
    referral = access.get_referral_for(request.user, pk)
    access.require(request.user, "close", referral)
    return _act(
        request,
        referral,
        form=CloseForm(_bound(request), prefix="close"),
        title="Close the referral",
        button="Close the referral",
        perform=lambda data: intake.referral_close(
            actor=request.user, referral=referral, outcome=data["outcome"], request=request
        ),
        success=f"Referral {referral.reference} has been closed.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def referral_withdraw(request, pk: int):
    referral = access.get_referral_for(request.user, pk)
    access.require(request.user, "withdraw", referral)
    return _act(
        request,
        referral,
        form=WithdrawForm(_bound(request), prefix="withdraw"),
        title="Withdraw the referral",
        button="Withdraw the referral",
        perform=lambda data: intake.referral_withdraw(
            actor=request.user, referral=referral, reason=data["reason"], request=request
        ),
        success=f"Referral {referral.reference} has been withdrawn.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def referral_match(request, pk: int, match_pk: int):
    referral = access.get_referral_for(request.user, pk)
    if not access.can_screen(request.user):
        raise access.ForbiddenForUser(
            action="decide matches on", object_type="referral", object_id=pk, referral_id=pk
        )
    # A match whose candidate is only a draft's child was never the screener's to see.
    match = (
        referral.matches.of_referred_children()
        .select_related("candidate")
        .filter(pk=match_pk)
        .first()
    )
    if match is None:
        raise access.NotFoundForUser(
            object_type="child match", object_id=match_pk, referral_id=referral.pk
        )
    if request.method == "GET":
        services.child_match_view_record(
            actor=request.user,
            candidate=match.candidate,
            referral=referral,
            origin=audit.origin_of(request),
        )
    return _act(
        request,
        referral,
        form=MatchDecisionForm(_bound(request), prefix=f"match-{match.pk}"),
        title="Is this the same child?",
        button="Record the decision",
        perform=lambda data: intake.child_match_decide(
            actor=request.user,
            match=match,
            confirm=data["decision"] == "confirm",
            reason=data["reason"],
            request=request,
        ),
        success="The suggested match has been decided.",
        extra={"match": match},
    )


@login_required
@require_http_methods(["GET", "POST"])
def contributions_request(request, pk: int):
    referral = access.get_referral_for(request.user, pk)
    access.require(request.user, "request_contributions", referral)
    form = ContributionRequestForm(
        _bound(request), prefix="ask", agencies=_agencies_not_yet_asked(referral)
    )
    return _act(
        request,
        referral,
        form=form,
        title="Ask agencies what they know",
        button="Send the requests",
        perform=lambda data: intake.contributions_request(
            actor=request.user, referral=referral, agencies=list(data["agencies"]), request=request
        ),
        success="The agencies have been asked for their information.",
    )


def _form_if_any_to_ask(form: ContributionRequestForm) -> ContributionRequestForm | bool:
    return form.has_agencies and form


def _agencies_not_yet_asked(referral):
    asked = referral.contribution_requests.values("agency_id")
    return Agency.objects.filter(is_active=True).exclude(pk__in=asked)


@login_required
@require_http_methods(["GET", "POST"])
def contribution_add(request, pk: int):
    referral = access.get_referral_for(request.user, pk)
    agencies = access.contributing_agencies(request.user, referral)
    if not agencies.exists():
        raise access.ForbiddenForUser(
            action="add information to", object_type="referral", object_id=pk, referral_id=pk
        )
    form = ContributionForm(_bound(request), prefix="contribute", agencies=agencies)
    return _act(
        request,
        referral,
        form=form,
        title="Add what your agency knows",
        button="Add the information",
        perform=lambda data: intake.contribution_add(
            actor=request.user,
            referral=referral,
            agency=form.chosen_agency,
            text=data["text"],
            sensitivity=data["sensitivity"],
            lawful_basis=data["lawful_basis"],
            request=request,
        ),
        success="Your agency's information has been added.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def contribution_decline(request, pk: int, request_pk: int):
    referral = access.get_referral_for(request.user, pk)
    asked = referral.contribution_requests.select_related("agency").filter(pk=request_pk).first()
    if asked is None:
        raise access.NotFoundForUser(
            object_type="contribution request", object_id=request_pk, referral_id=referral.pk
        )
    if not access.contributing_agencies(request.user, referral).filter(pk=asked.agency_id):
        raise access.ForbiddenForUser(
            action="answer for", object_type="referral", object_id=pk, referral_id=pk
        )
    return _act(
        request,
        referral,
        form=DeclineForm(_bound(request), prefix=f"decline-{asked.pk}"),
        title=f"Decline to share {asked.agency.name}'s information",
        button="Decline the request",
        perform=lambda data: intake.contribution_decline(
            actor=request.user, contribution_request=asked, reason=data["reason"], request=request
        ),
        success=f"{asked.agency.name} has declined to share, with its reason.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def attachment_add(request, pk: int):
    referral = access.get_referral_for(request.user, pk)
    access.require(request.user, "add_attachment", referral)
    files = request.FILES if request.method == "POST" else None
    return _act(
        request,
        referral,
        form=AttachmentForm(_bound(request), files, prefix="attach"),
        title="Attach a file",
        button="Upload the file",
        perform=lambda data: intake.attachment_add(
            actor=request.user, referral=referral, uploaded=data["file"], request=request
        ),
        success="The file has been attached.",
        extra={"multipart": True},
    )


@login_required
@require_http_methods(["GET", "POST"])
def attachment_download(request, pk: int, attachment_pk: int):
    """Served only through the policy, never as a static file, and every download audited."""
    referral = access.get_referral_for(request.user, pk)
    attachment = referral.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise access.NotFoundForUser(
            object_type="attachment", object_id=attachment_pk, referral_id=referral.pk
        )
    reason = ""
    if access.must_give_view_reason(request.user, referral):
        form = ViewReasonForm(request.POST if request.method == "POST" else None)
        if not form.is_valid():
            return render(
                request,
                "referrals/view_reason.html",
                {"referral": referral, "form": form, "attachment": attachment},
            )
        reason = form.cleaned_data["reason"]
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing.") from None
    services.attachment_download_record(
        actor=request.user,
        attachment=attachment,
        referral=referral,
        origin=audit.origin_of(request),
        reason=reason,
    )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.download_name,
        content_type=attachment.kind.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
