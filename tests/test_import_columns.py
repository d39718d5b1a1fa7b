"""A sheet held as columns (isms.importing.columns) reads back exactly as the rows it was built
from: by index, by slice, whole, after the trip from the reader child (pickle), and column-wise.

The expected values are the rows themselves, as calamine gives them ('' for an empty cell).
"""

import datetime as dt
import math
import pickle

from hypothesis import given, settings, strategies as st

from isms.importing.columns import TOP, ColumnRows, column_rows

CELLS = {
    "number": st.one_of(st.just(""), st.floats(allow_nan=True, allow_infinity=False)),
    "date": st.one_of(st.just(""), st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31))),
    "text": st.one_of(st.just(""), st.text(max_size=8)),
    "mixed": st.one_of(st.just(""), st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=False),
                       st.text(max_size=4), st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2030, 1, 1))),
}


@st.composite
def sheets(draw):
    kinds = draw(st.lists(st.sampled_from(sorted(CELLS)), min_size=1, max_size=5))
    n = draw(st.integers(TOP + 2, TOP + 60))
    header = [f"Column {j}" for j in range(len(kinds))]
    return [header] + [[draw(CELLS[k]) for k in kinds] for _ in range(n - 1)]


def same(a, b) -> bool:
    """Equal cell by cell, of the same type (1.0 is not True), NaN equal to NaN."""
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if isinstance(x, list):
            if not isinstance(y, list) or not same(x, y):
                return False
        elif type(x) is not type(y) or not (x == y or (isinstance(x, float) and math.isnan(x) and math.isnan(y))):
            return False
    return True


@settings(max_examples=60)
@given(sheets())
def test_rows_read_back_as_given(rows):
    built = column_rows([list(r) for r in rows])
    assert isinstance(built, ColumnRows)
    for held in (built, pickle.loads(pickle.dumps(built, protocol=pickle.HIGHEST_PROTOCOL))):
        assert len(held) == len(rows)
        assert same(list(held), rows)
        assert same([held[i] for i in range(len(rows))], rows)
        assert same(held[-1], rows[-1])
        for a, b in ((0, TOP), (TOP - 1, TOP + 3), (2, len(rows)), (TOP + 1, len(rows) - 1)):
            assert same(list(held[a:b]), rows[a:b])
        for j in range(len(rows[0]) + 1):  # one past the last column holds None
            for start in (1, TOP, len(rows) - 1):
                codes, values = held.distinct(j, start)
                assert same([values[c] for c in codes], [r[j] if j < len(r) else None for r in rows[start:]])


def test_short_or_ragged_sheets_stay_lists():
    short = [["a", 1.0]] * (TOP + 1)
    ragged = [["a", 1.0]] * (TOP + 5) + [["a"]]
    assert column_rows(short) is short and column_rows(ragged) is ragged
