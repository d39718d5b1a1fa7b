"""The import template: its vocabulary (sheet names, headers, the About and Instructions sheets)
and the writer of workbooks in its layout (openpyxl, which writes validation lists).

The sample ISMS and the blank import template come from the same writer, so the sample is
always a file that an analyst could have filled in by hand. A template workbook goes through the
same pipeline as any analyst's file: it is the layout in which every sheet and header matches.
"""

from __future__ import annotations

import datetime as dt
import re
import typing
from enum import Enum
from pathlib import Path
from typing import Any, Iterable

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from isms.exports import append_row
from isms.matrix import PRESETS, RiskMatrix
from isms.models import KINDS, enum_of

HEADER_FILL = PatternFill("solid", fgColor="1F3864")
HEADER_FONT = Font(color="FFFFFF", bold=True)


ABOUT_SHEET = "About"
# The blank template's guide to every column; never data, so the importer ignores it.
INSTRUCTIONS_SHEET = "Instructions"


_ACRONYMS = {"annex a": "Annex A", "nist": "NIST", "kri": "KRI", "id": "ID", "ids": "IDs"}


def header_label(field_name: str) -> str:
    """The header the template writes for a model field: 'risk_id' -> 'Risk ID', 'annex_a_theme' ->
    'Annex A theme'. Headers are matched after folding case, so any spelling still imports."""
    words = field_name.replace("_", " ").capitalize()
    for plain, proper in _ACRONYMS.items():
        words = re.sub(rf"\b{plain}\b", proper, words, flags=re.IGNORECASE)
    return words


def _safe(value: Any) -> Any:
    """Plain cell values for openpyxl; `append_row` keeps text a spreadsheet would evaluate as text."""
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, (list, tuple)):
        value = ", ".join(map(str, value))
    return value


# What each sheet is for, in the analyst's words; the column guide below comes from the models.
SHEET_PURPOSE = {
    "assets": "The asset inventory: what the risks are about.",
    "risks": "The risk register: one row per risk, the whole register as of the date on the About sheet.",
    "assessments": "Likelihood and impact ratings, one row per risk per assessment date; they accumulate.",
    "treatments": "Treatment plans: one row per plan, linked to its risk.",
    "treatment_updates": "Progress reports on treatment plans, one row per plan per report date; they accumulate.",
    "metrics": "Key risk indicators: how each is measured, its direction and its thresholds.",
    "monitoring_results": "Measured values, one row per indicator per month; they accumulate.",
    "exceptions": "Policy exceptions: requests, grants and their expiry.",
    "controls": "Your controls: one row per control, with the framework requirements it satisfies "
                "(<framework>:<ref>, e.g. ISO27001-2022:A.5.15; a bare Annex A id is read as ISO27001-2022).",
    "soa": "The Statement of Applicability: one row per requirement of a framework: applicable, why, status.",
    "control_tests": "Control tests: one row per control per test period (its last day); they accumulate.",
    "audits": "Audits and certifications: type, dates, the period a SOC report covers, opinion, certificate.",
    "findings": "Audit findings: grade, owner, due date and status through remediated, verified and closed.",
    "frameworks": "A framework catalog from your licensed copy (SOC 2, PCI DSS...): its code, name and version.",
    "requirements": "That catalog's requirements: ref, title, parent; one row each.",
    "mappings": "A mapping between two frameworks (e.g. NIST SP 800-53 to ISO/IEC 27001): one row per source and "
                "target requirement. Offered as suggestions on the Compliance Review, never applied on import.",
    "decisions": "A meeting's minutes: one row per decision, with the meeting's date and series (Risk, Security Health, "
                 "...), the kind of decision and the ids it concerns; a meeting not yet recorded is recorded.",
    "actions": "The action log: one row per action, as it stands on the As of date; a new id raises an action, a "
               "known one records what changed. Each comes from a meeting (its id, or its date and series), a "
               "decision, a risk, a KRI or a finding.",
}
_REFERENCES = {"risk_id": "Risks", "treatment_id": "Treatments", "metric_id": "Metrics", "asset_ids": "Assets",
               "control_id": "Controls", "audit_id": "Audits", "exception_id": "Exceptions"}
_REFERRED = {"Metrics": "KRI"}  # a sheet's record in the guide's words ('A KRI id', not 'A metric id')
_DATE_HINT = "A date: 2026-03-31, 31/03/2026, 31 Mar 2026, Q4-2026 (the quarter's last day) or May 2027"


def _what_to_enter(name: str, annotation: Any, matrix: RiskMatrix, key: tuple[str, ...], sheet: str) -> str:
    """The column guide's advice, read from the field's type, so it cannot drift from the importer."""
    what = _kind_of_value(name, annotation, matrix, sheet)
    if name in key:
        others = [header_label(k) for k in key if k != name]
        what += "; unique in this sheet" + (f" with {' and '.join(others)}" if others else "")
    return what


