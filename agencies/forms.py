from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Fluid, Layout
from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)


class SignInForm(AuthenticationForm):
    """Django's sign-in form, rendered as GOV.UK components."""

    error_messages = {
        # Never say which of the two was wrong.
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account cannot sign in. Contact your system administrator.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.fields["password"].widget = forms.PasswordInput(
            attrs={"autocomplete": "current-password"}
        )
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.text("username", field_width=Fluid.TWO_THIRDS),
            Field.text("password", field_width=Fluid.TWO_THIRDS),
            Button("submit", "Sign in"),
        )


class PasswordSetForm(SetPasswordForm):
    """Django's set-password form (used by its PasswordResetConfirmView), as GOV.UK components."""

    error_messages = {
        **SetPasswordForm.error_messages,
        "password_mismatch": "Enter the same password in both boxes",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        first, second = self.fields["new_password1"], self.fields["new_password2"]
        first.label, second.label = "New password", "Type the new password again"
        first.error_messages["required"] = "Enter a new password"
        second.error_messages["required"] = "Type the new password again"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template writes the <form> and its token
        self.helper.layout = Layout(
            Field.text("new_password1", field_width=Fluid.TWO_THIRDS),
            Field.text("new_password2", field_width=Fluid.TWO_THIRDS),
            Button("submit", "Set password"),
        )


class PasswordChangeGdsForm(PasswordChangeForm):
    """Django's change-password form (the current password, then the new one twice)."""

    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": "Your current password is not right. Enter it again",
        "password_mismatch": "Enter the same new password in both boxes",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        old, first, second = (
            self.fields["old_password"],
            self.fields["new_password1"],
            self.fields["new_password2"],
        )
        old.label = "Current password"
        first.label, second.label = "New password", "Type the new password again"
        old.error_messages["required"] = "Enter your current password"
        first.error_messages["required"] = "Enter a new password"
        second.error_messages["required"] = "Type the new password again"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template writes the <form> and its token
        self.helper.layout = Layout(
            Field.text("old_password", field_width=Fluid.TWO_THIRDS),
            Field.text("new_password1", field_width=Fluid.TWO_THIRDS),
            Field.text("new_password2", field_width=Fluid.TWO_THIRDS),
            Button("submit", "Change password"),
        )


class PasswordResetRequestForm(PasswordResetForm):
    """Django's "email me a link" form; it sends only to an active account with that address
    and a password, and the page after it says the same whatever the address."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        email = self.fields["email"]
        email.label = "Email address"
        email.help_text = "The work email address your account was made with."
        email.error_messages["required"] = "Enter your email address"
        email.error_messages["invalid"] = (
            "Enter an email address in the correct format, like name@example.org"
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Field.text("email", field_width=Fluid.TWO_THIRDS),
            Button("submit", "Send the link"),
        )
