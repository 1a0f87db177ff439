"""Search (`q`) at scale on PostgreSQL: trigram indexes matching what `icontains` runs,
`UPPER(col::text) LIKE UPPER('%word%')`, so a search reads the matching rows instead of every row.

SQLite has no pg_trgm: there these are skipped and a search scans, which is fine for the embedded
default's size. pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
"""

from django.db import migrations, models

TABLE = "adoption_pet"
COLUMNS = ["name", "description", "colour"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {TABLE}_{column}_trgm ON {TABLE} "
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {TABLE}_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("adoption", "0001_initial")]

    operations = [
        # /adoption/?city=... lists a city's available pets newest first straight from this index.
        migrations.AddIndex(
            model_name="pet",
            index=models.Index(fields=["status", "city", "-created_at"], name="pet_status_city_idx"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
