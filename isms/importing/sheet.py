"""One mapped sheet, coerced column by column and validated: the shared machinery of every kind.

Problems are reported at the cell Excel shows; a row with an error is left out and never stops
the others from being checked.
"""

from __future__ import annotations

import re
import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError
from pydantic_core import PydanticUndefined

from isms.importing import cells
from isms.importing.columns import ColumnRows
from isms.importing.validation import passes
from isms.importing.cells import coerce, controls, field_type, scale_rule, three_word_scale, to_enum
from isms.importing.mapping import SheetMapping, declared_scale
from isms.importing.problems import Problem, column_letter
from isms.matrix import RiskMatrix
from isms.models import KINDS


class SheetContext:
    """Helpers for one mapped sheet: problems at the right cell."""

    def __init__(self, plan: Any, mapping: SheetMapping, rows: list[list[Any]]):
        self.plan, self.m, self.rows = plan, mapping, rows
        self.month_first: set[str] = set()  # date columns whose 05/06/2026 is month first (coerced_columns decides)
        headers = mapping.headers(rows)
        first: dict[str, int] = {}
        for i, h in enumerate(headers):
            if h:
                first.setdefault(h, i)
        self.headers = headers
        self.idx = {f: first[h] for f, h in mapping.columns.items() if h in first}
        for f, h in mapping.columns.items():
            if h and h not in first:
                self.problem(None, None, f, None, f"the mapping names column {h!r}, which this sheet does not have")

    def problem(self, row: int | None, idx: int | None, f: str | None, value: Any, message: str,
                severity: str = "error") -> None:
        header = self.headers[idx] if idx is not None and idx < len(self.headers) else (f.replace("_", " ").capitalize() if f else None)
        self.plan.problems.append(Problem(self.m.sheet, row, column_letter(idx) if idx is not None else None,
                                          header, value, message, severity))

    def cell(self, raw: list[Any], f: str) -> Any:
        i = self.idx.get(f)
        return raw[i] if i is not None and i < len(raw) else None


def validate_row(sh: SheetContext, model, record: dict[str, Any], excel_row: int, field_cols: dict[str, int]) -> dict | None:
    try:
        rec = model.model_validate(record)
    except ValidationError as exc:
        for err in exc.errors():
            loc = err["loc"][0] if err["loc"] else None
            idx = field_cols.get(loc) if isinstance(loc, str) else None
            message = err["msg"].removeprefix("Value error, ")
            if err["type"] == "missing" and isinstance(loc, str):  # pydantic's 'Field required'
                message = "is empty: every row needs one"
            sh.problem(excel_row, idx, loc if isinstance(loc, str) else None,
                       record.get(loc) if isinstance(loc, str) else None, message)
        return None
    return {k: (v.value if hasattr(v, "value") else v) for k, v in rec.model_dump(mode="python").items()}


def _level_scales(sh: SheetContext, matrix: RiskMatrix) -> dict[str, int | None]:
    """Per level field, the scale its header declares; a differing scale becomes a stated rule."""
    out = {}
    for f, i in sh.idx.items():
        if field_type(sh.m.kind, f).kind != "level":
            continue
        n = declared_scale(sh.headers[i])
        steps = matrix.steps_likelihood if f.endswith("likelihood") else matrix.steps_impact
        out[f] = n
        if n and n != steps:
            sh.plan.rules.append(f"{sh.m.sheet}!{column_letter(i)} '{sh.headers[i]}': {scale_rule(n, steps)}")
    return out


def _labels(matrix: RiskMatrix, f: str) -> tuple[str, ...]:
    return matrix.likelihood_labels if f.endswith("likelihood") else matrix.impact_labels


# Optional register fields whose unreadable cell is a warning, not a refusal: the risk still
# imports with the default named here, and kinds.risk_rows keeps the cell's text in the description.
SOFT = {"risks": {"status": "Open", "identified_on": "as the as-of date", "due_on": "empty (no treatment)",
                  "source": "as 'Annual assessment'", "nist_family": "empty", "assessed_on": "as the as-of date",
                  "control_effectiveness": "empty"}}
# a treatment tracker's progress columns (kinds.treatment_rows): an unreadable cell gives no update
TRACKER_SOFT = {"percent_complete": "no progress update is taken from it", "updated_on": "the update is dated the as-of date"}
_RELATIVE = re.compile(r"^(?:in\s+|within\s+)?(\d{1,4})\s*(day|week|month|year)s?$", re.I)


