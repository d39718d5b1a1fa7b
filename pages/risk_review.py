"""Risk Review: the quarterly risk posture meeting."""

import streamlit as st

from isms.charts import heatmap
from isms.views import risk_review
from ui import params
from ui.auth import require
from ui.charts import show_chart
from ui.presentation import presentation_toggle
from ui.resources import cursor, settings, version
from ui.scorecard import risk_tiles

require("viewer", "Risk Review")
cfg = settings()


@st.cache_data(show_spinner=False, max_entries=32)
def load(data_version: str, as_of, compare_to):
    with cursor() as cur:
        return risk_review.build(cur, cfg, as_of, compare_to)


with cursor() as cur:
    dates = risk_review.review_dates(cur)
if not dates:
    st.title("Risk Review")
    st.info("No risk register has been imported yet.")
    st.stop()

present = presentation_toggle(st.sidebar)
c1, c2 = (st.sidebar, st.sidebar) if present else st.columns([1, 1, 3])[:2]
as_of = params.select(c1, "As of (quarter end)", dates, key="as_of", parse=params.parse_date,
                      dump=lambda d: d.isoformat(), format_func=lambda d: d.isoformat())
earlier = [d for d in dates if d < as_of] or [risk_review.default_compare(as_of)]
compare_to = params.select(c2, "Compared with", earlier, key="compare_to", default=risk_review.default_compare(as_of),
                           parse=params.parse_date, dump=lambda d: d.isoformat(), format_func=lambda d: d.isoformat())

data = load(version(), as_of, compare_to)
st.title(f"Risk Review · {as_of:%d %B %Y}")
st.caption(f"Residual risk posture of {cfg.organisation} as of {as_of}, with changes since {compare_to}.")
risk_tiles(data.scorecard)
show_chart(heatmap(cfg.matrix, data.residual_cells, f"Residual risk heatmap, {as_of}"), key="heatmap",
           name=f"residual-heatmap-{as_of}", presentation=present)
