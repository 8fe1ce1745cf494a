"""`ensure_demo_admin` gives a local demo everything needed to walk the workflows by hand."""

import pytest
from django.core.management import CommandError, call_command

from marketplace.accounts.models import Membership, User
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db


def test_demo_accounts_include_a_founder_and_a_manager_of_the_demo_university(settings):
    settings.DEBUG = True
    InstitutionFactory(code="YLU")
    call_command("ensure_demo_admin")
    call_command("ensure_demo_admin")  # running it again changes nothing
    assert User.objects.get(username="admin").is_superuser
    founder = User.objects.get(username="founder")
    assert founder.check_password("shuangchuang-demo")
    assert not founder.memberships.exists()
    membership = Membership.objects.get(user__username="ylu-manager")
    assert (membership.institution.code, membership.role) == ("YLU", "manager")
    assert User.objects.count() == 3


def test_demo_accounts_are_refused_outside_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("ensure_demo_admin")
    assert not User.objects.exists()