def _relative_date(value: Any, as_of) -> Any:
    """'30 days', 'within 6 months': a due date counted from the as-of date (the rule is stated)."""
    m = _RELATIVE.match(cells.text(value))
    if not m:
        return None
    from isms.dates import add_months

    n, unit = int(m.group(1)), m.group(2).casefold()
    if unit in ("day", "week"):
        return as_of + dt.timedelta(days=n * (7 if unit == "week" else 1))
    return add_months(as_of, n * (12 if unit == "year" else 1))


def _coerce_cell(sh: SheetContext, f: str, v: Any, matrix: RiskMatrix, scale: int | None,
                 three_words: bool = False) -> tuple[Any, str | None, str | None]:
    """(value, warning, error) for one cell; pure in (field, value), so a column memoises it."""
    ft = field_type(sh.m.kind, f)
    hidden = cells.invisible(v)
    if hidden and (f.endswith("_id") or f.endswith("_ids") or ft.kind in ("enum", "list")):
        return None, None, (f"holds {', '.join(hidden)}, invisible characters that make it display as another "
                            "value (a spoofed id?); retype it")
    if hidden:
        value, warning, error = _coerce_cell(sh, f, cells.INVISIBLE.sub("", v), matrix, scale, three_words)
        removed = f"removed {', '.join(hidden)}: invisible characters that change how the text displays"
        return value, f"{warning}; {removed}" if warning else removed, error
    if f == "annex_a_controls":
        good, stray, read = controls(v)
        themes = [r for r in stray if cells.bare_theme(r)]
        others = [r for r in stray if not cells.bare_theme(r)]
        warn = "; ".join(filter(None, [
            ("ISO/IEC 27001:2013 control id(s) read as their 2022 successors (ISO/IEC 27002:2022 Annex B): "
             + ", ".join(read)) if read else "",
            (f"{', '.join(themes)}: an Annex A theme, not a control: the risk's theme when no control of the "
             "row gives one") if themes else "",
            (f"{', '.join(others)}: not ISO/IEC 27001:2022 Annex A control ids (A.5.1-A.8.34), nor 2013 ones; "
             "kept out of the controls") if others else ""])) or None
        return good, warn, None
    if f == "applicable" and isinstance(v, str) and cells.fold_word(v) in ("n a", "na", "n a "):
        return False, None, None  # an SoA's 'N/A' in its Applicable column: not applicable
    if f == "requirements":
        good, stray, read = cells.requirement_refs(v)
        if stray:
            return None, None, (f"{', '.join(stray)}: neither an ISO/IEC 27001 Annex A nor a NIST SP 800-53 id; write "
                                "each requirement as <framework>:<ref> (ISO27001-2022:A.5.15, NIST-800-53r5:AC-2, "
                                "SOC2:CC6.1)")
        return good, ("ISO/IEC 27001:2013 id(s) read as their 2022 successors: " + ", ".join(read)) if read else None, None
    if f == "ref" and sh.m.kind == "soa" and "framework" not in sh.idx and not cells.blank(v):
        iso = cells.annex_a_ref(v)
        if iso is None and (later := cells.successors(cells.text(v))):
            return None, None, (f"{cells.text(v)} is an ISO/IEC 27001:2013 id; the 2022 Statement of Applicability "
                                f"lists {', '.join(later)}: write the 2022 ids")
        return (iso or cells.text(v)), None, None
    try:
        if f == "target" and sh.m.kind == "metrics" and not cells.blank(v):
            return cells.parse_target(v), None, None
        value = coerce(ft, v, matrix=matrix, axis="likelihood" if f.endswith("likelihood") else "impact",
                       steps_from=scale, period=sh.m.kind == "monitoring_results", three_words=three_words,
                       month_first=f in sh.month_first)
    except ValueError as exc:
        if f == "decision":  # a register's response column is optional: the risk still imports
            return None, f"{exc}; no treatment is created", None
        relative = _relative_date(v, sh.plan.as_of) if ft.kind == "date" and f == "due_on" else None
        if relative is not None:
            return relative, f"{cells.text(v)!r} read as {relative:%Y-%m-%d}, counted from the as-of date", None
        if sh.m.kind == "treatments" and f in TRACKER_SOFT:
            # a tracker's 'Progress' of words ('On track'), or a 'Completion' of dates: the treatment
            # imports as it did before these columns were read, with no progress update from the cell
            return None, f"{exc}; {TRACKER_SOFT[f]}", None
        if f in SOFT.get(sh.m.kind, ()):
            return None, f"{exc}; left {SOFT[sh.m.kind][f]}, and the text is kept in the description", None
        return None, None, str(exc)
    if ft.kind == "enum" and value is not None and isinstance(v, str) and to_enum(ft.enum, v)[1]:
        return value, f"read as {value!r}: the model has no such value", None
    if f == "period" and value is not None and sh.m.kind == "monitoring_results":
        value = value.replace(day=1)  # a monitoring period is the month (MonitoringResult._month)
    return value, None, None


