"""expire_bookings: mark holds whose time ran out as expired (run every few minutes)."""

from django.core.management.base import BaseCommand

from marketplace.bookings.services import expire_overdue_holds
from marketplace.notifications.services import send_pending


class Command(BaseCommand):
    help = (
        "过期预约保留并补发通知邮件 / Expire overdue booking holds and send unsent notice emails."
    )

    def handle(self, *args, **options):
        count = expire_overdue_holds()
        sent, failed = send_pending()
        self.stdout.write(f"expired {count} booking hold(s); emails sent {sent}, failed {failed}")
