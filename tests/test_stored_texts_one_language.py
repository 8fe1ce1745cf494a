"""Texts the system stores or serves to programs read in one language: the downtime refund note
and the downtime blackout are codes shown in the reader's language (old bilingual rows too);
the iCal feeds speak their owner's preferred language; an enterprise's name has the brackets
of the reader's language."""

import pytest
from django.utils import translation

from marketplace.bookings import services as bookings
from marketplace.catalogue.models import Blackout
from marketplace.sharing import services as sharing
from marketplace.vouchers.models import Enterprise
from marketplace.workflow import note_text
from tests.booking_fixtures import at

pytestmark = pytest.mark.django_db


def in_both(render) -> dict[str, str]:
    result = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            result[language] = str(render())
    return result


def test_a_downtime_blackout_and_refund_read_in_the_readers_language(booking_world):
    instrument, startup, manager, day = booking_world
    booking = bookings.request_booking(startup, instrument, at(day, "09:00"), at(day, "10:00"))
    record = sharing.record_usage(
        manager, instrument, "downtime", at(day, "08:30"), at(day, "12:00")
    )
    blackout = Blackout.objects.get(instrument=instrument)
    assert blackout.reason == ""  # nobody typed a note: nothing is stored in either language
    assert in_both(blackout.get_kind_display) == {"zh-hans": "故障停机", "en": "Downtime"}

    sharing.cancel_for_downtime(startup, record, booking.pk)
    cancelled = booking.transitions.order_by("at", "pk").last()
    assert cancelled.note == sharing.FULL_REFUND_REASON
    assert in_both(lambda: cancelled.note_text) == {
        "zh-hans": "仪器停机，全额退款",
        "en": "The instrument is down then: full refund",
    }


def test_a_typed_downtime_note_is_kept_as_typed(booking_world):
    instrument, _startup, manager, day = booking_world
    sharing.record_usage(
        manager, instrument, "downtime", at(day, "08:30"), at(day, "12:00"), note="真空泵故障"
    )
    blackout = Blackout.objects.get(instrument=instrument)
    assert (blackout.kind, blackout.reason) == ("downtime", "真空泵故障")


def test_old_bilingual_notes_are_shown_in_one_language():
    old = "仪器停机，全额退款 / the instrument is down then: full refund"
    assert in_both(lambda: note_text(old)) == {
        "zh-hans": "仪器停机，全额退款",
        "en": "The instrument is down then: full refund",
    }


@pytest.mark.parametrize(
    ("language", "mine", "name", "instrument_feed", "feed_name"),
    [
        ("zh-hans", "扫描电镜（待审核）", "founder 的预约", "founder（待审核）", "扫描电镜 的预约"),
        (
            "en",
            "扫描电镜 (Pending approval)",
            "founder's bookings",
            "founder (Pending approval)",
            "Bookings of 扫描电镜",
        ),
    ],
)
def test_calendar_feeds_speak_their_owners_language(
    client, booking_world, language, mine, name, instrument_feed, feed_name
):
    instrument, startup, manager, day = booking_world
    for person in (startup, manager):
        person.preferred_language = language
        person.save(update_fields=["preferred_language"])
    booking = bookings.request_booking(startup, instrument, at(day, "09:00"), at(day, "11:00"))
    # The calendar app's own Accept-Language does not matter: the token's owner does.
    other = "en" if language == "zh-hans" else "zh-hans"
    feed = client.get(
        "/api/v1/bookings/calendar.ics",
        {"token": startup.calendar_token},
        HTTP_ACCEPT_LANGUAGE=other,
    )
    text = feed.content.decode()
    assert feed["Content-Language"] == language
    assert f"SUMMARY:{mine}" in text
    assert f"X-WR-CALNAME:{name}" in text
    members = client.get(
        f"/api/v1/instruments/{instrument.code}/calendar.ics",
        {"token": manager.calendar_token},
        HTTP_ACCEPT_LANGUAGE=other,
    )
    text = members.content.decode()
    assert members["Content-Language"] == language
    assert f"SUMMARY:#{booking.pk} {instrument_feed}" in text
    assert f"X-WR-CALNAME:{feed_name}" in text


def test_an_enterprise_is_named_with_the_readers_brackets():
    enterprise = Enterprise(name="昆明某某科技有限公司", credit_code="91530100MA6K5X2Y3U")
    assert in_both(lambda: str(enterprise)) == {
        "zh-hans": "昆明某某科技有限公司（91530100MA6K5X2Y3U）",
        "en": "昆明某某科技有限公司 (91530100MA6K5X2Y3U)",
    }
