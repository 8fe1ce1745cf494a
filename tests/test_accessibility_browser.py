"""The main pages in real Chromium, checked by axe-core (bundled by axe-playwright-python):
no serious or critical accessibility violation, in Chinese and in English."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests import voucher_fixtures as vf
from tests.factories import (
    IncubatorFactory,
    InstitutionFactory,
    TechnologyFactory,
    UserFactory,
)
from tests.test_booking_browser import browser, sign_in  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]
SERIOUS = {"serious", "critical"}


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{page.url} {violation['id']} ({violation['impact']}): "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in SERIOUS
    ]


@pytest.mark.parametrize("language", ["zh-CN", "en-US"])
def test_the_main_pages_have_no_serious_accessibility_violations(
    live_server,
    browser,  # noqa: F811
    settings,
    site_pages,
    language,
):
    settings.SEARCH_ENGINE = "database"
    institution = InstitutionFactory(code="YLU", name="云岭理工大学")
    vf.instrument(institution=institution, code="YLU-SEM-01", name="场发射扫描电子显微镜")
    IncubatorFactory(institution=institution, code="MAKER", name="春城众创空间")
    TechnologyFactory(institution=institution, code="TECH-1", title="植物提取工艺")
    from search.engines import database_engine
    from search.indexing import rebuild

    rebuild(database_engine())
    UserFactory(username="founder")
    base = live_server.url
    context = browser.new_context(locale=language)
    page = context.new_page()
    found = []
    for path in [
        "/",
        "/instruments/",
        "/instruments/YLU-SEM-01/",
        "/incubators/MAKER/",
        "/technologies/TECH-1/",
        "/institutions/YLU/",
        "/search/?q=显微镜",
        "/statistics/",
        "/accounts/login/",
        "/accounts/register/",
    ]:
        page.goto(f"{base}{path}")
        found += serious_violations(page)
    sign_in(page, base, "founder")
    for path in [
        "/instruments/YLU-SEM-01/calendar/",
        "/workspace/",
        "/bookings/",
        "/notifications/",
        "/accounts/profile/",
    ]:
        page.goto(f"{base}{path}")
        found += serious_violations(page)
    context.close()
    assert found == [], "\n".join(found)


def _wider_than(page, width: int) -> int:
    """How far the page scrolls sideways at this width (0: it fits)."""
    return page.evaluate("document.documentElement.scrollWidth") - width


@pytest.mark.parametrize("language", ["zh-CN", "en-US"])
def test_the_managers_and_voucher_pages_are_accessible_and_fit_a_phone(
    live_server,
    browser,  # noqa: F811
    site_pages,
    language,
):
    """The pages added for managers (the institution floor, the sharing dashboard) and for
    vouchers (apply, review, the programme dashboard, claims, settlement): axe-core finds no
    serious violation, and at 375 px none of them scrolls sideways."""
    institution = InstitutionFactory(code="YLU", name="云岭理工大学")
    for n in range(3):
        vf.instrument(institution=institution, code=f"YLU-SEM-0{n}", name=f"扫描电镜{n}")
    vf.member_of(institution, "ylu-manager")
    admin = vf.admin_user()
    programme = vf.programme()
    vf.approved_enterprise(programme, UserFactory(username="founder"), admin)
    from marketplace.vouchers import services

    services.apply(
        UserFactory(username="waiting"),
        programme,
        name="滇池材料有限公司",
        credit_code=vf.enterprise_code(2),
        document=vf.pdf_upload("licence.pdf"),
    )
    base = live_server.url
    found, wide = [], []
    for username, paths in [
        (
            "ylu-manager",
            ["/institutions/YLU/availability/", "/statistics/institution/", "/vouchers/claims/"],
        ),
        ("voucher-admin", ["/vouchers/review/", "/vouchers/dashboard/", "/vouchers/settlement/"]),
        ("founder", ["/vouchers/", "/vouchers/apply/"]),
    ]:
        context = browser.new_context(locale=language, viewport={"width": 375, "height": 667})
        page = context.new_page()
        sign_in(page, base, username)
        for path in paths:
            response = page.goto(f"{base}{path}")
            assert response.status == 200, path
            found += serious_violations(page)
            if _wider_than(page, 375) > 0:
                wide.append(f"{path} scrolls {_wider_than(page, 375)} px sideways at 375 px")
        context.close()
    assert found == [], "\n".join(found)
    assert wide == [], "\n".join(wide)
