"""The management pages. Every route has its rows in tests/agencies/doors_manage.py."""

from django.urls import path

from agencies import manage_views as views

app_name = "manage"

urlpatterns = [
    path("", views.manage_home, name="home"),
    path("people/", views.people, name="people"),
    path("people/new/", views.person_create, name="person-create"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/deactivate/", views.person_deactivate, name="person-deactivate"),
    path(
        "people/<int:pk>/password-link/",
        views.person_password_link,
        name="person-password-link",
    ),
    path("people/<int:pk>/roles/new/", views.membership_grant, name="membership-grant"),
    path("people/<int:pk>/seats/new/", views.seat_grant, name="seat-grant"),
    path("roles/<int:pk>/end/", views.membership_end, name="membership-end"),
    path("roles/<int:pk>/decide/", views.membership_decide, name="membership-decide"),
    path("seats/<int:pk>/end/", views.seat_end, name="seat-end"),
    path("seats/<int:pk>/decide/", views.seat_decide, name="seat-decide"),
    path("sign-in-lockouts/", views.sign_in_lockouts, name="sign-in-lockouts"),
    path("sign-in-lockouts/unlock/", views.sign_in_unlock, name="sign-in-unlock"),
    path("approvals/", views.approvals, name="approvals"),
    path("agencies/", views.agency_list, name="agencies"),
    path("agencies/new/", views.agency_create, name="agency-create"),
    path("agencies/<int:pk>/", views.agency_detail, name="agency"),
    path("agencies/<int:pk>/edit/", views.agency_edit, name="agency-edit"),
    path("agencies/<int:pk>/deactivate/", views.agency_deactivate, name="agency-deactivate"),
    path("agencies/<int:pk>/teams/new/", views.team_create, name="team-create"),
    path("teams/<int:pk>/rename/", views.team_rename, name="team-rename"),
    path("panels/<int:pk>/screening-clocks/", views.screening_clocks, name="screening-clocks"),
]
