"""The "forgotten password" link: Django's one-time password-reset token, with a short life
of its own (PASSWORD_RESET_LINK_MINUTES) and its own salt, so that it and the set-password
link a new person is emailed (PASSWORD_RESET_TIMEOUT, days) cannot stand in for each other."""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.http import base36_to_int


class ResetLinkTokenGenerator(PasswordResetTokenGenerator):
    """Valid once (it is made from the password hash and last sign-in), and for
    PASSWORD_RESET_LINK_MINUTES after it was made."""

    key_salt = "agencies.password_reset.ResetLinkTokenGenerator"

    def check_token(self, user, token) -> bool:
        if not super().check_token(user, token):
            return False
        try:
            made = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        age = self._num_seconds(self._now()) - made
        return age <= settings.PASSWORD_RESET_LINK_MINUTES * 60


reset_link_tokens = ResetLinkTokenGenerator()
