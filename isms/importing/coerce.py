"""One cell of the analyst's sheet into the type a model field wants.

The field's type comes from the pydantic annotation, so a new model field is coerced without a
new rule here. Levels go through the matrix's own labels, then a word ladder, then the scale
rule that the analyst confirmed.
"""

from __future__ import annotations

import datetime as dt
import typing
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Any

from isms.importing import values
from isms.matrix import RiskMatrix
from isms.models import (KINDS, AnnexATheme, Assessment, Cadence, ControlEffectiveness, Criticality, Decision,
                         Direction, ExceptionStatus, RiskStatus, TreatmentStatus, normalise_annex_a_control)

ENUM_SYNONYMS: dict[type[Enum], dict[str, str]] = {
    RiskStatus: {"in progress": "In treatment", "planned": "In treatment", "mitigating": "In treatment",
                 "treating": "In treatment", "ongoing": "In treatment", "not started": "Open", "new": "Open",
                 "identified": "Open", "active": "Open", "mitigated": "Closed", "resolved": "Closed",
                 "done": "Closed", "complete": "Closed", "completed": "Closed", "accept": "Accepted",
                 "retained": "Accepted", "transferred": "Closed", "avoided": "Closed"},
    Decision: {"mitigate": "Reduce", "modify": "Reduce", "treat": "Reduce", "remediate": "Reduce",
               "share": "Transfer", "insure": "Transfer", "retain": "Accept", "tolerate": "Accept",
               "terminate": "Avoid", "eliminate": "Avoid", "reduction": "Reduce", "acceptance": "Accept"},
    TreatmentStatus: {"not started": "Planned", "open": "Planned", "to do": "Planned", "ongoing": "In progress",
                      "started": "In progress", "complete": "Done", "completed": "Done", "closed": "Done",
                      "implemented": "Done", "canceled": "Cancelled", "dropped": "Cancelled"},
    Direction: {"higher is better": "Higher is better", "higher": "Higher is better", "up": "Higher is better",
                "increase": "Higher is better", "maximise": "Higher is better", "maximize": "Higher is better",
                "lower is better": "Lower is better", "lower": "Lower is better", "down": "Lower is better",
                "decrease": "Lower is better", "minimise": "Lower is better", "minimize": "Lower is better"},
    Cadence: {"month": "Monthly", "quarter": "Quarterly", "weekly": "Monthly", "daily": "Monthly",
              "continuous": "Monthly"},
    ExceptionStatus: {"approved": "Granted", "active": "Granted", "rejected": "Refused", "denied": "Refused",
                      "expired": "Closed", "pending": "Requested", "open": "Requested"},
    Criticality: {"very high": "Critical", "moderate": "Medium"},
    ControlEffectiveness: {"ineffective": "Weak", "partially effective": "Partial", "adequate": "Effective",
                           "largely effective": "Effective", "fully effective": "Strong"},
    AnnexATheme: {"organizational": AnnexATheme.organizational.value, "organisational": AnnexATheme.organizational.value,
                  "a 5": AnnexATheme.organizational.value, "5": AnnexATheme.organizational.value,
                  "people": AnnexATheme.people.value, "a 6": AnnexATheme.people.value, "6": AnnexATheme.people.value,
                  "physical": AnnexATheme.physical.value, "a 7": AnnexATheme.physical.value, "7": AnnexATheme.physical.value,
                  "technological": AnnexATheme.technological.value, "a 8": AnnexATheme.technological.value,
                  "8": AnnexATheme.technological.value},
}
LOSSY = {(Cadence, "weekly"), (Cadence, "daily"), (Cadence, "continuous")}
THEME_BY_DIGIT = {m.value[2]: m.value for m in AnnexATheme}


@dataclass(frozen=True)
class FieldType:
    kind: str  # date, level, enum, list, number, score, text
    enum: type[Enum] | None = None


def _enum_of(annotation: Any) -> type[Enum] | None:
    for arg in (annotation, *typing.get_args(annotation)):
        if isinstance(arg, type) and issubclass(arg, Enum):
            return arg
    return None


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
    model = KINDS[kind][1]
    info = model.model_fields.get(name) or Assessment.model_fields[name]
    ann = info.annotation
    if name.endswith("likelihood") or name.endswith("impact"):
        return FieldType("level")
    if (e := _enum_of(ann)) is not None:
        return FieldType("enum", e)
    if typing.get_origin(ann) is list:
        return FieldType("list")
    args = {ann, *typing.get_args(ann)}
    if dt.date in args:
        return FieldType("date")
    if float in args or int in args:
        return FieldType("number")
    return FieldType("text")


