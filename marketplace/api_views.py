"""Views every API list shares. Apart from `marketplace.api` because DRF's APIView reads the
project's API settings (`config.api`), which import `marketplace.api`."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from marketplace.api import READ_ERRORS, Pagination, paginated


# GET: a signed-in person's rows, a page at a time ({"count", "next", "previous", "results"}).
# A subclass says which rows (`rows`), how each is shown (`serializer_class` or `show`) and
# what else the answer carries (`more`, e.g. totals); `list_schema` documents it. No docstring:
# drf-spectacular would make it every subclass's description.
class ListView(APIView):
    permission_classes = [IsAuthenticated]
    serializer_class: type[serializers.Serializer] | None = None

    def rows(self, request, **kwargs):
        raise NotImplementedError

    def show(self, page) -> list:
        return self.serializer_class(page, many=True).data

    def more(self, rows) -> dict:
        return {}

    def get(self, request, **kwargs):
        rows = self.rows(request, **kwargs)
        paginator = Pagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        response = paginator.get_paginated_response(self.show(page))
        response.data.update(self.more(rows))
        return response


def list_schema(page_name: str | None = None, item_serializer=None, *, responses=None, **schema):
    """Documents a `ListView` subclass's GET (a class decorator): 200 with a page of
    `item_serializer` items as component `page_name`, or `responses` as given; 401 and 404."""

    if responses is None:
        responses = {200: paginated(page_name, item_serializer), **READ_ERRORS}
    return extend_schema_view(get=extend_schema(responses=responses, **schema))
