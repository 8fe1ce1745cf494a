"""expire_bookings: mark payment holds whose time ran out as expired — bookings and every other
registered payable (sample-testing orders) — and retry unsent notice emails (run every few
minutes). The name stays for the cron lines that already call it."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from marketplace.commands import Command as BaseCommand
from marketplace.notifications.services import send_pending
from marketplace.payments.holds import expire_every_overdue


class Command(BaseCommand):
    help = _("使到期未付款的保留失效（预约、送样检测），并补发未发出的通知邮件")

    def handle(self, *args, **options):
        expired = expire_every_overdue()
        sent, failed = send_pending()
        counts = ", ".join(f"{name} {count}" for name, count in sorted(expired.items()))
        self.stdout.write(
            gettext("已失效的付款保留：%(counts)s；邮件发送 %(sent)s，失败 %(failed)s")
            % {"counts": counts, "sent": sent, "failed": failed}
        )
