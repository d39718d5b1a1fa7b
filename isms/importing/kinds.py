"""What each kind of sheet yields: a register's risks (with their assessments and treatments),
plain records, and monitoring results laid out wide, with the rules the import states for each.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from isms.dates import short_date
from isms.importing import cells
from isms.importing.cells import THEME_BY_DIGIT
from isms.importing.mapping import FILLED, LONG, WIDE_ROWS
from isms.importing.problems import Problem, column_letter
from isms.importing.sheet import SOFT, SheetContext, coerced_columns, long_rows, validate_many, validate_row
from isms.importing.template import header_label
from isms.matrix import RiskMatrix
from isms.models import (KINDS, Assessment, Cadence, Direction, Metric, MonitoringResult, Risk, Treatment,
                         TreatmentUpdate, enum_of)
from isms.store import queries

DEFAULT_THEME = "A.5 Organizational"
# fields a model fills when the file has no column for them, said in a rule line (plain_rows)
STATED_DEFAULTS = {"controls": ("status",), "findings": ("status",)}
TITLE_MAX = 300  # the Risk model's Name length
_LOWER_IS_BETTER = {"mttr", "mttd", "mtta", "mttc", "time", "hours", "hrs", "days", "minutes", "mins", "latency",
                    "duration", "dwell", "age", "aging", "ageing", "click", "clicks", "open", "failed", "failure",
                    "failures", "incident", "incidents", "errors", "overdue", "backlog", "vuln", "vulns",
                    "vulnerabilities", "outage", "outages", "downtime", "breach", "breaches", "exceptions",
                    "unpatched", "stale", "expired", "violations", "findings"}
# Items an indicator may count (better few) or say it deals with (better many): 'Open findings' is
# better low, 'Remediation of pentest findings' and 'Incidents resolved in SLA' better high.
_COUNTED = {"findings", "incident", "incidents", "errors", "vuln", "vulns", "vulnerabilities", "breach", "breaches",
            "exceptions", "violations"}
_DEALT_WITH = {"remediation", "remediated", "resolved", "closed", "fixed", "patched", "coverage", "compliance",
               "compliant", "completed", "completion", "encrypted", "trained", "reviewed", "mitigated"}
_UNIT_SUFFIX = {"pct": "%", "percent": "%", "rate": "%", "hours": "hours", "hrs": "hours", "days": "days",
                "minutes": "minutes", "mins": "minutes", "count": "count"}
_PERCENT_WORDS = {"percentage", "percent", "per cent", "pct", "%age", "percentage (%)", "percent (%)"}
# unit words a name ends on that its '(unit)' says again; 'rate' stays ('Phishing click rate (%)')
_UNIT_WORDS = {"hours", "hrs", "days", "minutes", "mins", "count"}
# a name made from an id keeps the security trade's capitals ('Incident MTTR', not 'Incident mttr')
_ACRONYMS = {w: w.upper() for w in ("mttr", "mttd", "mtta", "mttc", "kri", "kpi", "sla", "mfa", "edr", "xdr", "siem",
                                    "soc", "dlp", "vpn", "api", "iam", "pam", "cve", "cvss", "pii", "dr", "bcp", "rto",
                                    "rpo", "tls", "waf", "ddos", "phi", "pci", "sso", "ueba", "ids", "ips")}


def risk_rows(sh: SheetContext, matrix: RiskMatrix, as_of: dt.date, max_rows: int) -> dict[str, list[dict]]:
    """A register sheet: the risks, and where it rates them, an assessment and a treatment each."""
    cols = sh.idx
    has_inherent = "inherent_likelihood" in cols and "inherent_impact" in cols
    has_residual = "residual_likelihood" in cols and "residual_impact" in cols
    make_assessment = has_inherent or has_residual
    for stage in ("inherent", "residual", "target"):
        half = [f for f in (f"{stage}_likelihood", f"{stage}_impact") if f in cols]
        if len(half) == 1:  # a rating without its other half rates nothing: said, not dropped
            other = "impact" if half[0].endswith("likelihood") else "likelihood"
            header = sh.headers[cols[half[0]]]
            sh.problem(sh.m.header_row + 1, cols[half[0]], half[0], header,
                       f"column '{header}' is read as the {stage} {half[0].split('_')[-1]}, but no column is its "
                       f"{other}: no {stage} rating is imported; map the {other} column above (or choose "
                       f"'not imported' for this one)", "warning")
    residual_only = [f for f in ("residual_score", "residual_rating") if f in cols] if not has_residual else []
    if residual_only and not has_inherent:
        header = sh.headers[cols[residual_only[0]]]
        sh.problem(sh.m.header_row + 1, cols[residual_only[0]], residual_only[0], header,
                   f"column '{header}' gives the residual risk as a level or score only, and there is no inherent "
                   "likelihood and impact to place it: map the residual likelihood and impact columns")
    elif residual_only:
        # never the inherent pair as residual (every risk would look unaddressed): the residual is
        # placed on the matrix at the inherent impact, the treatment having lowered the likelihood
        header = sh.headers[cols[residual_only[0]]]
        how = ("the likelihood whose product with the inherent impact is nearest the score (the lower on a tie)"
               if residual_only[0] == "residual_score" else
               "the highest likelihood at which the inherent impact has that level on the matrix")
        sh.plan.rules.append(
            f"{sh.m.sheet}: column '{header}' gives the residual risk as a {'score' if residual_only[0] == 'residual_score' else 'level'} "
            f"only: the residual keeps the inherent impact and takes {how}, never above the inherent likelihood; "
            "where that differs from the file, the row says so (un-map the column to take the inherent rating as residual)")
    make_treatment = "due_on" in cols and ("decision" in cols or "treatment_plan" in cols)
    if "due_on" in cols and not make_treatment:
        # a register's 'target date' with nothing to be due: no treatment is made, and the dates
        # would go nowhere; the analyst is told at the column, not left to find them missing
        header = sh.headers[cols["due_on"]]
        sh.problem(sh.m.header_row + 1, cols["due_on"], "due_on", header,
                   f"column '{header}' gives a due date, but no column gives the response or the action it is due "
                   f"for: no treatment is made and its dates are not imported; map the {header_label('decision')} or "
                   f"{header_label('treatment_plan')} column above (or choose 'not imported' for this one)", "warning")
    defaults = {"identified_on": as_of, "source": "Annual assessment", "owner": "Unassigned", "status": "Open"}
    stated = [f"{k.replace('_', ' ')} = {v}" for k, v in defaults.items() if k not in cols]
    if "annex_a_theme" not in cols:
        stated.append(f"Annex A theme from the first 2022 control of the row (or a theme it names, A.6), else "
                      f"{DEFAULT_THEME}")
    if stated:
        # a risk the register already holds keeps its own (isms.importing.pipeline._kept_from_register)
        sh.plan.rules.append(f"{sh.m.sheet}: columns the file lacks are filled, for a risk new to the register: "
                             + "; ".join(stated))
    if make_assessment:
        note = "" if has_inherent and (has_residual or residual_only) else " (one rating pair: used as both inherent and residual)"
        sh.plan.rules.append(f"{sh.m.sheet}: each rated row is an assessment dated "
                             f"{'its assessed date' if 'assessed_on' in cols else as_of}{note}")
    if make_treatment:
        response = f"a response ({sh.headers[cols['decision']]})" if "decision" in cols else \
            f"an action ({sh.headers[cols['treatment_plan']]}, decision Reduce)"
        sh.plan.rules.append(f"{sh.m.sheet}: a row with {response} and a due date becomes treatment "
                             "<risk id>-T, owned by the risk owner, started when the risk was identified (or on its "
                             "due date, when that is earlier); one whose risk is Closed is Done, completed on its "
                             "due date, as the file gives no completion date")
    out: dict[str, list[dict]] = {"risks": []}
    if make_assessment:
        out["assessments"] = []
    if make_treatment:
        out["treatments"] = []
    risk_fields = set(Risk.model_fields)
    soft = [f for f in SOFT["risks"] if f in cols]
    planned_without_date: list[int] = []
    decided_without_plan: list[int] = []
    undated: list[int] = []
    for excel_row, raw, v in long_rows(sh, matrix, max_rows):
        rec = {k: val for k, val in v.items() if k in risk_fields and val is not None}
        kept = [f"{sh.headers[cols[f]]}: {cells.text(sh.cell(raw, f))}" for f in soft
                if v.get(f) is None and not cells.blank(sh.cell(raw, f))]
        if kept:  # nothing the analyst wrote is dropped: an unreadable optional cell stays as text
            rec["description"] = "; ".join(filter(None, [rec.get("description"), *kept]))[:4000]
        for k, d in defaults.items():
            rec.setdefault(k, d)
        if "title" not in rec and rec.get("risk_id"):
            rec["title"] = rec["risk_id"]
            if "title" in cols:  # a blank title cell: the stand-in is said at the cell
                sh.problem(excel_row, cols["title"], "title", None, "no title: the risk id stands as its title",
                           "warning")
        if "identified_on" in cols and cells.blank(sh.cell(raw, "identified_on")):
            undated.append(excel_row)
        if isinstance(rec.get("title"), str) and len(rec["title"]) > TITLE_MAX:
            # a register that puts the whole story in its title column: shortened, and kept whole
            full = rec["title"]
            rec["title"] = full[:TITLE_MAX - 1].rstrip() + "…"
            if full not in (rec.get("description") or ""):
                rec["description"] = "; ".join(filter(None, [full, rec.get("description")]))[:4000]
            sh.problem(excel_row, cols.get("title"), "title", full[:60] + "…",
                       f"a title of {len(full):,} characters is shortened to {TITLE_MAX}; the whole text is kept "
                       "in the description", "warning")
        if "annex_a_theme" not in rec:
            ctl = rec.get("annex_a_controls") or []
            named = [] if ctl or "annex_a_controls" not in cols else \
                [t for t in map(cells.bare_theme, cells.split_list(sh.cell(raw, "annex_a_controls"))) if t]
            rec["annex_a_theme"] = THEME_BY_DIGIT[ctl[0][2]] if ctl else named[0] if named else DEFAULT_THEME
        risk = validate_row(sh, Risk, rec, excel_row, cols)
        if risk is None:
            continue
        out["risks"].append(risk | {"_row": excel_row})
        if make_assessment:
            a = _assessment(sh, matrix, v, risk, excel_row, as_of, has_inherent, has_residual,
                            residual_only[0] if residual_only and has_inherent else None)
            if a is not None:
                out["assessments"].append(a | {"_row": excel_row})
        plan_text, decision = v.get("treatment_plan"), v.get("decision")
        said = cells.text(sh.cell(raw, "decision")) if "decision" in cols and not cells.blank(sh.cell(raw, "decision")) else ""
        if decision is None and len(said.split()) >= 3:  # a 'Treatment' column holding the plan, not a decision word
            plan_text = "; ".join(filter(None, [said, plan_text]))
        if decision is None and plan_text:
            decision = "Reduce"
        tracked = make_treatment and v.get("due_on")
        if (plan_text or decision) and not tracked:
            # no due date, so no treatment to track: the plan, or the bare decision ('Accept'), stays
            # with the risk, never dropped; a plan is Reduce unless the file says otherwise
            if plan_text:
                kept_text = f"Treatment plan: {plan_text}" + ("" if decision == "Reduce" else f" (decision {decision})")
                planned_without_date.append(excel_row)
            else:
                kept_text = f"Treatment decision: {decision}"
                decided_without_plan.append(excel_row)
            risk["description"] = "; ".join(filter(None, [risk.get("description"), kept_text]))[:4000]
            out["risks"][-1]["description"] = risk["description"]
        if make_treatment and decision and v.get("due_on"):
            start = min(risk["identified_on"], v["due_on"])
            status = {"In treatment": "In progress", "Closed": "Done"}.get(risk["status"], "Planned")
            t = {"treatment_id": f"{risk['risk_id']}-T", "risk_id": risk["risk_id"], "decision": decision,
                 "description": plan_text, "owner": risk["owner"], "start_on": start,
                 "due_on": v["due_on"], "status": status, "completed_on": v["due_on"] if status == "Done" else None}
            t = validate_row(sh, Treatment, t, excel_row, cols)
            if t is not None:
                out["treatments"].append(t | {"_row": excel_row})
    if planned_without_date:
        sh.plan.rules.append(f"{sh.m.sheet}: {len(planned_without_date)} risk(s) name a treatment plan but no due date: "
                             "the plan is kept in the risk's description, but with no treatment the reviews show "
                             "the risk with no decision; add a due date to track it as a treatment")
    if undated:
        sh.plan.rules.append(f"{sh.m.sheet}: {len(undated)} row(s) leave '{sh.headers[cols['identified_on']]}' blank "
                             f"(rows {_rows(undated)}): a risk new to the register is identified on {as_of}, one it "
                             "holds keeps its first date")
    if decided_without_plan:
        sh.plan.rules.append(f"{sh.m.sheet}: {len(decided_without_plan)} risk(s) give a treatment decision (Accept, "
                             "Reduce...) but no plan or due date: the decision is kept in the risk's description as "
                             "'Treatment decision: ...', but with no treatment the reviews show the risk with no "
                             "decision; add a due date to track it as a treatment")
    return out


def _rows(rows: list[int], shown: int = 8) -> str:
    """Excel row numbers for a rule line: the first few, then how many more."""
    more = len(rows) - shown
    return ", ".join(map(str, rows[:shown])) + (f" and {more:,} more" if more > 0 else "")


def _assessment(sh, matrix, v, risk, excel_row, as_of, has_inherent, has_residual, placed=None) -> dict | None:
    cols = sh.idx
    inh = (v.get("inherent_likelihood"), v.get("inherent_impact")) if has_inherent else (None, None)
    res = (v.get("residual_likelihood"), v.get("residual_impact")) if has_residual else (None, None)
    if placed and None not in inh and v.get(placed) is not None:
        res = _placed_residual(sh, matrix, inh, placed, v[placed], excel_row)
    for stage, pair in (("inherent", inh), ("residual", res)):
        if (pair[0] is None) != (pair[1] is None):  # half a rating: taking the other pair would drop the half given
            missing, given = ("likelihood", "impact") if pair[0] is None else ("impact", "likelihood")
            sh.problem(excel_row, cols.get(f"{stage}_{missing}"), f"{stage}_{missing}", None,
                       f"the {stage} {given} is given but not the {missing}: give both, or neither")
            return None
    if None in inh and None in res:
        return None
    if None in inh:
        if has_inherent:
            sh.problem(excel_row, cols.get("inherent_likelihood"), "inherent_likelihood", None,
                       "inherent risk not rated: the residual rating is used as the inherent", "warning")
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
    a = validate_row(sh, Assessment, rec, excel_row, cols)
    if a is not None:
        for stage, pair in (("inherent", inh), ("residual", res)):
            _check_rating(sh, matrix, v, stage, pair, excel_row)
    return a


def _placed_residual(sh: SheetContext, matrix: RiskMatrix, inh: tuple[int, int], field: str, given, excel_row: int
                     ) -> tuple[int | None, int | None]:
    """A residual given as a score or a level only, placed at the inherent impact (see the stated rule)."""
    likelihood, impact = inh
    options = range(1, likelihood + 1)
    if field == "residual_score":
        try:
            score = cells.parse_number(given)
        except (ValueError, TypeError):
            return None, None
        best = min(options, key=lambda k: (abs(matrix.score(k, impact) - score), k))
        return best, impact
    word = cells.level_word(given)
    same = {"moderate", "medium"} if word in ("moderate", "medium") else {word}
    fits = [k for k in options if cells.level_word(matrix.level(k, impact)) in same]
    if fits:
        return max(fits), impact
    sh.problem(excel_row, sh.idx[field], field, cells.text(given),
               f"no likelihood up to {likelihood} gives level {given!r} at impact {impact} on the {matrix.name} "
               "matrix: the residual is not rated", "warning")
    return None, None


def _check_rating(sh: SheetContext, matrix: RiskMatrix, v: dict, stage: str, pair: tuple[int, int], excel_row: int) -> None:
    """A score or rating in the file that disagrees with the matrix: a warning naming both; the matrix wins."""
    level = matrix.level(*pair)
    score = matrix.score(*pair)
    raw_pair = [sh.cell(sh.rows[excel_row - 1], f"{stage}_{a}") for a in ("likelihood", "impact")]
    file_score = v.get(f"{stage}_score")
    if file_score is not None:
        try:
            expected = cells.parse_number(raw_pair[0]) * cells.parse_number(raw_pair[1])
        except (ValueError, TypeError):
            expected = score
        if abs(file_score - expected) > 1e-9 and abs(file_score - score) > 1e-9:
            sh.problem(excel_row, sh.idx[f"{stage}_score"], f"{stage}_score", cells.text(file_score),
                       f"the file's score {cells.text(file_score)} disagrees with likelihood x impact "
                       f"= {score} on the {matrix.name} matrix; the matrix wins", "warning")
    rating = v.get(f"{stage}_rating")
    if rating is not None:
        word = cells.level_word(level)  # both sides alike: a matrix may name its levels in Czech too
        same = {word} | ({"moderate", "medium"} if word in ("moderate", "medium") else set())
        if cells.level_word(rating) not in same:
            sh.problem(excel_row, sh.idx[f"{stage}_rating"], f"{stage}_rating", rating,
                       f"the file rates this {stage} risk {rating!r}; the {matrix.name} matrix gives {level!r} "
                       f"for likelihood {pair[0]} x impact {pair[1]}; the matrix wins", "warning")


def plain_rows(sh: SheetContext, matrix: RiskMatrix, as_of: dt.date, max_rows: int, coerced=None) -> pd.DataFrame:
    """One record per row; `coerced` is the sheet's `coerced_columns` when the caller has it already."""
    kind = sh.m.kind
    model = KINDS[kind][1]
    if kind == "metrics" and "control_domain" not in sh.idx:
        sh.plan.rules.append(f"{sh.m.sheet}: no control domain column: every indicator is filed under {DEFAULT_THEME}")
    body, cols, ok = coerced if coerced is not None else coerced_columns(sh, matrix, max_rows)
    if kind in STATED_DEFAULTS:
        # a control register without a status column is not a register of implemented controls
        # unless someone says so: the stand-in is a rule line, as a risk's are
        filled = [f"{header_label(f).lower()} = {getattr(model.model_fields[f].default, 'value', '')}"
                  for f in STATED_DEFAULTS[kind] if f not in sh.idx]
        if filled:
            sh.plan.rules.append(f"{sh.m.sheet}: columns the file lacks are filled: " + "; ".join(filled))
    frame = pd.DataFrame({f: c[ok] for f, c in cols.items()})
    frame["_row"] = np.asarray(body, dtype=np.int64)[ok] + 1 if len(body) else np.zeros(0, dtype=np.int64)
    if kind == "metrics":
        for extra in ("direction", "unit"):
            given = frame[extra] if extra in frame else pd.Series(None, index=frame.index, dtype=object)
            frame[extra] = given.where(given.notna(), frame.get(f"_{extra}"))
        # 'percentage' in a Unit column is '%', as the board, the thresholds and the charts' 0-100 axis read it
        # ('4.2 percentage' broke over two lines at 1366 px, where '4.2%' fits)
        said = frame["unit"].map(lambda u: "%" if isinstance(u, str) and u.strip().casefold() in _PERCENT_WORDS else u)
        frame["unit"] = said.astype(object).where(said.notna(), None)
        missing = frame["direction"].isna()
        told = _direction_from_thresholds(frame)
        if (missing & told.notna()).any():
            # a breach level below the warning level can only mean higher is better, and the reverse
            frame.loc[missing & told.notna(), "direction"] = told[missing & told.notna()]
            sh.plan.rules.append(f"{sh.m.sheet}: no direction given for {int((missing & told.notna()).sum())} indicator(s) "
                                 "with both thresholds: 'Higher is better' where red is below amber, else 'Lower is better'")
            missing = frame["direction"].isna()
        if missing.any():
            named = frame["name"] if "name" in frame else frame["metric_id"]
            guessed = named.where(named.notna(), frame["metric_id"]).map(direction_from_name)
            frame.loc[missing, "direction"] = guessed[missing]
            sh.plan.rules.append(
                f"{sh.m.sheet}: no direction given for {int(missing.sum())} indicator(s): 'Lower is better' where "
                "the name speaks of time (time to detect, hours, days), failures, clicks or open items, or counts "
                "findings or incidents without saying they are remediated or resolved, else 'Higher is better': "
                + ", ".join(f"{i} ({d.lower()})" for i, d in
                                                     zip(frame.loc[missing, "metric_id"], guessed[missing])))
        frame["control_domain"] = frame["control_domain"] if "control_domain" in frame else DEFAULT_THEME
        frame["name"] = frame["name"].fillna(frame["metric_id"]) if "name" in frame else frame["metric_id"]
    if kind == "findings":
        _fill_findings(sh, frame, as_of)
    if kind == "treatments" and "completed_on" not in sh.idx and "status" in frame:
        _completed_when_done(sh, frame, as_of)
    if kind == "control_tests" and "due_on" not in sh.idx and "due_on" not in sh.m.fixed and "period" in frame:
        # a test log without due dates: each test is due by the end of the period it tests (every
        # row was refused 'Due on: Field required', a column the analyst had not been told to add)
        frame["due_on"] = frame["period"]
        sh.plan.rules.append(f"{sh.m.sheet}: no due date column: each test is due on the last day of its period")
    for f, value in sh.m.fixed.items():  # the analyst's one value, where the file has no column for it
        if f not in sh.idx and f in model.model_fields:
            frame[f] = value
            sh.plan.rules.append(f"{sh.m.sheet}: no {header_label(f).lower()} column: each of its rows is given "
                                 f"'{value}', as chosen on the Import page")
    return validate_many(sh, model, frame)


