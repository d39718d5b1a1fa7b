"""The pack as a PDF (reportlab): the same sections, charts as images of the page's figures.

A PDF cannot hold an editable chart, so every chart is rendered through the one kaleido server
(isms.images); without a Chromium this raises ImageUnavailable, whose message names the package.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import registerFontFamily, stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    CondPageBreak, Image, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle,
)

from isms import images
from isms.charts import ink_on
from isms.packs.model import (
    ChartSection, HeatmapSection, MethodSection, Pack, ScorecardSection, TableSection, column_width,
)

NAVY = colors.HexColor("#1F3864")
PAGE = landscape(A4)
WIDTH = PAGE[0] - 3 * cm

# A Unicode TrueType family, embedded: the PDF's built-in Helvetica is Latin-1 only, and a Czech
# register's 'Chybějící' printed as 'Chyb■jící'. Liberation Sans has Helvetica's metrics (the
# layout is unchanged); DejaVu Sans is the fallback. `make system-deps` installs fonts-liberation.
FONT_DIRS = ("/usr/share/fonts/truetype/liberation", "/usr/share/fonts/truetype/liberation2",
             "/usr/share/fonts/truetype/dejavu")
FONT_FILES = {"LiberationSans": ("-Regular", "-Bold", "-Italic", "-BoldItalic"),
              "DejaVuSans": ("", "-Bold", "-Oblique", "-BoldOblique")}


@cache
def _family() -> tuple[str, str]:
    """(regular, bold) font names for the pack: 'PackSans' registered (once a process) from the
    first family found whole on this machine, else reportlab's Helvetica (Latin-1 only)."""
    for folder in FONT_DIRS:
        for stem, styles in FONT_FILES.items():
            files = [Path(folder) / f"{stem}{style}.ttf" for style in styles]
            if all(f.is_file() for f in files):
                names = ("PackSans", "PackSans-Bold", "PackSans-Italic", "PackSans-BoldItalic")
                for name, f in zip(names, files):
                    pdfmetrics.registerFont(TTFont(name, str(f)))
                registerFontFamily("PackSans", normal=names[0], bold=names[1], italic=names[2], boldItalic=names[3])
                return "PackSans", "PackSans-Bold"
    return "Helvetica", "Helvetica-Bold"


def _ink(hex_colour: str):
    return colors.HexColor(ink_on(hex_colour))


