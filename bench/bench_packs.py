"""Review pack build time on the large ISMS against the cost of its chart images.

pack_ratio = pack time / (images x warm single-image time + 2 s): near 1 means the pack costs
little beyond rendering its images through the one persistent kaleido server.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path

import plotly.graph_objects as go

from bench.large import build_large_db
from isms import images
from isms.config import load_settings
from isms.packs.build import render_pack
from isms.packs.content import build_pack
from isms.store import connect

AS_OF, COMPARE = dt.date(2026, 9, 30), dt.date(2026, 6, 30)


def run() -> dict[str, object]:
    if not images.available():
        return {"pack_ratio": f"not measured: {images.CHROMIUM_HINT}"}
    with tempfile.TemporaryDirectory() as tmp:
        db = build_large_db(Path(tmp) / "large.duckdb", risks=10_000, quarters=20, kris=500, months=60)
        settings = load_settings(db_path=str(db))
        con = connect(db, read_only=True)
        images.render(go.Figure(), "png")  # start the server: the warm cost is what is compared
        start = time.perf_counter()
        pack = build_pack(con, settings, "risk-review", AS_OF, COMPARE)
        content_s = time.perf_counter() - start
        files = [render_pack(pack, fmt) for fmt in ("pptx", "pdf", "zip")]
        pack_s = time.perf_counter() - start
        n_images = sum(f.images_rendered for f in files)
        chart = pack.charts[0].figure
        t = time.perf_counter()
        images.render(chart, "png", width=1500, height=700)
        single_s = time.perf_counter() - t
        con.close()
    return {
        "pack_large_content_s": round(content_s, 3),
        "pack_large_s": round(pack_s, 3),
        "pack_images": n_images,
        "pack_single_image_s": round(single_s, 3),
        "pack_ratio": round(pack_s / (n_images * single_s + 2.0), 2),
    }
