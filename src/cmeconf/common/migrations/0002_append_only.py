"""Make the audit trail append-only in the database itself, not only in the ORM.

PostgreSQL refuses UPDATE and DELETE of rows; SQLite refuses UPDATE (a DELETE
trigger there would also block the test runner's flush, and the ORM already
refuses deletes). TRUNCATE stays an operator's tool.
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION cmeconf_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER common_auditentry_append_only
    BEFORE UPDATE OR DELETE ON common_auditentry
    FOR EACH ROW EXECUTE FUNCTION cmeconf_audit_append_only();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS common_auditentry_append_only ON common_auditentry;
DROP FUNCTION IF EXISTS cmeconf_audit_append_only();
"""
SQLITE_FORWARD = """
CREATE TRIGGER common_auditentry_no_update BEFORE UPDATE ON common_auditentry
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS common_auditentry_no_update;"


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("common", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
