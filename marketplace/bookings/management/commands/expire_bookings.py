"""expire_bookings: mark payment holds whose time ran out as expired — bookings and every other
registered payable (sample-testing orders) — and retry unsent notice emails (run every few
minutes). The name stays for the cron lines that already call it."""

from django.core.management.base import BaseCommand

from marketplace.notifications.services import send_pending
from marketplace.payments.holds import expire_every_overdue


class Command(BaseCommand):
    help = (
        "过期预约保留并补发通知邮件 / Expire overdue booking holds and send unsent notice emails."
    )

    def handle(self, *args, **options):
        expired = expire_every_overdue()
        sent, failed = send_pending()
        counts = ", ".join(f"{name} {count}" for name, count in sorted(expired.items()))
        self.stdout.write(f"expired holds: {counts}; emails sent {sent}, failed {failed}")
