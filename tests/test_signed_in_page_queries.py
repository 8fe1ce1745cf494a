"""What every signed-in page asks about its visitor — their unread notices, their model
permissions and Wagtail profile (the userbar), their institutions — is read in one query
(marketplace.signed_in), and read afresh by every request: a permission taken away, a
membership ended, a notice read or made shows on the very next page."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from marketplace import signed_in
from marketplace.accounts.models import Membership, User
from marketplace.bookings.models import Booking, Status
from marketplace.notifications.models import Notification
from tests.factories import InstitutionFactory, InstrumentFactory, MembershipFactory, UserFactory
from tests.test_userbar_permissions import permission, permitted_person

pytestmark = pytest.mark.django_db

USERBAR = 'id="wagtail-userbar-template"'
BADGE = '<span class="unread-badge" id="unread-count" aria-hidden="true">{}</span>'


def notices(user, count, read=False):
    for n in range(count):
        Notification.objects.create(
            user=user, message=f"通知 {n}", read_at=timezone.now() if read else None
        )


@pytest.fixture
def institution():
    institution = InstitutionFactory(code="YLU", name="云岭理工大学")
    InstrumentFactory(institution=institution, name="扫描电镜")
    return institution


@pytest.fixture
def member(institution):
    UserFactory(username="zhou")
    call_command("grant_role", "zhou", institution.code, "manager")
    return User.objects.get(username="zhou")


def test_one_query_reads_what_the_separate_queries_read(django_assert_num_queries):
    """Permissions given directly and through two groups, two institutions, unread and read
    notices, a profile with the dark theme: one query, the same answers."""
    from wagtail.users.models import UserProfile

    person = permitted_person()
    first, second = InstitutionFactory(), InstitutionFactory()
    MembershipFactory(user=person, institution=first, role="manager")
    MembershipFactory(user=person, institution=second, role="staff")
    notices(person, 2)
    notices(person, 3, read=True)
    notices(UserFactory(), 4)
    profile = UserProfile.get_for_user(person)
    profile.theme, profile.preferred_language = "dark", "en"
    profile.save()
    loaded = User.objects.get(pk=person.pk)
    with django_assert_num_queries(1):
        signed_in.read(loaded)
        signed_in.read(loaded)  # once a request
        assert loaded._unread_notices == 2
        assert loaded._member_institution_ids == {first.pk, second.pk}
        assert loaded.has_perm("catalogue.change_instrument")
        assert not loaded.has_perm("catalogue.delete_instrument")
        assert loaded.wagtail_userprofile.theme == "dark"
        assert loaded.wagtail_userprofile.get_preferred_language() == "en"
    fresh = User.objects.get(pk=person.pk)
    assert loaded.get_all_permissions() == ModelBackend().get_all_permissions(fresh)
    # The profile's other columns are read when asked for, like a queryset's .only().
    assert loaded.wagtail_userprofile.keyboard_shortcuts == profile.keyboard_shortcuts


def test_someone_with_nothing_gets_empty_answers_and_no_profile_is_made(
    django_assert_num_queries,
):
    from wagtail.users.models import UserProfile

    loaded = User.objects.get(pk=UserFactory().pk)
    with django_assert_num_queries(1):
        signed_in.read(loaded)
    assert loaded._unread_notices == 0
    assert loaded._member_institution_ids == set()
    assert loaded.get_all_permissions() == set()
    assert not UserProfile.objects.filter(user=loaded).exists()


def test_superusers_permissions_are_left_to_django():
    """ModelBackend answers a superuser without reading permissions: nothing is kept."""
    root = User.objects.get(pk=User.objects.create_superuser("root", "r@example.org", "x").pk)
    signed_in.read(root)
    assert not hasattr(root, "_perm_cache")
    assert root.has_perm("anything.at_all")


def test_a_permission_taken_from_the_group_hides_the_userbar_on_the_next_page(client, member):
    client.force_login(member)
    assert USERBAR in client.get("/bookings/queue/").content.decode()
    Group.objects.get(user=member).permissions.remove(permission("wagtailadmin", "access_admin"))
    html = client.get("/bookings/queue/").content.decode()
    assert "<h1>预约审核</h1>" in html
    assert USERBAR not in html


def test_a_person_taken_out_of_the_group_or_given_the_permission_sees_it_next_page(client, member):
    client.force_login(member)
    member.groups.clear()
    assert USERBAR not in client.get("/bookings/queue/").content.decode()
    member.user_permissions.add(permission("wagtailadmin", "access_admin"))
    assert USERBAR in client.get("/bookings/queue/").content.decode()


def test_an_ended_membership_closes_the_queue_on_the_next_page(client, member, institution):
    client.force_login(member)
    assert client.get("/bookings/queue/").status_code == 200
    Membership.objects.filter(user=member).delete()
    assert client.get("/bookings/queue/").status_code == 404


def test_the_badge_follows_notices_made_and_read_between_pages(client, member):
    client.force_login(member)
    notices(member, 2)
    assert BADGE.format(2) in client.get("/bookings/queue/").content.decode()
    Notification.objects.filter(user=member).update(read_at=timezone.now())
    assert 'id="unread-count"' not in client.get("/bookings/queue/").content.decode()


def test_a_hold_the_queue_expires_is_counted_in_the_badge_of_the_same_page(
    client, member, institution
):
    """The queue expires overdue holds before it counts them; the notice that sends to the
    person (here the member's own request) is in the badge of the page that expired it."""
    start = timezone.now() + dt.timedelta(days=3)
    booking = Booking.objects.create(
        instrument=institution.instrument_listings.get(),
        user=member,
        start=start,
        end=start + dt.timedelta(hours=1),
        status=Status.PENDING_APPROVAL,
        price=Decimal("10.00"),
        hold_expires_at=timezone.now() - dt.timedelta(minutes=1),
    )
    client.force_login(member)
    html = client.get("/bookings/queue/", {"status": Status.EXPIRED}).content.decode()
    booking.refresh_from_db()
    assert booking.status == Status.EXPIRED
    unread = Notification.objects.filter(user=member, read_at__isnull=True).count()
    assert unread >= 1
    assert BADGE.format(unread) in html
