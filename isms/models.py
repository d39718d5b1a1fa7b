"""The ISMS vocabulary as pydantic models and str enums.

The canonical importer validates every sheet row against these models, so a message such as
"residual_likelihood: Input should be less than or equal to 5" reaches the analyst with the
cell address attached. Enum values are the words people write in their spreadsheets.
"""

from __future__ import annotations

import datetime as dt
import re
import typing
from enum import Enum
from typing import Annotated, Any, Optional

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator


def enum_of(annotation: Any) -> "type[Enum] | None":
    """The enum a field's annotation names (directly or inside Optional / list), if any: what the
    importer coerces a word to and the template offers as a dropdown."""
    for arg in (annotation, *typing.get_args(annotation)):
        if isinstance(arg, type) and issubclass(arg, Enum):
            return arg
    return None


# Bidirectional overrides and isolates, zero-width characters, the BOM, soft hyphen, Arabic
# letter mark: invisible, yet they change how text displays ('R-\u202e900' shows as R-009).
INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def _visible(value: str) -> str:
    if INVISIBLE.search(value):
        raise ValueError("holds invisible characters that make it display as another id; retype it")
    return value


Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64), AfterValidator(_visible)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Level = Annotated[int, Field(ge=1, le=6)]


class StrEnum(str, Enum):
    def __str__(self) -> str:
        return self.value


class AssetClass(StrEnum):
    primary = "Primary"
    supporting = "Supporting"


class AssetType(StrEnum):
    business_process = "Business process"
    information = "Information"
    activity = "Activity"
    hardware = "Hardware"
    software = "Software"
    network = "Network"
    personnel = "Personnel"
    facility = "Facility"
    service = "Service"


PRIMARY_TYPES = {AssetType.business_process, AssetType.information, AssetType.activity}


class Criticality(StrEnum):
    low = "Low"
    medium = "Medium"
    high = "High"
    critical = "Critical"


class AnnexATheme(StrEnum):
    """ISO/IEC 27001:2022 Annex A themes (IDs and theme names only; titles are ISO's)."""

    organizational = "A.5 Organizational"
    people = "A.6 People"
    physical = "A.7 Physical"
    technological = "A.8 Technological"


ANNEX_A_CONTROL_COUNT = {"5": 37, "6": 8, "7": 14, "8": 34}


class NistFamily(StrEnum):
    AC = "AC"
    AT = "AT"
    AU = "AU"
    CA = "CA"
    CM = "CM"
    CP = "CP"
    IA = "IA"
    IR = "IR"
    MA = "MA"
    MP = "MP"
    PE = "PE"
    PL = "PL"
    PM = "PM"
    PS = "PS"
    PT = "PT"
    RA = "RA"
    SA = "SA"
    SC = "SC"
    SI = "SI"
    SR = "SR"


class RiskStatus(StrEnum):
    open = "Open"
    in_treatment = "In treatment"
    accepted = "Accepted"
    closed = "Closed"


class RiskSource(StrEnum):
    annual_assessment = "Annual assessment"
    datacenter_assessment = "Datacenter assessment"
    incident = "Incident"
    vulnerability = "Vulnerability"
    bia = "Business impact assessment"
    audit = "Audit"


class ControlEffectiveness(StrEnum):
    none = "None"
    weak = "Weak"
    partial = "Partial"
    effective = "Effective"
    strong = "Strong"


class Decision(StrEnum):
    avoid = "Avoid"
    reduce = "Reduce"
    transfer = "Transfer"
    accept = "Accept"


class TreatmentStatus(StrEnum):
    planned = "Planned"
    in_progress = "In progress"
    done = "Done"
    cancelled = "Cancelled"


ACTIVE_TREATMENT = {TreatmentStatus.planned, TreatmentStatus.in_progress}


class Direction(StrEnum):
    higher_is_better = "Higher is better"
    lower_is_better = "Lower is better"


class Cadence(StrEnum):
    monthly = "Monthly"
    quarterly = "Quarterly"


