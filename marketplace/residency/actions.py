"""What a person can do to a residency application: the table behind the pages, the API and
the buttons. Members of the incubator's institution decide; the applicant may withdraw;
platform moderators only read."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from marketplace.accounts.permissions import Role, roles_of
from marketplace.workflow import Action, Workflow

from . import services
from .models import Application, Status

OWNER = frozenset({Role.OWNER})
MEMBER = frozenset({Role.MEMBER})
UNDECIDED = frozenset({Status.SUBMITTED, Status.UNDER_REVIEW})


class ResidencyAcceptRequestSerializer(serializers.Serializer):
    workstations = serializers.IntegerField(min_value=1, max_value=services.MAX_WORKSTATIONS)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ResidencyRejectRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class ResidencyCommentRequestSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=services.MAX_COMMENT_LENGTH)


def _roles(user, application: Application) -> frozenset:
    return roles_of(
        user,
        owner_id=application.applicant_id,
        institution_id=application.incubator.institution_id,
    )


RESIDENCY_ACTIONS = Workflow(
    name="application",
    get_for=services.get_application_for,
    roles_of=_roles,
    actions=[
        Action(
            name="review",
            label=_("开始审核"),
            perform=lambda application, by, data, request: services.start_review(application, by),
            roles=MEMBER,
            statuses=frozenset({Status.SUBMITTED}),
            api_path="review",
            summary="开始审核 / start reviewing (members)",
        ),
        Action(
            name="accept",
            label=_("录取并分配工位"),
            perform=lambda application, by, data, request: services.accept(
                application, by, data["workstations"], data["reason"]
            ),
            roles=MEMBER,
            statuses=UNDECIDED,
            input=ResidencyAcceptRequestSerializer,
            api_path="accept",
            summary="录取并分配工位 / accept and allocate workstations (members)",
        ),
        Action(
            name="reject",
            label=_("不予录取"),
            perform=lambda application, by, data, request: services.reject(
                application, by, data["reason"]
            ),
            roles=MEMBER,
            statuses=UNDECIDED,
            input=ResidencyRejectRequestSerializer,
            api_path="reject",
            style="danger",
            summary="不予录取 / reject with a reason (members)",
        ),
        Action(
            name="withdraw",
            label=_("撤回申请"),
            perform=lambda application, by, data, request: services.withdraw(application, by),
            roles=OWNER,
            statuses=UNDECIDED | {Status.ACCEPTED},
            api_path="withdraw",
            style="secondary",
            summary="撤回申请 / withdraw (applicant)",
        ),
        Action(
            name="move_in",
            label=_("确认已入驻"),
            perform=lambda application, by, data, request: services.mark_moved_in(application, by),
            roles=MEMBER,
            statuses=frozenset({Status.ACCEPTED}),
            api_path="move-in",
            summary="确认入驻 / mark as moved in (members)",
        ),
        # An internal note, in any status; the API's POST …/comments/ answers 201 with the
        # comment, so it stays its own endpoint.
        Action(
            name="comment",
            label=_("保存意见"),
            perform=lambda application, by, data, request: services.add_comment(
                application, by, data["text"]
            ),
            roles=MEMBER,
            statuses=frozenset(Status.values),
            input=ResidencyCommentRequestSerializer,
        ),
    ],
)