def to_enum(enum: type[Enum], value: Any) -> tuple[str, bool]:
    """(member value, lossy) for a spelling of an enum member."""
    w = values.fold_word(value)
    for m in enum:
        if w in (values.fold_word(m.value), values.fold_word(m.name)):
            return m.value, False
    syn = ENUM_SYNONYMS.get(enum, {})
    if w in syn:
        return syn[w], (enum, w) in LOSSY
    choices = ", ".join(m.value for m in enum)
    raise ValueError(f"{values.text(value)!r} is not one of: {choices}")


def rescale(v: int, steps_from: int, steps_to: int) -> int:
    """Step v of an n-step scale onto an m-step scale, ends kept: 3 -> 5 maps 1, 2, 3 to 1, 3, 5."""
    if steps_from == steps_to:
        return v
    return int(1 + (v - 1) * (steps_to - 1) / (steps_from - 1) + 0.5)


def scale_rule(steps_from: int, steps_to: int) -> str:
    pairs = ", ".join(f"{v}→{rescale(v, steps_from, steps_to)}" for v in range(1, steps_from + 1))
    return f"a {steps_from}-step scale mapped onto the matrix's {steps_to} steps ({pairs})"


THREE_WORDS = {"low": 1, "medium": 2, "moderate": 2, "high": 3}


def three_word_scale(column: list[Any], labels: tuple[str, ...]) -> bool:
    """A column rated only Low / Medium / High, on a matrix whose labels are other words: a 3-step scale."""
    words = {values.fold_word(v) for v in column if isinstance(v, str) and not values.blank(v)}
    own = {values.fold_word(label) for label in labels}
    return bool(words) and words <= set(THREE_WORDS) and not words & own and len(labels) != 3


def to_level(value: Any, labels: tuple[str, ...], steps_from: int | None, three_words: bool = False) -> int:
    """A likelihood or impact step on the matrix's axis (1..len(labels))."""
    m = len(labels)
    if isinstance(value, str):
        w = values.fold_word(value)
        for i, label in enumerate(labels, start=1):
            if w == values.fold_word(label):
                return i
        if three_words and w in THREE_WORDS:
            return rescale(THREE_WORDS[w], 3, m)
        lead = w.split(" ", 1)[0]
        if lead.isdigit() and not w.replace(" ", "").isdigit():
            value = lead  # '4 - Major'
        elif w in values.LEVEL_WORDS:
            return rescale(values.LEVEL_WORDS[w], 5, m)
    try:
        number = values.parse_number(value)
    except ValueError:
        raise ValueError(f"{values.text(value)!r} is neither a step 1-{m} nor a level word ({', '.join(labels)})") from None
    if not number.is_integer():
        raise ValueError(f"{values.text(value)} is not a whole step (1-{steps_from or m})")
    v, n = int(number), steps_from or m
    if not 1 <= v <= n:
        words = f" or its word ({', '.join(labels)})" if n == m else ""
        raise ValueError(f"{v} is off the {n}-step scale: write a step 1-{n}{words}")
    return rescale(v, n, m)


def controls(value: Any) -> tuple[list[str], list[str]]:
    """(ISO/IEC 27001:2022 Annex A ids, the references that are not such ids)."""
    good, bad = [], []
    for part in values.split_list(value):
        try:
            good.append(normalise_annex_a_control(part))
        except ValueError:
            bad.append(part)
    return good, bad


def coerce(ftype: FieldType, value: Any, *, matrix: RiskMatrix, axis: str = "", steps_from: int | None = None,
           period: bool = False, three_words: bool = False) -> Any:
    """The typed value, None for not rated, or ValueError with the reason."""
    if ftype.kind == "list":
        return values.split_list(value)
    if values.blank(value):
        return None
    if ftype.kind == "date":
        return values.parse_date(value, period_end=not period)
    if ftype.kind == "level":
        labels = matrix.likelihood_labels if axis == "likelihood" else matrix.impact_labels
        return to_level(value, labels, steps_from, three_words)
    if ftype.kind == "enum":
        return to_enum(ftype.enum, value)[0]
    if ftype.kind in ("number", "score"):
        return values.parse_number(value)
    return values.text(value)
