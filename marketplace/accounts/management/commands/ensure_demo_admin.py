"""ensure_demo_admin: local demo accounts, printed to the console. Never in production.

A superuser for the CMS, a startup founder who books, orders tests, applies and inquires, and
a manager of the demo university (YLU) who answers — enough to walk every workflow in a browser.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from marketplace.accounts.models import Institution
from marketplace.accounts.services import grant_role
from marketplace.commands import Command as BaseCommand

USERNAME = "admin"
PASSWORD = "shuangchuang-demo"  # noqa: S105 — printed on purpose: local demo accounts
DEMO_INSTITUTION = "YLU"
PEOPLE = [
    # username, email, institution role (None: a member of the public / startup)
    ("founder", "founder@startup.example", None),
    ("ylu-manager", "manager@ylu.example", "manager"),
]


class Command(BaseCommand):
    help = _("创建本地演示账号（仅限 DEBUG）")

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(gettext("演示账号只能在本地开发环境（DEBUG）中创建。"))
        user_model = get_user_model()
        user = user_model.objects.filter(username=USERNAME).first()
        if user is None:
            user = user_model.objects.create_superuser(USERNAME, "admin@localhost", PASSWORD)
        elif not user.check_password(PASSWORD):
            self.stdout.write(gettext("演示管理员已存在且密码已修改"))
            return
        institution = Institution.objects.filter(code=DEMO_INSTITUTION).first()
        created = []
        for username, email, role in PEOPLE:
            if role and institution is None:
                continue
            person = user_model.objects.filter(username=username).first()
            if person is None:
                person = user_model.objects.create_user(
                    username,
                    email,
                    PASSWORD,
                    real_name=username,
                    organisation="演示单位",
                    phone="13800000000",
                )
            if role:
                grant_role(username=username, institution_code=institution.code, role=role)
            created.append(username)
        self.stdout.write(
            self.style.WARNING(
                gettext("演示账号（仅限本地使用）：%(account)s  → /admin/")
                % {"account": f"{USERNAME} / {PASSWORD}"}
            )
        )
        for username in created:
            self.stdout.write(self.style.WARNING(f"  {username} / {PASSWORD}"))
