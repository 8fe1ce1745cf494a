"""Browser pages for signing in, out and up, the account page, password change and reset."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .forms import PasswordResetForm, ProfileForm, RegistrationForm


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


@require_http_methods(["GET", "POST"])
def register(request):
    if request.user.is_authenticated:
        return redirect("/")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        if user is not None:
            login(request, user, backend="marketplace.accounts.backends.ModelBackend")
            messages.success(request, _("注册成功，欢迎使用双创资源共享平台。"))
            return redirect("/")
    status = 400 if request.method == "POST" else 200
    return render(request, "registration/register.html", {"form": form}, status=status)


@login_required
def account(request):
    """The person's own page: who they are, their calendar feed, links to security actions."""
    from .api import calendar_url

    return render(
        request,
        "registration/account.html",
        {"calendar_url": calendar_url(request.user, request)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    """个人资料; a request that needs it sends the person here with `next`, and back after."""
    form = ProfileForm(request.POST or None, instance=request.user)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("个人资料已保存。"))
        return redirect(next_url or "accounts:profile")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "registration/profile.html",
        {"form": form, "next": next_url},
        status=status,
    )


@require_POST
@login_required
def rotate_calendar_token(request):
    request.user.rotate_calendar_token()
    messages.success(request, _("已生成新的日历订阅地址，旧地址已失效。"))
    return redirect("accounts:account")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change the password; every other session and every API token of the user ends."""

    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        # Links in the mail point at SITE_URL, never at whatever Host the request named.
        site = urlsplit(settings.SITE_URL)
        form.save(
            domain_override=site.netloc,
            use_https=site.scheme == "https",
            token_generator=self.token_generator,
            from_email=self.from_email,
            email_template_name=self.email_template_name,
            subject_template_name=self.subject_template_name,
            request=self.request,
            html_email_template_name=self.html_email_template_name,
            extra_email_context=self.extra_email_context,
        )
        return redirect(self.get_success_url())


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"
