"""The analyst import: any layout -> mapping -> coerced, validated records -> preview -> commit.

The same pipeline serves the Import page and `python -m isms import`. Every problem is
collected with the cell address Excel shows; nothing is written until `commit`, which is one
transaction (isms.store.batches.commit_batch). This module is the front door: `build_plan`,
`commit` and `import_file` serve every source (the template, an analyst's layout, the CLI, the
sample).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

import duckdb
import numpy as np
import pandas as pd

from isms.importing import cells, forum_kinds
from isms.importing.annotate import PROBLEM_SHEET
from isms.importing.columns import ColumnRows
from isms.importing.plan import ImportOutcome, ImportPlan
from isms.importing.template import INSTRUCTIONS_SHEET, header_label
from isms.importing.compliance_kinds import (check_control_requirements, check_finding_requirements, check_requirements,
                                             frameworks_for, requirement_rows, soa_rows)
from isms.importing.extent import MAX_ERROR_CELLS
from isms.importing.kinds import (define_metrics, fractions_among_percents, imported_columns, metric_rows, plain_rows,
                                 required_missing, results_before_definitions, risk_rows, treatment_rows, wide_rows)
from isms.importing.mapping import IGNORE, KIND_LABELS, LONG, Profile, SheetMapping, detect, fold_header, read_as, why_not
from isms.importing.preview import build_preview
from isms.importing.problems import Problem, column_letter, errors
from isms.importing.isolation import ReadLimits, read_isolated
from isms.importing.reading import ReadError, Sheet, Workbook, read_workbook
from isms.importing.sheet import SheetContext, blank_row, totals_cell
from isms.filters import PART, WHOLE, Scope
from isms.matrix import RiskMatrix
from isms.meetings import MeetingSeries
from isms.models import KINDS
from isms.store import queries
from isms.store.batches import commit_batch, find_batch


def read(data: bytes, file_name: str, *, max_bytes: int, max_rows: int,
         isolated: ReadLimits | None = None) -> tuple[Workbook | None, list[Problem]]:
    """The file's sheets, or the sentence that refuses it. Uploads are read `isolated`, in a child
    process under those limits, so no file can take the server down; our own sample is not."""
    try:
        if isolated is not None:
            return read_isolated(data, file_name, isolated), []
        return read_workbook(data, file_name, max_bytes=max_bytes, max_rows=max_rows), []
    except ReadError as exc:
        return None, [Problem(file_name, None, None, None, None, str(exc))]


@dataclasses.dataclass(frozen=True)
class FileRead:
    """A file's sheets as read, and what they were read under, for planning the same bytes again.

    Another mapping, another date, or the register after a commit changes the plan, not what the
    file holds; on the bench's 100,000-row workbook the isolated read is about 40% of planning it.
    Planning never changes a sheet's rows. Only a file that was read is kept: a refusal may come of
    the moment (a child out of time on a busy server), and is asked again."""

    sha256: str
    file_name: str
    limits: tuple  # (max_bytes, max_rows, isolated): other limits may read the bytes otherwise
    workbook: Workbook

    def serves(self, sha256: str, file_name: str, limits: tuple) -> bool:
        return (self.sha256, self.file_name, self.limits) == (sha256, file_name, limits)


def propose(wb: Workbook, profile: Profile | None = None) -> list[SheetMapping]:
    """The mapping of every sheet: the profile's for a sheet of the same name or the same headers,
    else detected. (A CSV's sheet is named after its file, so next month's file matches by shape.)"""
    out = []
    for s in wb.sheets:
        if s.name in (PROBLEM_SHEET, INSTRUCTIONS_SHEET):  # sheets this tool writes, never data
            out.append(SheetMapping(s.name, IGNORE, 0))
            continue
        chosen = None
        for pm, sig in zip(profile.sheets, profile.signature) if profile else ():
            if pm.sheet == s.name:
                chosen = pm
                break
            if chosen is None and pm.header_row < len(s.rows) and sorted(
                    fold_header(h) for h in pm.headers(s.rows) if h) == sorted(sig):
                chosen = replace(pm, sheet=s.name)
        out.append(chosen or detect(s.name, s.rows))
    return out


def as_of_in_file(wb: Workbook) -> dt.date | None:
    """The 'As of' cell of an About sheet, as the template writes it."""
    for s in wb.sheets:
        if fold_header(s.name) != "about":
            continue
        for row in s.rows[:20]:
            if len(row) >= 2 and fold_header(row[0]) == "as_of":
                try:
                    return cells.parse_date(row[1])
                except ValueError:
                    return None
    return None


def _unrated_risks(con: duckdb.DuckDBPyConnection | None, plan: ImportPlan) -> None:
    """Risks the file brings with no rating, in it or in the register: said once for the file. A
    register whose ratings the mapping could not read imported 100 risks that reached no heatmap,
    tile or exposure figure, told only by a warning at one column among many."""
    risks = plan.frames.get("risks")
    if risks is None or not len(risks) or errors(plan.problems):  # said of what a commit would bring
        return
    rated = set(plan.frames["assessments"]["risk_id"]) if "assessments" in plan.frames else set()
    if con is not None:
        rated |= queries.assessed_risk_ids(con, plan.as_of)
    open_ = risks[risks["status"] != "Closed"] if "status" in risks else risks
    unrated = [r for r in open_["risk_id"] if r not in rated]
    if not unrated:
        return
    every = len(unrated) == len(open_)
    which = ("The file's one open risk has no rating" if every and len(unrated) == 1 else
             f"None of the file's {len(open_):,} open risks has a rating" if every else
             f"{len(unrated):,} of the file's {len(open_):,} open risks ({', '.join(map(str, unrated[:5]))}"
             f"{', …' if len(unrated) > 5 else ''}) {'has' if len(unrated) == 1 else 'have'} no rating")
    plan.problems.append(Problem(
        plan.file_name, None, None, None, None,
        f"{which}, in the file or in the register: {'it is' if len(unrated) == 1 else 'they are'} imported unrated, "
        f"and count{'s' if len(unrated) == 1 else ''} on no heatmap, level tile or exposure figure "
        "until assessed; map the likelihood and impact columns above if the file has them", "warning"))


def _check_references(con: duckdb.DuckDBPyConnection | None, plan: ImportPlan) -> None:
    """Rows that point at a risk, treatment or metric that neither the file nor the store has."""

    def known(kind: str, column: str) -> set[str]:
        ids = set(plan.frames[kind][column]) if kind in plan.frames else set()
        if con is not None:
            ids |= queries.known_ids(con, kind, plan.as_of)
        return ids

    checks = [
        ("assessments", "risk_id", "risks", "risk"),
        ("treatments", "risk_id", "risks", "risk"),
        ("exceptions", "risk_id", "risks", "risk"),
        ("treatment_updates", "treatment_id", "treatments", "treatment"),
        ("monitoring_results", "metric_id", "metrics", "metric"),
        ("control_tests", "control_id", "controls", "control"),
        ("findings", "audit_id", "audits", "audit"),
        ("findings", "control_id", "controls", "control"),
        ("findings", "risk_id", "risks", "risk"),
        ("findings", "exception_id", "exceptions", "exception"),
    ]
    for kind, column, target, noun in checks:
        if kind not in plan.frames or plan.frames[kind].empty:
            continue
        ids = known(target, column)
        df = plan.frames[kind]
        unknown = df[df[column].notna() & ~df[column].isin(ids)]
        for value, rows in unknown.groupby(column, sort=True):
            for sheet, row, letter in plan.cells(kind, list(rows.index), column):  # each cell, for the marked copy
                plan.problems.append(
                    Problem(sheet, row, letter, header_label(column), value,
                            f"no {noun} {value!r} in this file or in the register as of {plan.as_of}")
                )


def _without_duplicates(plan: ImportPlan, kind: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Rows whose key repeats an earlier row's are errors; a row is reported once, whatever kinds it feeds."""
    key = list(KINDS[kind][2])
    if frame.empty:
        return frame
    dup = frame.duplicated(subset=key, keep="first")
    if not dup.any():
        return frame
    first = frame[~dup].set_index(key)["_row"]
    reported = {(p.sheet, p.row) for p in plan.problems if "duplicate of row" in p.message}
    label = " + ".join(c.replace("_", " ").capitalize() for c in key)
    for _, rec in frame[dup].iterrows():
        k = tuple(rec[c] for c in key)
        if (rec["_sheet"], rec["_row"]) in reported:
            continue
        reported.add((rec["_sheet"], rec["_row"]))
        plan.problems.append(Problem(rec["_sheet"], int(rec["_row"]), plan.key_column(rec["_sheet"], key[0]), label,
                                     ", ".join(map(cells.text, k)),
                                     f"duplicate of row {first.loc[k if len(k) > 1 else k[0]]}: each may appear once in a file"))
    return frame[~dup]


