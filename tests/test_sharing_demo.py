"""The issue's demo check: in the demo data (the demo catalogue and the demo accounts), bookings
completed through the real service and rated by their user show up as hours, 共享率 and
ratings on the instrument page, the institution page and the public statistics page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from marketplace.accounts.models import User
from marketplace.catalogue.models import Instrument
from marketplace.demo import load_demo_catalogue
from marketplace.sharing.indicators import current_year
from marketplace.sharing.ledger import SHANGHAI
from tests.sharing_fixtures import World, completed_booking

pytestmark = pytest.mark.django_db


def test_completed_demo_bookings_show_hours_sharing_rate_and_ratings(client, settings):
    settings.DEBUG = True  # the demo accounts exist only in a DEBUG (local) site
    load_demo_catalogue()
    call_command("ensure_demo_admin", stdout=open("/dev/null", "w"))  # noqa: SIM115
    founder = User.objects.get(username="founder")  # an outsider: external service
    manager = User.objects.get(username="ylu-manager")  # a member of 云岭理工大学: internal
    sem = Instrument.objects.get(code="YLU-SEM-01")
    # Today in Beijing, so this year's figures (completing does not wait for the slot).
    today = timezone.now().astimezone(SHANGHAI).replace(hour=0, minute=0, second=0, microsecond=0)
    demo = World(sem.institution, sem, manager, outsider=founder, other_outsider=None)
    done = [
        completed_booking(demo, user, today + dt.timedelta(hours=hour), minutes)
        for user, hour, minutes in ((founder, 8, 150), (manager, 14, 90))
    ]
    client.force_login(founder)
    response = client.post(
        f"/statistics/rate/booking/{done[0].pk}/",
        {"timeliness": "5", "quality": "4", "attitude": "5", "comment": ""},
    )
    assert response.status_code == 302
    client.logout()

    # 240 minutes effective (4.0 h), 150 external (2.5 h): 共享率 62.5 %; (5 + 4 + 5) / 3.
    for url in (f"/instruments/{sem.code}/", "/institutions/YLU/"):
        page = client.get(url).content.decode()
        summary = page.split('class="sharing-summary"')[1].split("</section>")[0]
        assert "4.0 小时" in summary, url
        assert "2.5 小时" in summary, url
        assert "62.5%" in summary, url
        assert "4.67 分（1 条评价）" in summary, url

    page = client.get(f"/statistics/?year={current_year()}").content.decode()
    assert "<strong>4.0</strong>" in page
    assert "<strong>62.5%</strong>" in page
    ranking = page.split('id="ranking-hours"')[1].split("</table>")[0]
    assert "云岭理工大学" in ranking
    assert "4.67" in ranking
