"""Create demo data for local use, idempotently. Each app contributes through `<app>/demo.py: seed()`."""

import importlib

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

APPS = [
    "accounts",
    "payments",
    "pets",
    "consultations",
    "grooming",
    "adoption",
    "articles",
    "notifications",
    "adminsite",
]


class Command(BaseCommand):
    help = "Create demo accounts, vets, salons, pets and articles (safe to run again)."

    def handle(self, *args, **options):
        if not settings.DEBUG and not settings.TESTING:
            raise CommandError(
                "seed_demo creates accounts with a known password: run it only with DEBUG=True."
            )
        for app in APPS:
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as error:
                if error.name == f"{app}.demo":
                    continue
                raise
            with transaction.atomic():
                module.seed(self.stdout)
