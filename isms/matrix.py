"""The one risk matrix: scales, score, level and appetite.

Every level shown anywhere (pages, SQL read model, packs, CLI) comes from `RiskMatrix.level`.
The SQL side joins `RiskMatrix.cells()`, which is generated from the same method, so the two can
never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

DEFAULT_COLOURS = {
    # Green -> red; five entries cover the NIST five-level scale, fewer levels take a subset.
    2: ["#2e7d32", "#c62828"],
    3: ["#2e7d32", "#f9a825", "#c62828"],
    4: ["#2e7d32", "#f9a825", "#ef6c00", "#c62828"],
    5: ["#1b5e20", "#7cb342", "#f9a825", "#ef6c00", "#c62828"],
    6: ["#1b5e20", "#7cb342", "#f9a825", "#ef6c00", "#c62828", "#6a1b9a"],
}


class MatrixError(ValueError):
    """A matrix definition that cannot be used (raised when the settings file is loaded)."""


@dataclass(frozen=True)
class RiskMatrix:
    """Likelihood x impact on ordinal scales of 3 to 6 steps.

    `method="product"`: score = likelihood x impact, and `bands[i]` is the highest score of
    level i. `method="grid"`: `grid[likelihood-1][impact-1]` names the level directly (a lookup
    such as NIST SP 800-30 Table I-2); the score is still the product, so exposure can be summed.
    `appetite` is the highest level that is acceptable without treatment or formal acceptance.
    """

    name: str
    likelihood_labels: tuple[str, ...]
    impact_labels: tuple[str, ...]
    levels: tuple[str, ...]
    appetite: str
    method: Literal["product", "grid"] = "product"
    bands: tuple[int, ...] = ()
    grid: tuple[tuple[str, ...], ...] = ()
    colours: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        for axis, labels in (("likelihood", self.likelihood_labels), ("impact", self.impact_labels)):
            if not 3 <= len(labels) <= 6:
                raise MatrixError(f"the {axis} scale must have 3 to 6 steps, not {len(labels)}")
        if not 2 <= len(self.levels) <= 6:
            raise MatrixError(f"a matrix needs 2 to 6 levels, not {len(self.levels)}")
        if len(set(self.levels)) != len(self.levels):
            raise MatrixError("level names must be distinct")
        if self.appetite not in self.levels:
            raise MatrixError(f"appetite {self.appetite!r} is not one of the levels {list(self.levels)}")
        if not self.colours:
            object.__setattr__(self, "colours", tuple(DEFAULT_COLOURS[len(self.levels)]))
        if len(self.colours) != len(self.levels):
            raise MatrixError("give one colour per level")
        if self.method == "product":
            self._check_bands()
        elif self.method == "grid":
            self._check_grid()
        else:
            raise MatrixError(f"method must be 'product' or 'grid', not {self.method!r}")

    def _check_bands(self) -> None:
        if len(self.bands) != len(self.levels):
            raise MatrixError("give one band (the highest score of that level) per level")
        if list(self.bands) != sorted(set(self.bands)):
            raise MatrixError("band upper bounds must rise strictly")
        if self.bands[-1] < self.max_score:
            raise MatrixError(f"the last band must reach the highest score {self.max_score}")

    def _check_grid(self) -> None:
        if len(self.grid) != self.steps_likelihood or any(len(r) != self.steps_impact for r in self.grid):
            raise MatrixError(
                f"the grid must have {self.steps_likelihood} rows (likelihood, lowest first) "
                f"of {self.steps_impact} levels (impact, lowest first)"
            )
        rank = {lvl: i for i, lvl in enumerate(self.levels)}
        for row in self.grid:
            for cell in row:
                if cell not in rank:
                    raise MatrixError(f"grid level {cell!r} is not one of {list(self.levels)}")
        # A level must never fall when likelihood or impact rises: otherwise a worse risk would
        # show as a lesser one, which no reviewer could defend.
        for li in range(self.steps_likelihood):
            for im in range(self.steps_impact):
                here = rank[self.grid[li][im]]
                if li + 1 < self.steps_likelihood and rank[self.grid[li + 1][im]] < here:
                    raise MatrixError(f"grid level falls as likelihood rises at likelihood {li + 2}, impact {im + 1}")
                if im + 1 < self.steps_impact and rank[self.grid[li][im + 1]] < here:
                    raise MatrixError(f"grid level falls as impact rises at likelihood {li + 1}, impact {im + 2}")

    @property
    def steps_likelihood(self) -> int:
        return len(self.likelihood_labels)

    @property
    def steps_impact(self) -> int:
        return len(self.impact_labels)

    @property
    def max_score(self) -> int:
        return self.steps_likelihood * self.steps_impact

    def _check_point(self, likelihood: int, impact: int) -> None:
        if not 1 <= likelihood <= self.steps_likelihood:
            raise ValueError(f"likelihood {likelihood} is outside 1-{self.steps_likelihood}")
        if not 1 <= impact <= self.steps_impact:
            raise ValueError(f"impact {impact} is outside 1-{self.steps_impact}")

    def score(self, likelihood: int, impact: int) -> int:
        """Numeric exposure of one risk; summed across the register as 'exposure'."""
        self._check_point(likelihood, impact)
        return likelihood * impact

    def level(self, likelihood: int, impact: int) -> str:
        """The level name: the only definition of a level in the product."""
        self._check_point(likelihood, impact)
        if self.method == "grid":
            return self.grid[likelihood - 1][impact - 1]
        score = likelihood * impact
        for level, upper in zip(self.levels, self.bands):
            if score <= upper:
                return level
        raise AssertionError("bands were checked to cover every score")

    def rank(self, level: str) -> int:
        """0 for the lowest level; raises on an unknown name."""
        return self.levels.index(level)

    def colour(self, level: str) -> str:
        return self.colours[self.rank(level)]

    @property
    def level_colours(self) -> dict[str, str]:
        """Each level's colour, for tables and charts that colour cells by level."""
        return dict(zip(self.levels, self.colours))

    def within_appetite(self, level: str) -> bool:
        return self.rank(level) <= self.rank(self.appetite)

    @cached_property
    def _cells(self) -> tuple[tuple[int, int, int, str, int, bool], ...]:
        out = []
        for li in range(1, self.steps_likelihood + 1):
            for im in range(1, self.steps_impact + 1):
                lvl = self.level(li, im)
                out.append((li, im, self.score(li, im), lvl, self.rank(lvl), self.within_appetite(lvl)))
        return tuple(out)

    def cells(self) -> tuple[tuple[int, int, int, str, int, bool], ...]:
        """(likelihood, impact, score, level, level rank, within appetite) for every cell."""
        return self._cells

    def describe(self) -> dict[str, Any]:
        """A plain description for the method appendix of packs and the JSON CLI."""
        return {
            "name": self.name,
            "method": self.method,
            "likelihood": list(self.likelihood_labels),
            "impact": list(self.impact_labels),
            "levels": list(self.levels),
            "bands": list(self.bands) if self.method == "product" else None,
            "grid": [list(r) for r in self.grid] if self.method == "grid" else None,
            "appetite": self.appetite,
        }


