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


# --- Compliance: controls, the Statement of Applicability, control tests, audits, findings ---
# Requirements are cited as '<framework code>:<ref>' (ISO27001-2022:A.5.15, NIST-800-53r5:AC-2(1)):
# one control can satisfy several frameworks at once.

_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][\w.\-]*)\s*:\s*(\S.*?)\s*$")


def split_requirement(value: str) -> tuple[str, str]:
    """'ISO27001-2022:A.5.15' -> ('ISO27001-2022', 'A.5.15'); refuses a reference without its framework."""
    m = _REQUIREMENT.match(value)
    if not m:
        raise ValueError(f"{value!r} names no framework: write it as <framework>:<ref>, e.g. ISO27001-2022:A.5.15")
    return m.group(1), m.group(2)


class ControlType(StrEnum):
    preventive = "Preventive"
    detective = "Detective"
    corrective = "Corrective"
    directive = "Directive"


class ControlFrequency(StrEnum):
    continuous = "Continuous"
    daily = "Daily"
    weekly = "Weekly"
    monthly = "Monthly"
    quarterly = "Quarterly"
    semi_annual = "Semi-annual"
    annual = "Annual"
    ad_hoc = "Ad hoc"


class ImplementationStatus(StrEnum):
    implemented = "Implemented"
    partial = "Partially implemented"
    planned = "Planned"
    not_implemented = "Not implemented"
    retired = "Retired"


class TestResult(StrEnum):
    passed = "Pass"
    exceptions = "Exceptions"
    failed = "Fail"


class AuditType(StrEnum):
    internal = "Internal audit"
    iso_stage_1 = "ISO stage 1"
    iso_stage_2 = "ISO stage 2"
    iso_surveillance = "ISO surveillance"
    iso_recertification = "ISO recertification"
    soc1_type1 = "SOC 1 Type I"
    soc1_type2 = "SOC 1 Type II"
    soc2_type1 = "SOC 2 Type I"
    soc2_type2 = "SOC 2 Type II"
    pci_roc = "PCI DSS ROC"
    fedramp_annual = "FedRAMP annual assessment"
    sox = "SOX"


class FindingGrade(StrEnum):
    major = "Major nonconformity"
    minor = "Minor nonconformity"
    observation = "Observation"
    ofi = "Opportunity for improvement"


class FindingStatus(StrEnum):
    open = "Open"
    remediated = "Remediated"
    verified = "Verified"
    closed = "Closed"


OPEN_FINDING = {FindingStatus.open, FindingStatus.remediated}  # not yet verified by the auditor


class Control(Record):
    control_id: Id
    name: Name
    owner: Optional[Name] = None
    # words as registers write them ('Preventive and Detective', 'Per engagement'): ControlType and
    # ControlFrequency are what the template offers, not a limit
    control_type: Optional[Name] = None
    frequency: Optional[Name] = None
    status: ImplementationStatus = ImplementationStatus.implemented
    requirements: list[str] = Field(default_factory=list)  # '<framework>:<ref>'
    description: Optional[Text] = None

    @field_validator("requirements")
    @classmethod
    def _requirements(cls, v: list[str]) -> list[str]:
        return [":".join(split_requirement(r)) for r in v]


class SoaEntry(Record):
    """One requirement's line of the Statement of Applicability. An applicable requirement says why
    (risk, legal, contract, best practice); an excluded one says why not."""
    framework: Id
    ref: Id
    applicable: bool
    reason: Optional[Text] = None          # reason for inclusion
    justification: Optional[Text] = None   # justification for exclusion
    implementation_status: Optional[ImplementationStatus] = None
    soa_version: Optional[Annotated[str, StringConstraints(strip_whitespace=True, max_length=30)]] = None
    approved_on: Optional[dt.date] = None
    approved_by: Optional[Name] = None

    @model_validator(mode="after")
    def _why(self) -> "SoaEntry":
        if not self.applicable and not self.justification:
            raise ValueError(f"{self.ref} is excluded without a justification")
        return self


class ControlTest(Record):
    """A control's test for one period (the period's last day): due, and once tested, its result."""
    control_id: Id
    period: dt.date
    due_on: dt.date
    tested_on: Optional[dt.date] = None
    result: Optional[TestResult] = None
    tester: Optional[Name] = None
    test_id: Optional[Id] = None
    note: Optional[Text] = None

    @model_validator(mode="after")
    def _tested(self) -> "ControlTest":
        if self.result is not None and self.tested_on is None:
            raise ValueError("a test with a result needs the date it was tested")
        return self


class Audit(Record):
    """An audit or assessment; a certification's issue and expiry ride on the audit that granted it."""
    audit_id: Id
    audit_type: AuditType
    framework: Optional[Id] = None
    starts_on: dt.date
    ends_on: Optional[dt.date] = None
    period_start: Optional[dt.date] = None   # SOC Type II: the period the report covers
    period_end: Optional[dt.date] = None
    auditor: Optional[Name] = None
    scope: Optional[Text] = None
    opinion: Optional[Name] = None
    certificate_issued_on: Optional[dt.date] = None
    certificate_expires_on: Optional[dt.date] = None

    @model_validator(mode="after")
    def _dates(self) -> "Audit":
        if self.ends_on and self.ends_on < self.starts_on:
            raise ValueError(f"audit ends {self.ends_on} before it starts {self.starts_on}")
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValueError(f"audit period ends {self.period_end} before it starts {self.period_start}")
        if (self.certificate_issued_on and self.certificate_expires_on
                and self.certificate_expires_on < self.certificate_issued_on):
            raise ValueError("certificate expires before it was issued")
        return self


