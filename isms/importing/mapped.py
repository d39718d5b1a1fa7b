"""The analyst import: any layout -> mapping -> coerced, validated records -> preview -> commit.

The same pipeline serves the Import page and `python -m isms import`. Every problem is
collected with the cell address Excel shows; nothing is written until `commit`, which is one
transaction (isms.store.writes.commit_batch).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field, replace
from typing import Any, Callable

import duckdb
import numpy as np
import pandas as pd
from pydantic import ValidationError
from pydantic_core import PydanticUndefined

from isms.importing import values
from isms.importing.bulk import passes
from isms.importing.canonical import ImportOutcome, ImportPlan, _check_references
from isms.importing.coerce import THEME_BY_DIGIT, coerce, controls, field_type, scale_rule, to_enum
from isms.importing.mapping import (FILLED, IGNORE, LONG, WIDE_COLUMNS, WIDE_ROWS, Profile, SheetMapping,
                                    declared_scale, detect, fold_header)
from isms.importing.annotate import PROBLEM_SHEET
from isms.importing.problems import Problem, column_letter
from isms.importing.reading import ReadError, Workbook, read_workbook
from isms.importing.preview import Preview, build_preview
from isms.matrix import RiskMatrix
from isms.models import KINDS, Assessment, Cadence, Direction, Metric, Risk, Treatment
from isms.store import queries
from isms.store.writes import commit_batch, find_batch

DEFAULT_THEME = "A.5 Organizational"
_LOWER_IS_BETTER = {"mttr", "mttd", "mtta", "time", "hours", "days", "latency", "click", "open", "failed", "failure",
                    "failures", "incident", "incidents", "errors", "overdue", "backlog", "vuln", "vulnerabilities",
                    "outage", "downtime", "breach", "breaches", "exceptions"}
_UNIT_SUFFIX = {"pct": "%", "percent": "%", "rate": "%", "hours": "hours", "hrs": "hours", "days": "days",
                "minutes": "minutes", "mins": "minutes", "count": "count"}


@dataclass
class MappedPlan(ImportPlan):
    file_format: str = ""
    sheets: dict[str, list[list[Any]]] = field(default_factory=dict)
    mappings: list[SheetMapping] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    preview: Preview | None = None

    @property
    def bad_cells(self) -> list[Problem]:
        return [p for p in self.problems if p.row and p.column]


def read(data: bytes, file_name: str, *, max_bytes: int, max_rows: int) -> tuple[Workbook | None, list[Problem]]:
    try:
        return read_workbook(data, file_name, max_bytes=max_bytes, max_rows=max_rows), []
    except ReadError as exc:
        return None, [Problem(file_name, None, None, None, None, str(exc))]


def propose(wb: Workbook, profile: Profile | None = None) -> list[SheetMapping]:
    """The mapping of every sheet: the profile's for a sheet of the same name or the same headers,
    else detected. (A CSV's sheet is named after its file, so next month's file matches by shape.)"""
    out = []
    for s in wb.sheets:
        if s.name == PROBLEM_SHEET:
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
                    return values.parse_date(row[1])
                except ValueError:
                    return None
    return None


class _Sheet:
    """Helpers for one mapped sheet: problems at the right cell."""

    def __init__(self, plan: MappedPlan, mapping: SheetMapping, rows: list[list[Any]]):
        self.plan, self.m, self.rows = plan, mapping, rows
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


def _validate(sh: _Sheet, model, record: dict[str, Any], excel_row: int, field_cols: dict[str, int]) -> dict | None:
    try:
        rec = model.model_validate(record)
    except ValidationError as exc:
        for err in exc.errors():
            loc = err["loc"][0] if err["loc"] else None
            idx = field_cols.get(loc) if isinstance(loc, str) else None
            sh.problem(excel_row, idx, loc if isinstance(loc, str) else None,
                       record.get(loc) if isinstance(loc, str) else None, err["msg"].removeprefix("Value error, "))
        return None
    return {k: (v.value if hasattr(v, "value") else v) for k, v in rec.model_dump(mode="python").items()}


def _level_scales(sh: _Sheet, matrix: RiskMatrix) -> dict[str, int | None]:
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


def _coerce_cell(sh: _Sheet, f: str, v: Any, matrix: RiskMatrix, scale: int | None) -> tuple[Any, str | None, str | None]:
    """(value, warning, error) for one cell; pure in (field, value), so a column memoises it."""
    ft = field_type(sh.m.kind, f)
    if f == "annex_a_controls":
        good, stray = controls(v)
        warn = (f"{', '.join(stray)}: not ISO/IEC 27001:2022 Annex A control ids (A.5.1-A.8.34); "
                "kept out of the controls") if stray else None
        return good, warn, None
    try:
        if f == "target" and sh.m.kind == "metrics" and not values.blank(v):
            return values.parse_target(v), None, None
        value = coerce(ft, v, matrix=matrix, axis="likelihood" if f.endswith("likelihood") else "impact",
                       steps_from=scale, period=sh.m.kind == "monitoring_results")
    except ValueError as exc:
        if f == "decision":  # a register's response column is optional: the risk still imports
            return None, f"{exc}; no treatment is created", None
        return None, None, str(exc)
    if ft.kind == "enum" and isinstance(v, str) and to_enum(ft.enum, v)[1]:
        return value, f"read as {value!r}: the model has no such value", None
    if f == "period" and value is not None:
        value = value.replace(day=1)  # a monitoring period is the month (MonitoringResult._month)
    return value, None, None


def _blank_row(row: list[Any]) -> bool:
    for c in row:
        if c is None or c == "" or (c.__class__ is str and c.strip().casefold() in values.NOT_RATED):
            continue
        return False
    return True


def _columns(sh: _Sheet, matrix: RiskMatrix, max_rows: int) -> tuple[list[int], dict[str, np.ndarray], np.ndarray]:
    """Coerce the sheet column by column: (data row indexes, field -> values, row has no error).

    Spreadsheet columns repeat their values (levels, dates, statuses), so each distinct value is
    coerced once and spread back by its code; this keeps a 100,000-row import near the parser's speed.
    """
    scales = _level_scales(sh, matrix)
    first = sh.m.header_row + 1
    grid = _grid(sh.rows[first:])
    filled = ~(pd.isna(grid) | (grid == "")) if grid.size else np.zeros(grid.shape, dtype=bool)
    count = filled.sum(axis=1)
    keep = count > 0
    for j in np.flatnonzero(keep & (count <= 3)):  # a few cells: perhaps only '--' or 'n/a'
        keep[j] = not _blank_row(sh.rows[first + j])
    body = (np.flatnonzero(keep) + first).tolist()
    if len(body) > max_rows:
        sh.problem(None, None, None, None, f"{len(body):,} rows is over the limit of {max_rows:,}")
        return [], {}, np.zeros(0, dtype=bool)
    grid = grid[keep]
    ok = np.ones(len(body), dtype=bool)
    cols: dict[str, np.ndarray] = {}
    for f, i in sh.idx.items():
        raw = grid[:, i] if i < grid.shape[1] else np.full(len(body), None, dtype=object)
        codes, uniques = pd.factorize(raw, use_na_sentinel=False)
        outcomes = [_coerce_cell(sh, f, u, matrix, scales.get(f)) for u in uniques]
        coerced = np.empty(len(outcomes), dtype=object)
        coerced[:] = [o[0] for o in outcomes]
        for flag, severity in ((2, "error"), (1, "warning")):
            hit = np.array([o[flag] is not None for o in outcomes], dtype=bool)
            if hit.any():
                for j in np.flatnonzero(hit[codes]):
                    o = outcomes[codes[j]]
                    sh.problem(body[j] + 1, i, f, values.text(raw[j]), o[flag], severity)
                    if severity == "error":
                        ok[j] = False
        out = coerced[codes]
        if f == "target" and sh.m.kind == "metrics":
            triples = [t if isinstance(t, tuple) else (t, None, None) for t in out]
            cols["_direction"] = np.array([t[1] for t in triples], dtype=object)
            cols["_unit"] = np.array([t[2] for t in triples], dtype=object)
            out = np.array([t[0] for t in triples], dtype=object)
        cols[f] = out
    return body, cols, ok


def _grid(rows: list[list[Any]]) -> np.ndarray:
    """The data rows as one 2-D object array (ragged CSV rows padded with blanks)."""
    width = max((len(r) for r in rows), default=0)
    if any(len(r) != width for r in rows):
        rows = [list(r) + [None] * (width - len(r)) for r in rows]
    grid = np.empty((len(rows), width), dtype=object)
    if rows and width:
        grid[:, :] = rows
    return grid


def _long_rows(sh: _Sheet, matrix: RiskMatrix, max_rows: int):
    """(excel row, raw cells, coerced values) for each data row without an error."""
    body, cols, ok = _columns(sh, matrix, max_rows)
    names = list(cols)
    for j, r in enumerate(body):
        if ok[j]:
            yield r + 1, sh.rows[r], {f: cols[f][j] for f in names}


def _validate_many(sh: _Sheet, model, frame: pd.DataFrame) -> pd.DataFrame:
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
        valid = _validate(sh, model, record, row, sh.idx)
        if valid is not None:
            checked.append(pd.DataFrame([{**valid, "_row": row}], columns=[*fields, "_row"]))
    return pd.concat(checked, ignore_index=True) if len(checked) > 1 else checked[0]


def _risk_rows(sh: _Sheet, matrix: RiskMatrix, as_of: dt.date, max_rows: int) -> dict[str, list[dict]]:
    """A register sheet: the risks, and where it rates them, an assessment and a treatment each."""
    cols = sh.idx
    has_inherent = "inherent_likelihood" in cols and "inherent_impact" in cols
    has_residual = "residual_likelihood" in cols and "residual_impact" in cols
    make_assessment = has_inherent or has_residual
    make_treatment = "due_on" in cols and ("decision" in cols or "treatment_plan" in cols)
    defaults = {"identified_on": as_of, "source": "Annual assessment", "owner": "Unassigned", "status": "Open"}
    stated = [f"{k.replace('_', ' ')} = {v}" for k, v in defaults.items() if k not in cols]
    if "annex_a_theme" not in cols:
        stated.append(f"Annex A theme from the first 2022 control of the row, else {DEFAULT_THEME}")
    if stated:
        sh.plan.rules.append(f"{sh.m.sheet}: columns the file lacks are filled: " + "; ".join(stated))
    if make_assessment:
        note = "" if has_inherent and has_residual else " (one rating pair: used as both inherent and residual)"
        sh.plan.rules.append(f"{sh.m.sheet}: each rated row is an assessment dated "
                             f"{'its assessed date' if 'assessed_on' in cols else as_of}{note}")
    if make_treatment:
        response = f"a response ({sh.headers[cols['decision']]})" if "decision" in cols else \
            f"an action ({sh.headers[cols['treatment_plan']]}, decision Reduce)"
        sh.plan.rules.append(f"{sh.m.sheet}: a row with {response} and a due date becomes treatment "
                             "<risk id>-T, owned by the risk owner, started when identified")
    out: dict[str, list[dict]] = {"risks": []}
    if make_assessment:
        out["assessments"] = []
    if make_treatment:
        out["treatments"] = []
    risk_fields = set(Risk.model_fields)
    for excel_row, raw, v in _long_rows(sh, matrix, max_rows):
        rec = {k: val for k, val in v.items() if k in risk_fields and val is not None}
        for k, d in defaults.items():
            rec.setdefault(k, d)
        if "title" not in rec and rec.get("risk_id"):
            rec["title"] = rec["risk_id"]
        if "annex_a_theme" not in rec:
            ctl = rec.get("annex_a_controls") or []
            rec["annex_a_theme"] = THEME_BY_DIGIT[ctl[0][2]] if ctl else DEFAULT_THEME
        risk = _validate(sh, Risk, rec, excel_row, cols)
        if risk is None:
            continue
        out["risks"].append(risk | {"_row": excel_row})
        if make_assessment:
            a = _assessment(sh, matrix, v, risk, excel_row, as_of, has_inherent, has_residual)
            if a is not None:
                out["assessments"].append(a | {"_row": excel_row})
        decision = v.get("decision") or ("Reduce" if "decision" not in cols and v.get("treatment_plan") else None)
        if make_treatment and decision and v.get("due_on"):
            start = min(risk["identified_on"], v["due_on"])
            status = {"In treatment": "In progress", "Closed": "Done"}.get(risk["status"], "Planned")
            t = {"treatment_id": f"{risk['risk_id']}-T", "risk_id": risk["risk_id"], "decision": decision,
                 "description": v.get("treatment_plan"), "owner": risk["owner"], "start_on": start,
                 "due_on": v["due_on"], "status": status, "completed_on": v["due_on"] if status == "Done" else None}
            t = _validate(sh, Treatment, t, excel_row, cols)
            if t is not None:
                out["treatments"].append(t | {"_row": excel_row})
    return out


def _assessment(sh, matrix, v, risk, excel_row, as_of, has_inherent, has_residual) -> dict | None:
    cols = sh.idx
    inh = (v.get("inherent_likelihood"), v.get("inherent_impact")) if has_inherent else (None, None)
    res = (v.get("residual_likelihood"), v.get("residual_impact")) if has_residual else (None, None)
    if None in inh and None in res:
        if any(x is not None for x in (*inh, *res)):
            sh.problem(excel_row, cols.get("inherent_likelihood") or cols.get("residual_likelihood"), None, None,
                       "give both likelihood and impact, or neither")
        return None
    if None in inh:
        inh = res
    if None in res:
        if has_residual:
            sh.problem(excel_row, cols.get("residual_likelihood"), "residual_likelihood", None,
                       "residual risk not rated: the inherent rating is used as the residual", "warning")
        res = inh
    rec = {"risk_id": risk["risk_id"], "assessed_on": v.get("assessed_on") or as_of,
           "inherent_likelihood": inh[0], "inherent_impact": inh[1], "residual_likelihood": res[0],
           "residual_impact": res[1]}
    for f in ("control_effectiveness", "target_likelihood", "target_impact", "assessor"):
        if v.get(f) is not None:
            rec[f] = v[f]
    a = _validate(sh, Assessment, rec, excel_row, cols)
    if a is not None:
        for stage, pair in (("inherent", inh), ("residual", res)):
            _check_rating(sh, matrix, v, stage, pair, excel_row)
    return a


def _check_rating(sh: _Sheet, matrix: RiskMatrix, v: dict, stage: str, pair: tuple[int, int], excel_row: int) -> None:
    """A score or rating in the file that disagrees with the matrix: a warning naming both; the matrix wins."""
    level = matrix.level(*pair)
    score = matrix.score(*pair)
    raw_pair = [sh.cell(sh.rows[excel_row - 1], f"{stage}_{a}") for a in ("likelihood", "impact")]
    file_score = v.get(f"{stage}_score")
    if file_score is not None:
        try:
            expected = values.parse_number(raw_pair[0]) * values.parse_number(raw_pair[1])
        except (ValueError, TypeError):
            expected = score
        if abs(file_score - expected) > 1e-9 and abs(file_score - score) > 1e-9:
            sh.problem(excel_row, sh.idx[f"{stage}_score"], f"{stage}_score", values.text(file_score),
                       f"the file's score {values.text(file_score)} disagrees with likelihood x impact "
                       f"= {score} on the {matrix.name} matrix; the matrix wins", "warning")
    rating = v.get(f"{stage}_rating")
    if rating is not None:
        same = {values.fold_word(level)} | ({"moderate", "medium"} if values.fold_word(level) in ("moderate", "medium") else set())
        if values.fold_word(rating) not in same:
            sh.problem(excel_row, sh.idx[f"{stage}_rating"], f"{stage}_rating", rating,
                       f"the file rates this {stage} risk {rating!r}; the {matrix.name} matrix gives {level!r} "
                       f"for likelihood {pair[0]} x impact {pair[1]}; the matrix wins", "warning")


def _plain_rows(sh: _Sheet, matrix: RiskMatrix, as_of: dt.date, max_rows: int) -> pd.DataFrame:
    kind = sh.m.kind
    model = KINDS[kind][1]
    if kind == "metrics" and "control_domain" not in sh.idx:
        sh.plan.rules.append(f"{sh.m.sheet}: no control domain column: every indicator is filed under {DEFAULT_THEME}")
    body, cols, ok = _columns(sh, matrix, max_rows)
    frame = pd.DataFrame({f: c[ok] for f, c in cols.items()})
    frame["_row"] = np.asarray(body, dtype=np.int64)[ok] + 1 if len(body) else np.zeros(0, dtype=np.int64)
    if kind == "metrics":
        for extra in ("direction", "unit"):
            given = frame[extra] if extra in frame else pd.Series(None, index=frame.index, dtype=object)
            frame[extra] = given.where(given.notna(), frame.get(f"_{extra}"))
        frame["direction"] = frame["direction"].fillna("Higher is better")
        frame["control_domain"] = frame["control_domain"] if "control_domain" in frame else DEFAULT_THEME
        frame["name"] = frame["name"].fillna(frame["metric_id"]) if "name" in frame else frame["metric_id"]
    return _validate_many(sh, model, frame)


def _wide_rows(sh: _Sheet, max_rows: int) -> list[dict]:
    """Monitoring results a row per period (indicator columns) or a row per indicator (period columns)."""
    out = []
    headers = sh.headers
    if sh.m.layout == WIDE_ROWS:
        pcol = sh.idx.get("period")
        if pcol is None:
            sh.problem(None, None, "period", None, "required column missing: the period (month) column")
            return out
        series = [(i, h) for i, h in enumerate(headers) if h and i != pcol]
        body = range(sh.m.header_row + 1, len(sh.rows))
        for r in body:
            raw = sh.rows[r]
            if all(values.blank(c) for c in raw):
                continue
            try:
                period = values.parse_date(raw[pcol], period_end=False).replace(day=1)
            except ValueError as exc:
                sh.problem(r + 1, pcol, "period", values.text(raw[pcol]), str(exc))
                continue
            for i, h in series:
                cell = raw[i] if i < len(raw) else None
                if values.blank(cell):
                    continue
                try:
                    out.append({"metric_id": h, "period": period, "value": values.parse_number(cell), "note": None,
                                "_row": r + 1})
                except ValueError as exc:
                    sh.problem(r + 1, i, None, values.text(cell), str(exc))
    else:
        periods = {}
        for i, h in enumerate(sh.rows[sh.m.header_row]):
            try:
                if not values.blank(h):
                    periods[i] = values.parse_date(h, period_end=False).replace(day=1)
            except ValueError:
                pass
        id_col = next((i for i, h in enumerate(headers) if h and i not in periods), None)
        if id_col is None:
            sh.problem(None, None, "metric_id", None, "required column missing: the indicator column")
            return out
        for r in range(sh.m.header_row + 1, len(sh.rows)):
            raw = sh.rows[r]
            if id_col >= len(raw) or values.blank(raw[id_col]):
                continue
            mid = values.text(raw[id_col])
            for i, p in periods.items():
                cell = raw[i] if i < len(raw) else None
                if values.blank(cell):
                    continue
                try:
                    out.append({"metric_id": mid, "period": p, "value": values.parse_number(cell), "note": None,
                                "_row": r + 1})
                except ValueError as exc:
                    sh.problem(r + 1, i, None, values.text(cell), str(exc))
    if len(out) > max_rows:
        sh.problem(None, None, None, None, f"{len(out):,} results is over the limit of {max_rows:,}")
        return []
    return out


def _required_missing(sh: _Sheet) -> bool:
    model = KINDS[sh.m.kind][1]
    filled = FILLED.get(sh.m.kind, ())
    missing = [f for f, info in model.model_fields.items()
               if info.is_required() and f not in sh.idx and f not in filled]
    if sh.m.kind == "assessments":
        missing = [f for f in missing if not f.startswith("residual")] if "residual_likelihood" not in sh.idx else missing
    if missing:
        names = ", ".join(f.replace("_", " ").capitalize() for f in missing)
        sh.problem(sh.m.header_row + 1, None, None, None,
                   f"required column(s) missing: {names}; map a column to each, or choose another kind")
    return bool(missing)


def _without_duplicates(plan: MappedPlan, kind: str, frame: pd.DataFrame) -> pd.DataFrame:
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
        plan.problems.append(Problem(rec["_sheet"], int(rec["_row"]), None, label, ", ".join(map(values.text, k)),
                                     f"duplicate of row {first.loc[k if len(k) > 1 else k[0]]}: each may appear once in a file"))
    return frame[~dup]


def _define_metrics(plan: MappedPlan, con: duckdb.DuckDBPyConnection | None) -> None:
    """Indicators that monitoring results name but no definition has: defined from their names."""
    res = plan.frames.get("monitoring_results")
    if res is None or res.empty:
        return
    have = set(plan.frames["metrics"]["metric_id"]) if "metrics" in plan.frames else set()
    stored = queries.known_ids(con, "metrics", plan.as_of) if con is not None else set()
    new = sorted(set(res["metric_id"]) - have - stored)
    if not new:
        return
    defs = []
    for mid in new:
        tokens = mid.casefold().replace("-", "_").split("_")
        unit = next((_UNIT_SUFFIX[t] for t in reversed(tokens) if t in _UNIT_SUFFIX), None)
        lower = bool(set(tokens) & _LOWER_IS_BETTER)
        words = [t for t in tokens if t not in ("pct", "percent")]
        name = " ".join(words).capitalize() + (f" ({unit})" if unit else "")
        defs.append(Metric(metric_id=mid, name=name[:300], control_domain=DEFAULT_THEME, unit=unit,
                           direction=Direction.lower_is_better if lower else Direction.higher_is_better,
                           cadence=Cadence.monthly).model_dump(mode="json"))
    plan.rules.append(
        f"{len(new)} indicator(s) have results but no definition; each is defined from its name, in "
        f"{DEFAULT_THEME}, without thresholds, 'Lower is better' where the name speaks of time, failures, "
        f"clicks or open items, else 'Higher is better': "
        + ", ".join(f"{d['metric_id']} ({d['direction'].lower()})" for d in defs))
    base = plan.frames.get("metrics")
    if base is None and con is not None:
        base = queries.register(con, "metrics", plan.as_of)
    fields = list(Metric.model_fields)
    plan.frames["metrics"] = pd.concat([df for df in (base, pd.DataFrame(defs, columns=fields)) if df is not None and not df.empty],
                                       ignore_index=True)[fields]


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
) -> MappedPlan:
    """Read, map, coerce and validate a file in any layout, and preview it; writes nothing.

    `progress(fraction, stage)` is called between stages, so a page can show how far it got.
    """
    step = progress or (lambda fraction, stage: None)
    step(0.0, "Reading the file")
    sha = hashlib.sha256(data).hexdigest()
    plan = MappedPlan(file_name=file_name, sha256=sha, as_of=as_of or dt.date.today())
    wb, problems = read(data, file_name, max_bytes=max_bytes, max_rows=max_rows)
    plan.problems += problems
    if wb is None:
        return plan
    plan.file_format = wb.file_format
    plan.sheets = {s.name: s.rows for s in wb.sheets}
    if as_of is None:
        plan.as_of = as_of_in_file(wb) or plan.as_of
    plan.mappings = mappings if mappings is not None else propose(wb, profile)
    parts: dict[str, list[pd.DataFrame]] = {}
    for n, s in enumerate(wb.sheets):
        step(0.2 + 0.6 * n / len(wb.sheets), f"Checking sheet {s.name!r}")
        m = next((x for x in plan.mappings if x.sheet == s.name), None)
        if m is None or m.kind == IGNORE:
            continue
        for note in s.notes:
            plan.problems.append(Problem(s.name, None, None, None, None, note, "warning"))
        sh = _Sheet(plan, m, s.rows)
        if len(s.rows) <= m.header_row + 1 or all(_blank_row(r) for r in s.rows[m.header_row + 1:]):
            plan.problems.append(Problem(s.name, None, None, None, None, "the sheet has headers but no rows", "warning"))
            if m.layout == LONG:
                parts.setdefault(m.kind, [])  # an empty register sheet empties that register
            continue
        ignored = m.ignored_headers(s.rows)
        if ignored:
            plan.problems.append(Problem(s.name, m.header_row + 1, None, None, None,
                                         "columns not imported: " + ", ".join(ignored), "warning"))
        if m.layout != LONG:
            got = {"monitoring_results": _wide_rows(sh, max_rows)}
        elif _required_missing(sh):
            continue
        elif m.kind == "risks":
            got = _risk_rows(sh, matrix, plan.as_of, max_rows)
        else:
            got = {m.kind: _plain_rows(sh, matrix, plan.as_of, max_rows)}
        for kind, recs in got.items():
            frame = recs if isinstance(recs, pd.DataFrame) else pd.DataFrame.from_records(
                recs, columns=[*KINDS[kind][1].model_fields, "_row"])
            parts.setdefault(kind, []).append(frame.assign(_sheet=s.name))
    for kind, frames in parts.items():
        fields = list(KINDS[kind][1].model_fields)
        frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[*fields, "_row", "_sheet"])
        plan.frames[kind] = _without_duplicates(plan, kind, frame)[fields].reset_index(drop=True)
    if not any(len(df) for df in plan.frames.values()):
        plan.frames = {}
    if not plan.frames and not plan.problems:
        plan.problems.append(Problem(file_name, None, None, None, None,
                                     "no sheet holds rows of a known kind; choose each sheet's kind on the page"))
    elif not plan.frames and not [p for p in plan.problems if p.severity == "error"]:
        plan.problems.append(Problem(file_name, None, None, None, None, "the file holds no rows to import"))
    if plan.frames:
        step(0.85, "Comparing with the register")
        _define_metrics(plan, con)
        _check_references(con, plan)
        if con is not None:
            plan.preview = build_preview(con, plan.frames, plan.as_of)
    return plan


def commit(con: duckdb.DuckDBPyConnection, plan: MappedPlan, imported_by: str, *, dry_run: bool = False) -> ImportOutcome:
    """One transaction, or nothing: refused, unchanged (same file and date), dry run or committed."""
    if not plan.ok or not plan.frames:
        return ImportOutcome("refused", plan.file_name, plan.as_of, None, plan.row_counts, plan.problems)
    existing = find_batch(con, plan.sha256, plan.as_of)
    if existing is not None:
        return ImportOutcome("unchanged", plan.file_name, plan.as_of, existing, plan.row_counts, plan.problems)
    if dry_run:
        return ImportOutcome("dry-run", plan.file_name, plan.as_of, None, plan.row_counts, plan.problems)
    batch_id = commit_batch(con, source="mapped", file_name=plan.file_name, sha256=plan.sha256, as_of=plan.as_of,
                            imported_by=imported_by, frames=plan.frames)
    return ImportOutcome("committed", plan.file_name, plan.as_of, batch_id, plan.row_counts, plan.problems)
