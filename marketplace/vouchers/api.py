"""创新券 API under /api/v1/vouchers/: eligibility applications (apply with a PDF, read one's
own, the administrators' queue and their two-level review), the enterprise's balances, and at
checkout the voucher share of a booking or sample order, using it and withdrawing it. Thin
views over `services`;
refusals become 400/403/404/409 in the project's exception handler."""

from __future__ import annotations

from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api import WORKFLOW_ERRORS, MoneySerializer, local_iso
from marketplace.money import money_json
from marketplace.uploads import RawNameMultiPartParser
from marketplace.workflow import NotFound, RuleError

from . import services
from .models import Application, ApplicationStatus, Balance, Decision

TAGS = ["vouchers"]
# The API's names of the payables a voucher can be used on → their model names.
ITEMS = {"bookings": "booking", "sample-orders": "sampleorder"}
ITEM = OpenApiParameter(
    "item", str, OpenApiParameter.PATH, enum=list(ITEMS), description="bookings | sample-orders"
)


class BalanceSerializer(serializers.Serializer):
    programme = serializers.CharField()
    issuer = serializers.CharField()
    year = serializers.IntegerField()
    subsidy_percent = serializers.CharField()
    granted = MoneySerializer()
    available = MoneySerializer()
    committed = MoneySerializer()
    spent = MoneySerializer()


class BalancesSerializer(serializers.Serializer):
    enterprise = serializers.CharField(allow_null=True)
    balances = BalanceSerializer(many=True)


class CheckoutSerializer(serializers.Serializer):
    eligible = serializers.BooleanField()
    used = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True)
    price = MoneySerializer()
    voucher_share = MoneySerializer()
    payer_share = MoneySerializer()
    programme = serializers.CharField(allow_null=True)


def balance_json(balance: Balance) -> dict:
    programme = balance.programme
    return {
        "programme": programme.name,
        "issuer": programme.issuer,
        "year": balance.year,
        "subsidy_percent": f"{programme.subsidy_percent.normalize():f}",
        "granted": money_json(balance.granted),
        "available": money_json(balance.available),
        "committed": money_json(balance.committed),
        "spent": money_json(balance.spent),
    }


def checkout_json(shown: dict) -> dict:
    balance = shown["balance"]
    return {
        "eligible": shown["eligible"],
        "used": shown["use"] is not None,
        "reason": shown["reason"],
        "price": money_json(shown["price"]),
        "voucher_share": money_json(shown["share"]),
        "payer_share": money_json(shown["payer_share"]),
        "programme": balance.programme.name if balance is not None else None,
    }


def item_for(user, item: str, pk: int):
    """The user's own booking or sample order (the payer's), else 404."""
    model = services.payable_model(ITEMS.get(item, ""))
    found = model.objects.filter(pk=pk, user=user).first() if model is not None else None
    if found is None:
        raise NotFound(gettext("未找到该服务"))
    return found


class BalancesView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: BalancesSerializer, **WORKFLOW_ERRORS},
        summary="本企业的创新券余额 / my enterprise's voucher balances",
        operation_id="vouchers_balances",
        tags=TAGS,
    )
    def get(self, request):
        enterprise = services.enterprise_of(request.user)
        balances = services.balances_of(enterprise)
        return Response(
            {
                "enterprise": enterprise.name if enterprise else None,
                "balances": [balance_json(balance) for balance in balances],
            }
        )


class CheckoutView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[ITEM],
        responses={200: CheckoutSerializer, **WORKFLOW_ERRORS},
        summary="付款前的创新券抵扣与自付金额 / the voucher share and the payer's share",
        operation_id="vouchers_checkout",
        tags=TAGS,
    )
    def get(self, request, item: str, pk: int):
        found = item_for(request.user, item, pk)
        return Response(checkout_json(services.quote(found, request.user)))


def checkout_action(service, summary: str, operation_id: str) -> type[APIView]:
    """POST …/use/ or …/withdraw/: the service on the payer's item, answered with its
    checkout share as it now stands."""

    class CheckoutActionView(APIView):
        permission_classes = [IsAuthenticated]

        @extend_schema(
            parameters=[ITEM],
            request=None,
            responses={200: CheckoutSerializer, **WORKFLOW_ERRORS},
            summary=summary,
            operation_id=operation_id,
            tags=TAGS,
        )
        def post(self, request, item: str, pk: int):
            found = item_for(request.user, item, pk)
            service(found, request.user)
            return Response(checkout_json(services.quote(found, request.user)))

    return CheckoutActionView


