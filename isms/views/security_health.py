"""The Security Health (monthly) view model: one frozen bundle per month, comparison and filters.

The KRI history is read once, as a grid of KRI x month with the latest result on or before each
month (`queries.kri_month_grid`); every status, streak, count and health index on the page is
derived from that grid through the one rule in `isms.kri`, so the board, the breaches and the
summary can never disagree. Review packs read the same bundle: every section is plain data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from isms.config import Settings
from isms.dates import add_months, dated, long_date, month_end, month_ends, short_date
from isms.filters import RiskFilter
from isms.kri import HIGHER, red_streaks, statuses_in_months
from isms.posture import KriCounts
from isms.store import queries

TREND_MONTHS = 12
LONG_STREAK = 3  # months in a row red that the meeting must discuss
STATUS_ORDER = {"red": 0, "amber": 1, "stale": 2, "unrated": 3, "green": 4}
# the comparison status of a KRI the register did not hold that month: counted in no status then
UNLISTED = "not yet listed"


@dataclass(frozen=True)
class Filters:
    """The page's KRI filters, and the business units whose risks the risk scorecard counts (KRIs
    belong to no unit); empty means all."""

    domains: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    metric_ids: tuple[str, ...] = ()
    business_units: tuple[str, ...] = ()

    @property
    def risks(self) -> RiskFilter:
        return RiskFilter(business_units=self.business_units)

    def describe(self) -> str:
        """A short phrase for the page's caption and the pack's note ('all KRIs' when nothing is
        filtered): a pack of one domain's KRIs must say so, or its '2 red' reads as the company's."""
        parts = [f"{label}: {', '.join(values)}" for label, values in (
            ("control domains", self.domains), ("owners", self.owners), ("indicators", self.metric_ids),
            ("business units (risk scorecard)", self.business_units)) if values]
        return "; ".join(parts) or "all KRIs"


@dataclass(frozen=True)
class FilterOptions:
    domains: list[str]
    owners: list[str]
    metrics: dict[str, str]  # metric id -> name
    business_units: list[str] = field(default_factory=list)  # of the risk register at the month's end


@dataclass(frozen=True)
class Breaches:
    red: pd.DataFrame  # red this month, longest streak first
    newly_red: pd.DataFrame  # red now, not red in the comparison month
    recovered: pd.DataFrame  # red in the comparison month, now amber or green
    long_streaks: pd.DataFrame  # red for LONG_STREAK months or more
    # red in the comparison month, now without a result (stale): one red fewer that is no recovery
    silenced: pd.DataFrame = field(default_factory=pd.DataFrame)


@dataclass(frozen=True)
class IndicatorDetail:
    metric: dict  # the KRI's definition: name, unit, direction, target, amber, red, ...
    history: pd.DataFrame  # period, value, status, note: every result up to the month
    notes: pd.DataFrame  # the results that carry a note, newest first


@dataclass(frozen=True)
class RiskScorecard:
    """The measured effect of treatments over the month."""

    exposure_trend: pd.DataFrame  # as_of, residual_exposure, inherent_exposure, open_risks, ...
    completed: pd.DataFrame  # treatments completed in the month
    behind: pd.DataFrame  # treatments late or overdue at the month end
    not_counted: pd.DataFrame  # unfinished treatments of risks closed at the month end (left out of the figures)
    level_changes: pd.DataFrame  # risks whose residual level changed since the comparison month
    # the first risk register's date (None: none imported); the trend starts there, never at zeros before it
    register_since: dt.date | None = None

    @property
    def late_and_overdue(self) -> tuple[int, int]:
        """How many of `behind` are late (behind plan, not yet due) and how many overdue."""
        late = int((self.behind["state"] == "late").sum())
        return late, len(self.behind) - late

    @property
    def exposure_now(self) -> int:
        return int(self.exposure_trend["residual_exposure"].iloc[-1]) if not self.exposure_trend.empty else 0


@dataclass(frozen=True)
class SecurityHealthData:
    month: dt.date
    compare_month: dt.date
    filters: Filters
    counts: KriCounts  # statuses in the month
    previous_counts: KriCounts  # statuses in the comparison month
    status_by_month: pd.DataFrame  # period, status, kris over the last 12 months
    domain_health: pd.DataFrame  # control_domain, period, kris, green, health (share green)
    board: pd.DataFrame  # one row per KRI: value, thresholds, status, trend (results of the last 12
    # months, months without one left out), change, red streak
    breaches: Breaches
    risk: RiskScorecard
    exposure_before: int | None  # residual exposure at the comparison month end
    history: pd.DataFrame = field(repr=False)  # metric_id, period (datetime64), value, note, status: every result

    def indicator(self, metric_id: str) -> IndicatorDetail | None:
        """One KRI's whole history with its thresholds; None when the filters leave it out."""
        row = self.board[self.board["metric_id"] == metric_id]
        if row.empty:
            return None
        hist = self.history[self.history["metric_id"] == metric_id].drop(columns="metric_id")
        hist = hist.assign(period=hist["period"].dt.date, status=hist["status"].astype(str)).reset_index(drop=True)
        notes = hist[hist["note"].notna() & (hist["note"].astype(str).str.strip() != "")].iloc[::-1].reset_index(drop=True)
        return IndicatorDetail(metric=row.iloc[0].to_dict(), history=hist, notes=notes)

    @property
    def no_risk_register(self) -> str | None:
        """The sentence that stands for the risk scorecard when no risk register was held at the
        month's end, else None. A KRI file of 2024 beside a register of 2026 showed 'Residual
        exposure 0' and twelve months of zeros, which read as no exposure at all."""
        first = self.risk.register_since
        if first is not None and first <= month_end(self.month):
            return None
        return (f"No risk register as of {self.month:%B %Y}" + (f": the first is dated {long_date(first)}" if first else "")
                + ", so there is no risk scorecard for this month.")

    def default_indicator(self) -> str | None:
        """The indicator to open first: the top of the board (the worst)."""
        return None if self.board.empty else str(self.board["metric_id"].iloc[0])


