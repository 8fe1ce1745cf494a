"""The approval queue reads its page's ids first and builds its 50 rows once per page
(issue 17): what the manager sees must be what the include-per-table version showed — the same
columns, order, links, amounts, statuses in the page's language, pages — and the number of
queries must not depend on how many requests wait."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from marketplace.bookings.models import Booking, Status
from tests.booking_fixtures import at
from tests.factories import InstrumentFactory, UserFactory

pytestmark = pytest.mark.django_db

ROW = re.compile(
    r'<tr>\s*<td><a href="(?P<url>[^"]+)">(?P<pk>\d+)</a></td>\s*'
    r"<td>(?P<instrument>[^<]*)</td>\s*<td>(?P<when>[^<]*)</td>\s*<td>(?P<user>[^<]*)</td>\s*"
    r'<td>(?P<price>[^<]*)</td>\s*<td><span class="badge">(?P<status>[^<]*)</span></td>\s*</tr>'
)


def rows(html: str) -> list[dict]:
    return [match.groupdict() for match in ROW.finditer(html)]


@pytest.fixture
def crowded_queue(booking_world):
    """60 requests on two instruments of the manager's institution, created out of time
    order, by two people, in the three active statuses and one closed one."""
    instrument, startup, manager, day = booking_world
    second = InstrumentFactory(institution=instrument.institution, name="X 射线衍射仪 <XRD>")
    other = UserFactory(username="other-founder")
    statuses = [Status.PENDING_APPROVAL, Status.AWAITING_PAYMENT, Status.CONFIRMED]
    bookings = []
    for n in range(60):
        k = (n * 37) % 60  # out of order: the page must sort by start
        start = at(day, "08:30") + dt.timedelta(days=k // 6, hours=k % 6)
        bookings.append(
            Booking(
                instrument=instrument if k % 2 else second,
                institution=instrument.institution,  # bulk_create: no save() to set it
                user=startup if k % 3 else other,
                start=start,
                end=start + dt.timedelta(minutes=90),
                status=statuses[k % 3],
                price=Decimal("1234.50") + k,
            )
        )
    closed = Booking(
        instrument=instrument,
        institution=instrument.institution,
        user=startup,
        start=at(day, "08:30") - dt.timedelta(days=1),
        end=at(day, "09:30") - dt.timedelta(days=1),
        status=Status.REJECTED,
        price=Decimal("1.00"),
    )
    Booking.objects.bulk_create([*bookings, closed])
    return manager, closed


def expected(bookings, labels) -> list[dict]:
    from django.utils import timezone

    shown = []
    for booking in bookings:
        start, end = timezone.localtime(booking.start), timezone.localtime(booking.end)
        shown.append(
            {
                "url": reverse("bookings:detail", args=[booking.pk]),
                "pk": str(booking.pk),
                "instrument": booking.instrument.name.replace("<", "&lt;").replace(">", "&gt;"),
                "when": f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}",
                "user": booking.user.username,
                "price": f"¥{booking.price:,.2f}",
                "status": labels[booking.status],
            }
        )
    return shown


@pytest.mark.parametrize(
    ("language", "labels", "heading", "booker"),
    [
        (
            "zh-hans",
            {"pending_approval": "待审核", "awaiting_payment": "待付款", "confirmed": "已确认"},
            "预约审核",
            "预约人",
        ),
        (
            "en",
            {
                "pending_approval": "Pending approval",
                "awaiting_payment": "Awaiting payment",
                "confirmed": "Confirmed",
            },
            "Booking requests",
            "Booked by",
        ),
    ],
)
def test_the_queue_pages_show_every_active_request_in_start_order(
    client, crowded_queue, language, labels, heading, booker
):
    manager, closed = crowded_queue
    client.force_login(manager)
    active = list(
        Booking.objects.filter(status__in=labels)
        .select_related("instrument", "user")
        .order_by("start", "pk")
    )
    assert len(active) == 60
    first = client.get("/bookings/queue/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    second = client.get(
        "/bookings/queue/", {"page": 2}, HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    assert rows(first) == expected(active[:50], labels)
    assert rows(second) == expected(active[50:], labels)
    assert f"<h1>{heading}</h1>" in first
    assert f'<th scope="col">{booker}</th>' in first
    assert 'href="?page=2" rel="next"' in first
    assert 'href="?page=1" rel="prev"' in second
    assert f'href="/bookings/{closed.pk}/"' not in first + second


def test_the_queue_filtered_by_a_closed_status_shows_those_requests(client, crowded_queue):
    manager, closed = crowded_queue
    client.force_login(manager)
    html = client.get(
        "/bookings/queue/", {"status": "rejected"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert [row["pk"] for row in rows(html)] == [str(closed.pk)]
    assert rows(html)[0]["status"] == "已拒绝"


def test_an_empty_queue_says_so(client, booking_world):
    _instrument, _startup, manager, _day = booking_world
    client.force_login(manager)
    html = client.get("/bookings/queue/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<tr><td colspan="6">暂无预约。</td></tr>' in html


def test_the_queue_costs_five_queries_however_many_wait(
    client, crowded_queue, django_assert_num_queries
):
    """Session, user, what the page asks about the person (their institutions, which the
    queue's queries name, with the header's unread-notices badge and the userbar's
    permissions and profile: marketplace.signed_in), the count read with whether any hold
    ran out, and the page's rows with its ids: 5 for 61 requests on two pages as for one."""
    manager, _closed = crowded_queue
    client.force_login(manager)
    for page in (1, 2):
        with django_assert_num_queries(5):
            response = client.get("/bookings/queue/", {"page": page})
        assert response.status_code == 200