class ExceptionStatus(StrEnum):
    requested = "Requested"
    granted = "Granted"
    refused = "Refused"
    closed = "Closed"


_ANNEX_A_ID = re.compile(r"^(?:A\.)?([5-8])\.(\d{1,2})$")


def normalise_annex_a_control(value: str) -> str:
    """'8.2' or 'A.8.2' -> 'A.8.2'; refuses ids that are not in ISO/IEC 27001:2022 Annex A."""
    m = _ANNEX_A_ID.match(value.strip())
    if not m or not 1 <= int(m.group(2)) <= ANNEX_A_CONTROL_COUNT[m.group(1)]:
        raise ValueError(f"{value!r} is not an ISO/IEC 27001:2022 Annex A control id (A.5.1-A.8.34)")
    return f"A.{m.group(1)}.{int(m.group(2))}"


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)


class Asset(Record):
    asset_id: Id
    name: Name
    asset_class: AssetClass
    asset_type: AssetType
    criticality: Criticality
    owner: Optional[Name] = None
    location: Optional[Name] = None

    @model_validator(mode="after")
    def _class_matches_type(self) -> "Asset":
        is_primary = self.asset_type in PRIMARY_TYPES
        if is_primary != (self.asset_class is AssetClass.primary):
            kind = "primary" if is_primary else "supporting"
            raise ValueError(f"asset type {self.asset_type.value!r} is a {kind} asset, not {self.asset_class.value.lower()}")
        return self


class Risk(Record):
    risk_id: Id
    title: Name
    description: Optional[Text] = None
    annex_a_theme: AnnexATheme
    annex_a_controls: list[str] = Field(default_factory=list)
    nist_family: Optional[NistFamily] = None
    asset_ids: list[Id] = Field(default_factory=list)
    owner: Name
    # the team whose register lists the risk: a filter on every page, and the scope a team's file
    # speaks for on import (so one team's register does not retire another's risks)
    business_unit: Optional[Name] = None
    status: RiskStatus
    identified_on: dt.date
    source: RiskSource

    @field_validator("annex_a_controls")
    @classmethod
    def _controls(cls, v: list[str]) -> list[str]:
        return [normalise_annex_a_control(c) for c in v]

    @model_validator(mode="after")
    def _controls_in_theme(self) -> "Risk":
        theme_digit = self.annex_a_theme.value[2]
        stray = [c for c in self.annex_a_controls if c[2] != theme_digit]
        if stray and len(stray) == len(self.annex_a_controls):
            raise ValueError(f"controls {stray} are not in theme {self.annex_a_theme.value}")
        return self


class Assessment(Record):
    risk_id: Id
    assessed_on: dt.date
    inherent_likelihood: Level
    inherent_impact: Level
    control_effectiveness: Optional[ControlEffectiveness] = None
    residual_likelihood: Level
    residual_impact: Level
    target_likelihood: Optional[Level] = None
    target_impact: Optional[Level] = None
    assessor: Optional[Name] = None

    @model_validator(mode="after")
    def _target_pair(self) -> "Assessment":
        if (self.target_likelihood is None) != (self.target_impact is None):
            raise ValueError("give both target likelihood and target impact, or neither")
        return self


class Treatment(Record):
    treatment_id: Id
    risk_id: Id
    decision: Decision
    description: Optional[Text] = None
    owner: Name
    start_on: dt.date
    due_on: dt.date
    status: TreatmentStatus
    completed_on: Optional[dt.date] = None

    @model_validator(mode="after")
    def _dates(self) -> "Treatment":
        if self.due_on < self.start_on:
            raise ValueError(f"due date {self.due_on} is before start date {self.start_on}")
        if self.status is TreatmentStatus.done and self.completed_on is None:
            raise ValueError("a treatment with status Done needs a completed date")
        if self.completed_on is not None and self.completed_on < self.start_on:
            raise ValueError(f"completed date {self.completed_on} is before start date {self.start_on}")
        return self


