"""Forms of the second-factor pages, as GOV.UK components (crispy-forms-gds). They check the
shape of what was typed; whether a code is right is the services' (agencies.two_factor)."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Fixed, Fluid, Layout
from django import forms


def _helper(*fields, button: str) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True  # the template writes the <form> and its token
    helper.layout = Layout(*fields, Button("submit", button))
    return helper


class AuthenticatorCodeForm(forms.Form):
    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6-digit code the app shows now, for example 123456",
        max_length=12,
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
            }
        ),
    )

    def __init__(self, *args, button: str = "Continue", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.text("code", field_width=Fixed.TEN), button=button)

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError("Enter the code as 6 digits, for example 123456")
        return code


class NewAuthenticatorForm(AuthenticatorCodeForm):
    name = forms.CharField(
        label="Name this authenticator (optional)",
        help_text="So you can tell it apart later, for example Work phone",
        required=False,
        max_length=60,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, button="Add authenticator app", **kwargs)
        self.order_fields(["code", "name"])
        self.helper = _helper(
            Field.text("code", field_width=Fixed.TEN),
            Field.text("name", field_width=Fluid.TWO_THIRDS),
            button="Add authenticator app",
        )


class RecoveryCodeForm(forms.Form):
    code = forms.CharField(
        label="Recovery code",
        help_text="One of the 8-character codes you saved when you set up your second factor",
        max_length=20,
        error_messages={"required": "Enter one of your recovery codes"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.text("code", field_width=Fixed.TEN), button="Continue")


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Why?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why"},
    )

    def __init__(self, *args, label: str, button: str, required_message: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.fields["reason"].error_messages["required"] = required_message
        self.helper = _helper(Field.textarea("reason"), button=button)