def blank_cell(c: Any) -> bool:
    """Empty, or a 'not rated' spelling ('--', 'n/a'): a row of these holds nothing to import."""
    return c is None or c == "" or (c.__class__ is str and c.strip().casefold() in cells.NOT_RATED)


def blank_row(row: list[Any]) -> bool:
    return all(map(blank_cell, row))


def _empty(c: Any) -> bool:
    return c is None or (c.__class__ is str and c == "") or bool(pd.isna(c))


def coerced_columns(sh: SheetContext, matrix: RiskMatrix, max_rows: int) -> tuple[list[int], dict[str, np.ndarray], np.ndarray]:
    """Coerce the sheet column by column: (data row indexes, field -> values, row has no error).

    Spreadsheet columns repeat their values (levels, dates, statuses), so each distinct value is
    coerced once and spread back by its code; this keeps a 100,000-row import near the parser's speed.
    A sheet read as columns (isms.importing.columns) is never turned into rows here.
    """
    scales = _level_scales(sh, matrix)
    first = sh.m.header_row + 1
    table_width = max(len(sh.headers), max(sh.idx.values(), default=-1) + 1)
    if isinstance(sh.rows, ColumnRows):
        rows = sh.rows
        width = min(rows.width, table_width) if len(rows) > first else 0
        filled = ~rows.mask(_empty, first, range(width)) if width else np.zeros((max(0, len(rows) - first), 0), bool)
    else:
        grid = _grid(sh.rows[first:], table_width)
        filled = ~(pd.isna(grid) | (grid == "")) if grid.size else np.zeros(grid.shape, dtype=bool)
    count = filled.sum(axis=1)
    keep = count > 0
    few = np.flatnonzero(keep & (count <= 3))  # a few cells: perhaps only '--' or 'n/a'
    if len(few) and isinstance(sh.rows, ColumnRows):
        keep[few] = ~sh.rows.mask(blank_cell, first, range(sh.rows.width)).all(axis=1)[few]
    for j in few if not isinstance(sh.rows, ColumnRows) else ():
        keep[j] = not blank_row(sh.rows[first + j])
    _totals_rows(sh, keep, first)
    body = (np.flatnonzero(keep) + first).tolist()
    if len(body) > max_rows:
        sh.problem(None, None, None, None, f"{len(body):,} rows is over the limit of {max_rows:,}")
        return [], {}, np.zeros(0, dtype=bool)
    if not isinstance(sh.rows, ColumnRows):
        grid = grid[keep]
    ok = np.ones(len(body), dtype=bool)
    cols: dict[str, np.ndarray] = {}
    distinct = {}
    for f, i in sh.idx.items():
        if isinstance(sh.rows, ColumnRows):
            codes, uniques = sh.rows.distinct(i, first)
            codes = codes[keep]
            value_at = (lambda j, codes=codes, uniques=uniques: uniques[codes[j]])
        else:
            raw = grid[:, i] if i < grid.shape[1] else np.full(len(body), None, dtype=object)
            codes, uniques = pd.factorize(raw, use_na_sentinel=False)
            value_at = raw.__getitem__
        distinct[f] = codes, uniques, value_at
    ambiguous = _date_order(sh, {f: d[1] for f, d in distinct.items()})
    for f, i in sh.idx.items():
        codes, uniques, value_at = distinct[f]
        three = f in scales and not scales[f] and three_word_scale(list(uniques), _labels(matrix, f))
        if three:
            rule = f"{scale_rule(3, len(_labels(matrix, f)))} with Low 1, Medium 2, High 3"
            # a column of words and numbers: the rule is the words', the numbers stay on the matrix's scale
            blank = np.array([cells.blank(u) for u in uniques], dtype=bool)[codes]
            numeric = np.array([not isinstance(u, str) or cells.numeric_text(u) for u in uniques], dtype=bool)[codes] & ~blank
            numbers, words = int(numeric.sum()), int((~numeric & ~blank).sum())
            said = (f"rated Low / Medium / High, {rule}" if not numbers else
                    f"the words Low / Medium / High ({words:,} row{'s' * (words != 1)}) are {rule}; its numbers "
                    f"({numbers:,} row{'s' * (numbers != 1)}) "
                    f"are read on the matrix's own 1-{len(_labels(matrix, f))} scale")
            sh.plan.rules.append(f"{sh.m.sheet}!{column_letter(i)} '{sh.headers[i]}': {said}")
        outcomes = [_coerce_cell(sh, f, u, matrix, scales.get(f), three) for u in uniques]
        if f in ambiguous:  # each date that could be read either way, said at its cells
            outcomes = [(o[0], "; ".join(filter(None, [o[1], ambiguous[f](u, o[0])])) or None, o[2])
                        if o[0] is not None else o for u, o in zip(uniques, outcomes)]
        coerced = np.empty(len(outcomes), dtype=object)
        coerced[:] = [o[0] for o in outcomes]
        for flag, severity in ((2, "error"), (1, "warning")):
            hit = np.array([o[flag] is not None for o in outcomes], dtype=bool)
            if hit.any():
                for j in np.flatnonzero(hit[codes]):
                    o = outcomes[codes[j]]
                    sh.problem(body[j] + 1, i, f, cells.text(value_at(j)), o[flag], severity)
                    if severity == "error":
                        ok[j] = False
        _synonym_rule(sh, f, i, uniques, coerced, codes)
        if f == "percent_complete":
            _fractions(sh, i, uniques, coerced, codes, body, value_at)
        out = coerced[codes]
        if f == "target" and sh.m.kind == "metrics":
            triples = [t if isinstance(t, tuple) else (t, None, None) for t in out]
            cols["_direction"] = np.array([t[1] for t in triples], dtype=object)
            cols["_unit"] = np.array([t[2] for t in triples], dtype=object)
            out = np.array([t[0] for t in triples], dtype=object)
        cols[f] = out
    _low_scale_warning(sh, matrix, scales, cols)
    return body, cols, ok