def _completed_when_done(sh: SheetContext, frame: pd.DataFrame, as_of: dt.date) -> None:
    """A tracker with no completion date column: a Done treatment is completed on its last update
    (the tracker's 'Last updated'), else on the as-of date, said as a rule. Each was refused, 'a
    treatment with status Done needs a completed date', for a column the tracker never had."""
    done = (frame["status"] == "Done").to_numpy()
    if not done.any():
        return
    updated = frame["updated_on"] if "updated_on" in frame else [None] * len(frame)
    frame["completed_on"] = [(u if isinstance(u, dt.date) else as_of) if d else None for d, u in zip(done, updated)]
    when = f"its '{sh.headers[sh.idx['updated_on']]}', else {short_date(as_of)}" if "updated_on" in sh.idx else short_date(as_of)
    sh.plan.rules.append(f"{sh.m.sheet}: no completion date column: {int(done.sum()):,} Done treatment(s) are completed on {when}")


def _fill_findings(sh: SheetContext, frame: pd.DataFrame, as_of: dt.date) -> None:
    """A CAPA tracker or POA&M that keeps no date raised, or no title: each finding is dated the
    file's date, or its due or closing date where earlier (a finding is not due, nor closed, before
    it was raised), and titled by its id, each rule said. A finding the register holds keeps its own date
    (`pipeline._raised_kept_from_register`), so its age does not restart with every import."""
    if "raised_on" not in sh.idx:
        nothing = pd.Series(None, index=frame.index, dtype=object)
        due, closed = (frame[f] if f in frame else nothing for f in ("due_on", "closed_on"))
        frame["raised_on"] = [min([as_of, *(d for d in pair if isinstance(d, dt.date))]) for pair in zip(due, closed)]
        sh.plan.rules.append(f"{sh.m.sheet}: no date raised: each finding new to the register is dated {short_date(as_of)}, "
                             "or its due or closing date where earlier, and its age counts from then; a finding the "
                             "register holds keeps its own date")
    if "title" not in sh.idx:
        frame["title"] = frame["finding_id"]
        sh.plan.rules.append(f"{sh.m.sheet}: no title column: each finding is titled by its id")


