"""What every workflow on the platform shares: refusals, the transition table, the log, notices.

Bookings, sample-testing orders, residency applications and technology inquiries each declare
their statuses and a `StateMachine` with the table of allowed moves; `StateMachine.move` is the
only way a status changes. It checks the table, saves, writes one log row (who, when, from, to,
note) and tells the other side through the notification outbox — once per transition.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from django.db import models, transaction
from django.dispatch import Signal
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from marketplace import money
from marketplace.accounts import permissions
from marketplace.model_fields import optional_link

# Notes the system writes into a log (transition or refund) are stored as these codes and shown
# in the reader's language; a note a person typed (a reason) is shown as typed. The three old
# bilingual notes are still in existing rows, so they map too.
SYSTEM_NOTES = {
    "requested": _("已提交"),
    "opened": _("发起洽谈"),
    "first reply": _("机构首次回复"),
    "approved": _("已审核通过"),
    "quote accepted": _("已接受报价"),
    "paid online": _("在线支付到账"),
    "samples received": _("样品已接收"),
    "completed": _("已完成"),
    "cancelled": _("已取消"),
    "hold expired": _("保留时间已过"),
    "no show": _("未到场"),
    "overpayment returned": _("超额付款退回"),
    "booking no longer active": _("预约已失效，款项退回"),
    "order no longer active": _("委托已失效，款项退回"),
    "downtime refund": _("仪器停机，全额退款"),
    "仪器停机，全额退款 / the instrument is down then: full refund": _("仪器停机，全额退款"),
    "超额付款退回 / overpayment returned": _("超额付款退回"),
    "预约已失效，款项退回 / booking no longer active": _("预约已失效，款项退回"),
}
# Notes with values, as the services write them: (pattern, message with the named groups).
SYSTEM_NOTE_PATTERNS = (
    (re.compile(r"^offline payment (?P<reference>.+)$"), _("对公转账已到账，流水号 %(reference)s")),
    (re.compile(r"^used (?P<minutes>\d+) min$"), _("实际使用 %(minutes)s 分钟")),
    (
        re.compile(r"^¥(?P<price>\d+(?:\.\d+)?) / (?P<days>\d+) d \(v(?P<version>\d+)\)$"),
        _("报价 %(price)s，检测周期 %(days)s 个工作日（第 %(version)s 版）"),
    ),
)


def note_text(note: str) -> str:
    """A stored note as the reader sees it: system codes translated, typed text as typed."""
    if note in SYSTEM_NOTES:
        return str(SYSTEM_NOTES[note])
    for pattern, message in SYSTEM_NOTE_PATTERNS:
        if match := pattern.match(note):
            values = match.groupdict()
            if "price" in values:
                values["price"] = money.display(Decimal(values["price"]))
            return str(message) % values
    return note


class WorkflowError(Exception):
    """Base of the workflows' refusals; `code` is stable, the message is for people."""

    code = "workflow_error"
    http_status = 400

    def __init__(self, message: str, code: str | None = None, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        # A 400 about one input names it, so the API answers {"errors": {field: [message]}}.
        self.field = field
        if code:
            self.code = code


class RuleError(WorkflowError):
    """The input breaks a rule of the workflow (HTTP 400)."""

    http_status = 400


class Conflict(WorkflowError):
    """Not possible in the current state: slot taken, transition not allowed (HTTP 409)."""

    http_status = 409


class NotFound(WorkflowError):
    """The item does not exist or is not the caller's to see (HTTP 404)."""

    http_status = 404


class Forbidden(WorkflowError):
    """The caller can see the item but may not do this to it (HTTP 403)."""

    http_status = 403


def require(allowed: bool, message: str, code: str | None = None) -> None:
    """Forbidden (403) with `message` (already translated) unless `allowed`."""
    if not allowed:
        raise Forbidden(message, code)


def required_text(value, message: str, code: str, *, field: str | None = None) -> str:
    """`value` without surrounding blanks; a RuleError (400) with `message` if nothing is left."""
    text = (value or "").strip()
    if not text:
        raise RuleError(message, code, field=field)
    return text


def locked(item: WorkflowItem) -> WorkflowItem:
    """`item` read again with its row locked until the transaction ends (callers run inside
    `atomic_action`), with its owner and its institution joined."""
    manager = type(item)._default_manager
    return manager.select_for_update().select_related(*item.party_paths()).get(pk=item.pk)


class Refused:
    """A refusal decided after writing something that must stay written (a hold found expired
    is saved as expired, and its parties told, although the action asked for is refused).

    A service returns `Refused(error)` from inside `atomic_action`; the transaction commits and
    then the error is raised."""

    def __init__(self, error: WorkflowError):
        self.error = error


def atomic_action(func):
    """Run a workflow service in one transaction; a returned `Refused` commits, then raises."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with transaction.atomic():
            result = func(*args, **kwargs)
        if isinstance(result, Refused):
            raise result.error
        return result

    return wrapper


def follow(item, path: str):
    """The value at the end of a lookup path from `item`, e.g. "instrument__institution_id"."""
    return functools.reduce(getattr, path.split("__"), item)


class WorkflowQuerySet(models.QuerySet):
    """A workflow's items as the permission policy lets a person see them, with both sides."""

    def visible_to(self, user):
        """The user's own items, those of their institutions, and every item for a platform
        moderator (业务监管)."""
        return permissions.visible_to(self, user)

    def for_institution_members(self, user):
        """An institution's queue: the items at the user's institutions (every one for a
        platform moderator)."""
        return permissions.for_institution_members(self, user)

    def for_pages(self):
        """With the owner and the institution that lists and pages show, in one query."""
        return self.select_related(*self.model.party_paths())

    def readable(self, user, pk: int, missing: str):
        """Item `pk`, as `for_pages`, if `user` may read it; else NotFound saying `missing` (404,
        as if it did not exist)."""
        item = self.visible_to(user).for_pages().filter(pk=pk).first()
        if item is None:
            raise NotFound(missing, "not_found")
        return item


class WorkflowItem(models.Model):
    """An item a workflow moves through its statuses (a booking, an order, an application…).
    Its page is its app's `detail` page, as `workflow_pages.page_urls` names it.

    Each workflow declares once where an item's two sides are: `owner_path`, the path to the
    person who made it ("user"), and `institution_path`, to the institution that provides the
    resource ("instrument__institution"). The permission policy (who sees it, who holds which
    role), the notices, the row lock and the payables registry all read these two."""

    owner_path: ClassVar[str]
    institution_path: ClassVar[str]

    objects = WorkflowQuerySet.as_manager()

    class Meta:
        abstract = True

    def get_absolute_url(self) -> str:
        return reverse(f"{self._meta.app_label}:detail", args=[self.pk])

    @classmethod
    def party_paths(cls) -> tuple[str, str]:
        """The owner's and the institution's paths, for `select_related`."""
        return (cls.institution_path, cls.owner_path)

    @property
    def owner(self):
        """The person who made the item."""
        return follow(self, self.owner_path)

    @property
    def institution(self):
        """The institution that provides the resource."""
        return follow(self, self.institution_path)

    def roles_of(self, user) -> frozenset[permissions.Role]:
        """The roles `user` holds on this item: owner, member, moderator."""
        return permissions.roles_of(
            user,
            owner_id=follow(self, f"{self.owner_path}_id"),
            institution_id=follow(self, f"{self.institution_path}_id"),
        )


def logged_item(model: type[models.Model]) -> models.ForeignKey:
    """A transition log's link to the item it logs: deleted with it, read as
    `item.transitions` (what `StateMachine.record` writes and `status_choices` follows)."""
    return models.ForeignKey(model, on_delete=models.CASCADE, related_name="transitions")


class TransitionRecord(models.Model):
    """One row per change of status: who, when, from, to, why. Concrete per workflow."""

    from_status = models.CharField(_("原状态"), max_length=20, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20)
    by = optional_link(_("操作人"))
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"

    @classmethod
    @functools.cache
    def status_choices(cls) -> dict:
        """{status: label} of the logged item's `status` field (the item is what the log's
        `logged_item` points at), for labels on screen."""
        item = next(
            field.related_model
            for field in cls._meta.get_fields()
            if field.many_to_one and field.remote_field.related_name == "transitions"
        )
        return dict(item._meta.get_field("status").choices)

    def _label(self, value: str) -> str:
        if not value:
            return ""
        return str(self.status_choices().get(value, value))

    @property
    def from_label(self) -> str:
        return self._label(self.from_status)

    @property
    def to_label(self) -> str:
        return self._label(self.to_status)

    @property
    def note_text(self) -> str:
        return note_text(self.note)


def other_side(owner, member_users: Iterable, by) -> list:
    """Who hears about a transition: the owner learns what the institution did and the
    institution what the owner did; one made by the system or by a platform moderator tells
    both."""
    members = list(member_users)
    if by is not None and by.pk == owner.pk:
        return members
    if by is None or by.pk not in {member.pk for member in members}:
        return [owner, *members]
    return [owner]


Notifier = Callable[[models.Model, str, object], None]

# A workflow item reached a final status other than "completed" (cancelled, expired, rejected,
# declined, no-show): its service will not be delivered. Sent inside the transition's
# transaction; sender: the item's model; kwargs: item, by. (A completed service is announced
# by `marketplace.completions` instead.)
ended = Signal()
COMPLETED = "completed"


class StateMachine:
    """An explicit table of allowed transitions and the one function that performs them."""

    def __init__(self, transitions: dict[str, set[str]], notifier: Notifier):
        self.transitions = transitions
        self.notifier = notifier

    def allows(self, from_status: str, to_status: str) -> bool:
        return to_status in self.transitions.get(from_status, set())

    def refuse(self, obj) -> Conflict:
        return Conflict(
            gettext("当前状态（%(status)s）不允许此操作") % {"status": obj.get_status_display()},
            "transition_not_allowed",
        )

    def move(self, obj, to_status: str, by, note: str = "", *, update_fields=()):
        """Change obj's status to `to_status`, log it and notify; 409 if the table forbids it.

        Callers hold the row lock (select_for_update) inside a transaction.
        """
        if not self.allows(obj.status, to_status):
            raise self.refuse(obj)
        from_status = obj.status
        obj.status = to_status
        obj.save(update_fields=["status", "updated_at", *update_fields])
        self.record(obj, from_status, by, note)
        return obj

    def record(self, obj, from_status: str, by, note: str = "") -> None:
        """Log a transition (also the creation, from "") and tell the other side."""
        obj.transitions.create(
            from_status=from_status, to_status=obj.status, by=by, note=(note or "")[:500]
        )
        self.notifier(obj, from_status, by)
        if from_status and not self.transitions.get(obj.status) and obj.status != COMPLETED:
            ended.send(sender=type(obj), item=obj, by=by)


# --- Actions: what a person can do to an item, declared once per workflow --------------------


FROM_NAME = "<from the name>"


@dataclass(frozen=True)
class Action:
    """One thing a person can do to a workflow item, declared once in the workflow's table.

    The table drives both front doors — the HTML action view (`marketplace.workflow_pages`) and
    the API endpoints (`marketplace.api_views.workflow_urlpatterns`) — and the flags templates show;
    the service behind it still checks everything (a flag is a hint, the service the rule).
    """

    # The first five are given in this order: Action("approve", _("审核通过"), call(…), …).
    name: str  # the HTML form's action, e.g. "confirm_offline_payment"
    label: str  # the button, e.g. _("确认到账")
    # Calls one service: perform(item, user, validated input, request) → item, dict or tuple.
    perform: Callable
    roles: frozenset  # who is offered it: Role values of marketplace.accounts.permissions
    statuses: frozenset  # the statuses in which it is offered (or one status)
    input: type | None = None  # a DRF serializer: the input rules of both doors
    # "confirm-offline-payment"; by default the name with dashes; None: pages only
    api_path: str | None = FROM_NAME
    style: str = "primary"  # primary | danger | secondary
    # Extra condition on the item (e.g. a no-show only once the slot has started).
    offered_if: Callable | None = None
    # An API answer other than the item's detail: respond(item detail, result) → dict.
    respond: Callable | None = None
    summary: str = ""  # the API operation's summary (default: "label / name in words")
    description: str = ""  # the API operation's description (default: the summary)
    request_component: str | None = None  # the OpenAPI component name of `input`
    response: object = None  # the OpenAPI response of 200 (default: the detail serializer)
    confirm: str = ""  # text of a confirmation step before the form is sent

    def __post_init__(self):
        # A table says `statuses=Status.X` for one status, or any collection of them.
        statuses = self.statuses
        if isinstance(statuses, str):
            statuses = {statuses}
        object.__setattr__(self, "statuses", frozenset(statuses))
        object.__setattr__(self, "roles", frozenset(self.roles))
        if self.api_path == FROM_NAME:
            object.__setattr__(self, "api_path", self.name.replace("_", "-"))

    @property
    def api_summary(self) -> str:
        """The API operation's summary: given, or the label (in Chinese) and the name."""
        if self.summary:
            return self.summary
        with translation.override(None):
            return f"{self.label} / {self.name.replace('_', ' ')}"


def call(service: Callable, *fields: str, **named_fields: str) -> Callable:
    """An action's `perform` for the usual service: service(item, by, data[field], …,
    name=data[field], …) — e.g. `call(services.reject, "reason")`."""

    def perform(item, by, data, request):
        named = {name: data[field] for name, field in named_fields.items()}
        return service(item, by, *(data[field] for field in fields), **named)

    return perform


class Workflow:
    """A workflow's table of actions and how its items are found for a person."""

    def __init__(self, *, name: str, get_for: Callable, actions: Iterable[Action]):
        self.name = name
        self.get_for = get_for  # (user, pk) → item, or NotFound
        self.actions = {action.name: action for action in actions}

    def available(self, item: WorkflowItem, user) -> list[Action]:
        """The actions `user` is offered on `item` now (by the roles they hold on it), in
        table order."""
        roles = item.roles_of(user)
        return [
            action
            for action in self.actions.values()
            if item.status in action.statuses
            and roles & action.roles
            and (action.offered_if is None or action.offered_if(item))
        ]

    def flags(self, item, user) -> dict[str, bool]:
        """{action name: offered?} for templates: `{% if can.approve %}`."""
        offered = {action.name for action in self.available(item, user)}
        return {name: name in offered for name in self.actions}
