"""One entry point for every format, used by the pages, the CLI and the benchmark."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from isms.config import Settings
from isms.packs.content import build_pack, default_dates
from isms.views.pack_inputs import saved_sections
from isms.packs.model import Pack

FORMATS = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pdf": "application/pdf",
    "zip": "application/zip",
}


@dataclass(frozen=True)
class PackFile:
    pack: Pack
    fmt: str
    data: bytes
    images_rendered: int
    missing_images: tuple[str, ...] = ()

    @property
    def file_name(self) -> str:
        return f"{self.pack.file_stem()}.{self.fmt}"

    @property
    def mime(self) -> str:
        return FORMATS[self.fmt]


def render_pack(pack: Pack, fmt: str) -> PackFile:
    if fmt == "pptx":
        from isms.packs.pptx_writer import DeckWriter

        writer = DeckWriter(pack)
        data = writer.write()
        return PackFile(pack, fmt, data, writer.images_rendered, tuple(writer.missing_images))
    if fmt == "pdf":
        from isms.packs.pdf_writer import PdfWriter

        writer = PdfWriter(pack)
        data = writer.write()
        return PackFile(pack, fmt, data, writer.images_rendered)
    if fmt == "zip":
        from isms.packs.images_zip import write_zip

        return PackFile(pack, fmt, write_zip(pack), 2 * len(pack.figures))
    raise ValueError(f"unknown format {fmt!r}; choose one of {sorted(FORMATS)}")


def make_pack(con: duckdb.DuckDBPyConnection, settings: Settings, meeting: str, fmt: str,
              as_of: dt.date | None = None, compare_to: dt.date | None = None,
              sections: list[str] | None = None, filters: object = None) -> PackFile:
    """Build and write a pack; dates default to the page's, sections to the saved choice."""
    defaults = default_dates(con, meeting, settings)
    if as_of is None:
        if defaults is None:
            raise ValueError("there is no data to build a pack from")
        as_of = defaults[0]
    if compare_to is None and meeting == "risk-review":  # as the page compares it: nothing earlier, no change
        from isms.views.risk_review import compare_date

        compare_to = compare_date(con, as_of)
    if compare_to is None and meeting == "compliance":
        # as the page compares it: a period end with the period end before it, an import with the import before
        compare_to = (default_dates(con, meeting, settings, as_of) or (None, None))[1]  # None: no compliance data yet
    if compare_to is None:
        from isms.dates import add_months, month_end, previous_quarter_end

        compare_to = previous_quarter_end(as_of) if meeting in ("risk-review", "compliance") else \
            month_end(add_months(as_of.replace(day=1), -1))
    if sections is None:
        sections = saved_sections(con, meeting)
    return render_pack(build_pack(con, settings, meeting, as_of, compare_to, sections, filters), fmt)
