"""Sample-testing orders get the payment hold bookings have (the payments kernel's holds).

Orders already awaiting payment when this runs get the bank-transfer length from now — some
may be mid-transfer — and their pending bank-transfer payment shows the same deadline; none
expires the moment the new code is deployed.
"""

import datetime as dt

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def hold_orders_awaiting_payment(apps, schema_editor):
    SampleOrder = apps.get_model("sampletesting", "SampleOrder")
    Payment = apps.get_model("payments", "Payment")
    deadline = timezone.now() + dt.timedelta(hours=settings.OFFLINE_PAYMENT_HOLD_HOURS)
    awaiting = SampleOrder.objects.filter(status="awaiting_payment", hold_expires_at__isnull=True)
    ids = list(awaiting.values_list("pk", flat=True))
    awaiting.update(hold_expires_at=deadline)
    Payment.objects.filter(
        sample_order_id__in=ids,
        kind="payment",
        method="offline",
        status="pending",
        deadline__isnull=True,
    ).update(deadline=deadline)


class Migration(migrations.Migration):
    dependencies = [
        ("sampletesting", "0002_sample_order_quote_version"),
        ("payments", "0002_bank_transfer_details_refund_sources_invoices"),
    ]

    operations = [
        migrations.AddField(
            model_name="sampleorder",
            name="hold_expires_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="付款截止"),
        ),
        migrations.AlterField(
            model_name="sampleorder",
            name="status",
            field=models.CharField(
                choices=[
                    ("requested", "待报价"),
                    ("quoted", "已报价"),
                    ("awaiting_payment", "待付款"),
                    ("confirmed", "待送样"),
                    ("samples_received", "检测中"),
                    ("report_delivered", "报告已出具"),
                    ("completed", "已完成"),
                    ("declined", "已谢绝"),
                    ("cancelled", "已取消"),
                    ("expired", "已过期"),
                ],
                db_index=True,
                max_length=20,
                verbose_name="状态",
            ),
        ),
        migrations.RunPython(hold_orders_awaiting_payment, migrations.RunPython.noop),
    ]
