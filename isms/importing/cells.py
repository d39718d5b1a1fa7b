"""One cell as an analyst wrote it, turned into the type a model field wants: the one home of
cell conversion (dates, numbers, lists, targets, enum words, levels on the matrix's scale).

Each function returns the value or raises ValueError with a sentence that names what was
expected; the caller attaches the cell address. "Not rated" spellings become None. The field's
type comes from the pydantic annotation, so a new model field is converted without a new rule
here. Levels go through the matrix's own labels, then a word ladder, then the scale rule that the
analyst confirmed.
"""

from __future__ import annotations

import datetime as dt
import re
import typing
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Any

from isms.dates import month_end, quarter_end
from isms.matrix import RiskMatrix
from isms.annex_a_2013 import successors
from isms.models import (KINDS, ActionStatus, AnnexATheme, Assessment, AuditType, Cadence, ControlEffectiveness,
                         ControlFrequency, DecisionKind,
                         ControlType, Criticality, Decision, Direction, ExceptionStatus, FindingGrade, FindingStatus,
                         ImplementationStatus, RiskStatus, TestResult, TreatmentStatus, TreatmentUpdate, enum_of,
                         normalise_annex_a_control)
from isms.models import INVISIBLE  # noqa: F401  (the importer strips or refuses what the models refuse)

NOT_RATED = {"", "-", "--", "---", "—", "–", "n/a", "na", "n.a.", "none", "not rated", "tbd", "tba", "?", "null", "nan",
             # 'none' as registers kept in other languages write it (a Czech register's 'Žádné' became a plan)
             "žádné", "žádná", "žádný", "keine", "kein", "aucun", "aucune", "ninguno", "ninguna", "nessuno",
             "nessuna", "geen", "brak", "ingen", "nenhum", "nenhuma"}
EXCEL_EPOCH = dt.date(1899, 12, 30)
_SPLIT = re.compile(r"\s*(?:[,;\n|]+)\s*")
# a thousands comma inside a count that words follow ('Customer PII, 85,000 records'): not a separator
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?:,\d{3})*(?:\.\d+)?\s+[^\W\d_])")
_KEPT_COMMA = "\x00"
_QUARTER = re.compile(r"^(?:q([1-4])\s*[-/ ]?\s*(\d{4})|(\d{4})\s*[-/ ]?\s*q([1-4]))$", re.I)
_MONTH_WORDS = {w: i for i, w in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
     "december"], start=1)}
_MONTHS = {w[:3]: i for w, i in _MONTH_WORDS.items()}  # 'jan' -> 1
_MONTH_YEAR = re.compile(r"^([a-z]{3,9})\.?[\s\-/]+(\d{4}|\d{2})$", re.I)  # May 2027; May-18 (Excel's mmm-yy)
_YEAR_MONTH = re.compile(r"^(\d{4})[-/](\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4}|\d{2})$")  # 31/12/2026, 31.12.26
_YMD = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$")  # 2026/03/31
_ORD = r"(?:st|nd|rd|th)?"
# 28-Feb-2026 (Excel's dd-mmm-yyyy), 28 Feb 2026 (the dashboard's own style), 15-Jan-26, 1st March 2026
_DAY_MONTH_YEAR = re.compile(rf"^(\d{{1,2}}){_ORD}[\s\-/.]+([a-z]{{3,9}})\.?,?[\s\-/.]+(\d{{4}}|\d{{2}})$", re.I)
# Feb 28, 2026; February 28 2026; Feb-28-2026
_MONTH_DAY_YEAR = re.compile(rf"^([a-z]{{3,9}})\.?[\s\-/.]+(\d{{1,2}}){_ORD},?[\s\-/.]+(\d{{4}})$", re.I)
_DATE_HINT = "write 2026-03-31, 31/03/2026, 31 Mar 2026, Q4-2026 or May 2027"
_TARGET = re.compile(r"^\s*(>=|=>|≥|>|<=|=<|≤|<)?\s*(-?\d+(?:\.\d+)?)\s*(%|[a-z ]+)?\s*$", re.I)


def blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and value.strip().casefold() in NOT_RATED


def invisible(value: Any) -> list[str]:
    """The invisible characters in a text cell, named as 'U+202E RIGHT-TO-LEFT OVERRIDE'."""
    import unicodedata

    if not isinstance(value, str):
        return []
    found = dict.fromkeys(INVISIBLE.findall(value))
    return [f"U+{ord(ch):04X} {unicodedata.name(ch, 'FORMAT CHARACTER')}" for ch in found]


