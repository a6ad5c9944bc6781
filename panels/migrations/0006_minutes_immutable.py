"""On PostgreSQL, refuse UPDATE and DELETE of approved minutes versions and their PDFs in the
database itself, as for audit rows."""

from django.db import migrations

TABLES = ["panels_minutesversion", "panels_minutesdocument"]

CREATE = """
CREATE OR REPLACE FUNCTION panels_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = TG_TABLE_NAME || ' is immutable: ' || TG_OP || ' refused',
        ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

TRIGGER = """
DROP TRIGGER IF EXISTS {table}_immutable ON {table};
CREATE TRIGGER {table}_immutable
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION panels_refuse_change();
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)
        for table in TABLES:
            schema_editor.execute(TRIGGER.format(table=table))


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table};")
        schema_editor.execute("DROP FUNCTION IF EXISTS panels_refuse_change();")


class Migration(migrations.Migration):
    dependencies = [("panels", "0005_minutes")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
