"""`manage.py api_token <username>`: the person's API token, made on first use.

The key alone goes to stdout, so a script can capture it; what happened goes to stderr. A
token carries exactly the person's own rights (docs/access.md), and stops working when the
person is made inactive; `--rotate` replaces it, `--revoke` removes it.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rest_framework.authtoken.models import Token


class Command(BaseCommand):
    help = "Print a person's API token for partner systems, creating it if they have none."

    def add_arguments(self, parser):
        parser.add_argument("username")
        action = parser.add_mutually_exclusive_group()
        action.add_argument(
            "--rotate", action="store_true", help="Replace the token: the old one stops working."
        )
        action.add_argument(
            "--revoke", action="store_true", help="Remove the token; print nothing."
        )

    @transaction.atomic
    def handle(self, *args, username, rotate, revoke, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no person with the username {username!r}.")
        if revoke:
            removed, _ = Token.objects.filter(user=user).delete()
            self.stderr.write(f"Token of {username} revoked." if removed else "No token to revoke.")
            return
        if not user.is_active:
            raise CommandError(f"{username} is not active: an API token would not work.")
        if rotate:
            Token.objects.filter(user=user).delete()
        token, created = Token.objects.get_or_create(user=user)
        self.stderr.write(
            f"{'New' if created else 'Existing'} API token of {username}. Send it as the "
            "header  Authorization: Token <key>"
        )
        self.stdout.write(token.key)
