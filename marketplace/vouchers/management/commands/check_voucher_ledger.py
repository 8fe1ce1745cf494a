"""Prove the voucher ledger balances (per programme: granted = available + committed + spent,
claims = spent); exit 1 listing every difference, 0 otherwise."""

from __future__ import annotations

import sys

from django.db import DatabaseError
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from marketplace.commands import Command as BaseCommand
from marketplace.vouchers.checks import ledger_differences


class Command(BaseCommand):
    help = _("核对创新券台账是否平衡；不平衡时逐条列出差异并以状态 1 退出")

    def handle(self, *args, **options):
        try:
            problems = ledger_differences()
        except DatabaseError as error:
            self.stderr.write(gettext("无法读取创新券台账：%(error)s") % {"error": error})
            sys.exit(1)
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            self.stderr.write(
                ngettext(
                    "创新券台账有 %(count)s 处差异", "创新券台账有 %(count)s 处差异", len(problems)
                )
                % {"count": len(problems)}
            )
            sys.exit(1)
        self.stdout.write(gettext("创新券台账平衡"))
