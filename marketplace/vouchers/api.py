"""创新券 API under /api/v1/vouchers/: eligibility applications (apply with a PDF, read one's
own, the administrators' queue and their two-level review), the enterprise's balances, and at
checkout the voucher share of a booking or sample order, using it and withdrawing it. Thin
views over `services`;
refusals become 400/403/404/409 in the project's exception handler."""

from __future__ import annotations

from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from marketplace.api import MoneySerializer, local_iso
from marketplace.api_views import Endpoint, endpoint_urlpatterns
from marketplace.money import money_json
from marketplace.uploads import UPLOAD_PARSERS
from marketplace.workflow import NotFound, RuleError, call

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


def _balances(enterprise, result, user) -> dict:
    return {
        "enterprise": enterprise.name if enterprise else None,
        "balances": [balance_json(balance) for balance in services.balances_of(enterprise)],
    }


def _checkout(found, result, user) -> dict:
    """The item's voucher share and payer's share as they now stand."""
    return checkout_json(services.quote(found, user))


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


def _apply(nothing, user, data: dict, request) -> Application:
    programme = services.open_programmes().filter(pk=data["programme"]).first()
    if programme is None:
        raise RuleError(gettext("该项目当前不受理申请"), "programme", field="programme")
    return services.apply(
        user,
        programme,
        name=data["name"],
        credit_code=data["credit_code"],
        document=data["document"],
    )


def _application(application, reviewed: Application, user) -> dict:
    return application_json(reviewed)


def _own_applications(nothing, result, user) -> list[dict]:
    return applications_json(services.applications_of(user).order_by("-created_at", "-pk"))


APPLICATIONS = VoucherApplicationSerializer(many=True)
CHECKOUT = {"response": CheckoutSerializer, "parameters": [ITEM]}
ENDPOINTS = [
    Endpoint("vouchers/applications/", "voucher-applications", None, None, _own_applications,
             method="get", response=APPLICATIONS,
             summary="本企业的创新券资格申请 / my enterprise's eligibility applications",
             operation_id="vouchers_applications_list"),
    Endpoint("vouchers/applications/", "voucher-applications", None, _apply, _application,
             input=VoucherApplyInput, request={"multipart/form-data": VoucherApplyInput},
             parsers=UPLOAD_PARSERS, status=201, response=VoucherApplicationSerializer,
             summary="申请创新券（上传 PDF 材料）/ apply for a voucher (with a PDF)",
             operation_id="vouchers_applications_create"),
    Endpoint("vouchers/applications/pending/", "voucher-applications-pending", None, None,
             lambda nothing, result, user: applications_json(services.pending_applications(user)),
             method="get", response=APPLICATIONS,
             summary="待审核的资格申请（先到先审）/ applications awaiting review, oldest first",
             operation_id="vouchers_applications_pending"),
    Endpoint("vouchers/applications/<int:pk>/review/", "voucher-application-review",
             services.readable_application,
             call(services.review, decision="decision", comment="comment"), _application,
             input=VoucherReviewInput, response=VoucherApplicationSerializer,
             summary="审核资格申请（先州市后省级）/ review an application (州市, then 省)",
             operation_id="vouchers_applications_review"),
    Endpoint("vouchers/balances/", "voucher-balances", services.enterprise_of, None, _balances,
             method="get", response=BalancesSerializer,
             summary="本企业的创新券余额 / my enterprise's voucher balances",
             operation_id="vouchers_balances"),
    Endpoint("vouchers/checkout/<str:item>/<int:pk>/", "voucher-checkout", item_for, None,
             _checkout, method="get", **CHECKOUT,
             summary="付款前的创新券抵扣与自付金额 / the voucher share and the payer's share",
             operation_id="vouchers_checkout"),
    Endpoint("vouchers/checkout/<str:item>/<int:pk>/use/", "voucher-use", item_for,
             call(services.use_voucher), _checkout, **CHECKOUT,
             summary="使用创新券（付款前）/ use the voucher (before paying)",
             operation_id="vouchers_use"),
    Endpoint("vouchers/checkout/<str:item>/<int:pk>/withdraw/", "voucher-withdraw", item_for,
             call(services.withdraw_voucher), _checkout, **CHECKOUT,
             summary="撤回创新券（付款前）/ withdraw the voucher (before paying)",
             operation_id="vouchers_withdraw"),
]  # fmt: skip
urlpatterns = endpoint_urlpatterns(ENDPOINTS, tags=TAGS)
