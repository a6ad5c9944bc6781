"""On PostgreSQL, refuse UPDATE and DELETE of audit rows in the database itself."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION agencies_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = 'agencies_auditevent is append-only: ' || TG_OP || ' refused',
        ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS agencies_auditevent_append_only ON agencies_auditevent;
CREATE TRIGGER agencies_auditevent_append_only
    BEFORE UPDATE OR DELETE ON agencies_auditevent
    FOR EACH ROW EXECUTE FUNCTION agencies_auditevent_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS agencies_auditevent_append_only ON agencies_auditevent;
DROP FUNCTION IF EXISTS agencies_auditevent_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("agencies", "0002_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
