"""Pages of casework: caseloads and allocation for team managers, independent review of live
cases, the quality auditor's overview of grades and themes, and learning actions. Each view
asks the policy, calls one service or selector, and renders; every export is audited."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

import access
from agencies import audit, exports, two_factor
from agencies.two_factor_middleware import second_factor_recent, step_up_redirect
from casework import selectors, services
from casework.forms import (
    AllocateForm,
    ChangesForm,
    CloseAllocationForm,
    CompleteLearningForm,
    GradeForm,
    LearningActionForm,
    RespondForm,
    SampleForm,
    TargetForm,
    learning_owners,
)
from casework.models import Allocation, CaseReview, RequiredAction, Theme


def _errors_to_form(form, error: ValidationError) -> None:
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


def _csv(request, *, filename: str, header, rows, detail: str):
    if not two_factor.verified_recently(request.session):
        return step_up_redirect(request)  # an export: the second factor again first
    exports.csv_export_record(actor=request.user, detail=detail, origin=audit.origin_of(request))
    return exports.csv_response(filename=filename, header=header, rows=rows)


# --- Caseloads and allocation -----------------------------------------------------------------


def _require_manager(user) -> None:
    if not access.can_manage_caseloads(user):
        raise access.ForbiddenForUser(action="see", object_type="caseloads", object_id="")


@login_required
@require_GET
def caseloads(request):
    """My teams' caseload per worker against target, and the unallocated live cases."""
    _require_manager(request.user)
    teams = access.teams_managed_by(request.user)
    return render(
        request,
        "casework/caseloads.html",
        {
            "loads": selectors.caseloads(teams),
            "unallocated": selectors.unallocated_cases(access.allocatable_referrals(request.user)),
            "target_form": TargetForm(),
        },
    )


@login_required
@second_factor_recent
@require_GET
def caseloads_csv(request):
    _require_manager(request.user)
    loads = selectors.caseloads(access.teams_managed_by(request.user))
    return _csv(
        request,
        filename="caseloads.csv",
        header=["team", "agency", "worker", "live cases", "target", "over target by"],
        rows=(
            [t.name, t.agency, w.name, w.cases, w.target, w.over] for t in loads for w in t.workers
        ),
        detail="Caseloads of my teams",
    )


@login_required
@require_POST
def team_target(request, pk):
    team = access.get_team_to_manage_caseload(request.user, pk)
    form = TargetForm(request.POST)
    if form.is_valid():
        services.caseload_target_set(
            actor=request.user, team=team, per_worker=form.cleaned_data["per_worker"]
        )
        messages.success(request, f"The caseload target of {team.name} is saved.")
    else:
        messages.error(request, "Give a target between 1 and 99 cases per worker.")
    return redirect("casework:caseloads")


@login_required
@require_http_methods(["GET", "POST"])
def allocate(request, pk):
    """Allocate, reallocate or close the allocation of one live case, with its history."""
    referral = access.get_live_case_for(request.user, pk)
    access.require_can_allocate(request.user, referral)
    teams = access.teams_managed_by(request.user).select_related("agency")
    workers = access.worker_seats(list(teams.values_list("pk", flat=True)))
    people = (
        get_user_model()
        .objects.filter(pk__in=workers.values("user_id"))
        .order_by("first_name", "last_name")
    )
    form = AllocateForm(teams=teams, workers=people)
    close_form = CloseAllocationForm()
    if request.method == "POST":
        try:
            if request.POST.get("step") == "close":
                close_form = CloseAllocationForm(request.POST)
                if close_form.is_valid():
                    services.allocation_close(
                        actor=request.user,
                        referral=referral,
                        reason=close_form.cleaned_data["reason"],
                    )
                    messages.success(request, f"The allocation of {referral.reference} is closed.")
                    return redirect("casework:caseloads")
            else:
                form = AllocateForm(request.POST, teams=teams, workers=people)
                if form.is_valid():
                    allocation = services.allocation_allocate(
                        actor=request.user, referral=referral, **form.cleaned_data
                    )
                    messages.success(
                        request, f"{referral.reference} is allocated to {allocation.worker}."
                    )
                    return redirect("casework:caseloads")
        except ValidationError as error:
            _errors_to_form(close_form if request.POST.get("step") == "close" else form, error)
    live = Allocation.objects.filter(referral=referral, ended_at__isnull=True).first()
    return render(
        request,
        "casework/allocate.html",
        {
            "referral": referral,
            "form": form,
            "close_form": close_form,
            "live": live,
            "history": selectors.allocation_history(referral),
        },
    )


# --- Independent review -----------------------------------------------------------------------


def _require_reviewer(user) -> None:
    if not access.can_review_at_all(user):
        raise access.ForbiddenForUser(action="review", object_type="case", object_id="")


@login_required
@require_GET
def reviews(request):
    """The reviews I made, of my work and of my teams' work; the form to draw a sample."""
    reviews_ = selectors.reviews_for(request.user)
    reviewer = access.can_review_at_all(request.user)
    if not reviewer and not reviews_.exists():
        raise access.ForbiddenForUser(action="see", object_type="case reviews", object_id="")
    return render(
        request,
        "casework/reviews.html",
        {"reviews": reviews_[:200], "sample_form": SampleForm() if reviewer else None},
    )


@login_required
@require_POST
def review_sample(request):
    _require_reviewer(request.user)
    form = SampleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give how many cases to draw (1 to 50).")
        return redirect("casework:reviews")
    data = form.cleaned_data
    sample = services.review_sample_draw(
        actor=request.user,
        size=data["size"],
        criteria={k: data[k] for k in ("red", "repeat", "past_clock", "team", "agency")},
    )
    drawn = sample.reviews.count()
    messages.success(request, f"{drawn} live case{'s' if drawn != 1 else ''} drawn for review.")
    return redirect("casework:reviews")


