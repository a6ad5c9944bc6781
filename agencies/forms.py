from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Fluid, Layout
from django import forms
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm


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
