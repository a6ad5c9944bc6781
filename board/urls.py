from django.urls import path

from board import report_views, views

app_name = "board"

urlpatterns = [
    path("board/dashboard/", views.dashboard, name="dashboard"),
    path("board/dashboard/<slug:key>.csv", views.dashboard_csv, name="dashboard-csv"),
    path("board/reports/<int:panel>/make/", report_views.report_make, name="report-make"),
    path(
        "board/reports/<int:panel>/<slug:quarter>/v<int:number>.pdf",
        report_views.report_download,
        name="report-download",
    ),
    path(
        "board/reports/<int:panel>/<slug:quarter>/v<int:number>/",
        report_views.report_page,
        name="report-page",
    ),
    path("board/themes/", report_views.themes_page, name="themes"),
    path("board/themes.pdf", report_views.themes_pdf, name="themes-pdf"),
]
