"""What a person can do to a sample-testing order: the table behind the pages, the API and the
buttons."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import inline_serializer

from marketplace.accounts.permissions import Role
from marketplace.api import MoneySerializer
from marketplace.money import money_json
from marketplace.payments.serializers import PayResponseSerializer
from marketplace.workflow import Action, Workflow, call

from . import services
from .models import SampleOrder, Status
from .serializers import (
    AcceptQuoteSerializer,
    PayMethodSerializer,
    QuoteSerializer,
    ReasonSerializer,
    ReceiveSerializer,
    ReferenceSerializer,
    ReportSerializer,
    RequiredReasonSerializer,
    SampleOrderDetailSerializer,
)

OWNER = frozenset({Role.OWNER})
MEMBER = frozenset({Role.MEMBER})


def _pay(order: SampleOrder, by, data: dict, request) -> dict:
    return services.pay(
        order,
        by,
        data["method"],
        return_url=request.build_absolute_uri(order.get_absolute_url()),
        invoice=data.get("invoice"),
    )


def _cancelled(detail, result, order) -> dict:
    order, refund = result
    return {"order": detail(order), "refund": money_json(refund)}


SAMPLE_ORDER_ACTIONS = Workflow(
    name="sample_order",
    get_for=services.get_order_for,
    actions=[
        Action("quote", _("报价"), call(services.quote, "price", "turnaround_days", "note"), MEMBER,
               {Status.REQUESTED, Status.QUOTED}, input=QuoteSerializer,
               summary="报价 / quote (institution)"),
        Action("accept_quote", _("接受报价"), call(services.accept_quote, version="quote_version"),
               OWNER, Status.QUOTED, input=AcceptQuoteSerializer,
               summary="接受报价 / accept the quote (requester)"),
        Action("pay", _("付款"), _pay, OWNER, Status.AWAITING_PAYMENT, input=PayMethodSerializer,
               summary="付款 / pay (requester)", response=PayResponseSerializer,
               respond=lambda detail, result, order: result),
        Action("confirm_offline_payment", _("确认到账"),
               call(services.confirm_offline_payment, "reference"), MEMBER, Status.AWAITING_PAYMENT,
               input=ReferenceSerializer, summary="确认到账 / confirm bank transfer (institution)"),
        Action("receive_samples", _("确认收到样品"), call(services.receive_samples, "note"), MEMBER,
               Status.CONFIRMED, input=ReceiveSerializer,
               summary="样品已接收 / samples received (institution)"),
        # The API uploads the report through its own multipart endpoint (…/report/, which
        # also downloads it); this is the pages' door.
        Action("deliver_report", _("上传并交付报告"), call(services.deliver_report, "report"), MEMBER,
               Status.SAMPLES_RECEIVED, input=ReportSerializer, api_path=None),
        Action("complete", _("确认完成"), call(services.complete), OWNER | MEMBER,
               Status.REPORT_DELIVERED, summary="完成 / complete"),
        Action("decline", _("谢绝委托"), call(services.decline, "reason"), MEMBER,
               {Status.REQUESTED, Status.QUOTED, Status.AWAITING_PAYMENT},
               input=RequiredReasonSerializer, style="danger",
               summary="谢绝委托 / decline (institution)"),
        # The requester cancels until the samples are in the lab; the institution (and a
        # platform moderator, with a stated reason) also once they are. One service decides.
        Action("cancel", _("取消委托"), call(services.cancel, "reason"),
               OWNER | MEMBER | {Role.MODERATOR}, services.OWNER_CANCELLABLE,
               input=ReasonSerializer, style="danger", summary="取消 / cancel (refund per policy)",
               respond=_cancelled, response=inline_serializer(
                   name="SampleOrderCancelResponse",
                   fields={"order": SampleOrderDetailSerializer(), "refund": MoneySerializer()},
               )),
        Action("cancel_in_lab", _("取消委托"), call(services.cancel, "reason"),
               MEMBER | {Role.MODERATOR}, Status.SAMPLES_RECEIVED, input=ReasonSerializer,
               api_path=None, style="danger"),
    ],
)  # fmt: skip
