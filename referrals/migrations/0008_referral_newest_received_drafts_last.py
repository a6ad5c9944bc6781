"""The referral list's default order is newest received first with drafts (not yet received:
no submitted_at) last. The index 0007 made was in PostgreSQL's default descending order,
NULLs first: the list's walk stepped over every draft before the first received referral
(24,000 rows at 1,000,000 referrals, 130 ms for the auditor's first page). This one is in
the list's order. SQLite cannot index NULLS LAST, so it is made on PostgreSQL only (the
embedded default sorts its few rows)."""

from django.db import migrations

INDEX = "referral_received_drafts_last"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON referrals_referral "
            "(submitted_at DESC NULLS LAST, created_at DESC, id DESC)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0007_referral_newest_received"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="referral", name="referral_newest_received"),
        migrations.RunPython(create, drop),
    ]