class PdfWriter:
    def __init__(self, pack: Pack):
        self.pack = pack
        base = getSampleStyleSheet()
        self.font, bold = _family()
        self.h1 = ParagraphStyle("h1", parent=base["Heading1"], textColor=NAVY, fontSize=22, spaceAfter=10,
                                 keepWithNext=1, fontName=bold)
        self.title = ParagraphStyle("title", parent=base["Title"], textColor=NAVY, fontSize=34, leading=40, alignment=0,
                                    fontName=bold)
        self.body = ParagraphStyle("body", parent=base["BodyText"], fontSize=11, leading=14, fontName=self.font)
        self.note = ParagraphStyle("note", parent=self.body, textColor=colors.HexColor("#5F6368"), keepWithNext=1)
        self.cell = ParagraphStyle("cell", parent=self.body, fontSize=9.5, leading=11.5)
        self.images_rendered = 0

    def _grid(self, header, rows, widths=None, extra=(), continued: str | None = None):
        """A table whose header row repeats on each page; `continued`: the section's title, said again
        ("... (continued)") above the part that runs onto the next page."""
        data = [[Paragraph(f"<b>{h}</b>", ParagraphStyle("hd", parent=self.cell, textColor=colors.white)) for h in header]]
        data += [[v if isinstance(v, Paragraph) else Paragraph(str(v), self.cell) for v in row] for row in rows]
        kind = Table if continued is None else _continued(
            lambda: [Paragraph(f"{escape(continued)} (continued)", self.h1), Spacer(1, 4)])
        t = kind(data, colWidths=widths, repeatRows=1)
        t.setStyle(TableStyle([
            ("FONTNAME", (0, 0), (-1, -1), self.font),  # a cell not a Paragraph, and the table's own state
            ("BACKGROUND", (0, 0), (-1, 0), NAVY),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#BDBDBD")),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#F3F5F9")]),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            *extra,
        ]))
        return t

    def _heading(self, title: str, note: str = ""):
        out = [Paragraph(title, self.h1)]
        if note:
            out.append(Paragraph(note, self.note))
        out.append(Spacer(1, 8))
        return out

    def _summary(self, summary: str) -> list:
        """The meeting's headline sentence above the section's figures."""
        return [Paragraph(escape(summary), self.body), Spacer(1, 6)] if summary else []

    def scorecard(self, s: ScorecardSection):
        """The headline sentence, then the figures, each change marked better or worse (word and colour)."""
        ink = {"worse": "#B01C1C", "better": "#1B6E34"}
        rows = [[r.label, r.value, r.previous,
                 Paragraph(f'<font color="{ink[r.judgement]}"><b>{r.change_text}</b></font>', self.cell)
                 if r.judgement else r.change_text] for r in s.rows]
        return [*self._heading(s.title, s.note), *self._summary(s.summary),
                self._grid(["Measure", "Now", "Previous", "Change"], rows, [WIDTH * 0.5] + [WIDTH * 0.5 / 3] * 3)]

    def heatmap(self, s: HeatmapSection):
        big = ParagraphStyle("big", parent=self.body, fontSize=20, leading=24, alignment=1)
        data = [["Likelihood \\ Impact", *s.column_labels]]
        style = [("GRID", (0, 0), (-1, -1), 2, colors.white), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                 ("ALIGN", (1, 1), (-1, -1), "CENTER"), ("FONTSIZE", (0, 0), (-1, 0), 10), ("FONTSIZE", (0, 1), (0, -1), 10)]
        for r, (label, counts, cols) in enumerate(zip(s.row_labels, s.counts, s.colours), start=1):
            row = [label]
            for c, (n, colour) in enumerate(zip(counts, cols), start=1):
                row.append(Paragraph(f'<font color="{_ink(colour).hexval().replace("0x", "#")}"><b>{n or ""}</b></font>', big))
                style.append(("BACKGROUND", (c, r), (c, r), colors.HexColor(colour)))
            data.append(row)
        col_w = (WIDTH - 4.5 * cm) / len(s.column_labels)
        t = Table(data, colWidths=[4.5 * cm] + [col_w] * len(s.column_labels), rowHeights=[1 * cm] + [2.2 * cm] * len(s.row_labels))
        t.setStyle(TableStyle(style))
        return [*self._heading(s.title, s.note), t]

    def chart(self, s: ChartSection):
        png = images.render(s.figure_under_heading, "png", width=1100, height=513)  # type legible at page width
        self.images_rendered += 1
        return [*self._heading(s.title, s.note), Image(io.BytesIO(png), width=WIDTH, height=WIDTH * 513 / 1100)]

    def table(self, s: TableSection):
        out = self._heading(s.title, s.note) + self._summary(s.summary)
        if s.frame.empty:
            return [*out, Paragraph(s.empty_text, self.body)]
        cols = list(s.frame.columns)
        rows = [["" if v is None else v for v in row] for row in s.frame.itertuples(index=False)]
        # the deck's rule for widths: long titles wrap, short codes stay narrow
        weights = [column_width(h, [row[i] for row in rows]) for i, h in enumerate(cols)]
        floors = [_longest_word(h, [row[i] for row in rows], self.cell.fontSize) for i, h in enumerate(cols)]
        widths = fitted_widths(weights, floors, WIDTH)
        extra = []
        for column in s.level_columns:
            ci = cols.index(column)
            for r, level in enumerate(s.frame[column], start=1):
                if level in s.level_colours:
                    colour = s.level_colours[level]
                    extra.append(("BACKGROUND", (ci, r), (ci, r), colors.HexColor(colour)))
                    ink = ParagraphStyle(f"level-{r}", parent=self.cell, textColor=_ink(colour))
                    rows[r - 1][ci] = Paragraph(f"<b>{level}</b>", ink)  # white on dark red, as on the slides
        return [*out, self._grid(cols, rows, widths, extra=extra, continued=s.title)]

    def method(self, s: MethodSection):
        return [*self._heading(s.title), self._grid(["Item", "Detail"], [list(x) for x in s.lines], [WIDTH * 0.22, WIDTH * 0.78])]

    def _footer(self, canvas, doc):
        canvas.saveState()
        canvas.setFont(self.font, 8)
        canvas.setFillColor(colors.HexColor("#5F6368"))
        footer, room = self.pack.footer, PAGE[0] - 4.5 * cm  # left of 'page N'
        while len(footer) > 1 and canvas.stringWidth(footer, self.font, 8) > room:  # a long filter, cut where it ends
            footer = footer[:-2] + "…"
        canvas.drawString(1.5 * cm, 1 * cm, footer)
        canvas.drawRightString(PAGE[0] - 1.5 * cm, 1 * cm, f"page {doc.page}")
        canvas.restoreState()

    def write(self) -> bytes:
        buf = io.BytesIO()
        doc = SimpleDocTemplate(buf, pagesize=PAGE, leftMargin=1.5 * cm, rightMargin=1.5 * cm, topMargin=1.3 * cm,
                                bottomMargin=1.6 * cm, title=f"{self.pack.title}, {self.pack.subtitle}",
                                author=self.pack.organisation, initialFontName=self.font)
        story = [Spacer(1, 4 * cm), Paragraph(self.pack.organisation, self.h1), Paragraph(self.pack.title, self.title),
                 Paragraph(f"{self.pack.subtitle} · {self.pack.comparison}", self.body)]
        previous = None
        for s in self.pack.sections:
            # a list that follows a list shares its page when a heading and a few rows still fit (one
            # stale KRI is not worth a page); every other section opens a page of its own
            if isinstance(s, TableSection) and isinstance(previous, TableSection):
                story += [CondPageBreak(6 * cm), Spacer(1, 14)]
            else:
                story.append(PageBreak())
            previous = s
            story += {
                ScorecardSection: self.scorecard, HeatmapSection: self.heatmap, ChartSection: self.chart,
                TableSection: self.table, MethodSection: self.method,
            }[type(s)](s)
        doc.build(story, onFirstPage=self._footer, onLaterPages=self._footer)
        return buf.getvalue()


