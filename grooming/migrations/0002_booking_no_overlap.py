"""PostgreSQL only: no two active bookings on the same seat of a salon may overlap in time.

The booking service already locks the salon row and checks; this is the backstop that makes a
double booking impossible even for code that skips the service. SQLite has no exclusion
constraints; there the partial unique constraint (salon, seat, starts_at) and SQLite's single writer
stand in.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE grooming_booking ADD CONSTRAINT booking_no_overlap_per_seat
    EXCLUDE USING gist (salon_id WITH =, seat WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
    WHERE (status IN ('awaiting_payment', 'requested', 'confirmed'));
"""
DROP = "ALTER TABLE grooming_booking DROP CONSTRAINT IF EXISTS booking_no_overlap_per_seat;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("grooming", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
