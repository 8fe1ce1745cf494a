"""What a person can do to a residency application: the table behind the pages, the API and
the buttons. Members of the incubator's institution decide; the applicant may withdraw;
platform moderators only read."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from marketplace.accounts.permissions import Role
from marketplace.api import reason_serializer
from marketplace.workflow import Action, Workflow, call

from . import services
from .models import Status

OWNER = frozenset({Role.OWNER})
MEMBER = frozenset({Role.MEMBER})
UNDECIDED = frozenset({Status.SUBMITTED, Status.UNDER_REVIEW})


class ResidencyAcceptRequestSerializer(serializers.Serializer):
    workstations = serializers.IntegerField(min_value=1, max_value=services.MAX_WORKSTATIONS)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


ResidencyRejectRequestSerializer = reason_serializer(
    "ResidencyRejectRequestSerializer", required=True
)


class ResidencyCommentRequestSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=services.MAX_COMMENT_LENGTH)


RESIDENCY_ACTIONS = Workflow(
    name="application",
    get_for=services.get_application_for,
    actions=[
        Action("review", _("开始审核"), call(services.start_review), MEMBER, Status.SUBMITTED,
               summary="开始审核 / start reviewing (members)"),
        Action("accept", _("录取并分配工位"), call(services.accept, "workstations", "reason"), MEMBER,
               UNDECIDED, input=ResidencyAcceptRequestSerializer,
               summary="录取并分配工位 / accept and allocate workstations (members)"),
        Action("reject", _("不予录取"), call(services.reject, "reason"), MEMBER, UNDECIDED,
               input=ResidencyRejectRequestSerializer, style="danger",
               summary="不予录取 / reject with a reason (members)"),
        Action("withdraw", _("撤回申请"), call(services.withdraw), OWNER,
               UNDECIDED | {Status.ACCEPTED}, style="secondary",
               summary="撤回申请 / withdraw (applicant)"),
        Action("move_in", _("确认已入驻"), call(services.mark_moved_in), MEMBER, Status.ACCEPTED,
               summary="确认入驻 / mark as moved in (members)"),
        # An internal note, in any status; the API's POST …/comments/ answers 201 with the
        # comment, so it stays its own endpoint.
        Action("comment", _("保存意见"), call(services.add_comment, "text"), MEMBER, Status.values,
               input=ResidencyCommentRequestSerializer, api_path=None),
    ],
)  # fmt: skip
