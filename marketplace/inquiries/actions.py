"""What a person can do to a technology inquiry: the table behind the pages, the API and the
buttons. Both parties talk and may close; members of the technology's institution record the
deal and open the NDA details; platform moderators read, and may close with a stated reason."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from marketplace.accounts.permissions import Role
from marketplace.api import reason_serializer
from marketplace.workflow import Action, Workflow, call

from . import services
from .models import ACTIVE_STATUSES, Inquiry, Status

OWNER = frozenset({Role.OWNER})
MEMBER = frozenset({Role.MEMBER})


class InquiryReplySerializer(serializers.Serializer):
    message = serializers.CharField(max_length=services.MAX_MESSAGE)


class InquiryAgreeSerializer(serializers.Serializer):
    mode = serializers.CharField(
        max_length=32, help_text="transfer, license, equity or joint_development"
    )
    amount = serializers.CharField(
        max_length=20, help_text='decimal string in yuan (CNY), e.g. "150000.00"; ≥ 0'
    )
    contract_date = serializers.DateField(help_text="YYYY-MM-DD, not in the future")
    registration_no = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default="", help_text="技术合同登记号"
    )


InquiryCloseSerializer = reason_serializer(
    "InquiryCloseSerializer", required=False, max_length=services.MAX_REASON
)


def _nda_not_yet_opened(inquiry: Inquiry) -> bool:
    return inquiry.technology.details_under_nda and not inquiry.details_access_granted


INQUIRY_ACTIONS = Workflow(
    name="inquiry",
    get_for=services.get_inquiry_for,
    actions=[
        Action("reply", _("回复"), call(services.post_message, "message"), OWNER | MEMBER,
               ACTIVE_STATUSES, input=InquiryReplySerializer, summary="回复 / Post to the thread",
               description="Members of the technology's institution reply; the inquirer posts "
               "to the same thread through this endpoint too. The institution's first reply "
               "moves open → negotiating. 409 once the inquiry is agreed or closed."),
        Action("agree", _("记录成交"),
               call(services.record_deal, "mode", "amount", "contract_date", "registration_no"),
               MEMBER, Status.NEGOTIATING, input=InquiryAgreeSerializer,
               summary="记录成交 / Record the deal",
               description="Members only (403 for the inquirer); negotiating → agreed, else 409."),
        Action("close", _("关闭洽谈"), call(services.close, "reason"),
               OWNER | MEMBER | {Role.MODERATOR}, ACTIVE_STATUSES, input=InquiryCloseSerializer,
               style="secondary", summary="关闭洽谈 / Close without a deal",
               description="Either side, with an optional reason; 409 once agreed or closed."),
        Action("grant", _("向意向方开放详细资料"), call(services.grant_details_access), MEMBER,
               {Status.OPEN, Status.NEGOTIATING, Status.AGREED}, offered_if=_nda_not_yet_opened,
               api_path="grant-details", summary="开放详细资料 / Grant access to the NDA details",
               description="Members only; 400 when the technology's details are not under NDA, "
               "409 when the inquiry is closed. Granting twice changes nothing."),
    ],
)  # fmt: skip
