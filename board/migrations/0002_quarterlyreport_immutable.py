"""On PostgreSQL, refuse UPDATE and DELETE of a quarterly report's versions in the database
itself, as for the approved minutes (panels 0006)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION board_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = TG_TABLE_NAME || ' is immutable: ' || TG_OP || ' refused',
        ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS board_quarterlyreport_immutable ON board_quarterlyreport;
CREATE TRIGGER board_quarterlyreport_immutable
    BEFORE UPDATE OR DELETE ON board_quarterlyreport
    FOR EACH ROW EXECUTE FUNCTION board_refuse_change();
"""

DROP = """
DROP TRIGGER IF EXISTS board_quarterlyreport_immutable ON board_quarterlyreport;
DROP FUNCTION IF EXISTS board_refuse_change();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("board", "0001_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
