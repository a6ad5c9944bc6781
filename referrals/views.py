"""Referral pages: parse input, ask the policy, call one service or selector, render."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from agencies import audit, policy
from agencies.models import Agency
from referrals import selectors, services
from referrals.forms import (
    AuditFilterForm,
    BreakGlassForm,
    ShareForm,
    ViewReasonForm,
    WithdrawShareForm,
)
from referrals.models import Child, Referral, ReferralShare


@login_required
def referral_list(request):
    referrals = selectors.referral_list_for(user=request.user)
    return render(request, "referrals/referral_list.html", {"referrals": referrals})


@login_required
@require_http_methods(["GET", "POST"])
def referral_detail(request, pk: int):
    referral = policy.get_referral_for(request.user, pk)
    reason = ""
    if policy.must_give_view_reason(request.user, referral):
        form = ViewReasonForm(request.POST or None)
        if request.method != "POST" or not form.is_valid():
            return render(
                request, "referrals/view_reason.html", {"referral": referral, "form": form}
            )
        reason = form.cleaned_data["reason"]
    services.referral_view_record(
        actor=request.user, referral=referral, request=request, reason=reason
    )
    shares = referral.shares.select_related("agency", "shared_by", "withdrawn_by")
    context = {
        "referral": referral,
        "contributions": policy.visible_contributions(request.user, referral).select_related(
            "agency", "author"
        ),
        "shares": shares,
        "can_share": policy.can_share_referral(request.user, referral),
        "can_view_audit": policy.can_view_audit_trail(request.user, referral),
        "withdraw_form": WithdrawShareForm(),
    }
    return render(request, "referrals/referral_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def referral_share(request, pk: int):
    referral = policy.get_referral_for(request.user, pk)
    policy.require(request.user, "share_referral", referral)
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
    referral = policy.get_referral_for(request.user, pk)
    policy.require(request.user, "share_referral", referral)
    share = ReferralShare.objects.filter(referral=referral, pk=share_pk).first()
    if share is None:
        raise policy.NotFoundForUser(
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
@require_http_methods(["GET", "POST"])
def break_glass(request):
    if not policy.can_break_glass_at_all(request.user):
        raise policy.ForbiddenForUser(action="break the glass", object_type="case", object_id="")
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        referral = Referral.objects.filter(
            reference__iexact=form.cleaned_data["reference"].strip()
        ).first()
        if referral is None:
            form.add_error("reference", "There is no referral with that reference")
        elif policy.can_view_referral(request.user, referral):
            return redirect("referrals:detail", pk=referral.pk)
        else:
            try:
                access = services.referral_break_glass(
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
                    f"{timezone.localtime(access.expires_at):%H:%M on %d %B}. "
                    "Its agency lead has been told.",
                )
                return redirect("referrals:detail", pk=referral.pk)
    return render(request, "referrals/break_glass.html", {"form": form})


def _audit_page(request, *, title, events, filter_form, subject, csv_name, audit_kwargs):
    if request.GET.get("format") == "csv" and filter_form.is_valid():
        audit.record(
            actor=request.user,
            action=audit.Action.EXPORTED_CSV,
            request=request,
            detail=f"Audit trail of {subject}",
            **audit_kwargs,
        )
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{csv_name}"'
        writer = csv.writer(response)
        writer.writerow(["when", "person", "agency", "action", "reason", "address", "detail"])
        for event in events.iterator():
            writer.writerow(
                [
                    timezone.localtime(event.at).isoformat(timespec="seconds"),
                    event.actor.get_username() if event.actor else "anonymous",
                    event.actor_agency.name if event.actor_agency else "",
                    event.get_action_display(),
                    _csv_safe(event.reason),
                    event.ip_address or "",
                    _csv_safe(event.detail),
                ]
            )
        return response
    return render(
        request,
        "referrals/audit_trail.html",
        {"title": title, "events": events[:500], "form": filter_form, "subject": subject},
    )


def _csv_safe(value: str) -> str:
    """Stop a spreadsheet treating a typed value as a formula."""
    return "'" + value if value[:1] in {"=", "+", "-", "@"} else value


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
    if referral is None or not policy.can_view_audit_trail(request.user, referral):
        if referral is not None and policy.can_view_referral(request.user, referral):
            policy.require(request.user, "view_audit_trail", referral)
        raise policy.NotFoundForUser(
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
    if child is None or not policy.can_view_child_audit_trail(request.user, child):
        raise policy.NotFoundForUser(object_type="child", object_id=pk, child_id=child and child.pk)
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


@login_required
def audit_lookup(request):
    if not policy.can_look_up_audit_trails(request.user):
        raise policy.ForbiddenForUser(action="look up", object_type="audit trail", object_id="")
    reference = request.GET.get("reference", "").strip()
    error = ""
    if reference:
        referral = Referral.objects.filter(reference__iexact=reference).first()
        if referral is not None:
            return redirect("referrals:audit", pk=referral.pk)
        error = "There is no referral with that reference"
    return render(request, "referrals/audit_lookup.html", {"reference": reference, "error": error})
