"""reconcile_payments: ask Stripe about every payment still pending, and send pending refunds."""

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from marketplace.commands import Command as BaseCommand
from marketplace.payments import webhooks
from marketplace.payments.models import Payment, PaymentKind, PaymentMethod, PaymentStatus
from marketplace.payments.services import record_stripe_paid, stripe_refund, sync_stripe_refund


class Command(BaseCommand):
    help = _("与 Stripe 核对未完成的付款和退款")

    def handle(self, *args, **options):
        if not settings.STRIPE_SECRET_KEY:
            raise CommandError(gettext("未配置 STRIPE_SECRET_KEY"))
        pending = Payment.objects.filter(method=PaymentMethod.STRIPE, status=PaymentStatus.PENDING)
        paid = refunds = failed = 0
        for payment in (
            pending.filter(kind=PaymentKind.PAYMENT)
            .exclude(stripe_session_id="")
            .select_related("booking", "sample_order")
        ):
            try:
                session = webhooks.fetch_checkout_session(payment.stripe_session_id)
            except Exception as exc:  # noqa: BLE001 — report and go on with the next one
                failed += 1
                self.stderr.write(
                    gettext("付款 %(id)s：%(error)s")
                    % {"id": payment.pk, "error": f"{type(exc).__name__}: {exc}"}
                )
                continue
            if session["payment_status"] == "paid":
                record_stripe_paid(payment, session["id"], session["payment_intent"])
                paid += 1
        for refund in pending.filter(kind=PaymentKind.REFUND):
            try:
                if refund.stripe_refund_id:
                    sync_stripe_refund(refund)
                else:
                    stripe_refund(refund.pk)
            except Exception as exc:  # noqa: BLE001 — report and go on with the next one
                failed += 1
                self.stderr.write(
                    gettext("退款 %(id)s：%(error)s")
                    % {"id": refund.pk, "error": f"{type(exc).__name__}: {exc}"}
                )
                continue
            refunds += 1
        self.stdout.write(
            gettext("已到账 %(paid)s，退款已发出或已核对 %(refunds)s，出错 %(failed)s")
            % {"paid": paid, "refunds": refunds, "failed": failed}
        )
