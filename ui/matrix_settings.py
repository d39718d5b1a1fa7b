"""The risk matrix and appetite form, drawn on the Settings page and on the welcome before a first import.

One form in two places: levels depend on the matrix, so a new ISMS chooses it before its first
import, and an administrator may change it later. Saving goes through `isms.actions.change_settings`
(its role check and audit record) and makes every page read the new settings on its next run.
"""

from __future__ import annotations

import streamlit as st

from isms import actions
from isms.auth import User
from isms.config import Settings, SettingsError
from isms.matrix import PRESETS
from ui.resources import writing

_SAVED = "_isms_settings_saved"


def apply_settings(user: User, cfg: Settings, changes: dict) -> None:
    """Write and audit the changes (the settings file's new size and time make every process read
    it again, ui.resources.settings), clear the cached figures, then rerun so the
    whole page (the sidebar's matrix too) shows the new ones; the outcome is shown after the rerun."""
    try:
        with writing("a settings change") as cur:
            changed = actions.change_settings(cur, user, cfg, changes)
    except SettingsError as exc:
        st.error(f"Not saved; the settings file is unchanged: {exc}")
        return
    st.cache_data.clear()
    st.session_state[_SAVED] = ("Saved: " + "; ".join(f"{k} {v['before']!r} → {v['after']!r}" for k, v in changed.items())
                                if changed else "")
    st.rerun()


def show_saved() -> None:
    """The outcome of the last save in this session, once."""
    if _SAVED in st.session_state:
        message = st.session_state.pop(_SAVED)
        if message:
            st.success(message)
        else:
            st.info("Nothing changed.")


def level_bands(preset: str) -> str:
    """How a preset turns likelihood and impact into levels, in a line: the scores each level takes."""
    m = PRESETS[preset]
    scores: dict[str, list[int]] = {}
    for _, _, score, level, _, _ in m.cells():
        scores.setdefault(level, []).append(score)
    if m.method == "product":
        return ", ".join(f"{level} {min(scores[level])}-{max(scores[level])}" for level in m.levels if level in scores) + \
            f" (score = likelihood x impact, {m.steps_likelihood} x {m.steps_impact})"
    return ", ".join(m.levels) + f" (a {m.steps_likelihood} x {m.steps_impact} lookup grid)"


def matrix_form(user: User, cfg: Settings, *, key: str = "", organisation: str | None = None,
                stand_in: str = "") -> None:
    """The matrix, the appetite (and, on the welcome, the organisation's name, starting from
    `organisation`) with a Save button. `stand_in`: what the pages and packs say while the field is
    blank, said under it so nobody's packs go out unnamed unawares.
    `key` prefixes the widget keys, so the form can be drawn on more than one page."""
    changes: dict = {}
    if organisation is not None:
        name = st.text_input("Organisation", value=organisation, key=f"{key}organisation_name",
                             placeholder="Your organisation's name",
                             help="Shown in the sidebar and on every review pack.")
        if not name.strip() and stand_in:
            st.caption(f":orange[Not named yet: until you give your organisation's name, the sidebar and every "
                       f"pack say **{stand_in}**.]")
        changes[("organisation", "name")] = name.strip() or cfg.organisation
    names = list(PRESETS)
    preset = st.selectbox("Matrix", names, key=f"{key}matrix_preset",
                          index=names.index(cfg.matrix.name) if cfg.matrix.name in names else 0)
    st.caption(level_bands(preset))
    levels = list(PRESETS[preset].levels)
    appetite = st.selectbox("Appetite (the highest level acceptable without treatment)", levels,
                            key=f"{key}matrix_appetite",
                            index=levels.index(cfg.matrix.appetite) if cfg.matrix.appetite in levels else 0)
    changes |= {("matrix", "preset"): preset, ("matrix", "appetite"): appetite}
    if st.button("Save matrix", key=f"{key}save_matrix", type="primary"):
        apply_settings(user, cfg, changes)
