"""The sample ISMS: a seeded, deterministic simulation written as quarterly template workbooks."""

from isms.sample.generate import generate_sample, write_sample

__all__ = ["generate_sample", "write_sample"]