def _kind_of_value(name: str, annotation: Any, matrix: RiskMatrix, sheet: str) -> str:
    base = annotation
    if typing.get_origin(annotation) is typing.Union:  # Optional[X]
        base = next(a for a in typing.get_args(annotation) if a is not type(None))
    several = typing.get_origin(base) is list
    enum = enum_of(annotation)
    if name in _REFERENCES and _REFERENCES[name] != sheet:
        other = _REFERENCES[name]
        thing = _REFERRED.get(other, other[:-1].lower())
        article = "An" if thing[0] in "aeiou" else "A"
        return (f"{thing[0].upper()}{thing[1:]} ids" if several else f"{article} {thing} id") + \
            f" from the {other} sheet or the register already imported" + \
            ("; several separated by commas" if several else "")
    if name.endswith("_id"):
        return "An identifier"
    if enum is not None:
        return "One of: " + ", ".join(e.value for e in enum)
    if name == "period" and sheet == "ControlTests":
        return "The last day of the period tested: 2026-09-30 or Q3-2026"
    if name == "period":
        return "The month measured: a date in it, or 2025-03"
    if name == "requirements":
        return "Requirements as <framework>:<ref>, e.g. ISO27001-2022:A.5.15, NIST-800-53r5:AC-2; several separated by commas"
    if base is bool:
        return "Yes or No"
    if name == "annex_a_controls":
        return "Annex A control ids such as A.5.15, A.8.8; several separated by commas"
    if several:
        return "Several values separated by commas"
    if base is dt.date:
        return _DATE_HINT
    if name.endswith(("likelihood", "impact")):
        labels = matrix.likelihood_labels if name.endswith("likelihood") else matrix.impact_labels
        return f"A whole number 1-{len(labels)}, or its word: " + ", ".join(
            f"{i} {label}" for i, label in enumerate(labels, start=1))
    if name == "percent_complete":
        return "A number from 0 to 100"
    if name == "target":
        return "A number; text such as '>= 95%' or '<= 14 days' also sets the direction"
    if base is float:
        return "A number"
    return "Text"


def _instructions(wb: Workbook, kinds: Iterable[str], matrix: RiskMatrix) -> None:
    """A sheet that explains every column of every sheet, for the analyst filling in a blank template."""
    ws = wb.create_sheet(INSTRUCTIONS_SHEET, 1)
    ws.append(["Sheet", "Column", "Required", "What to enter"])
    for cell in ws[1]:
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
    ws.freeze_panes = "A2"
    ws.append([ABOUT_SHEET, "As of", "no", "The date this file describes, in cell B2 of the About sheet. Left empty, "
               "the date chosen on the import page applies, else the day of the import."])
    for kind in kinds:
        sheet, model, key = KINDS[kind]
        ws.append([sheet, "", "", SHEET_PURPOSE[kind]])
        ws[ws.max_row][0].font = Font(bold=True)
        for name, info in model.model_fields.items():
            ws.append(["", header_label(name), "yes" if info.is_required() else "no",
                       _what_to_enter(name, info.annotation, matrix, key, sheet)])
    for col, width in zip("ABCD", (20, 24, 10, 90)):
        ws.column_dimensions[col].width = width


def write_workbook(
    path: str | Path,
    rows_by_kind: dict[str, Iterable[dict[str, Any]]],
    *,
    as_of: dt.date | None = None,
    title: str = "ISMS import",
    levels: int = 5,
    validation_rows: int = 1000,
    instructions: RiskMatrix | None = None,
) -> Path:
    """One sheet per kind given (in template order), header row from the models, an About sheet."""
    wb = Workbook()
    about = wb.active
    about.title = ABOUT_SHEET
    about.append([title])
    about["A1"].font = Font(bold=True, size=14)
    about.append(["As of", as_of])
    about.append([])
    about.append(["Each sheet holds one kind of record; headers must stay as written."])
    about.append(["Registers (Assets, Risks, Treatments, Metrics, Exceptions) are the whole register as of the date above."])
    about.append(["Assessments, TreatmentUpdates and MonitoringResults are dated events and accumulate."])
    about.append(["Lists (controls, asset ids) take several values separated by commas."])
    if instructions is not None:
        about.append(["The Instructions sheet explains every column: whether it is required and what to enter."])
    about.column_dimensions["A"].width = 16
    about.column_dimensions["B"].width = 14
    if as_of:
        about["B2"].number_format = "yyyy-mm-dd"
    for kind, (sheet, model, _) in KINDS.items():
        if kind not in rows_by_kind:
            continue
        ws = wb.create_sheet(sheet)
        fields = list(model.model_fields)
        ws.append([header_label(f) for f in fields])
        for cell in ws[1]:
            cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        ws.freeze_panes = "A2"
        for rec in rows_by_kind[kind]:
            append_row(ws, [_safe(rec.get(f)) for f in fields])
        last = max(ws.max_row, validation_rows)
        for idx, f in enumerate(fields, start=1):
            col = get_column_letter(idx)
            ws.column_dimensions[col].width = max(12, min(40, len(header_label(f)) + 4))
            info = model.model_fields[f]
            enum = enum_of(info.annotation)
            if enum is not None:
                choices = ",".join(e.value for e in enum)
                if len(choices) <= 255:
                    dv = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=not info.is_required())
                    dv.error = f"Choose one of: {choices}"
                    ws.add_data_validation(dv)
                    dv.add(f"{col}2:{col}{last}")
            elif f.endswith("likelihood") or f.endswith("impact"):
                dv = DataValidation(type="whole", operator="between", formula1="1", formula2=str(levels))
                dv.error = f"A whole number from 1 to {levels}"
                ws.add_data_validation(dv)
                dv.add(f"{col}2:{col}{last}")
            if "on" == f.rsplit("_", 1)[-1] or f == "period":
                for row in ws.iter_rows(min_row=2, min_col=idx, max_col=idx):
                    row[0].number_format = "yyyy-mm-dd"
    if instructions is not None:
        _instructions(wb, [k for k in KINDS if k in rows_by_kind], instructions)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_blank_template(path: str | Path, matrix: RiskMatrix | None = None) -> Path:
    """Every sheet, empty, with dropdowns and an Instructions sheet that uses the matrix's own words."""
    matrix = matrix or PRESETS["5x5"]
    return write_workbook(path, {kind: [] for kind in KINDS}, title="ISMS import template",
                          levels=max(matrix.steps_likelihood, matrix.steps_impact), instructions=matrix)