def _continued(heading) -> type:
    """A Table class that puts `heading()` (flowables) above each part carried over to a new page:
    reportlab splits a table by building its parts from the table's own class."""
    class Continued(Table):
        def split(self, availWidth, availHeight):
            parts = super().split(availWidth, availHeight)
            return [parts[0], *heading(), parts[1]] if len(parts) == 2 else parts
    return Continued


def write_pdf(pack: Pack) -> bytes:
    return PdfWriter(pack).write()


CELL_PADDING = 12  # points: reportlab's 6 on either side of a cell's text
SHORT_VALUE = 14  # characters: a column whose every value is this short prints each on one line


def _longest_word(header: str, values: list, size: float) -> float:
    """The width in points of the widest word of a column (its header in bold), with the padding:
    narrower, and a risk id printed as 'R-01' over '6'."""
    regular, bold = _family()
    texts = [str(v) for v in values]
    # a column of short values ('High (10)', 'Medium (8)', '2026-09-30') keeps each on one line: its
    # floor is the widest whole value (the Top risks' 'Was' wrapped 'High' over '(10)' on most rows)
    short = all(len(t) <= SHORT_VALUE for t in texts)
    words = [stringWidth(w, regular, size) for t in texts for w in ([t] if short else t.split())]
    words += [stringWidth(w, bold, size) for w in str(header).split()]
    return max(words, default=0) + CELL_PADDING + 1


def fitted_widths(weights: list[float], floors: list[float], total: float) -> list[float]:
    """Widths in proportion to `weights` over `total`, none below its floor: a column that would be
    narrower than its widest word gets that word's width, and the others share what is left by
    their weights (long titles wrap; codes, levels and numbers do not)."""
    fixed: dict[int, float] = {}
    while True:
        free = [i for i in range(len(weights)) if i not in fixed]
        left = total - sum(fixed.values())
        share = sum(weights[i] for i in free) or 1
        widths = {i: left * weights[i] / share for i in free}
        short = [i for i in free if widths[i] < floors[i]]
        if not short or len(short) == len(free):
            for i in short:
                widths[i] = floors[i]
            break
        fixed.update({i: floors[i] for i in short})
    return [fixed.get(i, widths.get(i)) for i in range(len(weights))]
