"""业务监管: platform moderators (资源审核员) and superusers read every workflow item in the Wagtail
admin — bookings, sample-testing orders, residency applications, technology inquiries.

Read only, on purpose: every change goes through the workflow services (the pages and the
API), which check the transition table, log it and notify; an admin form would do none of that.
Attachments are not shown here (they have no public URL); internal residency comments neither.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from marketplace.accounts.permissions import MODERATORS_GROUP, is_platform_moderator
from marketplace.bookings.models import Booking
from marketplace.inquiries.models import Inquiry
from marketplace.residency.models import APPLICANT_FIELDS, Application
from marketplace.sampletesting.models import SampleOrder


class ModeratorsMayRead(BasePermissionPolicy):
    """ "view" for platform moderators; nothing else for anyone."""

    def user_has_permission(self, user, action):
        return action == "view" and is_platform_moderator(user)

    def users_with_any_permission(self, actions):
        if "view" not in actions:
            return get_user_model().objects.none()
        return (
            get_user_model()
            .objects.filter(is_active=True)
            .filter(Q(is_superuser=True) | Q(groups__name=MODERATORS_GROUP))
            .distinct()
        )


def _index(queryset):
    return type("OversightIndexView", (IndexView,), {"queryset": queryset})


class OversightViewSet(ModelViewSet):
    """Listing with a status filter and an inspect page; no add, edit or delete is granted."""

    # Required by ModelViewSet, never shown: the policy grants nobody "add" or "change".
    form_fields = ["status"]
    list_filter = ["status"]
    ordering = ["-created_at"]
    inspect_view_enabled = True


class BookingOversight(OversightViewSet):
    model = Booking
    icon = "date"
    menu_label = _("机时预约")
    index_view_class = _index(Booking.objects.select_related("instrument", "user"))
    list_display = ["__str__", "user", "status", "price", "created_at"]
    inspect_view_fields = [
        "instrument",
        "user",
        "start",
        "end",
        "purpose",
        "status",
        "price",
        "internal_rate",
        "reject_reason",
        "actual_minutes",
        "created_at",
    ]


class SampleOrderOversight(OversightViewSet):
    model = SampleOrder
    icon = "clipboard-list"
    menu_label = _("送样检测")
    index_view_class = _index(SampleOrder.objects.select_related("instrument", "user"))
    list_display = ["__str__", "user", "status", "price", "created_at"]
    inspect_view_fields = [
        "instrument",
        "user",
        "sample_count",
        "sample_description",
        "test_items",
        "notes",
        "status",
        "price",
        "turnaround_days",
        "quote_note",
        "decline_reason",
        "report_name",
        "created_at",
    ]


class ApplicationOversight(OversightViewSet):
    model = Application
    icon = "home"
    menu_label = _("入孵申请")
    index_view_class = _index(Application.objects.select_related("incubator", "applicant"))
    list_display = ["__str__", "applicant", "status", "workstations_allocated", "created_at"]
    inspect_view_fields = [
        "incubator",
        "applicant",
        *APPLICANT_FIELDS,
        "status",
        "workstations_allocated",
        "decision_reason",
        "created_at",
    ]


class InquiryOversight(OversightViewSet):
    model = Inquiry
    icon = "comment"
    menu_label = _("意向洽谈")
    index_view_class = _index(Inquiry.objects.select_related("technology", "inquirer"))
    list_display = ["__str__", "inquirer", "status", "deal_amount", "created_at"]
    inspect_view_fields = [
        "technology",
        "inquirer",
        "intended_mode",
        "status",
        "deal_mode",
        "deal_amount",
        "contract_date",
        "contract_registration_no",
        "created_at",
    ]


class WorkflowOversight(ModelViewSetGroup):
    menu_label = _("业务监管")
    menu_icon = "tasks"
    menu_order = 250
    items = (BookingOversight, SampleOrderOversight, ApplicationOversight, InquiryOversight)


def register_policies() -> None:
    for model in (Booking, SampleOrder, Application, Inquiry):
        register_permission_policy(model, ModeratorsMayRead(model), exact_class=True)