class TreatmentUpdate(Record):
    treatment_id: Id
    updated_on: dt.date
    percent_complete: Annotated[float, Field(ge=0, le=100)]
    status: TreatmentStatus
    note: Optional[Text] = None


class Metric(Record):
    """A key risk indicator. Thresholds are where a status begins: with lower-is-better, a value
    equal to `red` is red; with higher-is-better, a value equal to `red` is red."""

    metric_id: Id
    name: Name
    control_domain: AnnexATheme
    unit: Optional[Annotated[str, StringConstraints(strip_whitespace=True, max_length=30)]] = None
    direction: Direction
    target: Optional[float] = None
    amber: Optional[float] = None
    red: Optional[float] = None
    cadence: Cadence = Cadence.monthly
    owner: Optional[Name] = None

    @model_validator(mode="after")
    def _thresholds_ordered(self) -> "Metric":
        if self.amber is not None and self.red is not None:
            worse_ok = self.red <= self.amber if self.direction is Direction.higher_is_better else self.red >= self.amber
            if not worse_ok:
                side = "at or below" if self.direction is Direction.higher_is_better else "at or above"
                raise ValueError(f"red threshold {self.red} must be {side} amber {self.amber} when {self.direction.value.lower()}")
        return self


class MonitoringResult(Record):
    metric_id: Id
    period: dt.date  # the first day of the month measured
    value: float
    note: Optional[Text] = None

    @field_validator("period")
    @classmethod
    def _month(cls, v: dt.date) -> dt.date:
        return v.replace(day=1)


class PolicyException(Record):
    """A granted departure from a policy. Its own rating is optional: many exception logs rate
    nothing, and the Risk Review shows the linked risk's level anyway; an expiry is what a
    granted exception cannot do without (the review counts down to it)."""
    exception_id: Id
    policy: Name
    title: Optional[Name] = None
    justification: Optional[Text] = None
    owner: Optional[Name] = None
    control: Optional[Name] = None
    risk_id: Optional[Id] = None
    likelihood: Optional[Level] = None
    impact: Optional[Level] = None
    requested_on: Optional[dt.date] = None
    granted_on: Optional[dt.date] = None
    expires_on: Optional[dt.date] = None
    compensating_controls: Optional[Text] = None
    approver: Optional[Name] = None
    status: ExceptionStatus

    @model_validator(mode="after")
    def _granted(self) -> "PolicyException":
        if (self.likelihood is None) != (self.impact is None):
            raise ValueError("give both likelihood and impact, or neither")
        if self.status is ExceptionStatus.granted and self.expires_on is None:
            raise ValueError("a granted exception needs an expiry date")
        if self.granted_on and self.expires_on and self.expires_on < self.granted_on:
            raise ValueError(f"expiry {self.expires_on} is before the grant {self.granted_on}")
        if self.requested_on and self.granted_on and self.granted_on < self.requested_on:
            raise ValueError(f"granted {self.granted_on} before it was requested {self.requested_on}")
        return self


# One entry per kind of sheet: the sheet name in templates, the model, and the key that must be
# unique within one file.
KINDS: dict[str, tuple[str, type[Record], tuple[str, ...]]] = {
    "assets": ("Assets", Asset, ("asset_id",)),
    "risks": ("Risks", Risk, ("risk_id",)),
    "assessments": ("Assessments", Assessment, ("risk_id", "assessed_on")),
    "treatments": ("Treatments", Treatment, ("treatment_id",)),
    "treatment_updates": ("TreatmentUpdates", TreatmentUpdate, ("treatment_id", "updated_on")),
    "metrics": ("Metrics", Metric, ("metric_id",)),
    "monitoring_results": ("MonitoringResults", MonitoringResult, ("metric_id", "period")),
    "exceptions": ("Exceptions", PolicyException, ("exception_id",)),
}

# Kinds whose import replaces the register as of the batch date (a dated snapshot); the others
# are dated events that accumulate.
SNAPSHOT_KINDS = ("assets", "risks", "treatments", "metrics", "exceptions")
EVENT_KINDS = ("assessments", "treatment_updates", "monitoring_results")