def _header_width(rows: list[list[Any]], header_row: int) -> int:
    """Columns up to the header row's last filled cell."""
    width = len(rows[header_row]) if header_row < len(rows) else 0
    while width and cells.blank(rows[header_row][width - 1]):
        width -= 1
    return width


def _outside_the_table(sheet: str, rows: list[list[Any]], header_row: int) -> list[Problem]:
    """Filled cells right of the header's last column: not read, and said so, never dropped silently."""
    width = _header_width(rows, header_row)
    if isinstance(rows, ColumnRows):  # asked column by column, of each distinct value once
        right = range(width, rows.width)
        hit = ~rows.mask(cells.blank, header_row + 1, right) if len(right) and len(rows) > header_row + 1 else None
        where = zip(*np.nonzero(hit)) if hit is not None else ()
        stray = [(int(r) + header_row + 2, width + int(c)) for r, c in where]
        stray = [(r, c, rows[r - 1][c] if n < 5 else None) for n, (r, c) in enumerate(stray)]
    else:
        stray = [(r, c, row[c]) for r, row in enumerate(rows[header_row + 1:], start=header_row + 2)
                 for c in range(width, len(row)) if not cells.blank(row[c])]
    if not stray:
        return []
    shown = ", ".join(f"{column_letter(c)}{r} ({cells.text(v)[:30]!r})" for r, c, v in stray[:5])
    more = f" and {len(stray) - 5:,} more" if len(stray) > 5 else ""
    return [Problem(sheet, None, None, None, None,
                    f"{len(stray):,} filled cell{'s' if len(stray) > 1 else ''} right of the table's last header "
                    f"{'were' if len(stray) > 1 else 'was'} not read: {shown}{more}", "warning")]


def _error_cells(sheet: Sheet, sh: SheetContext) -> list[Problem]:
    """A warning at each cell the import reads that shows an Excel error (#DIV/0!, #N/A: a formula
    that failed, or the error typed in). Every reader gives such a cell as empty, so without this a
    failed formula would be taken for a blank: an optional value silently missing, a required one
    reported as left empty. A header that shows one leaves its column unread, which is said too.
    Rows the import skips as blank (a formula filled down past the table) say nothing; `sheet.rows`
    ends where the table ends."""
    if not sheet.error_cells and not sheet.uncalculated_cells:
        return []
    m, columns = sh.m, imported_columns(sh)
    out = _uncalculated_cells(sheet, sh, columns)
    for (r, c), shown in sorted(sheet.errors.items()):
        what = f"the Excel error {shown}" if shown.startswith("#") else "an Excel error"
        header = sh.headers[c] if c < len(sh.headers) and sh.headers[c] else None
        if r == m.header_row:
            out.append(Problem(sheet.name, r + 1, column_letter(c), None, shown or None,
                               f"the header cell shows {what}: the column under it has no header and is not imported",
                               "warning"))
        elif m.header_row < r < len(sheet.rows) and c in columns and not blank_row(sheet.rows[r]):
            out.append(Problem(sheet.name, r + 1, column_letter(c), header, shown or None,
                               f"the cell shows {what} (a formula that failed, or the error typed in): read as empty",
                               "warning"))
    unplaced = sheet.error_cells - len(sheet.errors)
    if unplaced:
        out.append(Problem(sheet.name, None, None, None, None,
                           f"{unplaced:,} more cell(s) show an Excel error and are read as empty without being named "
                           f"here (cells the file gives no address, or past the first {MAX_ERROR_CELLS:,} such cells of "
                           "the sheet): search the sheet for '#' to find them", "warning"))
    return out


