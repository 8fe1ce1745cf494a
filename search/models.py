"""The embedded search index (one row per published document, with its facet values) and
the outbox of index updates that still have to reach the search engine."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SearchDocument(models.Model):
    """A published page or listing as the embedded engine indexes it.

    The token columns hold the analysed streams of search.analysis with every CJK token
    spelled as ASCII (see search.backends.database.db_token), so SQLite FTS5 and PostgreSQL's
    text search, which only split on whitespace here, index exactly what Elasticsearch does.
    """

    key = models.CharField(_("文档键"), max_length=80, unique=True)
    kind = models.CharField(_("类型"), max_length=20, db_index=True)
    code = models.CharField(_("编码"), max_length=80)
    title = models.CharField(_("标题"), max_length=300)
    url = models.CharField(_("网址"), max_length=500)
    text = models.TextField(_("正文摘录"), blank=True)
    title_tokens = models.TextField(blank=True)
    body_tokens = models.TextField(blank=True)
    pinyin = models.TextField(blank=True)
    initials = models.TextField(blank=True)
    codes = models.TextField(blank=True)
    title_pinyin = models.CharField(max_length=600, blank=True, db_index=True)
    title_initials = models.CharField(max_length=300, blank=True, db_index=True)
    date = models.DateField(_("日期"), null=True, blank=True)
    price = models.DecimalField(_("价格（元）"), max_digits=14, decimal_places=2, null=True)
    # "name=value" lines: read once per process into the facet bitmaps of the engine.
    facet_values = models.TextField(blank=True)
    # What a result line shows for its kind (see search.documents.Document.details).
    details = models.JSONField(default=dict, blank=True)
    # A random number written with every row: the engine's in-memory facet bitmaps compare
    # (id, stamp) pairs to find the rows that changed since they were read.
    stamp = models.BigIntegerField(default=0)
    indexed_at = models.DateTimeField(_("索引时间"), default=timezone.now)

    class Meta:
        verbose_name = _("搜索文档")
        verbose_name_plural = _("搜索文档")
        indexes = [models.Index(fields=["kind", "date"]), models.Index(fields=["kind", "price"])]

    def __str__(self) -> str:
        return f"{self.key} {self.title}"


class SearchIndexState(models.Model):
    """One row: a random stamp replaced in the same transaction as every change of the
    embedded index, so a process knows with one small query whether its facet bitmaps are
    still current (a counter could repeat after a rolled-back transaction; a random stamp
    does not)."""

    stamp = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("搜索索引状态")
        verbose_name_plural = _("搜索索引状态")

    def __str__(self) -> str:
        return str(self.stamp)


class IndexOperation(models.Model):
    """Outbox: a document whose index entry must be refreshed from the database.

    Written in the same transaction as the change that caused it, so no committed change can
    be missed; removed only once every engine has taken the update.
    """

    key = models.CharField(_("文档键"), max_length=80, db_index=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), default=timezone.now, db_index=True)
    last_error = models.TextField(_("最近错误"), blank=True)

    class Meta:
        verbose_name = _("待更新索引")
        verbose_name_plural = _("待更新索引")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.key
