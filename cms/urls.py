"""CMS URLs outside the page tree: feeds, department pages and /favicon.ico."""

from django.urls import path

from . import feeds, views

app_name = "cms"

urlpatterns = [
    path("favicon.ico", views.favicon, name="favicon"),
    path("feeds/news.rss", feeds.NewsFeed(), name="news_rss"),
    path("feeds/news.atom", feeds.NewsAtomFeed(), name="news_atom"),
    path("feeds/policies.rss", feeds.PolicyFeed(), name="policies_rss"),
    path("feeds/policies.atom", feeds.PolicyAtomFeed(), name="policies_atom"),
    path("departments/", views.department_list, name="department_list"),
    path("departments/<str:slug>/", views.department_detail, name="department"),
]
