"""ISMS risk-posture dashboard: the domain package.

Everything here runs without Streamlit, so the CLI, the review packs and the tests compute
exactly the figures that the pages show.
"""

__version__ = "0.1.0"
