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

ROW_COLUMNS = st.lists(st.tuples(st.integers(1, 18_278), st.sampled_from(["text", "formula", "error"])),
                       min_size=1, max_size=6)


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
        for column, kind in cells:
            ref = f"{column_name(column)}{r}"
            if kind == "error":  # a failed formula's cached value, as Excel writes it
                out.append(f'<{prefix}c r="{ref}" s="1" t="e"><{prefix}f>1/0</{prefix}f><{prefix}v>#DIV/0!</{prefix}v></{prefix}c>')
            elif kind == "formula":
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
    assert found.formulas == any(kind != "text" for cells in rows.values() for _, kind in cells)
    assert found.rows_in_order == in_order and not found.iso_dates
    # error cells placed (0-based) with the error they show; a value the buffer's cut parts from
    # its tag is not seen, which only a small buffer does
    errors = {(r - 1, column - 1) for r, cells in rows.items() for column, kind in cells if kind == "error"}
    assert found.error_cells == sum(kind == "error" for cells in rows.values() for _, kind in cells)
    assert set(found.errors) == errors
    assert set(found.errors.values()) <= ({"#DIV/0!"} if chunk == 8 << 20 else {"#DIV/0!", ""})


def test_error_cells_without_a_value_or_an_address_and_past_the_placed_number():
    cells = ('<c r="A1" t="e"/><c r="B1" t="e"><v>#N/A</v></c><c t="e"><v>#REF!</v></c>'
             '<c r="C1" t="e">\n  <v>#VALUE!</v></c><c r="D1" t="s"><v>0</v></c>')
    part = f'<worksheet><sheetData><row r="1">{cells}</row></sheetData></worksheet>'.encode()
    found = scan_part(io.BytesIO(part), "xl/worksheets/sheet1.xml", worksheet=True)
    assert found.errors == {(0, 1): "#N/A", (0, 2): "#VALUE!"}  # the self-closing one shows nothing
    assert found.error_cells == 3  # the one without an address is counted, not placed
    many = "".join(f'<row r="{r}"><c r="A{r}" t="e"><v>#N/A</v></c></row>' for r in range(1, 111))
    original = extent.MAX_ERROR_CELLS
    extent.MAX_ERROR_CELLS = 100
    try:
        found = scan_part(io.BytesIO(f"<worksheet><sheetData>{many}</sheetData></worksheet>".encode()), "s", worksheet=True)
    finally:
        extent.MAX_ERROR_CELLS = original
    assert found.error_cells == 110 and len(found.errors) == 100  # the first 100 placed, every one counted
    assert max(found.errors) == (99, 0)


def test_the_furthest_column_patterns_match_exactly_the_columns_past_theirs():
    for column in (0, 1, 12, 25, 26, 27, 52, 53, 701, 702, 703, 728, 16_383, 16_384, 18_277, 18_278):
        pattern = extent._beyond(column)
        past = [c for c in range(1, 18_279) if bool(pattern.search(f'<c r="{column_name(c)}7">'.encode()))]
        assert past == list(range(column + 1, 18_279)), column
