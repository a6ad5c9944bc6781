"""The board's quarterly performance reports, each kept as an immutable version like the
approved minutes: the figures it printed, the PDF's bytes and their SHA-256, who made it
(nobody: the scheduled command) and when. A changed figure makes a new version; nothing
is updated or deleted (and on PostgreSQL a trigger refuses it too)."""

from django.conf import settings
from django.db import models

from panels.models import ImmutableModel, Panel


class QuarterlyReport(ImmutableModel):
    """One version of a panel's quarterly performance report for the board."""

    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="quarterly_reports")
    quarter = models.CharField(max_length=7)  # "2026-Q3", as board.periods names it
    version = models.PositiveIntegerField()
    # The figures as printed (board.report_data), and their SHA-256: what idempotence compares.
    figures = models.JSONField()
    figures_sha256 = models.CharField(max_length=64)
    pdf = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    pages = models.PositiveIntegerField()
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    made_at = models.DateTimeField()

    class Meta:
        ordering = ["-quarter", "panel__name", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["panel", "quarter", "version"], name="quarterlyreport_version"
            )
        ]

    def __str__(self) -> str:
        return f"Quarterly report of {self.panel}, {self.quarter}, version {self.version}"

    @property
    def filename(self) -> str:
        return f"quarterly-report-panel-{self.panel_id}-{self.quarter}-v{self.version}.pdf"