def _uncalculated_cells(sheet: Sheet, sh: SheetContext, columns) -> list[Problem]:
    """A warning at each cell the import reads that holds a formula without a calculated value: a
    file saved by a script or a program that does not calculate. Every reader gives such a cell as
    empty, so a rating written as =2+2 was a risk without a rating, or on a later import the old
    rating kept, unsaid."""
    out = []
    m = sh.m
    for (r, c), formula in sorted(sheet.uncalculated.items()):
        if (m.header_row < r < len(sheet.rows) and c in columns and not blank_row(sheet.rows[r])
                and totals_cell(sheet.rows[r]) is None):
            header = sh.headers[c] if c < len(sh.headers) and sh.headers[c] else None
            out.append(Problem(sheet.name, r + 1, column_letter(c), header, formula or None,
                               "the cell holds a formula with no calculated value (the file was saved by a program "
                               "that does not calculate): read as empty; open the file in Excel or LibreOffice, save it, "
                               "and import it again", "warning"))
    unplaced = sheet.uncalculated_cells - len(sheet.uncalculated)
    if unplaced:
        out.append(Problem(sheet.name, None, None, None, None,
                           f"{unplaced:,} more formula cell(s) hold no calculated value and are read as empty without "
                           "being named here: open the file in Excel or LibreOffice, save it, and import it again",
                           "warning"))
    return out


def _table_end(rows: list[list[Any]], header_row: int) -> int:
    """Where the table stops: at two or more blank rows followed by a block whose first row is
    not shaped like the data (a 'Scoring guidance' title, a summary), or at a lone cell under a
    blank row (a footnote), so notes, legends and summaries below a register are never read as
    risks. len(rows) when the table runs on."""
    start = header_row + 1
    if isinstance(rows, ColumnRows):
        # each row's filled cells counted column-wise; only the rows that can end the table (after
        # blank ones) and the first data rows (which say what a row of this table fills) are looked at
        counts = (~rows.mask(cells.blank, start, range(rows.width))).sum(axis=1) if len(rows) > start else np.zeros(0, int)
        filled_at = np.flatnonzero(counts > 0)
        gaps = np.diff(filled_at, prepend=-1) - 1
        kept = np.flatnonzero((gaps > 0) | (np.arange(len(gaps)) < 200))  # chosen in numpy: a Python loop over
        candidates = ((filled_at[k], int(counts[filled_at[k]]), int(gaps[k])) for k in kept)  # 100,000 rows cost 20 ms
        return _end_of(((start + int(i), n, g) for i, n, g in candidates), len(rows))

    def filled(r: list[Any]) -> int:
        return sum(not cells.blank(c) for c in r)

    # Linear: a row's cells are counted only where it matters (the first data rows, which say what a
    # row of this table fills, and a row right after blank ones); a blank row is told by its first
    # filled cell. (Counting every row, and a median per row, made a 100,000-row import take minutes.)
    def filled_rows():
        blanks, seen = 0, 0
        for i in range(start, len(rows)):
            if not any(not cells.blank(c) for c in rows[i]):
                blanks += 1
                continue
            if blanks or seen < 200:
                yield i, filled(rows[i]), blanks
            seen, blanks = seen + 1, 0
    return _end_of(filled_rows(), len(rows))


