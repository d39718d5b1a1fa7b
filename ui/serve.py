"""Start the dashboard: `python -m ui.serve [streamlit run options]` is `streamlit run app.py` with
one difference. The page files live in pages/ (the project's shape), and Streamlit treats a pages/
folder beside the entry script as its older multipage mode until the entry script first calls
st.navigation: a fresh server's first visitor on a page's link (a bookmark, a link in the minutes)
was served that bare page file, without the frame (no navigation, no sign-in frame, narrow
layout), or shown "Page not found". The frame routes every page itself, so that mode is off from
the start (Streamlit's own switch for it, which st.navigation sets on its first call).
"""

from __future__ import annotations

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def main(argv: list[str]) -> int:
    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", APP, *argv]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
