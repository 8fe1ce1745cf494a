"""Wagtail admin: 收款信息 (payee details) for institution managers (admin_views.py)."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from marketplace.accounts.models import Institution

from . import admin_views


class PayeeMenuItem(MenuItem):
    """Shown to members of an institution (staff see the details, managers edit them)."""

    def is_shown(self, request):
        return Institution.objects.for_member(request.user).exists()


@hooks.register("register_admin_urls")
def register_payee_urls():
    return [
        path("payments/payee/", admin_views.payee_index, name="payments_admin_payee_index"),
        path(
            "payments/payee/<str:code>/",
            admin_views.payee_edit,
            name="payments_admin_payee_edit",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_payee_menu_item():
    return PayeeMenuItem(
        _("收款信息"), reverse("payments_admin_payee_index"), icon_name="doc-full", order=900
    )
