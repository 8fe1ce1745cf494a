"""创新券 pages."""

from django.urls import path

from . import views

app_name = "vouchers"

urlpatterns = [
    path("vouchers/", views.mine, name="mine"),
    path("vouchers/checkout/<str:kind>/<int:pk>/use/", views.use, name="use"),
    path("vouchers/checkout/<str:kind>/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("vouchers/apply/", views.apply, name="apply"),
    path("vouchers/applications/<int:pk>/", views.application, name="application"),
    path("vouchers/applications/<int:pk>/document.pdf", views.document, name="document"),
    path("vouchers/review/", views.review, name="review"),
    path("vouchers/dashboard/", views.dashboard, name="dashboard"),
    path("vouchers/claims/", views.claims, name="claims"),
    path("vouchers/settlement/", views.settlement, name="settlement"),
    path("vouchers/settlement/<int:pk>/batch.<str:extension>", views.export, name="export"),
]
