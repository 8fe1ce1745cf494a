"""ensure_demo_admin: a superuser for local use, printed to the console. Never in production."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

USERNAME = "admin"
PASSWORD = "shuangchuang-demo"  # noqa: S105 — printed on purpose: a local demo account


class Command(BaseCommand):
    help = "创建本地演示管理员 / Create the local demo administrator (DEBUG only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "演示管理员只能在本地开发环境（DEBUG）中创建。 Demo admin is for DEBUG only."
            )
        user_model = get_user_model()
        user = user_model.objects.filter(username=USERNAME).first()
        if user is None:
            user = user_model.objects.create_superuser(USERNAME, "admin@localhost", PASSWORD)
        elif not user.check_password(PASSWORD):
            self.stdout.write(
                "演示管理员已存在且密码已修改 / demo admin exists with a changed password"
            )
            return
        self.stdout.write(
            self.style.WARNING(
                f"演示管理员（仅限本地使用）/ demo admin, local use only: "
                f"{USERNAME} / {PASSWORD}  → /admin/"
            )
        )
