"""Django set up the way the catalogue-scale benches measure (bench/api.py and its helpers):
the bench settings on a database that holds the generated catalogue, the embedded search
engine, no Stripe."""

import os


def setup(database_url: str, *, page_cache: bool) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.lib.settings"
    if not page_cache:
        # Rendered: the request itself, not the anonymous page cache's copy of it.
        os.environ["PAGE_CACHE"] = "0"
    for name in ("ELASTICSEARCH_URL", "STRIPE_API_BASE", "STRIPE_SECRET_KEY"):
        os.environ.pop(name, None)
    import django

    django.setup()
