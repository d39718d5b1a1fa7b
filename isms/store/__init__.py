"""DuckDB store: numbered migrations, one-transaction writes, named as-of reads."""

from isms.store.db import connect, migrate

__all__ = ["connect", "migrate"]
