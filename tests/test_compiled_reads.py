"""The reads every signed-in request makes, compiled once per process (issue 17): the session
(config.sessions), the user (marketplace.accounts.backends) and, on PostgreSQL, times read by
psycopg's C loader (marketplace.pg_times). Each must give what Django's own gives: the same
session, the same user or none, the same aware times."""

import datetime as dt

import pytest
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.contrib.sessions.backends.db import SessionStore as DjangoSessionStore
from django.contrib.sessions.models import Session
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from config.sessions import SessionStore
from marketplace.accounts.backends import ModelBackend
from marketplace.accounts.models import User
from marketplace.notifications.models import Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_session_reads_as_djangos_store_reads_it(django_assert_num_queries):
    written = DjangoSessionStore()
    written.update({"cart": ["显微镜", 3], "when": "2026-12-07"})
    written.create()
    with django_assert_num_queries(1):
        loaded = SessionStore(written.session_key).load()
    assert loaded == DjangoSessionStore(written.session_key).load()
    assert loaded == {"cart": ["显微镜", 3], "when": "2026-12-07"}


def test_an_expired_missing_or_forged_session_is_empty_and_forgets_its_key():
    written = DjangoSessionStore()
    written["user"] = "zhou"
    written.create()
    Session.objects.filter(pk=written.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    for key in (written.session_key, "nosuchsessionkey00000000000"):
        store = SessionStore(key)
        assert store.load() == {}
        assert store.session_key is None

    forged = DjangoSessionStore()
    forged.create()
    Session.objects.filter(pk=forged.session_key).update(session_data="eyJ1c2VyIjoiYWRtaW4ifQ:x")
    store = SessionStore(forged.session_key)
    assert store.load() == {}


def test_the_user_reads_as_django_reads_it(django_assert_num_queries):
    person = UserFactory(username="zhou", email="zhou@example.org", first_name="周")
    User.objects.filter(pk=person.pk).update(last_login=timezone.now())
    with django_assert_num_queries(1):
        ours = ModelBackend().get_user(person.pk)
    theirs = DjangoModelBackend().get_user(person.pk)
    names = [field.attname for field in User._meta.concrete_fields]
    assert [getattr(ours, name) for name in names] == [getattr(theirs, name) for name in names]
    assert ours.last_login.tzinfo is not None and ours.is_active is True
    assert ours._state.adding is False and ours._state.db == "default"
    ours.first_name = "周二"
    ours.save(update_fields=["first_name"])  # an instance like any other
    assert User.objects.get(pk=person.pk).first_name == "周二"


def test_no_user_for_an_inactive_missing_or_malformed_id():
    inactive = UserFactory(is_active=False)
    backend = ModelBackend()
    assert backend.get_user(inactive.pk) is None
    assert backend.get_user(inactive.pk + 1000) is None
    assert backend.get_user("not a number") is None


def test_signing_in_and_out_through_the_compiled_reads():
    """The whole path: a password sign-in records this backend, the next page knows the
    person, a password change elsewhere signs this session out."""
    person = UserFactory(username="li")
    person.set_password("云岭-2026-secret")
    person.save()
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    signed_in = client.post("/accounts/login/", {"username": "li", "password": "云岭-2026-secret"})
    assert signed_in.status_code == 302
    assert client.session["_auth_user_backend"] == "marketplace.accounts.backends.ModelBackend"
    page = client.get("/accounts/profile/")
    assert page.status_code == 200
    assert page.wsgi_request.user.pk == person.pk

    person.set_password("another-secret-2026")
    person.save()
    page = client.get("/accounts/profile/")
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]


@pytest.mark.postgres
def test_times_read_with_the_c_loader_are_djangos_times():
    from psycopg.pq import Format

    from marketplace.pg_times import _loader

    person = UserFactory()
    moment = dt.datetime(2026, 12, 7, 9, 30, 15, 123456, tzinfo=dt.UTC)
    notice = Notification.objects.create(user=person, message="审批", read_at=moment)
    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(1184, Format.TEXT)
    assert loader is _loader()
    read = Notification.objects.get(pk=notice.pk).read_at
    assert read == moment and read.tzinfo is dt.UTC

    # A connection whose time zone is not UTC keeps Django's loader and its zone.
    shanghai = connections.create_connection("default")
    shanghai.settings_dict = {**connection.settings_dict, "TIME_ZONE": "Asia/Shanghai"}
    try:
        shanghai.ensure_connection()
        assert shanghai.connection.adapters.get_loader(1184, Format.TEXT) is not _loader()
        with shanghai.cursor() as cursor:
            cursor.execute("SELECT %s::timestamptz", [moment])
            [(value,)] = cursor.fetchall()
        assert value == moment and value.utcoffset() == dt.timedelta(hours=8)
    finally:
        shanghai.close()


def test_a_model_statement_refuses_rows_that_are_not_the_models_columns():
    from marketplace.statements import ModelStatement

    person = UserFactory()
    whole = ModelStatement(User, lambda pk: User.objects.filter(pk=pk), int)
    assert whole.objects(person.pk)[0].username == person.username
    partial = ModelStatement(User, lambda pk: User.objects.filter(pk=pk).only("username"), int)
    with pytest.raises(ValueError, match="not User's columns"):
        partial.objects(person.pk)
