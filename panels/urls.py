from django.urls import path

from panels import views

app_name = "panels"

urlpatterns = [
    path("meetings/", views.meeting_list, name="meeting-list"),
    path("meetings/<int:pk>/", views.meeting_room, name="meeting"),
    path("meetings/<int:pk>/live/", views.meeting_live, name="meeting-live"),
    path("meetings/<int:pk>/commands/", views.meeting_command, name="meeting-command"),
    path("meetings/<int:pk>/close/", views.meeting_close, name="meeting-close"),
    path("panels/<int:pk>/", views.panel_detail, name="panel"),
    path("panels/<int:pk>/schedule/", views.panel_schedule, name="panel-schedule"),
]