def _end_of(filled_rows, length: int) -> int:
    """`_table_end` over (row, filled cells, blank rows just above it) of each non-blank row that
    follows blank rows or is among the first 200."""
    seen, typical = [], 0
    for i, n, blanks in filled_rows:
        if blanks and seen:
            if (blanks >= 2 and n * 2 < typical) or (n == 1 and typical >= 4):
                return i - blanks  # a lone cell under a blank row, in a table rows of which fill four: a footnote
        if len(seen) < 200:
            seen.append(n)
            typical = sorted(seen)[len(seen) // 2]  # the median data row, settled after the first rows
    return length


def build_plan(
    data: bytes,
    file_name: str,
    matrix: RiskMatrix,
    *,
    as_of: dt.date | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
    mappings: list[SheetMapping] | None = None,
    profile: Profile | None = None,
    max_rows: int = 200_000,
    max_bytes: int = 25 * 1024 * 1024,
    progress: Callable[[float, str], None] | None = None,
    isolated: ReadLimits | None = None,
    series: tuple[MeetingSeries, ...] | None = None,
    was_read: FileRead | None = None,
) -> ImportPlan:
    """Read, map, coerce and validate a file in any layout, and preview it; writes nothing.
    `series`: the forum's meeting series (the settings'), which minutes and actions name.
    `was_read`: an earlier plan's `was_read`, taken instead of reading again where it serves these
    bytes, this name and these limits.

    `progress(fraction, stage)` is called between stages, so a page can show how far it got.
    """
    step = progress or (lambda fraction, stage: None)
    step(0.0, "Reading the file")
    sha = hashlib.sha256(data).hexdigest()
    plan = ImportPlan(file_name=file_name, sha256=sha, as_of=as_of or dt.date.today())
    limits = (max_bytes, max_rows, isolated)
    if was_read is not None and was_read.serves(sha, file_name, limits):
        wb = was_read.workbook
    else:
        wb, problems = read(data, file_name, max_bytes=max_bytes, max_rows=max_rows, isolated=isolated)
        plan.problems += problems
        if wb is None:
            return plan
    plan.was_read = FileRead(sha, file_name, limits, wb)
    plan.file_format = wb.file_format
    plan.sheets = {s.name: s.rows for s in wb.sheets}
    if as_of is None and (in_file := as_of_in_file(wb)) is not None:
        plan.as_of, plan.as_of_from_file = in_file, True
    plan.mappings = mappings if mappings is not None else propose(wb, profile)
    parts: dict[str, list[pd.DataFrame]] = {}
    headers_only: list[str] = []
    unknown: list[Problem] = []  # sheets of none of our kinds: said after what the file as a whole is told
    looks_empty: list[str] = []  # sheets that look like a kind we take, with headers only
    for n, s in enumerate(wb.sheets):
        step(0.2 + 0.6 * n / len(wb.sheets), f"Checking sheet {s.name!r}")
        m = next((x for x in plan.mappings if x.sheet == s.name), None)
        if m is not None and m.kind == IGNORE and m.looks_like and not m.looks_like.startswith("a dashboard") and \
                all(blank_row(r) for r in s.rows[m.header_row + 1:]):
            # a blank template's sheet: what its columns lack does not matter while it has no rows (each
            # of a FedRAMP template's three empty sheets was told at length it lacked a grade column)
            looks_empty.append(s.name)
            plan.problems.append(Problem(s.name, None, None, None, None,
                                         f"looks like {m.looks_like}, with headers only: no rows to import", "warning"))
        elif m is not None and m.kind == IGNORE and m.looks_like:
            later = "" if m.looks_like.startswith("a dashboard") else \
                f"{why_not(m.looks_like, s.rows, m.header_row)}; "
            plan.problems.append(Problem(s.name, None, None, None, None,
                                         f"looks like {m.looks_like}, not a register: not imported ({later}choose "
                                         "a kind above and map its columns to import it)", "warning"))
        elif m is not None and m.kind == IGNORE and not all(blank_row(r) for r in s.rows) and \
                s.name not in (PROBLEM_SHEET, INSTRUCTIONS_SHEET) and fold_header(s.name) != "about":
            # a sheet with content that is none of our kinds is named, never passed over in silence
            # (an asset register in another language, say, whose headers match nothing we know)
            heads = [" ".join(h.split()) for h in m.headers(s.rows) if h][:4]
            unknown.append(Problem(s.name, None, None, None, None,
                                   "not imported: its headers (" + ", ".join(repr(h[:40]) for h in heads)
                                   + ") match no kind the dashboard imports (to import it, choose its kind above "
                                     "and map its columns)", "warning"))
        if m is None or m.kind == IGNORE:
            continue
        for note in s.notes:
            plan.problems.append(Problem(s.name, None, None, None, None, note, "warning"))
        outside = _outside_the_table(s.name, s.rows, m.header_row)  # named once, even below the table's end
        end = _table_end(s.rows, m.header_row) if m.layout == LONG else len(s.rows)
        if end < len(s.rows):
            width = _header_width(s.rows, m.header_row)
            below = [cells.text(c)[:30] for r in s.rows[end:] for c in r[:width] if not cells.blank(c)]
            if below:
                plan.problems.append(Problem(
                    s.name, end + 1, None, None, None,
                    f"the table ends at row {end}; {len(below):,} filled cell(s) below it, after blank rows, were not "
                    f"read as data (they begin {', '.join(map(repr, below[:3]))})", "warning"))
            s = dataclasses.replace(s, rows=s.rows[:end])
        sh = SheetContext(plan, m, s.rows)
        if len(s.rows) <= m.header_row + 1 or all(blank_row(r) for r in s.rows[m.header_row + 1:]):
            # Says nothing, rather than emptying the register: a blank template's untouched sheets
            # must not retire every asset or exception (entries leave a register by their status).
            # Not a problem either: the page labels the sheet "headers only".
            headers_only.append(f"{s.name} (read as {KIND_LABELS[m.kind].lower()})")
            continue
        ignored = m.ignored_headers(s.rows) if m.layout == LONG else \
            [h for i, h in enumerate(sh.headers) if h and i not in imported_columns(sh)]
        if ignored:  # a wide sheet's 'Target' or 'Reference' beside its months, too: said, not dropped
            plan.problems.append(Problem(s.name, m.header_row + 1, None, None, None,
                                         "columns not imported: " + ", ".join(ignored), "warning"))
        plan.problems += outside
        plan.problems += _error_cells(s, sh)
        plan.rules += [f"{s.name}: column '{header}' read as {header_label(f).lower()} (the closest known header; "
                       "change it above if that is wrong)" for header, f in read_as(m.columns)]
        if m.layout != LONG:
            got = {"monitoring_results": wide_rows(sh, max_rows)}
        elif required_missing(sh):
            continue
        elif m.kind == "risks":
            got = risk_rows(sh, matrix, plan.as_of, max_rows)
        elif m.kind == "metrics":
            got = metric_rows(sh, matrix, plan.as_of, max_rows)
        elif m.kind == "treatments":
            got = treatment_rows(sh, matrix, plan.as_of, max_rows)
        elif m.kind == "soa":
            got = {"soa": soa_rows(sh, matrix, plan.as_of, max_rows)}
        elif m.kind == "requirements":
            got = {"requirements": requirement_rows(sh, matrix, plan.as_of, max_rows)}
        else:
            got = {m.kind: plain_rows(sh, matrix, plan.as_of, max_rows)}
        for kind, recs in got.items():
            frame = recs if isinstance(recs, pd.DataFrame) else pd.DataFrame.from_records(
                recs, columns=[*KINDS[kind][1].model_fields, "_row"])
            parts.setdefault(kind, []).append(frame.assign(_sheet=s.name))
    for kind, frames in parts.items():
        fields = list(KINDS[kind][1].model_fields)
        frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[*fields, "_row", "_sheet"])
        kept = _without_duplicates(plan, kind, frame).reset_index(drop=True)
        plan.frames[kind] = kept[fields]
        plan.origins[kind] = kept[["_sheet", "_row"]]
    if not any(len(df) for df in plan.frames.values()):
        plan.frames = {}
    if not plan.frames and not plan.problems and headers_only:
        plan.problems.append(Problem(file_name, None, None, None, None,
                                     "the file holds no rows to import: " + ", ".join(headers_only)
                                     + (" has" if len(headers_only) == 1 else " have") + " headers only"))
    elif not plan.frames and looks_empty and not errors(plan.problems) and all(
            m.sheet in looks_empty for m in plan.mappings if m.looks_like and m.kind == IGNORE
            and not m.looks_like.startswith("a dashboard")):
        plan.problems.append(Problem(file_name, None, None, None, None,
                                     "the file holds no rows to import: " + ", ".join(looks_empty)
                                     + (" has" if len(looks_empty) == 1 else " have") + " headers only (a blank template?)"))
    elif not plan.frames and any(m.looks_like and m.kind == IGNORE for m in plan.mappings) and not errors(plan.problems):
        what = sorted({m.looks_like for m in plan.mappings if m.looks_like and m.kind == IGNORE})
        data = [w for w in what if not w.startswith("a dashboard")]
        what = data or what  # the Summary beside a findings list is not what stops the file: said once above
        # the Compliance review does take these kinds: what stops the file is its columns, said once
        # per sheet above; the way on is to choose the kind and map them (not 'we do not import it')
        if all(w.startswith("a dashboard") for w in what):
            message = (f"this file holds only {' and '.join(what)}; nothing imported: choose a sheet's kind on the "
                       "Import page if it is data")
        else:
            message = (f"this file looks like {' and '.join(what)}, but its columns do not give what "
                       f"{'that kind needs' if len(what) == 1 else 'those kinds need'} (each sheet says what is "
                       "missing); nothing imported: choose each sheet's kind and map its columns on the Import page "
                       "(then save the mapping to reuse it, here or with --mapping)")
        plan.problems.append(Problem(file_name, None, None, None, None, message))
    elif not plan.frames and not plan.problems:
        plan.problems.append(Problem(file_name, None, None, None, None,
                                     "no sheet holds rows of a known kind; choose each sheet's kind on the page"))
    elif not plan.frames and not [p for p in plan.problems if p.severity == "error"]:
        plan.problems.append(Problem(file_name, None, None, None, None, "the file holds no rows to import"))
    plan.problems += unknown
    if plan.frames:
        step(0.85, "Comparing with the register")
        define_metrics(plan, con)
        frameworks_for(plan)
        _check_references(con, plan)
        _unrated_risks(con, plan)
        results_before_definitions(plan, con)
        fractions_among_percents(plan)
        check_requirements(con, plan)
        check_finding_requirements(con, plan)
        check_control_requirements(plan)
        forum_kinds.resolve(con, plan, series)
        _raised_kept_from_register(con, plan)
        if con is not None and plan.frames:
            plan.preview = build_preview(con, plan.frames, plan.as_of, parts=plan.parts)
            _reused_ids(plan)
            _lookalike_ids(plan)
            plan.rating_moves = rating_moves(con, plan, matrix)
    return plan


