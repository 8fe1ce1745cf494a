"""Record every completed service that has no usage record yet and recompute all sums."""

from django.core.management.base import BaseCommand

from marketplace.sharing.ledger import rebuild


class Command(BaseCommand):
    help = "补记历史服务记录并重算开放共享统计 / record past services and rebuild the sums"

    def handle(self, *args, **options):
        result = rebuild()
        self.stdout.write(
            f"bookings recorded: {result['bookings']}, sample orders recorded: "
            f"{result['sample_orders']}, tally rows: {result['tallies']}"
        )