def _direction_from_thresholds(frame: pd.DataFrame) -> pd.Series:
    """'Higher is better' where red < amber, 'Lower is better' where red > amber, else None."""
    if "amber" not in frame or "red" not in frame:
        return pd.Series(None, index=frame.index, dtype=object)
    amber, red = pd.to_numeric(frame["amber"]), pd.to_numeric(frame["red"])
    out = pd.Series(None, index=frame.index, dtype=object)
    out[red < amber] = Direction.higher_is_better.value
    out[red > amber] = Direction.lower_is_better.value
    return out


def metric_rows(sh: SheetContext, matrix: RiskMatrix, as_of: dt.date, max_rows: int) -> dict[str, pd.DataFrame]:
    """KRI definitions; where the sheet also gives each indicator's current value, that value is a
    monitoring result for the month of its date column (else the as-of month: the rule is stated)."""
    body, coerced, ok = got = coerced_columns(sh, matrix, max_rows)
    out = {"metrics": plain_rows(sh, matrix, as_of, max_rows, got)}
    cols = sh.idx
    if "value" not in cols or not len(body):
        if "period" in cols and "value" not in cols:
            sh.problem(sh.m.header_row + 1, cols["period"], "period", sh.headers[cols["period"]],
                       "a date column with no value column beside it: not imported", "warning")
        return out
    value = pd.Series(coerced["value"], dtype=object)
    period = pd.Series(coerced["period"], dtype=object) if "period" in coerced else pd.Series(None, index=value.index, dtype=object)
    month = as_of.replace(day=1)
    if period.isna().any() and value.notna().any():
        sh.plan.rules.append(f"{sh.m.sheet}: a current value without a date is the result for {month:%B %Y} (the as-of month)")
    rows = pd.DataFrame({"metric_id": coerced["metric_id"], "period": period.where(period.notna(), month).map(
        lambda d: d.replace(day=1)), "value": value, "note": None,
        "_row": np.asarray(body, dtype=np.int64) + 1 if len(body) else np.zeros(0, dtype=np.int64)})
    keep = ok & value.notna().to_numpy() & pd.Series(coerced["metric_id"]).notna().to_numpy()
    defined = set(out["metrics"]["metric_id"])
    rows = rows[keep & rows["metric_id"].isin(defined).to_numpy()].reset_index(drop=True)
    sh.plan.rules.append(f"{sh.m.sheet}: column '{sh.headers[cols['value']]}' is each indicator's result "
                         f"({len(rows)} result(s))")
    out["monitoring_results"] = validate_many(sh, MonitoringResult, rows)
    return out


