from django.core.management.base import BaseCommand

from missing import reminders as missing_reminders
from notifications import reminders, services
from panels import minutes_rendering


class Command(BaseCommand):
    help = (
        "Make due reminders and send queued emails. Safe to run every few minutes from a "
        "systemd timer or cron, and safe if two copies run at once: each reminder is made "
        "once and each email sent once."
    )

    def handle(self, *args, **options):
        # Approved minutes whose documents a stopped process never stored: rendered first,
        # so the board's emails they send go out in this run.
        minutes = minutes_rendering.minutes_render_pending()
        made = reminders.screening_clock_reminders()
        made += reminders.action_reminders()
        made += missing_reminders.return_interview_reminders()
        emails = services.send_due_emails()
        digests = services.send_daily_digests()
        self.stdout.write(
            f"Reminders made: {made}; emails sent: {emails['sent']}, failed and queued for "
            f"retry: {emails['failed']}; daily digests sent: {digests}; minutes versions "
            f"rendered: {minutes.rendered}, failed: {minutes.failed}."
        )
