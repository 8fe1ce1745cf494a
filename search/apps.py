"""Search app configuration."""

import logging

from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    label = "site_search"
    verbose_name = "搜索"

    def ready(self) -> None:
        import jieba

        from . import signals

        jieba.setLogLevel(logging.WARNING)
        signals.connect()