def months_with_results(con: duckdb.DuckDBPyConnection) -> list[dt.date]:
    """Months (first day) that have monitoring results, newest first."""
    return sorted(queries.result_periods(con), reverse=True)


def nothing_to_show(con: duckdb.DuckDBPyConnection) -> str:
    """Why the page has no month to show: nothing imported, or results held only for months before
    any KRI definition (a KRI file with two years of history imported as of today), which the page
    once called 'no monitoring results have been imported yet' after 275 of them were committed."""
    held, first, defined = queries.results_held(con)
    if not held:
        return "No monitoring results have been imported yet."
    since = f"the KRI register begins on {short_date(defined)}" if defined else "no KRI register is imported"
    return (f"{held:,} KRI result(s) are held, but all are for months before their indicators are defined ({since}): "
            "a month's results are judged against the definitions the register held at its end. To show them, "
            f"import the KRI definitions dated {short_date(first)} (the first result's month end) or earlier.")


def filter_options(con: duckdb.DuckDBPyConnection, month: dt.date) -> FilterOptions:
    """What the filters offer: the KRI register as of the month's end, unfiltered."""
    reg = queries.kri_register(con, month_end(month))
    return FilterOptions(
        domains=sorted(reg["control_domain"].dropna().unique().tolist()),
        owners=sorted(reg["owner"].dropna().unique().tolist()),
        metrics=dict(zip(reg["metric_id"], reg["name"])),
        business_units=queries.business_units(con, month_end(month)),
    )


def _counts(statuses: pd.Series) -> KriCounts:
    vc = statuses.value_counts()
    return KriCounts(**{k: int(vc.get(k, 0)) for k in ("red", "amber", "green", "unrated", "stale")})


def _month_key(d: dt.date) -> pd.Timestamp:
    return pd.Timestamp(d.replace(day=1))


