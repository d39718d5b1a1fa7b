"""Page controls that live in the URL, so a link reproduces the view.

Each control reads its initial value from `st.query_params` (falling back to a default when the
parameter is absent or no longer valid) and writes the chosen value back.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Sequence

import streamlit as st

from ui.scorecard import literal

# how every date picker shows its date: ISO 8601, which no reader takes for another day (the
# widget offers only numeric forms; Streamlit's own default reads "2026/12/04")
DATE_FORMAT = "YYYY-MM-DD"


def _seed(key: str, options: Sequence[Any], default: Any, parse: Callable[[str], Any]) -> str | None:
    """Put the link's value (else `default`) in the session; return the link's text when it was
    not used (not a choice this page offers), so the page can say so."""
    if key in st.session_state and st.session_state[key] in options:
        return None
    raw = st.query_params.get(key)
    value = default
    unused = None
    if raw is not None:
        try:
            parsed = parse(raw)
        except ValueError:
            parsed = None
        if parsed in options:
            value = parsed
        elif raw != _written().get(key):  # the page's own earlier value, gone from the options, is no link's
            unused = raw
    st.session_state[key] = value
    return unused


def _written() -> dict:
    """The values this session wrote to the URL, per key: what a link did not ask for."""
    return st.session_state.setdefault("_params_written", {})


def _say_unused(label: str, asked: list[str], instead: str) -> None:
    """A link whose value is not among the choices (a date with no review, an owner who has
    left) is not followed silently: a chair reading another date's figures than the link named
    would take them for that date's."""
    values = ", ".join(f"'{literal(v)}'" for v in asked)  # a link's text is shown, never rendered as Markdown
    st.warning(f"The link asks for {label} {values}, which is not among this page's choices; {instead}.",
               icon=":material/link_off:")


def select(container, label: str, options: Sequence[Any], *, key: str, default: Any = None,
           parse: Callable[[str], Any] = str, dump: Callable[[Any], str] = str, **kwargs) -> Any:
    """A selectbox bound to query parameter `key`."""
    options = list(options)
    if not options:
        return None
    unused = _seed(key, options, default if default in options else options[0], parse)
    value = container.selectbox(label, options, key=key, **kwargs)
    _written()[key] = dump(value)
    if unused is not None:
        _say_unused(label, [unused], f"the page shows {literal(str(kwargs.get('format_func', str)(value)))}")
    st.query_params[key] = dump(value)
    return value


def multiselect(container, label: str, options: Sequence[Any], *, key: str, **kwargs) -> list[Any]:
    """A multiselect bound to query parameter `key` (repeated values: ?owner=a&owner=b)."""
    options = list(options)
    if key not in st.session_state:
        asked = st.query_params.get_all(key)
        st.session_state[key] = [v for v in asked if v in options]
        if unused := [v for v in asked if v not in options and v not in _written().get(key, [])]:
            _say_unused(label, unused, "the page leaves it out of the filter")
    else:
        st.session_state[key] = [v for v in st.session_state[key] if v in options]
    value = container.multiselect(label, options, key=key, **kwargs)
    _written()[key] = list(value)
    if value:
        st.query_params[key] = value
    elif key in st.query_params:
        del st.query_params[key]
    return value


def toggle(container, label: str, *, key: str, **kwargs) -> bool:
    if key not in st.session_state:
        st.session_state[key] = st.query_params.get(key) == "1"
    value = container.toggle(label, key=key, **kwargs)
    if value:
        st.query_params[key] = "1"
    elif key in st.query_params:
        del st.query_params[key]
    return value


def parse_date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def forget(key: str) -> None:
    """Drop a control's choice (session and URL), so it falls back to its default on the next run:
    a new meeting date compares with the date before it, not with the last comparison chosen."""
    st.session_state.pop(key, None)
    st.query_params.pop(key, None)
