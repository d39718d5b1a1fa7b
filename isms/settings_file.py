"""Changing isms.toml from the admin Settings page without losing its comments or its validity.

The new text is checked by loading it exactly as the app would (`load_settings`) before it
replaces the old file, and the replacement is atomic; a rejected change leaves the file as it was.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import tomlkit

from isms.config import load_settings
from isms.files import replace_file


def current(path: str | os.PathLike, keys: list[tuple[str, str]]) -> dict[str, Any]:
    doc = tomlkit.parse(Path(path).read_text(encoding="utf-8")) if Path(path).exists() else tomlkit.document()
    return {f"{t}.{k}": _plain(doc.get(t, {}).get(k)) for t, k in keys}


def _plain(value: Any) -> Any:
    return value.unwrap() if hasattr(value, "unwrap") else value


def _whole(value: Any) -> Any:
    """A whole number as an integer: a number box gives 30.0 for 30, which the file, the audit trail
    and the 'Saved' line would otherwise show (every number setting loads through int() or float())."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def update(path: str | os.PathLike, changes: dict[tuple[str, str], Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Set `[table] key = value` for each change; returns (before, after) keyed "table.key".

    Raises isms.config.SettingsError, naming the problem, when the result would not load.
    """
    changes = {k: _whole(v) for k, v in changes.items()}
    path = Path(path)
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    doc = tomlkit.parse(text)
    before = current(path, list(changes))
    for (table, key), value in changes.items():
        if table not in doc:
            doc.add(table, tomlkit.table())
        doc[table][key] = value
    replace_file(path, tomlkit.dumps(doc), check=load_settings)
    after = {f"{t}.{k}": v for (t, k), v in changes.items()}
    return before, after

