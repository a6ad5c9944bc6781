"""Missing children pages. Every route needs its row in tests/agencies/doors_missing.py."""

from django.urls import path

from missing import views

app_name = "missing"

urlpatterns = [
    path("missing/", views.episode_list, name="list"),
    path("missing/report/", views.episode_report, name="report"),
    path("missing/episodes.csv", views.episode_export, name="export"),
    path("missing/figures/", views.figures, name="figures"),
    path("missing/flags/", views.flag_list, name="flags"),
    path("missing/flags/<int:pk>/", views.flag_detail, name="flag"),
    path("missing/<int:pk>/", views.episode_detail, name="detail"),
    path("missing/<int:pk>/return/", views.episode_return, name="return"),
    path("missing/<int:pk>/correct/", views.episode_correct, name="correct"),
    path("missing/<int:pk>/interview/", views.return_interview, name="interview"),
]
