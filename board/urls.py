from django.urls import path

from board import views

app_name = "board"

urlpatterns = [
    path("board/dashboard/", views.dashboard, name="dashboard"),
    path("board/dashboard/<slug:key>.csv", views.dashboard_csv, name="dashboard-csv"),
]
