"""Prove the voucher ledger balances (per programme: granted = available + committed + spent,
claims = spent); exit 1 listing every difference, 0 otherwise."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand
from django.db import DatabaseError

from marketplace.vouchers.checks import ledger_differences


class Command(BaseCommand):
    help = "Check that the innovation-voucher ledger balances; exit 1 listing the differences."

    def handle(self, *args, **options):
        try:
            problems = ledger_differences()
        except DatabaseError as error:
            self.stderr.write(f"voucher ledger not readable: {error}")
            sys.exit(1)
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            self.stderr.write(f"{len(problems)} difference(s) in the voucher ledger")
            sys.exit(1)
        self.stdout.write("voucher ledger balances")
