from django.core.management.base import BaseCommand

from payments.reconcile import reconcile


class Command(BaseCommand):
    help = (
        "Ask Midtrans about pending orders, expire overdue ones, close orders of cancelled payments and "
        "re-deliver lagging hooks. Safe to run from cron every few minutes."
    )

    def handle(self, *args, **options):
        counts = reconcile()
        if not counts:
            self.stdout.write("nothing to do")
        for what, count in sorted(counts.items()):
            self.stdout.write(f"{what}: {count}")