def treatment_rows(sh: SheetContext, matrix: RiskMatrix, as_of: dt.date, max_rows: int) -> dict[str, pd.DataFrame]:
    """Treatments; where the tracker also gives each one's percent complete, that is a progress
    update dated the as-of date, with the row's status (a tracker's '% Complete' column was 'not
    imported', and the progress the reviews chart never arrived)."""
    body, coerced, ok = got = coerced_columns(sh, matrix, max_rows)
    out = {"treatments": plain_rows(sh, matrix, as_of, max_rows, got)}
    if "percent_complete" not in sh.idx or not len(body):
        return out
    dated = pd.Series(coerced["updated_on"], dtype=object) if "updated_on" in coerced else None
    rows = pd.DataFrame({"treatment_id": coerced["treatment_id"],
                         "updated_on": as_of if dated is None else dated.where(dated.notna(), as_of),
                         "percent_complete": pd.Series(coerced["percent_complete"], dtype=object),
                         "status": coerced.get("status", pd.Series(None, index=range(len(body)), dtype=object)),
                         "note": None, "_row": np.asarray(body, dtype=np.int64) + 1})
    listed = set(out["treatments"]["treatment_id"])
    keep = ok & rows["percent_complete"].notna().to_numpy() & rows["treatment_id"].isin(listed).to_numpy()
    rows = rows[keep].reset_index(drop=True)
    when = (f"dated by its '{sh.headers[sh.idx['updated_on']]}' (else {short_date(as_of)})" if dated is not None
            else f"dated {short_date(as_of)}")
    sh.plan.rules.append(f"{sh.m.sheet}: column '{sh.headers[sh.idx['percent_complete']]}' is each treatment's progress, "
                         f"an update {when} ({len(rows):,} update{'s' if len(rows) != 1 else ''})")
    out["treatment_updates"] = validate_many(sh, TreatmentUpdate, rows)
    return out


