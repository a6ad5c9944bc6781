"""The board's dashboard: figures for what the person oversees, with a chart and a table
each, and each table as CSV (through the one formula-safe writer; every export audited)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

import access
from agencies import audit, exports, two_factor
from agencies.two_factor_middleware import second_factor_recent, step_up_redirect
from board import selectors, services
from board.charts import bar_chart
from board.periods import ended_quarters, period_from, recent_periods


def _filters(request, oversight) -> tuple[selectors.Filters, list, list]:
    panels, agencies = selectors.filter_choices(oversight)
    panel_id = _choice(request.GET.get("panel"), {p.pk for p in panels})
    agency_id = _choice(request.GET.get("agency"), {a.pk for a in agencies})
    period = period_from(request.GET.get("period"))
    return selectors.Filters(oversight, period, panel_id, agency_id), panels, agencies


def _choice(value, allowed: set[int]) -> int | None:
    """A filter value the person may choose, or none (a value they may not is ignored)."""
    return int(value) if value and value.isdigit() and int(value) in allowed else None


@login_required
@require_GET
def dashboard(request):
    oversight = access.require_can_view_dashboard(request.user)
    filters, panels, agencies = _filters(request, oversight)
    figures = selectors.dashboard(filters)
    charted = [
        (
            figure,
            bar_chart(
                chart_id=f"chart-{figure.key}",
                title=figure.title,
                series=figure.chart,
                unit=figure.unit,
                target=figure.target,
            ),
            reverse("board:dashboard-csv", args=[figure.key])
            + (f"?{request.GET.urlencode()}" if request.GET else ""),
        )
        for figure in figures
    ]
    return render(
        request,
        "board/dashboard.html",
        {
            "figures": charted,
            "filters": filters,
            "panels": panels,
            "agencies": agencies,
            "periods": recent_periods(),
            "reports": access.visible_quarterly_reports(request.user)
            .select_related("panel", "made_by")
            .defer("pdf", "figures"),
            "reportable": list(access.panels_reportable_by(request.user).order_by("name")),
            "quarters": ended_quarters(),
        },
    )


@login_required
@second_factor_recent
@require_GET
def dashboard_csv(request, key):
    oversight = access.require_can_view_dashboard(request.user)
    if key not in selectors.FIGURE_KEYS:
        raise access.NotFoundForUser(object_type="figure", object_id=key)
    if not two_factor.verified_recently(request.session):
        return step_up_redirect(request)  # an export: the second factor again first
    filters, _, _ = _filters(request, oversight)
    figure = next(f for f in selectors.dashboard(filters) if f.key == key)
    services.dashboard_csv_record(
        actor=request.user,
        title=figure.title,
        period_label=filters.period.label,
        origin=audit.origin_of(request),
    )
    return exports.csv_response(
        filename=f"board-{key}-{filters.period.key}.csv", header=figure.header, rows=figure.rows
    )
