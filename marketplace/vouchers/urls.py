"""创新券 pages."""

from django.urls import path

from . import views

app_name = "vouchers"

urlpatterns = [
    path("vouchers/", views.mine, name="mine"),
    path("vouchers/checkout/<str:kind>/<int:pk>/use/", views.use, name="use"),
    path("vouchers/checkout/<str:kind>/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("vouchers/claims/", views.claims, name="claims"),
    path("vouchers/settlement/", views.settlement, name="settlement"),
    path("vouchers/settlement/<int:pk>/batch.<str:extension>", views.export, name="export"),
]