def text(value: Any) -> str:
    """A cell as text; whole floats lose their '.0' (an id typed as 5 reads back 5.0)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _month(word: str) -> int | None:
    """'Feb', 'Feb.', 'February', 'Sept' -> 2 / 9; anything else (a typo, 'Mayday') -> None."""
    w = word.lower().rstrip(".")
    if w == "sept":
        return 9
    return next((i for name, i in _MONTH_WORDS.items() if len(w) >= 3 and name.startswith(w)), None)


def _year(digits: str) -> int:
    """Two-digit years as Excel's dd-mmm-yy shows them: '26' is 2026."""
    year = int(digits)
    return year + 2000 if year < 100 else year


def _day(s: str, year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError as exc:  # '31/02/2026': say which part is wrong, and what would do
        raise ValueError(f"{s!r} is not a date ({exc}; {_DATE_HINT})") from None


def parse_date(value: Any, *, period_end: bool = True, month_first: bool = False) -> dt.date:
    """Dates, Excel serials and text: ISO, day/month/year, '28 Feb 2026', '28-Feb-26', 'Feb 28, 2026',
    'Q4-2026', 'May 2027', '2025-03'.

    A quarter or a month names a period; `period_end` picks its last day (due dates) or, when
    False, its first (monitoring periods). `month_first`: the sheet writes numeric dates month
    first, as in the US (`slash_order` finds it from the dates that can only be read one way);
    a date that can only be read the other way is still read that way.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 2958466:
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise ValueError(f"{value} is not a date")
    s = str(value).strip()
    try:
        return dt.datetime.fromisoformat(s).date()
    except ValueError:
        pass
    if s.isdigit() and 20_000 <= int(s) <= 80_000:  # a date column exported unformatted: Excel's serial (1954-2119)
        return EXCEL_EPOCH + dt.timedelta(days=int(s))
    if m := _DMY.match(s):
        day, month, year = int(m.group(1)), int(m.group(2)), _year(m.group(3))
        if (month > 12 and day <= 12) or (month_first and day <= 12):
            day, month = month, day
        return _day(s, year, month, day)
    if m := _YMD.match(s):
        return _day(s, int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if (m := _DAY_MONTH_YEAR.match(s)) and (month := _month(m.group(2))):
        return _day(s, _year(m.group(3)), month, int(m.group(1)))
    if (m := _MONTH_DAY_YEAR.match(s)) and (month := _month(m.group(1))):
        return _day(s, int(m.group(3)), month, int(m.group(2)))
    if m := _QUARTER.match(s):
        q, year = (int(m.group(1)), int(m.group(2))) if m.group(1) else (int(m.group(4)), int(m.group(3)))
        first = dt.date(year, 3 * q - 2, 1)
        return quarter_end(first) if period_end else first
    month = None
    if m := _YEAR_MONTH.match(s):
        year, month = int(m.group(1)), int(m.group(2))
    elif (m := _MONTH_YEAR.match(s)) and m.group(1)[:3].lower() in _MONTHS:
        year, month = _year(m.group(2)), _MONTHS[m.group(1)[:3].lower()]
    if month is not None and 1 <= month <= 12:
        first = dt.date(year, month, 1)
        return month_end(first) if period_end else first
    raise ValueError(f"{s!r} is not a date ({_DATE_HINT})")


def numeric_date_parts(value: Any) -> tuple[int, int] | None:
    """The first two numbers of a date written as numbers ('05/06/2026', '31.12.26'), else None."""
    m = _DMY.match(value.strip()) if isinstance(value, str) else None
    return (int(m.group(1)), int(m.group(2))) if m else None


def slash_order(values) -> tuple[list[str], list[str], list[str]]:
    """The numeric dates among `values` (a sheet's date cells, each once) by what they say of the
    order: (only day first, as '31/12/2026'; only month first, as '12/31/2026'; either, as
    '05/06/2026'). A column is written one way: its unambiguous dates decide its ambiguous ones
    (isms.importing.sheet._date_order)."""
    day_first, month_first, either = [], [], []
    for v in values:
        parts = numeric_date_parts(v)
        if parts is None:
            continue
        a, b = parts
        if a > 12 and b <= 12:
            day_first.append(v.strip())
        elif b > 12 and a <= 12:
            month_first.append(v.strip())
        elif a != b and a <= 12 and b <= 12:
            either.append(v.strip())
    return day_first, month_first, either


def parse_number(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, (int, float)):
        return float(value)
    s = str(value).strip().replace("\u00a0", "").replace(" ", "")
    s = s.rstrip("%")
    if re.fullmatch(r"-?\d+,\d+", s):
        s = s.replace(",", ".")
    try:
        return float(s)
    except ValueError:
        raise ValueError(f"{value!r} is not a number") from None


def split_list(value: Any) -> list[str]:
    """Multi-value cells: '8.2, 5.18', one per line, or separated by ';' or '|'; a thousands comma
    in a count ('85,000 records') is no separator."""
    if blank(value):
        return []
    parts = _SPLIT.split(_THOUSANDS.sub(_KEPT_COMMA, text(value)))
    return [p.replace(_KEPT_COMMA, ",") for p in parts if p and not blank(p)]


def parse_target(value: Any) -> tuple[float, str | None, str | None]:
    """'>= 95%' -> (95.0, 'Higher is better', '%'); '<= 14 days' -> (14.0, 'Lower is better', 'days')."""
    plus = re.fullmatch(r"\s*(-?\d+(?:\.\d+)?)\s*(%?)\s*\+\s*", text(value))
    if plus:  # '90+': at least 90
        return float(plus.group(1)), "Higher is better", plus.group(2) or None
    m = _TARGET.match(text(value))
    if not m:
        raise ValueError(f"{value!r} is not a target (write for example '>= 95%' or '<= 14 days')")
    op, number, unit = m.group(1), float(m.group(2)), (m.group(3) or "").strip() or None
    direction = None
    if op in (">=", "=>", "≥", ">"):
        direction = "Higher is better"
    elif op in ("<=", "=<", "≤", "<"):
        direction = "Lower is better"
    return number, direction, unit


def fold_word(value: Any) -> str:
    """'Střední ' -> 'stredni': case, accents and punctuation do not matter in a rating word."""
    import unicodedata

    plain = unicodedata.normalize("NFKD", text(value).casefold()).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^0-9a-z]+", " ", plain).strip()


# Text levels on a generic five-step ladder (1 lowest). A matrix's own labels are tried first;
# this table catches the words other methods use.
LEVEL_WORDS: dict[str, int] = {
    **dict.fromkeys(["very low", "rare", "remote", "negligible", "insignificant", "very unlikely", "minimal",
                     "improbable", "trivial"], 1),
    **dict.fromkeys(["low", "unlikely", "minor", "limited"], 2),
    **dict.fromkeys(["moderate", "medium", "possible", "significant", "occasional", "serious"], 3),
    **dict.fromkeys(["high", "likely", "major", "important", "probable", "frequent", "severe"], 4),
    **dict.fromkeys(["very high", "almost certain", "very likely", "critical", "catastrophic", "extreme",
                     "certain", "highly likely"], 5),
}


ENUM_SYNONYMS: dict[type[Enum], dict[str, str]] = {
    DecisionKind: {"accept": "risk-acceptance", "acceptance": "risk-acceptance", "risk accepted": "risk-acceptance",
                   "accept risk": "risk-acceptance", "grant": "exception-grant", "granted": "exception-grant",
                   "exception granted": "exception-grant", "grant exception": "exception-grant",
                   "renew": "exception-renewal", "renewal": "exception-renewal", "renewed": "exception-renewal",
                   "exception renewed": "exception-renewal", "refuse": "exception-refusal", "refused": "exception-refusal",
                   "refusal": "exception-refusal", "reject": "exception-refusal", "rejected": "exception-refusal",
                   "exception refused": "exception-refusal", "treatment": "treatment-approval",
                   "budget": "treatment-approval", "approve treatment": "treatment-approval", "funding": "treatment-approval",
                   "appetite": "appetite-change", "matrix": "appetite-change", "soa": "soa-approval",
                   "approve soa": "soa-approval", "other": "free", "general": "free", "decision": "free", "note": "free"},
    ActionStatus: {"new": "open", "not started": "open", "to do": "open", "todo": "open", "ongoing": "in progress",
                   "in hand": "in progress", "started": "in progress", "wip": "in progress", "on hold": "blocked",
                   "stuck": "blocked", "closed": "done", "complete": "done", "completed": "done", "finished": "done",
                   "resolved": "done", "verified closed": "verified", "canceled": "cancelled", "dropped": "cancelled",
                   "withdrawn": "cancelled"},
    RiskStatus: {"in progress": "In treatment", "planned": "In treatment", "mitigating": "In treatment",
                 "treating": "In treatment", "ongoing": "In treatment", "not started": "Open", "new": "Open",
                 "identified": "Open", "active": "Open", "mitigated": "Open", "resolved": "Closed",
                 "done": "Closed", "complete": "Closed", "completed": "Closed", "accept": "Accepted",
                 "retained": "Accepted", "transferred": "Open", "avoided": "Closed", "retired": "Closed",
                 "withdrawn": "Closed", "obsolete": "Closed",
                 "otevrene": "Open", "otevreno": "Open", "nove": "Open", "v reseni": "In treatment",
                 "resi se": "In treatment", "akceptovane": "Accepted", "akceptovano": "Accepted",
                 "prijate": "Accepted", "uzavrene": "Closed", "uzavreno": "Closed", "vyreseno": "Closed"},
    Decision: {"mitigate": "Reduce", "modify": "Reduce", "treat": "Reduce", "remediate": "Reduce",
               "share": "Transfer", "insure": "Transfer", "retain": "Accept", "tolerate": "Accept",
               "terminate": "Avoid", "eliminate": "Avoid", "reduction": "Reduce", "acceptance": "Accept"},
    TreatmentStatus: {"not started": "Planned", "open": "Planned", "to do": "Planned", "ongoing": "In progress",
                      "started": "In progress", "wip": "In progress", "in flight": "In progress", "complete": "Done", "completed": "Done", "closed": "Done",
                      "implemented": "Done", "canceled": "Cancelled", "dropped": "Cancelled"},
    Direction: {"higher is better": "Higher is better", "higher": "Higher is better", "up": "Higher is better",
                "increase": "Higher is better", "maximise": "Higher is better", "maximize": "Higher is better",
                "lower is better": "Lower is better", "lower": "Lower is better", "down": "Lower is better",
                "decrease": "Lower is better", "minimise": "Lower is better", "minimize": "Lower is better"},
    Cadence: {"month": "Monthly", "quarter": "Quarterly", "weekly": "Monthly", "daily": "Monthly",
              "continuous": "Monthly"},
    ExceptionStatus: {"approved": "Granted", "active": "Granted", "rejected": "Refused", "denied": "Refused",
                      "expired": "Closed", "pending": "Requested", "open": "Requested",
                      "renewal required": "Granted", "under review": "Requested"},
    Criticality: {"very high": "Critical", "moderate": "Medium"},
    ControlEffectiveness: {"ineffective": "Weak", "partially effective": "Partial", "adequate": "Effective",
                           "largely effective": "Effective", "fully effective": "Strong"},
    AnnexATheme: {"organizational": AnnexATheme.organizational.value, "organisational": AnnexATheme.organizational.value,
                  "a 5": AnnexATheme.organizational.value, "5": AnnexATheme.organizational.value,
                  "people": AnnexATheme.people.value, "a 6": AnnexATheme.people.value, "6": AnnexATheme.people.value,
                  "physical": AnnexATheme.physical.value, "a 7": AnnexATheme.physical.value, "7": AnnexATheme.physical.value,
                  "technological": AnnexATheme.technological.value, "a 8": AnnexATheme.technological.value,
                  "8": AnnexATheme.technological.value},
    ImplementationStatus: {"in progress": "Partially implemented", "partial": "Partially implemented",
                           "partially": "Partially implemented", "in place": "Implemented", "done": "Implemented",
                           "complete": "Implemented", "completed": "Implemented", "yes": "Implemented",
                           "ano": "Implemented", "castecne": "Partially implemented", "no": "Not implemented",
                           "ne": "Not implemented", "not started": "Planned", "gap": "Not implemented",
                           "missing": "Not implemented", "active": "Implemented", "operational": "Implemented",
                           "effective": "Implemented"},
    ControlType: {"preventative": "Preventive", "detect": "Detective", "prevent": "Preventive", "correct": "Corrective"},
    ControlFrequency: {"semi annually": "Semi-annual", "semiannual": "Semi-annual", "biannual": "Semi-annual",
                       "annually": "Annual", "yearly": "Annual", "quarter": "Quarterly", "month": "Monthly",
                       "week": "Weekly", "day": "Daily", "as needed": "Ad hoc", "event driven": "Ad hoc",
                       "per event": "Ad hoc", "ongoing": "Continuous", "real time": "Continuous"},
    TestResult: {"passed": "Pass", "effective": "Pass", "operating effectively": "Pass", "no exceptions": "Pass",
                 "ok": "Pass", "failed": "Fail", "ineffective": "Fail", "not effective": "Fail",
                 "exception": "Exceptions", "exceptions noted": "Exceptions", "pass with exceptions": "Exceptions",
                 "effective with exceptions": "Exceptions", "effective with minor exception": "Exceptions",
                 "partially effective": "Exceptions", "qualified": "Exceptions"},
    AuditType: {"internal": "Internal audit", "stage 1": "ISO stage 1", "stage 2": "ISO stage 2",
                "surveillance": "ISO surveillance", "recertification": "ISO recertification",
                "soc 2 type 2": "SOC 2 Type II", "soc 2 type ii": "SOC 2 Type II", "soc 2 type 1": "SOC 2 Type I",
                "soc 1 type 2": "SOC 1 Type II", "soc 1 type 1": "SOC 1 Type I", "pci roc": "PCI DSS ROC",
                "roc": "PCI DSS ROC", "fedramp": "FedRAMP annual assessment"},
    FindingGrade: {"major": "Major nonconformity", "major nc": "Major nonconformity", "minor": "Minor nonconformity",
                   "minor nc": "Minor nonconformity", "nc": "Minor nonconformity", "obs": "Observation",
                   "ofi": "Opportunity for improvement", "improvement": "Opportunity for improvement",
                   "opportunity": "Opportunity for improvement"},
    FindingStatus: {"in progress": "Open", "overdue": "Open", "new": "Open", "remediating": "Open",
                    # a POA&M's words for an item not yet remediated (FedRAMP, XACTA)
                    "ongoing": "Open", "delayed": "Open", "pending": "Open", "not started": "Open",
                    "fixed": "Remediated", "resolved": "Remediated", "done": "Remediated", "complete": "Remediated",
                    "validated": "Verified", "done verified": "Verified", "closed verified": "Closed",
                    "close": "Closed", "completed": "Closed"},
}
LOSSY = {(Cadence, "weekly"), (Cadence, "daily"), (Cadence, "continuous")}
THEME_BY_DIGIT = {m.value[2]: m.value for m in AnnexATheme}
_BARE_THEME = re.compile(r"^a\.?\s?([5-8])\.?(?:\s+[^\W\d_]+)?$", re.I)


def bare_theme(ref: str) -> str | None:
    """The Annex A theme a reference names by itself ('A.6', 'A.8 Technological'), or None: a
    register that files its risks by theme in its controls column gives the theme, not a control."""
    m = _BARE_THEME.match(ref.strip())
    return THEME_BY_DIGIT[m.group(1)] if m else None


# A KRI definitions sheet that also gives each indicator's current value (and when it was read):
# the value becomes a monitoring result, not a column left behind.
METRIC_READING = ("value", "period")


@dataclass(frozen=True)
class FieldType:
    kind: str  # date, level, enum, list, number, score, text
    enum: type[Enum] | None = None


@lru_cache(maxsize=None)
def field_type(kind: str, name: str) -> FieldType:
    if name in ("inherent_score", "residual_score"):
        return FieldType("score")
    if name in ("inherent_rating", "residual_rating", "treatment_plan"):
        return FieldType("text")
    if name == "decision":
        return FieldType("enum", Decision)
    if name == "due_on":
        return FieldType("date")
    if kind == "metrics" and name in METRIC_READING:
        return FieldType("number" if name == "value" else "date")
    model = KINDS[kind][1]
    # a register's fields beyond its model: a risk's assessment, a treatment tracker's progress (kinds.treatment_rows)
    info = model.model_fields.get(name) or (TreatmentUpdate if kind == "treatments" else Assessment).model_fields[name]
    ann = info.annotation
    if name.endswith("likelihood") or name.endswith("impact"):
        return FieldType("level")
    if (e := enum_of(ann)) is not None:
        return FieldType("enum", e)
    if typing.get_origin(ann) is list:
        return FieldType("list")
    if ann is bool:
        return FieldType("bool")
    args = {ann, *typing.get_args(ann)}
    if dt.date in args:
        return FieldType("date")
    if float in args or int in args:
        return FieldType("number")
    return FieldType("text")


def to_enum(enum: type[Enum], value: Any) -> tuple[str, bool]:
    """(member value, lossy) for a spelling of an enum member."""
    w = fold_word(value)
    for m in enum:
        if w in (fold_word(m.value), fold_word(m.name)):
            return m.value, False
    syn = ENUM_SYNONYMS.get(enum, {})
    if w in syn:
        return syn[w], (enum, w) in LOSSY
    choices = ", ".join(m.value for m in enum)
    raise ValueError(f"{text(value)!r} is not one of: {choices}")


def rescale(v: int, steps_from: int, steps_to: int) -> int:
    """Step v of an n-step scale onto an m-step scale, ends kept: 3 -> 5 maps 1, 2, 3 to 1, 3, 5."""
    if steps_from == steps_to:
        return v
    return int(1 + (v - 1) * (steps_to - 1) / (steps_from - 1) + 0.5)


def scale_rule(steps_from: int, steps_to: int) -> str:
    pairs = ", ".join(f"{v}→{rescale(v, steps_from, steps_to)}" for v in range(1, steps_from + 1))
    return f"a {steps_from}-step scale mapped onto the matrix's {steps_to} steps ({pairs})"


THREE_WORDS = {"low": 1, "medium": 2, "moderate": 2, "high": 3,
               # Czech, in each grammatical gender (nízký / nízká / nízké ...)
               **dict.fromkeys(["nizky", "nizka", "nizke"], 1), "stredni": 2,
               **dict.fromkeys(["vysoky", "vysoka", "vysoke"], 3)}


# A level written in words, as English labels read it: the Czech words of the three-step scale
# above, and 'critical', so a file's 'Vysoká' agrees with a matrix's 'High' (and a matrix that names
# its own levels in Czech still agrees with itself: both sides are read through this)
RATING_IN_ENGLISH = {**{w: "low" for w in ("nizky", "nizka", "nizke")}, "stredni": "medium",
                     **{w: "high" for w in ("vysoky", "vysoka", "vysoke")},
                     **{w: "critical" for w in ("kriticky", "kriticka", "kriticke")}}


def level_word(value: Any) -> str:
    """The folded word of a level as written ('Střední' -> 'medium', 'High ' -> 'high')."""
    word = fold_word(value)
    return RATING_IN_ENGLISH.get(word, word)


def three_word_scale(column: list[Any], labels: tuple[str, ...]) -> bool:
    """A column rated only Low / Medium / High, on a matrix whose labels are other words: a 3-step scale.
    Numbers written as text (every cell of a CSV) are numbers here too, so a file reads the same
    saved as .csv or .xlsx."""
    words = {fold_word(v) for v in column if isinstance(v, str) and not blank(v) and not numeric_text(v)}
    own = {fold_word(label) for label in labels}
    return bool(words) and words <= set(THREE_WORDS) and not words & own and len(labels) != 3


def numeric_text(value: str) -> bool:
    """Text that reads as a number (a CSV cell's ' 4'): a rating written as digits, not a word."""
    try:
        parse_number(value)
    except ValueError:
        return False
    return True


_WORD_THEN_STEP = re.compile(r"^[^\W\d_][^\d()]*?\s*(?:\(\s*(\d{1,2})\s*\)|[-–:]\s*(\d{1,2}))$")  # 'Minor (2)', 'Major - 4'


def to_level(value: Any, labels: tuple[str, ...], steps_from: int | None, three_words: bool = False) -> int:
    """A likelihood or impact step on the matrix's axis (1..len(labels))."""
    m = len(labels)
    if isinstance(value, str):
        w = fold_word(value)
        for i, label in enumerate(labels, start=1):
            if w == fold_word(label):
                return i
        if three_words and w in THREE_WORDS:
            return rescale(THREE_WORDS[w], 3, m)
        lead = w.split(" ", 1)[0]
        tail = _WORD_THEN_STEP.match(value.strip())
        if lead.isdigit() and not w.replace(" ", "").isdigit():
            value = lead  # '4 - Major'
        elif tail:
            value = tail.group(1) or tail.group(2)  # 'Minor (2)', 'Major - 4'
        elif w in LEVEL_WORDS:
            return rescale(LEVEL_WORDS[w], 5, m)
    try:
        number = parse_number(value)
    except ValueError:
        raise ValueError(f"{text(value)!r} is neither a step 1-{m} nor a level word ({', '.join(labels)})") from None
    if not number.is_integer():
        raise ValueError(f"{text(value)} is not a whole step (1-{steps_from or m})")
    v, n = int(number), steps_from or m
    if not 1 <= v <= n:
        words = f" or its word ({', '.join(labels)})" if n == m else ""
        raise ValueError(f"{v} is off the {n}-step scale: write a step 1-{n}{words}")
    return rescale(v, n, m)


def controls(value: Any) -> tuple[list[str], list[str], list[str]]:
    """(ISO/IEC 27001:2022 Annex A ids, the references that are not such ids, and each 2013 id read
    as its 2022 successors, as 'A.9.1.1 -> A.5.15', for the warning at the cell)."""
    good, bad, read = [], [], []
    for part in split_list(value):
        try:
            good.append(normalise_annex_a_control(part))
            continue
        except ValueError:
            pass
        later = successors(part)
        if later:
            good += [c for c in later if c not in good]
            read.append(f"{part} -> {', '.join(later)}")
        else:
            bad.append(part)
    return list(dict.fromkeys(good)), bad, read


def coerce(ftype: FieldType, value: Any, *, matrix: RiskMatrix, axis: str = "", steps_from: int | None = None,
           period: bool = False, three_words: bool = False, month_first: bool = False) -> Any:
    """The typed value, None for not rated, or ValueError with the reason."""
    if ftype.kind == "list":
        return split_list(value)
    if blank(value):
        return None
    if ftype.kind == "date":
        return parse_date(value, period_end=not period, month_first=month_first)
    if ftype.kind == "level":
        labels = matrix.likelihood_labels if axis == "likelihood" else matrix.impact_labels
        return to_level(value, labels, steps_from, three_words)
    if ftype.kind == "enum":
        return to_enum(ftype.enum, value)[0]
    if ftype.kind in ("number", "score"):
        return parse_number(value)
    if ftype.kind == "bool":
        return parse_yes_no(value)
    return text(value)


YES = {"yes", "y", "true", "1", "x", "ano", "a", "applicable", "included", "include", "in scope", "ja", "oui", "si"}
NO = {"no", "n", "false", "0", "ne", "not applicable", "excluded", "exclude", "out of scope", "nein", "non"}


def parse_yes_no(value: Any) -> bool:
    """'Yes' / 'Y' / 'Ano' / 'Applicable' -> True; 'No' / 'N' / 'Excluded' -> False."""
    if isinstance(value, bool):
        return value
    w = fold_word(value)
    if w in YES:
        return True
    if w in NO:
        return False
    raise ValueError(f"{text(value)!r} is neither yes nor no")


_NIST_REF = re.compile(r"^([A-Za-z]{2})-(\d{1,2})(?:\s*\((\d{1,2})\))?$")
ISO_CODE, NIST_CODE = "ISO27001-2022", "NIST-800-53r5"


def requirement_refs(value: Any) -> tuple[list[str], list[str], list[str]]:
    """(requirements as '<framework>:<ref>', the references that name no framework and match none
    we know, notes for the cell). A bare Annex A id is ISO/IEC 27001:2022's (a 2013 id its
    successors), a bare 'AC-2(1)' is NIST SP 800-53's: how control registers write them."""
    good, bad, read = [], [], []
    for part in split_list(value):
        if re.match(r"^[A-Za-z0-9][\w.\-]*\s*:\s*\S", part):
            code, ref = (s.strip() for s in part.split(":", 1))
            good.append(f"{code}:{ref}")
            continue
        try:
            good.append(f"{ISO_CODE}:{normalise_annex_a_control(part)}")
            continue
        except ValueError:
            pass
        if later := successors(part):
            good += [f"{ISO_CODE}:{c}" for c in later]
            read.append(f"{part} -> {', '.join(later)}")
        elif m := _NIST_REF.match(part.strip()):
            ref = f"{m.group(1).upper()}-{int(m.group(2))}" + (f"({int(m.group(3))})" if m.group(3) else "")
            good.append(f"{NIST_CODE}:{ref}")
        else:
            bad.append(part)
    return list(dict.fromkeys(good)), bad, read


def annex_a_ref(value: Any) -> str | None:
    """'5.1' or 'A.5.1' -> 'A.5.1'; None when the text is no ISO/IEC 27001:2022 Annex A id."""
    try:
        return normalise_annex_a_control(text(value))
    except ValueError:
        return None
