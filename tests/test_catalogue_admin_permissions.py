"""In the Wagtail admin a member manages only their own institution's listings; moderators publish."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse
from wagtail.models import Revision

from marketplace.accounts.permissions import MODERATORS_GROUP
from marketplace.catalogue.models import Instrument, Technology
from tests.factories import InstitutionFactory, InstrumentFactory, TechnologyFactory, UserFactory

pytestmark = pytest.mark.django_db

PER_OBJECT_VIEWS = [
    "edit",
    "delete",
    "history",
    "history_results",
    "usage",
    "preview_on_edit",
    "unpublish",
    "workflow_history",
    "lock",
    "unlock",
    "copy",
]


def member_of(institution, username):
    UserFactory(username=username)
    call_command("grant_role", username, institution.code, "staff")
    from marketplace.accounts.models import User

    return User.objects.get(username=username)


@pytest.fixture
def two_institutions():
    ours = InstitutionFactory(code="OURS", name="我们的研究院")
    theirs = InstitutionFactory(code="THEIRS", name="别人的大学")
    mine = InstrumentFactory(institution=ours, name="我们的拉曼光谱仪")
    not_mine = InstrumentFactory(institution=theirs, name="别人的核磁共振波谱仪")
    return ours, theirs, mine, not_mine


def url_for(view, obj):
    name = obj.snippet_viewset.get_url_name(view)
    try:
        return reverse(name, args=[obj.pk])
    except NoReverseMatch:
        return None


def test_member_list_shows_only_their_institutions_listings(client, two_institutions):
    ours, _theirs, mine, not_mine = two_institutions
    client.force_login(member_of(ours, "staff1"))
    response = client.get(reverse(Instrument.snippet_viewset.get_url_name("list")))
    assert response.status_code == 200
    html = response.content.decode()
    assert mine.name in html
    assert not_mine.name not in html


@pytest.mark.parametrize("view", PER_OBJECT_VIEWS)
def test_member_cannot_reach_another_institutions_listing_by_any_admin_url(
    client, two_institutions, view
):
    ours, _theirs, _mine, not_mine = two_institutions
    client.force_login(member_of(ours, "staff1"))
    url = url_for(view, not_mine)
    if url is None:
        pytest.fail(f"admin view {view} has no URL for instruments")
    response = client.get(url)
    assert response.status_code in (302, 403, 404), (view, response.status_code)
    if response.status_code == 302:
        # Wagtail's "permission denied" redirect to the dashboard, never to the object.
        assert response["Location"].rstrip("/").endswith("/admin"), response["Location"]
    assert not_mine.name not in response.content.decode()


@pytest.mark.parametrize(
    ("view", "extra_args"),
    [
        ("revisions_view", lambda rev: [rev.pk]),
        ("revisions_revert", lambda rev: [rev.pk]),
        ("revisions_compare", lambda rev: ["live", rev.pk]),
        ("revisions_unschedule", lambda rev: [rev.pk]),
    ],
)
def test_member_cannot_read_another_institutions_revisions(
    client, two_institutions, view, extra_args
):
    ours, _theirs, _mine, not_mine = two_institutions
    not_mine.name = "别人的草稿修改"
    revision = not_mine.save_revision()
    client.force_login(member_of(ours, "staff1"))
    url = reverse(
        not_mine.snippet_viewset.get_url_name(view), args=[not_mine.pk, *extra_args(revision)]
    )
    response = client.get(url)
    assert response.status_code in (403, 404), (view, response.status_code)
    assert "别人的草稿修改" not in response.content.decode()


@pytest.mark.parametrize("view", ["edit", "delete", "unpublish", "lock"])
def test_member_posts_against_another_institutions_listing_change_nothing(
    client, two_institutions, view
):
    ours, _theirs, _mine, not_mine = two_institutions
    client.force_login(member_of(ours, "staff1"))
    response = client.post(url_for(view, not_mine), {"name": "被篡改", "action-publish": "1"})
    assert response.status_code in (302, 403, 404)
    not_mine.refresh_from_db()
    assert not_mine.name == "别人的核磁共振波谱仪"
    assert not_mine.live is True
    assert not_mine.locked is False
    assert not Revision.objects.filter(object_id=str(not_mine.pk)).exists()


def test_member_can_open_their_own_listing_for_editing(client, two_institutions):
    ours, _theirs, mine, _not_mine = two_institutions
    client.force_login(member_of(ours, "staff1"))
    response = client.get(url_for("edit", mine))
    assert response.status_code == 200
    html = response.content.decode()
    assert mine.name in html
    # the institution field offers only the member's own institution
    assert "我们的研究院" in html
    assert "别人的大学" not in html


def test_a_user_without_membership_sees_no_listing(client, two_institutions):
    _ours, _theirs, mine, _not_mine = two_institutions
    outsider = UserFactory(username="outsider")
    client.force_login(outsider)
    assert client.get(url_for("edit", mine)).status_code in (302, 403, 404)


def test_moderators_see_every_institutions_listings(client, two_institutions):
    _ours, _theirs, mine, not_mine = two_institutions
    moderator = UserFactory(username="mod")
    moderator.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    client.force_login(moderator)
    html = client.get(reverse(Instrument.snippet_viewset.get_url_name("list"))).content.decode()
    assert mine.name in html and not_mine.name in html
    assert client.get(url_for("edit", not_mine)).status_code == 200


def technology_form(institution, **overrides):
    data = {
        "code": "OURS-T-NEW",
        "institution": str(institution.pk),
        "title": "高原蓝莓花青素稳定化技术",
        "summary": "提高花青素热稳定性的包埋工艺。",
        "description": "",
        "field": "生物医药",
        "trl": "5",
        "ip_type": "invention_patent",
        "ip_status": "pending",
        "ip_numbers": "[]",
        "mode_license": "on",
        "asking_price": "",
        "inventors": "[]",
        "contact_name": "",
        "contact_phone": "",
        "contact_email": "",
    }
    data.update(overrides)
    return data


def test_member_creates_a_draft_submits_it_and_a_moderator_publishes_it(client, two_institutions):
    ours, _theirs, _mine, _not_mine = two_institutions
    member = member_of(ours, "staff1")
    client.force_login(member)
    add_url = reverse(Technology.snippet_viewset.get_url_name("add"))
    response = client.post(add_url, {**technology_form(ours), "action-submit": "1"})
    assert response.status_code == 302, response.content.decode()[:2000]
    technology = Technology.objects.get(code="OURS-T-NEW")
    assert technology.live is False
    assert technology.workflow_in_progress
    # The public cannot see it yet.
    client.logout()
    assert client.get(f"/technologies/{technology.code}/").status_code == 404
    assert client.get(f"/api/v1/technologies/{technology.code}/").status_code == 404

    moderator = UserFactory(username="mod")
    moderator.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    client.force_login(moderator)
    state = technology.current_workflow_state
    task_state = state.current_task_state
    approve_url = reverse(
        Technology.snippet_viewset.get_url_name("workflow_action"),
        args=[technology.pk, "approve", task_state.pk],
    )
    response = client.post(approve_url, {"comment": "同意发布"})
    assert response.status_code in (200, 302)
    technology.refresh_from_db()
    assert technology.live is True
    client.logout()
    assert (
        client.get(f"/api/v1/technologies/{technology.code}/").json()["title"]
        == "高原蓝莓花青素稳定化技术"
    )


def test_member_cannot_publish_directly(client, two_institutions):
    ours, _theirs, _mine, _not_mine = two_institutions
    client.force_login(member_of(ours, "staff1"))
    add_url = reverse(Technology.snippet_viewset.get_url_name("add"))
    client.post(add_url, {**technology_form(ours), "action-publish": "1"})
    technology = Technology.objects.filter(code="OURS-T-NEW").first()
    assert technology is None or technology.live is False


def test_member_cannot_create_a_listing_for_another_institution(client, two_institutions):
    ours, theirs, _mine, _not_mine = two_institutions
    client.force_login(member_of(ours, "staff1"))
    add_url = reverse(Technology.snippet_viewset.get_url_name("add"))
    response = client.post(add_url, technology_form(theirs))
    assert response.status_code == 200  # the form comes back with an error
    assert not Technology.objects.filter(code="OURS-T-NEW").exists()


def test_a_change_to_a_published_listing_waits_for_review_while_the_live_version_stays(
    client, two_institutions
):
    ours, _theirs, _mine, _not_mine = two_institutions
    live = TechnologyFactory(institution=ours, code="OURS-T-LIVE", title="已发布的成果")
    client.force_login(member_of(ours, "staff1"))
    edit_url = url_for("edit", live)
    response = client.post(
        edit_url,
        {**technology_form(ours, code="OURS-T-LIVE", title="修改后的标题"), "action-submit": "1"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    live.refresh_from_db()
    assert live.title == "已发布的成果"
    assert live.has_unpublished_changes is True
    assert live.get_latest_revision_as_object().title == "修改后的标题"
    client.logout()
    assert client.get("/technologies/OURS-T-LIVE/").status_code == 200
    assert "已发布的成果" in client.get("/technologies/OURS-T-LIVE/").content.decode()
