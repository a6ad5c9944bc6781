from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/read/", views.notification_mark_read, name="mark-read"),
    path("notifications/<int:pk>/", views.notification_open, name="open"),
    path("notifications/preferences/", views.notification_preferences, name="preferences"),
]