class Finding(Record):
    finding_id: Id
    audit_id: Optional[Id] = None
    title: Name
    framework: Optional[Id] = None
    ref: Optional[Id] = None
    control_id: Optional[Id] = None
    grade: FindingGrade
    root_cause: Optional[Text] = None
    owner: Optional[Name] = None
    raised_on: dt.date
    due_on: Optional[dt.date] = None
    status: FindingStatus = FindingStatus.open
    closed_on: Optional[dt.date] = None
    risk_id: Optional[Id] = None
    exception_id: Optional[Id] = None

    @model_validator(mode="after")
    def _closed(self) -> "Finding":
        if self.status is FindingStatus.closed and self.closed_on is None:
            raise ValueError("a closed finding needs its closing date")
        if self.closed_on and self.closed_on < self.raised_on:
            raise ValueError(f"closed {self.closed_on} before it was raised {self.raised_on}")
        return self


class FrameworkRow(Record):
    """A user-imported framework: its code (how requirements cite it), name and version."""
    framework: Id
    name: Name
    version: Optional[Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)]] = None
    licence: Annotated[str, StringConstraints(strip_whitespace=True, max_length=30)] = "user-imported"


class RequirementRow(Record):
    """A requirement of a user-imported framework catalog (SOC 2, PCI DSS, ISO text from a licensed copy)."""
    framework: Id
    ref: Id
    title: Name
    parent: Optional[Id] = None
    family: Optional[Name] = None
    text: Optional[Text] = None


class RequirementMapping(Record):
    """One line of a mapping between two frameworks (NIST's SP 800-53 to ISO/IEC 27001 mapping, say):
    what satisfies `framework:ref` may satisfy `target_framework:target_ref`. Such mappings are
    coarse, so they are only ever suggestions: a control is linked to the target when an analyst
    accepts it (isms.store.mapping_suggestions), never on import."""
    framework: Id            # the source framework: a mapping file is the register of its source's lines
    ref: Id
    target_framework: Id
    target_ref: Id


# Compliance kinds, as KINDS: sheet name, model, key. Controls, audits and findings are registers
# (the batch's rows are the register as of its date); the SoA and catalogs are registers per
# framework (a file about one framework leaves the others as they were); tests are dated events.
COMPLIANCE_KINDS: dict[str, tuple[str, type[Record], tuple[str, ...]]] = {
    "controls": ("Controls", Control, ("control_id",)),
    "soa": ("SoA", SoaEntry, ("framework", "ref")),
    "control_tests": ("ControlTests", ControlTest, ("control_id", "period")),
    "audits": ("Audits", Audit, ("audit_id",)),
    "findings": ("Findings", Finding, ("finding_id",)),
    "frameworks": ("Frameworks", FrameworkRow, ("framework",)),
    "requirements": ("Requirements", RequirementRow, ("framework", "ref")),
    "mappings": ("Mappings", RequirementMapping, ("framework", "ref", "target_framework", "target_ref")),
}
PER_FRAMEWORK_KINDS = ("soa", "frameworks", "requirements", "mappings")
KINDS.update(COMPLIANCE_KINDS)
SNAPSHOT_KINDS += ("controls", "audits", "findings")
EVENT_KINDS += ("control_tests",)


# --- The forum's minutes and actions, imported from a spreadsheet (isms.importing.forum_kinds) ---
# Not registers and not events of a register: an import writes them into the forum's own tables
# (isms.store.forum), as the page's forms do, each row marked with its batch so undo hides it.

class DecisionKind(StrEnum):
    """The forum's kinds of decision (isms.forum.DECISION_KINDS gives each its sentence)."""
    risk_acceptance = "risk-acceptance"
    exception_grant = "exception-grant"
    exception_renewal = "exception-renewal"
    exception_refusal = "exception-refusal"
    treatment_approval = "treatment-approval"
    appetite_change = "appetite-change"
    soa_approval = "soa-approval"
    free = "free"


class ActionStatus(StrEnum):
    open = "open"
    in_progress = "in progress"
    blocked = "blocked"
    done = "done"
    verified = "verified"
    cancelled = "cancelled"


class DecisionRow(Record):
    """A line of a meeting's minutes: the meeting (its date and series; one not yet recorded is
    recorded by the import) and what it decided, linked to what it concerns."""
    held_on: dt.date
    series: Id
    decision_kind: DecisionKind
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
    review_on: Optional[dt.date] = None
    decision_id: Optional[Id] = None     # the file's own id (actions may cite it); a new D-number when blank
    risk_ids: list[Id] = Field(default_factory=list)
    treatment_ids: list[Id] = Field(default_factory=list)
    exception_ids: list[Id] = Field(default_factory=list)
    kri_ids: list[Id] = Field(default_factory=list)
    finding_ids: list[Id] = Field(default_factory=list)


class ActionRow(Record):
    """An action as the file has it on its as-of date: a new one, or the state of one the forum has."""
    action_id: Id
    title: Name
    owner: Name
    due_on: dt.date
    status: ActionStatus = ActionStatus.open
    series: Optional[Id] = None
    held_on: Optional[dt.date] = None    # the meeting it comes from (with the series), or:
    meeting_id: Optional[Id] = None
    decision_id: Optional[Id] = None
    risk_id: Optional[Id] = None
    kri_id: Optional[Id] = None
    finding_id: Optional[Id] = None
    raised_on: Optional[dt.date] = None
    closure_note: Optional[Text] = None


FORUM_KINDS: dict[str, tuple[str, type[Record], tuple[str, ...]]] = {
    "decisions": ("Decisions", DecisionRow, ("series", "held_on", "text")),
    "actions": ("Actions", ActionRow, ("action_id",)),
}
KINDS.update(FORUM_KINDS)
