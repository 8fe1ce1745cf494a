"""API tokens that can be revoked: they expire, die at logout and with a password change.

DRF's authtoken keeps one token per user; this module adds the lifetime (API_TOKEN_HOURS,
counted from when the token was issued) and the ways to end it early.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


def token_lifetime() -> timedelta:
    return timedelta(hours=settings.API_TOKEN_HOURS)


def is_expired(token: Token) -> bool:
    return token.created + token_lifetime() <= timezone.now()


def issue_token(user) -> Token:
    """The user's current token, or a new one if there is none or it has expired."""
    token = Token.objects.filter(user=user).first()
    if token is not None and not is_expired(token):
        return token
    if token is not None:
        token.delete()
    return Token.objects.create(user=user)


def revoke_tokens(user) -> int:
    """End every API token of the user; returns how many there were."""
    deleted, _by_model = Token.objects.filter(user=user).delete()
    return deleted


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token …`, refused once the token is older than API_TOKEN_HOURS."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if is_expired(token):
            token.delete()
            raise exceptions.AuthenticationFailed(_("令牌已过期，请重新获取。"))
        return user, token
