from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies import two_factor


class Command(BaseCommand):
    help = (
        "Print the code a demo login's authenticator app shows now (the demo's second factor, "
        "after the password). Never in production."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="A demo login, e.g. dana.harlow")

    def handle(self, *args, username: str, **options):
        if settings.DJANGO_ENV == "production":
            raise CommandError("There are no demo second factors in production.")
        person = get_user_model().objects.filter(username=username).first()
        demo = (
            person
            and TOTPDevice.objects.filter(
                user=person, key=two_factor.DEMO_TOTP_KEY, confirmed=True
            ).exists()
        )
        if not demo:
            raise CommandError(f"{username} is not a demo login: run `manage.py seed_demo`.")
        code = two_factor.current_code(two_factor.DEMO_TOTP_KEY)
        self.stdout.write(code)
        self.stderr.write("Valid for up to 30 seconds (and the 30 after). Each code signs in once.")
