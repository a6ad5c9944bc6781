from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from agencies import demo, two_factor
from missing import demo as missing_demo
from notifications import reminders
from panels import demo as panel_demo
from referrals import demo as referral_demo


class Command(BaseCommand):
    help = "Load the fictional demo borough of Fenmarsh. Safe to run again: nothing is duplicated."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load demo data even with DEBUG off (never on a live system).",
        )
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print logins.")

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "seed_demo loads fictional demo people with a shared password and refuses to "
                "run with DEBUG off. Use --force only on a demonstration system."
            )
        borough = demo.seed_people()
        # Grants go through the durable services: outside any transaction.
        demo.seed_access_changes()
        referral_demo.seed_referrals(borough["people"], borough["agencies"])
        referral_demo.seed_break_glass(borough["people"], borough["agencies"])
        panel_demo.seed_meetings()
        # The minutes and the request go through durable services: outside any transaction.
        panel_demo.seed_minutes()
        panel_demo.seed_requests()
        # Casework: allocations near and over target, a sample under review, a learning action.
        from casework.demo import seed_casework

        seed_casework()
        # Missing episodes, return home interviews, the trigger; persons and places of concern.
        missing_demo.seed_missing()
        # The demo's clocks and actions raise their real reminders (each made once).
        reminders.screening_clock_reminders()
        reminders.action_reminders()
        # The approved minutes' documents, rendered now (not by a thread this command would
        # end before it finished): the demo opens with its PDFs.
        call_command("render_minutes_documents", older_than=0, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo borough of Fenmarsh loaded."))
        if not options["quiet_logins"]:
            self.stdout.write(demo_logins_table())


def demo_logins_table() -> str:
    rows = demo.demo_logins()
    width = max(len(username) for username, *_ in rows)
    role_width = max(len(role) for _, role, _ in rows)
    lines = [f"Demo logins (every password: {demo.DEMO_PASSWORD})"]
    lines += [
        f"  {username:<{width}}  {role:<{role_width}}  {agency}" for username, role, agency in rows
    ]
    if settings.DJANGO_ENV == "production":
        lines.append("Second factor: each person sets up their own at first sign-in.")
        return "\n".join(lines)
    lines += [
        "Second factor, after the password: the code of the demo authenticator app, the same for",
        "every demo login. Print the code of the moment with",
        "  .venv/bin/python manage.py demo_code dana.harlow",
        f"or add the demo key {two_factor.DEMO_TOTP_SECRET} to an authenticator app (demo only:",
        "refused in production).",
    ]
    return "\n".join(lines)
