"""Account services: registration and institution roles. Views and commands call these."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import PRIVACY_VERSION, TERMS_VERSION, Institution, Membership, Role, User


class AccountError(Exception):
    """A request that cannot be carried out; the message is for the person who asked."""


def register_user(
    *, username: str, email: str, password: str, consent: bool = False, **profile
) -> User:
    """Create an enterprise user who consents to 用户协议 and 隐私政策 (the versions and the time
    are recorded); `profile` may carry real_name, organisation, organisation_credit_code, phone
    and preferred_language. Raises ValidationError with per-field messages."""
    errors: dict[str, list[str]] = {}
    if consent is not True:
        errors.setdefault("consent", []).append(_("注册须阅读并同意《用户协议》和《隐私政策》。"))
    profile = {key: (value or "").strip() for key, value in profile.items() if value}
    user_model = get_user_model()
    username = (username or "").strip()
    email = (email or "").strip()
    if not username:
        errors.setdefault("username", []).append(_("请填写用户名。"))
    else:
        try:
            user_model.username_validator(username)
        except ValidationError as exc:
            errors.setdefault("username", []).extend(exc.messages)
        if len(username) > 150:
            errors.setdefault("username", []).append(_("用户名最长 150 个字符。"))
        if user_model.objects.filter(username__iexact=username).exists():
            errors.setdefault("username", []).append(_("该用户名已被注册。"))
    if email:
        from django.core.validators import validate_email

        try:
            validate_email(email)
        except ValidationError:
            errors.setdefault("email", []).append(_("请输入有效的电子邮箱地址。"))
    else:
        errors.setdefault("email", []).append(_("请填写电子邮箱。"))
    if not password:
        errors.setdefault("password", []).append(_("请填写密码。"))
    else:
        try:
            validate_password(password, user_model(username=username, email=email))
        except ValidationError as exc:
            errors.setdefault("password", []).extend(exc.messages)
    candidate = user_model(username=username, email=email, **profile)
    try:
        candidate.clean_fields(
            exclude=[f.name for f in user_model._meta.fields if f.name not in profile]
        )
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return user_model.objects.create_user(
                username=username,
                email=email,
                password=password,
                terms_version=TERMS_VERSION,
                privacy_version=PRIVACY_VERSION,
                consented_at=timezone.now(),
                **profile,
            )
    except IntegrityError as exc:
        # Two registrations racing for the same name: the database's unique index decides.
        raise ValidationError({"username": [_("该用户名已被注册。")]}) from exc


def grant_role(*, username: str, institution_code: str, role: str) -> Membership:
    """Make the user a manager or staff member of the institution (replacing another role)."""
    if role not in Role.values:
        raise AccountError(
            _("未知角色“%(role)s”，可选：%(choices)s。")
            % {"role": role, "choices": ", ".join(Role.values)}
        )
    try:
        user = get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise AccountError(_("用户“%(username)s”不存在。") % {"username": username}) from None
    try:
        institution = Institution.objects.get(code=institution_code)
    except Institution.DoesNotExist:
        raise AccountError(_("机构编码“%(code)s”不存在。") % {"code": institution_code}) from None
    with transaction.atomic():
        membership, _new = Membership.objects.update_or_create(
            user=user, institution=institution, defaults={"role": role}
        )
        # Members manage their institution's listings in the Wagtail admin.
        from marketplace.accounts.permissions import MEMBERS_GROUP

        group, _created = Group.objects.get_or_create(name=MEMBERS_GROUP)
        user.groups.add(group)
    return membership
