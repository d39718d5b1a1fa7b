"""Cell values as analysts write them, turned into the model's types.

Each function returns the value or raises ValueError with a sentence that names what was
expected; the caller attaches the cell address. "Not rated" spellings become None.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from isms.dates import month_end, quarter_end

NOT_RATED = {"", "-", "--", "---", "n/a", "na", "n.a.", "none", "not rated", "tbd", "tba", "?", "null", "nan"}
EXCEL_EPOCH = dt.date(1899, 12, 30)
_SPLIT = re.compile(r"\s*(?:[,;\n|]+)\s*")
_QUARTER = re.compile(r"^(?:q([1-4])\s*[-/ ]?\s*(\d{4})|(\d{4})\s*[-/ ]?\s*q([1-4]))$", re.I)
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_MONTH_YEAR = re.compile(r"^([a-z]{3,9})\.?[\s\-/]+(\d{4})$", re.I)
_YEAR_MONTH = re.compile(r"^(\d{4})[-/](\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")
_TARGET = re.compile(r"^\s*(>=|=>|≥|>|<=|=<|≤|<)?\s*(-?\d+(?:\.\d+)?)\s*(%|[a-z ]+)?\s*$", re.I)


def blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and value.strip().casefold() in NOT_RATED


def text(value: Any) -> str:
    """A cell as text; whole floats lose their '.0' (an id typed as 5 reads back 5.0)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def parse_date(value: Any, *, period_end: bool = True) -> dt.date:
    """Dates, Excel serials and text: ISO, day/month/year, 'Q4-2026', 'May 2027', '2025-03'.

    A quarter or a month names a period; `period_end` picks its last day (due dates) or, when
    False, its first (monitoring periods).
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
    if m := _DMY.match(s):
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if month > 12 and day <= 12:
            day, month = month, day
        try:
            return dt.date(year, month, day)
        except ValueError as exc:  # '31/02/2026': say which part is wrong, and what would do
            raise ValueError(f"{s!r} is not a date ({exc}; write 2026-03-31, 31/03/2026, Q4-2026 or May 2027)") from None
    if m := _QUARTER.match(s):
        q, year = (int(m.group(1)), int(m.group(2))) if m.group(1) else (int(m.group(4)), int(m.group(3)))
        first = dt.date(year, 3 * q - 2, 1)
        return quarter_end(first) if period_end else first
    month = None
    if m := _YEAR_MONTH.match(s):
        year, month = int(m.group(1)), int(m.group(2))
    elif (m := _MONTH_YEAR.match(s)) and m.group(1)[:3].lower() in _MONTHS:
        year, month = int(m.group(2)), _MONTHS[m.group(1)[:3].lower()]
    if month is not None and 1 <= month <= 12:
        first = dt.date(year, month, 1)
        return month_end(first) if period_end else first
    raise ValueError(f"{s!r} is not a date (write 2026-03-31, 31/03/2026, Q4-2026 or May 2027)")


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
    """Multi-value cells: '8.2, 5.18', one per line, or separated by ';' or '|'."""
    if blank(value):
        return []
    return [p for p in _SPLIT.split(text(value)) if p and not blank(p)]


def parse_target(value: Any) -> tuple[float, str | None, str | None]:
    """'>= 95%' -> (95.0, 'Higher is better', '%'); '<= 14 days' -> (14.0, 'Lower is better', 'days')."""
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
    return re.sub(r"[^0-9a-z]+", " ", text(value).casefold()).strip()


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
