"""The second-factor routes (docs/sign-in.md). Every route has its rows in
tests/agencies/test_two_factor_pages.py."""

from django.urls import path

from agencies import two_factor_passkeys as passkeys
from agencies import two_factor_views as views
from agencies.two_factor_middleware import second_factor_not_required as open_before

urlpatterns = [
    path("sign-in/second-factor/", views.second_factor, name="second-factor"),
    path(
        "sign-in/second-factor/recovery-code/",
        views.second_factor_recovery,
        name="second-factor-recovery",
    ),
    path("sign-in/second-factor/set-up/", views.second_factor_set_up, name="second-factor-set-up"),
    path(
        "sign-in/second-factor/set-up/authenticator-app/",
        views.authenticator_app_add,
        name="second-factor-set-up-app",
    ),
    path(
        "sign-in/second-factor/set-up/passkey/",
        views.passkey_add,
        name="second-factor-set-up-passkey",
    ),
    path(
        "sign-in/second-factor/set-up/done/",
        views.set_up_done,
        name="second-factor-set-up-done",
    ),
    path(
        "sign-in/second-factor/recovery-codes/",
        views.recovery_codes,
        name="second-factor-recovery-codes",
    ),
    # django-otp-webauthn's JSON views, with this service's rules (agencies.two_factor_passkeys).
    path(
        "sign-in/passkey/begin/",
        open_before(passkeys.PasskeyAuthenticationBegin.as_view()),
        name="passkey-authentication-begin",
    ),
    path(
        "sign-in/passkey/complete/",
        open_before(passkeys.PasskeyAuthenticationComplete.as_view()),
        name="passkey-authentication-complete",
    ),
    path(
        "sign-in/passkey/registration/begin/",
        open_before(passkeys.PasskeyRegistrationBegin.as_view()),
        name="passkey-registration-begin",
    ),
    path(
        "sign-in/passkey/registration/complete/",
        open_before(passkeys.PasskeyRegistrationComplete.as_view()),
        name="passkey-registration-complete",
    ),
    path(
        "sign-in/passkey/messages.js",
        open_before(passkeys.passkey_js_catalog),
        name="passkey-js-catalog",
    ),
    path("account/security/", views.account_security, name="account-security"),
    path(
        "account/security/<str:kind>/<int:pk>/remove/",
        views.factor_remove,
        name="account-security-remove",
    ),
    path(
        "account/security/recovery-codes/new/",
        views.recovery_codes_renew,
        name="account-security-recovery-codes",
    ),
    path(
        "manage/people/<int:pk>/second-factor/reset/",
        views.person_second_factor_reset,
        name="person-second-factor-reset",
    ),
]
