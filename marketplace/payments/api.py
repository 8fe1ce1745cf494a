"""Payments API: an institution's manager sets up Stripe Connect payouts."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.accounts.models import Institution
from marketplace.api import WORKFLOW_ERRORS

from .services import connect_onboarding_link


class StripeConnectView(APIView):
    """A manager gets the Stripe Connect onboarding link for their institution."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={
            200: inline_serializer(name="ConnectLink", fields={"url": serializers.CharField()}),
            **WORKFLOW_ERRORS,
        },
        summary="Stripe 收款账户设置 / Stripe Connect onboarding",
        tags=["payments"],
    )
    def post(self, request, code: str):
        institution = Institution.objects.for_member(request.user).filter(code=code).first()
        if institution is None:
            return Response({"detail": "机构不存在 / institution not found"}, status=404)
        if not settings.STRIPE_SECRET_KEY:
            return Response(
                {
                    "errors": {
                        "non_field_errors": ["未启用在线支付 / online payment is not configured"]
                    }
                },
                status=400,
            )
        back = request.build_absolute_uri(f"/institutions/{institution.code}/")
        url = connect_onboarding_link(institution, request.user, refresh_url=back, return_url=back)
        return Response({"url": url})
