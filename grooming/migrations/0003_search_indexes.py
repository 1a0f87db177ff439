"""Search (`q`) at scale on PostgreSQL: trigram indexes matching what `icontains` runs,
`UPPER(col::text) LIKE UPPER('%word%')`, so a search reads the matching rows instead of every row.

SQLite has no pg_trgm: there these are skipped and a search scans, which is fine for the embedded
default's size. pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
"""

from django.db import migrations

TABLE = "grooming_salon"
COLUMNS = ["name", "description", "address"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {TABLE}_{column}_trgm ON {TABLE} '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {TABLE}_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("grooming", "0002_booking_no_overlap")]

    operations = [migrations.RunPython(forwards, backwards)]
