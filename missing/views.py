"""The missing children pages: the list, a report, an episode with its return, corrections
and return home interview, the CSV export, the trigger's tasks and the board's figures."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

import access
from agencies import audit
from agencies.exports import csv_response
from agencies.two_factor_middleware import second_factor_recent
from intelligence import selectors as intelligence_selectors
from missing import selectors, services
from missing.forms import (
    CorrectionForm,
    EpisodeForm,
    FlagDecisionForm,
    InterviewForm,
    ReturnForm,
)
from missing.matching import ReportedChild
from missing.models import ChildFlag, EpisodeChange, ReturnInterview


def _forbidden(action: str, object_type: str = "missing episode", object_id="") -> None:
    raise access.ForbiddenForUser(action=action, object_type=object_type, object_id=object_id)


def _form_errors(form, problems: dict[str, str]) -> None:
    for field, message in problems.items():
        form.add_error(field if field in form.fields else None, message)


@login_required
def episode_list(request):
    still_missing = request.GET.get("still_missing") == "1"
    context = {
        "episodes": selectors.episode_list(user=request.user, still_missing=still_missing)[:500],
        "still_missing": still_missing,
        "can_report": access.can_report_missing(request.user),
        "can_export": access.can_export_missing_episodes(request.user),
        "now": timezone.now(),
    }
    return render(request, "missing/episode_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def episode_report(request):
    agencies = access.missing_reporting_agencies(request.user)
    if not agencies.exists():
        _forbidden("report", "missing child")
    form = EpisodeForm(request.POST or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        details = services.EpisodeDetails(
            **{name: data[name] for name in services.EpisodeDetails.__dataclass_fields__}
        )
        problems = services.episode_problems(details)
        if problems:
            _form_errors(form, problems)
        else:
            episode = services.episode_report(
                actor=request.user,
                agency=data["agency"],
                child=ReportedChild(
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    date_of_birth=data["date_of_birth"],
                    nhs_number=data["nhs_number"],
                ),
                details=details,
                address=audit.client_address(request),
            )
            messages.success(request, f"Missing episode {episode.reference} reported.")
            return redirect("missing:detail", pk=episode.pk)
    return render(request, "missing/episode_report.html", {"form": form})


@login_required
def episode_detail(request, pk: int):
    episode = access.get_missing_episode_for(request.user, pk)
    services.episode_view_record(
        actor=request.user, episode=episode, address=audit.client_address(request)
    )
    interview = ReturnInterview.objects.filter(episode=episode).select_related("team").first()
    context = {
        "episode": episode,
        "interview": interview,
        "changes": EpisodeChange.objects.filter(episode=episode).select_related("changed_by"),
        "others": [
            other
            for other in selectors.episodes_of_child(user=request.user, child_id=episode.child_id)
            if other.pk != episode.pk
        ],
        "flags": ChildFlag.objects.filter(child_id=episode.child_id),
        "can_change": access.can_change_missing_episode(request.user, episode),
        "can_record_interview": interview is not None
        and interview.is_open
        and access.can_record_return_interview(request.user, interview),
        "now": timezone.now(),
    }
    return render(request, "missing/episode_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def episode_return(request, pk: int):
    episode = access.get_missing_episode_for(request.user, pk)
    access.require_can_change_missing_episode(request.user, episode)
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.episode_return(
                actor=request.user,
                episode=episode,
                address=audit.client_address(request),
                **form.cleaned_data,
            )
        except services.MissingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Return recorded: the 72-hour interview clock has started.")
            return redirect("missing:detail", pk=episode.pk)
    return render(request, "missing/episode_form.html", {"episode": episode, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def episode_correct(request, pk: int):
    episode = access.get_missing_episode_for(request.user, pk)
    access.require_can_change_missing_episode(request.user, episode)
    initial = {name: getattr(episode, name) for name in services.CORRECTABLE}
    form = CorrectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        try:
            services.episode_correct(
                actor=request.user,
                episode=episode,
                changes=data,
                reason=reason,
                address=audit.client_address(request),
            )
        except services.MissingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Correction saved; the earlier values are kept.")
            return redirect("missing:detail", pk=episode.pk)
    return render(
        request, "missing/episode_form.html", {"episode": episode, "form": form, "correct": True}
    )


@login_required
@require_http_methods(["GET", "POST"])
def return_interview(request, pk: int):
    episode = access.get_missing_episode_for(request.user, pk)
    interview = ReturnInterview.objects.filter(episode=episode).select_related("episode").first()
    if interview is None:
        _forbidden("record the interview of", object_id=episode.pk)
    access.require_can_record_return_interview(request.user, interview)
    form = InterviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        record = services.InterviewRecord(**form.cleaned_data)
        problems = services.interview_problems(record, interview)
        if problems:
            _form_errors(form, problems)
        else:
            try:
                services.return_interview_record(
                    actor=request.user,
                    interview=interview,
                    record=record,
                    address=audit.client_address(request),
                )
            except services.MissingError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "Return home interview recorded.")
                return redirect("missing:detail", pk=episode.pk)
    return render(
        request,
        "missing/episode_form.html",
        {"episode": episode, "form": form, "interview": interview},
    )


@login_required
@second_factor_recent
def episode_export(request):
    if not access.can_export_missing_episodes(request.user):
        _forbidden("export", "missing episodes")
    episodes = list(selectors.episode_list(user=request.user))
    services.episodes_export_record(
        actor=request.user, count=len(episodes), address=audit.client_address(request)
    )
    rows = []
    for episode in episodes:
        interview = getattr(episode, "return_interview", None)
        rows.append(
            [
                episode.reference,
                episode.child.initials,
                episode.reporting_agency.name,
                episode.get_missing_from_display(),
                timezone.localtime(episode.missing_since).isoformat(timespec="minutes"),
                timezone.localtime(episode.returned_at).isoformat(timespec="minutes")
                if episode.returned_at
                else "",
                episode.get_risk_grading_display(),
                interview.get_outcome_display() if interview else "",
                ("yes" if interview.held_in_time else "no") if interview else "",
            ]
        )
    return csv_response(
        filename="missing-episodes.csv",
        header=[
            "Reference",
            "Child's initials",
            "Reporting agency",
            "Missing from",
            "Missing since",
            "Returned",
            "Risk grading",
            "Return home interview",
            "Held within 72 hours",
        ],
        rows=rows,
    )


@login_required
def flag_list(request):
    context = {"flags": selectors.flags_for(user=request.user, waiting_only=False)[:200]}
    return render(request, "missing/flag_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def flag_detail(request, pk: int):
    flag = selectors.flags_for(user=request.user, waiting_only=False).filter(pk=pk).first()
    if flag is None:
        raise access.NotFoundForUser(object_type="missing trigger", object_id=pk)
    can_decide = access.can_decide_child_flag(request.user, flag)
    form = FlagDecisionForm(request.POST or None)
    if request.method == "POST":
        if not can_decide:
            _forbidden("decide on", "missing trigger", flag.pk)
        if form.is_valid():
            try:
                services.child_flag_decide(
                    actor=request.user,
                    flag=flag,
                    address=audit.client_address(request),
                    **form.cleaned_data,
                )
            except services.MissingError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "Decision recorded.")
                return redirect("missing:flag", pk=flag.pk)
    context = {
        "flag": flag,
        "form": form if can_decide else None,
        "episodes": selectors.episodes_of_child(user=request.user, child_id=flag.child_id),
    }
    return render(request, "missing/flag_detail.html", context)


@login_required
def figures(request):
    if not access.can_view_missing_figures(request.user):
        _forbidden("see", "missing figures")
    context = {
        "missing": selectors.missing_figures(),
        "intelligence": (
            intelligence_selectors.intelligence_figures()
            if access.can_view_intelligence_figures(request.user)
            else None
        ),
    }
    return render(request, "missing/figures.html", context)