def direction_from_name(name: object) -> str:
    """A KRI's direction from its name or id: time, duration, failures and open items are better
    low; findings, incidents and the like too, unless the name speaks of dealing with them."""
    words = re.split(r"[^a-z0-9]+", str(name).casefold())
    tokens = set(words)
    strong = tokens & (_LOWER_IS_BETTER - _COUNTED)
    counted = tokens & _COUNTED and not tokens & _DEALT_WITH
    lower = bool(strong or counted) or "time_to" in "_".join(words)
    return (Direction.lower_is_better if lower else Direction.higher_is_better).value


def period_columns(sh: SheetContext) -> tuple[dict[int, dt.date], int | None]:
    """A row-per-indicator sheet's month columns (column -> the month's first day, from headers
    that read as dates) and its indicator column (the first other column with a header)."""
    periods = {}
    header = sh.rows[sh.m.header_row]
    # '2/1/2026', '3/1/2026' over the months, where another header reads '12/31/2025': month first
    day_first, month_first, _ = cells.slash_order([h for h in header if isinstance(h, str)])
    us = bool(month_first) and not day_first
    for i, h in enumerate(header):
        try:
            if not cells.blank(h):
                periods[i] = cells.parse_date(h, period_end=False, month_first=us).replace(day=1)
        except ValueError:
            pass
    return periods, next((i for i, h in enumerate(sh.headers) if h and i not in periods), None)


