"""CMS URLs outside the page tree (feeds, department pages)."""

urlpatterns: list = []
