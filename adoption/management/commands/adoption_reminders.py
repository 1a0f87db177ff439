"""Manual run of what the task queue does (reminders daily at 09:00 WIB, releases every minute):
remind adopters whose follow-up report is due or overdue (and tell listers), release unpaid reservations."""

from django.core.management.base import BaseCommand

from adoption import services


class Command(BaseCommand):
    help = "Notify adopters whose monthly report is due or overdue; release reservations whose fee expired."

    def add_arguments(self, parser):
        parser.add_argument(
            "--lead-days", type=int, default=3, help="Remind this many days before the due date."
        )

    def handle(self, *args, **options):
        released = services.expire_unpaid_reservations()
        sent = services.send_report_reminders(lead_days=options["lead_days"])
        self.stdout.write(
            f"adoption: {sent} report reminder(s) sent, {released} unpaid reservation(s) released"
        )
