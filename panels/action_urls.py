from django.urls import path

from panels import action_views

app_name = "actions"

urlpatterns = [
    path("actions/", action_views.action_list, name="list"),
    path("actions/<int:pk>/", action_views.action_detail, name="detail"),
]
