from django.urls import path

from panels import minutes_views as views

app_name = "minutes"

urlpatterns = [
    path("meetings/<int:pk>/minutes/", views.minutes_page, name="page"),
    path("meetings/<int:pk>/minutes/draft/", views.minutes_draft, name="draft"),
    path("meetings/<int:pk>/minutes/documents/", views.minutes_documents, name="documents"),
    path(
        "meetings/<int:pk>/minutes/cases/<str:reference>/",
        views.minutes_edit_item,
        name="edit-item",
    ),
    path("meetings/<int:pk>/minutes/submit/", views.minutes_submit, name="submit"),
    path("meetings/<int:pk>/minutes/return/", views.minutes_return, name="return"),
    path("meetings/<int:pk>/minutes/approve/", views.minutes_approve, name="approve"),
    path("meetings/<int:pk>/minutes/correct/", views.minutes_correct, name="correct"),
    path(
        "meetings/<int:pk>/minutes/preview/<str:kind>.pdf",
        views.minutes_preview,
        name="preview",
    ),
    path("minutes/<int:version>/<str:kind>.pdf", views.document_download, name="download"),
    path(
        "minutes/<int:version>/<str:kind>/<int:agency>.pdf",
        views.document_download,
        name="download-extract",
    ),
    path("panels/<int:pk>/action-log.pdf", views.action_log_download, name="action-log"),
    path("board/", views.board_papers, name="board-papers"),
]