def imported_columns(sh: SheetContext) -> set[int]:
    """The columns of a mapped sheet whose cells the import reads (0-based)."""
    if sh.m.layout == WIDE_ROWS:
        return {i for i, h in enumerate(sh.headers) if h}
    if sh.m.layout != LONG:
        periods, id_col = period_columns(sh)
        target = target_column(sh, periods, id_col)
        return set(periods) | {c for c in (id_col, target) if c is not None}
    return set(sh.idx.values())


def target_column(sh: SheetContext, periods: dict[int, dt.date], id_col: int | None) -> int | None:
    """A row-per-indicator sheet's Target column ('Target', 'Goal'), beside its months: each
    indicator's target, which also tells its direction ('90+', '<= 14 days')."""
    from isms.importing.mapping import match_columns

    others = [h if i not in periods and i != id_col else None for i, h in enumerate(sh.headers)]
    header = match_columns("metrics", others).get("target")
    return others.index(header) if header else None


def wide_rows(sh: SheetContext, max_rows: int) -> list[dict]:
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
        # a row per month: its month column's dates decide their own order, as a long sheet's do
        day_first, month_first, _ = cells.slash_order([sh.rows[r][pcol] for r in body if pcol < len(sh.rows[r])])
        us = bool(month_first) and not day_first
        for r in body:
            raw = sh.rows[r]
            if all(cells.blank(c) for c in raw):
                continue
            try:
                period = cells.parse_date(raw[pcol], period_end=False, month_first=us).replace(day=1)
            except ValueError as exc:
                sh.problem(r + 1, pcol, "period", cells.text(raw[pcol]), str(exc))
                continue
            for i, h in series:
                _add_result(out, sh, raw, r, i, h, period)
    else:
        periods, id_col = period_columns(sh)
        if id_col is None:
            sh.problem(None, None, "metric_id", None, "required column missing: the indicator column")
            return out
        target = target_column(sh, periods, id_col)
        for r in range(sh.m.header_row + 1, len(sh.rows)):
            raw = sh.rows[r]
            if id_col >= len(raw) or cells.blank(raw[id_col]):
                continue
            mid = cells.text(raw[id_col])
            for i, p in periods.items():
                _add_result(out, sh, raw, r, i, mid, p)
            if target is not None and target < len(raw) and not cells.blank(raw[target]):
                try:
                    sh.plan.targets[mid] = cells.parse_target(raw[target])
                except ValueError as exc:
                    sh.problem(r + 1, target, "target", cells.text(raw[target]),
                               f"{exc}; the indicator is imported without a target", "warning")
    if len(out) > max_rows:
        sh.problem(None, None, None, None, f"{len(out):,} results is over the limit of {max_rows:,}")
        return []
    return out


