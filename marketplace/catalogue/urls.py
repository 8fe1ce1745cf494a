"""Public catalogue URLs. Codes may contain dots, so routes use `str`, not `slug`."""

from django.urls import path

from . import views

app_name = "catalogue"

urlpatterns = [
    path("instruments/", views.listing_list, {"kind": "instrument"}, name="instruments"),
    path("instruments/<str:code>/", views.instrument_detail, name="instrument_detail"),
    path("incubators/", views.listing_list, {"kind": "incubator"}, name="incubators"),
    path("incubators/<str:code>/", views.incubator_detail, name="incubator_detail"),
    path("technologies/", views.listing_list, {"kind": "technology"}, name="technologies"),
    path("technologies/<str:code>/", views.technology_detail, name="technology_detail"),
    path("institutions/", views.institution_list, name="institution_list"),
    path("institutions/<str:code>/", views.institution_detail, name="institution_detail"),
]
