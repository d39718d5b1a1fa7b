"""The welcome an empty database opens on: the first steps, in order, instead of empty pages.

Every adopter starts here, with nothing imported. The matrix and appetite come first because
every level the import reports and every page shows depends on them; then the template (or the
analyst's own register), the import, and the Risk Review. The sample can be built beside the
database to look around in without mixing it with real data.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from isms.config import Settings
from isms.databases import sample_path
from isms.importing.template import write_blank_template
from isms.organisation import SAMPLE_ORGANISATION, UNNAMED
from isms.store import batches


@dataclass(frozen=True)
class Welcome:
    organisation: str       # the organisation's name, '' while the settings give the sample's
    matrix: str
    appetite: str
    levels: tuple[str, ...]
    imports: int            # batches the dashboard counts (undone ones left out)
    sample: Path            # where the sample goes, beside the database
    sample_ready: bool      # already built there

    @property
    def stand_in(self) -> str:
        """What the pages and packs call the organisation until the adopter names it: the shipped
        isms.toml gives the sample's name, which is never shown on another organisation's data."""
        return UNNAMED

    @property
    def empty(self) -> bool:
        return self.imports == 0


def is_empty(con: duckdb.DuckDBPyConnection) -> bool:
    """Nothing imported (or everything undone): the app opens on the welcome instead of empty pages."""
    return not batches.active_batches(con)


def build(con: duckdb.DuckDBPyConnection, settings: Settings) -> Welcome:
    m = settings.matrix
    path = sample_path(settings.db_path)
    own = "" if settings.organisation.strip() == SAMPLE_ORGANISATION else settings.organisation
    return Welcome(own, m.name, m.appetite, tuple(m.levels), len(batches.active_batches(con)),
                   path, path.exists())


def blank_template(settings: Settings) -> bytes:
    """The blank import template in the configured matrix's own level words."""
    with tempfile.TemporaryDirectory() as tmp:
        return write_blank_template(Path(tmp) / "template.xlsx", settings.matrix).read_bytes()
