"""A problem found in an imported file, addressed the way Excel shows the cell."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal


def column_letter(index: int) -> str:
    """0 -> 'A', 25 -> 'Z', 26 -> 'AA'."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None  # as Excel numbers it (1-based, header included)
    column: str | None  # letter, e.g. "C"
    header: str | None
    value: Any
    message: str
    severity: Literal["error", "warning"] = "error"

    @property
    def cell(self) -> str:
        if self.column and self.row:
            return f"{self.column}{self.row}"
        if self.row:
            return f"row {self.row}"
        return self.column or ""

    def __str__(self) -> str:
        where = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        head = f" ({' '.join(str(self.header).split())})" if self.header else ""  # a header over two lines: one
        val = "" if self.value in (None, "") else f" value {self.value!r}:"
        return f"{self.severity}: {where}{head}:{val} {self.message}"

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["cell"] = self.cell
        d["value"] = None if self.value is None else str(self.value)
        return d


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]