_TOTALS = {"total", "totals", "grand total", "sum", "overall", "subtotal", "sub total", "count"}


def totals_cell(row: list[Any]) -> int | None:
    """The column of a row's first filled cell when it says 'Total' (a sum under the table), else None."""
    at = next((i for i, c in enumerate(row) if not cells.blank(c)), None)
    return at if at is not None and isinstance(row[at], str) and cells.fold_word(row[at]).strip() in _TOTALS else None


def _totals_rows(sh: SheetContext, keep: np.ndarray, first: int) -> None:
    """The last rows of a table that begin with 'Total' (a sum under the register) are not rows of
    it: left out, said at the cell. Read as a row, one refused the whole file with 'Field required'
    at its empty id."""
    key = sh.idx.get(KINDS[sh.m.kind][2][0]) if sh.m.kind in KINDS else None
    for j in np.flatnonzero(keep)[-3:]:
        row = sh.rows[first + j]
        at = totals_cell(row)
        # a row with an id of its own is a row of the table, whatever its first cell says ('Overall')
        if at is not None and (key is None or key == at or key >= len(row) or cells.blank(row[key])):
            keep[j] = False
            sh.problem(first + j + 1, at, None, row[at], "looks like a totals row under the table: not imported",
                       "warning")


def _date_order(sh: SheetContext, uniques: dict[str, list]) -> dict:
    """Per date column, whether it writes dates such as 05/06/2026 day or month first, from the
    dates in it that can only be read one way ('31/12/2026', '12/31/2026'), else from the sheet's
    other date columns: a US register read day first put 3/4/2027 in April and 10/1/2026 in
    January, overdue on the day it was imported, unsaid. Sets `sh.month_first` (the columns read
    month first) and says each reading as a rule; returns, per column whose dates could be either
    and are not decided, what to say at each such date."""
    fields = [f for f in uniques if field_type(sh.m.kind, f).kind == "date"]
    orders = {f: cells.slash_order(uniques[f]) for f in fields}
    sheet_day = [v for f in fields for v in orders[f][0]]
    sheet_month = [v for f in fields for v in orders[f][1]]
    sayers = {}
    for f in fields:
        day_first, month_first, either = orders[f]
        where = f"{sh.m.sheet}!{column_letter(sh.idx[f])} '{sh.headers[sh.idx[f]]}'"
        # the column's own unambiguous dates decide it; a column of none is decided by the sheet's
        own = bool(day_first or month_first)
        by_day, by_month = (day_first, month_first) if own else (sheet_day, sheet_month)
        if by_month and not by_day:
            sh.month_first.add(f)  # '12/31/2026': every date of the column is month first
            if either:
                why = (f"'{month_first[0]}' can only be month/day/year" if own else
                       f"no date of the column says which comes first, and the sheet's other dates are month first "
                       f"('{sheet_month[0]}')")
                sh.plan.rules.append(f"{where}: dates are read month first, as in the US: {why}, so '{either[0]}' is "
                                     f"{cells.parse_date(either[0], month_first=True):%-d %B %Y}")
        elif not either or (by_day and not by_month):
            continue  # nothing to decide, or '31/12/2026' beside it: day first, as read anyway
        elif by_day and by_month:
            sayers[f] = _either_way(set(either), (by_day[0], by_month[0]))
        else:
            sh.plan.rules.append(f"{where}: no date written with numbers says whether the day or the month comes "
                                 f"first ('{either[0]}'): read day first ({cells.parse_date(either[0]):%-d %B %Y}); "
                                 "if the file writes the month first, as in the US, write the dates as 2026-03-31 or "
                                 "31 Mar 2026 and import again")
    return sayers


