"""A scheduled job's output piped into a reader that stops early (`python -m isms import F | head -1`)."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT, SAMPLE


def test_a_reader_that_leaves_early_costs_no_traceback(tmp_path):
    env = {**os.environ, "ISMS_DB": str(tmp_path / "own.duckdb")}
    made = subprocess.run([sys.executable, "-m", "isms", "init-db", "--empty"], cwd=ROOT, env=env, capture_output=True)
    assert made.returncode == 0, made.stderr
    proc = subprocess.Popen([sys.executable, "-m", "isms", "import", "--dry-run", str(SAMPLE / "2026-09-30-register.xlsx")],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader is gone before the command writes its first line
    err = proc.stderr.read().decode()
    proc.wait(timeout=300)
    assert "BrokenPipeError" not in err and "Traceback" not in err, err
    assert proc.returncode == 1  # the output was not delivered: not a success to a caller that checks
