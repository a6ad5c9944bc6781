"""The referral list's default order is newest received first with drafts (not yet received:
no submitted_at) last. The index 0007 made was in PostgreSQL's default descending order,
NULLs first: the list's walk stepped over every draft before the first received referral
(24,000 rows at 1,000,000 referrals, 130 ms for the auditor's first page). This one is in
the list's order, and a second one in the oldest-first order (drafts last too: a quality
auditor's review queue opens in it). SQLite cannot index NULLS LAST, so they are made on
PostgreSQL only (the embedded default sorts its few rows)."""

from django.db import migrations

INDEXES = {
    "referral_received_drafts_last": "submitted_at DESC NULLS LAST, created_at DESC, id DESC",
    "referral_received_oldest_first": "submitted_at ASC NULLS LAST, created_at ASC, id ASC",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, columns in INDEXES.items():
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON referrals_referral ({columns})"
            )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0007_referral_newest_received"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="referral", name="referral_newest_received"),
        migrations.RunPython(create, drop),
    ]