def _either_way(unsure: set, examples: tuple[str, str]):
    def said(value, read: dt.date) -> str | None:
        if not isinstance(value, str) or value.strip() not in unsure:
            return None
        return (f"could be day or month first, and the sheet writes dates both ways ('{examples[0]}', "
                f"'{examples[1]}'): read day first, as {read:%-d %B %Y}; write it as {read:%Y-%m-%d} or "
                f"{read:%-d %b %Y} to be sure")
    return said


def _fractions(sh: SheetContext, i: int, uniques, coerced: np.ndarray, codes: np.ndarray, body: list[int],
               value_at) -> None:
    """A progress column of fractions (0.5 for half done, as a percentage cell holds it; the
    reader turns a cell formatted as one into its percent already) is read as percents, said as a
    rule; a fraction among percents (0.5 beside 40 and 75) is said at its cell. Read as written,
    half done was half a percent, and every such treatment late. A value written with % is a percent."""
    used = np.bincount(codes, minlength=len(uniques)) > 0 if len(codes) else np.zeros(len(uniques), bool)
    bare = [j for j, (u, v) in enumerate(zip(uniques, coerced))
            if used[j] and v is not None and not (isinstance(u, str) and "%" in u)]
    fractional = [j for j in bare if 0 < coerced[j] < 1]
    if not fractional:
        return
    if all(coerced[j] <= 1 for j in bare):
        for j in bare:
            coerced[j] = round(coerced[j] * 100, 9)
        sh.plan.rules.append(f"{sh.m.sheet}!{column_letter(i)} '{sh.headers[i]}': every value is between 0 and 1, so "
                             "each is read as a fraction: 0.5 is 50% complete, 1 is 100%")
        return
    for j in np.flatnonzero(np.isin(codes, fractional)):
        sh.problem(body[j] + 1, i, "percent_complete", cells.text(value_at(j)),
                   f"{cells.text(value_at(j))} among percents (the column holds values above 1): read as "
                   f"{cells.text(value_at(j))}% complete; if it means {coerced[codes[j]] * 100:g}%, write that", "warning")


