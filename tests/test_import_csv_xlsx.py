"""A register imports the same whether the analyst saved it as .xlsx or as .csv: the same records
and the same problems at the same cells. A property over generated registers (ratings as numbers,
words, decimals and not-rated marks; dates as dates and as text; statuses, decisions, controls,
scores and levels), each written both ways; the .csv with its numbers and dates as text, as a
spreadsheet saves them. It found a Low / Medium / High column read otherwise from the .csv
(test_a_low_medium_high_column_reads_the_same_from_csv_and_xlsx)."""

import csv
import datetime as dt
import io

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from isms.importing.pipeline import build_plan
from isms.matrix import PRESETS

HEADERS = ["Risk ID", "Title", "Owner", "Status", "Identified on", "Inherent likelihood", "Inherent impact",
           "Residual likelihood", "Residual impact", "Target likelihood", "Target impact", "Treatment decision",
           "Assessed on", "Risk score", "Control effectiveness", "Annex A controls", "Risk level"]
RATING = st.one_of(st.none(), st.integers(0, 6), st.floats(0, 6).map(lambda x: round(x, 1)),
                   st.sampled_from(["Rare", "Unlikely", "Possible", "Likely", "Almost certain", "High", "Low", "n/a", "--",
                                    "3.0", "2.5"]))
TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters=",;\t\"'=+-@#"), max_size=8)
ROW = st.tuples(
    st.sampled_from([f"R-{i}" for i in range(8)]), TEXT, TEXT, st.sampled_from([None, "Open", "Closed", "open", "Treating", "x"]),
    st.one_of(st.none(), st.dates(dt.date(2015, 1, 1), dt.date(2026, 9, 30))), RATING, RATING, RATING, RATING, RATING, RATING,
    st.sampled_from([None, "Mitigate", "Accept", "treat", "Transfer", "Avoid", "zzz"]),
    st.one_of(st.none(), st.dates(dt.date(2020, 1, 1), dt.date(2026, 9, 30)),
              st.sampled_from(["31/03/2026", "Q4-2025", "May 2026", "2026-02-30", "yesterday"])),
    st.one_of(st.none(), st.integers(0, 30), st.floats(0, 30).map(lambda x: round(x, 2)), st.sampled_from(["12", "High", "n/a"])),
    st.sampled_from([None, "None", "Weak", "Partial", "Effective", "Strong", "effective", "50%", "x"]),
    st.sampled_from([None, "A.5.1", "A.5.1, A.8.2", "5.1; 8.2", "A.9.2.1", "AC-2", "bogus"]),
    st.sampled_from([None, "Low", "Medium", "High", "Critical", "Very high", "3"]),
)


def as_text(value) -> str:
    """A cell as a spreadsheet writes it to CSV."""
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def both(rows: list[tuple]) -> tuple[bytes, bytes]:
    wb = Workbook()
    wb.active.title = "Risks"
    for row in [HEADERS, *rows]:
        wb.active.append(list(row))
    xlsx, text = io.BytesIO(), io.StringIO()
    wb.save(xlsx)
    csv.writer(text).writerows([HEADERS, *[[as_text(v) for v in row] for row in rows]])
    return xlsx.getvalue(), text.getvalue().encode()


def outcome(data: bytes, name: str) -> tuple:
    plan = build_plan(data, name, PRESETS["5x5"], as_of=dt.date(2026, 9, 30))
    frames = {kind: frame.astype(str).values.tolist() for kind, frame in plan.frames.items()}
    return frames, sorted((p.cell, p.severity, p.message) for p in plan.problems), plan.rules


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(ROW, min_size=1, max_size=8))
@example([("R-0", "", "", None, None, None, None, 1, 1, 1, "High", *[None] * 6),  # what it found
          ("R-1", "", "", None, None, None, None, None, None, None, 0, *[None] * 6)])
def test_a_register_imports_the_same_from_xlsx_and_csv(rows):
    xlsx, text = both(rows)
    assert outcome(xlsx, "Risks.xlsx") == outcome(text, "Risks.csv")
