"""意向洽谈 pages."""

from django.urls import path

from . import views

app_name = "inquiries"

urlpatterns = [
    path("inquiries/", views.mine, name="mine"),
    path("inquiries/queue/", views.queue, name="queue"),
    path("inquiries/<int:pk>/", views.detail, name="detail"),
    path("inquiries/<int:pk>/<str:action>/", views.act, name="act"),
    path("technologies/<str:code>/inquire/", views.new, name="new"),
]
