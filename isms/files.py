"""Replacing a settings or users file all at once: a crash mid-write, or a new text that fails its
check, leaves the old file exactly as it was."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable


def replace_file(path: Path, text: str, *, mode: int | None = None,
                 check: Callable[[str], object] | None = None) -> None:
    """Write `text` beside `path`, run `check` on the new file (it raises to refuse it), give it
    `mode` (default: the old file's), then rename it over `path` in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        if check is not None:
            check(tmp)
        if mode is None and path.exists():
            mode = path.stat().st_mode & 0o777
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
