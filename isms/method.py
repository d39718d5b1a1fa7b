"""The method in words: the matrix's scales, levels and appetite, what exposure sums, when a
treatment is late or overdue, how a KRI gets its status.

Said once, from the settings, for every reader who gets figures without the dashboard: the packs'
appendix and the export's README. An export that gave scores and levels but not the bands that made
them could not be checked by the BI tool that loads it.
"""

from __future__ import annotations

from isms.config import Settings
from isms.matrix import RiskMatrix


def levels(m: RiskMatrix, *, grid: bool = False) -> str:
    """'Low up to 4, Medium up to 9, ...' for a product matrix; for a lookup grid, 'lookup grid (see
    settings)', or with `grid` each likelihood's row of levels, impact from lowest to highest."""
    if m.method == "product":
        return ", ".join(f"{lvl} up to {b}" for lvl, b in zip(m.levels, m.bands))
    if not grid:
        return "lookup grid (see settings)"
    rows = "; ".join(f"likelihood {lab}: {', '.join(row)}" for lab, row in zip(m.likelihood_labels, m.grid))
    return f"lookup grid, by impact from {m.impact_labels[0]} to {m.impact_labels[-1]}: {rows}"


def terms(settings: Settings, *, grid: bool = False) -> list[tuple[str, str]]:
    """(term, what it means) for the matrix, appetite, exposure, treatments and KRI status."""
    m = settings.matrix
    return [
        ("Risk matrix", f"{m.name}: likelihood {len(m.likelihood_labels)} steps x impact {len(m.impact_labels)} steps"),
        ("Levels", levels(m, grid=grid)),
        ("Appetite", f"{m.appetite} or below is within appetite"),
        ("Exposure", "sum of likelihood x impact over open, assessed risks"),
        ("Treatments", f"late when progress trails the linear plan by more than {settings.late_tolerance_points:g} "
                       "points; overdue when past due and not done"),
        ("KRI status", "a value that reaches a threshold takes its status; no result for the month is stale"),
    ]


def source_line(batch_id: int, file_name: str, as_of, sha256: str) -> tuple[str, str]:
    """One import a pack read, as its method page lists it: the batch number the Import page gives, the
    file, its date, and the start of its SHA-256 fingerprint (to find the very file again)."""
    return f"Batch {batch_id}", f"{file_name} as of {as_of:%Y-%m-%d}; file fingerprint {sha256[:12]} (SHA-256)"
