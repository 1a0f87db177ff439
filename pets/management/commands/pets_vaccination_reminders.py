"""Daily job: remind owners of vaccinations due in 7 days and due today.

Idempotent (pets.services.send_vaccination_reminders records each reminder once), so running it more
than once a day, or again after a failure, sends nothing twice. Scheduled on the task queue at merge;
until then run it from cron once a day, e.g. `15 8 * * * manage.py pets_vaccination_reminders`.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from pets import services


class Command(BaseCommand):
    help = "Send vaccination reminders (7 days before and on the due date). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Run as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, **options):
        today = None
        if options.get("date"):
            try:
                today = datetime.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("--date must be YYYY-MM-DD")
        sent = services.send_vaccination_reminders(today=today)
        self.stdout.write(f"pets: {sent} vaccination reminder(s) sent")
