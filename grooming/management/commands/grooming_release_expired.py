from django.core.management.base import BaseCommand

from grooming.services import release_expired_holds


class Command(BaseCommand):
    help = "Release grooming slots whose deposit was not paid in time (run every few minutes)."

    def handle(self, *args, **options):
        count = release_expired_holds()
        self.stdout.write(f"released {count} unpaid booking(s)")