def _synonym_rule(sh: SheetContext, f: str, i: int, uniques, coerced: np.ndarray, codes: np.ndarray) -> None:
    """Say which words of a status-like column were read as another value: 'active' as Granted,
    'expired' as Closed, 'In Progress' as Partially implemented. A case or spacing variant of the
    value itself ('granted', 'GRANTED') is the value and goes unsaid."""
    ft = field_type(sh.m.kind, f)
    if ft.kind != "enum":
        return
    counts = np.bincount(codes, minlength=len(uniques)) if len(codes) else np.zeros(len(uniques), dtype=int)
    read = []
    for j, (u, v) in enumerate(zip(uniques, coerced)):
        if v is None or not isinstance(u, str) or not counts[j]:
            continue
        member = next((m for m in ft.enum if m.value == v), None)
        if member is None or cells.fold_word(u) in (cells.fold_word(member.value), cells.fold_word(member.name)):
            continue
        read.append(f"'{cells.text(u)}' as {v} ({counts[j]:,} row{'s' if counts[j] != 1 else ''})")
    if read:
        sh.plan.rules.append(f"{sh.m.sheet}!{column_letter(i)} '{sh.headers[i]}': read " + ", ".join(sorted(read)))


def _low_scale_warning(sh: SheetContext, matrix: RiskMatrix, scales: dict[str, int | None],
                       cols: dict[str, np.ndarray]) -> None:
    """Every likelihood and impact 1, 2 or 3 on a matrix of more steps, on a dozen rows or more, and
    no header saying the scale: most likely a 1-3 register, whose top rating (3 x 3) would read as
    Medium, within appetite. Said at the first such column, with what to write to rescale it; not
    guessed (a register may also rate only its lower steps)."""
    rated = {f: cols[f] for f in scales if f in cols}
    pairs = {f.split("_")[-1] for f in rated}
    if pairs != {"likelihood", "impact"} or any(scales.values()) or min(matrix.steps_likelihood, matrix.steps_impact) <= 3:
        return
    # by distinct values, column by column: a 100,000-row assessment sheet has six of these columns
    distinct = set().union(*(set(c.tolist()) for c in rated.values())) - {None}
    if not distinct or any(not isinstance(v, (int, np.integer)) or v > 3 for v in distinct):
        return
    count = sum(int(np.count_nonzero(~pd.isna(c))) for c in rated.values())
    if count < 12:
        return
    f = next(iter(rated))
    i = sh.idx[f]
    sh.problem(sh.m.header_row + 1, i, f, sh.headers[i],
               f"every likelihood and impact is 1, 2 or 3 ({count:,} ratings) on the {matrix.name} matrix: if "
               "the register rates on a 1-3 scale, its 3 x 3 reads here as 9 (Medium), not its top rating; say the "
               f"scale in the headers (such as '{sh.headers[i]} (1-3)') and import again to rescale it", "warning")


def _grid(rows: list[list[Any]], table_width: int) -> np.ndarray:
    """The data rows under the header as one 2-D object array, as wide as the table: ragged rows
    (CSV, or a sparse sheet read by its cells) are padded, and a stray cell far to the right of
    the table never widens the array to its column."""
    width = min(max((len(r) for r in rows), default=0), table_width)
    if any(len(r) != width for r in rows):
        rows = [list(r[:width]) + [None] * (width - len(r)) for r in rows]
    grid = np.empty((len(rows), width), dtype=object)
    if rows and width:
        grid[:, :] = rows
    return grid


def long_rows(sh: SheetContext, matrix: RiskMatrix, max_rows: int):
    """(excel row, raw cells, coerced values) for each data row without an error."""
    body, cols, ok = coerced_columns(sh, matrix, max_rows)
    names = list(cols)
    for j, r in enumerate(body):
        if ok[j]:
            yield r + 1, sh.rows[r], {f: cols[f][j] for f in names}


def validate_many(sh: SheetContext, model, frame: pd.DataFrame) -> pd.DataFrame:
    """Rows that pass the bulk checks as they are; the others through pydantic, which reports them."""
    fields = list(model.model_fields)
    for f in fields:
        if f not in frame:
            default = model.model_fields[f].default
            frame[f] = None if default is PydanticUndefined else getattr(default, "value", default)
    good = passes(model, frame)
    checked = [frame[good][[*fields, "_row"]]]
    for _, rec in frame[~good].iterrows():
        record = {f: rec[f] for f in fields if f in rec and rec[f] is not None and rec[f] == rec[f]}
        row = int(rec["_row"])
        valid = validate_row(sh, model, record, row, sh.idx)
        if valid is not None:
            checked.append(pd.DataFrame([{**valid, "_row": row}], columns=[*fields, "_row"]))
    return pd.concat(checked, ignore_index=True) if len(checked) > 1 else checked[0]
