"""Public catalogue URLs. Codes may contain dots, so routes use `str`, not `slug`."""

from django.urls import path

from . import views

app_name = "catalogue"

urlpatterns = [
    path("instruments/", views.section, {"kind": "instruments"}, name="instruments"),
    path("incubators/", views.section, {"kind": "incubators"}, name="incubators"),
    path("technologies/", views.section, {"kind": "technologies"}, name="technologies"),
    path("institutions/", views.institution_list, name="institution_list"),
    path("institutions/<str:code>/", views.institution_detail, name="institution_detail"),
    path("search/", views.site_search, name="search"),
]
