"""Security Health: the monthly security monitoring meeting."""

import streamlit as st

from isms.charts import kri_status_trend
from isms.dates import add_months
from isms.views import security_health
from ui import params
from ui.auth import require
from ui.charts import show_chart
from ui.presentation import presentation_toggle
from ui.resources import cursor, settings, version
from ui.scorecard import kri_tiles

require("viewer", "Security Health")
cfg = settings()


@st.cache_data(show_spinner=False, max_entries=32)
def load(data_version: str, month, compare_month):
    with cursor() as cur:
        return security_health.build(cur, cfg, month, compare_month)


with cursor() as cur:
    months = security_health.months_with_results(cur)
if not months:
    st.title("Security Health")
    st.info("No monitoring results have been imported yet.")
    st.stop()

present = presentation_toggle(st.sidebar)
c1, c2 = (st.sidebar, st.sidebar) if present else st.columns([1, 1, 3])[:2]
month = params.select(c1, "Month", months, key="month", parse=params.parse_date, dump=lambda d: d.isoformat(),
                      format_func=lambda d: f"{d:%B %Y}")
earlier = [m for m in months if m < month] or [add_months(month, -1)]
compare_month = params.select(c2, "Compared with", earlier, key="compare_month", parse=params.parse_date,
                              dump=lambda d: d.isoformat(), format_func=lambda d: f"{d:%B %Y}")

data = load(version(), month, compare_month)
st.title(f"Security Health · {month:%B %Y}")
st.caption(f"Key risk indicators of {cfg.organisation} for {month:%B %Y}, with changes since {compare_month:%B %Y}.")
kri_tiles(data.scorecard)
show_chart(kri_status_trend(data.status_by_month, "KRI status, last 12 months"), key="kri_trend",
           name=f"kri-status-{month:%Y-%m}", presentation=present)
