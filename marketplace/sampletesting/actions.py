"""What a person can do to a sample-testing order: the table behind the buttons."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from marketplace.accounts.permissions import Role, roles_of
from marketplace.workflow import Action, Workflow

from . import services
from .models import SampleOrder, Status

OWNER = frozenset({Role.OWNER})
MEMBER = frozenset({Role.MEMBER})
OWNER_CANCELLABLE = frozenset(
    {Status.REQUESTED, Status.QUOTED, Status.AWAITING_PAYMENT, Status.CONFIRMED}
)


def _roles(user, order: SampleOrder) -> frozenset:
    return roles_of(user, owner_id=order.user_id, institution_id=order.instrument.institution_id)


def _not_yet(*args, **kwargs):  # pragma: no cover — the pages still call the services directly
    raise NotImplementedError


SAMPLE_ORDER_ACTIONS = Workflow(
    name="sample_order",
    get_for=services.get_order_for,
    roles_of=_roles,
    actions=[
        Action("quote", _("报价"), _not_yet, MEMBER, frozenset({Status.REQUESTED, Status.QUOTED})),
        Action("accept_quote", _("接受报价"), _not_yet, OWNER, frozenset({Status.QUOTED})),
        Action("pay", _("付款"), _not_yet, OWNER, frozenset({Status.AWAITING_PAYMENT})),
        Action(
            "confirm_offline_payment",
            _("确认到账"),
            _not_yet,
            MEMBER,
            frozenset({Status.AWAITING_PAYMENT}),
        ),
        Action(
            "receive_samples", _("确认收到样品"), _not_yet, MEMBER, frozenset({Status.CONFIRMED})
        ),
        Action(
            "deliver_report",
            _("上传并交付报告"),
            _not_yet,
            MEMBER,
            frozenset({Status.SAMPLES_RECEIVED}),
        ),
        Action(
            "complete",
            _("确认完成"),
            _not_yet,
            OWNER | MEMBER,
            frozenset({Status.REPORT_DELIVERED}),
        ),
        Action(
            "decline",
            _("谢绝委托"),
            _not_yet,
            MEMBER,
            frozenset({Status.REQUESTED, Status.QUOTED, Status.AWAITING_PAYMENT}),
            style="danger",
        ),
        # The requester cancels until the samples are in the lab; the institution (and a
        # platform moderator, with a reason) also once they are.
        Action("cancel", _("取消委托"), _not_yet, OWNER, OWNER_CANCELLABLE, style="danger"),
        Action(
            "cancel_in_lab",
            _("取消委托"),
            _not_yet,
            MEMBER | frozenset({Role.MODERATOR}),
            OWNER_CANCELLABLE | {Status.SAMPLES_RECEIVED},
            style="danger",
        ),
    ],
)
