"""What a person can do to a sample-testing order: the table behind the pages, the API and the
buttons."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import inline_serializer

from marketplace.accounts.permissions import Role, roles_of
from marketplace.api import MoneySerializer
from marketplace.money import money_json
from marketplace.payments.serializers import PayResponseSerializer
from marketplace.workflow import Action, Workflow

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
OWNER_CANCELLABLE = frozenset(services.OWNER_CANCELLABLE)


def _roles(user, order: SampleOrder) -> frozenset:
    return roles_of(user, owner_id=order.user_id, institution_id=order.instrument.institution_id)


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
    roles_of=_roles,
    actions=[
        Action(
            name="quote",
            label=_("报价"),
            perform=lambda order, by, data, request: services.quote(
                order, by, data["price"], data["turnaround_days"], data["note"]
            ),
            roles=MEMBER,
            statuses=frozenset({Status.REQUESTED, Status.QUOTED}),
            input=QuoteSerializer,
            api_path="quote",
            summary="报价 / quote (institution)",
        ),
        Action(
            name="accept_quote",
            label=_("接受报价"),
            perform=lambda order, by, data, request: services.accept_quote(
                order, by, version=data["quote_version"]
            ),
            roles=OWNER,
            statuses=frozenset({Status.QUOTED}),
            input=AcceptQuoteSerializer,
            api_path="accept-quote",
            summary="接受报价 / accept the quote (requester)",
        ),
        Action(
            name="pay",
            label=_("付款"),
            perform=_pay,
            roles=OWNER,
            statuses=frozenset({Status.AWAITING_PAYMENT}),
            input=PayMethodSerializer,
            api_path="pay",
            summary="付款 / pay (requester)",
            response=PayResponseSerializer,
            respond=lambda detail, result, order: result,
        ),
        Action(
            name="confirm_offline_payment",
            label=_("确认到账"),
            perform=lambda order, by, data, request: services.confirm_offline_payment(
                order, by, data["reference"]
            ),
            roles=MEMBER,
            statuses=frozenset({Status.AWAITING_PAYMENT}),
            input=ReferenceSerializer,
            api_path="confirm-offline-payment",
            summary="确认到账 / confirm bank transfer (institution)",
        ),
        Action(
            name="receive_samples",
            label=_("确认收到样品"),
            perform=lambda order, by, data, request: services.receive_samples(
                order, by, data["note"]
            ),
            roles=MEMBER,
            statuses=frozenset({Status.CONFIRMED}),
            input=ReceiveSerializer,
            api_path="receive-samples",
            summary="样品已接收 / samples received (institution)",
        ),
        # The API uploads the report through its own multipart endpoint (…/report/, which
        # also downloads it); this is the pages' door.
        Action(
            name="deliver_report",
            label=_("上传并交付报告"),
            perform=lambda order, by, data, request: services.deliver_report(
                order, by, data["report"]
            ),
            roles=MEMBER,
            statuses=frozenset({Status.SAMPLES_RECEIVED}),
            input=ReportSerializer,
        ),
        Action(
            name="complete",
            label=_("确认完成"),
            perform=lambda order, by, data, request: services.complete(order, by),
            roles=OWNER | MEMBER,
            statuses=frozenset({Status.REPORT_DELIVERED}),
            api_path="complete",
            summary="完成 / complete",
        ),
        Action(
            name="decline",
            label=_("谢绝委托"),
            perform=lambda order, by, data, request: services.decline(order, by, data["reason"]),
            roles=MEMBER,
            statuses=frozenset({Status.REQUESTED, Status.QUOTED, Status.AWAITING_PAYMENT}),
            input=RequiredReasonSerializer,
            api_path="decline",
            style="danger",
            summary="谢绝委托 / decline (institution)",
        ),
        # The requester cancels until the samples are in the lab; the institution (and a
        # platform moderator, with a stated reason) also once they are. One service decides.
        Action(
            name="cancel",
            label=_("取消委托"),
            perform=lambda order, by, data, request: services.cancel(order, by, data["reason"]),
            roles=OWNER | MEMBER | frozenset({Role.MODERATOR}),
            statuses=OWNER_CANCELLABLE,
            input=ReasonSerializer,
            api_path="cancel",
            style="danger",
            summary="取消 / cancel (refund per policy)",
            respond=_cancelled,
            response=inline_serializer(
                name="SampleOrderCancelResponse",
                fields={"order": SampleOrderDetailSerializer(), "refund": MoneySerializer()},
            ),
        ),
        Action(
            name="cancel_in_lab",
            label=_("取消委托"),
            perform=lambda order, by, data, request: services.cancel(order, by, data["reason"]),
            roles=MEMBER | frozenset({Role.MODERATOR}),
            statuses=frozenset({Status.SAMPLES_RECEIVED}),
            input=ReasonSerializer,
            style="danger",
        ),
    ],
)
