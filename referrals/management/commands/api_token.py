"""`manage.py api_token <username>`: issue a person's API token and print its key, once.

Only the key's hash is kept, so the key is printed when it is made and never again; a
person who has one already needs `--rotate`, which replaces it (the old key stops working),
and `--revoke` removes it. Each is audited, by the same service any other door would use
(referrals.api.tokens). The key alone goes to stdout, so a script can capture it; what
happened goes to stderr. A token carries exactly the person's own rights (docs/access.md),
and stops working when the person is made inactive.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from referrals.api import tokens


class Command(BaseCommand):
    help = "Issue a person's API token for partner systems and print its key (shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        action = parser.add_mutually_exclusive_group()
        action.add_argument(
            "--rotate", action="store_true", help="Replace the token: the old one stops working."
        )
        action.add_argument(
            "--revoke", action="store_true", help="Remove the token; print nothing."
        )

    def handle(self, *args, username, rotate, revoke, **options):
        person = get_user_model().objects.filter(username=username).first()
        if person is None:
            raise CommandError(f"There is no person with the username {username!r}.")
        try:
            if revoke:
                removed = tokens.api_token_revoke(person=person)
                self.stderr.write(
                    f"Token of {username} revoked." if removed else "No token to revoke."
                )
                return
            if rotate:
                key = tokens.api_token_rotate(person=person)
            else:
                key = tokens.api_token_issue(person=person)
        except tokens.ApiTokenError as exc:
            raise CommandError(str(exc)) from None
        self.stderr.write(
            f"New API token of {username}, shown only this once: keep it in the partner "
            "system's secret store. Send it as the header  Authorization: Token <key>"
        )
        self.stdout.write(key)
