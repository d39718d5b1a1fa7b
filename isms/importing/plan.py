"""What an import would write (the plan) and what it did (the outcome): plain data shared by every
stage of the pipeline, the pages and the CLI.

Kept apart from the stages so that none of them needs another just for these shapes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from isms.importing.mapping import SheetMapping
from isms.importing.preview import Preview
from isms.importing.problems import Problem, column_letter, errors


@dataclass
class ImportPlan:
    """The file as read and understood, the rows it would write, and every problem that stops it
    or deserves a look."""

    file_name: str
    sha256: str
    as_of: dt.date
    as_of_from_file: bool = False  # the date is the file's own (its About sheet), not the one given or today
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    file_format: str = ""
    sheets: dict[str, list[list[Any]]] = field(default_factory=dict)
    mappings: list[SheetMapping] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    preview: Preview | None = None
    # where each frame row was read: (sheet, Excel row), aligned with the frame's index
    origins: dict[str, pd.DataFrame] = field(default_factory=dict)
    # the registers the file only adds to, whatever it is said to be: the KRI definitions made from
    # the names of results in a file with no KRI register of its own (its other indicators stay)
    parts: frozenset[str] = frozenset()  # replaced, never changed in place: copies of a plan share it
    # what a row-per-indicator results sheet's Target column says of each indicator: metric id ->
    # (target, direction or None, unit or None); kinds.define_metrics defines new indicators with it
    targets: dict[str, tuple[float, str | None, str | None]] = field(default_factory=dict)
    # risks whose residual level the file's ratings move, against the register's ('R-001 High (12) ->
    # Critical (20)'): a re-import's preview said '23 new assessments' and nothing of who escalated
    rating_moves: list[str] = field(default_factory=list)
    # the file as read (pipeline.FileRead), for planning it again without reading it again
    was_read: Any = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return not errors(self.problems)

    @property
    def row_counts(self) -> dict[str, int]:
        return {k: len(v) for k, v in self.frames.items()}

    @property
    def bad_cells(self) -> list[Problem]:
        return [p for p in self.problems if p.row and p.column]

    def key_column(self, sheet: str, field_name: str) -> str | None:
        """The letter of the column a field was read from, so a problem points at its cell."""
        for m in self.mappings:
            if m.sheet == sheet and field_name in m.columns:
                headers = m.headers(self.sheets.get(sheet, []))
                if m.columns[field_name] in headers:
                    return column_letter(headers.index(m.columns[field_name]))
        return None

    def cells(self, kind: str, positions, field_name: str) -> list[tuple[str, int, str | None]]:
        """(sheet, Excel row, column letter) of a field in these rows of a frame."""
        where = self.origins[kind].loc[positions]
        return [(sheet, int(row), self.key_column(sheet, field_name))
                for sheet, row in zip(where["_sheet"], where["_row"])]


@dataclass(frozen=True)
class ImportOutcome:
    status: str  # committed, unchanged, refused, dry-run
    file_name: str
    as_of: dt.date
    batch_id: int | None
    row_counts: dict[str, int]
    problems: list[Problem]

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "file": self.file_name,
            "as_of": self.as_of.isoformat(),
            "batch_id": self.batch_id,
            "row_counts": self.row_counts,
            "problems": [p.as_dict() for p in self.problems],
        }