def rating_moves(con: duckdb.DuckDBPyConnection, plan: ImportPlan, matrix: RiskMatrix) -> list[str]:
    """'R-001 High (12) → Critical (20)' for each risk whose latest residual rating in the file puts
    it on another level than the register's latest, the worst move first: what the meeting asks of a
    re-imported register, which the counts of new assessments do not say."""
    found = plan.frames.get("assessments")
    if found is None or found.empty or "residual_likelihood" not in found:
        return []
    rated = found.dropna(subset=["residual_likelihood", "residual_impact"]).sort_values("assessed_on")
    held = queries.residual_ratings(con, plan.as_of)
    moves = []
    for risk, l, i in rated.drop_duplicates("risk_id", keep="last")[["risk_id", "residual_likelihood",
                                                                      "residual_impact"]].itertuples(index=False):
        if risk not in held:
            continue
        (was_l, was_i), now = held[risk], (int(l), int(i))
        was, new = matrix.level(was_l, was_i), matrix.level(*now)
        if was != new:
            moves.append((matrix.rank(new) - matrix.rank(was), str(risk),
                          f"{risk} {was} ({matrix.score(was_l, was_i)}) → {new} ({matrix.score(*now)})"))
    return [said for *_, said in sorted(moves, key=lambda m: (-m[0], m[1]))]


# words two titles share without being about the same thing: 'not' and 'for' made five of a CAPA
# tracker's findings, other findings under the register's ids, pass for the register's own
_COMMON = frozenset(("the and for not are was were with from has have had been but all any its into per this that "
                     "than only yet nor our their there then when where which who whom what how out off over under "
                     "after before between within without about against during upon via").split())


def _singular(word: str) -> str:
    """'policies' -> 'policy', 'processes' -> 'process', 'controls' -> 'control'; 'access' as it is."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "xes", "zes", "ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _words(text: object) -> set[str]:
    """A title's words that say what it is about, a plural as its singular."""
    return {_singular(w) for w in re.findall(r"[a-z0-9]+", str(text or "").casefold()) if len(w) > 2 and w not in _COMMON}


def _other_thing(was: object, now: object) -> bool:
    """Two titles that share under a third of the shorter one's words name other things."""
    a, b = _words(was), _words(now)
    return bool(a and b) and len(a & b) < min(len(a), len(b)) / 3


def _reused_ids(plan: ImportPlan) -> None:
    """A row whose id the register holds with a title about something else (`_other_thing`): said,
    with both titles. A trial imported a CAPA tracker whose F-001 to F-005 were other findings than the
    sample's; the preview said '5 changed' and each was replaced, closed findings reopened."""
    for kind, seen in plan.preview.kinds.items():
        retitled = [(k, (was, now)) for k, v in seen.values.items() if "title" in v for was, now in [v["title"]]
                    if _other_thing(was, now)]
        if retitled:
            shown = "; ".join(f"{k}: '{a}' becomes '{b}'" for k, (a, b) in retitled[:3])
            more = f" and {len(retitled) - 3:,} more" if len(retitled) > 3 else ""
            plan.problems.append(Problem(
                plan.file_name, None, None, None, None,
                f"{len(retitled):,} id(s) of {KIND_LABELS[kind].lower()} the register holds come with a title about "
                f"something else than the register's ({shown}{more}): if these are other {KIND_LABELS[kind].lower()} that "
                "reuse the ids, committing replaces the register's; give them ids of their own", "warning"))