_FIVE = ("Very low", "Low", "Moderate", "High", "Very high")
_NIST_GRID_HIGH_FIRST = {
    # NIST SP 800-30 Rev. 1 Table I-2, rows likelihood VH..VL, columns impact VL..VH.
    "Very high": ("Very low", "Low", "Moderate", "High", "Very high"),
    "High": ("Very low", "Low", "Moderate", "High", "Very high"),
    "Moderate": ("Very low", "Low", "Moderate", "Moderate", "High"),
    "Low": ("Very low", "Low", "Low", "Low", "Moderate"),
    "Very low": ("Very low", "Very low", "Very low", "Low", "Low"),
}

PRESETS: dict[str, RiskMatrix] = {
    "5x5": RiskMatrix(
        name="5x5",
        likelihood_labels=("Rare", "Unlikely", "Possible", "Likely", "Almost certain"),
        impact_labels=("Insignificant", "Minor", "Moderate", "Major", "Severe"),
        levels=("Low", "Medium", "High", "Critical"),
        bands=(4, 9, 16, 25),
        appetite="Medium",
    ),
    "nist-800-30": RiskMatrix(
        name="nist-800-30",
        likelihood_labels=_FIVE,
        impact_labels=_FIVE,
        levels=_FIVE,
        method="grid",
        grid=tuple(_NIST_GRID_HIGH_FIRST[label] for label in _FIVE),
        appetite="Moderate",
    ),
    "3x3": RiskMatrix(
        name="3x3",
        likelihood_labels=("Low", "Medium", "High"),
        impact_labels=("Low", "Medium", "High"),
        levels=("Low", "Medium", "High"),
        bands=(2, 4, 9),
        appetite="Medium",
    ),
    "4x4": RiskMatrix(
        name="4x4",
        likelihood_labels=("Unlikely", "Possible", "Likely", "Almost certain"),
        impact_labels=("Minor", "Moderate", "Major", "Severe"),
        levels=("Low", "Medium", "High", "Critical"),
        bands=(3, 6, 9, 16),
        appetite="Medium",
    ),
}


def from_settings(section: dict[str, Any]) -> RiskMatrix:
    """Build the matrix from the `[matrix]` table of isms.toml.

    `preset = "5x5"` alone takes a preset; any other key given beside it overrides the preset,
    so `preset = "5x5"` with `appetite = "High"` is a 5x5 with a wider appetite. Without a preset
    every field must be written out (a custom matrix).
    """
    section = dict(section)
    preset_name = section.pop("preset", None if section else "5x5")
    base: dict[str, Any] = {}
    if preset_name is not None:
        if preset_name not in PRESETS:
            raise MatrixError(f"unknown matrix preset {preset_name!r}; choose one of {sorted(PRESETS)}")
        base = PRESETS[preset_name].describe()
        base["colours"] = list(PRESETS[preset_name].colours)
    merged = {**base, **section}
    unknown = set(merged) - {"name", "method", "likelihood", "impact", "levels", "bands", "grid", "appetite", "colours"}
    if unknown:
        raise MatrixError(f"unknown key(s) in [matrix]: {sorted(unknown)}")
    try:
        method = merged.get("method") or ("grid" if merged.get("grid") else "product")
        colours = merged.get("colours")
        if "levels" in section and "colours" not in section:
            colours = None
        return RiskMatrix(
            name=merged.get("name") or preset_name or "custom",
            likelihood_labels=tuple(merged["likelihood"]),
            impact_labels=tuple(merged["impact"]),
            levels=tuple(merged["levels"]),
            appetite=merged["appetite"],
            method=method,
            bands=tuple(merged.get("bands") or ()) if method == "product" else (),
            grid=tuple(tuple(r) for r in merged.get("grid") or ()) if method == "grid" else (),
            colours=tuple(colours or ()),
        )
    except KeyError as missing:
        raise MatrixError(f"a custom matrix needs {missing.args[0]!r} in [matrix]") from None
