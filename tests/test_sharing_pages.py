"""The public statistics page (charts with their data tables, pinned query count), the
institution dashboard (underused flagged), and the yearly exports opening with Chinese intact."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.factories import InstitutionFactory, InstrumentFactory
from tests.sharing_fixtures import completed_booking, make_world, shanghai

pytestmark = pytest.mark.django_db
COLD = 9 + 6  # the summary tables; the database cache: one read, a write (five)
FIRST_READ = COLD + 2 * 5 + 1  # and the first versions of two tags: two adds, one more read


def history():
    world = make_world()
    dali = make_world(region="532900", code="DLU")
    completed_booking(world, world.outsider, shanghai(2025, 3, 10), 150, paid=Decimal("450.00"))
    completed_booking(world, world.manager, shanghai(2025, 4, 2), 90)
    completed_booking(dali, dali.outsider, shanghai(2025, 4, 9), 60)
    return world, dali


def test_the_statistics_page_shows_totals_and_each_chart_has_its_data_table(client):
    world, _dali = history()
    page = client.get("/statistics/?year=2025")
    assert page.status_code == 200
    html = page.content.decode()
    # Province: 300 minutes effective, 210 external (two outsiders) → 70.0 %.
    assert "<strong>5.0</strong>" in html
    assert "<strong>3.5</strong>" in html
    assert "70.0%" in html
    # Three charts, each an SVG with a title, each followed by its table.
    assert html.count("<svg") == 3
    for table in ("months-table", "categories-table", "regions-table"):
        assert f'id="{table}"' in html
    months = html.split('id="months-table"')[1].split("</table>")[0]
    assert "<td>2.5</td>" in months  # March
    assert "<td>2.5</td><td>1.0</td>" in months  # April: 150 minutes, 60 of them external
    regions = html.split('id="regions-table"')[1].split("</table>")[0]
    assert "大理白族自治州</th><td>1.0</td>" in regions
    assert "昆明市</th><td>4.0</td>" in regions
    ranking = html.split('id="ranking-hours"')[1].split("</table>")[0]
    assert ranking.index("云岭理工大学") < ranking.index("DLU研究院")
    assert "<script" not in html.split("<main")[1].split("</main>")[0]


def test_the_statistics_page_query_count_does_not_grow_with_the_history(
    client, django_assert_num_queries, django_capture_on_commit_callbacks
):
    history()
    # The very first read also gives the cache's version tags their first values (two adds).
    with django_assert_num_queries(FIRST_READ):
        client.get("/statistics/?year=2025")
    # Warm: the body and its versions come from the shared cache in one read.
    with django_assert_num_queries(1):
        assert client.get("/statistics/?year=2025").status_code == 200
    world = make_world(code="KMU")
    with django_capture_on_commit_callbacks(execute=True):  # the purge runs on commit
        for day in range(1, 8):
            completed_booking(world, world.outsider, shanghai(2025, 5, day), 60)
    # Cold: nine reads of the summary tables, whatever the history (the year's total, its
    # months, the categories, the 州/市, two rankings and their institutions' names, the year
    # list), plus the cache's read and its write of the rendered body.
    with django_assert_num_queries(COLD):
        response = client.get("/statistics/?year=2025")
    assert "KMU研究院" in response.content.decode()
    with django_assert_num_queries(1):
        client.get("/statistics/?year=2025")


def test_a_bad_year_falls_back_and_the_api_refuses_it(client, api_client):
    assert client.get("/statistics/?year=abc").status_code == 200
    response = api_client.get("/api/v1/statistics/?year=abc")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["year"]


def test_the_api_gives_the_same_numbers_as_the_page(api_client):
    world, _dali = history()
    body = api_client.get("/api/v1/statistics/?year=2025").json()
    assert body["total"]["effective_hours"] == "5.0"
    assert body["total"]["share_rate"] == "70.0"
    assert body["total"]["income_external"] == {"amount": "450.00", "currency": "CNY"}
    assert [m["effective_hours"] for m in body["months"]][2:4] == ["2.5", "2.5"]
    inst = api_client.get(f"/api/v1/statistics/institutions/{world.institution.code}/?year=2025")
    assert inst.json()["effective_hours"] == "4.0"
    assert inst.json()["users_served"] == 2


def test_the_dashboard_flags_underused_instruments_against_the_province_median(client):
    world = make_world()
    idle = InstrumentFactory(institution=world.institution, code="YLU-XRD", name="X射线衍射仪")
    busy_elsewhere = make_world(code="KMU")
    for day in range(1, 6):
        completed_booking(busy_elsewhere, busy_elsewhere.outsider, shanghai(2025, 6, day), 240)
    completed_booking(world, world.outsider, shanghai(2025, 6, 9), 600)
    completed_booking(world, world.outsider, shanghai(2025, 6, 10), 30, instrument=idle)
    client.force_login(world.manager)
    html = client.get("/statistics/institution/?year=2025").content.decode()
    rows = html.split('id="instrument-usage"')[1].split("</table>")[0]
    # Instruments with usage: 20 h, 10 h, 0.5 h → median 10 h; below 5 h is underused.
    assert "10.0 小时" in html
    xrd = rows.split("X射线衍射仪")[1].split("</tr>")[0]
    sem = rows.split("扫描电镜")[1].split("</tr>")[0]
    assert "使用不足" in xrd
    assert "使用不足" not in sem


def test_a_non_member_cannot_open_another_institutions_dashboard_or_export(client):
    world = make_world()
    other = InstitutionFactory(code="OTHER")
    client.force_login(world.manager)
    assert client.get(f"/statistics/institution/?institution={other.pk}").status_code == 404
    assert client.get(f"/statistics/institution/{other.pk}/evaluation.csv").status_code == 404
    client.force_login(world.outsider)
    assert client.get("/statistics/institution/").status_code == 404


def test_the_yearly_exports_open_with_chinese_intact(client):
    world, _dali = history()
    client.force_login(world.manager)
    url = f"/statistics/institution/{world.institution.pk}/evaluation"
    response = client.get(f"{url}.xlsx?year=2025")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "云岭理工大学 2025 年度大型科研仪器开放共享评价"
    assert rows[1] == ["一级指标", "二级指标", "数值", "单位"]
    by_name = {row[1]: row for row in rows[2:]}
    assert {row[0] for row in rows[2:]} == {"运行使用", "共享服务", "管理与服务成效"}
    assert by_name["有效工作机时"][2] == 4.0
    assert by_name["共享率"][2:] == [62.5, "%"]
    assert by_name["对外服务收入"][2] == 450

    response = client.get(f"{url}.csv?year=2025")
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1] == ["一级指标", "二级指标", "数值", "单位"]
    assert ["共享服务", "共享率", "62.5", "%"] in rows


def test_an_institution_name_that_looks_like_a_formula_is_disarmed(client):
    world = make_world()
    world.institution.name = '=HYPERLINK("http://x")'
    world.institution.save()
    client.force_login(world.manager)
    url = f"/statistics/institution/{world.institution.pk}/evaluation"
    csv_text = client.get(f"{url}.csv").content.decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("\"'=HYPERLINK")
    sheet = load_workbook(io.BytesIO(client.get(f"{url}.xlsx").content)).active
    assert sheet["A1"].data_type == "s"


# Session, user, memberships, the institution, its instruments, the summary rows (indicators,
# province median, per-instrument rows), ratings to answer, the usage form, the user bar.
# Measured 19 when issue 19 merged; 18 once the instruments are read once. Pinned so it cannot
# grow with the number of instruments or creep up unnoticed. +1 for the header's unread-notices
# badge (issue 15). Since the institution's panel (indicators, latest ratings, recorded
# machine time) and the province median stay in the shared cache until a figure, a rating or
# an answer moves (marketplace/sharing/freshness.py), a read when nothing moved makes 14
# (13 once the user bar's two permission look-ups became one, issue 17; 12 once they are read
# with the unread badge in one query, marketplace.signed_in)
# (each from one read of the cache); the first read after a figure moved recomputes both
# (three indicator reads, the ratings, the records; the median's two) and stores them (five
# each on the database cache).
DASHBOARD_QUERIES = 12
DASHBOARD_QUERIES_FIGURES_MOVED = 12 + 5 + 5 + 2 + 5
queries_log: list = []


def _dashboard_queries(client, world, url="/statistics/institution/?year=2025") -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.manager)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    queries_log[:] = queries.captured_queries
    return len(queries)


def _sql() -> str:
    return "\n".join(q["sql"][:160] for q in queries_log)


def test_the_dashboard_makes_a_fixed_number_of_queries_whatever_the_instruments(
    client, django_capture_on_commit_callbacks
):
    world = make_world()
    with django_capture_on_commit_callbacks(execute=True):
        completed_booking(world, world.outsider, shanghai(2025, 6, 9), 600)
    few = _dashboard_queries(client, world)
    assert few == DASHBOARD_QUERIES_FIGURES_MOVED, _sql()
    assert _dashboard_queries(client, world) == DASHBOARD_QUERIES, _sql()
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(6):
            instrument = InstrumentFactory(institution=world.institution, code=f"YLU-N{n}")
            completed_booking(
                world, world.outsider, shanghai(2025, 6, 10 + n), 60, instrument=instrument
            )
    assert _dashboard_queries(client, world) == DASHBOARD_QUERIES_FIGURES_MOVED, _sql()
    page = client.get("/statistics/institution/?year=2025").content.decode()
    assert page.count('<a href="/instruments/YLU-') == 7  # every instrument, linked
    assert '<option value="YLU-N5">' in page  # and in the usage form
    assert _dashboard_queries(client, world) == DASHBOARD_QUERIES


def test_the_dashboard_shows_its_instruments_fifty_a_page_and_offers_them_all_to_the_form(
    client,
):
    from marketplace.sharing.views import DASHBOARD_ROWS

    world = make_world()
    for n in range(DASHBOARD_ROWS + 4):
        InstrumentFactory(institution=world.institution, code=f"YLU-P{n:03d}")
    _dashboard_queries(client, world)  # the first read ever also starts the cache's versions
    assert _dashboard_queries(client, world) == DASHBOARD_QUERIES, _sql()
    first = client.get("/statistics/institution/?year=2025").content.decode()
    rows = first.split('id="instrument-usage"')[1].split("</table>")[0]
    assert rows.count('<a href="/instruments/') == DASHBOARD_ROWS
    assert "YLU-P000" in rows and "YLU-SEM" not in rows  # code order: P… before SEM
    assert first.count('<option value="YLU-') == DASHBOARD_ROWS + 5  # the form offers all
    assert f"?institution={world.institution.pk}&amp;year=2025&amp;page=2" in first
    url = f"/statistics/institution/?institution={world.institution.pk}&year=2025&page=2"
    assert _dashboard_queries(client, world, url) == DASHBOARD_QUERIES, _sql()
    second = client.get(url).content.decode()
    rows = second.split('id="instrument-usage"')[1].split("</table>")[0]
    assert rows.count('<a href="/instruments/') == 5
    assert "YLU-SEM" in rows
