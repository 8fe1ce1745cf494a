"""expire_bookings: mark holds whose time ran out as expired (run every few minutes)."""

from django.core.management.base import BaseCommand

from marketplace.bookings.services import expire_overdue_holds


class Command(BaseCommand):
    help = "过期未付款/未审核的预约保留 / Expire booking holds whose time has run out."

    def handle(self, *args, **options):
        count = expire_overdue_holds()
        self.stdout.write(f"expired {count} booking hold(s)")
