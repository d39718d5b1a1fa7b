"""How a sheet in the analyst's own layout is understood: its kind, its header row, its columns.

The proposal is data (`SheetMapping`), shown on the page, changed by the analyst and saved as a
named profile, so the next file of the same shape maps the same way without questions.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from isms.importing import cells
from isms.importing.cells import METRIC_READING
from isms.models import KINDS, enum_of

IGNORE = "ignore"
SHEET_KINDS = [*KINDS, IGNORE]
KIND_LABELS = {
    "assets": "Assets", "risks": "Risks (register)", "assessments": "Assessments", "treatments": "Treatments",
    "treatment_updates": "Treatment updates", "metrics": "Metrics (KRI definitions)",
    "monitoring_results": "Monitoring results", "exceptions": "Policy exceptions",
    "controls": "Controls (control register)", "soa": "Statement of Applicability", "control_tests": "Control tests",
    "audits": "Audits and certifications", "findings": "Audit findings", "frameworks": "Framework (your catalog)",
    "requirements": "Requirements (your catalog)", "mappings": "Framework mappings (suggestions)",
    "decisions": "Forum decisions (minutes)", "actions": "Forum actions", IGNORE: "Ignore this sheet",
}
# Kinds of the Compliance review: proposed for a sheet named as the template names it, or one whose
# headers say it is an SoA, a control register or a findings list (LOOKS_LIKE), never by score
# alone (a risk register that names its controls stays a risk register).
COMPLIANCE = ("controls", "soa", "control_tests", "audits", "findings", "frameworks", "requirements", "mappings")
# The forum's kinds, proposed the same way: only for a sheet named after them (a findings list or a
# treatment tracker has owners, due dates and statuses too).
FORUM = ("decisions", "actions")
FORUM_SHEET_NAMES = {"decisions": ("decisions", "minutes", "decision_log", "decisions_log", "meeting_decisions"),
                     "actions": ("actions", "action_log", "actions_log", "action_tracker", "action_items")}
LONG, WIDE_ROWS, WIDE_COLUMNS = "long", "row per period", "row per indicator"

# Fields a register sheet may carry beyond the Risk model: the rating pairs become an assessment,
# the score and rating columns are checked against the matrix, a response becomes a treatment.
ASSESSMENT_FIELDS = ["inherent_likelihood", "inherent_impact", "control_effectiveness", "residual_likelihood",
                     "residual_impact", "target_likelihood", "target_impact", "assessed_on", "assessor"]
CHECK_FIELDS = ["inherent_score", "inherent_rating", "residual_score", "residual_rating"]
TREATMENT_FIELDS = ["decision", "treatment_plan", "due_on"]
# a treatment tracker's progress column, beside the register's columns: a progress update (kinds.treatment_rows)
TRACKER_PROGRESS = ["percent_complete", "updated_on"]

# Folded header spellings per field. A field's own name is always a synonym.
SYNONYMS: dict[str, list[str]] = {
    "risk_id": ["id", "number", "ref", "ref_id", "risk_ref", "risk_no", "risk_number", "risk_reference", "reference", "risk_key"],
    "title": ["exception_title", "name", "risk", "risk_title", "risk_name", "nazev_rizika", "threat_event", "threat_scenario", "risk_statement", "summary", "threat", "control_name", "risk_description"],
    "description": ["risk_description", "popis_rizika", "gap_description", "business_risk", "details", "vulnerability", "finding",
                    "security_finding", "threat_scenario"],
    "annex_a_controls": ["control_ref", "control_refs", "controls", "control", "iso_27001_control", "annex_a",
                         "annex_a_control", "iso_control", "control_id", "related_controls", "related_control",
                         "iso_27001_control_ref", "iso_control_ref", "iso_27001_controls", "iso_27001_annex_a",
                         "iso_27001_annex_a_control", "annex_a_ref", "annex_a_reference", "control_reference",
                         "control_mapping", "mapped_controls", "controls_mapped", "applicable_controls", "iso_27002_control",
                         "annex_a_applicable_controls"],
    "annex_a_theme": ["theme", "annex_a_theme", "control_theme"],
    "asset_ids": ["asset", "assets", "asset_id", "asset_system", "asset_area", "asset_process", "affected_asset", "affected_assets", "system"],
    "owner": ["risk_owner", "accountable", "accountable_owner", "responsible", "owner_name", "responsible_person",
              "responsible_party", "assigned_to", "owned_by", "risk_manager", "action_owner", "vlastnik_rizika"],
    "status": ["risk_status", "state", "current_status", "stav"],
    "identified_on": ["date_identified", "identified", "date_raised", "raised_on", "identified_date", "date_logged",
                      "created", "date_added"],
    "source": ["risk_source", "origin"],
    "business_unit": ["bu", "unit", "business_area", "department", "division", "line_of_business", "team"],
    "nist_family": ["nist_800_53_family", "nist_control_family"],
    "inherent_likelihood": ["likelihood", "like", "likelihood_rating", "pravdepodobnost", "probability", "proba", "current_proba", "current_probability",
                            "current_likelihood", "inherent_probability", "inherent_proba", "l"],
    "inherent_impact": ["impact", "impact_rating", "dopad", "severity", "consequence", "current_impact", "inherent_severity",
                        "inherent_consequence", "i"],
    "residual_likelihood": ["residual_probability", "residual_proba"],
    "residual_impact": ["residual_severity", "residual_consequence"],
    "target_likelihood": ["target_probability"],
    "target_impact": ["target_severity"],
    "control_effectiveness": ["control_effectiveness_rating", "controls_effectiveness", "effectiveness"],
    "assessed_on": ["assessment_date", "date_assessed", "assessed", "review_date", "last_reviewed", "datum_revize",
                    "date"],
    "assessor": ["assessed_by", "reviewer"],
    "inherent_score": ["risk_score", "score", "inherent_risk_score", "current_score", "inherent_risk"],
    "inherent_rating": ["inherent_risk_level", "inherent_rating", "risk_level", "rating", "risk_rating", "uroven_rizika",
                        "current_risk", "level", "inherent_level"],
    "residual_score": ["residual_risk_score"],
    "residual_rating": ["residual_risk_level", "residual_risk", "residual_rating", "residual_level"],
    "decision": ["treatment", "risk_treatment", "risk_treatment_option", "response", "strategy", "treatment_strategy", "risk_response", "response_type",
                 "treatment_decision", "treatment_option"],
    "treatment_plan": ["treatment_plan", "recommended_action", "recommendation", "doporucene_opatreni", "remediation_action", "action_plan", "mitigation",
                       "mitigation_plan", "additional_controls", "response_description"],
    "due_on": ["due", "due_date", "target_date", "deadline", "target_completion", "due_by"],
    "treatment_id": ["treatment_ref", "action_id", "plan_id"],
    "start_on": ["start", "start_date", "started"],
    "completed_on": ["completed", "completion_date", "date_completed", "closed_on"],
    "updated_on": ["update_date", "as_of", "date", "reported_on"],
    "percent_complete": ["progress", "percent", "pct_complete", "complete", "completion"],
    "note": ["notes", "comment", "comments", "remarks"],
    "metric_id": ["metric", "kri", "kri_id", "indicator", "indicator_id", "measure", "measure_id"],
    "name": ["metric_name", "indicator_name", "kri_name", "asset_name", "title"],
    "control_domain": ["domain", "theme"],
    "unit": ["units", "uom"],
    "direction": ["polarity", "better", "good_direction"],
    "target": ["goal", "objective", "target_value"],
    "amber": ["amber_threshold", "warning", "warning_threshold", "threshold_warning", "warning_level", "amber_level",
              "threshold_amber", "tolerance"],
    "red": ["red_threshold", "limit", "critical_threshold", "threshold_breach", "breach", "breach_threshold",
            "threshold_red", "threshold_critical", "red_level", "appetite_limit"],
    "cadence": ["frequency", "period_type", "reporting_frequency"],
    "period": ["month", "date", "reporting_period", "measured_on", "reporting_date", "as_of_date", "measurement_date"],
    "value": ["result", "measurement", "actual", "reading", "current_value", "latest_value", "actual_value",
              "current_reading", "current"],
    "asset_class": ["class", "category"],
    "asset_type": ["type"],
    "criticality": ["business_criticality", "asset_criticality", "classification"],
    "location": ["site", "region"],
    "exception_id": ["exception", "exception_ref", "waiver_id"],
    "policy": ["policy_name", "policy_id", "policy_ref", "policy_reference", "policy_number", "standard",
               "policy_or_standard", "policy_violated"],
    "justification": ["business_justification", "reason", "rationale", "business_reason", "justification_for_exception"],
    "likelihood": ["probability", "proba"],
    "impact": ["severity", "consequence"],
    "requested_on": ["requested", "request_date", "date_requested"],
    "granted_on": ["granted", "approval_date", "approved_on", "date_approved", "date_granted", "start_date", "effective_date"],
    "expires_on": ["expiry", "expiry_date", "expires", "expiration_date", "valid_until", "end_date", "expiration"],
    "compensating_controls": ["compensating_control", "mitigations", "existing_controls", "compensating_measures",
                              "mitigating_controls"],
    "approver": ["approved_by", "approver_name", "approving_authority"],
}

# Spellings that mean a field in one kind only ('Control owner' is a control's owner, never a risk's).
KIND_SYNONYMS: dict[str, dict[str, list[str]]] = {
    "treatments": {
        "updated_on": ["last_updated", "last_update", "updated", "update_date", "progress_date", "progress_as_of"],
        "percent_complete": ["pct_complete", "percent_done", "progress", "progress_percent", "progress_pct", "completion_percent"],
        "description": ["action", "action_description", "treatment_action", "treatment_description", "treatment", "activity",
                        "mitigation_action"],
    },
    "exceptions": {
        "risk_id": ["related_risk", "linked_risk", "associated_risk", "risk", "risk_ref", "risk_reference"],
    },
    "decisions": {
        "held_on": ["meeting_date", "meeting_on", "date_of_meeting", "meeting", "date", "held"],
        "series": ["forum", "meeting_series", "committee", "board"],
        "decision_kind": ["kind", "type", "decision_type", "category"],
        "text": ["decision", "decision_text", "minute", "description", "summary", "what_was_decided"],
        "review_on": ["review_date", "expiry", "expires_on", "expiry_date", "valid_until", "review_by"],
        "decision_id": ["id", "ref", "decision_ref", "decision_no", "reference"],
        "risk_ids": ["risks", "risk_id", "risk", "linked_risks", "related_risks"],
        "treatment_ids": ["treatments", "treatment_id", "treatment", "linked_treatments"],
        "exception_ids": ["exceptions", "exception_id", "exception", "linked_exceptions", "waivers"],
        "kri_ids": ["kris", "kri_id", "kri", "metric_id", "metrics", "indicators"],
        "finding_ids": ["findings", "finding_id", "finding", "linked_findings"],
    },
    "actions": {
        "action_id": ["id", "ref", "action_ref", "action_no", "action_number", "reference"],
        "title": ["action", "action_title", "description", "what", "task", "summary", "action_description"],
        "owner": ["action_owner", "assigned_to", "responsible", "who"],
        "due_on": ["due", "due_date", "deadline", "target_date"],
        "status": ["action_status", "state"],
        "series": ["forum", "meeting_series", "committee"],
        "held_on": ["meeting_date", "meeting_on", "meeting", "date_of_meeting"],
        "meeting_id": ["meeting_ref", "meeting_no"],
        "decision_id": ["decision", "decision_ref", "from_decision"],
        "risk_id": ["risk", "related_risk", "linked_risk", "risk_ref"],
        "kri_id": ["kri", "metric_id", "indicator"],
        "finding_id": ["finding", "related_finding"],
        "raised_on": ["raised", "date_raised", "opened", "opened_on", "created"],
        "closure_note": ["closure", "note", "notes", "comment", "comments", "closing_note"],
    },
    "controls": {
        "control_id": ["control_ref", "control_no", "control_number", "id", "ref", "control_reference", "control"],
        "name": ["control_name", "control_title", "title", "control"],
        "owner": ["control_owner", "responsible", "accountable"],
        "control_type": ["type", "nature", "control_nature"],
        "frequency": ["control_frequency", "cadence", "testing_frequency", "operating_frequency"],
        "status": ["implementation_status", "control_status", "state"],
        "requirements": ["requirement", "mapped_requirements", "framework_refs", "framework_mapping", "mapping",
                         "control_mapping", "annex_a", "annex_a_control", "annex_a_controls", "iso_27001_control",
                         "iso_control", "iso_27001", "references", "mapped_to", "frameworks"],
        "description": ["control_description", "control_objective", "objective", "details", "activity"],
    },
    "soa": {
        "ref": ["control_ref", "control_id", "control", "opatreni", "control_number", "clause", "requirement",
                "requirement_id", "annex_a_control", "reference", "id", "control_no", "iso_27001_control"],
        "applicable": ["applicable", "applicability", "aplikovatelnost", "applicable_y_n", "applicability_y_n",
                       "included", "in_scope", "selected"],
        "reason": ["reason_for_inclusion", "inclusion_reason", "reason_for_selection", "selection_reason"],
        "justification": ["justification_for_inclusion_exclusion", "justification_for_exclusion", "oduvodneni",
                          "justification_implementation_method", "rationale", "exclusion_justification"],
        "implementation_status": ["status", "implementace", "implementation", "state", "control_status"],
        "soa_version": ["version"],
        "approved_on": ["approval_date", "approved", "date_approved"],
        "approved_by": ["approver"],
        "framework": ["standard", "source_framework"],
    },
    "control_tests": {
        "control_id": ["control", "control_ref", "control_no"],
        "period": ["test_period", "quarter", "period_end", "period_ending"],
        "due_on": ["due", "due_date", "test_due", "deadline"],
        "tested_on": ["test_date", "date_tested", "tested", "performed_on", "date_performed"],
        "result": ["test_result", "outcome", "conclusion", "test_outcome"],
        "tester": ["tested_by", "performed_by"],
        "test_id": ["test", "test_ref"],
        "note": ["notes", "comment", "comments", "key_finding"],
    },
    "audits": {
        "audit_id": ["audit", "audit_ref", "id", "engagement"],
        "audit_type": ["type", "kind", "engagement_type"],
        "framework": ["standard", "scheme"],
        "starts_on": ["start", "start_date", "fieldwork_start", "audit_date", "date"],
        "ends_on": ["end", "end_date", "fieldwork_end"],
        "period_start": ["period_from", "report_period_start", "observation_start"],
        "period_end": ["period_to", "report_period_end", "observation_end"],
        "auditor": ["certification_body", "audit_firm", "lead_auditor"],
        "opinion": ["result", "conclusion", "outcome"],
        "certificate_issued_on": ["certificate_issued", "issued_on", "issue_date", "certified_on"],
        "certificate_expires_on": ["certificate_expiry", "expiry", "expiry_date", "expires_on", "valid_until"],
    },
    "findings": {
        # a CAPA tracker's row answers the finding it names; a POA&M's item is its weakness
        "finding_id": ["finding", "finding_ref", "id", "nc_id", "nonconformity_id", "poam_id", "related_finding_id",
                       "related_finding", "item_identifier", "poam_item_id", "weakness_id", "capa_id", "car_id"],
        "audit_id": ["audit", "audit_ref", "source_audit", "related_audit"],
        "title": ["finding_title", "summary", "problem_statement", "finding_description", "weakness_name",
                  "weakness_or_deficiency", "weakness", "deficiency", "nonconformity"],
        "framework": ["source_framework", "standard"],
        "ref": ["requirement", "clause", "control_ref", "requirement_ref", "security_control", "security_controls", "controls",
                "nist_control", "control_requirement"],
        "control_id": ["control", "related_control"],
        "grade": ["nonconformity_type", "nc_type", "classification", "finding_type", "type", "finding_grade"],
        "root_cause": ["cause", "root_cause_analysis"],
        "owner": ["action_owner", "responsible", "assigned_to", "poc", "point_of_contact"],
        "raised_on": ["raised", "date_raised", "identified", "date_identified", "found_on", "detected_on", "date",
                      "original_detection_date", "detection_date", "date_detected", "date_opened", "opened_on"],
        "due_on": ["target_date", "due_date", "deadline", "due", "scheduled_completion_date", "planned_completion_date",
                   "scheduled_completion"],
        "status": ["finding_status", "state"],
        "closed_on": ["closed", "closed_date", "date_closed", "closure_date", "actual_completion_date", "date_completed"],
        "risk_id": ["related_risk", "linked_risk", "risk", "risk_ref"],
        "exception_id": ["exception", "related_exception"],
    },
    "frameworks": {"framework": ["code", "framework_code", "id"], "name": ["framework_name", "title"]},
    "requirements": {
        "ref": ["id", "requirement_id", "criterion", "control_id", "identifier", "number", "ref_id"],
        "title": ["name", "criterion_title", "requirement", "short_title", "control_name"],
        "parent": ["parent_id", "parent_ref", "group"],
        "family": ["domain", "category", "series", "function", "theme"],
        "text": ["description", "statement", "requirement_text", "criteria_text"],
        "framework": ["standard", "catalog", "catalogue"],
    },
    "mappings": {
        "framework": ["source_framework", "from_framework", "source_standard"],
        "ref": ["source_ref", "source", "source_control", "source_requirement", "from", "from_ref"],
        "target_framework": ["to_framework", "target_standard", "mapped_framework"],
        "target_ref": ["target", "target_control", "target_requirement", "to", "to_ref", "mapped_ref"],
    },
}

# Required fields that the import fills when a sheet lacks them (the page states each rule).
FILLED = {"risks": ("identified_on", "source", "owner", "status", "annex_a_theme", "title"),
          "metrics": ("control_domain", "name", "direction"),
          "soa": ("framework",), "requirements": ("framework", "title"), "control_tests": ("due_on",),
          "findings": ("title", "raised_on")}

_UNIT = re.compile(r"\(([^)]*)\)|\[([^\]]*)\]")
_SCALE_SUFFIX = re.compile(r"_([01])_?(?:to_?)?([3-9]|10)$")  # likelihood_1_5, likelihood_1_to_5, l_1to5
_SCALE_TEXT = re.compile(r"(\d)\s*(?:[-–_]|\bto\b|_?to_?)\s*(\d{1,2})", re.I)


def fold_header(header: Any) -> str:
    """'Likelihood (1-5)' -> 'likelihood'; 'Residual_Likelihood_1_5' -> 'residual_likelihood'."""
    s = cells.text(header).casefold()
    if s.strip() in ("#", "no.", "nr.", "№"):
        return "number"
    # 'Pravděpodobnost' -> 'pravdepodobnost': accents do not matter in a header either
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii")
    s = _UNIT.sub(" ", s)
    s = re.sub(r"[^0-9a-z%]+", "_", s).strip("_")
    s = re.sub(r"^%_?(?=[a-z])", "percent_", s)  # '% Complete' is 'percent complete'
    s = re.sub(r"^(inherent|residual|target)_risk_(?=likelihood|impact|probability|severity)", r"\1_", s)  # under a group header
    s = _SCALE_SUFFIX.sub("", s)
    s = re.sub(r"_?(pct|percent|%)$", "", s) if s not in ("pct", "percent") else s
    return s.strip("_")


def declared_scale(header: Any) -> int | None:
    """The number of steps a header states: 'Impact (1-3)' or 'Impact_1_3' -> 3."""
    m = _SCALE_TEXT.search(cells.text(header))
    if m and m.group(1) in ("0", "1") and 3 <= int(m.group(2)) <= 10:
        return int(m.group(2)) + (1 if m.group(1) == "0" else 0)
    return None


def kind_fields(kind: str) -> list[str]:
    if kind == IGNORE:
        return []
    fields = list(KINDS[kind][1].model_fields)
    if kind == "risks":
        fields += ASSESSMENT_FIELDS + CHECK_FIELDS + TREATMENT_FIELDS
    if kind == "metrics":
        fields += list(METRIC_READING)
    if kind == "treatments":
        fields += TRACKER_PROGRESS
    return fields


def _spellings(f: str, kind: str | None = None) -> list[str]:
    own = KIND_SYNONYMS.get(kind, {}).get(f) if kind else None
    if own and (kind, f) in OWN_ONLY:
        return [f, *own]
    return [f, *own, *SYNONYMS.get(f, [])] if own else [f, *SYNONYMS.get(f, [])]


# fields whose kind's own spellings are the only ones: a treatment register's bare 'Date' (or
# 'Complete') is no progress update's date (or percent), as it is in an updates sheet
OWN_ONLY = {("treatments", "updated_on"), ("treatments", "percent_complete")}


def match_columns(kind: str, headers: list[Any]) -> dict[str, str]:
    """field -> header text: each field takes the first header that is one of its spellings.

    A field's own name beats a synonym, so a canonical template maps exactly; a header that is
    already taken by an earlier field is offered to a later one only as its own name.
    """
    folded = [(fold_header(h), cells.text(h)) for h in headers if not cells.blank(h)]
    if {"c", "i", "a"} <= {fh for fh, _ in folded}:
        # C, I, A side by side rate confidentiality, integrity and availability: 'I' is no impact there
        folded = [(fh, raw) for fh, raw in folded if fh != "i"]
    out: dict[str, str] = {}
    used: set[str] = set()
    fields = kind_fields(kind)
    for exact in (True, False):
        for f in fields:
            if f in out:
                continue
            for spelling in ([f] if exact else _spellings(f, kind)):
                hit = next((raw for fh, raw in folded if fh == spelling and raw not in used), None)
                if hit is not None:
                    out[f] = hit
                    used.add(hit)
                    break
    _close_spellings(fields, folded, out, used)
    if kind == "risks" and "risk_id" not in out and "annex_a_controls" in out:
        out["risk_id"] = out["annex_a_controls"]  # registers keyed by the control they assess
    if kind == "risks" and "title" not in out and "description" in out:
        out["title"] = out["description"]
    return out


# Fields worth finding under a misspelt header: a lost rating or key is worse than a question.
FUZZY_FIELDS = {"risk_id", "title", "owner", "inherent_likelihood", "inherent_impact", "residual_likelihood",
                "residual_impact", "target_likelihood", "target_impact", "likelihood", "impact"}


def _typos(a: str, b: str) -> int:
    """Edits (insert, delete, substitute, swap two neighbours) between two words."""
    prev2, prev = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def _close(header: str, spelling: str) -> bool:
    """Word by word: the same words but for one typo in each word of six letters or more."""
    hw, sw = header.split("_"), spelling.split("_")
    if len(hw) != len(sw) or header == spelling:
        return False
    return all(h == w or (len(w) >= 6 and _typos(h, w) <= 1) for h, w in zip(hw, sw))


def _close_spellings(fields: list[str], folded: list[tuple[str, str]], out: dict[str, str], used: set[str]) -> None:
    """A misspelt header ('Likelyhood', 'Residual Impcat') still finds its rating or key field when
    it is one typo a word from exactly one spelling; `read_as` states every such match, so the
    analyst can undo it."""
    for fh, raw in folded:
        if raw in used:
            continue
        hits = {f for f in fields if f in FUZZY_FIELDS and f not in out
                for spelling in _spellings(f) if _close(fh, spelling)}
        if len(hits) == 1:
            f = hits.pop()
            out[f] = raw
            used.add(raw)


def read_as(columns: dict[str, str]) -> list[tuple[str, str]]:
    """(header, field) for each column matched by a close spelling rather than a known one."""
    return [(header, f) for f, header in columns.items()
            if f in FUZZY_FIELDS and any(_close(fold_header(header), spelling) for spelling in _spellings(f))
            and fold_header(header) not in _spellings(f)]


def periodish(header: Any) -> bool:
    if cells.blank(header):
        return False
    try:
        cells.parse_date(header, period_end=False)
    except ValueError:
        return False
    return not isinstance(header, (int, float)) or header > 20000


def find_header_row(rows: list[list[Any]], scan: int = 20) -> int:
    """The row (0-based) with the most recognisable headers among the first rows.

    Title rows above a table have one filled cell; the header row has many, most of them
    spellings the synonym table knows.
    """
    known = {s for f in SYNONYMS for s in _spellings(f)} | {f for k in KINDS for f in kind_fields(k)}
    best, best_score = 0, -1.0
    for i, row in enumerate(rows[:scan]):
        filled = [c for c in row if not cells.blank(c)]
        if len(filled) < 2:
            continue
        texts = [c for c in filled if isinstance(c, str)]
        hits = sum(1 for c in texts if fold_header(c) in known)
        periods = sum(1 for c in filled if periodish(c))
        score = hits * 2 + len(texts) * 0.5 + (periods if periods >= 2 else 0) - (len(filled) - len(texts)) * 0.5
        if score > best_score:
            best, best_score = i, score
    return best


def _numeric_share(rows: list[list[Any]], col: int) -> float:
    vals = [r[col] for r in rows if col < len(r) and not cells.blank(r[col])]
    if not vals:
        return 0.0
    ok = 0
    for v in vals:
        try:
            cells.parse_number(v)
            ok += 1
        except ValueError:
            pass
    return ok / len(vals)


@dataclass
class SheetMapping:
    sheet: str
    kind: str
    header_row: int  # 0-based index into the sheet's rows
    columns: dict[str, str] = field(default_factory=dict)  # field -> header text as in the file
    layout: str = LONG
    looks_like: str = ""  # what a sheet not taken is, when it is something we know (an SoA, say)
    # field -> one value for every row, where no column gives it and the analyst chose it on the
    # Import page: a POA&M rates its weaknesses (High, Moderate), so its findings' audit grade is
    # the analyst's to say, never read from that rating
    fixed: dict[str, str] = field(default_factory=dict)

    def headers(self, rows: list[list[Any]]) -> list[str]:
        return [cells.text(h) if not cells.blank(h) else "" for h in rows[self.header_row]] if rows else []

    def ignored_headers(self, rows: list[list[Any]]) -> list[str]:
        if self.layout != LONG:
            return []
        used = set(self.columns.values())
        return [h for h in self.headers(rows) if h and h not in used]


# What a sheet is when it is none of our kinds: told by its headers, so a control catalog is
# never imported as 40 risks (the Compliance review will take these).
LOOKS_LIKE = [
    ("a mapping between frameworks (a crosswalk)",
     ("source_framework", "target_framework", "from_framework", "to_framework", "mapped_framework", "crosswalk"), 2),
    ("a Statement of Applicability", ("applicab", "aplikovatelnost", "exclusion", "soa"), 1),
    ("a control register or control test results",
     ("control_type", "control_objective", "test_result", "test_id", "sample_tested", "test_procedure",
      "control_effectiveness", "evidence_of_operation", "control_area", "exceptions_found", "control_verification",
      "current_implementation", "gap_identified", "implementation_status",
      # a test log of a control id, when it was tested and its result: 'Control ID, Period, Tested on,
      # Result' was proposed as a risk register whose risk ids were the control ids
      "control_id", "tested_on", "test_date", "date_tested", "last_tested", "tested_by",
      # a control register as the README writes it ('Control ID, Control name, Owner, Requirements')
      # was proposed as a risk register: its controls would have stood on the Risk Review as risks
      "control_name", "control_title", "control_owner", "control_description"), 2),
    ("a findings list (audit findings, nonconformities, CAPA or POA&M)",
     ("finding_id", "finding_title", "nonconformit", "weakness", "poam", "capa", "corrective_action",
      "milestone"), 1),
    ("a framework catalog (requirements with their parents)",
     ("parent", "criterion", "criteria", "requirement_text", "points_of_focus"), 1),
]
# Sheets that summarise or explain the data beside them, by their names.
SIDE_SHEETS = ("dashboard", "summary", "heat_map", "heatmap", "chart", "legend", "scoring_guide", "guide",
               "lookup", "instructions", "readme", "record_of_changes", "change_log", "matrix")


def looks_like(sheet: str, headers: list[Any], above: list[list[Any]] = ()) -> str:
    """The known non-register this sheet is, by its headers and name, or ''. A sheet that rates
    likelihood and impact is a register, whatever else it holds. `above` are the rows over the
    header row: a header split over two rows, or a title ('Statement of Applicability'), tells too."""
    name = fold_header(sheet)
    if any(side in name for side in SIDE_SHEETS):
        return "a dashboard, summary or guide beside the data"
    folded = [fold_header(h) for h in headers if not cells.blank(h)]
    if any(f in _spellings("inherent_likelihood") or f in _spellings("residual_likelihood") for f in folded):
        return ""
    for text in (" ".join(folded + [name]), " ".join(fold_header(c) for r in above for c in r if not cells.blank(c))):
        for what, marks, needed in LOOKS_LIKE:
            if sum(mark in text for mark in marks) >= needed:
                return what
    return ""


def detect(sheet: str, rows: list[list[Any]]) -> SheetMapping:
    """The proposed kind, header row and columns of one sheet."""
    if not rows or all(all(cells.blank(c) for c in r) for r in rows):
        return SheetMapping(sheet, IGNORE, 0)
    hr = find_header_row(rows)
    headers = rows[hr]
    # a sheet named as the template names a compliance kind is that kind, whatever it looks like
    named = any(fold_header(sheet) in (fold_header(KINDS[k][0]), k) for k in COMPLIANCE) or \
        any(fold_header(sheet) in FORUM_SHEET_NAMES[k] for k in FORUM)
    what = "" if named else looks_like(sheet, headers, rows[:hr])
    if what:
        return compliance_kind(sheet, rows, hr, what)
    body = rows[hr + 1: hr + 201]
    name = fold_header(sheet)
    period_cols = [i for i, h in enumerate(headers) if periodish(h)]
    if len(period_cols) >= 2:
        return SheetMapping(sheet, "monitoring_results", hr, {}, WIDE_COLUMNS)
    best_kind, best_score, best_cols = IGNORE, 1.5, {}
    for kind in KINDS:
        if kind in COMPLIANCE and name not in (fold_header(KINDS[kind][0]), kind):
            continue
        if kind in FORUM and name not in FORUM_SHEET_NAMES[kind]:
            continue
        cols = match_columns(kind, headers)
        native = set(KINDS[kind][1].model_fields)
        score = sum(1 if f in native else 0.4 for f in cols)
        required = [f for f, info in KINDS[kind][1].model_fields.items() if info.is_required()]
        score += 0.5 * sum(1 for f in required if f in cols)
        score -= sum(1 for f in required if f not in cols and f not in FILLED.get(kind, ()))
        if name in (fold_header(KINDS[kind][0]), kind, fold_header(KIND_LABELS[kind])):
            score += 3
        if score > best_score:
            best_kind, best_score, best_cols = kind, score, cols
    if best_kind in (IGNORE, "monitoring_results", "metrics") or best_kind == "assessments":
        cols = match_columns("monitoring_results", headers)
        if "period" in cols and "value" not in cols and "metric_id" not in cols:
            others = [i for i, h in enumerate(headers) if not cells.blank(h) and cells.text(h) != cols["period"]]
            if others and sum(_numeric_share(body, i) >= 0.8 for i in others) >= max(1, len(others) // 2):
                return SheetMapping(sheet, "monitoring_results", hr, {"period": cols["period"]}, WIDE_ROWS)
    return SheetMapping(sheet, best_kind, hr, best_cols)


# What each LOOKS_LIKE verdict may be, in the order tried.
_LOOKS_LIKE_KINDS = {"a mapping between frameworks (a crosswalk)": ("mappings",),
                     "a Statement of Applicability": ("soa",),
                     "a control register or control test results": ("control_tests", "controls"),
                     "a findings list (audit findings, nonconformities, CAPA or POA&M)": ("findings",),
                     "a framework catalog (requirements with their parents)": ("requirements",)}


def compliance_kind(sheet: str, rows: list[list[Any]], hr: int, what: str) -> SheetMapping:
    """A sheet that looks like an SoA, a control register or a findings list, mapped as that kind
    when its headers give what the kind needs and its key column names each row once (a checklist
    that lists 'A.5' under several risks is no register of controls); else left out, saying what
    it looks like."""
    for kind in _LOOKS_LIKE_KINDS.get(what, ()):
        cols, why = _as_kind(kind, rows, hr)
        if not why:
            return SheetMapping(sheet, kind, hr, cols, looks_like=what)
    return SheetMapping(sheet, IGNORE, hr, looks_like=what)


def why_not(what: str, rows: list[list[Any]], hr: int) -> str:
    """Why a sheet that looks like `what` was not taken as its kind, for the analyst: the columns
    it lacks, named with their words ('no column gives its grade (one of: ...)'), or its repeated key."""
    reasons = [_as_kind(kind, rows, hr)[1] for kind in _LOOKS_LIKE_KINDS.get(what, ())]
    return next((r for r in reasons if r.startswith("its ")), reasons[0] if reasons else "")


def _as_kind(kind: str, rows: list[list[Any]], hr: int) -> tuple[dict[str, str], str]:
    """The columns of the sheet as `kind`, and '' when it can be imported as that kind, else why not."""
    headers = rows[hr]
    cols = match_columns(kind, headers)
    model = KINDS[kind][1]
    missing = [f for f, info in model.model_fields.items()
               if info.is_required() and f not in cols and f not in FILLED.get(kind, ())]
    if missing:
        def named(f: str) -> str:
            enum = enum_of(model.model_fields[f].annotation)
            return f.replace("_", " ") + (f" (one of: {', '.join(e.value for e in enum)})" if enum else "")

        why = f"no column gives its {' or '.join(named(f) for f in missing)}"
        rating = next((" ".join(cells.text(h).split()) for h in headers if not cells.blank(h) and any(
            w in fold_header(h) for w in ("severity", "risk_level", "risk_rating", "priority"))), None)
        if kind == "findings" and "grade" in missing and rating:
            # a POA&M or remediation tracker rates the weakness; its 'High' is no audit grade, and
            # reading it as 'Major nonconformity' would tell the board something no auditor said
            why += (f"; '{rating}' rates the weakness, not the audit's grade: add a Grade column, or read the sheet "
                    "as audit findings on the Import page and choose the grade of all its rows")
        return cols, why
    at = [next(i for i, h in enumerate(headers) if cells.text(h) == cols[k]) for k in KINDS[kind][2] if k in cols]
    keys = [tuple(cells.text(r[i]) if i < len(r) else "" for i in at) for r in rows[hr + 1:]
            if at and at[-1] < len(r) and not cells.blank(r[at[-1]])]
    if not keys:
        return cols, "it has no rows with a key"
    if len(set(keys)) < len(keys):
        seen: set[tuple] = set()
        twice = next(k for k in keys if k in seen or seen.add(k))
        return cols, f"its key column ({', '.join(cols[k] for k in KINDS[kind][2] if k in cols)}) names " \
                     f"{' / '.join(twice)} more than once, so it is not one row per {KIND_LABELS[kind].lower()} entry"
    return cols, ""


# --- mapping profiles: a named mapping, offered again for files of the same shape ---


def signature(sheets: dict[str, list[list[Any]]], mappings: list[SheetMapping]) -> list[list[str]]:
    """The folded headers of each mapped sheet: what 'a file of the same shape' means."""
    out = []
    for m in mappings:
        rows = sheets.get(m.sheet) or []
        out.append(sorted(fold_header(h) for h in m.headers(rows) if h))
    return out


@dataclass
class Profile:
    name: str
    signature: list[list[str]]
    sheets: list[SheetMapping]
    confirmed_rules: bool = True

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "Profile":
        raw = json.loads(text)
        return cls(raw["name"], raw["signature"], [SheetMapping(**s) for s in raw["sheets"]], raw.get("confirmed_rules", True))


def profiles_folder(db_path: str) -> Path:
    """Mapping profiles live beside the database they were made for: page and CLI find the same."""
    from isms.store import lake

    if lake.is_lake(db_path):
        return lake.beside_folder().resolve() / "mappings"
    return Path(db_path).resolve().parent / "mappings"


def _profile_path(folder: Path, name: str) -> Path:
    slug = re.sub(r"[^0-9A-Za-z_-]+", "-", name.strip()).strip("-")
    if not slug:
        raise ValueError("a mapping profile needs a name of letters, digits, '-' or '_'")
    return folder / f"{slug}.json"


def save_profile(folder: Path, profile: Profile) -> Path:
    path = _profile_path(folder, profile.name)
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(profile.to_json(), encoding="utf-8")
    return path


def load_profile(folder: Path, name: str) -> Profile:
    path = _profile_path(folder, name)
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in folder.glob("*.json"))) or "none saved yet"
        raise ValueError(f"no mapping profile named {name!r} (known: {known})")
    return Profile.from_json(path.read_text(encoding="utf-8"))


def matching_profiles(folder: Path, sig: list[list[str]]) -> list[str]:
    """Names of saved profiles made for files of this shape."""
    if not folder.is_dir():
        return []
    out = []
    for p in sorted(folder.glob("*.json")):
        try:
            prof = Profile.from_json(p.read_text(encoding="utf-8"))
        except (ValueError, KeyError, TypeError):
            continue
        if sorted(map(tuple, prof.signature)) == sorted(map(tuple, sig)):
            out.append(prof.name)
    return out
