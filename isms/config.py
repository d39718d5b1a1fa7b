"""Settings from isms.toml (path overridable with ISMS_CONFIG) and the environment.

One frozen Settings object is handed to everything that needs the matrix or limits, so a
page, the CLI and a pack built from the same file use the same definitions.
"""

from __future__ import annotations

import math

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from isms.auth import AuthSettings, auth_from_settings
from isms.matrix import RiskMatrix, from_settings
from isms.meetings import DEFAULT_SERIES, MeetingSeries, series_from_settings

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = ROOT / "isms.toml"
DEFAULT_DB = ROOT / "data" / "isms.duckdb"


class SettingsError(ValueError):
    """The settings file cannot be used; the message names the key."""


@dataclass(frozen=True)
class Settings:
    organisation: str
    matrix: RiskMatrix
    db_path: str
    late_tolerance_points: float = 10.0
    exception_warning_days: int = 30
    max_upload_mb: float = 25.0
    max_rows: int = 200_000
    max_cells: int = 6_000_000
    read_memory_mb: int = 2048
    read_seconds: int = 120
    config_path: str = ""
    auth: AuthSettings = field(default_factory=AuthSettings)
    meeting_series: tuple[MeetingSeries, ...] = DEFAULT_SERIES

    def series(self, key: str) -> MeetingSeries:
        """The meeting series named `key`; KeyError names the ones there are."""
        for s in self.meeting_series:
            if s.key == key:
                return s
        raise KeyError(f"no meeting series {key!r}; the series are {[s.key for s in self.meeting_series]}")

    @property
    def users_path(self) -> Path:
        """The password users file, relative to the settings file unless absolute."""
        return Path(self.config_path or DEFAULT_CONFIG).parent / self.auth.users_file

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def uploader_mb(self) -> int:
        """The cap an uploader states (whole MB, its unit): rounded up, so it never refuses a file
        the import takes; the import's own check, to the byte, says the exact limit."""
        return max(1, math.ceil(self.max_upload_mb))

    @property
    def read_limits(self):
        """What one uploaded file may cost to read, in the child process that reads it."""
        from isms.importing.isolation import ReadLimits

        return ReadLimits(self.max_upload_bytes, self.max_rows, self.max_cells, self.read_memory_mb, self.read_seconds)


def load_settings(config_path: str | os.PathLike | None = None, db_path: str | None = None) -> Settings:
    path = Path(config_path or os.environ.get("ISMS_CONFIG") or DEFAULT_CONFIG)
    raw: dict[str, Any] = {}
    if path.exists():
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{path}: {exc}") from None
    org = raw.get("organisation", {})
    treatments = raw.get("treatments", {})
    exceptions = raw.get("exceptions", {})
    imports = raw.get("import", {})
    try:
        return Settings(
            organisation=str(org.get("name", "Example Organisation")),
            matrix=from_settings(raw.get("matrix", {})),
            db_path=str(db_path or os.environ.get("ISMS_DB") or DEFAULT_DB),
            late_tolerance_points=float(treatments.get("late_tolerance_points", 10.0)),
            exception_warning_days=int(exceptions.get("warning_days", 30)),
            max_upload_mb=float(imports.get("max_upload_mb", 25.0)),
            max_rows=int(imports.get("max_rows", 200_000)),
            max_cells=int(imports.get("max_cells", 6_000_000)),
            read_memory_mb=int(imports.get("read_memory_mb", 2048)),
            read_seconds=int(imports.get("read_seconds", 120)),
            config_path=str(path),
            auth=auth_from_settings(raw.get("auth", {})),
            meeting_series=series_from_settings(raw.get("forum", {}).get("series", {})),
        )
    except ValueError as exc:
        raise SettingsError(f"{path}: {exc}") from None
