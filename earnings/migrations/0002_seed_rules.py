"""The launch rules: vets 20 %, grooming 15 %, adoption platform fee 0 % (docs/earnings.md says why)."""

import datetime
from decimal import Decimal

from django.db import migrations

LAUNCH = datetime.date(2026, 1, 1)
RULES = {"consultation": Decimal("20.00"), "grooming": Decimal("15.00"), "adoption": Decimal("0.00")}


def seed(apps, schema_editor):
    CommissionRule = apps.get_model("earnings", "CommissionRule")
    for kind, percent in RULES.items():
        if not CommissionRule.objects.filter(kind=kind).exists():
            CommissionRule.objects.create(
                kind=kind, percent=percent, effective_from=LAUNCH, note="Launch rate (data migration)"
            )


def unseed(apps, schema_editor):
    CommissionRule = apps.get_model("earnings", "CommissionRule")
    CommissionRule.objects.filter(effective_from=LAUNCH, note="Launch rate (data migration)", lines=None).delete()


class Migration(migrations.Migration):
    dependencies = [("earnings", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