def _id_form(key: str) -> tuple:
    """An id as it may be mistyped or reformatted: its runs of letters and of digits, without case,
    separators or leading zeros ('R-001', 'r001' and 'R-1' alike; Excel turns the id 001 into the
    number 1), two runs of digits never one ('1.1' is not '11', 'A.5.1' not 'A.51')."""
    return tuple(int(t) if t.isdigit() else t for t in re.findall(r"[^\W\d_]+|\d+", str(key).casefold()))


def _lookalike_ids(plan: ImportPlan) -> None:
    """New ids that differ from ids the register holds (and the file does not list) only in case,
    separators or leading zeros, and ids of one file that differ so from each other: said, with
    the pairs. A register whose ids 001-003 a workbook gave as 1-3 was previewed as three new risks
    beside three kept ones, the exposure counted twice, and 'r-202' beside 'R-202' as two risks."""
    for kind, seen in plan.preview.kinds.items():
        if len(KINDS[kind][2]) != 1:
            continue
        label = re.sub(r"\s*\(.*\)", "", KIND_LABELS[kind]).lower()  # 'risks', not 'risks (register)'
        held: dict[tuple, str] = {}
        for key in (*seen.kept, *seen.no_longer_listed):
            held.setdefault(_id_form(key), key)
        pairs = [(key, held[_id_form(key)]) for key in seen.new if _id_form(key) in held]
        if pairs:
            shown = ", ".join(f"'{new}' for '{old}'" for new, old in pairs[:5])
            more = f" and {len(pairs) - 5:,} more" if len(pairs) > 5 else ""
            plan.problems.append(Problem(
                plan.file_name, None, None, None, None,
                f"{len(pairs):,} new id(s) of {label} look like ids the register holds and this file does not list "
                f"({shown}{more}): if they are the same {label}, write the ids as the register does (a spreadsheet "
                "drops the leading zeros of an id it takes for a number: format the column as text), or the import "
                "adds them beside the register's", "warning"))
        frame = plan.frames.get(kind)
        if frame is None or frame.empty:
            continue
        forms: dict[tuple, set[str]] = {}
        for key in frame[KINDS[kind][2][0]].dropna().astype(str):
            forms.setdefault(_id_form(key), set()).add(key)
        twins = [sorted(keys) for keys in forms.values() if len(keys) > 1]
        if twins:
            shown = "; ".join(" and ".join(f"'{k}'" for k in keys) for keys in twins[:5])
            plan.problems.append(Problem(
                plan.file_name, None, None, None, None,
                f"{len(twins):,} id(s) of {label} are written two ways in the file ({shown}): they are imported as "
                f"different {label}; if each pair is one, write its id one way", "warning"))


def _raised_kept_from_register(con: duckdb.DuckDBPyConnection | None, plan: ImportPlan) -> None:
    """A finding from a sheet with no date raised (a CAPA tracker, a POA&M) that the register holds
    already keeps the date it was raised on: its age runs on across imports (`kinds._fill_findings`)."""
    found = plan.frames.get("findings")
    if con is None or found is None or found.empty or not queries.register_exists(con, "findings", plan.as_of):
        return
    undated = {m.sheet for m in plan.mappings if m.kind == "findings" and "raised_on" not in m.columns}
    filled = plan.origins["findings"]["_sheet"].isin(undated).to_numpy()
    if not filled.any():
        return
    held = queries.register(con, "findings", plan.as_of).drop_duplicates("finding_id", keep="last")
    stored = found["finding_id"].map(held.set_index("finding_id")["raised_on"]).map(
        lambda d: d.date() if hasattr(d, "date") else d)
    keep = filled & stored.notna().to_numpy()
    if keep.any():
        found = found.copy()
        found.loc[keep, "raised_on"] = stored[keep]
        plan.frames["findings"] = found


def commit(con: duckdb.DuckDBPyConnection, plan: ImportPlan, imported_by: str, *, dry_run: bool = False,
           source: str = "mapped") -> ImportOutcome:
    """One transaction, or nothing: refused, unchanged (same file and date), undecided, dry run or
    committed. The preview's mode and scope say what the file is (see `with_mode`); a file that would
    retire rows while nobody said it is the whole register is `undecided` and writes nothing."""
    if not plan.ok or not plan.frames:
        return ImportOutcome("refused", plan.file_name, plan.as_of, None, plan.row_counts, plan.problems)
    said = plan.preview if plan.preview is not None and plan.preview.mode is not None else None
    existing = find_batch(con, plan.sha256, plan.as_of, said and said.mode, said and said.scope)
    if existing is not None:
        return ImportOutcome("unchanged", plan.file_name, plan.as_of, existing, plan.row_counts, plan.problems)
    if plan.preview is not None and plan.preview.undecided:
        return ImportOutcome(UNDECIDED, plan.file_name, plan.as_of, None, plan.row_counts, plan.problems)
    if dry_run:
        return ImportOutcome("dry-run", plan.file_name, plan.as_of, None, plan.row_counts, plan.problems)
    stale = forum_kinds.recorded_since_the_preview(con, plan)
    if stale:
        return ImportOutcome("refused", plan.file_name, plan.as_of, None, plan.row_counts, [*plan.problems, *stale])
    mode = (plan.preview.mode if plan.preview is not None else None) or WHOLE
    scope = plan.preview.scope if plan.preview is not None else None
    batch_id = commit_batch(con, source=source, file_name=plan.file_name, sha256=plan.sha256, as_of=plan.as_of,
                            imported_by=imported_by, frames=plan.frames, mode=mode, scope=scope, parts=plan.parts)
    return ImportOutcome("committed", plan.file_name, plan.as_of, batch_id, plan.row_counts, plan.problems)


def import_file(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    matrix: RiskMatrix,
    *,
    as_of: dt.date | None = None,
    imported_by: str = "cli",
    dry_run: bool = False,
    source: str = "canonical",
    max_rows: int = 200_000,
    data: bytes | None = None,
) -> ImportOutcome:
    """Plan, then commit in one transaction unless refused, a dry run, or already imported."""
    path = Path(path)
    if data is None:
        data = path.read_bytes()
    plan = build_plan(data, path.name, matrix, as_of=as_of, con=con, max_rows=max_rows, max_bytes=len(data) + 1)
    return commit(con, plan, imported_by, dry_run=dry_run, source=source)


