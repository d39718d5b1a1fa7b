"""Your data out: every fact as it stood on a date, for a BI tool, a data warehouse or another system.

Security teams feed their BI tools from the GRC tool, and a user who leaves must be able to take
every fact with them. So an export holds every kind (the registers as they stood on the date,
every dated event up to it, and each register's history), the `import_batch` table that says where
each row came from, and a README with the schema, so it loads as it is.

- Parquet is written by DuckDB's own writer (types survive: dates, integers, lists).
- CSV and XLSX go through `isms.exports`, like every other file the product writes, so a cell a
  spreadsheet would run as a formula stays text.
- XLSX is written in the import template's layout, one workbook per date a register changed:
  importing them in name order into an empty database gives back every figure up to the date,
  the comparison with earlier quarters included (a single workbook as of the date would give the
  current figures only, and every earlier date would be empty).
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font

from isms import method, organisation
from isms.config import Settings
from isms.exports import append_row, to_csv
from isms.importing.template import header_label, write_workbook
from isms.models import FORUM_KINDS, KINDS, SNAPSHOT_KINDS, DecisionKind, enum_of
from isms.catalogs import shipped
from isms.store import compliance as compliance_store
from isms.store import facts_as_of as facts
from isms.store.forum import STATUSES
from isms.store.mapping_suggestions import DECISIONS as MAPPING_DECISIONS

FORMATS = ("parquet", "csv", "xlsx")
BATCH_TABLE = "import_batch"
FORUM_WORKBOOK = "forum.xlsx"
WORKBOOK_PREFIX = "isms-"


# What each exported table holds (the template's sheet guide speaks to the analyst filling it in).
PURPOSE = {
    "assets": "The asset inventory as it stood on the date.",
    "risks": "The risk register as it stood on the date: one row per risk.",
    "assessments": "Every likelihood and impact rating up to the date, one row per risk per assessment date.",
    "treatments": "The treatment plans as they stood on the date, each linked to its risk.",
    "treatment_updates": "Every progress report on a treatment plan up to the date, one row per plan per report date.",
    "metrics": "The key risk indicators as they stood on the date: how each is measured, its direction and thresholds.",
    "monitoring_results": "Every measured value up to the date, one row per indicator per month.",
    "exceptions": "The policy exceptions as they stood on the date: requests, grants and their expiry.",
    "controls": "The organisation's controls as they stood on the date, each with the requirements it satisfies.",
    "soa": "The Statement of Applicability of each framework as it stood on the date: one row per requirement.",
    "control_tests": "The control tests known on the date (brought by an import dated on or before it), one row per "
                     "control per period: due, and once tested by the date, when and the result.",
    "audits": "Audits and certifications as they stood on the date: dates, period, auditor, opinion, certificate.",
    "findings": "Audit findings as they stood on the date: grade, owner, due, status, linked risk or exception.",
    "frameworks": "The framework catalogs imported by the user (shipped ones are in data/catalogs/).",
    "requirements": "The requirements of the user-imported framework catalogs as they stood on the date.",
    "mappings": "Imported mappings between frameworks as they stood on the date (suggestions; the decisions on them are `mapping_decisions`).",
}

# The forum's records and the mapping decisions: recorded on the pages (or imported as minutes and
# action lists), not registers of a batch, so they are tables of their own (facts.forum_sql).
FORUM_PURPOSE = {
    "meetings": "Forum meetings held on or before the date: series, the period reviewed, attendees, minutes, the pack "
                "presented (its file name and SHA-256; the file itself is kept in the dashboard) and the minutes' approval as it stood then.",
    "decisions": "Decisions taken in those meetings on or before the date, each with what it concerns.",
    "actions": "Every action raised on or before the date, in its state that day (its latest change up to it).",
    "action_changes": "Every change to every action up to the date, one row per change: an action's state on any "
                      "earlier date is its latest change on or before it.",
    "mapping_decisions": "Every accepted or rejected mapping suggestion up to the date: the latest decision on a "
                         "control, framework and requirement holds; only accepted links count towards coverage.",
}
FORUM_NOTES = {
    "meeting_id": "the meeting (M-number)", "series": "the meeting series (isms.toml [forum.series])",
    "held_on": "the day it was held", "period_start": "first day of the period it reviewed",
    "period_end": "last day of the period it reviewed (the date its figures are as of)",
    "pack_sha256": "SHA-256 of the pack presented", "approved_on": "when its minutes were approved (blank: not yet)",
    "decision_id": "the decision (D-number)", "decided_on": "the day it was taken",
    "kind": "one of: " + ", ".join(k.value for k in DecisionKind),
    "review_on": "a risk acceptance's review date or an exception's expiry", "action_id": "the action (A-number)",
    "change_no": "1 for the row that raised it", "recorded_on": "the day the change happened (the as-of key)",
    "due_on": "due date then", "original_due_on": "the due date it was raised with",
    "status": "one of: " + ", ".join(STATUSES),
    "raised_on": "the day it was raised", "closed_on": "the day it was closed (blank: open)",
    "changed_on": "the day of its latest change up to the date", "changes": "how many changes up to the date",
    "recorded_at": "when it was recorded (UTC)", "recorded_by": "who recorded it",
    "attendees": "who attended", "minutes": "the minutes' text", "approved_by": "who approved the minutes",
    "pack_file": "file name of the pack presented (blank: none stored)", "text": "the decision or action as minuted",
    "risk_ids": "risks it concerns", "treatment_ids": "treatments it concerns", "exception_ids": "exceptions it concerns",
    "kri_ids": "KRIs it concerns", "finding_ids": "audit findings it concerns", "title": "the action",
    "owner": "who owns it", "closure_note": "why it was closed", "verified_by": "who verified it was done",
    "risk_id": "the risk it treats (optional)", "kri_id": "the KRI breach it answers (optional)",
    "finding_id": "the finding it answers (optional)",
    "control_id": "the control", "framework": "the framework suggested", "ref": "the requirement suggested",
    "note": "why",
}
# Figures computed from the facts (on the settings' risk matrix and late tolerance), as the
# dashboard counts them: a BI tool reads the level of a risk rather than rebuilding the matrix.
# Not facts: an import does not take them back (the workbooks' facts give them again).
COMPUTED_PURPOSE = {
    "risk_scores": "Each risk in the register on the date with its latest assessment scored and levelled on the risk "
                   "matrix named above: the figures the scorecard counts.",
    "treatment_progress": "Each treatment plan in the register on the date with its progress against the linear "
                          "plan and its state then: the figures the treatment tiles and late lists count.",
}
COMPUTED_WORKBOOK = "figures.xlsx"
# The catalogs the SoA, the controls and the mappings name requirements of, by ref only: their
# titles and families, so a BI tool can label "A.8.8" (shipped catalogs are files, not rows).
CATALOG_TABLE = "catalog_requirements"
CATALOG_WORKBOOK = "catalogs.xlsx"
CATALOG_NOTES = {
    "framework": "the framework's code (as `soa.framework` and `mappings.framework` name it)",
    "ref": "the requirement's reference (as `soa.ref` names it)",
    "parent": "the requirement it enhances or belongs to (blank: none)",
    "title": "its title", "family": "its family or theme (the Compliance review's coverage rows)",
    "licence": "shipped (a catalog file of data/catalogs/, which names its source and licence) or user-imported",
}
_STEP = "the matrix's step, 1 = lowest"
COMPUTED_NOTES = {
    "risk_scores": {
        "as_of": "the date the figures are as of", "risk_id": "the risk", "title": "the risk's title",
        "owner": "who owns it", "status": "the risk's status in the register",
        "assessed_on": "its latest assessment on or before the date (blank: never assessed)",
        **{f"{basis}_{axis}": _STEP for basis in ("inherent", "residual", "target") for axis in ("likelihood", "impact")},
        "inherent_score": "inherent likelihood x impact",
        "residual_score": "residual likelihood x impact (the residual exposure is their sum over the counted risks)",
        "inherent_level": "the matrix's level of the inherent rating",
        "residual_level": "the matrix's level of the residual rating",
        "target_level": "the matrix's level of the target rating",
        "within_appetite": "the residual level is at or below the appetite (blank: not assessed); the scorecard's "
                           "share is over the counted rows",
        "counted": "counts in the scorecard: not Closed, and assessed",
    },
    "treatment_progress": {
        "as_of": "the date the figures are as of", "treatment_id": "the treatment plan", "risk_id": "the risk it treats",
        "owner": "who owns it", "start_on": "planned start", "due_on": "due date",
        "status": "the status the register or a newer progress report gives",
        "last_update_on": "its latest progress report on or before the date",
        "percent_complete": "reported progress (Done counts 100)",
        "planned_percent": "where the linear plan from start to due stands on the date",
        "state": "one of: on track, late (progress trails the plan by more than the late tolerance), overdue, done, "
                 "cancelled, not started",
        "days_overdue": "days past due, unfinished (0: not overdue)",
        "counted": "counts in the treatment figures: its risk is in the register and not Closed, or the plan is done "
                   "(a cancelled plan counted has no tile: the tiles are on track, late, overdue, done)",
    },
}
MAPPING_NOTES = {"status": "one of: " + ", ".join(MAPPING_DECISIONS), "decision_no": "the decision's number: the latest "
                 "decision on a control, framework and requirement holds"}


@dataclass(frozen=True)
class Table:
    """One exported table: its name, what it holds, and the query that reads it."""

    name: str
    purpose: str
    sql: str
    kind: str | None = None  # the kind of record, None for import_batch
    history: bool = False


@dataclass(frozen=True)
class ExportResult:
    folder: Path
    fmt: str
    as_of: dt.date
    files: list[Path]
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows


def tables(con: duckdb.DuckDBPyConnection, as_of: dt.date, *, history: bool = True,
           settings: Settings | None = None) -> list[Table]:
    """Every table an export writes, in the order the README lists them; `history` adds each
    register as it stood on every earlier date (the XLSX workbooks hold that history themselves);
    the catalogs' requirements follow the forum's tables;
    `settings` adds the figures computed on its matrix (COMPUTED_PURPOSE)."""
    dates = history_dates(con, as_of) if history else []
    out = [Table(kind, PURPOSE[kind], facts.table_sql(kind, as_of), kind) for kind in KINDS
           if kind not in FORUM_KINDS]
    out += [] if not history else [Table(f"{kind}_history", f"The {KINDS[kind][0]} register as it stood on each date it can have changed, "
                  f"up to {as_of}: one copy per date, dated by `as_of`.",
                  facts.register_history_sql(kind, dates), kind, history=True) for kind in SNAPSHOT_KINDS]
    if facts.has_forum(con):
        out += [Table(name, purpose, facts.forum_sql(name, as_of)) for name, purpose in FORUM_PURPOSE.items()]
    shipped.register(con)
    out.append(Table(CATALOG_TABLE, "Every requirement of every framework known on the date, shipped and "
                     "user-imported, with its title and family: what the SoA's and the mappings' refs name.",
                     compliance_store.requirements_sql(as_of)))
    if settings is not None:
        out += [Table("risk_scores", COMPUTED_PURPOSE["risk_scores"], facts.risk_scores_sql(settings.matrix, as_of)),
                Table("treatment_progress", COMPUTED_PURPOSE["treatment_progress"],
                      facts.treatment_progress_sql(settings.late_tolerance_points, as_of))]
    out.append(Table(BATCH_TABLE, "Every import the exported rows come from: file, date, who and when "
                     "(join on `batch_id`).", facts.batches_sql(as_of)))
    return out


def history_dates(con: duckdb.DuckDBPyConnection, as_of: dt.date, *, tests: bool = False) -> list[dt.date]:
    """The dates a register can have changed up to `as_of`, and `as_of` itself (the last state);
    with `tests`, also the days an import brought control tests (a workbook each, so a test comes
    back from its own import's date; the history tables need no copy of an unchanged register)."""
    return sorted(set(facts.register_dates(con, as_of, tests=tests)) | {as_of})


def export(con: duckdb.DuckDBPyConnection, settings: Settings, as_of: dt.date, fmt: str, out: Path) -> ExportResult:
    """Write the export into the folder `out` (created; refused if it holds anything, so no file of
    an earlier export is ever mixed in)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ValueError(f"{out} is not an empty folder; choose a new one")
    out.mkdir(parents=True, exist_ok=True)
    all_tables = tables(con, as_of, history=fmt != "xlsx", settings=settings)
    counts = {t.name: facts.count(con, t.sql) for t in all_tables}
    files: list[Path] = []
    if fmt == "parquet":
        for t in all_tables:
            path = out / f"{t.name}.parquet"
            facts.copy_parquet(con, t.sql, path)
            files.append(path)
    elif fmt == "csv":
        for t in all_tables:
            path = out / f"{t.name}.csv"
            path.write_bytes(to_csv(_frame(*facts.rows(con, t.sql))))
            files.append(path)
    else:
        files += _template_workbooks(con, settings, as_of, out)
        files.append(_tables_workbook(con, [t for t in all_tables if t.name == BATCH_TABLE], out / f"{BATCH_TABLE}.xlsx"))
        forum_tables = [t for t in all_tables if t.name in FORUM_PURPOSE]
        if forum_tables:
            files.append(_tables_workbook(con, forum_tables, out / FORUM_WORKBOOK))
        files.append(_tables_workbook(con, [t for t in all_tables if t.name in COMPUTED_PURPOSE], out / COMPUTED_WORKBOOK))
        files.append(_tables_workbook(con, [t for t in all_tables if t.name == CATALOG_TABLE], out / CATALOG_WORKBOOK))
    readme = out / "README.md"
    readme.write_text(_readme(con, settings, as_of, fmt, all_tables, counts, files), encoding="utf-8")
    return ExportResult(out, fmt, as_of, [readme, *files], counts)


def export_zip(con: duckdb.DuckDBPyConnection, settings: Settings, as_of: dt.date, fmt: str) -> bytes:
    """The same export as one zip, for a download from the dashboard."""
    with tempfile.TemporaryDirectory() as tmp:
        result = export(con, settings, as_of, fmt, Path(tmp) / "export")
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in result.files:
                zf.write(path, path.name)
        return buf.getvalue()


def default_date(con: duckdb.DuckDBPyConnection) -> dt.date:
    """The latest date a fact describes: the latest import's, or a later day the forum recorded a
    meeting, decision or action change on (the latest import's alone left out the meetings held
    since it); today when there is neither."""
    from isms.store import forum as forum_store

    days = [d for d in (facts.last_batch_date(con), forum_store.last_record_day(con)) if d is not None]
    return max(days) if days else dt.date.today()


def zip_name(as_of: dt.date, fmt: str) -> str:
    return f"isms-export-{as_of.isoformat()}-{fmt}.zip"


def _plain(value: Any) -> Any:
    """A cell for CSV: lists as the comma-separated text the importer reads back."""
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    return value


def _frame(cols: list[str], rows: list[tuple]) -> pd.DataFrame:
    # object dtype keeps whole numbers whole next to a blank (pandas would make 3 a 3.0)
    return pd.DataFrame([[_plain(v) for v in r] for r in rows], columns=cols, dtype=object)


def _template_workbooks(con: duckdb.DuckDBPyConnection, settings: Settings, as_of: dt.date, out: Path) -> list[Path]:
    """One template workbook per date a register can have changed: the registers as they stood
    that day, and the events dated since the previous one (the first takes every earlier event).

    An event goes with the first date on or after it, so the risk, treatment or indicator it names
    is in that workbook's register, as it was when the event was first imported."""
    written = []
    previous = None
    levels = max(settings.matrix.steps_likelihood, settings.matrix.steps_impact)
    brought = facts.register_kinds_on(con, as_of)
    name = organisation.shown_on(con, settings)
    for day in history_dates(con, as_of, tests=True):
        by_kind: dict[str, list[dict]] = {}
        for kind in (k for k in KINDS if k not in FORUM_KINDS):
            if kind in SNAPSHOT_KINDS and kind not in brought.get(day, set()):
                # a register only on a day a batch brought it: restated on a later day (the export's
                # own date, say), it would stand after that day's progress reports and undo them, so
                # a treatment a report completed would read 'In progress' again once imported
                continue
            sql = facts.since_sql(kind, day, previous, as_of)
            cols, rows = facts.rows(con, sql)
            if rows:
                by_kind[kind] = [dict(zip(cols, r)) for r in rows]
        previous = day
        if not by_kind:
            continue
        path = out / f"{WORKBOOK_PREFIX}{day.isoformat()}.xlsx"
        written.append(write_workbook(path, by_kind, as_of=day, levels=levels,
                                      title=f"{name}: the ISMS as it stood on {day.isoformat()}"))
    return written


def _tables_workbook(con: duckdb.DuckDBPyConnection, tables_: list[Table], path: Path) -> Path:
    """Tables that are no import template's sheets (the batches, the forum's records), a sheet each,
    for reading: formula-like text stays text (isms.exports.append_row)."""
    wb = Workbook()
    wb.remove(wb.active)
    for t in tables_:
        cols, rows = facts.rows(con, t.sql)
        ws = wb.create_sheet(t.name)
        append_row(ws, cols)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for r in rows:
            append_row(ws, [_plain(v) for v in r])
    wb.save(path)
    return path


def _column_note(kind: str | None, name: str, table: str = "") -> str:
    """What a column holds, read from the model, so the README cannot drift from the importer."""
    if table == CATALOG_TABLE:
        return CATALOG_NOTES.get(name, "")
    if table in COMPUTED_PURPOSE:
        return COMPUTED_NOTES[table].get(name, "")
    if table in FORUM_PURPOSE:
        if name == "batch_id":
            return "the import that brought the row (`import_batch.batch_id`; blank: recorded on a page)"
        return (MAPPING_NOTES if table == "mapping_decisions" else {}).get(name) or FORUM_NOTES.get(name, "")
    if name == "batch_id":
        return "the import batch that brought the row (`import_batch.batch_id`)"
    if kind is None:
        return {
            "source": "how it came in: canonical (the template), mapped (an analyst's layout), sample",
            "kinds": "the kinds of record the batch brought",
            "file_name": "the file imported", "sha256": "SHA-256 of the file",
            "as_of": "the date the batch describes", "imported_at": "when it was imported (UTC)",
            "imported_by": "who imported it", "row_counts": "JSON object: kind -> rows",
        }.get(name, "")
    if name == "as_of":
        return "the date the register stood so"
    info = KINDS[kind][1].model_fields[name]
    parts = ["required" if info.is_required() else "optional"]
    if name in KINDS[kind][2]:
        parts.append("key" if len(KINDS[kind][2]) == 1 else "part of the key")
    enum = enum_of(info.annotation)
    if enum is not None:
        parts.append("one of: " + ", ".join(e.value for e in enum))
    return "; ".join(parts)


def _first_sentence(text: str) -> str:
    """A table's purpose up to its first full stop or colon, for the contents (the whole under its heading)."""
    cut = min((i for i in (text.find(". "), text.find(": ")) if i >= 0), default=len(text))
    return text[:cut].rstrip(".").replace("|", "/")


def _readme(con: duckdb.DuckDBPyConnection, settings: Settings, as_of: dt.date, fmt: str, all_tables: list[Table],
            counts: dict[str, int], files: list[Path]) -> str:
    lines = [
        f"# {organisation.shown_on(con, settings)}: ISMS export as of {as_of.isoformat()}",
        "",
        f"Written on {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC by the dashboard's export "
        f"(`python -m isms export --as-of {as_of.isoformat()} --format {fmt}` writes the same). Risk matrix `{settings.matrix.name}`, "
        f"appetite {settings.matrix.appetite}.",
        "",
        "As it stood on that date: a register (assets, risks, treatments, metrics, exceptions) is the rows of "
        "the latest import dated on or before it; dated events (assessments, treatment updates, monitoring "
        "results) are every one dated on or before it. Imports that were undone are left out. Likelihood and "
        "impact are the matrix's steps (1 = lowest); levels follow from the matrix below.",
        "",
        "## Method",
        "",
        "How `risk_scores` and `treatment_progress` (and the dashboard) compute their figures, from the settings "
        "this export was written with:",
        "",
        *(f"- **{term}**: {text}." for term, text in method.terms(settings, grid=True)),
        f"- **Scales**: likelihood {', '.join(f'{n} {lab}' for n, lab in enumerate(settings.matrix.likelihood_labels, 1))}; "
        f"impact {', '.join(f'{n} {lab}' for n, lab in enumerate(settings.matrix.impact_labels, 1))}.",
        "",
        "## Contents",
        "",
        "| table | rows | holds |",
        "|---|---|---|",
        *(f"| `{t.name}` | {counts[t.name]:,} | {_first_sentence(t.purpose)} |" for t in all_tables),
        "",
    ]
    if fmt == "xlsx":
        books = [f.name for f in files if f.name.startswith(WORKBOOK_PREFIX)]
        lines += [
            "## Files",
            "",
            (f"{len(books)} workbook{'s' if len(books) != 1 else ''} in the import template's layout, one per date "
             f"a register can have changed (`{books[0]}` .. `{books[-1]}`): each holds the registers as they stood "
             "that day and the events dated since the previous workbook. The last one is the registers as of "
             f"{as_of.isoformat()}." if books else f"No workbook: nothing imported holds a fact dated on or before "
             f"{as_of.isoformat()}.") + f" `{BATCH_TABLE}.xlsx` lists the imports the rows came from."
            + (f" `{FORUM_WORKBOOK}` holds the forum's records and the mapping decisions, a sheet per table below "
               "(to read; the dashboard records them on its pages)." if any(f.name == FORUM_WORKBOOK for f in files) else "")
            + f" `{COMPUTED_WORKBOOK}` holds the figures computed from them (risk scores and levels, treatment "
              "progress and state), to read: an import computes them again from the facts."
            + f" `{CATALOG_WORKBOOK}` lists every requirement of the catalogs, with its title and family.",
            "",
            "To load them into another dashboard, start from an empty database and import them in name order:",
            "",
            "```sh",
            "python -m isms init-db --empty",
            f"python -m isms import {WORKBOOK_PREFIX}*.xlsx",
            "```",
            "",
            "Every figure up to the date (the scorecard, its comparison with the quarter before, the trends) is "
            "then the same as in the dashboard this came from. Text that a spreadsheet would run as a formula "
            "(beginning with =, +, -, @) is stored as text.",
            "",
        ]
    else:
        ext = fmt
        lines += [
            "## Files",
            "",
            f"One `.{ext}` file per table below. "
            + ("Parquet keeps the types listed (lists stay lists). Load them as they are, e.g. "
               "`select * from 'risks.parquet'` in DuckDB, or Power BI's Parquet connector."
               if fmt == "parquet" else
               "UTF-8 with a BOM; lists are comma-separated; dates are YYYY-MM-DD. A text cell beginning with "
               "=, +, -, @, a tab or a carriage return is prefixed with an apostrophe so a spreadsheet shows it "
               "rather than running it."),
            "",
        ]
    lines += ["## Tables", ""]
    for t in all_tables:
        shown = "" if fmt != "xlsx" or t.kind is None else f" (sheet `{KINDS[t.kind][0]}`)"
        where = "" if fmt != "xlsx" or t.kind is None else (
            f" On {as_of.isoformat()}: the last workbook's sheet." if t.kind in SNAPSHOT_KINDS
            else " Each workbook holds those dated since the previous one.")
        lines += [f"### {t.name}{shown}", "", f"{t.purpose} {counts[t.name]:,} rows.{where}", "",
                  "| column | type | notes |", "|---|---|---|"]
        for name, typ in facts.columns(con, t.sql):
            if fmt == "xlsx" and t.kind and name == "batch_id":
                continue  # an import assigns new batches; import_batch.xlsx keeps the original ones
            header = f" (header `{header_label(name)}`)" if fmt == "xlsx" and t.kind and name not in ("batch_id", "as_of") else ""
            lines.append(f"| `{name}` | {typ} | {_column_note(t.kind, name, t.name)}{header} |")
        lines.append("")
    if fmt == "xlsx":
        lines += ["The workbooks leave out the batch of each row: importing them assigns new batches. "
                  f"`{BATCH_TABLE}.xlsx` lists the original ones.", ""]
    lines += ["Keys: assets by `asset_id`, risks by `risk_id`, treatments by `treatment_id` (with `risk_id`), metrics "
              "by `metric_id`, exceptions by `exception_id`; an assessment by `risk_id` and `assessed_on`, a treatment "
              "update by `treatment_id` and `updated_on`, a monitoring result by `metric_id` and `period` (the first "
              "day of the month measured).", ""]
    return "\n".join(lines)

