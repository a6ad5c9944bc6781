"""Make each panel's quarterly performance report: scheduled once a quarter has ended (e.g.
cron on the 2nd of January, April, July and October). Running it again for the same quarter
makes no new version unless a figure has changed."""

from django.core.management.base import BaseCommand, CommandError

from board import services
from board.periods import last_complete_quarter, quarter_key
from panels.models import Panel


class Command(BaseCommand):
    help = "Make the quarterly performance report of each panel (the last ended quarter)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--quarter", help="The quarter, e.g. 2026Q3 or 2026-Q3 (default: the last ended)."
        )
        parser.add_argument(
            "--panel", type=int, action="append", help="Only this panel's (by id); repeatable."
        )

    def handle(self, *args, **options):
        quarter = quarter_key(options["quarter"]) if options["quarter"] else None
        if options["quarter"] and quarter is None:
            raise CommandError(f"Not a quarter: {options['quarter']!r}. Write e.g. 2026Q3.")
        quarter = quarter or last_complete_quarter()
        panels = Panel.objects.filter(is_active=True).order_by("name")
        if options["panel"]:
            panels = panels.filter(pk__in=options["panel"])
        for panel in panels:
            try:
                report, made = services.quarterly_report_make(
                    actor=None, panel=panel, quarter=quarter
                )
            except services.ReportError as error:
                raise CommandError(str(error)) from error
            if made:
                self.stdout.write(
                    f"{panel.name}, {quarter}: version {report.version} made "
                    f"({report.pages} pages, sha256 {report.sha256})."
                )
            else:
                self.stdout.write(
                    f"{panel.name}, {quarter}: unchanged since version {report.version}."
                )
