"""Which part of the register a meeting looks at (RiskFilter), and which part an imported file
speaks for (Scope).

One frozen value carries every filter, so it can key cached results, travel in the URL and be
turned into one SQL predicate; an empty filter means the whole register. A Scope is the same idea
on the way in: a team's file is its business unit's (or an owner's) part of the register, so
committing it must not retire the other teams' risks.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

# What a register file is. WHOLE: the register as of its date, rows it no longer lists leave (the
# meaning before teams kept their own files). PART: merged into the register, a listed row is
# updated and an unlisted one stays; a row leaves only by its status (Closed).
WHOLE, PART = "whole", "part"
MODES = (WHOLE, PART)


def mode_of(kind: str, mode: str | None, parts: frozenset[str]) -> str | None:
    """What a file is for one of its registers: a part where the file only adds to that register
    whatever it is said to be (ImportPlan.parts: KRI definitions made from results' names), else
    `mode`. The preview and the commit both read it here, so they never disagree."""
    return PART if kind in parts else mode

# The risk fields a scope may name, with the words people use for them.
SCOPE_FIELDS = {"business_unit": "business unit", "owner": "owner"}


# How a risk's controls fared in their tests as of the date (isms.store.risk_controls says exactly
# what each means): the choice, and the words a CISO reads on the page, in captions and packs.
CONTROL_EFFECTIVENESS = {
    "all": "All risks",
    "failing": "A control failed or is overdue for testing",
    "passed": "All controls passed their last test",
    "untested": "No control tested yet",
}


@dataclass(frozen=True)
class RiskFilter:
    themes: tuple[str, ...] = ()
    asset_classes: tuple[str, ...] = ()
    assets: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    decisions: tuple[str, ...] = ()
    business_units: tuple[str, ...] = ()
    # one choice, not a set: the states overlap, and "failed or passed" would mean "tested"
    control_effectiveness: str = ""

    def __post_init__(self) -> None:
        for f in fields(self):
            if f.name == "control_effectiveness":
                choice = "" if self.control_effectiveness in ("", "all", None) else self.control_effectiveness
                if choice and choice not in CONTROL_EFFECTIVENESS:
                    raise ValueError(f"no control effectiveness {choice!r}: one of {', '.join(CONTROL_EFFECTIVENESS)}")
                object.__setattr__(self, f.name, choice)
            else:
                object.__setattr__(self, f.name, tuple(sorted(set(getattr(self, f.name)))))

    @property
    def empty(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))

    def only(self, *names: str) -> bool:
        """Whether no filter is set but (some of) those named."""
        return not any(getattr(self, f.name) for f in fields(self) if f.name not in names)

    def describe(self) -> str:
        """A short phrase for captions and pack footers ("all risks" when nothing is filtered)."""
        if self.empty:
            return "all risks"
        parts = [f"{f.name.replace('_', ' ')}: {', '.join(getattr(self, f.name))}"
                 for f in fields(self) if getattr(self, f.name) and f.name != "control_effectiveness"]
        if self.control_effectiveness:
            parts.append(f"controls: {CONTROL_EFFECTIVENESS[self.control_effectiveness].lower()}")
        return "; ".join(parts)


@dataclass(frozen=True)
class Scope:
    """The part of the risk register a file speaks for: the risks whose `field` is one of `values`
    (with their treatments and exceptions). A whole import with a scope replaces only that part."""

    field: str
    values: tuple[str, ...]

    def __post_init__(self) -> None:
        if self.field not in SCOPE_FIELDS:
            raise ValueError(f"a scope names a {' or an '.join(SCOPE_FIELDS.values())}, not {self.field!r}")
        values = tuple(sorted({str(v).strip() for v in self.values if str(v).strip()}))
        if not values:
            raise ValueError("a scope needs a value, such as the business unit's name")
        object.__setattr__(self, "values", values)

    @classmethod
    def parse(cls, text: str) -> "Scope":
        """'Retail' is business unit Retail; 'owner=Jane Doe' or 'business unit=Retail' name the field."""
        field, sep, value = text.partition("=")
        if not sep:
            return cls("business_unit", (text,))
        key = "_".join(field.strip().casefold().replace("-", " ").split())
        if key not in SCOPE_FIELDS:
            raise ValueError(f"{field.strip()!r} is not a scope: write a business unit's name, "
                             "'business unit=NAME' or 'owner=NAME'")
        return cls(key, (value,))

    def describe(self) -> str:
        return f"{SCOPE_FIELDS[self.field]} {', '.join(self.values)}"
