"""Technology inquiries API (API.md, "Workflows"): thin views over the inquiry services.

Every refusal comes from a service as a WorkflowError and is turned into its response by the
project's exception handler (config.api).
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, status

from marketplace.api import ModelSerializer, MoneySerializer, transition_serializer, validated
from marketplace.api_views import Endpoint, ListView, endpoint_urlpatterns, workflow_urlpatterns
from marketplace.catalogue.models import Technology
from marketplace.catalogue.vocabularies import TransferMode
from marketplace.money import money_json
from marketplace.workflow import NotFound

from . import services
from .actions import INQUIRY_ACTIONS
from .models import Inquiry, InquiryMessage, InquiryTransition

TAGS = ["inquiries"]


class InquiryMessageSerializer(ModelSerializer):
    author = serializers.CharField(source="author.get_username")
    from_institution = serializers.SerializerMethodField(
        help_text="true when a member of the technology's institution wrote it"
    )

    class Meta:
        model = InquiryMessage
        fields = ["id", "author", "from_institution", "body", "created_at"]

    def get_from_institution(self, obj) -> bool:
        # Members may not inquire on their own listings, so anyone but the inquirer speaks for
        # the institution.
        return obj.author_id != obj.inquiry.inquirer_id


InquiryTransitionSerializer = transition_serializer(
    "InquiryTransitionSerializer", InquiryTransition
)


class InquiryDealSerializer(serializers.Serializer):
    mode = serializers.CharField()
    amount = MoneySerializer()
    contract_date = serializers.DateField()
    registration_no = serializers.CharField(allow_blank=True)


class InquirySerializer(ModelSerializer):
    technology = serializers.CharField(source="technology.code")
    technology_title = serializers.CharField(source="technology.title")
    institution = serializers.CharField(source="technology.institution.name")
    inquirer = serializers.CharField(source="inquirer.get_username")
    # Plain strings, not enums, so the schema's enum names do not collide with other workflows.
    intended_mode = serializers.CharField(help_text="transfer, license, equity, joint_development")
    status = serializers.CharField(help_text="open, negotiating, agreed, closed")
    status_name = serializers.CharField(source="get_status_display")
    deal = serializers.SerializerMethodField()
    details_under_nda = serializers.BooleanField(source="technology.details_under_nda")
    details_access_granted = serializers.BooleanField()

    class Meta:
        model = Inquiry
        fields = [
            "id",
            "technology",
            "technology_title",
            "institution",
            "inquirer",
            "intended_mode",
            "status",
            "status_name",
            "message",
            "deal",
            "closed_reason",
            "details_under_nda",
            "details_access_granted",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(InquiryDealSerializer(allow_null=True))
    def get_deal(self, obj):
        if obj.deal_amount is None:
            return None
        return {
            "mode": obj.deal_mode,
            "amount": money_json(obj.deal_amount),
            "contract_date": obj.contract_date.isoformat(),
            "registration_no": obj.contract_registration_no,
        }


class InquiryDetailSerializer(InquirySerializer):
    messages = InquiryMessageSerializer(many=True)
    transitions = InquiryTransitionSerializer(many=True)
    technology_details = serializers.SerializerMethodField(
        help_text="技术详细资料：成果单位成员可见；保密时意向方获准后可见，否则为 null / the "
        "technology's full details: members always; under NDA the inquirer once granted, else null"
    )

    class Meta(InquirySerializer.Meta):
        fields = [*InquirySerializer.Meta.fields, "technology_details", "messages", "transitions"]

    def get_technology_details(self, obj) -> str | None:
        if services.can_see_details(self.context["user"], obj):
            return obj.technology.details
        return None


class InquiryCreateSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=services.MAX_MESSAGE)
    intended_mode = serializers.ChoiceField(
        choices=TransferMode.choices, help_text="one of the technology's transfer_modes"
    )


def _detail_queryset():
    return Inquiry.objects.for_pages().prefetch_related(
        Prefetch("messages", queryset=InquiryMessage.objects.select_related("author")),
        Prefetch("transitions", queryset=InquiryTransition.objects.order_by("at", "pk")),
    )


def inquiry_detail(inquiry: Inquiry, user) -> dict:
    """The inquiry as `user` sees it in the API: the details under NDA only if they may."""
    inquiry = _detail_queryset().get(pk=inquiry.pk)
    return InquiryDetailSerializer(inquiry, context={"user": user}).data


def _open_inquiry(technology, user, data: dict, request) -> Inquiry:
    # A body that is not an object is read as an empty one: its fields are missing.
    body = request.data if isinstance(request.data, dict) else {}
    data = validated(InquiryCreateSerializer, body)
    return services.open_inquiry(user, technology, data["message"], data["intended_mode"])


ENDPOINTS = [
    Endpoint("technologies/<str:code>/inquiries/", "technology-inquiries",
             lambda user, code: Technology.objects.published_or_raise(
                 code, NotFound(gettext("科技成果不存在"), "not_found")),
             _open_inquiry,
             lambda technology, inquiry, user: InquirySerializer(
                 Inquiry.objects.for_pages().get(pk=inquiry.pk)).data,
             request=InquiryCreateSerializer,
             status=status.HTTP_201_CREATED, response=InquirySerializer,
             summary="发起意向洽谈 / Send a technology inquiry", operation_id="inquiries_create",
             description="403 for members of the technology's own institution; 409 when the "
             "user already has an open or negotiating inquiry on it; 404 for unknown or "
             "unpublished technologies."),
]  # fmt: skip


class InquiryListView(ListView):
    serializer_class = InquirySerializer

    def rows(self, request):
        visible = Inquiry.objects.visible_to(request.user)
        return visible.for_pages().order_by("-updated_at", "-pk")


# The endpoints above, then GET and POST {prefix}/, GET {prefix}/<pk>/ and its actions.
urlpatterns = endpoint_urlpatterns(ENDPOINTS, tags=TAGS) + workflow_urlpatterns(
    INQUIRY_ACTIONS,
    "inquiries",
    InquiryListView,
    inquiry_detail,
    InquiryDetailSerializer,
    tags=TAGS,
    operation_prefix="inquiries",
    detail_summary="洽谈详情与留言 / An inquiry with its thread and history",
    list_page="InquiryPaginatedList",
    list_summary="我的洽谈 / Inquiries I sent or my institution received",
)
