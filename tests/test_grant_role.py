"""grant_role: gives a role, replaces an old one, and refuses unknown names with exit status 1."""

import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from marketplace.accounts.models import Membership
from tests.factories import InstitutionFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_grant_role_makes_the_user_a_member():
    user = UserFactory(username="zhou")
    institution = InstitutionFactory(code="YLU")
    call_command("grant_role", "zhou", "YLU", "manager")
    membership = Membership.objects.get(user=user, institution=institution)
    assert membership.role == "manager"


def test_grant_role_again_changes_the_role_without_a_second_row():
    UserFactory(username="zhou")
    InstitutionFactory(code="YLU")
    call_command("grant_role", "zhou", "YLU", "manager")
    call_command("grant_role", "zhou", "YLU", "staff")
    assert list(Membership.objects.values_list("role", flat=True)) == ["staff"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ghost", "YLU", "staff"], "用户“ghost”不存在"),
        (["zhou", "NOPE", "staff"], "机构编码“NOPE”不存在"),
        (["zhou", "YLU", "owner"], "未知角色“owner”"),
    ],
)
def test_unknown_user_institution_or_role_is_a_clear_error(args, message):
    UserFactory(username="zhou")
    InstitutionFactory(code="YLU")
    with pytest.raises(CommandError, match=message):
        call_command("grant_role", *args)
    assert not Membership.objects.exists()


def test_the_command_line_exits_1_with_a_message_and_no_traceback(cli_env):
    env = cli_env
    result = subprocess.run(
        [sys.executable, "manage.py", "grant_role", "ghost", "YLU", "manager"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "用户“ghost”不存在" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
