"""The organisation's name as the pages, packs and exports show it.

isms.toml ships with the sample's organisation (Northwind Cloud Infrastructure), so the sample reads
as one company's ISMS. On an organisation's own data that name would be another company's: a new
user's packs, export and sidebar went out under it until they named their own. So the sample's name
is shown only on the sample's data; on any other, until the settings give a name of its own, the
pages and packs say UNNAMED.
"""

from __future__ import annotations

import duckdb

from isms.config import Settings

# The sample's organisation: the name the shipped isms.toml gives, for the embedded sample `make run`
# opens on (isms.sample.ORGANISATION); kept here, where the CLI reads it without the sample's generator.
SAMPLE_ORGANISATION = "Northwind Cloud Infrastructure"
UNNAMED = "Your organisation"


def holds_sample(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the data is the sample's alone: an organisation that tries its own register in the
    sample's database sees its own figures there, and its name is not Northwind's."""
    from isms.store.batches import sample_only

    return sample_only(con)


def shown(name: str, sample_data: bool) -> str:
    """`name` (the settings'), or UNNAMED where it is the sample's and the data is not."""
    return UNNAMED if name.strip() == SAMPLE_ORGANISATION and not sample_data else name


def shown_on(con: duckdb.DuckDBPyConnection, settings: Settings) -> str:
    """The settings' name as shown on the data `con` holds."""
    if settings.organisation.strip() != SAMPLE_ORGANISATION:
        return settings.organisation
    return shown(settings.organisation, holds_sample(con))
