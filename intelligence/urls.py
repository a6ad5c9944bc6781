"""Subjects of concern and panels' networks. Every route needs its row in
tests/agencies/doors_missing.py."""

from django.urls import path

from intelligence import views

app_name = "intelligence"

urlpatterns = [
    path("intelligence/", views.subject_list, name="list"),
    path("intelligence/record/", views.subject_create, name="record"),
    path("intelligence/<int:pk>/", views.subject_detail, name="detail"),
    path("intelligence/<int:pk>/link/", views.link_create, name="link"),
    path("intelligence/links/<int:pk>/end/", views.link_end, name="link-end"),
    path("intelligence/panels/<int:pk>/", views.panel_network, name="network"),
    path("intelligence/panels/<int:pk>/links.csv", views.panel_network_csv, name="network-csv"),
]
