"""A worksheet's rows as the analyst sees them in Excel, from what the scan of its XML found
(isms.importing.extent): a number in a cell formatted as a percentage is the percent shown, a
block merged down a column holds its value on every row, a record written over several lines
with its id merged down them is one row, and a header row under group headers merged across
carries each group's name. Applied by isms.importing.reading to the rows of a sheet read by
calamine or cell by cell, in the reader child; each change is said in a note on the sheet.
"""

from __future__ import annotations

from typing import Any

from isms.importing.extent import PartScan, column_name


def as_shown(rows: list[list[Any]], scan: PartScan) -> list[str]:
    """The sheet's values as the analyst sees them, written into `rows` (lists), with a note of each
    change: a number in a cell formatted as a percentage is the percent it shows (0.5 shown as 50%
    is 50, as the text '50%' is read; a progress of 0.5 was half a percent), and every row of a block
    merged down one column holds the block's value (an owner merged over three risks was the first
    risk's, the other two 'Unassigned')."""
    notes = []
    shown = 0
    for r, c in scan.percent:
        if r < len(rows) and c < len(rows[r]):
            v = rows[r][c]
            if v.__class__ in (int, float):
                rows[r][c] = round(v * 100, 9)
                shown += 1
    if shown:
        notes.append(f"{shown:,} cell{'s' if shown != 1 else ''} formatted as a percentage read as the percent "
                     "shown (0.5 shown as 50% is 50)")
    if scan.percent_cells > len(scan.percent):
        notes.append(f"more than {len(scan.percent):,} cells are formatted as a percentage: those past the first "
                     f"{len(scan.percent):,} are read as stored (0.5 where 50% shows); give the column a number "
                     "format, or write the percents as numbers")
    if scan.merges > len(scan.merged):
        notes.append(f"more than {len(scan.merged):,} merged blocks: those past the first {len(scan.merged):,} are "
                     "read as their first cell only; unmerge the cells and fill them")
    filled = []
    down = scan.merged_down
    notes += _records_over_lines(rows, down)
    for r1, c1, r2, c2 in down:
        if r1 >= len(rows) or c1 >= len(rows[r1]) or rows[r1][c1] in (None, ""):
            continue
        lead = next((c for c, v in enumerate(rows[r1]) if v not in (None, "")), c1)
        if _record_over_lines(rows[r1][lead], lead, r1, r2, down):
            # the row's first cell, an id, is merged over these rows too: one record written over
            # several lines (a risk with a control per line), whose other lines are not rows of their own
            continue
        value = rows[r1][c1]
        for r in range(r1 + 1, min(r2, len(rows) - 1) + 1):
            if c1 < len(rows[r]) and rows[r][c1] in (None, ""):
                rows[r][c1] = value
        filled.append(f"{column_name(c1 + 1)}{r1 + 1}:{column_name(c2 + 1)}{r2 + 1}")
    if filled:
        notes.append(f"cells merged down a column ({', '.join(filled[:5])}{', ...' if len(filled) > 5 else ''}): "
                     "each row of a merged block takes the block's value")
    grouped = _group_headers(rows, scan)
    if grouped:
        notes.append(f"a header row under group headers: {', '.join(grouped[:6])}{', ...' if len(grouped) > 6 else ''} "
                     "read with their group's name")
    return notes


def _records_over_lines(rows: list[list[Any]], down: list) -> list[str]:
    """A record written over several lines, its id merged down them (a risk with one existing control
    per line): the other lines' cells are read as more lines of the first line's cells (a list cell:
    'A.5.15' then 'A.8.2'), and the lines emptied, so they are neither rows without an id (each
    refused the file) nor lost."""
    said = []
    for r1, c1, r2, c2 in down:
        if r1 >= len(rows) or c1 >= len(rows[r1]) or rows[r1][c1] in (None, ""):
            continue
        lead = next((c for c, v in enumerate(rows[r1]) if v not in (None, "")), None)
        if lead != c1 or not _record_over_lines(rows[r1][c1], c1, r1, r2, down):
            continue
        merged_here = {m[1] for m in down if m[0] == r1 and m[2] >= r2}
        for r in range(r1 + 1, min(r2, len(rows) - 1) + 1):
            for c, v in enumerate(rows[r]):
                if v in (None, "") or c in merged_here:
                    continue
                while c >= len(rows[r1]):
                    rows[r1].append(None)
                first = rows[r1][c]
                rows[r1][c] = v if first in (None, "") else f"{first}\n{v}"
            rows[r] = [None] * len(rows[r])
        said.append(f"{rows[r1][c1]} (rows {r1 + 1}-{min(r2, len(rows) - 1) + 1})")
    if not said:
        return []
    return [f"records written over several lines, their id merged down them: {', '.join(said[:5])}"
            f"{', ...' if len(said) > 5 else ''}; each further line's cells are read as more lines of the first's"]


