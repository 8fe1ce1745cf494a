"""The public search page."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from marketplace.accounts.models import Institution
from marketplace.catalogue.models import Incubator, Instrument, Technology


def site_search(request: HttpRequest) -> HttpResponse:
    """Title search over what is published; the search app's engines replace it."""
    from cms.models import NewsPage

    query = request.GET.get("q", "").strip()[:100]
    results: dict[str, list] = {}
    if query:
        results = {
            "instruments": list(
                Instrument.objects.published()
                .filter(Q(name__icontains=query) | Q(model_number__icontains=query))
                .select_related("institution")[:20]
            ),
            "incubators": list(Incubator.objects.published().filter(name__icontains=query)[:20]),
            "technologies": list(
                Technology.objects.published().filter(title__icontains=query)[:20]
            ),
            "institutions": list(
                Institution.objects.filter(
                    Q(name__icontains=query) | Q(description__icontains=query)
                ).order_by("code")[:20]
            ),
            "news": list(
                NewsPage.objects.live()
                .public()
                .filter(Q(title__icontains=query) | Q(summary__icontains=query))
                .order_by("-date")[:20]
            ),
        }
    found = any(results.values())
    return render(
        request, "search/results.html", {"query": query, "results": results, "found": found}
    )
