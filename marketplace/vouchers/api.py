"""创新券 API under /api/v1/vouchers/: the enterprise's balances, and at checkout the voucher
share of a booking or sample order, using it and withdrawing it. Thin views over `services`;
refusals become 400/403/404/409 in the project's exception handler."""

from __future__ import annotations

from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api import WORKFLOW_ERRORS, MoneySerializer
from marketplace.money import money_json
from marketplace.workflow import NotFound

from . import services
from .models import Balance

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


class UseView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[ITEM],
        request=None,
        responses={200: CheckoutSerializer, **WORKFLOW_ERRORS},
        summary="使用创新券（付款前）/ use the voucher (before paying)",
        operation_id="vouchers_use",
        tags=TAGS,
    )
    def post(self, request, item: str, pk: int):
        found = item_for(request.user, item, pk)
        services.use_voucher(found, request.user)
        return Response(checkout_json(services.quote(found, request.user)))


class WithdrawView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[ITEM],
        request=None,
        responses={200: CheckoutSerializer, **WORKFLOW_ERRORS},
        summary="撤回创新券（付款前）/ withdraw the voucher (before paying)",
        operation_id="vouchers_withdraw",
        tags=TAGS,
    )
    def post(self, request, item: str, pk: int):
        found = item_for(request.user, item, pk)
        services.withdraw_voucher(found, request.user)
        return Response(checkout_json(services.quote(found, request.user)))
