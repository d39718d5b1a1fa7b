"""The sample's figures before and after a refactor: every page bundle, the CLI scorecard and the
deck's table values equal the snapshot recorded in tests/golden/sample.json.

A deliberate change of a figure re-records the snapshot (`python -m tests.golden_snapshot DB`)
in the same commit, so the diff shows every number that moved.
"""

import json

import pytest

from tests.golden_snapshot import GOLDEN, snapshot


@pytest.fixture(scope="module")
def now(sample_db_path):
    return snapshot(sample_db_path)


@pytest.fixture(scope="module")
def recorded():
    return json.loads(GOLDEN.read_text())


@pytest.mark.parametrize("part", ["cli_scorecard", "risk_review", "risk_review_theme", "risk_detail",
                                  "security_health", "deck_tables"])
def test_figures_equal_the_recorded_sample(now, recorded, part):
    assert json.loads(json.dumps(now[part], sort_keys=True)) == recorded[part]
