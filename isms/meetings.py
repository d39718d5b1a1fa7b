"""The forum's meeting series and their calendar, from the `[forum.series.<key>]` tables of isms.toml.

Each series meets every `every_months` months, `days_after` days after the period it reviews
closes. Periods are calendar-aligned (a quarterly series reviews quarters ending March, June,
September, December; a bi-monthly one periods ending February, April, ...; an annual one the
calendar year), so the date a meeting's data covers follows from the calendar alone and a pack
built for it shows the same figures whoever builds it. The chair role approves a series' minutes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Mapping

from isms.auth import Role
from isms.dates import add_months, month_end


@dataclass(frozen=True)
class MeetingSeries:
    key: str             # security-health, risk, compliance, management-review
    name: str
    every_months: int
    chair: Role = Role.admin
    days_after: int = 14   # the meeting is held this many days after its period closes
    page: str = ""         # the page that shows its figures (pages/<page>.py), if any

    def period_end(self, d: dt.date) -> dt.date:
        """The last day of the period that holds `d`."""
        index = d.year * 12 + d.month - 1          # months since year 0
        last = (index // self.every_months + 1) * self.every_months - 1
        return month_end(dt.date(last // 12, last % 12 + 1, 1))

    def covers(self, held_on: dt.date) -> dt.date:
        """The date a meeting held on `held_on` reviews: the end of the last period closed before it."""
        return self.period_end(add_months(self.period_end(held_on), -self.every_months))

    def period_start(self, period_end: dt.date) -> dt.date:
        return add_months(period_end, 1 - self.every_months)

    def next_period_end(self, period_end: dt.date) -> dt.date:
        return month_end(add_months(period_end, self.every_months))

    def meeting_for(self, period_end: dt.date) -> dt.date:
        """The scheduled date of the meeting that reviews the period ending `period_end`."""
        return period_end + dt.timedelta(days=self.days_after)


DEFAULT_SERIES: tuple[MeetingSeries, ...] = (
    MeetingSeries("security-health", "Security Health", 1, page="security_health"),
    MeetingSeries("risk", "Risk", 3, page="risk_review"),
    MeetingSeries("compliance", "Compliance", 2),
    MeetingSeries("management-review", "Management review", 12, days_after=30, page="management_review"),
)


def series_from_settings(section: Mapping[str, Any]) -> tuple[MeetingSeries, ...]:
    """The `[forum.series]` tables over the defaults: a key named there overrides that default's
    fields; a new key adds a series. Raises ValueError naming the key."""
    by_key = {s.key: s for s in DEFAULT_SERIES}
    for key, raw in dict(section).items():
        if not isinstance(raw, Mapping):
            raise ValueError(f"[forum.series.{key}] must be a table")
        base = by_key.get(key, MeetingSeries(key, key.replace("-", " ").capitalize(), 1))
        every = raw.get("every_months", base.every_months)
        days = raw.get("days_after", base.days_after)
        if isinstance(every, bool) or not isinstance(every, int) or every < 1 or 12 % every:
            raise ValueError(f"[forum.series.{key}] every_months = {every!r} must be 1, 2, 3, 4, 6 or 12")
        if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 90:
            raise ValueError(f"[forum.series.{key}] days_after = {days!r} must be a whole number of days, 0 to 90")
        chair = Role.parse(raw["chair"]) if "chair" in raw else base.chair
        by_key[key] = MeetingSeries(key, str(raw.get("name", base.name)), every, chair, days,
                                    str(raw.get("page", base.page)))
    return tuple(by_key.values())
