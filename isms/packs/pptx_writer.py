"""The pack as a PowerPoint deck: native tables and native, editable charts.

Scorecard, heatmap and lists are native tables (the heatmap's cells coloured by level), trends
are native charts, so the deck stays editable. A chart with no native form is the page's plotly
figure as a picture; without a Chromium to render it, its slide says what to install instead.
"""

from __future__ import annotations

import io

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.enum.text import PP_ALIGN
from pptx.util import Emu, Inches, Pt

from isms import images
from isms.charts import ink_on
from isms.packs.model import (
    ChartSection, HeatmapSection, MethodSection, Pack, ScorecardSection, TableSection, column_width,
)

NAVY = RGBColor(0x1F, 0x38, 0x64)
GREY = RGBColor(0x5F, 0x63, 0x68)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
RED, GREEN = RGBColor(0xB0, 0x1C, 0x1C), RGBColor(0x1B, 0x6E, 0x34)  # worse, better
ROWS_PER_SLIDE = 14  # at 12 pt a slide holds this many one-line rows; wrapped rows take fewer (see _slides_for)
KINDS = {
    "column_stacked": XL_CHART_TYPE.COLUMN_STACKED,
    "column_clustered": XL_CHART_TYPE.COLUMN_CLUSTERED,
    "line": XL_CHART_TYPE.LINE_MARKERS,
}


TABLE_TOP, FOOTER_TOP = 1.3, 6.85  # inches: a table lives between the title and the footer
SLIDE_HEIGHT = 7.5