def kri_grid(con: duckdb.DuckDBPyConnection, month: dt.date, filters: Filters,
             known_on: dt.date | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The filtered KRI register and its month grid with a status per (KRI, month); with `known_on`,
    only what was imported by that day (queries.kri_month_grid)."""
    reg_on = month_end(month) if known_on is None else min(month_end(month), known_on)
    reg = queries.kri_register(con, reg_on, filters.domains, filters.owners, filters.metric_ids)
    grid = queries.kri_month_grid(con, month, filters.domains, filters.owners, filters.metric_ids, known_on)
    grid = grid.merge(reg[["metric_id", "cadence", "direction", "amber", "red", "target"]], on="metric_id", how="left")
    grid["status"] = statuses_in_months(grid)
    # a month counts a KRI that had a result by then, or that the register held then (silent: stale,
    # as that month's page says); not one defined later with no result yet, which read as 'stale'
    # in every earlier month of the trend while those months' own pages did not list it
    grid["counted"] = grid["listed"] | grid["period"].notna()
    return reg, grid


def _board(reg: pd.DataFrame, grid: pd.DataFrame, month: dt.date, compare_month: dt.date) -> pd.DataFrame:
    now, then = _month_key(month), _month_key(compare_month)
    at_now = grid.loc[grid["month"] == now, ["metric_id", "status", "value", "period"]].rename(
        columns={"period": "result_month"})
    # a KRI not in the register in the comparison month had no status then (its page did not list it)
    at_then = grid.loc[(grid["month"] == then) & grid["counted"], ["metric_id", "status", "value"]].rename(
        columns={"status": "compare_status", "value": "compare_value"})
    window = grid[grid["month"] > _month_key(add_months(month, -TREND_MONTHS))]
    fresh = window[window["period"] == window["month"]]
    trend = fresh.groupby("metric_id", sort=False)["value"].agg(lambda s: [float(x) for x in s]).rename("trend")
    upto = grid[grid["month"] <= now]
    streaks = red_streaks(upto["metric_id"], upto["status"])
    board = (reg[["metric_id", "name", "control_domain", "owner", "unit", "direction", "target", "amber", "red", "cadence"]]
             .merge(at_now, on="metric_id", how="left").merge(at_then, on="metric_id", how="left")
             .merge(trend, left_on="metric_id", right_index=True, how="left")
             .merge(streaks, left_on="metric_id", right_index=True, how="left"))
    board["status"] = board["status"].fillna("stale")
    earlier = grid["month"].min() if len(grid) else now  # before the grid's first month no KRI had a result
    board["compare_status"] = [s if isinstance(s, str) else "stale" if then < earlier else UNLISTED
                               for s in board["compare_status"]]
    board["trend"] = [v if isinstance(v, list) else [] for v in board["trend"]]
    board["change"] = board["value"] - board["compare_value"]
    board["better"] = [None if pd.isna(c) or c == 0 else bool((c > 0) == (d == HIGHER))
                       for c, d in zip(board["change"], board["direction"])]
    board["red_streak"] = board["red_streak"].fillna(0).astype(int)
    board["streak_results"] = _streak_results(upto, board)
    # a quarterly KRI's result counts for three months: in the two after its own, the board's value
    # is that earlier month's, and says so (a September 7 read in October as October's)
    result = pd.to_datetime(board["result_month"])
    board["carried"] = result.notna() & ((result.dt.year != month.year) | (result.dt.month != month.month))
    board["rank"] = board["status"].map(STATUS_ORDER)
    board = board.sort_values(["rank", "red_streak", "metric_id"], ascending=[True, False, True])
    return board.drop(columns="rank").reset_index(drop=True)


def _streak_results(upto: pd.DataFrame, board: pd.DataFrame) -> pd.Series:
    """Per KRI of the board, how many results its red streak rests on (the distinct result months
    of its last `red_streak` months): a quarterly KRI's one red result is red for three months,
    which the headline called 'red 3 months in a row' as if measured three times."""
    months = upto.sort_values("month", kind="stable")
    from_end = months.groupby("metric_id", sort=False).cumcount(ascending=False)
    streak = months["metric_id"].map(board.set_index("metric_id")["red_streak"]).fillna(0)
    counts = months[from_end < streak].groupby("metric_id", sort=False)["period"].nunique()
    return board["metric_id"].map(counts).fillna(0).astype(int)


def _breaches(board: pd.DataFrame) -> Breaches:
    red = board[board["status"] == "red"]
    return Breaches(
        red=red.reset_index(drop=True),
        newly_red=red[red["compare_status"] != "red"].reset_index(drop=True),
        recovered=board[(board["compare_status"] == "red") & board["status"].isin(["amber", "green"])].reset_index(drop=True),
        long_streaks=red[red["red_streak"] >= LONG_STREAK].reset_index(drop=True),
        silenced=board[(board["compare_status"] == "red") & (board["status"] == "stale")].reset_index(drop=True),
    )


def _trends(reg: pd.DataFrame, grid: pd.DataFrame, month: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    window = grid[(grid["month"] > _month_key(add_months(month, -TREND_MONTHS))) & grid["counted"]]
    window = window.merge(reg[["metric_id", "control_domain"]], on="metric_id")
    by_status = (window.groupby(["month", "status"]).size().reset_index(name="kris")
                 .rename(columns={"month": "period"}))
    by_status["period"] = by_status["period"].dt.date
    health = (window.assign(green=window["status"] == "green")
              .groupby(["control_domain", "month"]).agg(kris=("metric_id", "size"), green=("green", "sum"))
              .reset_index().rename(columns={"month": "period"}))
    health["period"] = health["period"].dt.date
    health["green"] = health["green"].astype(int)
    health["health"] = health["green"] / health["kris"]
    return by_status, health


def _posture_totals(con: duckdb.DuckDBPyConnection, settings: Settings, dates: list[dt.date],
                    risks: RiskFilter) -> pd.DataFrame:
    return dated(queries.posture_totals(con, settings.matrix, dates, settings.late_tolerance_points,
                                        settings.exception_warning_days, risks))


def trend_month_ends(month: dt.date) -> list[dt.date]:
    return month_ends(add_months(month, -(TREND_MONTHS - 1)), month)


def risk_scorecard(con: duckdb.DuckDBPyConnection, settings: Settings, month: dt.date, compare_month: dt.date,
                   risks: RiskFilter = RiskFilter(), totals: pd.DataFrame | None = None) -> RiskScorecard:
    """The measured effect of treatments, over the whole register or the business units chosen;
    `totals`: `posture_counts` totals already read for dates that include the trend's month ends."""
    ends = trend_month_ends(month)
    if totals is None:
        totals = _posture_totals(con, settings, ends, risks)
    trend = totals[totals["as_of"].isin(ends)].reset_index(drop=True)
    first = min(queries.assessment_dates(con), default=None)
    if first is not None:  # the months before the first register held no risk: not a trend of zeros
        trend = trend[pd.to_datetime(trend["as_of"]) >= pd.Timestamp(first)].reset_index(drop=True)
    return RiskScorecard(
        register_since=first,
        exposure_trend=trend,
        completed=queries.treatments_completed(con, month.replace(day=1), month_end(month), risks),
        behind=queries.treatments_behind(con, month_end(month), settings.late_tolerance_points, risks),
        not_counted=queries.closed_risks_unfinished(con, month_end(month), risks),
        level_changes=queries.residual_level_changes(con, settings.matrix, month_end(compare_month), month_end(month),
                                                     risks),
    )


def build(con: duckdb.DuckDBPyConnection, settings: Settings, month: dt.date, compare_month: dt.date,
          filters: Filters = Filters()) -> SecurityHealthData:
    month, compare_month = month.replace(day=1), compare_month.replace(day=1)
    reg, grid = kri_grid(con, month, filters)
    board = _board(reg, grid, month, compare_month)
    by_status, health = _trends(reg, grid, month)
    # the exposure trend's month ends and the comparison month's end in one read
    totals = _posture_totals(con, settings, sorted({*trend_month_ends(month), month_end(compare_month)}), filters.risks)
    before = totals[totals["as_of"] == month_end(compare_month)].iloc[0]
    history = grid[grid["period"] == grid["month"]][["metric_id", "period", "value", "note", "status"]]
    # categories and datetime64 keep the cached bundle quick to (un)pickle on every rerun
    history = history.astype({"metric_id": "category", "status": "category"}).reset_index(drop=True)
    risk = risk_scorecard(con, settings, month, compare_month, filters.risks, totals)
    held_then = risk.register_since is not None and risk.register_since <= month_end(compare_month)
    return SecurityHealthData(
        month=month, compare_month=compare_month, filters=filters,
        counts=_counts(board["status"]), previous_counts=_counts(board["compare_status"]),
        status_by_month=by_status, domain_health=health, board=board, breaches=_breaches(board),
        history=history, risk=risk,
        # none before the first register: no change to show against a register nobody had
        exposure_before=int(before["residual_exposure"]) if held_then else None,
    )
