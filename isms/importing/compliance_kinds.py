"""What the Compliance review's kinds of sheet yield beyond plain records: an SoA without a
framework column (an Annex A SoA, as most are), one justification column serving inclusion and
exclusion alike, and a user's own catalog named after its file.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from isms.importing.cells import ISO_CODE
from isms.importing.kinds import plain_rows
from isms.importing.sheet import SheetContext
from isms.matrix import RiskMatrix

_ANNEX = re.compile(r"^A\.[5-8]\.\d{1,2}$")


def soa_rows(sh: SheetContext, matrix: RiskMatrix, as_of: dt.date, max_rows: int) -> pd.DataFrame:
    """SoA lines. Without a framework column, Annex A ids make it ISO/IEC 27001:2022's SoA (said);
    with one justification column, it is the reason for an applicable line and the justification
    for an excluded one (said)."""
    cols = sh.idx
    if "framework" not in cols:
        sh.plan.rules.append(f"{sh.m.sheet}: no framework column: the requirements are ISO/IEC 27001:2022 "
                             f"Annex A controls ({ISO_CODE})")
    one_column = "justification" in cols and "reason" not in cols
    if one_column:
        sh.plan.rules.append(f"{sh.m.sheet}: column '{sh.headers[cols['justification']]}' is the reason for inclusion "
                             "of an applicable requirement and the justification for exclusion of the others")

    # plain_rows validates; the framework and the reason must be in place before it does
    frame = plain_rows(sh, matrix, as_of, max_rows, _prepared(sh, matrix, max_rows, one_column))
    if "framework" not in cols and len(frame):
        stray = frame[~frame["ref"].astype(str).str.match(_ANNEX)]
        for _, rec in stray.iterrows():
            sh.problem(int(rec["_row"]), cols.get("ref"), "ref", rec["ref"],
                       f"{rec['ref']!r} is no ISO/IEC 27001:2022 Annex A control id (A.5.1-A.8.34); add a framework "
                       "column if this SoA is another framework's")
        frame = frame[frame["ref"].astype(str).str.match(_ANNEX)]
    return frame


def _prepared(sh: SheetContext, matrix: RiskMatrix, max_rows: int, one_column: bool):
    from isms.importing.sheet import coerced_columns

    body, coerced, ok = coerced_columns(sh, matrix, max_rows)
    n = len(body)
    if "framework" not in coerced:
        coerced["framework"] = pd.Series([ISO_CODE] * n, dtype=object).to_numpy()
    if one_column and "applicable" in coerced:
        said = pd.Series(coerced["justification"], dtype=object)
        applicable = pd.Series(coerced["applicable"], dtype=object)
        coerced["reason"] = said.where(applicable == True, None).to_numpy()  # noqa: E712 (None stays None)
        coerced["justification"] = said.where(applicable == False, None).to_numpy()  # noqa: E712
    return body, coerced, ok


def requirement_rows(sh: SheetContext, matrix: RiskMatrix, as_of: dt.date, max_rows: int) -> pd.DataFrame:
    """A user's catalog. Without a framework column the file's name is the framework's code (said);
    without a title, the ref stands in."""
    from isms.importing.sheet import coerced_columns

    body, coerced, ok = coerced_columns(sh, matrix, max_rows)
    n = len(body)
    if "framework" not in coerced:
        code = framework_code(sh.plan.file_name)
        sh.plan.rules.append(f"{sh.m.sheet}: no framework column: the requirements are framework {code!r} "
                             "(from the file's name; add a Framework column to name it)")
        coerced["framework"] = pd.Series([code] * n, dtype=object).to_numpy()
    if "title" not in coerced:
        coerced["title"] = coerced["ref"]
    return plain_rows(sh, matrix, as_of, max_rows, (body, coerced, ok))


def check_requirements(con, plan) -> None:
    """Every requirement an SoA line, a control or a mapping cites exists in its framework's catalog: a shipped
    one, one imported before, or one this file brings. A cell that cites another is an error."""
    from isms.importing.problems import Problem
    from isms.importing.template import header_label
    from isms.store import compliance

    cited = []
    if "soa" in plan.frames and len(plan.frames["soa"]):
        soa = plan.frames["soa"]
        cited += [("soa", i, "ref", f, r) for i, f, r in zip(soa.index, soa["framework"], soa["ref"])]
    if "controls" in plan.frames and len(plan.frames["controls"]):
        ctl = plan.frames["controls"]
        cited += [("controls", i, "requirements", *req.split(":", 1)) for i, reqs in zip(ctl.index, ctl["requirements"])
                  for req in (reqs if isinstance(reqs, (list, tuple)) else [])]
    if "mappings" in plan.frames and len(plan.frames["mappings"]):
        maps = plan.frames["mappings"]
        for column, fcol in (("ref", "framework"), ("target_ref", "target_framework")):
            cited += [("mappings", i, column, f, r) for i, f, r in zip(maps.index, maps[fcol], maps[column])]
    if not cited:
        return
    known = compliance.known_requirements(con, plan.as_of)
    if "requirements" in plan.frames:
        for f, r in zip(plan.frames["requirements"]["framework"], plan.frames["requirements"]["ref"]):
            known.setdefault(f, set()).add(r)
    for kind, i, column, framework, ref in cited:
        if framework in known and ref in known[framework]:
            continue
        why = (f"{ref!r} is not a requirement of {framework}" if framework in known else
               f"no framework {framework!r}: import its catalog first (python -m isms catalogs lists those known)")
        for sheet, row, letter in plan.cells(kind, [i], column):
            plan.problems.append(Problem(sheet, row, letter, header_label(column), f"{framework}:{ref}", why))


def ref_key(ref: object) -> str:
    """A requirement id as spelt regardless of case, spaces, hyphens and leading zeros: a POA&M's
    'AC2' or 'ac-02' is NIST's 'AC-2', 'AC-2 (1)' its 'AC-2(1)'. Dots stay: 'A.5.15' is not 'A.51.5'."""
    key = re.sub(r"[\s\-]", "", str(ref).upper())
    return re.sub(r"(?<!\d)0+(?=\d)", "", key)


