"""The agenda that opens every meeting's pack and the open actions that close it, from
`isms.agenda` (the same meeting, as of the same day, as the page's "actions from earlier meetings")."""

from __future__ import annotations

from isms.agenda import PACK_SERIES, Agenda, agenda, open_actions_table
from isms.dates import long_date
from isms.packs.model import Section, TableSection

OVERDUE_COLOUR = "#B01C1C"  # the deck's 'worse' red: an overdue action reads as one in grey print too ('overdue')


def _agenda(ctx) -> Agenda:
    return ctx.memo("agenda", lambda: agenda(ctx.con, ctx.settings, PACK_SERIES[ctx.meeting], ctx.as_of))


def agenda_section(ctx) -> Section:
    a = _agenda(ctx)
    when = "held" if a.held else "scheduled"
    return TableSection("agenda", f"Agenda: {a.series.name} meeting, {long_date(a.meeting_on)}", a.items(),
                        note=f"The meeting {when} for the period to {long_date(a.period_end)}; new since the data "
                             f"the last meeting reviewed ({long_date(a.since)}); overdue on the meeting's day. "
                             "The whole ISMS, whatever the page's filters.")


def open_actions_section(ctx) -> Section:
    a = _agenda(ctx)
    frame = open_actions_table(a)
    overdue = int((frame["Overdue"] == "overdue").sum())
    return TableSection("open_actions", f"Open actions of the {a.series.name} series", frame,
                        note=f"As they stand on {long_date(a.meeting_on)}: {len(frame)} open, {overdue} overdue.",
                        empty_text="No action of this series is open.", level_column="Overdue",
                        level_colours={"overdue": OVERDUE_COLOUR})


AGENDA = ("agenda", "Agenda", agenda_section)
OPEN_ACTIONS = ("open_actions", "Open actions (closing)", open_actions_section)


def framed(sections: list) -> list:
    """A meeting's sections between its agenda and its open actions; the appendix stays last."""
    body = [s for s in sections if s[0] != "method"]
    return [AGENDA, *body, OPEN_ACTIONS, *(s for s in sections if s[0] == "method")]
