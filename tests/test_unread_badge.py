"""The unread-notices badge on 消息 in the header: the person's own unread count, one query,
nothing for anonymous visitors, gone once the notices are read."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.notifications.models import Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _notices(user, count, read=False):
    from django.utils import timezone

    for n in range(count):
        Notification.objects.create(
            user=user, message=f"通知 {n}", read_at=timezone.now() if read else None
        )


def test_the_badge_counts_the_person_s_unread_notices_only(client):
    founder, other = UserFactory(username="founder"), UserFactory(username="other")
    _notices(founder, 3)
    _notices(founder, 2, read=True)
    _notices(other, 7)
    client.force_login(founder)
    html = client.get("/instruments/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<span class="unread-badge" id="unread-count" aria-hidden="true">3</span>' in html
    assert "（3 条未读）" in html
    english = client.get("/instruments/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "(3 unread)" in english


def test_reading_the_notices_clears_the_badge(client):
    founder = UserFactory(username="founder")
    _notices(founder, 2)
    client.force_login(founder)
    page = client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    # The page shows which were new, and the header already counts them as read.
    assert page.count('<span class="badge">新</span>') == 2
    assert 'id="unread-count"' not in page
    assert Notification.objects.filter(user=founder, read_at__isnull=True).count() == 0
    html = client.get("/instruments/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'id="unread-count"' not in html


def test_no_badge_and_no_query_for_anonymous_visitors(client):
    _notices(UserFactory(), 4)
    client.get("/instruments/")
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/instruments/").content.decode()
    assert 'id="unread-count"' not in html and 'id="notices-link"' not in html
    assert not any("bookings_notification" in q["sql"] for q in queries.captured_queries)


def test_the_count_costs_one_query_per_page(client):
    founder = UserFactory(username="founder")
    _notices(founder, 5)
    client.force_login(founder)
    client.get("/instruments/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/instruments/")
    counting = [q for q in queries.captured_queries if "bookings_notification" in q["sql"]]
    assert len(counting) == 1
