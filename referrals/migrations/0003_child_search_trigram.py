"""On PostgreSQL: trigram search of children's names (pg_trgm and a GIN index)."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS child_search_name_trgm ON referrals_child "
        "USING gin (search_name gin_trgm_ops)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS child_search_name_trgm")


class Migration(migrations.Migration):
    dependencies = [("referrals", "0002_attachment_childmatch_contributionrequest_and_more")]

    operations = [migrations.RunPython(forwards, backwards)]
