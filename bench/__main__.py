"""Run every benchmark module (bench/bench_*.py) in name order, or those named on the command line.

Each module has `run() -> dict[str, object]`; its figures are printed as `name: value`. Figures
are ratios and times from one run on a shared machine: read them as such, never as assertions.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time

import bench


def _quiet_streamlit() -> None:
    """AppTest outside a server logs 'No runtime found' on every cache clear: noise in a report."""
    from streamlit.logger import get_logger, set_log_level

    set_log_level("error")
    get_logger("streamlit").setLevel("ERROR")


def main(argv: list[str]) -> int:
    _quiet_streamlit()
    names = sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_"))
    if argv:
        names = [n for n in names if any(a in n for a in argv)]
    for name in names:
        start = time.perf_counter()
        module = importlib.import_module(f"bench.{name}")
        print(f"# {name}", flush=True)
        for key, value in module.run().items():
            print(f"{key}: {value}", flush=True)
        print(f"# {name} took {time.perf_counter() - start:.1f} s", flush=True)
    return 0


raise SystemExit(main(sys.argv[1:]))
