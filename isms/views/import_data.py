"""The Import page's view model: one call per step, each returning a frozen bundle.

The page keeps the uploaded bytes and the analyst's mapping choices; everything it shows (how
the file was understood, the problems, the preview, the history) comes from here, so a test can
check the same figures without Streamlit.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import duckdb
import pandas as pd

from isms.config import Settings
from isms.filters import PART, WHOLE, Scope
from isms.importing.annotate import problems_workbook
from isms.importing.isolation import annotate_isolated, prepare
from isms.importing.reading import ReadError
from isms.importing.pipeline import ImportPlan, build_plan, detected_scope, with_mode
from isms.importing.mapping import (IGNORE, KIND_LABELS, LONG, Profile, SheetMapping, kind_fields, load_profile,
                                    match_columns, matching_profiles, save_profile, signature)
from isms.importing.mapping import profiles_folder as mapping_profiles_folder
from isms.importing.problems import errors
from isms.importing.sheet import blank_row
from isms.store import batches, compliance, compliance_reads
from isms.importing.template import header_label, write_blank_template
from isms.models import FindingGrade


def profiles_folder(settings: Settings) -> Path:
    return mapping_profiles_folder(settings.db_path)


class MarkedCopy:
    """The analyst's workbook with each problem marked, built when first asked for (the download
    button calls it) and kept. Built with every analysis, it was most of the wait for the first
    page after an upload: openpyxl took 36 s to mark one warning in a 100,000-row workbook whose
    reading and checking took 2 s. If no copy can be made, a workbook of the problems alone says
    why (the page has long been drawn, so the sentence travels in the file)."""

    def __init__(self, data: bytes, file_format: str, sheets: dict, problems: list, limits):
        self._args = (data, file_format, sheets, problems, limits)
        self._lock = threading.Lock()
        self._built: bytes | None = None

    def __call__(self) -> bytes:
        with self._lock:  # Streamlit calls it on a thread of its own; a second click waits for the first
            if self._built is None:
                data, file_format, sheets, problems, limits = self._args
                try:
                    self._built = annotate_isolated(data, file_format, sheets, problems, limits)
                except ReadError as exc:
                    self._built = problems_workbook(problems, f"no marked copy of your workbook: {exc}")
            return self._built


@dataclass(frozen=True)
class Analysis:
    plan: ImportPlan
    problems: pd.DataFrame  # severity, sheet, cell, column, value, problem
    n_errors: int
    n_warnings: int
    profiles: list[str]  # saved profiles made for files of this shape
    marked: MarkedCopy | None  # the analyst's workbook with the problems marked, built when asked for
    frameworks: list[str] = field(default_factory=list)  # the codes of the catalogs known: a findings sheet's choice

    @property
    def readable(self) -> bool:
        return bool(self.plan.sheets)

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.plan.rules)


def prepare_reader(settings: Settings) -> None:
    """Have the reader child ready before the analyst's file arrives (isms.importing.isolation)."""
    prepare(settings.read_limits)


def on_this_page(message: str) -> str:
    """A problem as the Import page lists it: the pipeline's sentences serve the CLI too, where
    'on the Import page' says where to go; on the page itself that read as if it were elsewhere."""
    return message.replace(" (Import page)", "").replace("on the Import page", "on this page")


def analyse(con: duckdb.DuckDBPyConnection, settings: Settings, data: bytes, file_name: str, *,
            as_of: dt.date | None = None, mappings: list[SheetMapping] | None = None, profile: str | None = None,
            progress: Callable[[float, str], None] | None = None, earlier: Analysis | None = None) -> Analysis:
    """The file read, mapped, checked and previewed against the register. `earlier`: the page's
    last analysis; its read of the file is taken where it is of these bytes (pipeline.FileRead)."""
    prof = load_profile(profiles_folder(settings), profile) if profile else None
    plan = build_plan(data, file_name, settings.matrix, as_of=as_of, con=con, mappings=mappings, profile=prof,
                      max_rows=settings.max_rows, max_bytes=settings.max_upload_bytes, progress=progress,
                      isolated=settings.read_limits, series=settings.meeting_series,
                      was_read=earlier.plan.was_read if earlier is not None else None)
    rows = [{"severity": p.severity, "sheet": p.sheet, "cell": p.cell, "column": p.header,
             "value": None if p.value is None else str(p.value), "problem": on_this_page(p.message)}
            for p in plan.problems]
    table = pd.DataFrame(rows, columns=["severity", "sheet", "cell", "column", "value", "problem"])
    n_err = len(errors(plan.problems))
    marked = None
    if plan.sheets and any(p.row for p in plan.problems):  # a copy marks cells and rows, not the file as a whole
        marked = MarkedCopy(data, plan.file_format, plan.sheets, plan.problems, settings.read_limits)
    sig = signature(plan.sheets, plan.mappings) if plan.sheets else []
    return Analysis(plan, table, n_err, len(table) - n_err,
                    matching_profiles(profiles_folder(settings), sig) if sig else [], marked,
                    _framework_choices(con, plan.as_of) if con is not None else [])