# --- Several teams, one register (issue 11): what a register file is, below this line ---

UNDECIDED = "undecided"  # an outcome: rows would leave the register and nobody said the file is all of it


def detected_scope(plan: ImportPlan) -> Scope | None:
    """The business units a file's risks name, when every risk names one: a team's register
    speaks for its unit, so committing it never retires another unit's risks."""
    risks = plan.frames.get("risks")
    if risks is None or risks.empty or "business_unit" not in risks or risks["business_unit"].isna().any():
        return None
    return Scope("business_unit", tuple(risks["business_unit"]))


def with_mode(con: duckdb.DuckDBPyConnection | None, plan: ImportPlan, mode: str | None = WHOLE,
              scope: Scope | None = None) -> ImportPlan:
    """The plan as committing it would write it: `mode` WHOLE (the file is the register, or with a
    scope the scope's part of it), PART (merged: nothing unlisted leaves) or None (not said: the
    preview asks when rows would leave, and `commit` writes nothing until someone answers).

    The scope is the one given (a business unit's name fills the risks that name none), else the
    one the file's business unit column states. A risk the register has seen keeps the first
    'identified on' date when the file leaves it blank or lacks the column (the import would
    otherwise fill the batch date, moving the date each quarter), and so does the treatment the
    register row implies, which starts when the risk was identified.
    """
    if mode not in (None, WHOLE, PART):
        raise ValueError(f"an import is the {WHOLE} register or {PART} of it, not {mode!r}")
    if not plan.frames or con is None:
        return plan
    frames, rules = dict(plan.frames), list(plan.rules)
    if "risks" in frames:
        frames, note = _identified_as_first_seen(con, plan, frames)
        rules += [note] if note else []
        frames, note = _kept_from_register(con, plan, frames)
        rules += [note] if note else []
    if "treatments" in frames:
        frames, note = _treatments_kept_from_register(con, plan, frames)
        rules += [note] if note else []
    if "risks" in frames:
        if scope is not None and scope.field == "business_unit" and len(scope.values) == 1:
            risks = frames["risks"].copy()
            risks["business_unit"] = risks["business_unit"].where(risks["business_unit"].notna(), scope.values[0])
            frames["risks"] = risks
    problems = plan.problems
    if scope is not None and "risks" in frames and scope.field in frames["risks"] and \
            not frames["risks"][scope.field].dropna().astype(str).str.strip().isin(scope.values).any():
        # a misspelt owner: 'the whole register for owner Nobody' imported 15 risks of other owners
        problems = [*problems, Problem(plan.file_name, None, None, None, None,
                                       f"no risk in the file has {scope.describe()}: the scope names none of its "
                                       "risks, which are added outside it, while a whole file for it retires every "
                                       "risk of the scope it does not list; check the name", "warning")]
    scoped = replace(plan, frames=frames, rules=rules, problems=problems)
    scope = scope or detected_scope(scoped)
    untouched = all(frames[k] is plan.frames[k] for k in frames)
    if untouched and mode in (None, WHOLE) and scope is None and plan.preview is not None \
            and plan.preview.mode == WHOLE and plan.preview.scope is None:
        # the plan's own preview already compares these rows as a whole register (None: one not said)
        scoped.preview = replace(plan.preview, mode=mode)
    else:
        scoped.preview = build_preview(con, frames, plan.as_of, mode, scope, events_from=plan.preview, parts=plan.parts)
    return scoped


def _unsaid(plan: ImportPlan, field: str, *, blank_too: bool = True) -> pd.Series:
    """Per risk row, whether the file left `field` to the import: its sheet has no such column, or
    (`blank_too`) the row's cell in it is blank. The sheet's column is found once, not per row."""
    origins = plan.origins.get("risks")
    if origins is None:
        return pd.Series(False, index=plan.frames["risks"].index)
    column: dict[str, int | None] = {}  # sheet -> the field's column; None: the sheet has none
    for m in plan.mappings:
        if field in m.columns:
            headers = m.headers(plan.sheets.get(m.sheet, []))
            column[m.sheet] = headers.index(m.columns[field]) if m.columns[field] in headers else None
    out = []
    for sheet, row in zip(origins["_sheet"], origins["_row"]):
        if sheet not in column:  # no such column in the file's sheet
            out.append(True)
            continue
        col = column[sheet]
        if not blank_too:
            out.append(col is None)
            continue
        rows = plan.sheets.get(sheet, [])
        raw = rows[int(row) - 1] if 0 < int(row) <= len(rows) else []
        out.append(col is None or col >= len(raw) or cells.blank(raw[col]))
    return pd.Series(out, index=plan.frames["risks"].index)


def _defaulted_identified_on(plan: ImportPlan) -> pd.Series:
    """Per risk row, whether 'identified on' was filled by the import (no column, or a blank cell)."""
    return _unsaid(plan, "identified_on")


# what a risk row the file does not fill takes from the register, for a risk it already holds:
# the import's stand-ins ('Unassigned', 'Open', the theme of no control) where the cell is blank
# too, the rest where the file has no such column (a blank description in a described register
# may mean none); 'identified on' has its own rule (`_identified_as_first_seen`)
KEPT_WHERE_BLANK = ("title", "owner", "status", "source")
KEPT_WHERE_NO_COLUMN = ("description", "annex_a_controls", "nist_family", "asset_ids", "business_unit")


def _held(value) -> bool:
    return value is not None and not (isinstance(value, float) and pd.isna(value))


def _keep(frame: pd.DataFrame, move, field: str, values: list, kept: list[str]) -> None:
    """Write the register's `values` into `frame`'s `field` on the rows `move` picks, naming the
    field in `kept` when any of them differs from the file's."""
    if any(a != b for a, b in zip(values, frame.loc[move, field].tolist())):
        kept.append(header_label(field))
    frame[field] = frame[field].astype(object)
    frame.loc[move, field] = pd.Series(values, index=frame.index[move], dtype=object)