def _add_result(out: list[dict], sh: SheetContext, raw: list, r: int, col: int, metric_id: str, period) -> None:
    """One cell of a wide results sheet (either orientation): a result, a problem, or nothing if blank."""
    cell = raw[col] if col < len(raw) else None
    if cells.blank(cell):
        return
    try:
        out.append({"metric_id": metric_id, "period": period, "value": cells.parse_number(cell), "note": None,
                    "_row": r + 1})
    except ValueError as exc:
        sh.problem(r + 1, col, None, cells.text(cell), str(exc))


def required_missing(sh: SheetContext) -> bool:
    model = KINDS[sh.m.kind][1]
    filled = (*FILLED.get(sh.m.kind, ()), *sh.m.fixed)
    missing = [f for f, info in model.model_fields.items()
               if info.is_required() and f not in sh.idx and f not in filled]
    if sh.m.kind == "assessments":
        missing = [f for f in missing if not f.startswith("residual")] if "residual_likelihood" not in sh.idx else missing
    if missing:
        def named(f: str) -> str:  # a word column says its words: 'Grade (one of: Major nonconformity, ...)'
            enum = enum_of(model.model_fields[f].annotation)
            words = f" (one of: {', '.join(e.value for e in enum)})" if enum is not None else ""
            return f.replace("_", " ").capitalize() + words

        names = ", ".join(named(f) for f in missing)
        # a findings sheet's grade may be given for every row instead (the Import page's box under the table)
        one = (", or choose 'Grade of every finding in this sheet' below the column table (Import page)"
               if sh.m.kind == "findings" and "grade" in missing else "")
        sh.problem(sh.m.header_row + 1, None, None, None,
                   f"required column(s) missing: {names}; map a column to each{one}, or choose another kind")
    return bool(missing)


def define_metrics(plan: Any, con: duckdb.DuckDBPyConnection | None) -> None:
    """Indicators that monitoring results name but no definition has: defined from their names,
    and from the Target column beside the months where the sheet has one ('90+' is a target of 90,
    higher is better). A bare target ('25') gives the direction from the indicator's first result:
    one that starts short of its target below it works upwards, one above it downwards."""
    res = plan.frames.get("monitoring_results")
    if res is None or res.empty:
        return
    have = set(plan.frames["metrics"]["metric_id"]) if "metrics" in plan.frames else set()
    stored = queries.known_ids(con, "metrics", plan.as_of) if con is not None else set()
    named = set(res["metric_id"])
    new = sorted(named - have - stored)
    defined_already = sorted(m for m in plan.targets if m in named and m not in new)
    if defined_already:  # said, not dropped: the register's definition (with its thresholds) stands
        plan.rules.append(f"the Target column is not taken for {len(defined_already)} indicator(s) the KRI register "
                          "defines already (their definitions stand; import the KRI register to change a target): "
                          + ", ".join(defined_already))
    if not new:
        return
    first = res.sort_values("period").drop_duplicates("metric_id").set_index("metric_id")["value"]
    defs, how = [], {}
    for mid in new:
        tokens = mid.casefold().replace("-", "_").split("_")
        unit = next((_UNIT_SUFFIX[t] for t in reversed(tokens) if t in _UNIT_SUFFIX), None)
        target, said, target_unit = plan.targets.get(mid, (None, None, None))
        if said is not None:
            direction, how[mid] = said, "as its target says"
        elif target is not None and first.get(mid, target) != target:
            direction = (Direction.higher_is_better if first[mid] < target else Direction.lower_is_better).value
            how[mid] = f"its first result, {first[mid]:g}, is {'below' if first[mid] < target else 'above'} its target"
        else:
            direction = direction_from_name(mid)
        if " " in mid.strip():  # a name as written ('Microsoft 365 Secure Score') keeps its capitals
            name = mid
        else:
            words = [t for t in tokens if t not in ("pct", "percent")]
            if unit and len(words) > 1 and words[-1] in _UNIT_WORDS:  # 'Incident MTTR (hours)', not '... hours (hours)'
                words = words[:-1]
            name = " ".join(_ACRONYMS.get(w, w) for w in words)
            name = name[:1].upper() + name[1:] + (f" ({unit})" if unit else "")
        defs.append(Metric(metric_id=mid, name=name[:300], control_domain=DEFAULT_THEME, unit=target_unit or unit,
                           direction=direction, target=target, cadence=Cadence.monthly).model_dump(mode="json"))

    def said(d: dict) -> str:
        target = f"; target {d['target']:g}{d['unit'] if d['unit'] == '%' else ''}" if d["target"] is not None else ""
        because = f", {how[d['metric_id']]}" if d["metric_id"] in how else ""
        return f"{d['metric_id']} ({d['direction'].lower()}{because}{target})"

    targets = sum(d["target"] is not None for d in defs)
    plan.rules.append(
        f"{len(new)} indicator(s) have results but no definition; each is defined from its name, in "
        f"{DEFAULT_THEME}, without thresholds"
        + (f", with the target the Target column gives ({targets} of them)" if targets else "")
        + "; its direction is what its target says ('90+' higher is better), else the side of the target its "
        "first result starts on (below: higher is better), else 'Lower is better' where the name speaks of time, "
        "failures, clicks or open items, or counts findings or incidents without saying they are remediated or "
        "resolved, and 'Higher is better' otherwise: " + ", ".join(map(said, defs)))
    base = plan.frames.get("metrics")
    if base is None:  # a file of results alone adds these to the KRI register; the rest of it stays
        plan.parts = plan.parts | {"metrics"}
    fields = list(Metric.model_fields)
    plan.frames["metrics"] = pd.concat([df for df in (base, pd.DataFrame(defs, columns=fields)) if df is not None and not df.empty],
                                       ignore_index=True)[fields]


