from django.urls import path

from panels import agenda_views

app_name = "agenda"

urlpatterns = [
    path("meetings/<int:pk>/agenda/add/", agenda_views.agenda_add, name="add"),
]
