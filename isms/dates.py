"""Calendar helpers for meeting dates: quarter ends and month ends."""

from __future__ import annotations

import datetime as dt

import pandas as pd


def month_end(d: dt.date) -> dt.date:
    nxt = (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


def add_months(d: dt.date, months: int) -> dt.date:
    """First day of the month `months` after d's month."""
    idx = d.year * 12 + d.month - 1 + months
    return dt.date(idx // 12, idx % 12 + 1, 1)


def quarter_end(d: dt.date) -> dt.date:
    return month_end(dt.date(d.year, (d.month - 1) // 3 * 3 + 3, 1))


def previous_quarter_end(d: dt.date) -> dt.date:
    """The quarter end strictly before the quarter that holds d."""
    return month_end(add_months(dt.date(d.year, (d.month - 1) // 3 * 3 + 1, 1), -1))


def month_ends(start: dt.date, end: dt.date) -> list[dt.date]:
    out, cur = [], month_end(start)
    while cur <= month_end(end):
        out.append(cur)
        cur = month_end(add_months(cur, 1))
    return out


def long_date(d: dt.date) -> str:
    """A date as a page's title, caption and headline say it: '30 September 2026'. The pages spoke
    three styles at once (2026-09-30 in the caption, 30 September 2026 in the title); tables keep
    ISO dates, which sort and export as they read."""
    return f"{d.day} {d:%B %Y}"


def short_date(d: dt.date) -> str:
    """Where room is short (a select box, a chart's title): '30 Sep 2026'."""
    return f"{d.day} {d:%b %Y}"


def quarter_label(d: dt.date) -> str:
    """'2026-Q3': the quarter as a key (it sorts; the exports and the charts' category order use it)."""
    return f"{d.year}-Q{(d.month - 1) // 3 + 1}"


def quarter_name(d: dt.date) -> str:
    """'Q3 2026': a quarter as every chart, page and pack shows it (one form: a deck said '2023-Q4'
    where the page's axis said 'Q4 23' and the Compliance page '2024-Q4')."""
    return f"Q{(d.month - 1) // 3 + 1} {d.year}"


def month_name(d: dt.date) -> str:
    """'Nov 2025': a month as every chart, page and pack shows it ('Nov 25' was read as 25 November)."""
    return f"{d:%b %Y}"


def days_to_go(days) -> str:
    """An expiry counted from the figures' date as a meeting says it, under an 'Expiry' or 'When'
    heading: 'in 9 days', 'today', '30 days ago'. A column of '-30' under 'Days left' was read as a typo."""
    if days is None or pd.isna(days):  # None, NaN, and pd.NA from a nullable column (no expiry date)
        return ""
    days = int(days)
    if days == 0:
        return "today"
    if days > 0:
        return f"in {days:,} day{'s' if days != 1 else ''}"
    return f"{-days:,} day{'s' if days != -1 else ''} ago"


def dated(df, column: str = "as_of"):
    """A frame from DuckDB with its date column as `datetime.date`, the type every bundle uses."""
    df[column] = pd.to_datetime(df[column]).dt.date
    return df
