"""入孵申请 API (API.md, "Workflows" → incubator applications): thin views over the services.

Internal review comments appear only in the detail seen by members of the incubator's
institution (`comments`); the applicant's detail, every list and every notice leave them out.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext
from drf_spectacular.utils import (
    OpenApiParameter,
)
from rest_framework import serializers, status

from marketplace.accounts.validators import validate_credit_code
from marketplace.api import HasFileField, ModelSerializer, file_download, transition_serializer
from marketplace.api_views import Endpoint, ListView, endpoint_urlpatterns, workflow_urlpatterns
from marketplace.catalogue.models import Incubator
from marketplace.uploads import UPLOAD_PARSERS, serve_private
from marketplace.workflow import NotFound, call

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


ResidencyTransitionSerializer = transition_serializer(
    "ResidencyTransitionSerializer", ApplicationTransition
)


class ResidencyCommentSerializer(ModelSerializer):
    author = serializers.SerializerMethodField()

    class Meta:
        model = ApplicationComment
        fields = ["id", "author", "text", "created_at"]

    def get_author(self, obj) -> str | None:
        return obj.author.get_username() if obj.author else None


class ResidencyApplicationSerializer(ModelSerializer):
    incubator = serializers.CharField(source="incubator.code")
    incubator_name = serializers.CharField(source="incubator.name")
    has_business_plan = HasFileField(source="business_plan")

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
    return Application.objects.for_pages().prefetch_related(
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


# --- Views ---------------------------------------------------------------------------------


class ApplicationListView(ListView):
    serializer_class = ResidencyApplicationSerializer

    def rows(self, request):
        applications = (
            Application.objects.visible_to(request.user).for_pages().order_by("-created_at", "-pk")
        )
        wanted = request.query_params.get("status")
        if wanted in Status.values:
            applications = applications.filter(status=wanted)
        return applications


def _submit(incubator, user, data: dict, request) -> Application:
    data = dict(data)
    business_plan = data.pop("business_plan", None)
    return services.submit_application(user, incubator, data, business_plan)


def _business_plan(application, result, user):
    if not application.business_plan:
        raise NotFound(gettext("未上传商业计划书"), "not_found")
    return serve_private(
        application.business_plan,
        application.business_plan_name or f"business-plan-{application.pk}.pdf",
    )


ENDPOINTS = [
    Endpoint("incubators/<str:code>/applications/", "incubator-applications",
             lambda user, code: Incubator.objects.published_or_raise(
                 code, NotFound(gettext("孵化载体不存在"), "not_found")),
             _submit,
             lambda incubator, application, user: application_detail(application, user),
             input=ResidencyApplicationUploadSerializer, parsers=UPLOAD_PARSERS,
             request={"application/json": ResidencyApplicationRequestSerializer,
                      "multipart/form-data": ResidencyApplicationUploadSerializer},
             status=status.HTTP_201_CREATED, response=ResidencyApplicationDetailSerializer,
             summary="申请入孵 / apply for residency at an incubator",
             operation_id="residency_apply"),
    Endpoint("applications/<int:pk>/comments/", "application-comments",
             services.get_application_for, call(services.add_comment, "text"),
             lambda application, comment, user: ResidencyCommentSerializer(comment).data,
             input=ResidencyCommentRequestSerializer,
             status=status.HTTP_201_CREATED, response=ResidencyCommentSerializer,
             summary="内部审核意见 / add an internal review comment (members; never shown to "
             "the applicant)",
             operation_id="residency_applications_comment"),
    Endpoint("applications/<int:pk>/business-plan/", "application-business-plan",
             services.get_application_for, None, _business_plan, method="get",
             responses=file_download("application/pdf"), any_accept=True,
             summary="下载商业计划书 / download the business plan (applicant or members)",
             operation_id="residency_applications_business_plan"),
]  # fmt: skip


# The endpoints above, then GET and POST {prefix}/, GET {prefix}/<pk>/ and its actions.
urlpatterns = endpoint_urlpatterns(ENDPOINTS, tags=TAGS) + workflow_urlpatterns(
    RESIDENCY_ACTIONS,
    "applications",
    ApplicationListView,
    application_detail,
    ResidencyApplicationDetailSerializer,
    tags=TAGS,
    operation_prefix="residency_applications",
    detail_summary="入孵申请详情 / one residency application with its history",
    list_page="ResidencyPaginatedApplicationList",
    list_summary="入孵申请列表 / residency applications (own, or the institution's)",
    list_parameters=[
        OpenApiParameter("status", str, enum=Status.values, required=False),
        OpenApiParameter("page", int, required=False),
        OpenApiParameter("page_size", int, required=False),
    ],
)
