"""seed_demo makes last quarter's performance report of each panel, once."""

import pytest
from django.core.management import call_command
from django.test import override_settings

from board.models import QuarterlyReport
from board.periods import last_complete_quarter
from panels.models import Panel


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_seed_demo_makes_last_quarters_report_of_each_panel_once():
    call_command("seed_demo", "--quiet-logins")
    first = list(QuarterlyReport.objects.values_list("pk", flat=True))
    call_command("seed_demo", "--quiet-logins")

    panels = Panel.objects.filter(is_active=True)
    assert QuarterlyReport.objects.count() == panels.count() >= 1
    assert set(QuarterlyReport.objects.values_list("quarter", flat=True)) == {
        last_complete_quarter()
    }
    assert list(QuarterlyReport.objects.values_list("pk", flat=True)) == first


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_the_demo_reports_name_no_demo_child():
    from agencies.models import Agency
    from referrals.models import Child
    from tests.board.test_quarterly_report import text_of

    call_command("seed_demo", "--quiet-logins")
    texts = [text_of(bytes(r.pdf)) for r in QuarterlyReport.objects.all()]

    secrets = set()
    for child in Child.objects.all():
        secrets |= {f"{child.first_name} {child.last_name}", child.address, child.school}
        if child.date_of_birth:
            secrets |= {f"{child.date_of_birth:%d/%m/%Y}", child.date_of_birth.isoformat()}
    # A school that is itself a partner agency is named as an agency (the count of the
    # referrals it made), as on the dashboard: that names no child. Any other school is one.
    secrets -= set(Agency.objects.values_list("name", flat=True))
    secrets.discard("")
    assert secrets
    for text in texts:
        assert not [secret for secret in secrets if secret and secret in text]
