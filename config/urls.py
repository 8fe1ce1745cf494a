"""Root URLs: API, accounts, catalogue pages, Wagtail admin and the Wagtail page tree."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import JavaScriptCatalog, set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from config.api import api_not_found
from config.health import healthz
from marketplace.accounts import api as accounts_api
from marketplace.accounts.calendar import user_calendar
from marketplace.bookings.calendar import instrument_calendar
from marketplace.catalogue.admin_scoping import scoped_bulk_action
from marketplace.catalogue.api import (
    IncubatorViewSet,
    InstitutionViewSet,
    InstrumentViewSet,
    TechnologyViewSet,
)
from marketplace.workspace import workspace
from search.api import SearchView, SuggestView

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("institutions", InstitutionViewSet, basename="institution")
router.register("instruments", InstrumentViewSet, basename="instrument")
router.register("incubators", IncubatorViewSet, basename="incubator")
router.register("technologies", TechnologyViewSet, basename="technology")

api_patterns = [
    # The public reads first: URLs are tried in order, and each include() passed on costs a
    # failed match of every route in it (a third of a millisecond before a catalogue list
    # was found). No route below matches a path these do, so every path resolves as before
    # (tests/test_catalogue_api_urls.py).
    path("search/", SearchView.as_view(), name="search"),
    path("search/suggest/", SuggestView.as_view(), name="search_suggest"),
    *router.urls,
    path("auth/register/", accounts_api.RegisterView.as_view(), name="register"),
    path("auth/token/", accounts_api.TokenView.as_view(), name="token"),
    path("auth/logout/", accounts_api.LogoutView.as_view(), name="logout"),
    path("me/", accounts_api.MeView.as_view(), name="me"),
    path("me/calendar-token/", accounts_api.CalendarTokenView.as_view(), name="calendar-token"),
    path("bookings/calendar.ics", user_calendar, name="calendar"),
    path("instruments/<str:code>/calendar.ics", instrument_calendar, name="instrument-calendar"),
    path("", include("marketplace.bookings.urls_api")),
    path("", include("marketplace.payments.urls_api")),
    path("", include("marketplace.sampletesting.urls_api")),
    path("", include("marketplace.residency.urls_api")),
    path("", include("marketplace.inquiries.urls_api")),
    path("", include("marketplace.sharing.urls_api")),
    path("", include("marketplace.vouchers.urls_api")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    # [\s\S]: a path with a newline in it is an unknown API path too, answered in JSON.
    re_path(r"^[\s\S]*$", api_not_found),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("workspace/", workspace, name="workspace"),
    path("", include("marketplace.payments.urls")),
    path("api/v1/", include((api_patterns, "api"))),
    path("accounts/", include("marketplace.accounts.urls")),
    # The language menu posts here from every page. Without a CSRF token, so that public pages
    # carry no per-visitor token and can be cached for everyone (config/page_cache.py): a
    # forged post could only switch a visitor's language, and `next` stays on this site.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("django-admin/", admin.site.urls),
    # Ahead of Wagtail's own route: bulk actions on listings see only the user's rows.
    path(
        "admin/bulk/<str:app_label>/<str:model_name>/<str:action>/",
        scoped_bulk_action,
        name="scoped_bulk_action",
    ),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("", include("marketplace.notifications.urls")),
    path("", include("marketplace.bookings.urls")),
    path("", include("marketplace.sampletesting.urls")),
    path("", include("marketplace.residency.urls")),
    path("", include("marketplace.inquiries.urls")),
    path("", include("marketplace.sharing.urls")),
    path("", include("marketplace.vouchers.urls")),
    path("", include("marketplace.catalogue.urls")),
    path("", include("search.urls")),
    path("", include("cms.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
