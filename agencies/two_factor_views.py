"""The second-factor pages: passing it after the password (or again, to confirm it is you),
setting one up at first sign-in, the recovery codes shown once, the person's own "Sign-in
security" page, and an administrator's reset. Each view parses input, calls one service of
agencies.two_factor and renders."""

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

import access
from agencies import audit, two_factor
from agencies.two_factor_forms import (
    AuthenticatorCodeForm,
    NewAuthenticatorForm,
    ReasonForm,
    RecoveryCodeForm,
)
from agencies.two_factor_middleware import (
    second_factor_not_required,
    second_factor_recent,
    step_up_redirect,
)
from agencies.two_factor_passkeys import configuration, may_add_factor

PENDING_KEY = "two_factor_pending_key"  # an authenticator app's secret until its code is typed
CODES_TO_SHOW = "two_factor_codes_to_show"  # new recovery codes, shown once


def _next(request, default: str = "home") -> str:
    """Where to go after this page: a `next` on this site, else `default`."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(default)


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _address(request) -> str | None:
    return audit.client_address(request)


def _is_demo_login(person) -> bool:
    return settings.DJANGO_ENV != "production" and (
        TOTPDevice.objects.filter(
            user=person, confirmed=True, key=two_factor.DEMO_TOTP_KEY
        ).exists()
    )


def _passed(request, device, next_url: str) -> HttpResponseRedirect:
    two_factor.mark_session_verified(request, device)
    return HttpResponseRedirect(next_url)


# --- Passing the second factor ------------------------------------------------------------


@second_factor_not_required
@login_required
@require_http_methods(["GET", "POST"])
def second_factor(request):
    """After the password: a code from an authenticator app, or a passkey, or a recovery code.
    Opened when already verified, it asks again ("confirm it is you") before a step-up."""
    user = request.user
    next_url = _next(request)
    if not two_factor.is_enrolled(user):
        return redirect(_with_next("second-factor-set-up", next_url))
    confirming = user.is_verified()
    has_app = TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()
    form = AuthenticatorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = two_factor.authenticator_code_check(
            actor=user,
            code=form.cleaned_data["code"],
            address=_address(request),
            purpose="confirming it is them" if confirming else "sign-in",
        )
        if result.device is not None:
            return _passed(request, result.device, next_url)
        form.add_error("code", result.error)
    return render(
        request,
        "agencies/two_factor/verify.html",
        {
            "form": form,
            "next": next_url,
            "confirming": confirming,
            "has_app": has_app,
            "has_passkey": two_factor.has_passkey(user),
            "passkey_config": configuration(request),
            "demo_login": _is_demo_login(user),
            "recovery_url": _with_next("second-factor-recovery", next_url),
        },
    )


@second_factor_not_required
@login_required
@require_http_methods(["GET", "POST"])
def second_factor_recovery(request):
    """A recovery code instead (each works once)."""
    user = request.user
    next_url = _next(request)
    confirming = user.is_verified()
    form = RecoveryCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = two_factor.recovery_code_use(
            actor=user,
            code=form.cleaned_data["code"],
            address=_address(request),
            purpose="confirming it is them" if confirming else "sign-in",
        )
        if result.device is not None:
            left = two_factor.recovery_codes_left(user)
            if left <= 3:
                messages.warning(
                    request,
                    f"You have {left} recovery code{'' if left == 1 else 's'} left. "
                    "Make new ones on your sign-in security page.",
                )
            return _passed(request, result.device, next_url)
        form.add_error("code", result.error)
    return render(
        request,
        "agencies/two_factor/recovery_code.html",
        {"form": form, "next": next_url, "confirming": confirming},
    )


# --- Setting one up -----------------------------------------------------------------------


def _may_add_or_redirect(request, next_url: str):
    """None when the person may add a factor now, else where they should go first."""
    if may_add_factor(request):
        return None
    if not request.user.is_verified():
        return redirect(_with_next("second-factor", next_url))
    return step_up_redirect(request)


@second_factor_not_required
@login_required
def second_factor_set_up(request):
    """First sign-in: choose an authenticator app or a passkey."""
    next_url = _next(request)
    if two_factor.is_enrolled(request.user):
        target = "account-security" if request.user.is_verified() else "second-factor"
        return redirect(_with_next(target, next_url))
    return render(request, "agencies/two_factor/set_up.html", {"next": next_url})


def _qr_svg(uri: str) -> str:
    svg = segno.make(uri, error="m").svg_inline(
        scale=4, border=4, dark="#0b0c0c", light="#ffffff", svgclass="app-qr-code"
    )
    # Read by a screen reader as one image; the secret below it is the text alternative.
    return mark_safe(  # noqa: S308 - segno's own SVG of an address we made
        svg.replace(
            "<svg ",
            '<svg role="img" aria-label="QR code for your authenticator app" focusable="false" ',
            1,
        )
    )


@second_factor_not_required
@login_required
@require_http_methods(["GET", "POST"])
def authenticator_app_add(request):
    """An authenticator app: scan the QR code (or type the secret), then type the code it
    shows, so that the app and the service agree before it counts."""
    user = request.user
    first = not two_factor.is_enrolled(user)
    next_url = _next(request, "home" if first else "account-security")
    if (elsewhere := _may_add_or_redirect(request, next_url)) is not None:
        return elsewhere
    key = request.session.get(PENDING_KEY) or two_factor.new_authenticator_key()
    request.session[PENDING_KEY] = key
    form = NewAuthenticatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = two_factor.authenticator_app_add(
                actor=user,
                key=key,
                code=form.cleaned_data["code"],
                name=form.cleaned_data["name"],
                address=_address(request),
            )
        except two_factor.SecondFactorError as exc:
            form.add_error("code", str(exc))
        else:
            del request.session[PENDING_KEY]
            if first:
                two_factor.mark_session_verified(request, device)
            return _after_adding(request, next_url, added=f"Authenticator app “{device.name}”")
    return render(
        request,
        "agencies/two_factor/authenticator_app.html",
        {
            "form": form,
            "next": next_url,
            "first": first,
            "qr_code": _qr_svg(two_factor.authenticator_uri(key=key, person=user)),
            "secret": two_factor.secret_for_people(key),
        },
    )


@second_factor_not_required
@login_required
def passkey_add(request):
    """A passkey or security key: the browser asks for it (the library's script), then goes on
    to `set-up/done/`."""
    first = not two_factor.is_enrolled(request.user)
    next_url = _next(request, "home" if first else "account-security")
    if (elsewhere := _may_add_or_redirect(request, next_url)) is not None:
        return elsewhere
    return render(
        request,
        "agencies/two_factor/passkey.html",
        {
            "next": next_url,
            "first": first,
            "passkey_config": configuration(request),
            "done_url": _with_next("second-factor-set-up-done", next_url),
        },
    )


@login_required
def set_up_done(request):
    """After a passkey was added (the page's script comes here)."""
    return _after_adding(request, _next(request), added="Passkey")


def _after_adding(request, next_url: str, *, added: str) -> HttpResponseRedirect:
    """The first factor brings ten recovery codes, shown once; a later one a confirmation."""
    if not StaticDevice.objects.devices_for_user(request.user, confirmed=True).exists():
        request.session[CODES_TO_SHOW] = two_factor.recovery_codes_issue(
            actor=request.user, address=_address(request)
        )
        return redirect(_with_next("second-factor-recovery-codes", next_url))
    messages.success(request, f"{added} added. You can use it the next time you sign in.")
    return redirect(next_url)


@login_required
def recovery_codes(request):
    """New recovery codes, shown this once."""
    codes = request.session.pop(CODES_TO_SHOW, None)
    next_url = _next(request)
    if not codes:
        return redirect("account-security")
    return render(
        request, "agencies/two_factor/recovery_codes.html", {"codes": codes, "next": next_url}
    )


# --- Sign-in security: the person's own page ----------------------------------------------


@login_required
def account_security(request):
    user = request.user
    return render(
        request,
        "agencies/two_factor/security.html",
        {
            "factors": two_factor.factors_of(user),
            "codes_left": two_factor.recovery_codes_left(user),
            "recovery_count": two_factor.RECOVERY_CODE_COUNT,
            "step_up_minutes": max(1, settings.SECOND_FACTOR_STEP_UP_SECONDS // 60),
        },
    )


@login_required
@second_factor_recent
@require_http_methods(["GET", "POST"])
def factor_remove(request, kind: str, pk: int):
    try:
        device = two_factor.device_of(request.user, kind=kind, pk=pk)
    except two_factor.SecondFactorError as exc:
        raise access.NotFoundForUser(object_type="second factor", object_id=pk) from exc
    form = ReasonForm(
        request.POST or None,
        label="Why are you removing it?",
        button="Remove it",
        required_message="Enter why you are removing it, for example Lost my phone",
    )
    if request.method == "POST" and form.is_valid():
        try:
            two_factor.factor_remove(
                actor=request.user,
                kind=kind,
                pk=pk,
                reason=form.cleaned_data["reason"],
                address=_address(request),
            )
        except two_factor.SecondFactorError as exc:
            form.add_error("reason", str(exc))
        else:
            messages.success(request, f"“{device.name}” removed. It no longer signs you in.")
            return redirect("account-security")
    return render(
        request, "agencies/two_factor/remove.html", {"form": form, "device": device, "kind": kind}
    )


@login_required
@second_factor_recent
@require_POST
def recovery_codes_renew(request):
    request.session[CODES_TO_SHOW] = two_factor.recovery_codes_issue(
        actor=request.user, address=_address(request)
    )
    return redirect(_with_next("second-factor-recovery-codes", reverse("account-security")))


# --- An administrator's reset -------------------------------------------------------------


@login_required
@second_factor_recent
@require_http_methods(["GET", "POST"])
def person_second_factor_reset(request, pk: int):
    """A person who lost every factor sets up a new one at their next sign-in."""
    person = access.get_person_to_manage(request.user, pk)
    access.require_can_change_access_of(request.user, person)
    form = ReasonForm(
        request.POST or None,
        label="Why are you resetting their second factor?",
        button="Reset second factor",
        required_message="Enter why, for example Lost their phone; identity checked by phone",
    )
    if request.method == "POST" and form.is_valid():
        two_factor.second_factor_reset(
            actor=request.user,
            person=person,
            reason=form.cleaned_data["reason"],
            address=_address(request),
        )
        messages.success(
            request,
            format_html(
                "{}'s second factor was reset. They set up a new one when they next sign in.",
                person.get_full_name() or person.get_username(),
            ),
        )
        return redirect("manage:person", pk=person.pk)
    return render(
        request,
        "agencies/two_factor/reset.html",
        {"form": form, "person": person, "factors": two_factor.factors_of(person)},
    )
