"""The streaming scan of a worksheet part (isms.importing.extent.scan_part) finds what reading the
whole part at once finds: its cells, last row, furthest column and whether it holds formulas,
whatever the buffer size, so wherever the part's chunks happen to be cut.

The expected figures come from the generated cells themselves (their addresses and which hold a
formula), not from the scan.
"""

import io

from hypothesis import given, settings, strategies as st

from isms.importing import extent
from isms.importing.extent import column_name, scan_part

ROW_COLUMNS = st.lists(st.tuples(st.integers(1, 18_278), st.booleans()), min_size=1, max_size=6)


@st.composite
def sheets(draw):
    """(part bytes, rows {row: [(column, formula)]}, the rows' and cells' namespace prefix: none,
    as Excel writes them, or one, as some writers do, on the root element or not; rows in order or
    not)."""
    root, prefix = draw(st.sampled_from(["", "x:", "my-ns:"])), draw(st.sampled_from(["", "x:", "my-ns:"]))
    numbers = sorted(draw(st.sets(st.integers(1, 1_048_576), min_size=1, max_size=12)))
    ordered = draw(st.booleans())
    if not ordered:
        numbers = draw(st.permutations(numbers))
    rows = {r: draw(ROW_COLUMNS) for r in numbers}
    spaces = " ".join(f'xmlns{":" + p[:-1] if p else ""}="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
                      for p in sorted({root, prefix}))
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' if draw(st.booleans()) else "",
           f"<{root}worksheet {spaces}><{root}sheetPr/><{prefix}sheetData>"]
    for r, cells in rows.items():
        out.append(f'<{prefix}row r="{r}">')
        for column, formula in cells:
            ref = f"{column_name(column)}{r}"
            if formula:
                out.append(f'<{prefix}c r="{ref}"><{prefix}f>SUM(A1:A2)</{prefix}f><{prefix}v>3</{prefix}v></{prefix}c>')
            else:
                out.append(f'<{prefix}c r="{ref}" t="inlineStr"><{prefix}is><{prefix}t>pdf&gt; {ref}</{prefix}t></{prefix}is></{prefix}c>')
        out.append(f"</{prefix}row>")
    out.append(f"</{prefix}sheetData></{root}worksheet>")
    return "".join(out).encode(), rows, numbers == sorted(numbers)


@settings(max_examples=150)
@given(sheets(), st.sampled_from([64, 257, 4096, 8 << 20]))
def test_the_scan_finds_what_the_whole_part_holds(sheet, chunk):
    data, rows, in_order = sheet
    original = extent.CHUNK
    extent.CHUNK = chunk
    try:
        found = scan_part(io.BytesIO(data), "xl/worksheets/sheet1.xml", worksheet=True)
    finally:
        extent.CHUNK = original
    assert found.cells == sum(len(cells) for cells in rows.values())
    assert found.max_row == max(rows)
    assert found.max_column == max(column for cells in rows.values() for column, _ in cells)
    assert found.formulas == any(formula for cells in rows.values() for _, formula in cells)
    assert found.rows_in_order == in_order and not found.iso_dates


def test_the_furthest_column_patterns_match_exactly_the_columns_past_theirs():
    for column in (0, 1, 12, 25, 26, 27, 52, 53, 701, 702, 703, 728, 16_383, 16_384, 18_277, 18_278):
        pattern = extent._beyond(column)
        past = [c for c in range(1, 18_279) if bool(pattern.search(f'<c r="{column_name(c)}7">'.encode()))]
        assert past == list(range(column + 1, 18_279)), column
