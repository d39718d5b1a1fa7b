"""Every chart of a pack as PNG and SVG in one zip, for people who build their own slides."""

from __future__ import annotations

import io
import re
import zipfile

from isms import images
from isms.packs.model import Pack


def write_zip(pack: Pack) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, (title, figure) in enumerate(pack.figures, start=1):
            stem = f"{n:02d}-" + re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
            zf.writestr(f"{stem}.png", images.render(figure, "png", width=1500, height=700))
            zf.writestr(f"{stem}.svg", images.render(figure, "svg", width=1500, height=700))
    return buf.getvalue()