@login_required
@require_POST
def review_start(request, pk):
    """Review one live case chosen by hand: never one of the reviewer's own team (403)."""
    referral = access.get_live_case_for(request.user, pk)
    review = services.review_start(actor=request.user, referral=referral)
    return redirect("casework:review", pk=review.pk)


@login_required
@require_http_methods(["GET", "POST"])
def review(request, pk):
    """One review: the reviewer grades it, the worker responds, the manager records changes."""
    review_ = access.get_review_for(request.user, pk)
    user = request.user
    forms_ = {"grade": GradeForm(), "respond": RespondForm(), "record_changes": ChangesForm()}
    if request.method == "POST":
        step = request.POST.get("step", "")
        access.require_review_step(user, review_, step)
        form = {"grade": GradeForm, "respond": RespondForm, "record_changes": ChangesForm}[step](
            request.POST
        )
        forms_[step] = form
        if form.is_valid():
            try:
                if step == "grade":
                    services.review_grade(actor=user, review=review_, **form.answers())
                elif step == "respond":
                    services.review_respond(
                        actor=user, review=review_, response=form.cleaned_data["response"]
                    )
                else:
                    services.review_record_changes(
                        actor=user, review=review_, changes=form.cleaned_data["changes"]
                    )
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                messages.success(request, "Saved. The people concerned have been told.")
                return redirect("casework:review", pk=review_.pk)
    return render(
        request,
        "casework/review.html",
        {
            "review": review_,
            "forms": forms_,
            "may_grade": access.can_grade_review(user, review_),
            "may_respond": access.can_respond_to_review(user, review_),
            "may_record": access.can_record_review_changes(user, review_),
            "required": RequiredAction.objects.filter(review=review_).first(),
            "themes": Theme.objects.all(),
        },
    )


# --- The quality overview and learning --------------------------------------------------------


def _overview_tables():
    reviews_ = CaseReview.objects.all()
    grades = selectors.grades_by_month(reviews_)
    return {
        "grades": [
            [month, *[counts[g] for g in selectors.GRADE_ORDER]] for month, counts in grades
        ],
        "themes": [list(row) for row in selectors.themes_by_month(reviews_)],
        "teams": [
            [b.name, b.reviewed, *[b.grades[g] for g in selectors.GRADE_ORDER], b.good_or_better]
            for b in selectors.benchmark(reviews_, by="team")
        ],
        "agencies": [
            [b.name, b.reviewed, *[b.grades[g] for g in selectors.GRADE_ORDER], b.good_or_better]
            for b in selectors.benchmark(reviews_, by="agency")
        ],
    }


GRADE_HEADERS = ["Outstanding", "Good", "Requires improvement", "Inadequate"]
OVERVIEW_HEADERS = {
    "grades": ["Month", *GRADE_HEADERS],
    "themes": ["Theme", "Month", "Reviews"],
    "teams": ["Team", "Reviewed", *GRADE_HEADERS, "Good or better (%)"],
    "agencies": ["Agency", "Reviewed", *GRADE_HEADERS, "Good or better (%)"],
}


@login_required
@require_GET
def quality(request):
    """The auditor's page: grades and themes over time, teams and agencies benchmarked,
    theme totals, and the learning actions with the form to start one."""
    access.require_can_view_quality_overview(request.user)
    tables = _overview_tables()
    return render(
        request,
        "casework/quality.html",
        {
            "tables": [(key, OVERVIEW_HEADERS[key], rows) for key, rows in tables.items()],
            "theme_totals": selectors.theme_totals(CaseReview.objects.all()),
            "learning": access.visible_learning_actions(request.user).select_related(
                "theme", "owner"
            ),
            "learning_form": LearningActionForm(owners=learning_owners()),
        },
    )


@login_required
@second_factor_recent
@require_GET
def quality_csv(request, key):
    access.require_can_view_quality_overview(request.user)
    if key not in OVERVIEW_HEADERS:
        raise access.NotFoundForUser(object_type="table", object_id=key)
    return _csv(
        request,
        filename=f"quality-{key}.csv",
        header=OVERVIEW_HEADERS[key],
        rows=_overview_tables()[key],
        detail=f"Quality overview: {key}",
    )


@login_required
@require_GET
def learning(request):
    """Learning actions: all of them for auditors, one's own for their owners."""
    actions = access.visible_learning_actions(request.user).select_related("theme", "owner")
    if not access.can_view_quality_overview(request.user) and not actions.exists():
        raise access.ForbiddenForUser(action="see", object_type="learning actions", object_id="")
    return render(
        request,
        "casework/learning.html",
        {"actions": actions, "complete_form": CompleteLearningForm()},
    )


@login_required
@require_POST
def learning_new(request):
    access.require_can_view_quality_overview(request.user)
    form = LearningActionForm(request.POST, owners=learning_owners())
    if form.is_valid():
        try:
            services.learning_action_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(sum(error.message_dict.values(), [])))
        else:
            messages.success(request, "The learning action is started and its owner told.")
    else:
        messages.error(request, "Choose a theme, a kind, an owner, a date, and say what it is.")
    return redirect("casework:quality")


@login_required
@require_POST
def learning_done(request, pk):
    action = access.get_learning_action_for(request.user, pk)
    form = CompleteLearningForm(request.POST)
    if form.is_valid():
        services.learning_action_complete(
            actor=request.user, action=action, note=form.cleaned_data["note"]
        )
        messages.success(request, "The learning action is done.")
    else:
        messages.error(request, "Say what was done.")
    return redirect("casework:learning")
