"""The Risk Review filters: which part of the register a meeting looks at.

One frozen value carries every filter, so it can key cached results, travel in the URL and be
turned into one SQL predicate; an empty filter means the whole register.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class RiskFilter:
    themes: tuple[str, ...] = ()
    asset_classes: tuple[str, ...] = ()
    assets: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    decisions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for f in fields(self):
            object.__setattr__(self, f.name, tuple(sorted(set(getattr(self, f.name)))))

    @property
    def empty(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))

    def describe(self) -> str:
        """A short phrase for captions and pack footers ("all risks" when nothing is filtered)."""
        if self.empty:
            return "all risks"
        parts = [f"{f.name.replace('_', ' ')}: {', '.join(getattr(self, f.name))}"
                 for f in fields(self) if getattr(self, f.name)]
        return "; ".join(parts)
