"""送样检测 pages."""

from django.urls import path

from . import views

app_name = "sampletesting"

urlpatterns = [
    path("instruments/<str:code>/sample-order/", views.new, name="new"),
    path("sample-orders/", views.mine, name="mine"),
    path("sample-orders/queue/", views.queue, name="queue"),
    path("sample-orders/<int:pk>/", views.detail, name="detail"),
    path("sample-orders/<int:pk>/report/", views.report, name="report"),
    path("sample-orders/<int:pk>/<str:action>/", views.act, name="act"),
]
