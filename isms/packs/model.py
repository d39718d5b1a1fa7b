"""The content of a pack, independent of the file format it is written in."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Literal, Union

import pandas as pd
import plotly.graph_objects as go

from isms.dates import long_date


@dataclass(frozen=True)
class ScorecardRow:
    label: str
    value: str
    previous: str
    change: str
    judgement: str = ""  # 'better', 'worse' or '' (no change, or no direction): as the page's tiles colour it

    @property
    def change_text(self) -> str:
        return f"{self.change} {self.judgement}".strip() if self.change else ""


@dataclass(frozen=True)
class ScorecardSection:
    key: str
    title: str
    rows: tuple[ScorecardRow, ...]
    note: str = ""
    summary: str = ""  # the meeting's headline sentence (isms.headline), above the table


@dataclass(frozen=True)
class HeatmapSection:
    """A matrix drawn as a table: stays editable in PowerPoint, where plotly heatmaps cannot."""

    key: str
    title: str
    row_labels: tuple[str, ...]  # likelihood, highest first (as a matrix is read)
    column_labels: tuple[str, ...]  # impact, lowest first
    counts: tuple[tuple[int, ...], ...]
    colours: tuple[tuple[str, ...], ...]  # "#rrggbb" per cell
    note: str = ""
    figure: go.Figure | None = None  # the page's heatmap, for the chart images


@dataclass(frozen=True)
class NativeSeries:
    name: str
    values: tuple[float | None, ...]
    colour: str | None = None


@dataclass(frozen=True)
class ChartSection:
    """A chart: `native` is what python-pptx draws as an editable chart; `figure` is the page's
    plotly figure, used for images (PDF, zip) and for the slide when there is no native form."""

    key: str
    title: str
    figure: go.Figure
    native_kind: Literal["column_stacked", "column_clustered", "line"] | None = None
    categories: tuple[str, ...] = ()
    series: tuple[NativeSeries, ...] = ()
    number_format: str = "General"
    note: str = ""
    y_min: float | None = None  # the page's axis starts at zero: so must the slide's, or a small move looks steep

    @property
    def figure_under_heading(self) -> go.Figure:
        """The figure for a page or slide whose heading already names it: its own title would say
        the same thing twice. (The image zip keeps titled figures: a lone image needs its title.)"""
        title = self.figure.layout.title.text if self.figure.layout.title else None
        words = lambda t: set(re.findall(r"[a-z0-9]+", t.casefold()))  # noqa: E731
        if not title or not words(title) <= words(self.title):  # 'share of KRIs green' under '..., %': the same
            return self.figure
        fig = go.Figure(self.figure)
        fig.update_layout(title_text=None, margin_t=20)
        return fig


@dataclass(frozen=True)
class TableSection:
    key: str
    title: str
    frame: pd.DataFrame
    note: str = ""
    empty_text: str = "Nothing to report."
    summary: str = ""  # the meeting's headline sentence when this table opens the pack (isms.headline)
    level_column: str | tuple[str, ...] | None = None  # colour this column's (or these columns') cells by level
    level_colours: dict[str, str] = field(default_factory=dict)

    @property
    def level_columns(self) -> tuple[str, ...]:
        """The columns coloured by level that the frame has: a change's From and To alike (the deck
        coloured To only, and the two read as differently aligned)."""
        wanted = (self.level_column,) if isinstance(self.level_column, str) else tuple(self.level_column or ())
        return tuple(c for c in wanted if c in self.frame.columns)


@dataclass(frozen=True)
class MethodSection:
    key: str
    title: str
    lines: tuple[tuple[str, str], ...]


Section = Union[ScorecardSection, HeatmapSection, ChartSection, TableSection, MethodSection]


@dataclass(frozen=True)
class Pack:
    meeting: str  # risk-review | security-health
    title: str
    subtitle: str
    organisation: str
    as_of: dt.date
    compare_to: dt.date
    sections: tuple[Section, ...]
    # the comparison as the meeting says its own date: 'September 2026' for a month, '2025' for a year
    compared: str = ""
    # what the page's filters kept ('Annex A themes: A.8 Technological'); '' for the whole register
    scope: str = ""
    # the meeting's data holds nothing on or before compare_to (a compliance review's first import):
    # a cover 'compared with 30 June 2026' beside a table 'nothing earlier to compare with' contradicted it
    nothing_before: bool = False

    @property
    def comparison(self) -> str:
        """The cover's second half: what the figures are compared with, or that nothing came before
        (a first review's cover read '6 December 2026 · compared with 6 December 2026')."""
        if self.compare_to >= self.as_of or self.nothing_before:
            return "first review on record"
        return f"compared with {self.compared or long_date(self.compare_to)}"

    @property
    def footer(self) -> str:
        """Each slide's and page's footer: whose pack, which meeting and date, and for a filtered
        pack what it holds. A slide lifted into another deck must not pass for the whole ISMS (only
        the scorecard's subtitle said 'Filtered')."""
        return f"{self.organisation} · {self.title} · {self.subtitle}" + (f" · Filtered: {self.scope}" if self.scope else "")

    @property
    def charts(self) -> list[ChartSection]:
        return [s for s in self.sections if isinstance(s, ChartSection)]

    @property
    def figures(self) -> list[tuple[str, go.Figure]]:
        """Every figure of the pack, in order, for the zip of chart images. An image stands alone,
        away from the scorecard that says the pack is filtered: a filtered pack's say so under
        their titles."""
        out = []
        for s in self.sections:
            if isinstance(s, (ChartSection, HeatmapSection)) and s.figure is not None:
                fig = s.figure
                if self.scope:
                    fig = go.Figure(fig)
                    title = fig.layout.title.text if fig.layout.title and fig.layout.title.text else s.title
                    fig.update_layout(title_text=f"{title}<br><sup>Filtered: {self.scope}</sup>", margin_t=70)
                out.append((s.title, fig))
        return out

    def file_stem(self) -> str:
        return file_stem(self.meeting, self.as_of, self.scope)


def file_stem(meeting: str, as_of: dt.date, scope: str = "") -> str:
    """A pack's file name without its extension; a filtered pack's says so, so it is not taken for
    the whole register's ('risk-review-2026-09-30-filtered.pptx')."""
    return f"{meeting}-{as_of.isoformat()}" + ("-filtered" if scope else "")


def column_width(header: str, values: list) -> int:
    """Relative width: room for the longest word (never split "Critical" in two) and, within a
    cap, for the typical text, so long titles wrap and short codes stay narrow."""
    texts = [str(header), *(str(v) for v in values)]
    longest_word = max((len(w) for t in texts[1:] for w in t.split()), default=4)
    longest_word = max(longest_word, *(round(len(w) * 1.3) for w in str(header).split()))  # bold header type
    typical = sorted(len(t) for t in texts)[len(texts) * 3 // 4]
    return max(longest_word + 3, min(typical, 60), 7)  # long titles get the room; they wrap beyond it
