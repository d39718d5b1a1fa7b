"""Rendering the Security Health bundle: tiles, the KRI board and the breach lists.

Only presentation lives here (labels, formats, colours); every figure comes from
`isms.views.security_health`.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from isms import shown
from isms import headline
from isms.charts import KRI_COLOURS, SERIES
from isms.posture import KriCounts
from isms.kri import format_value
from isms.shares import change_text, percent_text, points, points_text
from isms.views.security_health import Breaches, RiskScorecard, SecurityHealthData
from ui.presentation import present_table
from ui.scorecard import count_tile, headline_markdown
from ui.tables import iso_days, listing, text

STATUS_LABEL = {"red": "Red", "amber": "Amber", "green": "Green", "stale": "Stale", "unrated": "Unrated"}
ARROW = {"Higher is better": "↑ higher", "Lower is better": "↓ lower"}


def show_headline(data: SecurityHealthData) -> None:
    """The month in one sentence (`isms.headline`): what turned red, what recovered, what the
    treatments did, and what has been red long enough to need a decision."""
    with st.container(key="headline"):
        st.markdown(headline_markdown(headline.security_health(data).sentence), unsafe_allow_html=True)


def status_tiles(now: KriCounts, before: KriCounts, since: str) -> None:
    """Red, amber, green and stale; and unrated when any KRI has results but no thresholds, so the
    tiles add up to the KRIs the domain health below counts."""
    unrated = bool(now.unrated or before.unrated)
    cols = st.columns(5 if unrated else 4)
    compared = before.with_results > 0  # no results that month: no change to show, rather than '+3 red'

    def was(count: int) -> int | None:
        return count if compared else None

    help_ = f"Change since {since}" if compared else f"No results for {since} to compare with"
    count_tile(cols[0], "KRIs red", now.red, was(before.red), worse_up=True, help=help_)
    count_tile(cols[1], "KRIs amber", now.amber, was(before.amber), worse_up=True, help=help_)
    count_tile(cols[2], "KRIs green", now.green, was(before.green), worse_up=False, help=help_)
    count_tile(cols[3], "Stale (no result)", now.stale, was(before.stale), worse_up=True,
                help="KRIs without a result for the month (a quarterly KRI: for its quarter); never counted green")
    if unrated:
        count_tile(cols[4], "Unrated (no thresholds)", now.unrated, was(before.unrated), worse_up=True,
                   help="KRIs with results but no thresholds or target in the KRI register: none can be judged, "
                        "and none is counted green; give each its thresholds in the register")


def domain_tiles(health: pd.DataFrame, month, compare_month) -> None:
    """One tile per control domain: share of its KRIs green and the change since the comparison
    month. No sparkline: a tile's chart scales to its own range, so 100% to 80% drew as a fall to
    the floor; the health-index chart below draws the same months on a 0-100% axis."""
    domains = sorted(health["control_domain"].unique())
    if not domains:
        return
    cols = st.columns(len(domains))
    counted = []
    for col, domain in zip(cols, domains):
        part = health[health["control_domain"] == domain].set_index("period")
        now = part["health"].get(month)
        before = part["health"].get(compare_month)
        delta = points(now, before)  # between the percents shown (isms.shares)
        green, kris = (int(part.loc[month, "green"]), int(part.loc[month, "kris"])) if now is not None else (0, 0)
        col.metric(f"{domain} health", percent_text(now), points_text(delta),
                   delta_color="off" if not delta else "normal", delta_arrow="off" if not delta else "auto",
                   border=True, height="stretch", help=f"{green} of {kris} KRIs green")
        if now is not None:
            counted.append(f"{domain} {green} of {kris}")
    # the counts behind each share, read in the room without hovering ('60%' of 5 KRIs or of 50)
    if counted:
        st.caption("KRIs green: " + " · ".join(counted) + ".")


def _change_text(board: pd.DataFrame) -> list[str]:
    """'+1.6 pts (better)' for a KRI in percent (a change of shares is points, as everywhere else),
    '+3 (worse)' for a count; '–' where nothing was measured this month."""
    out = []
    for change, better, status, unit in zip(board["change"], board["better"], board["status"], board["unit"]):
        if pd.isna(change) or status == "stale":  # no result this month: nothing measured to have changed
            out.append("–")
        elif change == 0:
            out.append("no change")
        else:
            pts = " pts" if unit == "%" else ""
            out.append(f"{change:+,.3g}{pts} ({'better' if better else 'worse'})")
    return out


def board_table(board: pd.DataFrame, since: str) -> pd.DataFrame:
    """The board as people read it: formatted values, words for statuses, arrows for direction."""
    units = board["unit"].tolist()

    def fmt(column: str) -> list[str]:
        return [format_value(v, u) for v, u in zip(board[column].tolist(), units)]

    return pd.DataFrame({
        "KRI": board["metric_id"],
        "Indicator": board["name"],
        "Status": [[STATUS_LABEL.get(s, s)] for s in board["status"]],
        # a stale KRI's value, and a quarterly one's in the months after its result, is an earlier
        # month's: it says which, where the eye reads the value
        "Value": [f"{v} ({m:%b %Y})" if (s == "stale" or c) and not pd.isna(m) else v
                  for v, s, m, c in zip(fmt("value"), board["status"], board["result_month"], board["carried"])],
        "Result for": board["result_month"].dt.strftime("%b %Y").fillna("–"),
        # the direction in the target itself ("at least 90%"), so the board needs no "Better" column
        "Target": [t if t == "–" else f"{'≥' if d == 'Higher is better' else '≤'} {t}"
                   for t, d in zip(fmt("target"), board["direction"])],
        "Amber at": fmt("amber"),
        "Red at": fmt("red"),
        "Better": board["direction"].map(ARROW),
        "Last 12 months": board["trend"],
        f"Change since {since}": _change_text(board),
        # blank, not '0 mo' (nor the grid's grey 'None' for an empty number), for a KRI not red
        "Months red": [f"{int(n)} mo" if n > 0 else "" for n in board["red_streak"].fillna(0)],
        "Domain": board["control_domain"],
        "Owner": board["owner"].fillna("–"),  # the grid printed 'None' for a KRI with no owner
    })


def show_board(board: pd.DataFrame, since: str, *, key: str, on_select, visible: int = 12,
               present: bool = False):
    table = board_table(board, since)
    if present:  # the worst few, static and large; statuses as words on their colours
        change = f"Change since {since}"
        # an empty cell reads '–' in the room, as every other table's does
        present_table(table.assign(Status=table["Status"].str[0], **{"Months red": table["Months red"].replace("", "–")}),
                      {c: c for c in ("KRI", "Indicator", "Status", "Value", change, "Months red", "Owner")}, "KRIs",
                      fills={"Status": {STATUS_LABEL[k]: KRI_COLOURS[k] for k in STATUS_LABEL}})
        return None
    # the columns that fit a projector's 1366 px (ui.tables); the month a result is for shows in its
    # status (stale) and in the indicator's detail, the domain in the filter above
    change = f"Change since {since}"
    return listing(table, {
        # as wide as the longest id on one line, after the list is fitted to the page (ui.tables scales
        # it by about 0.92): 'KRI-001' broke as 'KRI-00' over '1' in 56 px, 'KRI-03' in 58
        "KRI": text("KRI", int(min(120, max(64, 24 + 7.5 * table["KRI"].astype(str).str.len().max()))) if len(table)
                    else 64, pinned=True),
        "Indicator": text("Indicator", 128),  # 12 px of it to the ids, so the list still fits 1280 px
        "Status": st.column_config.MultiselectColumn(
            "Status", options=list(STATUS_LABEL.values()), color=[KRI_COLOURS[k] for k in STATUS_LABEL], width=70),
        "Value": text("Value", 72), "Target": text("Target", 70), "Amber at": text("Amber at", 62),
        "Red at": text("Red at", 58),
        "Last 12 months": st.column_config.LineChartColumn("12 months", width=80, color="gray",
                                                           help="Monthly results of the last 12 months"),  # never red
        change: text("Change", 92, help=f"Change in value since {since}"),
        "Months red": text("Red for", 56, help="Months in a row the KRI has been red, up to this month"),
        "Owner": text("Owner", 96)}, key=key, on_select=on_select, selection_mode="single-row",
        visible=visible)


def _names(frame: pd.DataFrame, extra=None) -> str:
    lines = []
    for r in frame.itertuples():
        more = f" · {extra(r)}" if extra else ""
        lines.append(f"- **{r.metric_id}** {r.name}{more}")
    return "\n".join(lines) or "_none_"


def show_breaches(breaches: Breaches, since: str) -> None:
    for r in breaches.long_streaks.itertuples():
        st.error(f"**{r.metric_id} {r.name}** has been red for **{r.red_streak} months in a row** "
                 f"({format_value(r.value, r.unit)} against red at {format_value(r.red, r.unit)}; owner {r.owner}).",
                 icon=":material/priority_high:")
    c1, c2, c3 = st.columns(3)
    with c1.container(border=True, height="stretch"):
        st.markdown(f"**Red this month ({len(breaches.red)})**")
        st.markdown(_names(breaches.red, lambda r: f"{format_value(r.value, r.unit)}, {r.red_streak} mo red"))
    with c2.container(border=True, height="stretch"):
        st.markdown(f"**Newly red since {since} ({len(breaches.newly_red)})**")
        st.markdown(_names(breaches.newly_red, lambda r: f"{format_value(r.compare_value, r.unit)} → {format_value(r.value, r.unit)}"))
    with c3.container(border=True, height="stretch"):
        st.markdown(f"**Recovered since {since} ({len(breaches.recovered)})**")
        st.markdown(_names(breaches.recovered, lambda r: f"now {STATUS_LABEL[r.status].lower()}, {format_value(r.value, r.unit)}"))
        if not breaches.silenced.empty:  # red then, no result now: not among the recovered, and said so
            st.markdown(f"**Red in {since}, no result since ({len(breaches.silenced)})**")
            st.markdown(_names(breaches.silenced, lambda r: f"last {format_value(r.value, r.unit)}, stale"))


def treatment_effect_tiles(risk: RiskScorecard, exposure_before: int | None, since: str) -> None:
    """The Security Health risk scorecard: the month's measured effect of risk treatments over the
    whole register (exposure, treatments completed and behind, levels that moved). Not the Risk
    Review's posture (`ui.scorecard.posture_tiles`): the KRI filters do not apply here."""
    cols = st.columns(4)
    now = risk.exposure_now
    moved = None if exposure_before is None else now - exposure_before
    cols[0].metric("Residual exposure", f"{now:,}", change_text(moved), delta_color="inverse" if moved else "off",
                   delta_arrow="auto" if moved else "off", border=True, height="stretch",
                   help=f"Sum of likelihood x impact over open, assessed risks; change since {since}")
    cols[1].metric("Treatments completed this month", len(risk.completed), border=True, height="stretch")
    late, overdue = risk.late_and_overdue
    cols[2].metric("Treatments late / overdue", f"{late} / {overdue}", border=True, height="stretch",
                   help="Late: progress trails the plan beyond the tolerance; overdue: past the due date")
    down = int((risk.level_changes["rank_change"] < 0).sum())
    up = int((risk.level_changes["rank_change"] > 0).sum())
    cols[3].metric("Residual level changed", f"{down} ↓ / {up} ↑", border=True, height="stretch",
                   help=f"Open risks whose residual level fell or rose since {since}")


