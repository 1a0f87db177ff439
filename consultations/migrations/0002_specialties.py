from django.db import migrations

SPECIALTIES = [
    ("dogs", "Dogs"),
    ("cats", "Cats"),
    ("rabbits", "Rabbits"),
    ("birds", "Birds"),
    ("reptiles", "Reptiles"),
    ("exotics", "Exotic pets"),
    ("livestock", "Livestock"),
]


def create(apps, schema_editor):
    Specialty = apps.get_model("consultations", "Specialty")
    for position, (slug, name) in enumerate(SPECIALTIES):
        Specialty.objects.update_or_create(slug=slug, defaults={"name": name, "position": position})


class Migration(migrations.Migration):
    dependencies = [("consultations", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
