"""Rendering the Import page: how the file was understood, its problems, what it is, the preview,
Commit, the history with undo, and the template.

Only presentation and the page's own state (widget keys that belong to the file on screen, the
cached analysis) live here; every figure and every write comes from `isms.views.import_data` and
`isms.actions`.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import streamlit as st

from isms import actions
from isms.auth import Refused, may_undo
from isms.dates import short_date
from isms.decision_effects import SOURCE as FORUM_SOURCE
from isms.importing.mapping import IGNORE, LONG
from isms.views import import_data as view
from ui.params import DATE_FORMAT
from ui.resources import cursor, settings, version, writing
from ui.scorecard import literal
from ui.tables import listing, readable, text


@st.cache_data(show_spinner=False)
def _template() -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        return view.blank_template(settings(), Path(tmp))


def _checked(name: str, result: view.Analysis) -> str:
    return f"Checked {name}: {_count(result.n_errors, 'error')}, {_count(result.n_warnings, 'warning')}"


def _count(n: int, thing: str) -> str:
    return f"{n:,} {thing}" + ("" if n == 1 else "s")


def _analysis(data: bytes, name: str, as_of, mappings, profile) -> view.Analysis:
    """Re-run the pipeline only when the file (its bytes or name), date, mapping or database
    changed; read the file again only when it is another file (view.analyse's `earlier`)."""
    key = (hashlib.sha256(data).hexdigest(), name, as_of, repr(mappings), profile, version())
    cached = st.session_state.get("_import_analysis")
    if cached and cached[0] == key:
        result = cached[1]
        st.status(_checked(name, result), state="error" if result.n_errors else "complete", expanded=False)
        return result
    with st.status("Reading and checking the file…", expanded=False) as status:
        bar = st.progress(0.0, text="Reading the file")
        with cursor() as cur:
            result = view.analyse(cur, settings(), data, name, as_of=as_of, mappings=mappings, profile=profile,
                                  progress=lambda f, text: bar.progress(min(1.0, f), text=text),
                                  earlier=cached[1] if cached else None)
        bar.progress(1.0, text="Done")
        status.update(label=_checked(name, result), state="error" if result.n_errors else "complete")
    st.session_state["_import_analysis"] = (key, result)
    return result


def _key(name: str) -> str:
    """A widget key that belongs to the file on screen.

    Keys shared between files let the browser send the previous file's choices with the next
    interaction (seen under load: sheet 1's kind from the last file applied to a new file's
    first sheet); a new file gets new widgets instead, and Streamlit drops the old ones.
    """
    return f"{name}@{st.session_state['_import_sha'][:16]}"


def _mapping_editors(a: view.Analysis) -> list:
    st.subheader("1. How the file was understood")
    st.caption("Each sheet's kind and columns were detected from its headers. Change anything that is wrong; "
               "the problems and the preview below follow.")
    chosen = []
    for i, m in enumerate(a.plan.mappings):
        rows = a.plan.sheets.get(m.sheet, [])
        label = f"Sheet **{m.sheet}**: {view.KIND_LABELS[m.kind]}"
        filled = view.has_rows(m, rows)
        if m.kind != IGNORE and not filled:
            label += ", headers only: changes nothing"
        elif m.kind != IGNORE:
            label += f", headers on row {m.header_row + 1}, {len(m.columns) or 'wide'} columns mapped"
        with st.expander(label, expanded=m.kind != IGNORE and filled):
            c1, c2 = st.columns([2, 1])
            kind = c1.selectbox("Kind of sheet", view.KIND_CHOICES, index=view.KIND_CHOICES.index(m.kind),
                                format_func=view.KIND_LABELS.get, key=_key(f"kind_{i}"))
            header_row = c2.number_input("Header row", min_value=1, max_value=max(1, len(rows)),
                                         value=m.header_row + 1, key=_key(f"header_{i}"))
            new = view.remap(m, rows, kind=kind, header_row=int(header_row) - 1)
            if new.kind != IGNORE and new.layout != LONG:
                st.caption(f"Monitoring results, one {new.layout.removeprefix('row per ')} per row: "
                           "each other column is read as one indicator's value for that period.")
            elif new.kind != IGNORE:
                headers = [h for h in new.headers(rows) if h]
                edited = st.data_editor(
                    view.mapping_table(new), hide_index=True, width="stretch", disabled=["field"], placeholder="–",
                    column_config={"field": st.column_config.TextColumn("Field"),
                                   # the blank choice named: un-mapping a column was picking an unlabelled
                                   # blank line at the top of the list
                                   "column in the file": st.column_config.SelectboxColumn(
                                       "Column in the file", options=["", *headers], format_func=_or_none,
                                       help="The file's column each field is read from; '(not imported)' leaves "
                                            "the field out (a findings sheet's grade or framework can then be "
                                            "chosen for every row below)")},
                    key=_key(f"columns_{i}_{new.kind}_{new.header_row}"))
                new = view.with_columns(new, edited)
                new = _one_values(new, i, a.frameworks)
                ignored = new.ignored_headers(rows)
                if ignored:
                    st.caption("Not imported: " + ", ".join(ignored))
            chosen.append(new)
    return chosen


def _or_none(header) -> str:
    return header or NOT_IMPORTED


NOT_IMPORTED = "(not imported)"


def _one_values(m, i: int, frameworks: list[str]):
    """A findings sheet with no grade column (a POA&M, a CAPA tracker): the analyst may give all its
    rows one audit grade here, rather than add a column to the file. Never guessed from the sheet's
    own rating: a POA&M's High is not an auditor's major nonconformity. Likewise one framework for a
    sheet with none (a POA&M's controls are its system's baseline's), which the Compliance review
    counts its findings under."""
    if m.kind != "findings":
        return m
    fixed = {}
    if "grade" not in m.columns:
        grade = st.selectbox("Grade of every finding in this sheet (the file has no grade column)",
                             ["", *view.FINDING_GRADES], key=_key(f"grade_{i}"), format_func=lambda g: g or "–",
                             help="A POA&M or remediation tracker rates its weaknesses (High, Moderate, Low), which "
                                  "is not an audit grade. Choose the grade these findings carry in the Compliance "
                                  "review, or add a Grade column to the file.")
        fixed |= {"grade": grade} if grade else {}
    if "framework" not in m.columns and frameworks:
        framework = st.selectbox("Framework of every finding in this sheet (the file has no framework column)",
                                 ["", *frameworks], key=_key(f"framework_{i}"), format_func=lambda f: f or "–",
                                 help="The Compliance review counts open findings per framework: a POA&M's controls "
                                      "(AC-2, SI-2) are its system's NIST SP 800-53 or FedRAMP baseline. Without "
                                      "one, the findings count under no framework.")
        fixed |= {"framework": framework} if framework else {}
    return view.with_fixed(m, fixed)


# up to this many problems are listed as sentences, each whole; more go in a grid that sorts and
# scrolls (its rows wrap a message at six lines: a long one's end, often its advice, was cut)
FEW_PROBLEMS = 12
# up to this many are all listed as sentences in a box that scrolls (a grid cuts a sentence at its
# column's edge: the grid does not wrap, however tall its rows); more are the sortable grid, which a
# file with thousands of bad cells needs, after the first of them as sentences
LISTED_PROBLEMS = 300


def _problem_list(problems, height: int | str = "content") -> None:
    """Each problem on its own line: the severity, where (sheet!cell, the column's header, the
    value in it), then the whole sentence. `height`: a box of that height that scrolls."""
    with st.container(border=True, key="problem_list", height=height):
        for r in problems.itertuples():
            place = "!".join(str(x) for x in (r.sheet, r.cell) if _given(x))
            column = f" ({r.column})" if _given(r.column) and r.column != r.cell else ""
            value = f" '{r.value}'" if _given(r.value) else ""
            badge = ":red-badge[Error]" if r.severity == "error" else ":orange-badge[Warning]"
            st.markdown(f"{badge} **{literal(place + column)}**{literal(value)}: {literal(r.problem)}")


def _given(x) -> bool:
    """A cell of the problems frame that says something (the frame holds None and NaN for nothing)."""
    return x is not None and not (isinstance(x, float) and x != x) and x != ""


def _problems(a: view.Analysis, file_name: str) -> None:
    st.subheader("2. Problems")
    if a.n_errors:
        # a marked copy exists only where problems sit at cells or rows; a file-wide refusal (no sheet
        # of a known kind, a missing column) said "the copy below" above a list with no copy under it
        where = "the copy below marks each cell" if a.marked else "the list below says where"
        st.error(f"{_n(a.n_errors, 'error')} {'stops' if a.n_errors == 1 else 'stop'} this import; "
                 f"{_n(a.n_warnings, 'warning')}. Fix them in your file ({where}) or in the mapping above.")
    elif a.n_warnings:
        st.warning(f"No errors; {_n(a.n_warnings, 'warning')} to read before you commit.")
    else:
        st.success("No problems found.")
    if 0 < len(a.problems) <= FEW_PROBLEMS:
        _problem_list(a.problems)
    elif len(a.problems):
        _problem_list(a.problems.head(LISTED_PROBLEMS), height=520)
        if len(a.problems) > LISTED_PROBLEMS:
            st.caption(f"The first {LISTED_PROBLEMS:,} of {len(a.problems):,} problems; every one is in the table "
                       "below (sort by a column to group them)" + (" and in the marked copy." if a.marked else "."))
    if len(a.problems) > LISTED_PROBLEMS:
        # every problem, to sort and scroll; the sentences above are what the analyst reads
        st.dataframe(a.problems, hide_index=True, width="stretch", key="problems", placeholder="–",
                     column_config={"problem": st.column_config.TextColumn(width="large")})
    if a.marked:  # built when clicked: marking a long workbook takes a while, and few ask for it
        st.download_button("Download your workbook with each problem marked", a.marked,
                           file_name=f"{Path(file_name).stem}-problems.xlsx", key="annotated",
                           help="A copy of your file with each problem's cell filled and its reason in a comment, and a "
                                "sheet listing them all. Formulas are copied as their values: fix your own workbook "
                                "where it holds formulas.",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _what_the_file_is(a: view.Analysis) -> view.RegisterChoice | None:
    """Whole register or part of it, asked when a whole file would retire rows; the scope is the
    file's business unit column, else the one typed here."""
    typed = ""
    if "risks" in a.plan.frames and view.detected_scope(a.plan) is None:
        typed = st.text_input("Business unit this file is for (optional)", key=_key("scope"),
                              help="Fills the business unit of the risks that name none; a whole file then replaces "
                                   "only that unit's risks. 'owner=NAME' scopes by risk owner instead.")
    said = st.session_state.get(_key(f"register_mode_{a.plan.as_of}"))
    try:
        with cursor() as cur:
            choice = view.choose(cur, a.plan, view.MODE_BY_LABEL[said] if said else None, typed)
    except ValueError as exc:
        st.error(str(exc))
        return None
    if choice.detected:
        st.caption(f"This file is for {choice.detected.describe()} (its business unit column): as the whole "
                   "register it replaces only their risks; the other units' stay.")
    if choice.asks:
        labels = [view.WHOLE_LABEL, view.PART_LABEL]
        st.radio("This file is", labels, horizontal=True, key=_key(f"register_mode_{a.plan.as_of}"),
                 index=labels.index(view.LABEL_BY_MODE[choice.mode]),
                 help="Part of the register (a team's file, say): the rows it lists are added or updated and every "
                      "other row stays; a row leaves only by its status, such as Closed.")
        if not said and choice.mostly_leaving:
            st.caption(view.proposed_part(choice))
    return choice


def _n(n: int, word: str) -> str:
    """'1 warning', '2 warnings': counts on the page read as sentences."""
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _preview(a: view.Analysis, plan) -> dict[str, int]:
    """Show what the import would do; return what it would retire from a register, by kind."""
    p = plan.preview
    st.subheader(f"3. What the import would do, as of {a.plan.as_of}")
    if p is None:
        st.info("Nothing to preview until the file can be read as at least one kind of sheet.")
        return {}
    st.dataframe(p.table().assign(kind=lambda t: t["kind"].map(view.KIND_LABELS)), hide_index=True, key="preview")
    # by kind, counted in words by view.counted ('2 risks', '87 SoA lines')
    dropped = {k: len(kp.no_longer_listed) for k, kp in p.kinds.items() if kp.no_longer_listed}
    kept = {k: len(kp.kept) for k, kp in p.kinds.items() if kp.kept}
    if kept:
        # '1 finding not in the file stays as it is', '3 risks ... stay as they are'
        one = sum(kept.values()) == 1
        st.info(", ".join(view.counted(kind, n) for kind, n in kept.items())
                + (" not in the file stays as it is" if one else " not in the file stay as they are")
                + ("" if dropped else "; nothing leaves the register") + ". "
                + view.leaves_by([k for k, kp in p.kinds.items() if kp.kept]), icon=":material/merge:")
    if p.later_note:
        st.warning(p.later_note[0].upper() + p.later_note[1:] + ".", icon=":material/history:")
    if p.stranded_note:
        st.info(p.stranded_note[0].upper() + p.stranded_note[1:] + ".", icon=":material/link_off:")
    if plan.rating_moves:
        shown = plan.rating_moves[:10]
        more = f" and {len(plan.rating_moves) - 10:,} more" if len(plan.rating_moves) > 10 else ""
        st.info(f"{view.counted('risks', len(plan.rating_moves))} change residual level against the register: "
                + "; ".join(shown) + more + ".", icon=":material/swap_vert:")
    for rule in plan.rules[len(a.plan.rules):]:  # what comparing with the register adds (dates kept)
        st.caption(rule)
    if dropped:
        st.warning(
            f"A register in this file is the whole register as of {a.plan.as_of}: committing it means "
            + ", ".join(f"{view.counted(kind, n)} no longer listed" for kind, n in dropped.items())
            + " from that date on (earlier dates keep them). Import the full register, or choose another date, "
              "if that is not what you mean.", icon=":material/warning:")
    for kind, kp in p.kinds.items():
        if note := view.retitled_note(kp):
            st.warning(note, icon=":material/tag:")
        if kp.changed or kp.no_longer_listed:
            with st.expander(f"{view.KIND_LABELS[kind]}: {len(kp.changed)} changed, "
                             f"{len(kp.no_longer_listed)} no longer listed"):
                for line in view.change_lines(kp)[:200]:
                    st.markdown(f"- {line}")
                if kp.no_longer_listed:
                    st.markdown("No longer listed: " + ", ".join(kp.no_longer_listed[:200]))
    return dropped


def import_flow(upload, user) -> None:
    """The file on screen: read, understood, its problems, what it is, the preview, Commit."""
    data = upload.getvalue()
    sha = hashlib.sha256(data).hexdigest()
    if st.session_state.get("_import_sha") != sha:
        # a new file: its widgets are new (see _key), so no choice or confirmation carries over
        st.session_state["_import_sha"] = sha
        st.session_state["_import_mappings"] = None
    c1, c2 = st.columns(2)
    as_of = c1.date_input("As of (the date the file describes)", format=DATE_FORMAT, value=None, key="import_as_of",
                          help="Empty: the date in the file's About sheet, else today.")
    profile = st.session_state.get(_key("import_profile"))
    a = _analysis(data, upload.name, as_of, st.session_state["_import_mappings"],
                  profile if profile and profile != "(proposed)" else None)
    if as_of is None and a.plan.as_of is not None:  # the empty box showed 'yyyy-mm-dd' while a date was in use
        c1.caption(f"Dated {short_date(a.plan.as_of)}: "
                   + ("the date the file gives" if a.plan.as_of_from_file else "today, as the file gives no date")
                   + "; choose another above.")
    if not a.readable:
        for p in a.plan.problems:
            st.error(f"{upload.name} cannot be imported: {p.message}. The database is unchanged.")
        return
    if a.profiles:
        c2.selectbox("Saved mapping for files of this shape", ["(proposed)", *a.profiles], key=_key("import_profile"))
    chosen = _mapping_editors(a)
    if chosen != a.plan.mappings:
        st.session_state["_import_mappings"] = chosen
        st.rerun()
    confirmed = True
    if a.plan.rules:
        st.markdown("**Rules this import applies**")
        st.markdown("\n".join(f"- {r}" for r in a.plan.rules))
        confirmed = st.checkbox("I have checked the mapping and these rules", key=_key("confirm_rules"))
    with st.popover("Save this mapping for files of the same shape"):
        name = st.text_input("Name of the mapping", key="profile_name")
        if st.button("Save mapping", key="save_profile", disabled=not name.strip()):
            try:
                view.save_mapping(settings(), name, a.plan)
                st.success(f"Saved as {name!r}; offered again for files with these headers, and usable as "
                           f"`python -m isms import FILE --mapping {name}`.")
            except ValueError as exc:
                st.error(str(exc))
    _problems(a, upload.name)
    choice = _what_the_file_is(a) if a.plan.preview is not None else None
    plan = choice.plan if choice else a.plan
    dropped = _preview(a, plan)
    retire = True
    if dropped and a.plan.ok:
        # a half-filled register would otherwise retire the rest with one click
        retire = st.checkbox(f"Yes: from {a.plan.as_of} these are no longer in the register ("
                             + ", ".join(view.counted(kind, n) for kind, n in dropped.items()) + ")",
                             key=_key(f"confirm_dropped_{a.plan.as_of}_{choice.scope if choice else ''}"))
    with cursor() as cur:
        existing = view.already_imported(cur, plan)
    if existing is not None:
        st.info(f"This file was already imported for {a.plan.as_of} as batch {existing}: committing it again "
                "changes nothing.")
    ready = a.plan.ok and bool(a.plan.frames) and confirmed and retire and (choice is not None or a.plan.preview is None)
    if st.button("Commit", type="primary", disabled=not ready, key="commit"):
        with writing("an import on the Import page") as cur:
            out = actions.commit_import(cur, user, plan)
        st.cache_data.clear()
        st.session_state["_import_message"] = (out.status, out.batch_id, out.file_name, out.row_counts)
        st.rerun()
    if not ready:
        why = ("errors above" if not a.plan.ok else "nothing to import" if not a.plan.frames
               else "the rules wait for your confirmation" if not confirmed
               else "the rows no longer listed wait for your confirmation")
        st.caption(f"Commit is available once nothing stops it ({why}).")


def show_last_outcome() -> None:
    """What the last Commit or Undo did, said once after the rerun it started."""
    message = st.session_state.pop("_import_message", None)
    if message:
        status, batch, name, counts = message
        text = view.rows_said(counts)
        if status == "committed":
            st.success(f"Committed {name} as batch {batch}: {text}.")
        elif status == "undone":
            st.success(f"Batch {batch} ({name}) is undone: the dashboard no longer counts it; the history keeps it.")
        elif status == "unchanged":
            st.info(f"{name} was already imported as batch {batch}; nothing changed.")
        else:
            st.error(f"{name} was {status}; the database is unchanged.")


HISTORY_COLUMNS = {
    "batch": st.column_config.NumberColumn("batch", width=44), "imported at": text("imported at", 92),
    "by": text("by", 92), "file": text("file", 130), "sha256": text("sha256", 90), "as of": text("as of", 92),
    "source": text("source", 70), "file is": text("file is", 92), "rows": text("rows", 112),
    "undone": text("undone", 70),
}


def show_history(user) -> None:
    """Every batch, newest first; the latest active one can be undone by its analyst or an admin."""
    with cursor() as cur:
        batches = view.history(cur)
    # every column on screen at 1280 px (ui.tables): the time under its day, a long file name and the
    # rows wrapped, where at its own widths the list ran 1,380 px wide and 'file is' was cut off
    shown = batches.assign(**{"imported at": batches["imported at"].map(
        lambda t: f"{t:%Y-%m-%d %H:%M}" if hasattr(t, "strftime") else t)})
    listing(readable(shown), HISTORY_COLUMNS, key="history")
    # a forum decision's register change is listed (it is a batch) but is no import to undo
    active = batches[(batches["undone"] == "") & (batches["source"] != FORUM_SOURCE)]
    if not active.empty and may_undo(user, active["by"].iloc[0]):
        latest = int(active["batch"].iloc[0])
        # keyed by the batch: a tick given for one batch never stands for the next one
        sure = st.checkbox(f"Undo batch {latest} ({active['file'].iloc[0]})", key=f"undo_confirm_{latest}")
        if st.button("Undo the latest import", disabled=not sure, key="undo"):
            try:
                with writing("an undo on the Import page") as cur:
                    undone = actions.undo_latest_import(cur, user)
            except (Refused, ValueError) as exc:
                st.error(str(exc))
            else:
                st.cache_data.clear()
                st.session_state["_import_message"] = ("undone", undone, active["file"].iloc[0], {})
                st.rerun()
    elif not active.empty:
        st.caption(f"The latest batch was imported by {active['by'].iloc[0]}: only they or an administrator may undo it.")


def show_templates() -> None:
    """The blank template, the layout a file needs no mapping in."""
    st.markdown("A blank workbook with one sheet per kind and dropdowns for levels, decisions and statuses; "
                "the Instructions sheet says what each column takes. Fill in only the sheets you have: "
                "a sheet left empty changes nothing.")
    st.download_button("Download the blank template", _template(), file_name="isms-import-template.xlsx",
                       key="template", mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