def _lines(text: object, width: float, font_pt: float, em: float = 0.55) -> int:
    """Lines `text` takes once it wraps in a box `width` inches wide: about `em` per character."""
    per_line = max(4, int((width - 0.2) * 72 / (em * font_pt)))
    return sum(max(1, -(-len(part) // per_line)) for part in str(text).split("\n"))


def _row_inches(row: list, widths: list[float], font_pt: float) -> float:
    """Estimated height of a table row once its text wraps in columns of these widths (inches):
    `_lines` of its fullest cell, 1.2 em per line, and the cell's own margins."""
    lines = max([1, *(_lines(text, width, font_pt) for text, width in zip(row, widths))])
    return lines * 1.2 * font_pt / 72 + 0.12


def _slides_for(header: list, rows: list[list], widths: list[float], font_pt: float, cap: int) -> list[list]:
    """Rows split over slides so that no table runs into the footer and none holds more than `cap`
    rows; as few slides as that allows, filled evenly when they fit that way."""
    room = FOOTER_TOP - TABLE_TOP - _row_inches(header, widths, font_pt)
    heights = [_row_inches(r, widths, font_pt) for r in rows]
    greedy, part, used = [], [], 0.0
    for row, h in zip(rows, heights):
        if part and (len(part) == cap or used + h > room):
            greedy.append(part)
            part, used = [], 0.0
        part.append(row)
        used += h
    if part:
        greedy.append(part)
    per = -(-len(rows) // len(greedy)) if rows else 1
    even = [rows[i:i + per] for i in range(0, len(rows), per)]
    fits = all(sum(heights[i:i + per]) <= room for i in range(0, len(rows), per))
    return even if len(even) == len(greedy) and fits else greedy


def _clip(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour.lstrip("#").upper())


def _text_on(hex_colour: str) -> RGBColor:
    return _rgb(ink_on(hex_colour))


class DeckWriter:
    def __init__(self, pack: Pack):
        self.pack = pack
        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = Inches(13.333), Inches(SLIDE_HEIGHT)
        self.blank = self.prs.slide_layouts[6]
        self.images_rendered = 0
        self.missing_images: list[str] = []

    # -- slide furniture --------------------------------------------------------------------
    def _slide(self, title: str, note: str = ""):
        slide = self.prs.slides.add_slide(self.blank)
        box = slide.shapes.add_textbox(Inches(0.5), Inches(0.3), Inches(12.3), Inches(0.8))
        p = box.text_frame.paragraphs[0]
        p.text = title
        p.font.size, p.font.bold, p.font.color.rgb = Pt(28), True, NAVY
        box.name = "Title"
        text = self.pack.footer + (f" · {note}" if note else "")
        # wrapped inside the slide: a long note ran one line far past its right edge (a trial measured
        # 17 in on the 13.3 in slide); 11 pt where it fits below the tables, else smaller (mixed text
        # with capitals and figures: 0.6 em a character)
        room = SLIDE_HEIGHT - FOOTER_TOP - 0.1
        size = next((pt for pt in (11, 10, 9) if _lines(text, 12.3, pt, em=0.6) * 1.2 * pt / 72 + 0.1 <= room), 8)
        foot = slide.shapes.add_textbox(Inches(0.5), Inches(FOOTER_TOP + 0.05), Inches(12.3), Inches(room))
        foot.name = "Footer"
        foot.text_frame.word_wrap = True
        fp = foot.text_frame.paragraphs[0]
        fp.text = text
        fp.font.size, fp.font.color.rgb = Pt(size), GREY
        return slide

    @staticmethod
    def _inches(header: list[str], rows: list[list[str]], widths=None) -> list[float]:
        """Column widths in inches over the slide's 12.3 inch table."""
        widths = widths or [column_width(h, [row[i] for row in rows]) for i, h in enumerate(header)]
        return [12.3 * w / sum(widths) for w in widths]

    def _table(self, slide, header: list[str], rows: list[list[str]], top=Inches(TABLE_TOP), widths=None,
               font=Pt(14)):
        n_rows, n_cols = len(rows) + 1, len(header)
        inches = self._inches(header, rows, widths)
        row_h = [_row_inches(header, inches, font.pt), *(_row_inches(r, inches, font.pt) for r in rows)]
        shape = slide.shapes.add_table(n_rows, n_cols, Inches(0.5), top, Inches(12.3), Emu(int(Inches(sum(row_h)))))
        table = shape.table
        for i, w in enumerate(inches):
            table.columns[i].width = Emu(int(Inches(w)))
        for r, h in enumerate(row_h):
            table.rows[r].height = Emu(int(Inches(h)))
        for c, text in enumerate(header):
            cell = table.cell(0, c)
            cell.text = str(text)
            cell.fill.solid()
            cell.fill.fore_color.rgb = NAVY
            para = cell.text_frame.paragraphs[0]
            para.font.bold, para.font.size, para.font.color.rgb = True, font, WHITE
        for r, row in enumerate(rows, start=1):
            for c, text in enumerate(row):
                cell = table.cell(r, c)
                cell.text = str(text)
                cell.text_frame.paragraphs[0].font.size = font
        return table

    @staticmethod
    def _summary(slide, summary: str) -> float:
        """The headline sentence under the title (navy, 14 pt); returns where the table starts."""
        if not summary:
            return TABLE_TOP
        box = slide.shapes.add_textbox(Inches(0.5), Inches(1.05), Inches(12.3), Inches(0.9))
        box.text_frame.word_wrap = True
        p = box.text_frame.paragraphs[0]
        p.text = summary
        p.font.size, p.font.color.rgb = Pt(14), NAVY
        return 1.05 + _row_inches([summary], [12.3], 14) + 0.1

    # -- sections ---------------------------------------------------------------------------
    def title_slide(self) -> None:
        slide = self.prs.slides.add_slide(self.blank)
        band = slide.shapes.add_shape(1, 0, Inches(2.3), self.prs.slide_width, Inches(2.6))
        band.fill.solid()
        band.fill.fore_color.rgb = NAVY
        band.line.fill.background()
        tf = band.text_frame
        tf.margin_left = Inches(0.7)
        tf.paragraphs[0].text = self.pack.organisation
        tf.paragraphs[0].font.size, tf.paragraphs[0].font.color.rgb = Pt(24), WHITE
        p = tf.add_paragraph()
        p.text = self.pack.title
        p.font.size, p.font.bold, p.font.color.rgb = Pt(40), True, WHITE
        p = tf.add_paragraph()
        p.text = f"{self.pack.subtitle} · {self.pack.comparison}"
        p.font.size, p.font.color.rgb = Pt(20), WHITE
        for para in tf.paragraphs:
            para.alignment = PP_ALIGN.LEFT

    def scorecard(self, s: ScorecardSection) -> None:
        """The headline sentence, then the figures; each change is marked better or worse in words
        and colour, as the page's tiles are, so a printout in grey still says which way it went."""
        slide = self._slide(s.title, s.note)
        top = self._summary(slide, s.summary)
        rows = [[r.label, r.value, r.previous, r.change_text] for r in s.rows]
        table = self._table(slide, ["Measure", "Now", "Previous", "Change"], rows, top=Inches(top),
                            widths=[6, 2, 2, 2], font=Pt(14 if s.summary else 16))
        for i, r in enumerate(s.rows, start=1):
            if r.judgement:
                font = table.cell(i, 3).text_frame.paragraphs[0].font
                font.bold, font.color.rgb = True, (RED if r.judgement == "worse" else GREEN)

    def heatmap(self, s: HeatmapSection) -> None:
        slide = self._slide(s.title, s.note)
        n_rows, n_cols = len(s.row_labels) + 1, len(s.column_labels) + 1
        shape = slide.shapes.add_table(n_rows, n_cols, Inches(1.5), Inches(1.3), Inches(10.3), Inches(5.3))
        table = shape.table
        table.cell(0, 0).text = "Likelihood \\ Impact"
        for c in range(n_cols):
            table.cell(0, c).fill.solid()
            table.cell(0, c).fill.fore_color.rgb = NAVY
        for c, label in enumerate(s.column_labels, start=1):
            table.cell(0, c).text = label
        for r, label in enumerate(s.row_labels, start=1):
            table.cell(r, 0).text = label
            for c, (n, colour) in enumerate(zip(s.counts[r - 1], s.colours[r - 1]), start=1):
                cell = table.cell(r, c)
                cell.text = str(n) if n else ""
                cell.fill.solid()
                cell.fill.fore_color.rgb = _rgb(colour)
                para = cell.text_frame.paragraphs[0]
                para.alignment = PP_ALIGN.CENTER
                para.font.size, para.font.bold, para.font.color.rgb = Pt(24), True, _text_on(colour)
        for c in range(n_cols):
            para = table.cell(0, c).text_frame.paragraphs[0]
            para.font.size, para.font.color.rgb = Pt(13), WHITE
        for r in range(1, n_rows):
            table.cell(r, 0).text_frame.paragraphs[0].font.size = Pt(13)

    def chart(self, s: ChartSection) -> None:
        slide = self._slide(s.title, s.note)
        x, y, cx, cy = Inches(0.5), Inches(1.2), Inches(12.3), Inches(5.6)
        if s.native_kind:
            data = CategoryChartData(number_format=s.number_format)
            data.categories = list(s.categories)
            for series in s.series:
                data.add_series(series.name, list(series.values))
            chart = slide.shapes.add_chart(KINDS[s.native_kind], x, y, cx, cy, data).chart
            chart.has_legend = True
            chart.legend.position = XL_LEGEND_POSITION.BOTTOM
            chart.legend.include_in_layout = False
            chart.legend.font.size = Pt(14)
            chart.category_axis.tick_labels.font.size = Pt(12)
            chart.value_axis.tick_labels.font.size = Pt(12)
            if s.y_min is not None:
                chart.value_axis.minimum_scale = s.y_min
            if s.native_kind.startswith("column"):
                chart.plots[0].gap_width = 60
            for plot_series, series in zip(chart.plots[0].series, s.series):
                if not series.colour:
                    continue
                if s.native_kind == "line":
                    plot_series.format.line.color.rgb = _rgb(series.colour)
                    plot_series.format.line.width = Pt(3)
                    plot_series.smooth = False
                else:
                    plot_series.format.fill.solid()
                    plot_series.format.fill.fore_color.rgb = _rgb(series.colour)
            return
        try:
            png = images.render(s.figure_under_heading, "png", width=1600, height=730)
            self.images_rendered += 1
            slide.shapes.add_picture(io.BytesIO(png), x, y, cx, cy)
        except images.ImageUnavailable as exc:
            self.missing_images.append(s.title)
            box = slide.shapes.add_textbox(x, y, cx, Inches(1))
            box.text_frame.text = f"This chart could not be drawn here: {exc}."

    def table(self, s: TableSection) -> None:
        frame = s.frame
        if frame.empty:
            slide = self._slide(s.title, s.note)
            box = slide.shapes.add_textbox(Inches(0.5), Inches(self._summary(slide, s.summary) + 0.1), Inches(12),
                                           Inches(1))
            box.text_frame.text = s.empty_text
            box.text_frame.paragraphs[0].font.size = Pt(20)
            return
        header = list(frame.columns)
        all_rows = [["" if v is None else _clip(str(v)) for v in row] for row in frame.itertuples(index=False)]
        # as few slides as the cap and the footer allow, filled evenly: 9 rows are 5 and 4, not 8 and 1
        pages = _slides_for(header, all_rows, self._inches(header, all_rows), 12, ROWS_PER_SLIDE)
        start = 0
        for n, rows in enumerate(pages, start=1):
            part = frame.iloc[start:start + len(rows)]
            start += len(rows)
            title = s.title if len(pages) == 1 else f"{s.title} \u00b7 {n} of {len(pages)}"
            slide = self._slide(title, s.note)
            top = self._summary(slide, s.summary if n == 1 else "")
            table = self._table(slide, header, rows, top=Inches(top), font=Pt(12))
            for column in s.level_columns:
                col = list(frame.columns).index(column)
                for r, level in enumerate(part[column], start=1):
                    colour = s.level_colours.get(level)
                    if colour:
                        cell = table.cell(r, col)
                        cell.fill.solid()
                        cell.fill.fore_color.rgb = _rgb(colour)
                        cell.text_frame.paragraphs[0].font.color.rgb = _text_on(colour)

    def method(self, s: MethodSection) -> None:
        header, rows = ["Item", "Detail"], [[a, b] for a, b in s.lines]
        pages = _slides_for(header, rows, self._inches(header, rows, [2, 8]), 12, len(rows))
        for n, part in enumerate(pages, start=1):
            slide = self._slide(s.title if len(pages) == 1 else f"{s.title} \u00b7 {n} of {len(pages)}")
            self._table(slide, header, part, widths=[2, 8], font=Pt(12))

    def write(self) -> bytes:
        self.title_slide()
        for s in self.pack.sections:
            {
                ScorecardSection: self.scorecard, HeatmapSection: self.heatmap, ChartSection: self.chart,
                TableSection: self.table, MethodSection: self.method,
            }[type(s)](s)
        buf = io.BytesIO()
        self.prs.save(buf)
        return buf.getvalue()


def write_pptx(pack: Pack) -> bytes:
    return DeckWriter(pack).write()
