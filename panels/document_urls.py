"""The accessible web page ("twin") of each document, beside its PDF (docs/documents.md)."""

from django.urls import path

from panels import document_views as views

app_name = "documents"

urlpatterns = [
    path(
        "meetings/<int:pk>/minutes/v<int:number>/<str:kind>.html",
        views.approved_twin,
        name="twin",
    ),
    path(
        "meetings/<int:pk>/minutes/v<int:number>/agency/<int:agency>.html",
        views.approved_twin,
        {"kind": "agency"},
        name="twin-extract",
    ),
    path(
        "meetings/<int:pk>/minutes/preview/<str:kind>.html",
        views.preview_twin,
        name="twin-preview",
    ),
    path("panels/<int:pk>/action-log.html", views.action_log_twin, name="twin-action-log"),
]
