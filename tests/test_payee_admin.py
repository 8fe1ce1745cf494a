"""收款信息 in the Wagtail admin: a manager edits their own institution's payee details only."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from marketplace.accounts.models import Institution, User
from tests.factories import InstitutionFactory, UserFactory

pytestmark = pytest.mark.django_db

GOOD = {
    "account_name": "云岭理工大学",
    "bank": "中国工商银行昆明分行",
    "account_number": "2502 0000 1234",
}


def member(institution, username, role):
    UserFactory(username=username)
    call_command("grant_role", username, institution.code, role)
    return User.objects.get(username=username)


@pytest.fixture
def two():
    ours = InstitutionFactory(code="OURS", name="我们的研究院")
    theirs = InstitutionFactory(
        code="THEIRS",
        name="别人的大学",
        payee_account_name="别人的大学",
        payee_bank="中国银行",
        payee_account_number="6217 0000 9999",
    )
    return ours, theirs


def payee_of(institution):
    institution = Institution.objects.get(pk=institution.pk)
    return (
        institution.payee_account_name,
        institution.payee_bank,
        institution.payee_account_number,
    )


def test_a_manager_sets_the_payee_details_in_the_admin(client, two):
    ours, theirs = two
    client.force_login(member(ours, "boss", "manager"))
    dashboard = client.get("/admin/").content.decode()
    assert reverse("payments_admin_payee_index") in dashboard  # the menu item
    index = client.get(reverse("payments_admin_payee_index"))
    assert index.status_code == 200
    html = index.content.decode()
    assert "我们的研究院" in html and "别人的大学" not in html
    url = reverse("payments_admin_payee_edit", args=["OURS"])
    assert client.get(url).status_code == 200
    response = client.post(url, GOOD)
    assert response.status_code == 302
    assert payee_of(ours) == ("云岭理工大学", "中国工商银行昆明分行", "2502 0000 1234")
    assert "中国工商银行昆明分行" in client.get(response["Location"]).content.decode()
    assert payee_of(theirs) == ("别人的大学", "中国银行", "6217 0000 9999")


def test_another_institutions_manager_is_refused_and_nothing_changes(client, two):
    ours, theirs = two
    client.force_login(member(ours, "boss", "manager"))
    url = reverse("payments_admin_payee_edit", args=["THEIRS"])
    assert client.get(url).status_code == 404
    response = client.post(url, GOOD)
    assert response.status_code == 404
    assert "6217" not in response.content.decode()
    assert payee_of(theirs) == ("别人的大学", "中国银行", "6217 0000 9999")


def test_staff_see_the_details_but_may_not_change_them(client, two):
    ours, _theirs = two
    Institution.objects.filter(pk=ours.pk).update(payee_bank="农业银行")
    client.force_login(member(ours, "clerk", "staff"))
    url = reverse("payments_admin_payee_edit", args=["OURS"])
    page = client.get(url).content.decode()
    assert "农业银行" in page and 'type="submit"' not in page
    response = client.post(url, GOOD)
    assert response.status_code == 403
    assert "只有机构管理员可以设置收款信息" in response.content.decode()
    assert payee_of(ours) == ("", "农业银行", "")


def test_a_bad_account_number_is_a_400_naming_it_and_nothing_changes(client, two):
    ours, _theirs = two
    client.force_login(member(ours, "boss", "manager"))
    url = reverse("payments_admin_payee_edit", args=["OURS"])
    response = client.post(url, {**GOOD, "account_number": "<script>"})
    assert response.status_code == 400
    assert "账号只能包含数字、空格和连字符" in response.content.decode()
    assert payee_of(ours) == ("", "", "")


def test_an_outsider_without_admin_access_gets_no_payee_page(client, two):
    client.force_login(UserFactory(username="founder"))
    response = client.get(reverse("payments_admin_payee_edit", args=["OURS"]))
    assert response.status_code in (302, 403)
    assert payee_of(two[0]) == ("", "", "")
