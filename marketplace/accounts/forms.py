"""Browser forms for accounts."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm
from django.core.exceptions import ValidationError
from django.template import loader
from django.utils.translation import gettext_lazy as _

from . import services
from .models import PROFILE_FIELDS, SETTINGS_FIELDS, User


class RegistrationForm(forms.Form):
    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        help_text=_("字母、数字及 @/./+/-/_，最长 150 位。"),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    email = forms.EmailField(
        label=_("电子邮箱"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        help_text=_("至少 8 位，不能全为数字，不能是常见密码。"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("确认密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    consent = forms.BooleanField(
        label=_("我已阅读并同意《用户协议》和《隐私政策》"),
        error_messages={"required": _("注册须阅读并同意《用户协议》和《隐私政策》。")},
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("password")
            and cleaned.get("password_again")
            and cleaned["password"] != cleaned["password_again"]
        ):
            self.add_error("password_again", _("两次输入的密码不一致。"))
        return cleaned

    def save(self):
        try:
            return services.register_user(
                username=self.cleaned_data["username"],
                email=self.cleaned_data["email"],
                password=self.cleaned_data["password"],
                consent=self.cleaned_data["consent"],
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
            return None


class ProfileForm(forms.ModelForm):
    """个人资料: who the person is to the institutions that approve their requests."""

    class Meta:
        model = User
        fields = [*PROFILE_FIELDS, *SETTINGS_FIELDS]
        help_texts = {
            "organisation_credit_code": _("18 位，企业可在营业执照上找到；个人可不填。"),
            "preferred_language": _("平台发给您的邮件使用此语言。"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("real_name", "organisation", "phone"):
            self.fields[name].required = True


class PasswordResetForm(DjangoPasswordResetForm):
    """Django's reset form; the mail is handed to the task queue instead of sent inline."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        from .tasks import send_account_email

        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        html_body = (
            loader.render_to_string(html_email_template_name, context)
            if html_email_template_name
            else ""
        )
        send_account_email.enqueue(subject, body, to_email, html_body)
