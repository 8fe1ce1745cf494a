"""Every page of the base layout renders in Chinese and in English, with its navigation."""

import pytest
from django.utils import translation

from cms.models import NewsPage
from marketplace.accounts.models import PRIVACY_VERSION, TERMS_VERSION, User
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db

NAV = {
    "zh-hans": ["双创专区", "仪器共享", "孵化载体", "成果转化", "共享统计", "搜索", "登录"],
    "en": [
        "Innovation Zone",
        "Instrument sharing",
        "Incubators",
        "Technology transfer",
        "Sharing statistics",
        "Search",
        "Sign in",
    ],
}
SKIP_LINK = {"zh-hans": "跳到主要内容", "en": "Skip to main content"}


@pytest.fixture
def pages(site_pages):
    InstitutionFactory(code="YLU.A", name="云岭理工大学", type="university")
    article = NewsPage.objects.live().first()
    return [
        "/",
        "/news/",
        article.url,
        "/instruments/",
        "/incubators/",
        "/technologies/",
        "/institutions/",
        "/institutions/YLU.A/",
        "/search/",
        "/search/?q=理工",
        "/statistics/",
        "/accounts/login/",
        "/accounts/register/",
    ]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_layout_page_renders_with_navigation(client, pages, language):
    for url in pages:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, (url, response.status_code)
        html = response.content.decode()
        assert f'<html lang="{language}">' in html, url
        assert f'href="#main">{SKIP_LINK[language]}</a>' in html, url
        assert '<main id="main"' in html, url
        for label in NAV[language]:
            assert f">{label}</a>" in html, (url, label)


def test_the_language_switch_sets_english_for_the_next_pages(client, site_pages):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/instruments/"})
    assert response.status_code == 302
    assert response["Location"] == "/instruments/"
    page = client.get("/instruments/").content.decode()
    assert '<html lang="en">' in page
    assert "Instrument sharing" in page


def test_a_missing_page_is_a_404_page_in_the_layout(client, site_pages):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_unknown_institution_code_is_a_404(client, site_pages):
    assert client.get("/institutions/NOPE/").status_code == 404


def test_home_shows_latest_news_and_figures(client, site_pages):
    InstitutionFactory()
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    for article in NewsPage.objects.live():
        assert article.title in html
    assert "<strong>1</strong>家机构参与开放共享" in html


def test_search_finds_news_and_institutions_by_title(client, site_pages):
    InstitutionFactory(name="春城生物技术研究院")
    html = client.get("/search/", {"q": "生物技术"}).content.decode()
    assert "春城生物技术研究院" in html
    html = client.get("/search/", {"q": "众创空间"}).content.decode()
    assert "第三批省级众创空间和科技企业孵化器名单公布" in html


def test_institution_list_query_count_does_not_grow_with_rows(
    client, site_pages, django_assert_max_num_queries
):
    for _ in range(25):
        InstitutionFactory()
    with django_assert_max_num_queries(4):
        response = client.get("/institutions/")
    assert response.status_code == 200
    assert response.content.decode().count('<li>\n    <h2><a href="/institutions/') == 20


def test_registration_form_keeps_what_was_typed_and_explains(client, site_pages):
    with translation.override("zh-hans"):
        response = client.post(
            "/accounts/register/",
            {"username": "founder", "email": "bad", "password": "12345678", "password_again": "1"},
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="founder"' in html
    assert 'class="errorlist"' in html
    assert "两次输入的密码不一致" in html


def test_registration_form_signs_the_new_user_in(client, site_pages):
    response = client.post(
        "/accounts/register/",
        {
            "username": "founder",
            "email": "founder@example.com",
            "password": "Dian-jing-2026!",
            "password_again": "Dian-jing-2026!",
            "consent": "on",
        },
    )
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert "founder" in page
    assert "退出" in page
    user = User.objects.get(username="founder")
    assert (user.terms_version, user.privacy_version) == (TERMS_VERSION, PRIVACY_VERSION)
    assert user.consented_at is not None


def test_registration_without_consent_is_refused_on_the_page(client, site_pages):
    response = client.post(
        "/accounts/register/",
        {
            "username": "founder",
            "email": "founder@example.com",
            "password": "Dian-jing-2026!",
            "password_again": "Dian-jing-2026!",
        },
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert "注册须阅读并同意《用户协议》和《隐私政策》" in response.content.decode()
    assert not User.objects.filter(username="founder").exists()


def test_the_profile_page_saves_and_returns_to_next(
    client, site_pages, django_assert_max_num_queries
):
    from tests.factories import UserFactory

    user = UserFactory(username="maker", real_name="", organisation="", phone="")
    client.force_login(user)
    with django_assert_max_num_queries(8):
        page = client.get("/accounts/profile/?next=/instruments/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Real name" in html and 'name="next" value="/instruments/"' in html
    bad = client.post(
        "/accounts/profile/",
        {
            "real_name": "王芳",
            "organisation": "星火科技",
            "phone": "13900000000",
            "organisation_credit_code": "91440300708461136U",
            "preferred_language": "en",
        },
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert bad.status_code == 400 and "第 18 位应为 T" in bad.content.decode()
    user.refresh_from_db()
    assert user.real_name == "" and not user.profile_complete  # nothing half-saved
    good = client.post(
        "/accounts/profile/",
        {
            "real_name": "王芳",
            "organisation": "星火科技",
            "phone": "13900000000",
            "organisation_credit_code": "91440300708461136T",
            "preferred_language": "en",
            "next": "/instruments/",
        },
    )
    assert good.status_code == 302 and good["Location"] == "/instruments/"
    user.refresh_from_db()
    assert user.profile_complete and user.preferred_language == "en"
    assert user.email_notifications is False  # an unticked box turns email notices off
    offsite = client.post(
        "/accounts/profile/",
        {
            "real_name": "王芳",
            "organisation": "星火科技",
            "phone": "13900000000",
            "next": "https://evil.example/",
        },
    )
    assert offsite["Location"] == "/accounts/profile/"


def test_the_profile_page_needs_a_login(client, site_pages):
    response = client.get("/accounts/profile/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_login_and_logout_pages_work(client, site_pages):
    from tests.factories import UserFactory

    UserFactory(username="alice")
    bad = client.post("/accounts/login/", {"username": "alice", "password": "nope"})
    assert bad.status_code == 200
    assert 'class="errorlist"' in bad.content.decode()
    good = client.post(
        "/accounts/login/", {"username": "alice", "password": "correct-horse-battery"}
    )
    assert good.status_code == 302
    assert client.post("/accounts/logout/").status_code == 302
    assert "登录" in client.get("/").content.decode()


def test_the_terms_and_privacy_pages_are_there_in_each_language(client, site_tree):
    from cms.models import LegalPage
    from marketplace.accounts.models import PRIVACY_VERSION, TERMS_VERSION

    versions = dict(LegalPage.objects.values_list("slug", "version"))
    assert versions == {"terms": TERMS_VERSION, "privacy": PRIVACY_VERSION}
    chinese = client.get("/privacy/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "<h1>隐私政策</h1>" in chinese and "个人信息保护法" in chinese
    assert "Privacy Policy" not in chinese
    english = client.get("/privacy/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<h1>Privacy Policy</h1>" in english and "Personal Information Protection Law" in english
    assert "个人信息保护法" not in english
    terms = client.get("/terms/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<h1>Terms of Service</h1>" in terms
    for language in ("zh-hans", "en"):
        page = client.get("/accounts/register/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert 'href="/terms/"' in page and 'href="/privacy/"' in page
        assert 'name="consent"' in page
