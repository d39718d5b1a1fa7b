"""The Statement of Applicability as auditors expect it: one row per requirement of the framework
(for ISO/IEC 27001:2022, the 93 Annex A controls), whether it applies, the reason for inclusion or
the justification for exclusion, its implementation status, and the controls and risks linked to
it; marked with the SoA version, its approval and the as-of date.

`soa_table` is the one reading, shared by the page's SoA view and the xlsx writer, so what is
exported is what the page shows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from isms.exports import append_row
from isms.store import compliance_reads, queries

HEADERS = ["Ref", "Title", "Theme / family", "Applicable", "Reason for inclusion / justification for exclusion",
           "Implementation status", "Controls", "Risks"]
HEADER_ROW = 6  # title, version, as-of, framework, blank, then the table


@dataclass(frozen=True)
class SoaTable:
    framework: str
    name: str
    as_of: dt.date
    version: str | None
    approved_on: dt.date | None
    approved_by: str | None
    rows: pd.DataFrame  # ref, title, family, applicable, why, status, controls, risks (lists joined by ', ')


def soa_table(con: duckdb.DuckDBPyConnection, framework: str, as_of: dt.date, name: str | None = None) -> SoaTable:
    req = compliance_reads.requirement_state(con, as_of, [framework])
    risks = queries.register(con, "risks", as_of)
    by_control: dict[str, list[str]] = {}
    if framework != "ISO27001-2022":
        risks = risks.iloc[0:0]
    for rid, ctl in zip(risks.get("risk_id", []), risks.get("annex_a_controls", [])):
        for c in (list(ctl) if ctl is not None and hasattr(ctl, "__len__") else []):
            by_control.setdefault(c, []).append(rid)
    findings = compliance_reads.register(con, "findings", as_of)
    for ref, rid, fw in zip(findings.get("ref", []), findings.get("risk_id", []), findings.get("framework", [])):
        if isinstance(rid, str) and fw == framework:
            by_control.setdefault(ref, []).append(rid)
    rows = pd.DataFrame({
        "ref": req.ref, "title": req.title, "family": req.family,
        "applicable": [("Yes" if a else "No") if s else ("Yes" if a else "Not in the SoA")
                       for a, s in zip(req.applicable, req.in_soa)],
        "why": [(r if a else j) or "" for a, r, j in zip(req.applicable, req.reason, req.justification)],
        "status": req.implementation_status.fillna(""),
        "controls": [", ".join(c) for c in req.controls],
        # risks that name the Annex A control, and those a finding on the requirement was linked to
        "risks": [", ".join(sorted(set(by_control.get(ref, [])))) for ref in req.ref],
    })
    rows = rows.sort_values("ref", key=lambda s: s.map(compliance_reads.ref_key)).reset_index(drop=True)
    versions = req.dropna(subset=["soa_version"])
    meta = compliance_reads.soa_approval(con, framework, as_of) if len(versions) else None
    return SoaTable(framework, name or framework, as_of, meta[0] if meta else None, meta[1] if meta else None,
                    meta[2] if meta else None, rows)


def write_soa(table: SoaTable, path: str | Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Statement of Applicability"
    approved = (f", approved {table.approved_on:%Y-%m-%d} by {table.approved_by}" if table.approved_on else ", not approved")
    append_row(ws, [f"Statement of Applicability: {table.name}"])
    append_row(ws, [f"SoA version {table.version or '(none)'}{approved if table.version else ''}"])
    append_row(ws, [f"As of {table.as_of:%Y-%m-%d}"])
    append_row(ws, [f"Framework {table.framework}"])
    ws.append([])
    ws["A1"].font = Font(bold=True, size=14)
    append_row(ws, HEADERS)
    for cell in ws[HEADER_ROW]:
        cell.fill, cell.font = PatternFill("solid", fgColor="1F3864"), Font(color="FFFFFF", bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for r in table.rows.itertuples(index=False):
        append_row(ws, [r.ref, r.title, r.family, r.applicable, r.why, r.status, r.controls, r.risks])
    for col, width in zip("ABCDEFGH", (10, 44, 20, 12, 60, 22, 24, 18)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = f"B{HEADER_ROW + 1}"
    ws.auto_filter.ref = f"A{HEADER_ROW}:H{HEADER_ROW + len(table.rows)}"
    if hasattr(path, "write"):  # a buffer: the page's download
        wb.save(path)
        return path
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
