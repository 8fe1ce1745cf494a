"""Each institution's count of published instruments is stored and follows every change:
creating, deleting, publishing through moderation, unpublishing, rejecting, moving, importing.
`/institutions/` and the institutions API read it instead of counting per view."""

import copy
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.accounts.models import Institution
from marketplace.catalogue.counts import recount_instruments
from marketplace.catalogue.importer import import_catalogue
from marketplace.catalogue.models import Instrument
from marketplace.catalogue.permissions import MODERATORS_GROUP
from tests.factories import InstitutionFactory, InstrumentFactory, UserFactory

pytestmark = pytest.mark.django_db

RECOUNT = 'UPDATE "accounts_institution" SET "instrument_count"'
DEMO = Path(settings.BASE_DIR) / "data" / "demo-catalogue.json"


def stored(institution) -> int:
    return Institution.objects.values_list("instrument_count", flat=True).get(pk=institution.pk)


def live_count(institution) -> int:
    return Instrument.objects.filter(institution=institution, live=True).count()


def test_a_published_instrument_counts_and_a_draft_does_not():
    institution = InstitutionFactory()
    InstrumentFactory.create_batch(3, institution=institution)
    InstrumentFactory(institution=institution, live=False)
    assert stored(institution) == 3


def test_deleting_an_instrument_lowers_the_count():
    institution = InstitutionFactory()
    first, _second = InstrumentFactory.create_batch(2, institution=institution)
    first.delete()
    assert stored(institution) == 1
    Instrument.objects.filter(institution=institution).delete()
    assert stored(institution) == 0


def test_unpublishing_lowers_the_count_and_republishing_raises_it():
    institution = InstitutionFactory()
    instrument = InstrumentFactory(institution=institution)
    instrument.unpublish()
    assert stored(institution) == 0
    instrument.save_revision().publish()
    assert stored(institution) == 1


def _submit(instrument, user):
    instrument.save_revision(user=user)
    instrument.get_workflow().start(instrument, user)
    return instrument.current_workflow_state.current_task_state


def _moderator():
    moderator = UserFactory(username="moderator")
    moderator.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    return moderator


def test_a_submitted_instrument_counts_once_a_moderator_approves_it():
    institution = InstitutionFactory()
    instrument = InstrumentFactory(institution=institution, live=False)
    member = UserFactory()
    task_state = _submit(instrument, member)
    assert stored(institution) == 0
    task_state.task.specific.on_action(task_state, _moderator(), "approve")
    instrument.refresh_from_db()
    assert instrument.live
    assert stored(institution) == 1


def test_a_rejected_submission_does_not_count():
    institution = InstitutionFactory()
    instrument = InstrumentFactory(institution=institution, live=False)
    task_state = _submit(instrument, UserFactory())
    task_state.task.specific.on_action(task_state, _moderator(), "reject")
    instrument.refresh_from_db()
    assert not instrument.live
    assert stored(institution) == 0


def test_moving_an_instrument_recounts_both_institutions():
    left, joined = InstitutionFactory(), InstitutionFactory()
    InstrumentFactory(institution=left)
    instrument = Instrument.objects.get(institution=left)
    instrument.institution = joined
    instrument.save()
    assert (stored(left), stored(joined)) == (0, 1)


def test_a_save_that_names_other_fields_does_not_recount():
    instrument = InstrumentFactory()
    instrument.name = "透射电子显微镜"
    with CaptureQueriesContext(connection) as queries:
        instrument.save(update_fields=["name"])
    assert not recounts(queries)
    with CaptureQueriesContext(connection) as queries:
        instrument.save()
    assert len(recounts(queries)) == 1


def recounts(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith(RECOUNT)]


def test_an_import_counts_every_institution_and_a_reimport_follows_changes():
    demo = json.loads(DEMO.read_text(encoding="utf-8"))
    assert import_catalogue(demo).ok
    institutions = list(Institution.objects.all())
    assert (
        sum(i.instrument_count for i in institutions)
        == Instrument.objects.filter(live=True).count()
    )
    for institution in institutions:
        assert institution.instrument_count == live_count(institution), institution.code

    # The file unpublishes one instrument and moves another to a different institution.
    changed = copy.deepcopy(demo)
    hidden, moved = changed["instruments"][0], changed["instruments"][1]
    assert hidden.get("published", False) and moved.get("published", False)
    hidden["published"] = False
    target = next(i["code"] for i in changed["institutions"] if i["code"] != moved["institution"])
    source = moved["institution"]
    moved["institution"] = target
    before = {i.code: i.instrument_count for i in institutions}
    assert import_catalogue(changed).ok
    after = dict(Institution.objects.values_list("code", "instrument_count"))
    assert after[target] == before[target] + 1 - (hidden["institution"] == target)
    assert after[source] == before[source] - 1 - (hidden["institution"] == source)
    for institution in Institution.objects.all():
        assert institution.instrument_count == live_count(institution), institution.code


def test_a_dry_run_import_leaves_the_counts_alone():
    demo = json.loads(DEMO.read_text(encoding="utf-8"))
    import_catalogue(demo, dry_run=True)
    assert not Institution.objects.exists()


def test_recount_repairs_counts_written_around_the_signals():
    institution = InstitutionFactory()
    Instrument.objects.bulk_create(
        [InstrumentFactory.build(institution=institution, code=f"BULK-{n}") for n in range(4)]
    )
    assert stored(institution) == 0  # bulk writes send no signals
    assert recount_instruments([institution.pk]) == 1
    assert stored(institution) == 4


def test_institutions_page_reads_the_stored_counts_in_two_queries(
    client, django_assert_num_queries
):
    institutions = InstitutionFactory.create_batch(25)
    for n, institution in enumerate(institutions):
        for _ in range(n % 4):
            InstrumentFactory(institution=institution)
        InstrumentFactory(institution=institution, live=False)
    with django_assert_num_queries(2):  # the count, the page
        response = client.get("/institutions/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    html = response.content.decode()
    shown = Institution.objects.order_by("region", "code")[:20]
    for institution in shown:
        assert institution.name in html
    assert html.count("3 台开放仪器") == sum(1 for i in shown if i.instrument_count == 3)
    assert html.count("0 台开放仪器") == sum(1 for i in shown if i.instrument_count == 0)


def test_institutions_api_shows_the_count_in_two_queries(client, django_assert_num_queries):
    institution = InstitutionFactory(code="AAA")
    InstrumentFactory.create_batch(2, institution=institution)
    InstrumentFactory(institution=institution, live=False)
    InstitutionFactory.create_batch(25)
    with django_assert_num_queries(2):
        body = client.get("/api/v1/institutions/").json()
    assert body["results"][0]["code"] == "AAA"
    assert body["results"][0]["instrument_count"] == 2
    assert client.get("/api/v1/institutions/AAA/").json()["instrument_count"] == 2
