"""Retry refunds that did not happen when a paid consultation was cancelled (gateway down).

Safe to run often (cron every 10 minutes): it only touches cancelled consultations whose payment is
still fully kept.
"""

from django.core.management.base import BaseCommand

from consultations import services


class Command(BaseCommand):
    help = "Refund paid consultations that were cancelled but not refunded yet."

    def handle(self, *args, **options):
        n = 0
        for consultation in services.refunds_missing():
            services.consultation_refund_retry(consultation=consultation)
            n += 1
        self.stdout.write(f"consultations: retried {n} refunds")
