"""Accounts API: register, token, logout, /me/, calendar token (API.md, "Accounts")."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api import DetailSerializer, ErrorSerializer
from marketplace.quota import SharedAnonRateThrottle

from . import services
from .models import PROFILE_FIELDS, SETTINGS_FIELDS, User
from .tokens import issue_token


class RegisterSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(write_only=True, max_length=128, trim_whitespace=False)
    consent = serializers.BooleanField(
        required=False,
        default=False,
        help_text="true: the person agrees to 用户协议 and 隐私政策 (required; the versions "
        "and the time are recorded). Without it: 400 with errors.consent.",
    )
    real_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    organisation = serializers.CharField(max_length=200, required=False, allow_blank=True)
    organisation_credit_code = serializers.CharField(
        max_length=18,
        required=False,
        allow_blank=True,
        help_text="统一社会信用代码 (18 characters)",
    )
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    preferred_language = serializers.ChoiceField(
        choices=[code for code, _name in settings.LANGUAGES], required=False, allow_blank=True
    )


class RegisteredSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class MembershipSerializer(serializers.Serializer):
    code = serializers.CharField(source="institution.code")
    role = serializers.CharField()


class MeSerializer(serializers.ModelSerializer):
    institutions = MembershipSerializer(source="memberships", many=True)
    calendar_url = serializers.SerializerMethodField()
    profile_complete = serializers.BooleanField(read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "institutions",
            "calendar_url",
            *PROFILE_FIELDS,
            *SETTINGS_FIELDS,
            "profile_complete",
        ]

    def get_calendar_url(self, user: User) -> str:
        return calendar_url(user, self.context.get("request"))


def calendar_url(user: User, request=None) -> str:
    path = reverse("api:calendar") + f"?token={user.calendar_token}"
    return request.build_absolute_uri(path) if request else path


class CalendarUrlSerializer(serializers.Serializer):
    calendar_url = serializers.CharField()


class AuthThrottle(SharedAnonRateThrottle):
    scope = "auth"
    rate = "30/minute"


class RegisterView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [AuthThrottle]

    @extend_schema(
        request=RegisterSerializer,
        responses={201: RegisteredSerializer, 400: ErrorSerializer, 429: DetailSerializer},
        summary="注册账户 / Register",
        tags=["accounts"],
    )
    def post(self, request):
        data = RegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            user = services.register_user(**data.validated_data)
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(exc.message_dict) from None
        return Response(
            RegisteredSerializer({"id": user.id, "username": user.username}).data,
            status=status.HTTP_201_CREATED,
        )


class WrongCredentials(exceptions.AuthenticationFailed):
    default_detail = _("用户名或密码不正确。")


class TokenView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [AuthThrottle]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: ErrorSerializer,
            401: DetailSerializer,
            429: DetailSerializer,
        },
        summary="获取令牌 / Obtain an API token",
        tags=["accounts"],
    )
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # The plain HttpRequest: django-axes marks a locked-out attempt on it, and its
        # middleware turns this answer into the lockout's 429.
        user = authenticate(
            request._request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if user is None or not user.is_active:
            raise WrongCredentials()
        return Response({"token": issue_token(user).key})

    def get_authenticate_header(self, request) -> str:
        # A 401 must name a scheme; the token scheme is what this endpoint hands out.
        return "Token"


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: MeSerializer, 401: DetailSerializer},
        summary="当前用户 / The signed-in user",
        tags=["accounts"],
    )
    def get(self, request):
        user = request.user
        prefetch_related_objects([user], "memberships__institution")
        return Response(MeSerializer(user, context={"request": request}).data)


class LogoutView(APIView):
    """End the API token this request was made with (every client using it is signed out)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={204: None, 401: DetailSerializer},
        summary="注销令牌 / Log out (revoke the API token)",
        tags=["accounts"],
    )
    def post(self, request):
        from .tokens import revoke_tokens

        if request.auth is not None:
            revoke_tokens(request.user)
        else:
            # Signed in by session (the browsable docs): end that session.
            from django.contrib.auth import logout

            logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CalendarTokenView(APIView):
    """Issue a new calendar-feed token; the old feed URL stops working at once."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={200: CalendarUrlSerializer, 401: DetailSerializer},
        summary="更换日历订阅令牌 / Rotate the calendar-feed token",
        tags=["accounts"],
    )
    def post(self, request):
        request.user.rotate_calendar_token()
        return Response({"calendar_url": calendar_url(request.user, request)})