def check_control_requirements(plan) -> None:
    """A control register none of whose controls names a requirement: said, once, at its first row.
    It imports (a register of the controls is worth keeping), but the Compliance review's coverage
    counts only controls mapped to a requirement, so it would cover nothing, and the analyst should
    know before committing rather than read 'Import a control register' on the page after."""
    from isms.importing.problems import Problem

    c = plan.frames.get("controls")
    if c is None or not len(c) or ("requirements" in c and c["requirements"].map(
            lambda v: isinstance(v, (list, tuple)) and len(v) > 0).any()):
        return
    sheet, row, _ = plan.cells("controls", c.index[:1], "control_id")[0]
    plan.problems.append(Problem(
        sheet, row, None, None, None,
        f"none of the {len(c):,} controls names a requirement (no Requirements column, or every cell of it blank): "
        "they are imported, but the Compliance review's coverage counts only controls mapped to a requirement, "
        "so these cover nothing; add a Requirements column (such as ISO27001-2022:A.8.5, several separated by "
        "commas) and import the register again", "warning"))


# 'ISO 27001 - 5.17', 'ISO/IEC 27001:2022 – A.8.8 / PCI-DSS Req 6', 'ISO 27001 - 9.2': a tracker's
# framework column that names the requirement too (a remediation tracker's 'Source Framework');
# group 1 'A.' or 'Annex A', then the number's two or three parts, then the rest of the cell
_ISO_WITH_REF = re.compile(r"^\s*ISO\s*(?:/\s*IEC\s*)?27001(?:\s*[:/-]?\s*2022)?\s*[-–—:,]\s*"
                           r"(Annex\s*A\s*|A\.\s*)?(\d{1,2})\.(\d{1,2})(?:\.(\d{1,2}))?(?!\d)(.*)$", re.I)