def test_an_empty_queue_page_costs_five_queries(client, booking_world, django_assert_num_queries):
    """Nothing waits: the count of none asks on its own whether a hold ran out (a MAX over
    no rows is NULL whatever its subquery found), and no statement reads the page's rows."""
    _instrument, _startup, manager, _day = booking_world
    client.force_login(manager)
    client.get("/bookings/queue/")
    with django_assert_num_queries(5):
        html = client.get("/bookings/queue/").content.decode()
    assert '<td colspan="6">' in html


def test_the_queue_covers_every_institution_of_the_member_and_no_other(client, crowded_queue):
    """The requests of every institution the person is a member of, in one queue, and none
    of an institution they are not a member of."""
    from tests.factories import InstitutionFactory, MembershipFactory

    manager, _closed = crowded_queue
    elsewhere = InstrumentFactory(institution=InstitutionFactory(), name="核磁共振谱仪")
    unrelated = InstrumentFactory(institution=InstitutionFactory(), name="透射电镜")
    MembershipFactory(user=manager, institution=elsewhere.institution, role="staff")
    # An institution of the member without instruments adds nothing and breaks nothing.
    MembershipFactory(user=manager, institution=InstitutionFactory(), role="manager")
    first = Booking.objects.filter(status=Status.PENDING_APPROVAL).order_by("start").first()
    for instrument in (elsewhere, unrelated):
        Booking.objects.create(
            instrument=instrument,
            user=first.user,
            start=first.start - dt.timedelta(days=1),
            end=first.end - dt.timedelta(days=1),
            status=Status.PENDING_APPROVAL,
            price=Decimal("10.00"),
        )
    client.force_login(manager)
    shown = []
    for page in (1, 2):
        html = client.get("/bookings/queue/", {"page": page}).content.decode()
        shown += rows(html)
    active = list(
        Booking.objects.filter(instrument__institution__memberships__user=manager)
        .exclude(status=Status.REJECTED)
        .select_related("instrument", "user")
        .order_by("start", "pk")
    )
    assert len(active) == 61
    assert active[0].instrument == elsewhere
    labels = {value: str(label) for value, label in Status.choices}
    assert shown == expected(active, labels)
    assert "透射电镜" not in str(shown)


@pytest.mark.parametrize("asked", [{}, {"status": "confirmed"}, {"status": "expired"}])
def test_a_request_whose_hold_ran_out_is_expired_before_the_queue_counts_or_lists_it(
    client, crowded_queue, asked
):
    """Whatever status the page asks for, a request whose hold ran out is expired first: it
    leaves the active list (and its count), and the 已过期 filter shows it at once."""
    from django.utils import timezone

    manager, _closed = crowded_queue
    overdue = Booking.objects.filter(status=Status.PENDING_APPROVAL).order_by("start", "pk").first()
    overdue.hold_expires_at = timezone.now() - dt.timedelta(minutes=1)
    overdue.save(update_fields=["hold_expires_at"])
    client.force_login(manager)
    client.get("/bookings/queue/", asked, HTTP_ACCEPT_LANGUAGE="zh-hans")
    overdue.refresh_from_db()
    assert overdue.status == Status.EXPIRED
    active = client.get("/bookings/queue/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    second = client.get(
        "/bookings/queue/", {"page": 2}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert len(rows(active)) == 50 and len(rows(second)) == 9
    assert str(overdue.pk) not in [row["pk"] for row in rows(active) + rows(second)]
    expired = client.get(
        "/bookings/queue/", {"status": "expired"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert [(row["pk"], row["status"]) for row in rows(expired)] == [(str(overdue.pk), "已过期")]


def test_a_member_whose_institution_has_no_instruments_sees_an_empty_queue(client):
    from tests.factories import MembershipFactory, UserFactory

    membership = MembershipFactory(user=UserFactory(), role="staff")
    client.force_login(membership.user)
    response = client.get("/bookings/queue/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert '<tr><td colspan="6">暂无预约。</td></tr>' in response.content.decode()


MINE_ROW = re.compile(
    r'<tr>\s*<td><a href="(?P<url>[^"]+)">(?P<pk>\d+)</a></td>\s*'
    r"<td>(?P<instrument>[^<]*)</td>\s*<td>(?P<when>[^<]*)</td>\s*"
    r'<td>(?P<price>[^<]*)</td>\s*<td><span class="badge">(?P<status>[^<]*)</span></td>\s*</tr>'
)


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        ("zh-hans", {"pending_approval": "待审核", "awaiting_payment": "待付款"}),
        ("en", {"pending_approval": "Pending approval", "awaiting_payment": "Awaiting payment"}),
    ],
)
def test_my_bookings_share_the_queues_table_without_the_booker(
    client, crowded_queue, language, labels
):
    """The person's own page uses the same table, newest first, without the booker's column
    (and the closed request stays listed there)."""
    booker = UserFactory(username="booker-of-<three>")
    Booking.objects.filter(status__in=labels).update(user=booker)
    client.force_login(booker)
    html = client.get("/bookings/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    shown = [match.groupdict() for match in MINE_ROW.finditer(html)]
    mine = list(Booking.objects.filter(user=booker).select_related("instrument", "user"))
    mine.sort(key=lambda booking: booking.start, reverse=True)
    assert len(mine) == 40
    want = [{k: v for k, v in row.items() if k != "user"} for row in expected(mine, labels)]
    assert shown == want
    assert "booker-of-" not in html.split("<table", 1)[1]
    assert "预约人" not in html and "Booked by" not in html
