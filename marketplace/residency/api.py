"""入孵申请 API (API.md, "Workflows" → incubator applications): thin views over the services.

Internal review comments appear only in the detail seen by members of the incubator's
institution (`comments`); the applicant's detail, every list and every notice leave them out.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
)
from rest_framework import serializers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.accounts.validators import validate_credit_code
from marketplace.api import (
    WORKFLOW_ERRORS,
    LocalTimeField,
    TransitionSerializer,
    file_download,
    validated,
    workflow_urlpatterns,
)
from marketplace.api_views import ListView, list_schema
from marketplace.catalogue.models import Incubator
from marketplace.uploads import RawNameMultiPartParser, serve_private
from marketplace.workflow import NotFound

from . import services
from .actions import RESIDENCY_ACTIONS, ResidencyCommentRequestSerializer
from .models import (
    APPLICANT_FIELDS,
    MAX_SUMMARY_LENGTH,
    MAX_TEAM_SIZE,
    Application,
    ApplicationComment,
    ApplicationTransition,
    Stage,
    Status,
)

TAGS = ["residency"]


# --- Serializers ---------------------------------------------------------------------------


class ResidencyTransitionSerializer(TransitionSerializer):
    class Meta(TransitionSerializer.Meta):
        model = ApplicationTransition


class ResidencyCommentSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    created_at = LocalTimeField()

    class Meta:
        model = ApplicationComment
        fields = ["id", "author", "text", "created_at"]

    def get_author(self, obj) -> str | None:
        return obj.author.get_username() if obj.author else None


class ResidencyApplicationSerializer(serializers.ModelSerializer):
    incubator = serializers.CharField(source="incubator.code")
    incubator_name = serializers.CharField(source="incubator.name")
    has_business_plan = serializers.SerializerMethodField()
    created_at = LocalTimeField()
    updated_at = LocalTimeField()
    moved_in_at = LocalTimeField(allow_null=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "incubator",
            "incubator_name",
            "status",
            *APPLICANT_FIELDS,
            "has_business_plan",
            "business_plan_name",
            "workstations_allocated",
            "decision_reason",
            "created_at",
            "updated_at",
            "moved_in_at",
        ]

    def get_has_business_plan(self, obj) -> bool:
        return bool(obj.business_plan)


class ResidencyApplicationDetailSerializer(ResidencyApplicationSerializer):
    transitions = ResidencyTransitionSerializer(many=True)
    comments = ResidencyCommentSerializer(
        many=True,
        required=False,
        help_text="Internal review comments; present only for the incubator's institution.",
    )

    class Meta(ResidencyApplicationSerializer.Meta):
        fields = [*ResidencyApplicationSerializer.Meta.fields, "transitions", "comments"]


class ResidencyApplicationRequestSerializer(serializers.Serializer):
    company_name = serializers.CharField(max_length=200)
    contact_name = serializers.CharField(max_length=100)
    contact_phone = serializers.CharField(max_length=30)
    team_size = serializers.IntegerField(min_value=1, max_value=MAX_TEAM_SIZE)
    business_summary = serializers.CharField(max_length=MAX_SUMMARY_LENGTH)
    credit_code = serializers.CharField(
        max_length=18, required=False, allow_blank=True, validators=[validate_credit_code]
    )
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    stage = serializers.ChoiceField(choices=Stage.choices, required=False)


class ResidencyApplicationUploadSerializer(ResidencyApplicationRequestSerializer):
    business_plan = serializers.FileField(
        required=False, help_text="PDF, at most ATTACHMENT_MAX_BYTES (10 MiB)"
    )


# --- Helpers -------------------------------------------------------------------------------


def _detail_queryset():
    return Application.objects.select_related(
        "incubator__institution", "applicant"
    ).prefetch_related(
        Prefetch("transitions", queryset=ApplicationTransition.objects.order_by("at", "pk"))
    )


def application_detail(application: Application, user) -> dict:
    application = _detail_queryset().get(pk=application.pk)
    data = ResidencyApplicationDetailSerializer(application).data
    if services.reads_comments(user, application):
        data["comments"] = ResidencyCommentSerializer(
            application.comments.select_related("author"), many=True
        ).data
    else:
        data.pop("comments", None)
    return data


class _IgnoreAccept(DefaultContentNegotiation):
    """A download answers with the PDF or a JSON error whatever the client's Accept says."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


# --- Views ---------------------------------------------------------------------------------


class IncubatorApplicationsView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, RawNameMultiPartParser]

    @extend_schema(
        request={
            "application/json": ResidencyApplicationRequestSerializer,
            "multipart/form-data": ResidencyApplicationUploadSerializer,
        },
        responses={201: ResidencyApplicationDetailSerializer, **WORKFLOW_ERRORS},
        summary="申请入孵 / apply for residency at an incubator",
        operation_id="residency_apply",
        tags=TAGS,
    )
    def post(self, request, code: str):
        incubator = Incubator.objects.published_or_raise(
            code, NotFound(gettext("孵化载体不存在"), "not_found")
        )
        data = dict(validated(ResidencyApplicationUploadSerializer, request.data))
        business_plan = data.pop("business_plan", None)
        application = services.submit_application(request.user, incubator, data, business_plan)
        return Response(
            application_detail(application, request.user), status=status.HTTP_201_CREATED
        )


@list_schema(
    "ResidencyPaginatedApplicationList",
    ResidencyApplicationSerializer,
    parameters=[
        OpenApiParameter("status", str, enum=Status.values, required=False),
        OpenApiParameter("page", int, required=False),
        OpenApiParameter("page_size", int, required=False),
    ],
    summary="入孵申请列表 / residency applications (own, or the institution's)",
    operation_id="residency_applications_list",
    tags=TAGS,
)
class ApplicationListView(ListView):
    serializer_class = ResidencyApplicationSerializer

    def rows(self, request):
        applications = Application.objects.visible_to(request.user).order_by("-created_at", "-pk")
        wanted = request.query_params.get("status")
        if wanted in Status.values:
            applications = applications.filter(status=wanted)
        return applications


class CommentsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=ResidencyCommentRequestSerializer,
        responses={201: ResidencyCommentSerializer, **WORKFLOW_ERRORS},
        summary="内部审核意见 / add an internal review comment (members; never shown to the applicant)",
        operation_id="residency_applications_comment",
        tags=TAGS,
    )
    def post(self, request, pk: int):
        application = services.get_application_for(request.user, pk)
        comment = services.add_comment(
            application,
            request.user,
            validated(ResidencyCommentRequestSerializer, request.data)["text"],
        )
        return Response(ResidencyCommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class BusinessPlanView(APIView):
    permission_classes = [IsAuthenticated]
    content_negotiation_class = _IgnoreAccept

    @extend_schema(
        responses=file_download("application/pdf"),
        summary="下载商业计划书 / download the business plan (applicant or members)",
        operation_id="residency_applications_business_plan",
        tags=TAGS,
    )
    def get(self, request, pk: int):
        application = services.get_application_for(request.user, pk)
        if not application.business_plan:
            raise NotFound(gettext("未上传商业计划书"), "not_found")
        return serve_private(
            application.business_plan,
            application.business_plan_name or f"business-plan-{application.pk}.pdf",
        )


# GET and POST {prefix}/, GET {prefix}/<pk>/ and its actions (included by urls_api).
urlpatterns = workflow_urlpatterns(
    RESIDENCY_ACTIONS,
    "applications",
    ApplicationListView,
    application_detail,
    ResidencyApplicationDetailSerializer,
    tags=TAGS,
    operation_prefix="residency_applications",
    detail_summary="入孵申请详情 / one residency application with its history",
)