def fractions_among_percents(plan: Any) -> None:
    """An indicator's result between 0 and 1 among its results of 10 and above (0.93 beside 91 and 94.5:
    a fraction typed where the others are percents) is said at its cell, with what to write; read
    as written it was a month at 0.93%, far off its target. Not changed: a KRI may well run from
    0.5 to 3. Cells formatted as percentages are read as shown already (isms.importing.reading)."""
    res = plan.frames.get("monitoring_results")
    if res is None or res.empty:
        return
    values = pd.to_numeric(res["value"], errors="coerce")
    for mid, v in values.groupby(res["metric_id"]):
        fraction = (v > 0) & (v < 1)
        # the others all 10 or more: percents ('Failed backup jobs %' running 0.2 to 1.7 is no such case)
        others = v[~fraction & v.notna() & (v != 0)]
        if not fraction.any() or others.empty or (others < 10).any():
            continue
        above = others.iloc[0]
        at = list(v.index[fraction][:20])
        for (sheet, row, letter), x in zip(plan.cells("monitoring_results", at, "value"), v[at]):
            plan.problems.append(Problem(
                sheet, row, letter, None, f"{x:g}",
                f"{x:g} among {mid}'s results above 1 (such as {above:g}): read as {x:g}; if it is a fraction "
                f"({x:g} for {x * 100:g}%), write {x * 100:g}", "warning"))


def results_before_definitions(plan: Any, con: duckdb.DuckDBPyConnection | None) -> None:
    """Warn of results for months before their indicator is first defined (in the register, or by
    this file as of its date): they are stored, but Security Health judges a month against the
    definitions the register held at its end and would not show them. A KRI file with two years of
    history imported as of today is the usual case; the warning gives the date that shows them."""
    res = plan.frames.get("monitoring_results")
    if res is None or res.empty:
        return
    first = queries.metrics_first_defined(con) if con is not None else {}
    if "metrics" in plan.frames:
        for mid in plan.frames["metrics"]["metric_id"]:
            first[mid] = min(first.get(mid, plan.as_of), plan.as_of)
    defined = pd.to_datetime(res["metric_id"].map(first))
    month_ends = pd.to_datetime(res["period"]) + pd.offsets.MonthEnd(0)
    early = res.index[(month_ends < defined).to_numpy()]
    if not len(early):
        return
    periods = pd.to_datetime(res.loc[early, "period"])
    where = int(periods.to_numpy().argmin())
    sheet, row, letter = plan.cells("monitoring_results", [early[where]], "period")[0]
    header, value = "Period", periods.min().date().isoformat()
    m = next((x for x in plan.mappings if x.sheet == sheet), None)
    if letter is None and m is not None and m.layout != LONG and m.layout != WIDE_ROWS:
        # a row per indicator: the month is a column's header, and the cell is the first result's own
        sh = SheetContext(plan, m, plan.sheets.get(sheet, []))
        col = next((i for i, p in period_columns(sh)[0].items() if p == periods.min().date().replace(day=1)), None)
        if col is not None:
            letter, header = column_letter(col), sh.headers[col]
            cell = sh.rows[row - 1][col] if row - 1 < len(sh.rows) and col < len(sh.rows[row - 1]) else None
            value = cells.text(cell) if not cells.blank(cell) else value
    show = (periods.min() + pd.offsets.MonthEnd(0)).date()
    n, kris = len(early), res.loc[early, "metric_id"].nunique()
    months = f"{periods.min():%Y-%m}" + (f" to {periods.max():%Y-%m}" if periods.max() > periods.min() else "")
    # re-dating the file is advice only for a KRI file that defines these indicators itself: one that
    # also holds other registers would move them too, and the register's own definitions (thresholds)
    # would give way to ones made from the names
    defines = "metrics" in plan.frames and set(res.loc[early, "metric_id"]) <= set(plan.frames["metrics"]["metric_id"])
    kri_file = defines and set(plan.frames) <= {"monitoring_results", "metrics"}
    advice = (f"to show them, import the file as of {show}, the first result's month end" if kri_file else
              f"to show them, import the indicators' definitions as of {show} (the first result's month end) or earlier")
    # a KRI register dated after that month replaces the one this file would add to: re-dated, the file
    # would show its indicators only until then, and the analyst re-dated it to find a second warning
    later = queries.next_whole_register(con, "metrics", show) if con is not None else None
    if kri_file and later is not None:
        advice = ("to show them, add these indicators, with their thresholds, to your KRI register file and import "
                  f"that again: dated {show}, this file would show them only until the register's next batch, dated "
                  f"{later:%Y-%m-%d}")
    plan.problems.append(Problem(
        sheet, row, letter, header, value,
        f"{n:,} result(s) of {kris:,} indicator(s), for {months}, are for months before the register defines the "
        f"indicator (from {min(defined[early]):%Y-%m-%d}): they are kept, but Security Health judges a month's results "
        f"against the definitions the register held at its end, so it will not show these; {advice}", severity="warning"))
