"""AppTest: a first run on an empty database opens on the welcome, offers the matrix before the first
import, and looks around the sample in a database of its own; the admin export page."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tomllib

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from isms.config import load_settings
from isms.posture import scorecard
from isms.store import connect
from tests.conftest import ROOT
from ui.apptest import app_database, open_app

STEPS = ["Step 1: Choose your risk matrix and appetite", "Step 2: Get your register into a spreadsheet",
         "Step 3: Import it", "Step 4: See the Risk Review"]


@pytest.fixture
def empty_app(tmp_path, monkeypatch):
    """An empty database (as `init-db --empty` makes it) and a settings file of its own."""
    from isms import databases

    db = tmp_path / "acme.duckdb"
    databases.create_empty(db)
    config = tmp_path / "isms.toml"
    shutil.copy(ROOT / "isms.toml", config)
    monkeypatch.setenv("ISMS_CONFIG", str(config))
    with app_database(db):
        yield db, config


def links(at: AppTest) -> list[str]:
    return [p.proto.label for p in at.get("page_link")]


def events(db, action: str) -> list[dict]:
    con = connect(db)  # as the app opens it: DuckDB shares one database per file and configuration
    try:
        rows = con.execute("SELECT who, detail FROM audit_event WHERE action = ? ORDER BY event_id", [action]).fetchall()
    finally:
        con.close()
    return [{"who": w, **json.loads(d)} for w, d in rows]


def test_an_empty_database_opens_on_the_steps_not_on_empty_pages(empty_app):
    at = open_app()
    assert [t.value for t in at.title] == ["Welcome: your own ISMS in four steps"]
    assert [h.value for h in at.subheader] == STEPS
    assert not at.metric and not at.get("plotly_chart")
    assert not [i.value for i in at.info if "imported yet" in i.value]
    # the meeting pages are not linked while there is nothing to show; the way to import is
    assert links(at) == ["Import your register", "First steps", "Import", "Settings", "Audit trail"]
    assert at.get("download_button"), "the blank template is offered on the welcome"


def test_the_matrix_is_chosen_on_the_welcome_before_the_first_import(empty_app):
    db, config = empty_app
    at = open_app()
    at.text_input(key="welcome_organisation_name").set_value("Acme Ltd")
    at.selectbox(key="welcome_matrix_preset").set_value("4x4").run()
    assert at.selectbox(key="welcome_matrix_appetite").options == ["Low", "Medium", "High", "Critical"]
    at.selectbox(key="welcome_matrix_appetite").set_value("High").run()
    at.button(key="welcome_save_matrix").click().run()
    assert not at.exception, [e.message for e in at.exception]
    saved = tomllib.loads(config.read_text())
    assert saved["matrix"] == {"preset": "4x4", "appetite": "High"}
    assert saved["organisation"]["name"] == "Acme Ltd"
    assert any("matrix.preset '5x5' → '4x4'" in s.value for s in at.success)
    changes = events(db, "settings-changed")
    assert len(changes) == 1 and changes[0]["changes"]["matrix.appetite"] == {"before": "Medium", "after": "High"}


def test_the_welcome_asks_for_the_name_while_the_settings_give_the_samples(empty_app):
    """The shipped isms.toml names the embedded sample's organisation; an adopter's empty database
    starts with the field blank and a line saying what stands for it ('Your organisation'), not
    with Northwind's name filled in to go out on their sidebar and packs."""
    _, config = empty_app
    assert 'name = "Northwind Cloud Infrastructure"' in config.read_text()  # the shipped file, copied
    at = open_app()
    assert at.text_input(key="welcome_organisation_name").value == ""
    said = [c.value for c in at.caption if "Not named yet" in c.value]
    assert len(said) == 1 and "every pack say **Your organisation**" in said[0]
    # and the sidebar says so, not the sample's name (isms.organisation)
    assert any(c.value.startswith("Your organisation · matrix") for c in at.sidebar.caption)
    at.text_input(key="welcome_organisation_name").set_value("Acme Ltd").run()
    assert not [c for c in at.caption if "Not named yet" in c.value]
    # a name of the adopter's own is shown as it is, and nothing is said
    config.write_text(config.read_text().replace("Northwind Cloud Infrastructure", "Acme Ltd"))
    at = open_app()
    assert at.text_input(key="welcome_organisation_name").value == "Acme Ltd"
    assert not [c for c in at.caption if "Not named yet" in c.value]


