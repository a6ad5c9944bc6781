"""The management pages (/manage/): people, agencies, teams, roles and panel seats, and the
grants waiting for a second person. Each view asks the policy, parses a form, calls one
service or selector and renders; refusals come from the policy (403/404, audited)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

import access
from agencies import audit, selectors, services
from agencies.grants import AccessChangeError, describe, name_of
from agencies.manage_forms import (
    AgencyForm,
    DecideForm,
    GrantForm,
    PeopleFilterForm,
    PersonForm,
    ReasonForm,
    ScreeningClocksForm,
    SeatForm,
    TeamForm,
)
from panels import services as panel_services
from referrals import clocks_for
from referrals.models import ScreeningClocks

GET_POST = require_http_methods(["GET", "POST"])


def _form_page(request, form, *, title: str, back: str, back_label: str, **context):
    """The one template of every form page: error summary, heading, the form, a way back."""
    return render(
        request,
        "agencies/manage/form.html",
        {"form": form, "title": title, "back": back, "back_label": back_label, **context},
    )


def _address(request) -> str | None:
    return audit.client_address(request)


def _person_page(person) -> str:
    return reverse("manage:person", args=[person.pk])


# --- Home ------------------------------------------------------------------------------------


@login_required
@require_GET
def manage_home(request):
    access.require_can_administer(request.user)
    return render(
        request,
        "agencies/manage/home.html",
        {
            "waiting": access.grants_to_decide(request.user).count()
            + access.seats_to_decide(request.user).count(),
            "panels": selectors.panels_with_clocks(
                panels=access.panels_whose_clocks_may_change(request.user)
            ),
        },
    )


# --- People ----------------------------------------------------------------------------------


@login_required
@require_GET
def people(request):
    access.require_can_administer(request.user)
    form = PeopleFilterForm(request.GET or {"status": "active"})
    found = []
    if form.is_valid():
        found = selectors.people_list(
            query=form.cleaned_data["q"],
            agency=form.cleaned_data["agency"],
            status=form.cleaned_data["status"] or "active",
        )
    return render(request, "agencies/manage/people.html", {"form": form, "people": found})


@login_required
@GET_POST
def person_create(request):
    access.require_can_administer(request.user)
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.user_create(
                actor=request.user, address=_address(request), **form.cleaned_data
            )
        except AccessChangeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                f"Account made for {name_of(person)}. They were emailed a link to set their "
                "own password. Grant them a role next.",
            )
            return redirect("manage:person", pk=person.pk)
    return _form_page(
        request,
        form,
        title="Add a person",
        intro="Nobody sets another person's password: they are emailed a one-time link to set "
        "their own. The account opens nothing until a role is granted and approved.",
        back=reverse("manage:people"),
        back_label="Back to people",
    )


@login_required
@require_GET
def person_detail(request, pk: int):
    person = access.get_person_to_manage(request.user, pk)
    return render(
        request,
        "agencies/manage/person.html",
        {
            "person": person,
            "can_change": access.can_change_access_of(request.user, person),
            # The buttons offered are exactly what the policy allows this person here.
            "endable_roles": _ids(access.grants_endable_by(request.user), person),
            "decidable_roles": _ids(access.grants_to_decide(request.user), person),
            "endable_seats": _ids(access.seats_endable_by(request.user), person),
            "decidable_seats": _ids(access.seats_to_decide(request.user), person),
            **selectors.person_grants(person=person),
        },
    )


def _ids(grants, person) -> set[int]:
    return set(grants.filter(user=person).values_list("pk", flat=True))


@login_required
@GET_POST
def person_deactivate(request, pk: int):
    person = access.get_person_to_manage(request.user, pk)
    access.require_can_change_access_of(request.user, person)
    if not person.is_active:
        messages.info(request, f"{name_of(person)}'s account is already deactivated.")
        return redirect("manage:person", pk=person.pk)
    form = ReasonForm(
        request.POST or None,
        label="Why are you deactivating this account?",
        required_message="Enter the reason for deactivating the account",
        button="Deactivate account",
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.user_deactivate(
                actor=request.user,
                person=person,
                reason=form.cleaned_data["reason"],
                address=_address(request),
            )
        except AccessChangeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{name_of(person)}'s account is deactivated.")
            return redirect("manage:person", pk=person.pk)
    return _form_page(
        request,
        form,
        title=f"Deactivate {name_of(person)}'s account",
        intro="They can no longer sign in, and their open pages and meeting rooms close. Their "
        "roles and history are kept.",
        back=_person_page(person),
        back_label="Back to the person",
    )


@login_required
@require_POST
def person_password_link(request, pk: int):
    person = access.get_person_to_manage(request.user, pk)
    try:
        services.user_send_password_link(
            actor=request.user, person=person, address=_address(request)
        )
    except AccessChangeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, f"A new link to set their password was emailed to {person.email}."
        )
    return redirect("manage:person", pk=person.pk)


# --- Sign-in lockouts --------------------------------------------------------------------------


@login_required
@require_GET
def sign_in_lockouts(request):
    access.require_can_unlock_sign_in(request.user)
    accounts, addresses = selectors.sign_in_lockouts()
    return render(
        request,
        "agencies/manage/sign_in_lockouts.html",
        {
            "accounts": accounts,
            "addresses": addresses,
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "lockout_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
    )


@login_required
@require_POST
def sign_in_unlock(request):
    access.require_can_unlock_sign_in(request.user)
    username = request.POST.get("username", "").strip()
    ip_address = request.POST.get("address", "").strip()
    if bool(username) == bool(ip_address):
        messages.error(request, "Choose one username or one address to unlock.")
    else:
        services.sign_in_unlock(
            actor=request.user, username=username, ip_address=ip_address, address=_address(request)
        )
        messages.success(request, f"{username or ip_address} can sign in again.")
    return redirect("manage:sign-in-lockouts")


# --- Roles and seats -------------------------------------------------------------------------


@login_required
@GET_POST
def membership_grant(request, pk: int):
    person = access.get_person_to_manage(request.user, pk)
    access.require_can_change_access_of(request.user, person)
    form = GrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            grant = services.membership_grant(
                actor=request.user,
                person=person,
                agency=data["agency"],
                role=data["role"],
                team=data["team"],
                job_title=data["job_title"],
                reason=data["reason"],
                address=_address(request),
            )
        except AccessChangeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _asked_message(grant))
            return redirect("manage:person", pk=person.pk)
    return _form_page(
        request,
        form,
        title=f"Grant {name_of(person)} a role",
        intro="A role that opens case content takes effect only when a lead of the agency or "
        "another system administrator approves it.",
        back=_person_page(person),
        back_label="Back to the person",
    )


@login_required
@GET_POST
def seat_grant(request, pk: int):
    person = access.get_person_to_manage(request.user, pk)
    access.require_can_change_access_of(request.user, person)
    form = SeatForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            seat = panel_services.panel_membership_grant(
                actor=request.user,
                person=person,
                panel=data["panel"],
                agency=data["agency"],
                role=data["role"],
                reason=data["reason"],
                address=_address(request),
            )
        except AccessChangeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _asked_message(seat))
            return redirect("manage:person", pk=person.pk)
    return _form_page(
        request,
        form,
        title=f"Give {name_of(person)} a panel seat",
        intro="The seat takes effect when a lead of the agency they sit for, or another system "
        "administrator, approves it.",
        back=_person_page(person),
        back_label="Back to the person",
    )


def _asked_message(grant) -> str:
    if grant.is_pending:
        return f"Asked for {describe(grant)}. It takes effect when a second person approves it."
    return f"{describe(grant)}: in effect now."


def _end_page(request, grant, *, end, what: str):
    """Ending a role or a seat: the same page, with the service that ends it."""
    if not grant.is_live:
        messages.info(request, f"{describe(grant)} is not in effect: there is nothing to end.")
        return redirect("manage:person", pk=grant.user_id)
    form = ReasonForm(
        request.POST or None,
        label=f"Why is this {what} ending?",
        required_message=f"Enter the reason for ending the {what}",
        button=f"End the {what}",
    )
    if request.method == "POST" and form.is_valid():
        try:
            end(
                actor=request.user,
                membership=grant,
                reason=form.cleaned_data["reason"],
                address=_address(request),
            )
        except AccessChangeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Ended: {describe(grant)}.")
            return redirect(_after_end(request, grant))
    return _form_page(
        request,
        form,
        title=f"End a {what}",
        caption=describe(grant),
        intro="The access it gives ends at once, and the person's open pages and meeting rooms "
        "check their access again. The record is kept.",
        back=_after_end(request, grant),
        back_label="Back",
    )


def _after_end(request, grant) -> str:
    if access.can_administer(request.user):
        return _person_page(grant.user)
    return reverse("home")


@login_required
@GET_POST
def membership_end(request, pk: int):
    grant = access.get_grant_for(request.user, pk)
    if grant.is_live:
        access.require_can_end_grant(request.user, grant)
    return _end_page(request, grant, end=services.membership_end, what="role")


@login_required
@GET_POST
def seat_end(request, pk: int):
    seat = access.get_seat_for(request.user, pk)
    if seat.is_live:
        access.require_can_end_seat(request.user, seat)
    return _end_page(request, seat, end=panel_services.panel_membership_end, what="seat")


def _decide_page(request, grant, *, approve, refuse, what: str):
    """Deciding a waiting role or seat: the same page, with the two services."""
    if not grant.is_pending:
        decided = f" by {name_of(grant.decided_by)}" if grant.decided_by else ""
        messages.info(
            request, f"{describe(grant)} was already {grant.get_status_display().lower()}{decided}."
        )
        return redirect("manage:approvals")
    form = DecideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        service = approve if form.cleaned_data["decision"] == "approve" else refuse
        try:
            service(
                actor=request.user,
                membership=grant,
                reason=form.cleaned_data["reason"],
                address=_address(request),
            )
        except AccessChangeError as exc:
            form.add_error(None, str(exc))
        else:
            done = "Approved" if form.cleaned_data["decision"] == "approve" else "Refused"
            messages.success(request, f"{done}: {describe(grant)}.")
            return redirect("manage:approvals")
    return _form_page(
        request,
        form,
        title=f"Approve or refuse a {what}",
        caption="The two-person rule",
        details=[
            ("Person", f"{name_of(grant.user)} ({grant.user.get_username()})"),
            ("Access", describe(grant)),
            ("Asked for by", name_of(grant.requested_by) if grant.requested_by else "Not recorded"),
            ("Asked on", grant.requested_at),
            ("Why", grant.request_reason or "Not given"),
        ],
        back=reverse("manage:approvals"),
        back_label="Back to grants waiting for approval",
    )


@login_required
@GET_POST
def membership_decide(request, pk: int):
    grant = access.get_grant_for(request.user, pk)
    if grant.is_pending:
        access.require_can_decide_grant(request.user, grant)
    return _decide_page(
        request,
        grant,
        approve=services.membership_approve,
        refuse=services.membership_refuse,
        what="role",
    )


@login_required
@GET_POST
def seat_decide(request, pk: int):
    seat = access.get_seat_for(request.user, pk)
    if seat.is_pending:
        access.require_can_decide_seat(request.user, seat)
    return _decide_page(
        request,
        seat,
        approve=panel_services.panel_membership_approve,
        refuse=panel_services.panel_membership_refuse,
        what="seat",
    )


@login_required
@require_GET
def approvals(request):
    access.require_can_decide_grants_at_all(request.user)
    waiting = selectors.grants_waiting(
        to_decide=access.grants_to_decide(request.user),
        seats_to_decide=access.seats_to_decide(request.user),
        asked_by=request.user,
    )
    return render(request, "agencies/manage/approvals.html", waiting)


# --- Agencies and teams ----------------------------------------------------------------------


@login_required
@require_GET
def agency_list(request):
    access.require_can_administer(request.user)
    return render(request, "agencies/manage/agencies.html", {"agencies": selectors.agency_list()})


def _agency_values(form) -> dict:
    data = form.cleaned_data
    return {key: data[key] for key in ("name", "agency_type", "ods_code", "urn")}


@login_required
@GET_POST
def agency_create(request):
    access.require_can_administer(request.user)
    form = AgencyForm(request.POST or None, button="Create agency")
    if request.method == "POST" and form.is_valid():
        try:
            agency = services.agency_create(
                actor=request.user, address=_address(request), **_agency_values(form)
            )
        except AccessChangeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, f"{agency.name} was created; referrals can be shared with it."
            )
            return redirect("manage:agency", pk=agency.pk)
    return _form_page(
        request,
        form,
        title="Add an agency",
        back=reverse("manage:agencies"),
        back_label="Back to agencies",
    )


@login_required
@require_GET
def agency_detail(request, pk: int):
    agency = access.get_agency_to_manage(request.user, pk)
    return render(
        request,
        "agencies/manage/agency.html",
        {
            "agency": agency,
            "can_deactivate": access.can_deactivate_agency(request.user, agency),
            **selectors.agency_overview(agency=agency),
        },
    )


@login_required
@GET_POST
def agency_edit(request, pk: int):
    agency = access.get_agency_to_manage(request.user, pk)
    initial = {key: getattr(agency, key) for key in ("name", "agency_type", "ods_code", "urn")}
    form = AgencyForm(request.POST or None, initial=initial, button="Save changes")
    if request.method == "POST" and form.is_valid():
        try:
            services.agency_update(
                actor=request.user, agency=agency, address=_address(request), **_agency_values(form)
            )
        except AccessChangeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "The agency's details were saved.")
            return redirect("manage:agency", pk=agency.pk)
    return _form_page(
        request,
        form,
        title=f"Change {agency.name}",
        back=reverse("manage:agency", args=[agency.pk]),
        back_label="Back to the agency",
    )


@login_required
@GET_POST
def agency_deactivate(request, pk: int):
    agency = access.get_agency_to_manage(request.user, pk)
    if not agency.is_active:
        messages.info(request, f"{agency.name} is already deactivated.")
        return redirect("manage:agency", pk=agency.pk)
    access.require_can_deactivate_agency(request.user, agency)
    form = ReasonForm(
        request.POST or None,
        label="Why are you deactivating this agency?",
        required_message="Enter the reason for deactivating the agency",
        button="Deactivate agency",
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.agency_deactivate(
                actor=request.user,
                agency=agency,
                reason=form.cleaned_data["reason"],
                address=_address(request),
            )
        except AccessChangeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{agency.name} is deactivated.")
            return redirect("manage:agency", pk=agency.pk)
    return _form_page(
        request,
        form,
        title=f"Deactivate {agency.name}",
        intro="Every role and seat held for this agency stops giving access; nothing is deleted.",
        back=reverse("manage:agency", args=[agency.pk]),
        back_label="Back to the agency",
    )


@login_required
@GET_POST
def team_create(request, pk: int):
    agency = access.get_agency_to_manage(request.user, pk)
    form = TeamForm(request.POST or None, button="Add team")
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(
                actor=request.user,
                agency=agency,
                name=form.cleaned_data["name"],
                address=_address(request),
            )
        except AccessChangeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Team {team.name} added to {agency.name}.")
            return redirect("manage:agency", pk=agency.pk)
    return _form_page(
        request,
        form,
        title="Add a team",
        caption=agency.name,
        back=reverse("manage:agency", args=[agency.pk]),
        back_label="Back to the agency",
    )


@login_required
@GET_POST
def team_rename(request, pk: int):
    team = access.get_team_to_manage(request.user, pk)
    form = TeamForm(request.POST or None, initial={"name": team.name}, button="Rename team")
    if request.method == "POST" and form.is_valid():
        try:
            services.team_rename(
                actor=request.user,
                team=team,
                name=form.cleaned_data["name"],
                address=_address(request),
            )
        except AccessChangeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "The team was renamed.")
            return redirect("manage:agency", pk=team.agency_id)
    return _form_page(
        request,
        form,
        title=f"Rename the team {team.name}",
        caption=team.agency.name,
        back=reverse("manage:agency", args=[team.agency_id]),
        back_label="Back to the agency",
    )


# --- A hub's screening clocks ------------------------------------------------------------------

CLOCK_FIELDS = (
    "red_hours",
    "red_counting",
    "amber_working_days",
    "green_working_days",
    "decision_working_days",
    "working_day_start",
    "working_day_end",
)


@login_required
@GET_POST
def screening_clocks(request, pk: int):

    panel = access.get_panel_to_set_clocks(request.user, pk)
    clocks = clocks_for.configured_clocks(panel) or ScreeningClocks(panel=panel)
    initial = {name: getattr(clocks, name) for name in CLOCK_FIELDS}
    form = ScreeningClocksForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in CLOCK_FIELDS}
        try:
            clocks_for.screening_clocks_update(
                actor=request.user,
                clocks=clocks,
                reason=form.cleaned_data["reason"],
                request=request,
                **values,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, f"The screening clocks of {panel.name} were saved.")
            return redirect("manage:screening-clocks", pk=panel.pk)
    return _form_page(
        request,
        form,
        title=f"Screening clocks of {panel.name}",
        caption="Hub settings",
        details=clocks_for.clocks_summary(panel),
        intro="These are the clocks now. New referrals get the clocks saved here; referrals "
        "already received keep the deadlines they were given. Weekends and England and Wales "
        "bank holidays never count as working days.",
        back=reverse("manage:home") if access.can_administer(request.user) else reverse("home"),
        back_label="Back",
    )
