"""创新券 API routes, included under /api/v1/."""

from django.urls import path

from . import api

urlpatterns = [
    path("vouchers/applications/", api.ApplicationsView.as_view(), name="voucher-applications"),
    path(
        "vouchers/applications/pending/",
        api.PendingApplicationsView.as_view(),
        name="voucher-applications-pending",
    ),
    path(
        "vouchers/applications/<int:pk>/review/",
        api.ReviewView.as_view(),
        name="voucher-application-review",
    ),
    path("vouchers/balances/", api.BalancesView.as_view(), name="voucher-balances"),
    path(
        "vouchers/checkout/<str:item>/<int:pk>/",
        api.CheckoutView.as_view(),
        name="voucher-checkout",
    ),
    path(
        "vouchers/checkout/<str:item>/<int:pk>/use/",
        api.UseView.as_view(),
        name="voucher-use",
    ),
    path(
        "vouchers/checkout/<str:item>/<int:pk>/withdraw/",
        api.WithdrawView.as_view(),
        name="voucher-withdraw",
    ),
]
