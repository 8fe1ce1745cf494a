"""grant_role USERNAME INSTITUTION_CODE {manager|staff}: let a user act for an institution."""

from django.core.management.base import CommandError
from django.utils.translation import gettext_lazy as _

from marketplace.accounts.models import Role
from marketplace.accounts.services import AccountError, grant_role
from marketplace.commands import Command as BaseCommand


class Command(BaseCommand):
    help = _("授予用户机构角色（manager 或 staff）")

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("institution_code")
        # Not argparse `choices`: its message is English-only and its exit status is 2.
        parser.add_argument("role", help=" | ".join(Role.values))

    def handle(self, *args, username, institution_code, role, **options):
        try:
            membership = grant_role(username=username, institution_code=institution_code, role=role)
        except AccountError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{membership.user.username} → {membership.institution.code} "
                f"({membership.institution.name}): {membership.role}"
            )
        )