def test_a_viewer_sees_the_matrix_but_no_form_and_no_import_link(empty_app):
    _, config = empty_app
    config.write_text(config.read_text() + '\n[auth]\nmode = "oidc"\n\n[auth.emails]\n"eve@acme.example" = "viewer"\n')
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.user = {"is_logged_in": True, "email": "eve@acme.example", "name": "Eve"}
    at.run()
    assert not at.exception
    assert [h.value for h in at.subheader] == STEPS
    assert not [b for b in at.button if b.key == "welcome_save_matrix"]
    assert any("The risk matrix is **5x5**" in m.value for m in at.markdown)
    assert links(at) == ["First steps"]
    assert any("needs the analyst role" in c.value for c in at.caption)


def test_the_sample_opens_in_a_database_of_its_own(empty_app, sample_con):
    db, _ = empty_app
    at = open_app()
    at.button(key="welcome_sample").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value.startswith("Risk Review")
    expected = scorecard(sample_con, load_settings(ROOT / "isms.toml"), dt.date(2026, 9, 30))
    shown = {m.label: m.value for m in at.metric}
    for level, n in expected.current.residual_by_level.items():
        assert shown[f"{level} risks"] == str(n)
    assert (db.parent / "acme.sample.duckdb").exists()
    loaded = events(db, "sample-loaded")
    assert len(loaded) == 1 and loaded[0]["database"] == str(db.parent / "acme.sample.duckdb")
    con = connect(db)
    try:
        assert con.execute("SELECT count(*) FROM import_batch").fetchone()[0] == 0, "nothing of the sample is in the ISMS"
    finally:
        con.close()


def test_while_looking_at_the_sample_the_sidebar_says_so(empty_app, sample_db_path):
    db, _ = empty_app
    shutil.copy(sample_db_path, db.parent / "acme.sample.duckdb")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["_isms_viewing_sample"] = True
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("sample ISMS" in i.value for i in at.sidebar.info)
    # the landing page once there is data: the Forum, which links the Management review
    assert at.title[0].value == "Forum"
    assert links(at) == ["Management review (clause 9.3): the inputs for a year",
                         "Risk Review", "Security Health", "Compliance Review", "Forum", "Management review"]
    assert at.sidebar.button(key="leave_sample").label == "Back to your own ISMS"  # followed in the browser journey


def test_the_sample_keeps_its_own_name_after_the_adopter_names_theirs(empty_app, sample_db_path):
    """Pages and packs of the sample say Northwind's name, never the adopter's: the sample's
    figures must not go out under Acme's name."""
    db, config = empty_app
    config.write_text(config.read_text().replace("Northwind Cloud Infrastructure", "Acme Ltd"))
    shutil.copy(sample_db_path, db.parent / "acme.sample.duckdb")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.session_state["_isms_viewing_sample"] = True
    at.switch_page("pages/risk_review.py").run()
    assert not at.exception, [e.message for e in at.exception]
    shown = [c.value for c in [*at.caption, *at.sidebar.caption]]
    assert any("Northwind Cloud Infrastructure" in c for c in shown) and not any("Acme" in c for c in shown)
    at = open_app()  # the adopter's own ISMS, in a session not looking at the sample: their name
    assert any("Acme Ltd" in c.value for c in at.sidebar.caption), [c.value for c in at.sidebar.caption]


def test_a_missing_database_names_both_ways_to_start(tmp_path):
    with app_database(tmp_path / "nowhere.duckdb"):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.run()
    text = at.error[0].value
    assert "python -m isms init-db --empty" in text and "`python -m isms init-db`" in text
    assert not (tmp_path / "nowhere.duckdb").exists()


def test_the_export_page_offers_the_download_to_admins(sample_db_copy):
    with app_database(sample_db_copy):
        at = open_app("pages/export.py")
        assert [t.value for t in at.title] == ["Export"]
        # the latest day a fact describes: the sample forum's last action change (20 Nov), after the
        # latest import's date (31 Oct)
        assert at.date_input(key="export_as_of").value == dt.date(2026, 11, 20)
        assert at.radio(key="export_format").value == "parquet" and len(at.radio(key="export_format").options) == 3
        assert at.get("download_button")
