"""Run the consultation sweep by hand: accept timeouts due now (pass on, or cancel and refund) and
refunds of cancelled paid consultations that were never recorded.

The task queue runs the same sweep every minute (consultations.tasks.accept_timeouts_every_minute);
this command is for manual runs.
"""

from django.core.management.base import BaseCommand

from consultations import services


class Command(BaseCommand):
    help = "Handle consultations past their accept time and retry refunds that were never recorded."

    def handle(self, *args, **options):
        counts = services.accept_timeouts_due()
        if not counts:
            self.stdout.write("consultations: nothing to do")
        for outcome, n in sorted(counts.items()):
            self.stdout.write(f"consultations: {outcome}: {n}")
