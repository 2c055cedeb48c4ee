"""On PostgreSQL, refuse changes and deletions of change-log entries (django-auditlog's table).

The one UPDATE let through is Django's ``SET NULL`` of the actor when a user row is deleted:
the entry keeps everything else, including ``actor_email``. SQLite (the embedded mode) relies
on the application, which never changes or deletes entries.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION auditlog_logentry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL
       AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'auditlog_logentry is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS auditlog_logentry_append_only ON auditlog_logentry;
CREATE TRIGGER auditlog_logentry_append_only BEFORE UPDATE OR DELETE ON auditlog_logentry
    FOR EACH ROW EXECUTE FUNCTION auditlog_logentry_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS auditlog_logentry_append_only ON auditlog_logentry;
DROP FUNCTION IF EXISTS auditlog_logentry_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_verification_and_head_seal"),
        ("auditlog", "0017_add_actor_email"),
    ]
    operations = [migrations.RunPython(create, drop)]
