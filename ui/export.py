"""The export panel: a date, a format, and the zip built only when its download is clicked."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from isms import actions
from isms.auth import User
from isms.data_export import FORMATS, export_zip, zip_name
from ui.params import DATE_FORMAT
from ui.resources import settings, store

LABELS = {
    "parquet": "Parquet: one file per table, types kept (Power BI, Tableau, DuckDB, a data warehouse)",
    "csv": "CSV: one file per table, UTF-8",
    "xlsx": "XLSX: import-template workbooks, one per date, that another dashboard imports as they are",
}


def _builder(user: User, as_of: dt.date, fmt: str):
    """Built on Streamlit's download thread when clicked, with a cursor of its own; audited."""
    own, cfg = store(), settings()

    def build() -> bytes:
        with own.read() as cur:
            data = export_zip(cur, cfg, as_of, fmt)
        with own.write("recording an export download") as trail:
            actions.record_export(trail, user, as_of, fmt, zip_name(as_of, fmt))
        return data

    return build


def export_panel(user: User, default: dt.date) -> None:
    c1, c2 = st.columns([1, 3])
    as_of = c1.date_input("As of", format=DATE_FORMAT, value=default, key="export_as_of",
                          help="The registers as they stood on this date, and every event up to it.")
    fmt = c2.radio("Format", FORMATS, format_func=LABELS.get, key="export_format")
    st.download_button("Download the export (zip)", data=_builder(user, as_of, fmt), file_name=zip_name(as_of, fmt),
                       mime="application/zip", on_click="ignore", key="export_download", icon=":material/download:",
                       type="primary")
    st.caption("The zip holds a README with the schema of every table and how to load it. The download is recorded "
               "in the audit trail.")
