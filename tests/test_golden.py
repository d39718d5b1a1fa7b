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


def recorded_part_of(now, recorded, path="$"):
    """`now` restricted to what was recorded: a field or column added since (a new filter, say) is
    not a changed figure, but every recorded key, column, row and value must be there, equal."""
    if isinstance(recorded, dict) and isinstance(now, dict):
        if set(recorded) == {"columns", "rows"} and set(now) == {"columns", "rows"}:
            missing = [c for c in recorded["columns"] if c not in now["columns"]]
            assert not missing, f"{path}: columns gone: {missing}"
            keep = [now["columns"].index(c) for c in recorded["columns"]]
            return {"columns": recorded["columns"], "rows": [[row[i] for i in keep] for row in now["rows"]]}
        missing = [k for k in recorded if k not in now]
        assert not missing, f"{path}: keys gone: {missing}"
        return {k: recorded_part_of(now[k], recorded[k], f"{path}.{k}") for k in recorded}
    if isinstance(recorded, list) and isinstance(now, list) and len(recorded) == len(now):
        return [recorded_part_of(n, r, f"{path}[{i}]") for i, (n, r) in enumerate(zip(now, recorded))]
    return now


@pytest.mark.parametrize("part", ["cli_scorecard", "risk_review", "risk_review_theme", "risk_detail",
                                  "security_health", "deck_tables"])
def test_figures_equal_the_recorded_sample(now, recorded, part):
    current = json.loads(json.dumps(now[part], sort_keys=True))
    assert recorded_part_of(current, recorded[part]) == recorded[part]
