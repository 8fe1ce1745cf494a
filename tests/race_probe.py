"""Runs a race module (`tests.booking_race`, `tests.voucher_race`) as a subprocess against the
file-backed SQLite database of `cli_env` and returns the outcome it prints as JSON."""

from __future__ import annotations

import json
import subprocess
import sys


def run_probe(module: str, cli_env: dict, n: int, *extra: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", module, str(n), *extra],
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])
