"""The technology-inquiry workflow (意向洽谈): every rule, permission and transition, once.

Views and API endpoints call these functions and nothing else changes an inquiry.

Decisions the design leaves open, made here:
- A member of the technology's institution may not inquire on its own listing: 403
  (`own_listing`) — they can see the listing but may not do this.
- One active (open or negotiating) inquiry per inquirer and technology: a second is 409
  (`already_open`); after it is agreed or closed a new one may be opened.
- Institution members answer, record the deal and grant access to the details; platform
  moderators can read every inquiry but do not act for an institution (403); they may close
  one with a stated reason.
- The contract date of a deal may not lie in the future (a deal is recorded once signed) nor
  before the inquiry was opened (local date, Asia/Shanghai).
- A deal amount is Decimal CNY, ≥ 0, at most two decimals and at most 10 billion yuan.
- Notices: one per recipient per action. The institution's first reply moves the inquiry to
  negotiating and the inquirer gets that transition's notice (which says they replied),
  not a second one for the message.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from marketplace.accounts import permissions
from marketplace.accounts.profile import require_profile
from marketplace.catalogue.models import Technology
from marketplace.catalogue.vocabularies import TransferMode
from marketplace.money import MoneyError, yuan
from marketplace.workflow import (
    Conflict,
    Forbidden,
    NotFound,
    RuleError,
    StateMachine,
    WorkflowError,
    locked,
    require,
)

from .models import Inquiry, InquiryMessage, Status

SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_MESSAGE = 4000
MAX_REASON = 500
MAX_DEAL_AMOUNT = Decimal("10000000000.00")
REGISTRATION_NO = re.compile(r"^[0-9A-Za-z-]{1,64}$")

# Allowed transitions: status → statuses it may move to. agreed and closed are final.
TRANSITIONS: dict[str, set[str]] = {
    Status.OPEN: {Status.NEGOTIATING, Status.CLOSED},
    Status.NEGOTIATING: {Status.AGREED, Status.CLOSED},
    Status.AGREED: set(),
    Status.CLOSED: set(),
}

__all__ = [
    "INQUIRY_FLOW",
    "WorkflowError",
    "can_see_details",
    "close",
    "get_inquiry_for",
    "grant_details_access",
    "is_institution_member",
    "open_inquiry",
    "post_message",
    "record_deal",
]


def _notify(inquiry: Inquiry, from_status: str, by) -> None:
    from .notifications import notify_transition

    notify_transition(inquiry, from_status, by)


INQUIRY_FLOW = StateMachine(TRANSITIONS, _notify)


# --- Permissions ---------------------------------------------------------------------------


def is_institution_member(user, technology: Technology) -> bool:
    """Members of the technology's institution speak for it (moderators do not)."""
    return permissions.is_member_of(user, technology.institution_id)


def can_see_details(user, inquiry: Inquiry) -> bool:
    """Members always; the inquirer once access is granted (or when nothing is under NDA)."""
    technology = inquiry.technology
    if is_institution_member(user, technology) or permissions.is_platform_moderator(user):
        return True
    if inquiry.inquirer_id != user.pk:
        return False
    return not technology.details_under_nda or inquiry.details_access_granted


def get_inquiry_for(user, pk: int) -> Inquiry:
    """The inquiry if the user sent it or their institution owns the technology; else 404."""
    return Inquiry.objects.readable(user, pk, gettext("洽谈不存在"))


def _require_member(user, inquiry: Inquiry) -> None:
    require(
        is_institution_member(user, inquiry.technology),
        gettext("只有成果所属单位可以执行此操作"),
        "members_only",
    )


def _require_party(user, inquiry: Inquiry) -> bool:
    """The inquirer or a member; returns whether the user speaks for the institution."""
    if is_institution_member(user, inquiry.technology):
        return True
    if inquiry.inquirer_id == user.pk:
        return False
    raise Forbidden(gettext("只有洽谈双方可以执行此操作"), "parties_only")


def _require_active(inquiry: Inquiry) -> None:
    if inquiry.status not in (Status.OPEN, Status.NEGOTIATING):
        raise Conflict(
            gettext("洽谈已%(status)s，不能继续") % {"status": inquiry.get_status_display()},
            "inquiry_finished",
        )


def _text(value: str, *, field: str, limit: int, required: bool, label=None) -> str:
    label = label or gettext("留言内容")
    value = (value or "").strip()
    if required and not value:
        raise RuleError(gettext("请填写%(label)s") % {"label": label}, f"{field}_required")
    if len(value) > limit:
        raise RuleError(
            gettext("内容不能超过 %(limit)s 字") % {"limit": limit},
            f"{field}_too_long",
        )
    return value


# --- Opening -------------------------------------------------------------------------------


def open_inquiry(user, technology: Technology, message: str, intended_mode: str) -> Inquiry:
    """Send an inquiry on a published technology; the institution's members are told."""
    require_profile(user)
    if not technology.live:
        raise NotFound(gettext("科技成果不存在"), "not_found")
    if is_institution_member(user, technology):
        raise Forbidden(
            gettext("不能对本单位的成果发起洽谈"),
            "own_listing",
        )
    message = _text(message, field="message", limit=MAX_MESSAGE, required=True)
    if intended_mode not in technology.transfer_modes:
        offered = "、".join(str(label) for label in technology.transfer_mode_labels)
        raise RuleError(
            gettext("该成果提供的转化方式为：%(offered)s") % {"offered": offered},
            "mode_not_offered",
        )
    try:
        with transaction.atomic():
            inquiry = Inquiry.objects.create(
                technology=technology,
                inquirer=user,
                intended_mode=intended_mode,
                message=message,
                status=Status.OPEN,
            )
            InquiryMessage.objects.create(inquiry=inquiry, author=user, body=message)
            INQUIRY_FLOW.record(inquiry, "", user, "opened")
    except IntegrityError as exc:
        raise Conflict(
            gettext("您对该成果已有进行中的洽谈"),
            "already_open",
        ) from exc
    return inquiry