def _record_over_lines(lead_value: Any, lead: int, r1: int, r2: int, down: list) -> bool:
    """Whether the rows r1..r2 are one record over several lines: the row's first filled cell is an
    id (it holds a digit; a header such as 'Risk ID' merged over two header rows holds none) merged
    over them."""
    return (isinstance(lead_value, (str, int, float)) and any(ch.isdigit() for ch in str(lead_value))
            and any(m[1] == lead and m[0] <= r1 and m[2] >= r2 for m in down))


def _group_headers(rows: list[list[Any]], scan: PartScan) -> list[str]:
    """Two header rows: a group header merged across some columns ('Inherent risk' over D:E) and
    the sub-headers under it ('Likelihood', 'Impact'). Each sub-header is read with its group's
    name ('Inherent risk Likelihood'), or the residual pair under 'Residual risk' was one more
    'Likelihood' and 'Impact', taken for the same pair. Only near the top of the sheet, on a row
    that holds other headers too (a title merged over the table is no group), over a row filled
    beyond the group."""
    said, grouped_rows = [], set()
    across = {r: [m for m in scan.merged if m[0] == m[2] == r and m[3] > m[1]] for r in {m[0] for m in scan.merged}}
    down_to_next = {(m[0], m[1]) for m in scan.merged if m[1] == m[3] and m[2] > m[0]}
    for r, c1, r2, c2 in scan.merged:
        if r2 != r or c2 <= c1 or r + 1 >= min(len(rows), 12) or c1 >= len(rows[r]):
            continue
        group, below = rows[r][c1], rows[r + 1]
        above = sum(1 for v in rows[r] if v not in (None, ""))
        under = [c for c in range(c1, c2 + 1) if c < len(below) and isinstance(below[c], str) and below[c].strip()]
        groups = {c for m in across[r] for c in range(m[1], m[3] + 1)}
        beyond = any(v not in (None, "") for c, v in enumerate(below) if c not in groups)
        if not isinstance(group, str) or not group.strip() or above < 2 or len(under) != c2 - c1 + 1 or not beyond:
            continue
        # a header row of two lines: each other cell of the upper row is a group too, or a header
        # merged down into the lower row, or has nothing under it ('Risk ID' over an empty cell); a
        # title beside a date over a header row, or a row of data under a merged cell, is none
        if any(v not in (None, "") and c not in groups and (r, c) not in down_to_next
               and c < len(below) and below[c] not in (None, "") for c, v in enumerate(rows[r])):
            continue
        if any(not isinstance(v, str) for v in below if v not in (None, "")):
            continue  # a number or a date under it: data, not sub-headers
        if not any(v not in (None, "") and c not in groups for c, v in enumerate(rows[r])):
            continue  # nothing but merged blocks above (a title, a period): no header of its own beside a group
        for c in under:
            if not below[c].casefold().startswith(group.strip().casefold()):
                below[c] = f"{group.strip()} {below[c].strip()}"
                said.append(f"'{below[c]}'")
        grouped_rows.add(r)
    for r in grouped_rows:
        # the row below now says all the upper one did (its own headers merged down into it, its
        # groups in the sub-headers): the upper one is emptied, so the lower one is the header
        below = rows[r + 1]
        groups = {c for m in across[r] for c in range(m[1], m[3] + 1)}
        if all(v in (None, "") or c in groups or (c < len(below) and below[c] == v) for c, v in enumerate(rows[r])):
            rows[r] = [None] * len(rows[r])
    return said