# the clauses of ISO/IEC 27001 numbered as Annex A's controls are: 5.1-5.3, 6.1-6.3, 7.1-7.5, 8.1-8.3
_CLAUSE_LAST = {5: 3, 6: 3, 7: 5, 8: 3}
# what puts a second requirement after the first ('5.18 / 8.2', '8.29; PCI-DSS Req 6'), where a
# control's name ('A.8.8 Management of technical vulnerabilities', 'A.8.8 - ...') is no second one
_ANOTHER = re.compile(r"^\s*(?:[/;,&+|]|and\b)\s*(.+)$", re.I)


def _iso_with_ref(value: str, catalog: set[str]) -> tuple[str, str | None, str, str] | None:
    """What a framework cell such as 'ISO 27001 - 5.17' names: (how it reads: 'control' an Annex A
    control of the catalog, 'no control' an Annex A number the catalog lacks, 'ambiguous' a number
    both a clause and a control have ('7.2': competence, or A.7.2 physical entry), 'clause' a
    clause's; the control's ref or None; the number as written; a second requirement after it, or
    ''). None for a cell that is not ISO 27001 with a number."""
    m = _ISO_WITH_REF.match(value)
    if not m:
        return None
    section, n, third = int(m.group(2)), int(m.group(3)), m.group(4)
    number = f"{section}.{n}" + (f".{third}" if third else "")
    another = _ANOTHER.match(m.group(5))
    more = another.group(1).strip() if another else ""
    ref = f"A.{section}.{n}"
    control = ("control", ref, number, more) if ref in catalog else ("no control", None, number, more)
    if m.group(1):  # 'A.' or 'Annex A' said: a control, whatever the clauses are numbered
        return control
    if third or section in (4, 9, 10) or (section in _CLAUSE_LAST and n <= _CLAUSE_LAST[section]):
        ambiguous = not third and section in _CLAUSE_LAST and ref in catalog
        return ("ambiguous" if ambiguous else "clause"), None, number, more
    return control if section in _CLAUSE_LAST else None


def _read_iso_with_ref(plan, f: pd.DataFrame, known: dict) -> None:
    """A framework cell that is ISO 27001 with a number: ISO27001-2022 and, where the number can
    only be an Annex A control's, that control as its ref (one rule per sheet); a clause's number
    counts under no requirement (one rule per sheet: the catalog holds Annex A's controls); a
    number both have, an Annex A number the catalog lacks, or a second requirement in the cell is
    said at the cell. Each cell was a warning of 300 characters that no catalog has the framework
    'ISO 27001 - 5.17', 31 in one file."""
    from isms.importing.problems import Problem
    from isms.importing.template import header_label

    catalog = known.get(ISO_CODE, set())
    read: dict[tuple[str, str], list] = {}  # (sheet, 'control' or 'clause') -> [(index, cell, ref)]
    for i, fw in zip(f.index, f["framework"]):
        if not isinstance(fw, str) or fw in known or (how := _iso_with_ref(fw, catalog)) is None:
            continue
        kind, ref, number, more = how
        f.at[i, "framework"] = ISO_CODE
        given = f.at[i, "ref"] if "ref" in f else None
        if given is not None and not (isinstance(given, float) and pd.isna(given)):
            continue  # the file's own requirement column stands
        if "ref" not in f:
            f["ref"] = None
        (sheet, row, letter), *_ = plan.cells("findings", [i], "framework")

        def say(message: str) -> None:
            plan.problems.append(Problem(sheet, row, letter, header_label("framework"), fw, message, "warning"))

        if kind == "ambiguous":
            say(f"read as {ISO_CODE}, but {number} is both a clause of ISO/IEC 27001 and Annex A control A.{number}: "
                f"the finding counts under no requirement; write A.{number} for the control")
            continue
        if kind == "no control":
            say(f"read as {ISO_CODE}, but it has no Annex A control A.{number} (A.5.1-A.8.34): the finding counts "
                "under no requirement")
            continue
        f.at[i, "ref"] = ref
        read.setdefault((sheet, kind), []).append((i, fw, ref))
        if more:
            say(f"read as {ISO_CODE} {ref or 'clause ' + number}; a finding names one requirement, so '{more}' is not "
                "counted: give it a finding of its own if it needs one")
    for (sheet, kind), rows in read.items():
        (_, _, letter), *_ = plan.cells("findings", [rows[0][0]], "framework")
        _, example, ref = next((r for r in rows if not _iso_with_ref(r[1], catalog)[3]), rows[0])  # one with no more in it
        if kind == "control":
            plan.rules.append(f"{sheet}!{letter or ''}: {len(rows):,} framework cell(s) name ISO 27001 with an Annex A "
                              f"control (such as '{example}'): read as {ISO_CODE} and the control ({ref})")
        else:
            plan.rules.append(f"{sheet}!{letter or ''}: {len(rows):,} framework cell(s) name a clause of ISO/IEC 27001 "
                              f"(such as '{example}'): read as {ISO_CODE}, under no requirement (its catalog holds "
                              "Annex A's controls, not the clauses)")


