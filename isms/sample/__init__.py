"""The sample ISMS: a seeded, deterministic simulation written as quarterly template workbooks."""

# The sample's organisation: the name the shipped isms.toml gives, for the embedded sample `make run`
# opens on. An adopter's own ISMS is not Northwind, so where the settings still give this name the
# welcome asks for theirs (isms.views.welcome), and a session looking at the sample shows this name
# whatever the settings give (ui.resources.settings).
from isms.organisation import SAMPLE_ORGANISATION as ORGANISATION  # noqa: E402

from isms.sample.generate import generate_sample, write_sample  # noqa: E402

__all__ = ["ORGANISATION", "generate_sample", "write_sample"]
