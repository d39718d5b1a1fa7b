"""The sample's figures as plain JSON, for the golden test that guards refactors.

Recorded once before a change (`python -m tests.golden_snapshot`) and compared after it, so a
restructuring that changes any figure on a page, in a pack or in the CLI fails loudly. The
snapshot reads only public entry points (the CLI, the view bundles, the rendered deck).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import io
import json
import math
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "sample.json"
AS_OF, COMPARE = dt.date(2026, 9, 30), dt.date(2026, 6, 30)
MONTH, COMPARE_MONTH = dt.date(2026, 10, 1), dt.date(2026, 9, 1)


def plain(value):
    """A JSON-able, order-stable form: frames as column lists, floats rounded to 9 places."""
    if isinstance(value, pd.DataFrame):
        frame = value.reset_index(drop=True)
        return {"columns": [str(c) for c in frame.columns],
                "rows": [[plain(v) for v in row] for row in frame.astype(object).itertuples(index=False)]}
    if isinstance(value, pd.Series):
        return plain(value.to_frame())
    if dataclasses.is_dataclass(value):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if hasattr(value, "model_dump"):
        return plain(value.model_dump())
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        return value.isoformat()
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) or hasattr(value, "dtype"):
        try:
            f = float(value)
        except (TypeError, ValueError):
            return str(value)
        if math.isnan(f):
            return None
        return int(f) if f.is_integer() else round(f, 9)
    if isinstance(value, (bool, int, str)):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def _cli_json(db_path: Path, argv: list[str]) -> dict:
    import os

    from isms.cli import main

    out, old = io.StringIO(), os.environ.get("ISMS_DB")
    os.environ["ISMS_DB"] = str(db_path)
    try:
        with contextlib.redirect_stdout(out):
            code = main(argv)
    finally:
        if old is None:
            os.environ.pop("ISMS_DB")
        else:
            os.environ["ISMS_DB"] = old
    assert code == 0, out.getvalue()
    return json.loads(out.getvalue())


def _deck_tables(con, settings) -> list:
    from pptx import Presentation

    from isms.packs.build import make_pack

    made = make_pack(con, settings, "risk-review", "pptx", AS_OF, COMPARE)
    prs = Presentation(io.BytesIO(made.data))
    cells = []
    for shape in (s for slide in prs.slides for s in slide.shapes if s.has_table):
        for row in shape.table.rows:
            # rows are compared, not the slide they fall on: layout may move them between slides
            cells.append([c.text for c in row.cells])
    return sorted(cells)


def snapshot(db_path: Path) -> dict:
    from isms.config import load_settings
    from isms.filters import RiskFilter
    from isms.store import connect
    from isms.views import risk_review, security_health

    settings = load_settings(ROOT / "isms.toml", db_path=str(db_path))
    con = connect(db_path, read_only=True)
    try:
        theme = RiskFilter(themes=("A.8 Technological",))
        whole = risk_review.build(con, settings, AS_OF, COMPARE)
        return {
            "cli_scorecard": _cli_json(db_path, ["scorecard", "--as-of", AS_OF.isoformat(),
                                        "--compare-to", COMPARE.isoformat(), "--json"]),
            "risk_review": plain(whole),
            "risk_review_theme": plain(risk_review.build(con, settings, AS_OF, COMPARE, theme)),
            "risk_detail": plain(risk_review.risk_detail(con, settings, whole.default_risk, AS_OF)),
            "security_health": plain(security_health.build(con, settings, MONTH, COMPARE_MONTH)),
            "deck_tables": _deck_tables(con, settings),
        }
    finally:
        con.close()


def record(db_path: Path) -> None:
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_text(json.dumps(snapshot(db_path), indent=None, sort_keys=True))


if __name__ == "__main__":
    record(Path(sys.argv[1]))
