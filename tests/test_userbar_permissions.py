"""The Wagtail userbar at the foot of every signed-in page: shown to exactly the people who may
use the admin (institution members, who are put in 机构成员 by grant_role; anyone given the
permission directly; superusers), and the permissions it asks about read in one query."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from marketplace.accounts.models import User
from marketplace.accounts.permissions import load_model_permissions
from tests.factories import InstitutionFactory, InstrumentFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

USERBAR = 'id="wagtail-userbar-template"'


def permission(app_label: str, codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def permitted_person() -> User:
    """Someone given admin access directly and through a group, with two groups' permissions."""
    person = UserFactory()
    person.user_permissions.add(permission("wagtailadmin", "access_admin"))
    editors, viewers = Group.objects.create(name="仪器编辑"), Group.objects.create(name="仪器查看")
    editors.permissions.add(
        permission("wagtailadmin", "access_admin"), permission("catalogue", "change_instrument")
    )
    viewers.permissions.add(permission("catalogue", "view_instrument"))
    person.groups.add(editors, viewers)
    return person


@pytest.fixture
def institution():
    institution = InstitutionFactory(code="YLU", name="云岭理工大学")
    InstrumentFactory(institution=institution, name="扫描电镜")
    return institution


def test_a_member_given_a_role_sees_the_userbar_on_the_queue(client, institution):
    UserFactory(username="zhou")
    call_command("grant_role", "zhou", institution.code, "staff")
    client.force_login(User.objects.get(username="zhou"))
    html = client.get("/bookings/queue/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "<h1>预约审核</h1>" in html
    assert USERBAR in html


def test_a_member_outside_the_admin_groups_sees_no_userbar(client, institution):
    membership = MembershipFactory(institution=institution, role="manager")
    client.force_login(membership.user)
    html = client.get("/bookings/queue/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "<h1>预约审核</h1>" in html
    assert USERBAR not in html


def test_the_admin_permission_given_to_the_person_alone_shows_the_userbar(client):
    person = UserFactory()
    person.user_permissions.add(permission("wagtailadmin", "access_admin"))
    client.force_login(person)
    assert USERBAR in client.get("/bookings/").content.decode()


def test_a_superuser_sees_the_userbar_and_a_founder_does_not(client):
    client.force_login(User.objects.create_superuser("root", "root@example.org", "x"))
    assert USERBAR in client.get("/bookings/").content.decode()
    client.force_login(UserFactory())
    assert USERBAR not in client.get("/bookings/").content.decode()


def test_the_permissions_read_in_one_query_are_those_model_backend_reads(
    django_assert_num_queries,
):
    """Given directly, through two groups, and one of them both ways: one query, the same set."""
    person = permitted_person()
    loaded = User.objects.get(pk=person.pk)
    with django_assert_num_queries(1):
        load_model_permissions(loaded)
        assert loaded.has_perm("catalogue.change_instrument")
        assert not loaded.has_perm("catalogue.delete_instrument")
    fresh = User.objects.get(pk=person.pk)
    assert loaded.get_all_permissions() == ModelBackend().get_all_permissions(fresh)
    assert loaded.get_all_permissions() == {
        "wagtailadmin.access_admin",
        "catalogue.change_instrument",
        "catalogue.view_instrument",
    }


def render_tags(source: str, user, language: str) -> str:
    from django.template import Context, Template
    from django.test import RequestFactory
    from django.utils import translation

    request = RequestFactory().get("/bookings/queue/")
    request.user = User.objects.get(pk=user.pk)  # as each request reads the person afresh
    with translation.override(language):
        return Template("{% load userbar_tags wagtailuserbar %}" + source).render(
            Context({"request": request})
        )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_userbar_kept_between_requests_is_what_wagtail_renders(institution, language):
    """Off Wagtail's pages the userbar is written once and kept: the first and the second
    request of a member get exactly Wagtail's own markup, in the page's language."""
    member = UserFactory(username="zhou")
    call_command("grant_role", "zhou", institution.code, "staff")
    wagtails = render_tags("{% wagtailuserbar %}", member, language)
    assert USERBAR in wagtails
    assert render_tags("{% userbar %}", member, language) == wagtails
    assert render_tags("{% userbar %}", member, language) == wagtails
    other = "en" if language == "zh-hans" else "zh-hans"
    assert render_tags("{% userbar %}", member, other) != wagtails


def test_the_kept_userbar_follows_the_persons_admin_theme_and_access(institution):
    """A member who chooses the dark theme in the admin sees it on the next page; one who
    leaves the admin's groups sees no userbar, although another member's is kept."""
    from wagtail.users.models import UserProfile

    member = UserFactory(username="zhou")
    call_command("grant_role", "zhou", institution.code, "staff")
    assert "w-theme-system" in render_tags("{% userbar %}", member, "zh-hans")
    profile = UserProfile.get_for_user(member)
    profile.theme = "dark"
    profile.save()
    dark = render_tags("{% userbar %}", member, "zh-hans")
    assert "w-theme-dark" in dark and "w-theme-system" not in dark
    member.groups.clear()
    assert USERBAR not in render_tags("{% userbar %}", member, "zh-hans")


def test_a_member_in_the_admin_group_gets_the_queue_and_its_userbar_in_five_queries(
    client, institution, django_assert_num_queries
):
    """The queue's five queries: the member's permissions and Wagtail profile (which Wagtail
    reads twice, for the userbar's language and its theme) are read with their institutions
    and unread notices, in one (marketplace.signed_in)."""
    from tests.factories import BookingFactory

    BookingFactory.create_batch(3, instrument=institution.instrument_listings.get())
    UserFactory(username="zhou")
    call_command("grant_role", "zhou", institution.code, "manager")
    client.force_login(User.objects.get(username="zhou"))
    client.get("/bookings/queue/")
    with django_assert_num_queries(5):
        html = client.get("/bookings/queue/").content.decode()
    assert USERBAR in html
