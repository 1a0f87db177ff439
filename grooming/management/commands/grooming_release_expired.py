from django.core.management.base import BaseCommand

from grooming.services import release_expired_holds, send_visit_reminders


class Command(BaseCommand):
    help = (
        "Release grooming slots whose deposit was not paid in time and send the visit reminders due. "
        "The task queue runs the same every minute; this is for manual runs."
    )

    def handle(self, *args, **options):
        count = release_expired_holds()
        reminded = send_visit_reminders()
        self.stdout.write(f"released {count} unpaid booking(s), sent {reminded} visit reminder(s)")
