"""Static chart images (PNG, SVG, PDF) from plotly figures, through one kaleido server.

Kaleido 1.x drives a Chromium. Starting a browser per image costs about two seconds; one
persistent server per process brings a warm render to a fraction of that, so pages, packs and
the CLI all render through `render`. Kaleido downloads no browser here: Debian's chromium is
found on PATH or through BROWSER_PATH.
"""

from __future__ import annotations

import atexit
import os
import shutil
import threading
import warnings

import plotly.graph_objects as go

_lock = threading.Lock()
_started = False

CHROMIUM_HINT = "install Debian's chromium (apt-get install -y chromium, or `make system-deps` as root)"


class ImageUnavailable(RuntimeError):
    """No browser to render with; the message says what to install."""


def chromium_path() -> str | None:
    for candidate in (os.environ.get("BROWSER_PATH"), shutil.which("chromium"), shutil.which("chromium-browser"),
                      "/usr/bin/chromium"):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


def available() -> bool:
    return chromium_path() is not None


def _ensure_server() -> None:
    global _started
    if _started:
        return
    path = chromium_path()
    if path is None:
        raise ImageUnavailable(f"chart images need a Chromium: {CHROMIUM_HINT}")
    os.environ.setdefault("BROWSER_PATH", path)
    import kaleido

    kaleido.start_sync_server(mathjax=False, n=1, timeout=90, silence_warnings=True)
    atexit.register(_stop)
    _started = True


def _stop() -> None:
    global _started
    if _started:
        import kaleido

        try:
            kaleido.stop_sync_server(silence_warnings=True)
        except OSError:
            # at exit chromium may still be writing its throwaway profile while kaleido removes it
            # ("Directory not empty: 'Default'"); the images are long written, so nothing is lost
            pass
        finally:
            _started = False


def render(fig: go.Figure, fmt: str = "png", width: int = 1200, height: int | None = None, scale: float = 2) -> bytes:
    """Bytes of the figure as `fmt` (png, svg, pdf); one render at a time per process.

    Pages leave little margin because Streamlit's theme makes room for the axes; a static image
    has no such theme, so the axes get room of their own here.
    """
    height = height or int(fig.layout.height or 500)
    fig = go.Figure(fig)
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    margin = fig.layout.margin
    fig.update_layout(margin=dict(l=max(margin.l or 0, 70), r=max(margin.r or 0, 30), t=max(margin.t or 0, 60),
                                  b=max(margin.b or 0, 60)))
    with _lock:
        _ensure_server()
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="The kopts argument is ignored")
            return fig.to_image(format=fmt, width=width, height=height, scale=scale if fmt == "png" else 1)
