"""Risk Review: the quarterly risk posture meeting."""

import streamlit as st

from isms.charts import heatmap
from isms.views import risk_review
from ui.resources import cursor, settings, version
from ui.scorecard import risk_tiles

cfg = settings()


@st.cache_data(show_spinner=False, max_entries=32)
def load(data_version: str, as_of, compare_to):
    with cursor() as cur:
        return risk_review.build(cur, cfg, as_of, compare_to)


with cursor() as cur:
    dates = risk_review.review_dates(cur)
st.title("Risk Review")
if not dates:
    st.info("No risk register has been imported yet.")
    st.stop()

c1, c2, _ = st.columns([1, 1, 3])
as_of = c1.selectbox("As of (quarter end)", dates, key="as_of", format_func=lambda d: d.isoformat())
compare_to = c2.selectbox(
    "Compared with", [d for d in dates if d < as_of] or [risk_review.default_compare(as_of)],
    key="compare_to", format_func=lambda d: d.isoformat(),
)

data = load(version(), as_of, compare_to)
st.caption(f"Residual risk posture of {cfg.organisation} as of {as_of}, with changes since {compare_to}.")
risk_tiles(data.scorecard)
st.plotly_chart(heatmap(cfg.matrix, data.residual_cells, f"Residual risk heatmap, {as_of}"), key="heatmap")
