"""The residency-application workflow (入孵申请): every rule, permission and transition.

Views and API endpoints parse input, call one of these functions and render the result.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from marketplace.accounts import permissions
from marketplace.accounts.profile import require_profile
from marketplace.catalogue import capacity
from marketplace.catalogue.models import Incubator
from marketplace.notifications.services import transition_notices
from marketplace.uploads import validate_pdf
from marketplace.workflow import (
    Conflict,
    Forbidden,
    NotFound,
    RuleError,
    StateMachine,
    locked,
    require,
    required_text,
)

from .models import (
    APPLICANT_FIELDS,
    MAX_SUMMARY_LENGTH,
    OPEN_STATUSES,
    Application,
    ApplicationComment,
    Stage,
    Status,
)

# Allowed transitions: status → statuses it may move to. An accepted company may still withdraw
# before moving in; its workstations then go back to the incubator in the same transaction.
TRANSITIONS: dict[str, set[str]] = {
    Status.SUBMITTED: {Status.UNDER_REVIEW, Status.ACCEPTED, Status.REJECTED, Status.WITHDRAWN},
    Status.UNDER_REVIEW: {Status.ACCEPTED, Status.REJECTED, Status.WITHDRAWN},
    Status.ACCEPTED: {Status.MOVED_IN, Status.WITHDRAWN},
    Status.REJECTED: set(),
    Status.WITHDRAWN: set(),
    Status.MOVED_IN: set(),
}

MESSAGES = {
    Status.SUBMITTED: ("新的入孵申请待审核", "New residency application"),
    Status.UNDER_REVIEW: ("入孵申请进入审核", "Residency application under review"),
    Status.ACCEPTED: ("入孵申请已录取", "Residency application accepted"),
    Status.REJECTED: ("入孵申请未录取", "Residency application rejected"),
    Status.WITHDRAWN: ("入孵申请已撤回", "Residency application withdrawn"),
    Status.MOVED_IN: ("企业已入驻", "Company moved in"),
}

MAX_WORKSTATIONS = 10000
MAX_COMMENT_LENGTH = 2000
FIELDS = APPLICANT_FIELDS


# The other side hears about each transition, once; never anything internal.
APPLICATION_FLOW = StateMachine(
    TRANSITIONS,
    transition_notices(
        MESSAGES,
        fallback=("入孵申请状态已更新", "Application updated"),
        subject=lambda application: f"{application.company_name} → {application.incubator.name}",
    ),
)


# --- Permissions ---------------------------------------------------------------------------


def is_member(user, application: Application) -> bool:
    """Reviews for the incubator: a member of its institution (moderators only read)."""
    return permissions.is_member_of(user, application.incubator.institution_id)


def reads_comments(user, application: Application) -> bool:
    """The internal review comments: the institution's members and the platform's moderators
    (who read every application); never the applicant."""
    return is_member(user, application) or permissions.is_platform_moderator(user)


def is_applicant(user, application: Application) -> bool:
    return user.is_authenticated and application.applicant_id == user.pk


def get_application_for(user, pk: int) -> Application:
    """The application if the user applied or reviews it; NotFound for everyone else."""
    return Application.objects.readable(user, pk, gettext("入孵申请不存在"))


def _require_member(user, application: Application) -> None:
    require(
        is_member(user, application),
        gettext("只有孵化载体的管理单位可以执行此操作"),
        "members_only",
    )


# --- Applying ------------------------------------------------------------------------------


def _clean(application: Application) -> None:
    """Model validation as one bilingual refusal (400); forms and serializers check first."""
    try:
        application.full_clean(exclude=["incubator", "applicant", "business_plan", "status"])
    except ValidationError as exc:
        parts = [
            f"{Application._meta.get_field(field).verbose_name}: {' '.join(messages)}"
            for field, messages in exc.message_dict.items()
        ]
        raise RuleError(
            gettext("申请内容有误") + " — " + "; ".join(parts),
            "invalid_application",
        ) from None


def _refuse_if_already_applied(user, incubator: Incubator) -> None:
    if Application.objects.filter(
        incubator=incubator, applicant=user, status__in=OPEN_STATUSES
    ).exists():
        raise Conflict(
            gettext("您已向该载体提交了一份尚未结束的申请"),
            "already_applied",
        )


def submit_application(
    user, incubator: Incubator, data: dict[str, Any], business_plan=None
) -> Application:
    """File an application to a published incubator; the optional business plan must be a
    real PDF (checked before anything is stored). One open application per company user and
    incubator."""
    if not user.is_authenticated:
        raise Forbidden(gettext("请先登录"), "login_required")
    require_profile(user)
    if not incubator.live:
        raise NotFound(gettext("孵化载体不存在"), "not_found")
    values = {field: data.get(field) for field in FIELDS if data.get(field) is not None}
    values.setdefault("stage", Stage.IDEA)
    for field in ("company_name", "contact_name", "contact_phone", "business_summary"):
        values[field] = str(values.get(field, "")).strip()
    values["business_summary"] = values["business_summary"][: MAX_SUMMARY_LENGTH + 1]
    application = Application(
        incubator=incubator, applicant=user, status=Status.SUBMITTED, **values
    )
    _clean(application)
    # The cheap refusal first: a user with an open application cannot make us parse PDFs.
    _refuse_if_already_applied(user, incubator)
    safe_name = validate_pdf(business_plan, user=user) if business_plan is not None else ""
    with transaction.atomic():
        _refuse_if_already_applied(user, incubator)
        application.save()
        stored = ""
        try:
            if business_plan is not None:
                application.business_plan.save(safe_name, business_plan, save=False)
                stored = application.business_plan.name
                application.business_plan_name = safe_name
                application.save(update_fields=["business_plan", "business_plan_name"])
            APPLICATION_FLOW.record(application, "", user)
        except BaseException:
            if stored:
                application.business_plan.storage.delete(stored)
            raise
    return application


# --- Reviewing -----------------------------------------------------------------------------


@transaction.atomic
def start_review(application: Application, by) -> Application:
    application = locked(application)
    _require_member(by, application)
    return APPLICATION_FLOW.move(application, Status.UNDER_REVIEW, by)


@transaction.atomic
def accept(application: Application, by, workstations: int, reason: str = "") -> Application:
    """Accept and allocate `workstations`, taking them from the incubator's vacancies.

    The vacancy is a live counter outside the revisioned incubator listing
    (catalogue.IncubatorCapacity): it is decremented under a row lock in the transaction that
    accepts the application, so two managers accepting at once can never take it below zero
    (the second waits for the first and gets 409 if too few are left), and publishing any
    revision of the listing later never writes an old figure back.
    """
    application = locked(application)
    _require_member(by, application)
    if isinstance(workstations, bool) or not isinstance(workstations, int):
        raise RuleError(
            gettext("工位数必须是整数"),
            "workstations_invalid",
        )
    if not 1 <= workstations <= MAX_WORKSTATIONS:
        raise RuleError(
            gettext("工位数须在 1 到 %(MAX_WORKSTATIONS)s 之间")
            % {"MAX_WORKSTATIONS": MAX_WORKSTATIONS},
            "workstations_invalid",
        )
    reason = (reason or "").strip()[:500]
    if not APPLICATION_FLOW.allows(application.status, Status.ACCEPTED):
        raise APPLICATION_FLOW.refuse(application)
    capacity.take_workstations(application.incubator, workstations)
    application.workstations_allocated = workstations
    application.decision_reason = reason
    return APPLICATION_FLOW.move(
        application,
        Status.ACCEPTED,
        by,
        reason or f"workstations: {workstations}",
        update_fields=["workstations_allocated", "decision_reason"],
    )


@transaction.atomic
def reject(application: Application, by, reason: str) -> Application:
    application = locked(application)
    _require_member(by, application)
    reason = required_text(reason, gettext("请填写不录取的原因"), "reason_required")
    application.decision_reason = reason[:500]
    return APPLICATION_FLOW.move(
        application, Status.REJECTED, by, reason, update_fields=["decision_reason"]
    )


@transaction.atomic
def withdraw(application: Application, by) -> Application:
    """The applicant takes the application back; allocated workstations become vacant again."""
    application = locked(application)
    if not is_applicant(by, application):
        raise Forbidden(
            gettext("只有申请人可以撤回申请"),
            "applicant_only",
        )
    if not APPLICATION_FLOW.allows(application.status, Status.WITHDRAWN):
        raise APPLICATION_FLOW.refuse(application)
    returned = application.workstations_allocated
    if application.status == Status.ACCEPTED and returned:
        # Never above the total, which a manager may have lowered meanwhile.
        capacity.return_workstations(application.incubator, returned)
        application.workstations_allocated = 0
    return APPLICATION_FLOW.move(
        application,
        Status.WITHDRAWN,
        by,
        f"workstations returned: {returned}" if returned else "",
        update_fields=["workstations_allocated"],
    )


@transaction.atomic
def mark_moved_in(application: Application, by) -> Application:
    application = locked(application)
    _require_member(by, application)
    application.moved_in_at = timezone.now()
    if not APPLICATION_FLOW.allows(application.status, Status.MOVED_IN):
        raise APPLICATION_FLOW.refuse(application)
    return APPLICATION_FLOW.move(application, Status.MOVED_IN, by, update_fields=["moved_in_at"])


@transaction.atomic
def add_comment(application: Application, by, text: str) -> ApplicationComment:
    """An internal note for the reviewers; the applicant never sees it, nobody is notified."""
    application = locked(application)
    _require_member(by, application)
    text = required_text(text, gettext("意见不能为空"), "comment_required")
    if len(text) > MAX_COMMENT_LENGTH:
        raise RuleError(
            gettext("意见不能超过 %(MAX_COMMENT_LENGTH)s 字")
            % {"MAX_COMMENT_LENGTH": MAX_COMMENT_LENGTH},
            "comment_too_long",
        )
    return ApplicationComment.objects.create(application=application, author=by, text=text)