UseView = checkout_action(
    services.use_voucher, "使用创新券（付款前）/ use the voucher (before paying)", "vouchers_use"
)
WithdrawView = checkout_action(
    services.withdraw_voucher,
    "撤回创新券（付款前）/ withdraw the voucher (before paying)",
    "vouchers_withdraw",
)


# --- Eligibility applications ----------------------------------------------------------------


class VoucherReviewLevelSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices, allow_blank=True)
    comment = serializers.CharField(allow_blank=True)
    at = serializers.DateTimeField(allow_null=True)


class VoucherApplicationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    programme = serializers.CharField()
    enterprise = serializers.CharField()
    credit_code = serializers.CharField()
    year = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ApplicationStatus.choices)
    status_label = serializers.CharField()
    document_name = serializers.CharField()
    created_at = serializers.DateTimeField()
    prefecture = VoucherReviewLevelSerializer()
    province = VoucherReviewLevelSerializer()


class VoucherApplyInput(serializers.Serializer):
    programme = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    name = serializers.CharField(max_length=200)
    credit_code = serializers.CharField(max_length=18)
    document = serializers.FileField()


class VoucherReviewInput(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


def application_json(application: Application) -> dict:
    def level(prefix: str) -> dict:
        return {
            "decision": getattr(application, f"{prefix}_decision"),
            "comment": getattr(application, f"{prefix}_comment"),
            "at": local_iso(getattr(application, f"{prefix}_at")),
        }

    return {
        "id": application.pk,
        "programme": application.programme.name,
        "enterprise": application.enterprise.name,
        "credit_code": application.enterprise.credit_code,
        "year": application.year,
        "status": application.status,
        "status_label": application.get_status_display(),
        "document_name": application.document_name,
        "created_at": local_iso(application.created_at),
        "prefecture": level("prefecture"),
        "province": level("province"),
    }


def applications_json(rows) -> list[dict]:
    return [application_json(row) for row in rows.select_related("programme", "enterprise")[:200]]


class ApplicationsView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [RawNameMultiPartParser, JSONParser]

    @extend_schema(
        responses={200: VoucherApplicationSerializer(many=True), **WORKFLOW_ERRORS},
        summary="本企业的创新券资格申请 / my enterprise's eligibility applications",
        operation_id="vouchers_applications_list",
        tags=TAGS,
    )
    def get(self, request):
        rows = services.applications_of(request.user).order_by("-created_at", "-pk")
        return Response(applications_json(rows))

    @extend_schema(
        request={"multipart/form-data": VoucherApplyInput},
        responses={201: VoucherApplicationSerializer, **WORKFLOW_ERRORS},
        summary="申请创新券（上传 PDF 材料）/ apply for a voucher (with a PDF)",
        operation_id="vouchers_applications_create",
        tags=TAGS,
    )
    def post(self, request):
        body = VoucherApplyInput(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        programme = services.open_programmes().filter(pk=data["programme"]).first()
        if programme is None:
            raise RuleError(gettext("该项目当前不受理申请"), "programme", field="programme")
        application = services.apply(
            request.user,
            programme,
            name=data["name"],
            credit_code=data["credit_code"],
            document=data["document"],
        )
        return Response(application_json(application), status=201)


class PendingApplicationsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: VoucherApplicationSerializer(many=True), **WORKFLOW_ERRORS},
        summary="待审核的资格申请（先到先审）/ applications awaiting review, oldest first",
        operation_id="vouchers_applications_pending",
        tags=TAGS,
    )
    def get(self, request):
        return Response(applications_json(services.pending_applications(request.user)))


class ReviewView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=VoucherReviewInput,
        responses={200: VoucherApplicationSerializer, **WORKFLOW_ERRORS},
        summary="审核资格申请（先州市后省级）/ review an application (州市, then 省)",
        operation_id="vouchers_applications_review",
        tags=TAGS,
    )
    def post(self, request, pk: int):
        application = services.readable_application(request.user, pk)
        body = VoucherReviewInput(data=request.data)
        body.is_valid(raise_exception=True)
        reviewed = services.review(application, request.user, **body.validated_data)
        return Response(application_json(reviewed))
