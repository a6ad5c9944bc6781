"""Render the documents of every approved version of the minutes that has none: the recovery
for a rendering lost with its process, or one that failed (panels/minutes_rendering.py).

    manage.py render_minutes_documents                 # versions approved over 10 s ago
    manage.py render_minutes_documents --older-than 0  # every one, however recent

send_reminders runs the same every few minutes; seed_demo at its end. Safe beside a running
server and beside another copy: a version's documents are stored once.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from panels import minutes_rendering


class Command(BaseCommand):
    help = (
        "Render and store the PDFs of every approved version of the minutes that has none "
        "(its rendering was lost or failed), then send them out as an approval does."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=float,
            default=minutes_rendering.RECOVERY_AFTER.total_seconds(),
            metavar="SECONDS",
            help="Only versions approved at least this long ago (a younger one may still be "
            "in a server's rendering thread). Default %(default)s.",
        )

    def handle(self, *args, **options):
        if options["older_than"] < 0:
            raise CommandError("--older-than is a number of seconds: 0 or more.")
        # What this process's own rendering thread has in hand first (seed_demo's approvals).
        minutes_rendering.wait_for_background_rendering()
        done = minutes_rendering.minutes_render_pending(
            older_than=timedelta(seconds=options["older_than"])
        )
        self.stdout.write(
            f"Minutes versions rendered: {done.rendered}; failed and left for the next run: "
            f"{done.failed}."
        )
        if done.failed:
            raise CommandError(f"{done.failed} version(s) could not be rendered: see the log.")