def _framework_choices(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> list[str]:
    """The catalogs a findings sheet may be given, those the Compliance review covers first (a POA&M
    is against the organisation's baseline, not the whole catalog)."""
    scope = compliance_reads.frameworks_in_scope(con, as_of)
    return [*scope, *(f["framework"] for f in compliance.frameworks(con) if f["framework"] not in scope)]


@dataclass(frozen=True)
class RegisterChoice:
    """What the file is (the whole register or part of it, for which scope) and what that does.

    Kept apart from `Analysis` (the costly read of the file) so that answering the question
    re-runs only the comparison with the register, not the reading."""

    plan: ImportPlan  # as committing it would write it; its preview is for the chosen mode and scope
    retires: dict[str, list[str]]  # what a whole file (with the scope) would retire: the page asks when any
    detected: Scope | None  # the scope the file's business unit column states
    scope: Scope | None  # the scope in force: the one typed, else the detected one
    mode: str = WHOLE  # the one asked for, or where none was, the one `choose` proposes

    @property
    def asks(self) -> bool:
        return bool(self.retires)

    @property
    def mostly_leaving(self) -> dict[str, tuple[int, int]]:
        """Kind -> (rows the file lists, rows a whole file would retire), where it would retire more
        than it lists: a team's few rows against the whole register, more likely part of it."""
        counts = {k: (len(self.plan.frames.get(k, ())), len(ids)) for k, ids in self.retires.items()}
        return {k: (listed, leaving) for k, (listed, leaving) in counts.items() if leaving > listed}


def choose(con: duckdb.DuckDBPyConnection, plan: ImportPlan, mode: str | None, scope_text: str = "") -> RegisterChoice:
    """The plan as the whole register or part of it (`mode`), for the business unit typed on the page
    (`scope_text`, else the file's own column). Raises ValueError for a scope that cannot be read.

    With no `mode` yet (the analyst has not answered), a file that as the whole register would
    retire more rows than it lists is proposed as part of it: the page still asks, and retiring
    anything still waits for its own confirmation, but the choice offered first is the one that
    loses nothing."""
    typed = Scope.parse(scope_text.strip()) if scope_text and scope_text.strip() else None
    whole = with_mode(con, plan, WHOLE, typed)
    scope = whole.preview.scope if whole.preview else typed
    retires = whole.preview.leaving if whole.preview else {}
    if mode is None:
        mostly = RegisterChoice(whole, retires, None, scope).mostly_leaving
        mode = PART if mostly else WHOLE
    chosen = whole if mode == WHOLE else with_mode(con, plan, PART, typed)
    return RegisterChoice(chosen, retires, detected_scope(plan), scope, mode)


def remap(mapping: SheetMapping, rows: list[list], *, kind: str | None = None, header_row: int | None = None) -> SheetMapping:
    """A sheet's mapping after the analyst changed its kind or header row: columns proposed again."""
    kind = mapping.kind if kind is None else kind
    header_row = mapping.header_row if header_row is None else header_row
    if kind == mapping.kind and header_row == mapping.header_row:
        return mapping
    if kind == IGNORE or header_row >= len(rows):
        return SheetMapping(mapping.sheet, kind, min(header_row, max(0, len(rows) - 1)), {}, LONG)
    layout = mapping.layout if kind == "monitoring_results" and header_row == mapping.header_row else LONG
    return SheetMapping(mapping.sheet, kind, header_row, match_columns(kind, rows[header_row]), layout)


def mapping_table(mapping: SheetMapping) -> pd.DataFrame:
    """One row per field of the sheet's kind: which column of the file feeds it. A field is named
    as the template's header names it ('Finding ID', not `finding_id`): the analyst's words."""
    fields = kind_fields(mapping.kind)
    return pd.DataFrame({"field": [header_label(f) for f in fields],
                         "column in the file": [mapping.columns.get(f, "") for f in fields]})


def with_columns(mapping: SheetMapping, table: pd.DataFrame) -> SheetMapping:
    """The mapping as the analyst edited it: a blank choice (None, "" or the editor's NaN) un-maps
    the field, so no column named 'nan' is ever looked for."""
    field_of = {header_label(f): f for f in kind_fields(mapping.kind)}
    cols = {field_of.get(str(f), str(f)): str(c) for f, c in zip(table["field"], table["column in the file"])
            if isinstance(c, str) and c.strip() and not pd.isna(c)}
    return replace(mapping, columns=cols)


FINDING_GRADES = [g.value for g in FindingGrade]


def with_fixed(mapping: SheetMapping, fixed: dict[str, str]) -> SheetMapping:
    """The mapping with one value for every row of a field no column gives (a findings sheet's grade)."""
    return mapping if fixed == mapping.fixed else replace(mapping, fixed=fixed)


# how a row of each register leaves it when a file is part of the register (isms.models' statuses)
_LEAVES_BY = {"risks": "a risk set to Closed", "treatments": "a treatment set to Done or Cancelled",
              "exceptions": "an exception set to Closed", "controls": "a control set to Retired",
              "findings": "a finding set to Closed"}


def leaves_by(kinds) -> str:
    """How a row of these kept kinds leaves its register: 'A row leaves it only by its status: a
    finding set to Closed.' A findings import was told 'a risk Closed'; a kind with no status (assets,
    metrics, audits) leaves only when a whole register no longer lists it."""
    said = [_LEAVES_BY[k] for k in kinds if k in _LEAVES_BY]
    unstatused = [counted(k, 2).split(" ", 1)[1] for k in kinds if k not in _LEAVES_BY]  # 'assets', 'KRIs'
    unstatused = [w[:1].upper() + w[1:] if n == 0 else w for n, w in enumerate(unstatused)]
    out = f"A row leaves it only by its status: {', '.join(said)}." if said else ""
    if unstatused:
        kinds = " and ".join(unstatused)
        out += (" " if out else "") + (f"{kinds} leave only when a whole register "
                                       "no longer lists them.")
    return out


def save_mapping(settings: Settings, name: str, plan: ImportPlan) -> Path:
    prof = Profile(name.strip(), signature(plan.sheets, plan.mappings), plan.mappings, True)
    return save_profile(profiles_folder(settings), prof)


def has_rows(mapping: SheetMapping, rows: list[list]) -> bool:
    """Whether a sheet holds any row below its headers (a sheet with headers only changes nothing)."""
    return any(not blank_row(r) for r in rows[mapping.header_row + 1:])


def already_imported(con: duckdb.DuckDBPyConnection, plan: ImportPlan) -> int | None:
    """The batch that already holds this exact file for this date (as what the preview says it is):
    committing again changes nothing."""
    said = plan.preview if plan.preview is not None and plan.preview.mode is not None else None
    return batches.find_batch(con, plan.sha256, plan.as_of, said and said.mode, said and said.scope)


def history(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every batch, newest first: who, when, file, hash, as-of and counts; an undone batch stays
    listed with when and by whom it was undone (undo is append-only, and the history says so)."""
    out = [{"batch": r[0], "imported at": r[1], "by": r[2], "file": r[3], "sha256": r[4][:12], "as of": r[5],
            "source": r[6], "file is": _file_is(r[10], r[11], r[12]), "rows": _rows(r[7], r[13]),
            "undone": f"{r[8]:%Y-%m-%d %H:%M} by {r[9]}" if r[8] else ""} for r in batches.history(con)]
    return pd.DataFrame(out, columns=["batch", "imported at", "by", "file", "sha256", "as of", "source", "file is",
                                      "rows", "undone"])


def _file_is(mode: str | None, scope_field: str | None, scope_values) -> str:
    what = "part of the register" if mode == PART else "the whole register"
    return what + (f", {Scope(scope_field, tuple(scope_values)).describe()}" if scope_field else "")


def _rows(listed: str, carried: str | None) -> str:
    """'2 risks (+148 kept)': the rows the file listed, in words (counted), and those the batch
    kept from the register ('control_tests 15' was the table's name, not the analyst's)."""
    kept = json.loads(carried) if carried else {}
    return ", ".join(counted(k, v) + (f" (+{kept[k]:,} kept)" if kept.get(k) else "")
                     for k, v in sorted(json.loads(listed).items()) if v)


def blank_template(settings: Settings, folder: Path) -> bytes:
    return write_blank_template(folder / "isms-import-template.xlsx", settings.matrix).read_bytes()


KIND_CHOICES = list(KIND_LABELS)
WHOLE_LABEL, PART_LABEL = "the whole register", "part of it (merge)"
MODE_BY_LABEL = {WHOLE_LABEL: WHOLE, PART_LABEL: PART}
LABEL_BY_MODE = {mode: label for label, mode in MODE_BY_LABEL.items()}


# what one row of each kind is called in a sentence ('1 finding', '93 SoA lines'): the kind's
# own name read '1 findings' and '93 soa'
# a kind's row in words: '1 SoA line', '2 KRIs', '3 findings' (its label reads wrong in a count:
# '6 statement of applicability', '2 framework')
_ROW_NOUNS = {"assets": "asset", "risks": "risk", "assessments": "assessment", "treatments": "treatment",
              "treatment_updates": "treatment update", "metrics": "KRI", "monitoring_results": "KRI result",
              "exceptions": "policy exception", "controls": "control", "soa": "SoA line", "control_tests": "control test",
              "audits": "audit", "findings": "finding", "frameworks": "framework", "requirements": "requirement",
              "mappings": "framework mapping", "decisions": "decision", "actions": "action"}


def counted(kind: str, n: int) -> str:
    """'2 risks', '1 SoA line', '3 findings': a kind's rows counted in words."""
    one = _ROW_NOUNS.get(kind, kind.replace("_", " "))
    return f"{n:,} {one if n == 1 else one + 's'}"


def rows_said(counts: dict[str, int]) -> str:
    """'1 finding, 93 SoA lines': each kind's rows counted, kinds with none left out."""
    return ", ".join(counted(k, n) for k, n in counts.items() if n)


def proposed_part(choice: RegisterChoice) -> str:
    """Why 'part of it' is the choice offered first: 'The file lists 15 risks and 15 treatments; as
    the whole register it would retire the other 133 risks and 129 treatments the register holds,
    so part of it is proposed. ...'"""
    mostly = choice.mostly_leaving

    def words(counts) -> str:
        said = [counted(k, n) for k, n in counts]
        return " and ".join([", ".join(said[:-1]), said[-1]] if len(said) > 1 else said)

    # rows an error keeps out are not counted here: said so, as the problems above list them
    read = " (not counting the rows with errors)" if errors(choice.plan.problems) else ""
    return (f"The file lists {words((k, listed) for k, (listed, _) in mostly.items())}{read}; as the whole register it "
            f"would retire the other {words((k, leaving) for k, (_, leaving) in mostly.items())} the register "
            "holds, so part of it is proposed. Choose the whole register if those others have gone.")


def change_lines(kp) -> list[str]:
    """A changed row as the analyst checks it, the register's value then the file's: '**R-016**
    title 'Phishing of finance staff' → 'Ransomware on file servers'; owner 'CFO' → 'CIO''. Only
    field names, the list read as routine updates even where the file reused an id for another risk."""
    def shown(value) -> str:
        if value is None or value == ():
            return "(blank)"
        text = ", ".join(map(str, value)) if isinstance(value, tuple) else str(value)
        return _markdown_text(repr(text if len(text) <= 60 else text[:57] + "..."))

    lines = []
    for key, fields in kp.changed.items():
        was = kp.values.get(key)
        if was is None:  # beyond the rows whose values the preview keeps
            lines.append(f"**{_markdown_text(key)}** changes {', '.join(fields)}")
            continue
        lines.append(f"**{_markdown_text(key)}** " + "; ".join(f"{f.replace('_', ' ')} {shown(a)} → {shown(b)}"
                                                for f, (a, b) in was.items()))
    return lines


def _markdown_text(text: str) -> str:
    """A cell's text as Markdown shows it, not as Markdown reads it ('$5', '*', '_id_')."""
    return re.sub(r"([\\`*_{}\[\]<>()#+\-.!|$~])", r"\\\1", text)


def retitled_note(kp) -> str | None:
    """Risks whose title the file changes: one is a rewording, many are the mark of a register that
    numbers its risks afresh, where 'R-001' now names another risk and takes the old one's history."""
    retitled = [k for k, fields in kp.changed.items() if "title" in fields]
    if kp.kind != "risks" or not retitled:
        return None
    some = ", ".join(retitled[:5]) + (", ..." if len(retitled) > 5 else "")
    return (f"{len(retitled)} risk(s) the register holds get another title ({some}). If the file numbers its "
            "risks afresh, those ids now name other risks and take over the old ones' history: give the file's "
            "risks ids of their own, or read the changes below before you commit.")

