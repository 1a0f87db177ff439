from django.core.management.base import BaseCommand

from accounts.services import ktp_scans_purge


class Command(BaseCommand):
    help = (
        "Delete KTP scans KTP_SCAN_RETENTION_DAYS after approval (UU PDP), keeping the verified status "
        "and a masked NIK, and tell each member. Idempotent; runs daily on the task queue."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"KTP scans deleted: {ktp_scans_purge()}")