def check_finding_requirements(con, plan) -> None:
    """A finding's framework and ref, which the Compliance review counts it under.

    A ref its framework's catalog spells otherwise (a POA&M's 'AC2' for 'AC-2') is read as the
    catalog's id, said. A framework no catalog has, or a ref its catalog lacks, is a warning at the
    cell: the finding is kept as written, but counted under no framework (or no requirement) of the
    review, which the analyst should know before committing rather than find missing later."""
    from isms.importing.problems import Problem
    from isms.importing.template import header_label
    from isms.store import compliance

    f = plan.frames.get("findings")
    if f is None or not len(f):
        return
    unplaced = f.index[f["framework"].isna()] if "framework" in f else f.index
    if len(unplaced):
        # the README promises a word for a finding the review counts under no framework: one that
        # names none is such a finding ('Annex A A.8.8' written without its framework, say)
        sheet, row, _ = plan.cells("findings", unplaced[:1], "framework")[0]
        letter = plan.key_column(sheet, "ref")
        plan.problems.append(Problem(
            sheet, row, letter if "ref" in f and pd.notna(f.at[unplaced[0], "ref"]) else None,
            header_label("ref") if letter else None, f.at[unplaced[0], "ref"] if "ref" in f else None,
            f"{len(unplaced):,} finding(s) name no framework: they are kept, and counted in the Compliance review's "
            "findings total, but under no framework or requirement; add a framework column (such as ISO27001-2022) "
            "or, on the Import page, choose the framework of every finding in the sheet", "warning"))
    if "framework" not in f or f["framework"].isna().all():
        return
    known = compliance.known_requirements(con, plan.as_of)
    if "requirements" in plan.frames:
        for fw, r in zip(plan.frames["requirements"]["framework"], plan.frames["requirements"]["ref"]):
            known.setdefault(fw, set()).add(r)
    keys = {fw: {} for fw in known}
    for fw, refs in known.items():
        for r in refs:
            keys[fw].setdefault(ref_key(r), set()).add(r)
    _read_iso_with_ref(plan, f, known)
    read_as: dict[tuple[str, str, str], list] = {}
    first_unknown: dict[str, str] = {}  # per sheet, the cell that says it in full
    unknown: dict[str, int] = {}  # per sheet, the cells of a framework no catalog has
    for i, fw in zip(f.index, f["framework"]):
        if isinstance(fw, str) and fw not in known:
            for sheet, _, _ in plan.cells("findings", [i], "framework"):
                unknown[sheet] = unknown.get(sheet, 0) + 1
    for i, fw, ref in zip(f.index, f["framework"], f["ref"] if "ref" in f else [None] * len(f)):
        if fw is None or (isinstance(fw, float) and pd.isna(fw)):
            continue
        if fw not in known:
            for sheet, row, letter in plan.cells("findings", [i], "framework"):
                if sheet in first_unknown:  # said in full once: the rest of the sheet's cells point there
                    message = (f"no framework {fw!r} has a catalog here: kept under no framework, as said at "
                               f"{first_unknown[sheet]}")
                else:
                    first_unknown[sheet] = f"{letter}{row}" if letter else f"row {row}"
                    others = unknown.get(sheet, 1) - 1
                    message = (f"no framework {fw!r} has a catalog here (such as ISO27001-2022 or NIST-800-53r5; "
                               "python -m isms catalogs lists them): the finding is kept, but the Compliance review "
                               "counts it under no framework; write the framework's code, or on the Import page leave "
                               "the column out and choose the framework of every finding in the sheet"
                               + (f" ({others:,} more cell(s) below)" if others > 0 else ""))
                plan.problems.append(Problem(sheet, row, letter, header_label("framework"), fw, message, "warning"))
            continue
        if ref is None or (isinstance(ref, float) and pd.isna(ref)) or ref in known[fw]:
            continue
        match = keys[fw].get(ref_key(ref), set())
        if len(match) == 1:
            (exact,) = match
            f.at[i, "ref"] = exact
            read_as.setdefault((fw, str(ref), exact), []).append(i)
            continue
        for sheet, row, letter in plan.cells("findings", [i], "ref"):
            plan.problems.append(Problem(sheet, row, letter, header_label("ref"), ref,
                                         f"{ref!r} is not a requirement of {fw}: the finding is kept as written, but "
                                         "no requirement of the Compliance review shows it", "warning"))
    _out_of_scope(con, plan, f, known)
    for (fw, ref, exact), rows in read_as.items():
        (sheet, _, letter), *_ = plan.cells("findings", rows[:1], "ref")
        header = next((m.columns.get("ref") for m in plan.mappings if m.sheet == sheet), None) or header_label("ref")
        plan.rules.append(f"{sheet}!{letter or ''} {header!r}: read {ref!r} as {exact} of {fw} "
                          f"({len(rows)} row{'s' if len(rows) != 1 else ''})")


