"""reconcile_payments: ask Stripe about every payment still pending, and send pending refunds."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from marketplace.payments import webhooks
from marketplace.payments.models import Payment, PaymentKind, PaymentMethod, PaymentStatus
from marketplace.payments.services import record_stripe_paid, stripe_refund, sync_stripe_refund


class Command(BaseCommand):
    help = "与 Stripe 核对未完成的付款和退款 / Re-check pending Stripe payments and refunds."

    def handle(self, *args, **options):
        if not settings.STRIPE_SECRET_KEY:
            raise CommandError("未配置 STRIPE_SECRET_KEY / STRIPE_SECRET_KEY is not set")
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
                self.stderr.write(f"payment {payment.pk}: {type(exc).__name__}: {exc}")
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
                self.stderr.write(f"refund {refund.pk}: {type(exc).__name__}: {exc}")
                continue
            refunds += 1
        self.stdout.write(f"paid: {paid}, refunds sent or checked: {refunds}, errors: {failed}")
