"""HTTP routes. Every route needs its rows in tests/agencies/test_access_matrix.py."""

from django.contrib import admin
from django.urls import include, path

from agencies import session_views
from agencies import views as agency_views
from config import views as config_views
from workspace import views as workspace_views

urlpatterns = [
    path("", workspace_views.home, name="home"),
    path("sign-in/", agency_views.SignInView.as_view(), name="login"),
    path("sign-out/", agency_views.SignOutView.as_view(), name="logout"),
    path(
        "set-password/done/", agency_views.PasswordSetDoneView.as_view(), name="password-set-done"
    ),
    path(
        "set-password/<uidb64>/<token>/",
        agency_views.PasswordSetView.as_view(),
        name="password-set",
    ),
    path("account/password/", agency_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "account/password/done/",
        agency_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("password-reset/", agency_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        agency_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/done/",
        agency_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        agency_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("manage/", include("agencies.manage_urls")),
    # Second factors: passing one after the password, setting one up, sign-in security.
    path("", include("agencies.two_factor_urls")),
    path("healthz", config_views.healthz, name="healthz"),
    path("status/", workspace_views.service_status, name="service-status"),
    path("session/status/", session_views.session_status, name="session-status"),
    path("session/keep-alive/", session_views.session_keep_alive, name="session-keep-alive"),
    path("", include("referrals.urls")),
    path("api/", include("referrals.api_urls")),
    path("", include("notifications.urls")),
    path("", include("panels.action_urls")),
    path("", include("panels.minutes_urls")),
    path("", include("panels.document_urls")),  # the documents' accessible web pages
    path("", include("panels.urls")),
    path("", include("panels.agenda_urls")),  # listing cases and themes on an agenda
    path("", include("casework.urls")),
    path("", include("board.urls")),
    path("", include("missing.urls")),
    path("", include("intelligence.urls")),
    path("admin/", admin.site.urls),
]

handler400 = config_views.bad_request
handler403 = config_views.permission_denied
handler404 = config_views.page_not_found
handler500 = config_views.server_error