def show_risk_tables(risk: RiskScorecard, present: bool = False) -> None:
    titles = [f"Completed this month ({len(risk.completed)})", f"Late or overdue ({len(risk.behind)})",
              f"Residual level changed ({len(risk.level_changes)})"]
    if present:  # the room's form of each list: the first rows, large, no scroll box, one under the other
        # (tabs are controls the room cannot click: presentation mode hides every control)
        t1, t2, t3 = (st.container() for _ in titles)
        for box, title in zip((t1, t2, t3), titles):
            box.subheader(title)
        behind = risk.behind.assign(percent_complete=risk.behind["percent_complete"].map(shown.percent_complete),
                                    days_overdue=risk.behind["days_overdue"].map(shown.days_overdue))
        for tab, frame, labels, what in (
                (t1, risk.completed, {"treatment_id": "Treatment", "risk_id": "Risk", "description": "Plan",
                                      "owner": "Owner", "completed_on": "Completed"}, "treatments completed"),
                (t2, behind, {"treatment_id": "Treatment", "risk_id": "Risk", "owner": "Owner", "state": "State",
                              "due_on": "Due", "days_overdue": "Days overdue", "percent_complete": "Complete"},
                 "late or overdue treatments"),
                (t3, risk.level_changes, {"risk_id": "Risk", "title": "Title", "owner": "Owner",
                                          "level_before": "Level before", "level_now": "Level now"}, "risks")):
            with tab:
                present_table(frame, labels, what)
        if note := headline.closed_risks_unfinished(risk.not_counted):
            t2.caption(note)
        return
    t1, t2, t3 = st.tabs(titles)
    listing(iso_days(risk.completed), {
        "treatment_id": text("Treatment", 80), "risk_id": text("Risk", 58), "decision": text("Decision", 72),
        "description": text("Plan", 280), "owner": text("Owner", 130), "due_on": text("Due", 88),
        "completed_on": text("Completed", 88)}, key="treatments_completed", container=t1)
    listing(iso_days(risk.behind), {
        "treatment_id": text("Treatment", 80), "risk_id": text("Risk", 58), "owner": text("Owner", 120),
        "state": text("State", 70), "due_on": text("Due", 88),
        "days_overdue": st.column_config.NumberColumn("Days overdue", width=90),
        "percent_complete": st.column_config.ProgressColumn("Complete", format="%.0f%%", min_value=0, max_value=100,
                                                            color=SERIES["complete"], width=96),
        "planned_percent": st.column_config.NumberColumn("Planned", format="%.0f%%", width=70),
        "description": text("Plan", 210)}, key="treatments_behind", container=t2)
    if note := headline.closed_risks_unfinished(risk.not_counted):
        t2.caption(note)
    listing(iso_days(risk.level_changes), {
        "risk_id": text("Risk", 58), "title": text("Title", 250), "owner": text("Owner", 130),
        "level_before": text("Level before", 90), "level_now": text("Level now", 80),
        "score_before": st.column_config.NumberColumn("Score before", width=90),
        "score_now": st.column_config.NumberColumn("Score now", width=80),
        "assessed_on": text("Re-assessed", 96)}, key="level_changes", container=t3)


def show_notes(notes: pd.DataFrame) -> None:
    if notes.empty:
        st.caption("No notes recorded with this indicator's results.")
        return
    table = notes.assign(status=notes["status"].map(STATUS_LABEL))[["period", "value", "status", "note"]]
    listing(table.assign(period=pd.to_datetime(table["period"]).dt.strftime("%b %Y")), {
        "period": text("Month", 90), "value": st.column_config.NumberColumn("Value", width=90),
        "status": text("Status", 80), "note": text("Note", 600)}, key="kri_notes")