def _kept_from_register(con: duckdb.DuckDBPyConnection, plan: ImportPlan,
                        frames: dict[str, pd.DataFrame]) -> tuple[dict[str, pd.DataFrame], str | None]:
    """The risk frame with what the register holds for each risk it already has, in every field the
    file left to the import, and the rule that says so (None when nothing was kept).

    A team's re-ratings (risk id, likelihood, impact) merged into the register must not reset the
    owner to 'Unassigned', empty the controls or reopen a closed risk: the import fills a field
    only for a risk the register has never held."""
    risks = frames["risks"]
    if risks.empty or not queries.register_exists(con, "risks", plan.as_of):
        return frames, None
    held = queries.register(con, "risks", plan.as_of).drop_duplicates("risk_id", keep="last").set_index("risk_id")
    known = risks["risk_id"].isin(held.index)
    if not known.any():
        return frames, None
    risks = risks.copy()
    kept: list[str] = []
    unsaid = {f: _unsaid(plan, f, blank_too=f in KEPT_WHERE_BLANK) for f in (*KEPT_WHERE_BLANK, *KEPT_WHERE_NO_COLUMN)}
    # the theme with the controls: a file's controls bring their own theme (kinds.py), else both are the register's
    unsaid["annex_a_theme"] = _unsaid(plan, "annex_a_theme") & unsaid["annex_a_controls"]
    for field, where in unsaid.items():
        if field not in held.columns or field not in risks.columns:
            continue
        move = where & known
        if not move.any():
            continue
        before = risks.loc[move, "risk_id"].map(held[field])
        lists = field in ("annex_a_controls", "asset_ids")
        # as a file's row holds them: a list for a list field, None for nothing (not the store's NaN)
        values = [(list(v) if lists else v) if _held(v) else ([] if lists else None) for v in before]
        _keep(risks, move, field, values, kept)
    if not kept:
        return frames, None
    sheets = sorted(set(plan.origins["risks"].loc[known, "_sheet"]))
    note = (f"{', '.join(sheets)}: {int(known.sum())} risk(s) the register already holds keep what it says where "
            f"the file gives nothing: {', '.join(kept)}")
    return {**frames, "risks": risks}, note


def _treatments_kept_from_register(con: duckdb.DuckDBPyConnection, plan: ImportPlan,
                                   frames: dict[str, pd.DataFrame]) -> tuple[dict[str, pd.DataFrame], str | None]:
    """A tracker sheet with no description column leaves each treatment the register holds its
    description, and one with no completion date column leaves a treatment done already its date:
    a monthly tracker without its 'Action' column previewed every treatment as 'description → blank',
    and the late lists and the packs' 'What' went empty, unsaid."""
    treatments = frames["treatments"]
    origins = plan.origins.get("treatments")
    if treatments.empty or origins is None or not queries.register_exists(con, "treatments", plan.as_of):
        return frames, None
    lacking = {f: {m.sheet for m in plan.mappings if m.kind == "treatments" and f not in m.columns}
               for f in ("description", "completed_on")}
    held = queries.register(con, "treatments", plan.as_of).drop_duplicates("treatment_id", keep="last").set_index("treatment_id")
    known = treatments["treatment_id"].isin(held.index).to_numpy()
    treatments, kept = treatments.copy(), []
    for field, sheets in lacking.items():
        move = known & origins["_sheet"].isin(sheets).to_numpy()
        if field == "completed_on":  # only where both say done: a reopened treatment has no completion date
            move &= (treatments["status"] == "Done").to_numpy()
        if not move.any():
            continue
        before = treatments.loc[move, "treatment_id"].map(held[field])
        values = [v if _held(v) and not (field == "completed_on" and held.at[t, "status"] != "Done") else w
                  for t, v, w in zip(treatments.loc[move, "treatment_id"], before, treatments.loc[move, field])]
        values = [v.date() if hasattr(v, "date") and field == "completed_on" else v for v in values]
        _keep(treatments, move, field, values, kept)
    if not kept:
        return frames, None
    sheets = sorted(set(origins.loc[known, "_sheet"]))
    return ({**frames, "treatments": treatments},
            f"{', '.join(sheets)}: {int(known.sum())} treatment(s) the register already holds keep what it says where "
            f"the file has no column: {', '.join(kept)}")


def _identified_as_first_seen(con: duckdb.DuckDBPyConnection, plan: ImportPlan,
                              frames: dict[str, pd.DataFrame]) -> tuple[dict[str, pd.DataFrame], str | None]:
    """The frames with 'identified on' kept, and the rule that says so (None when nothing moved)."""
    risks = frames["risks"]
    filled = _defaulted_identified_on(plan) & (pd.to_datetime(risks["identified_on"]).dt.date == plan.as_of)
    if not filled.any():
        return frames, None
    first = queries.first_identified(con, risks.loc[filled, "risk_id"].tolist(), plan.as_of)
    if not first:
        return frames, None
    risks = risks.copy()
    kept = risks["risk_id"].map(first)
    move = filled & kept.notna()
    risks.loc[move, "identified_on"] = kept[move]
    sheets = sorted(set(plan.origins["risks"].loc[move, "_sheet"]))
    note = (f"{', '.join(sheets)}: {int(move.sum())} risk(s) the register has seen before keep the date they were "
            "first identified, not the batch date")
    treatments = frames.get("treatments")
    if treatments is not None and not treatments.empty and "treatments" in plan.origins:
        # the treatment a register row implies ('<risk id>-T', read from the same row) started when
        # the risk was identified
        where = plan.origins["risks"].loc[move]
        started = dict(zip(zip(where["_sheet"], where["_row"]), risks.loc[move, "identified_on"]))
        rows = list(zip(plan.origins["treatments"]["_sheet"], plan.origins["treatments"]["_row"]))
        treatments = treatments.copy()
        for i, key in zip(treatments.index, rows):
            if key in started and treatments.at[i, "treatment_id"] == f"{treatments.at[i, 'risk_id']}-T":
                treatments.at[i, "start_on"] = min(started[key], treatments.at[i, "due_on"])
        frames = {**frames, "treatments": treatments}
    return {**frames, "risks": risks}, note