def _out_of_scope(con, plan, f: pd.DataFrame, known: dict) -> None:
    """Findings under a framework the Compliance review does not cover (the organisation's SoA
    names others): said once per framework, at its first finding, with how many. A POA&M given the
    whole NIST catalog where the SoA is the MODERATE baseline's counted nowhere on the page."""
    from isms.importing.problems import Problem
    from isms.importing.template import header_label
    from isms.store import compliance_reads

    if con is None:
        return
    scope = compliance_reads.frameworks_in_scope(con, plan.as_of)
    if "soa" in plan.frames and len(plan.frames["soa"]):
        scope = sorted({*scope, *plan.frames["soa"]["framework"]})
    if not scope:
        return
    outside = f[f["framework"].isin(known) & ~f["framework"].isin(scope)]
    for fw, rows in outside.groupby("framework", sort=True):
        sheet, row, letter = plan.cells("findings", [rows.index[0]], "framework")[0]
        plan.problems.append(Problem(
            sheet, row, letter, header_label("framework"), fw,
            f"{len(rows):,} finding(s) under {fw}, which the Compliance review does not cover (it covers "
            f"{', '.join(scope)}, the frameworks of the SoA): they are kept, but show there under no framework; "
            "choose one of those if the findings are against it", "warning"))


def framework_code(file_name: str) -> str:
    """'SOC 2 criteria (2022).xlsx' -> 'SOC-2-criteria-2022': a code requirements can be cited by."""
    stem = re.sub(r"\.[^.]+$", "", file_name)
    return re.sub(r"[^A-Za-z0-9.]+", "-", stem).strip("-")[:64] or "USER"


def frameworks_for(plan) -> None:
    """A framework row for each catalog the file's requirements name and no Frameworks sheet does."""
    reqs = plan.frames.get("requirements")
    if reqs is None or reqs.empty:
        return
    have = set(plan.frames["frameworks"]["framework"]) if "frameworks" in plan.frames else set()
    new = [c for c in dict.fromkeys(reqs["framework"]) if c not in have]
    if not new:
        return
    rows = pd.DataFrame([{"framework": c, "name": c, "version": None, "licence": "user-imported"} for c in new])
    base = plan.frames.get("frameworks")
    plan.frames["frameworks"] = pd.concat([f for f in (base, rows) if f is not None and len(f)], ignore_index=True)
    plan.rules.append("framework(s) " + ", ".join(new) + " listed as user-imported catalogs, named by their code")