# --- The thread ----------------------------------------------------------------------------


@transaction.atomic
def post_message(inquiry: Inquiry, by, body: str) -> InquiryMessage:
    """Add to the thread; the institution's first reply moves open → negotiating."""
    inquiry = locked(inquiry)
    member = _require_party(by, inquiry)
    _require_active(inquiry)
    body = _text(body, field="message", limit=MAX_MESSAGE, required=True)
    message = InquiryMessage.objects.create(inquiry=inquiry, author=by, body=body)
    if member and inquiry.status == Status.OPEN:
        INQUIRY_FLOW.move(inquiry, Status.NEGOTIATING, by, "first reply")
    else:
        inquiry.save(update_fields=["updated_at"])
        from .notifications import notify_message

        notify_message(inquiry, by)
    return message


# --- The deal and closing ------------------------------------------------------------------


def _deal_amount(amount: str | int | Decimal) -> Decimal:
    try:
        value = yuan(amount if isinstance(amount, (int, Decimal)) else str(amount).strip())
    except (MoneyError, InvalidOperation):  # yuan() lets quantize overflow through (1e30)
        raise RuleError(
            gettext("成交金额须为最多两位小数的金额"),
            "invalid_amount",
        ) from None
    if value < 0:
        raise RuleError(gettext("成交金额不能为负数"), "invalid_amount")
    if value > MAX_DEAL_AMOUNT:
        raise RuleError(gettext("成交金额超出合理范围"), "invalid_amount")
    return value


@transaction.atomic
def record_deal(
    inquiry: Inquiry,
    by,
    mode: str,
    amount: str | int | Decimal,
    contract_date: dt.date,
    registration_no: str = "",
) -> Inquiry:
    """The institution records the signed contract: negotiating → agreed."""
    inquiry = locked(inquiry)
    _require_member(by, inquiry)
    if not INQUIRY_FLOW.allows(inquiry.status, Status.AGREED):
        raise INQUIRY_FLOW.refuse(inquiry)
    if mode not in TransferMode.values:
        raise RuleError(
            gettext("请选择成交方式：%(choices)s") % {"choices": ", ".join(TransferMode.values)},
            "invalid_mode",
        )
    value = _deal_amount(amount)
    if not isinstance(contract_date, dt.date) or isinstance(contract_date, dt.datetime):
        raise RuleError(gettext("请填写合同签订日期"), "invalid_date")
    today = timezone.now().astimezone(SHANGHAI).date()
    if contract_date > today:
        raise RuleError(
            gettext("合同签订日期不能晚于今天"),
            "invalid_date",
        )
    if contract_date < inquiry.created_at.astimezone(SHANGHAI).date():
        raise RuleError(
            gettext("合同签订日期不能早于洽谈开始日期"),
            "invalid_date",
        )
    registration_no = (registration_no or "").strip()
    if registration_no and not REGISTRATION_NO.match(registration_no):
        raise RuleError(
            gettext("技术合同登记号只能包含字母、数字和连字符，最多 64 位"),
            "invalid_registration_no",
        )
    inquiry.deal_mode = mode
    inquiry.deal_amount = value
    inquiry.contract_date = contract_date
    inquiry.contract_registration_no = registration_no
    return INQUIRY_FLOW.move(
        inquiry,
        Status.AGREED,
        by,
        f"{TransferMode(mode).label} ¥{value} {contract_date.isoformat()}",
        update_fields=["deal_mode", "deal_amount", "contract_date", "contract_registration_no"],
    )


@transaction.atomic
def close(inquiry: Inquiry, by, reason: str = "") -> Inquiry:
    """Either side ends the inquiry without a deal, optionally saying why; a platform moderator
    may close one too (业务监管), but only with a stated reason, and both sides are told."""
    inquiry = locked(inquiry)
    party = inquiry.inquirer_id == by.pk or is_institution_member(by, inquiry.technology)
    moderator = not party and permissions.is_platform_moderator(by)
    if not moderator:
        _require_party(by, inquiry)
    reason = _text(
        reason, field="reason", limit=MAX_REASON, required=moderator, label=gettext("关闭原因")
    )
    inquiry.closed_reason = reason
    return INQUIRY_FLOW.move(inquiry, Status.CLOSED, by, reason, update_fields=["closed_reason"])


# --- Details under NDA ---------------------------------------------------------------------


@transaction.atomic
def grant_details_access(inquiry: Inquiry, by) -> Inquiry:
    """A member opens the technology's NDA details to this inquirer (once; repeats are no-ops)."""
    inquiry = locked(inquiry)
    _require_member(by, inquiry)
    if not inquiry.technology.details_under_nda:
        raise RuleError(
            gettext("该成果的详细资料未设保密，无需开放"),
            "not_under_nda",
        )
    if inquiry.details_access_granted:
        return inquiry
    if inquiry.status == Status.CLOSED:
        raise Conflict(gettext("洽谈已关闭"), "transition_not_allowed")
    inquiry.details_access_granted_at = timezone.now()
    inquiry.details_access_granted_by = by
    inquiry.save(
        update_fields=["details_access_granted_at", "details_access_granted_by", "updated_at"]
    )
    from .notifications import notify_details_granted

    notify_details_granted(inquiry, by)
    return inquiry
