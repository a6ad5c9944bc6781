"""Pages for persons, places, vehicles and online accounts of concern, and a panel's network
of them. Each reading is audited by the services; children are named only to people who may
see them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

import access
from agencies import audit
from agencies.exports import csv_response
from agencies.two_factor_middleware import second_factor_recent
from intelligence import selectors, services
from intelligence.forms import EndLinkForm, LinkForm, SubjectForm
from intelligence.models import Link

LINKS_PER_PAGE = 100


@login_required
def subject_list(request):
    context = {
        "subjects": selectors.subjects_for(user=request.user)[:500],
        "can_record": access.can_record_subject(request.user),
        "panels": access.panels_with_network_visible_to(request.user),
    }
    return render(request, "intelligence/subject_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def subject_create(request):
    if not access.can_record_subject(request.user):
        raise access.ForbiddenForUser(
            action="record", object_type="subject of concern", object_id=""
        )
    form = SubjectForm(
        request.POST or None,
        agencies=access.intelligence_holding_agencies(request.user),
        panels=access.panels_with_network_visible_to(request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            subject = services.subject_record(
                actor=request.user, client_address=audit.client_address(request), **data
            )
        except services.IntelligenceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Recorded.")
            return redirect("intelligence:detail", pk=subject.pk)
    return render(request, "intelligence/form.html", {"form": form, "title": "Record a subject"})


@login_required
def subject_detail(request, pk: int):
    subject = access.get_subject_for(request.user, pk)
    links = selectors.subject_links(user=request.user, subject=subject)
    services.subject_view_record(
        actor=request.user,
        subject=subject,
        children_shown=[link.child for link in links.shown],
        address=audit.client_address(request),
    )
    context = {
        "subject": subject,
        "links": links,
        "panels": subject.discussions.select_related("panel"),
        "can_link": access.can_link_subject(request.user, subject),
        "can_change": access.can_change_subject(request.user, subject),
    }
    return render(request, "intelligence/subject_detail.html", context)


def _linked_to(user, reference: str) -> dict:
    reference = reference.strip()
    episode = access.visible_missing_episodes(user).filter(reference__iexact=reference).first()
    if episode is not None:
        return {"episode": episode}
    referral = access.visible_referrals(user).filter(reference__iexact=reference).first()
    if referral is not None:
        return {"referral": referral}
    return {}


@login_required
@require_http_methods(["GET", "POST"])
def link_create(request, pk: int):
    subject = access.get_subject_for(request.user, pk)
    if not access.can_link_subject(request.user, subject):
        raise access.ForbiddenForUser(
            action="link", object_type="subject of concern", object_id=subject.pk
        )
    form = LinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        target = _linked_to(request.user, form.cleaned_data["reference"])
        if not target:
            form.add_error(
                "reference", "Enter the reference of an episode or referral you may read"
            )
        else:
            try:
                services.link_record(
                    actor=request.user,
                    subject=subject,
                    nature=form.cleaned_data["nature"],
                    source=form.cleaned_data["source"],
                    address=audit.client_address(request),
                    **target,
                )
            except services.IntelligenceError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "Linked.")
                return redirect("intelligence:detail", pk=subject.pk)
    return render(
        request,
        "intelligence/form.html",
        {"form": form, "subject": subject, "title": "Link to a child"},
    )


@login_required
@require_POST
def link_end(request, pk: int):
    link = Link.objects.select_related("subject").filter(pk=pk).first()
    if link is None or not access.can_view_subject(request.user, link.subject):
        raise access.NotFoundForUser(object_type="link", object_id=pk)
    if not access.can_change_subject(request.user, link.subject):
        raise access.ForbiddenForUser(
            action="end a link of", object_type="subject of concern", object_id=link.subject_id
        )
    form = EndLinkForm(request.POST)
    if form.is_valid():
        try:
            services.link_end(
                actor=request.user,
                link=link,
                reason=form.cleaned_data["reason"],
                address=audit.client_address(request),
            )
        except services.IntelligenceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Link ended; it is kept with your reason.")
    else:
        messages.error(request, "Give the reason for ending the link.")
    return redirect("intelligence:detail", pk=link.subject_id)


@login_required
def panel_network(request, pk: int):
    panel = access.get_panel_network_for(request.user, pk)
    services.network_view_record(
        actor=request.user, panel=panel, address=audit.client_address(request)
    )
    network = selectors.panel_network(user=request.user, panel=panel)
    context = {
        "network": network,
        "links": Paginator(network.rows, LINKS_PER_PAGE).get_page(request.GET.get("page")),
        "hotspots": selectors.hotspots(panel=panel),
    }
    return render(request, "intelligence/network.html", context)


@login_required
@second_factor_recent
def panel_network_csv(request, pk: int):
    panel = access.get_panel_network_for(request.user, pk)
    network = selectors.panel_network(user=request.user, panel=panel)
    services.network_view_record(
        actor=request.user, panel=panel, exported=True, address=audit.client_address(request)
    )
    return csv_response(
        filename=f"panel-{panel.pk}-links.csv",
        header=["Subject", "Child", "Nature of the link", "Source"],
        rows=network.rows,
    )
