"""AppTest: each sign-in mode and role opens the pages it may, and is refused the others."""

from __future__ import annotations

import tomllib

import pytest
import streamlit as st
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from isms.auth import Role
from tests.access import PASSWORD, make_env
from tests.conftest import ROOT

VIEWS = ["pages/risk_review.py", "pages/security_health.py", "pages/compliance.py", "pages/forum.py"]
LANDING = "pages/forum.py"  # app.py's default page once there is data
ANALYST_PAGES = ["pages/import_data.py"]
ADMIN_PAGES = ["pages/settings.py", "pages/audit.py", "pages/export.py"]
NEEDS = {**{p: Role.viewer for p in VIEWS}, **{p: Role.analyst for p in ANALYST_PAGES},
         **{p: Role.admin for p in ADMIN_PAGES}}
TITLES = {"pages/risk_review.py": "Risk Review", "pages/security_health.py": "Security Health",
          "pages/compliance.py": "Compliance Review", "pages/forum.py": "Forum",
          "pages/import_data.py": "Import", "pages/settings.py": "Settings", "pages/audit.py": "Audit trail",
          "pages/export.py": "Export"}
MEETINGS = ["Risk Review", "Security Health", "Compliance Review", "Forum", "Management review"]
LINKS = {Role.viewer: MEETINGS,
         Role.analyst: MEETINGS + ["Import"],
         Role.admin: MEETINGS + ["Import", "Settings", "Audit trail", "Export"]}

OIDC = """
[auth]
mode = "oidc"
group_claim = "groups"

[auth.emails]
"ciso@northwind.example" = "admin"
"exec@northwind.example" = "viewer"

[auth.groups]
"isms-analysts" = "analyst"
"""
PASSWORD_MODE = '[auth]\nmode = "password"\nusers_file = "users.toml"\n'
OIDC_USERS = {
    Role.viewer: {"email": "exec@northwind.example", "name": "Erin Exec"},
    Role.analyst: {"email": "ana@northwind.example", "name": "Ana Lyst", "groups": ["staff", "isms-analysts"]},
    Role.admin: {"email": "ciso@northwind.example", "name": "Cy Ciso", "email_verified": True},
}


@pytest.fixture(autouse=True)
def fresh_caches():
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


def app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)


def open_as(at: AppTest, page: str) -> AppTest:
    at.run()
    if page != LANDING and not at.exception:
        at.switch_page(page).run()
    return at


def landed(at: AppTest) -> bool:
    """The landing page (the Forum, app.py's default once there is data) is drawn."""
    return any(t.value == "Forum" for t in at.title)


def texts(at: AppTest) -> str:
    return " ".join([e.value for e in at.error] + [t.value for t in at.title] + [m.value for m in at.markdown])


def refused(at: AppTest) -> bool:
    return any("needs the" in e.value for e in at.error)


def shown_title(at: AppTest) -> str:
    return " ".join(t.value for t in at.title)


def oidc_app(role: Role) -> AppTest:
    at = app()
    at.user = {"is_logged_in": True, **OIDC_USERS[role]}
    return at


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.name)
@pytest.mark.parametrize("page", VIEWS + ANALYST_PAGES + ADMIN_PAGES)
def test_oidc_role_opens_or_is_refused_each_page(sample_db_path, tmp_path, monkeypatch, role, page):
    env = make_env(tmp_path, sample_db_path, monkeypatch, OIDC)
    at = oidc_app(role)
    at.run()
    # AppTest keeps the frame's sidebar only from the first run, so the links are read here.
    links = [p.proto.label for p in at.sidebar.get("page_link")]  # the landing Forum links the Management review too
    assert links == LINKS[role]
    if page != LANDING:
        at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    expected = role >= NEEDS[page]
    assert refused(at) is (not expected), texts(at)
    assert (TITLES[page] in shown_title(at)) is expected
    refusals = env.events("access-refused")
    assert len(refusals) == (0 if expected else 1)
    if not expected:
        assert refusals[0]["who"] == OIDC_USERS[role]["email"]
        assert refusals[0]["detail"]["needs"] == NEEDS[page].name
    sign_ins = env.events("sign-in")
    assert [(e["who"], e["detail"]["role"]) for e in sign_ins] == [(OIDC_USERS[role]["email"], role.name)]


def test_oidc_signed_out_sees_only_the_sign_in(sample_db_path, tmp_path, monkeypatch):
    env = make_env(tmp_path, sample_db_path, monkeypatch, OIDC)
    at = app()
    at.user = {"is_logged_in": False}
    at.run()
    assert not at.exception
    assert at.button(key="oidc_sign_in").label.startswith("Sign in")
    assert not at.get("plotly_chart") and not landed(at)
    assert env.events() == []


@pytest.mark.parametrize("claims", [
    {"email": "stranger@example.org", "name": "Stranger"},
    {"email": "ciso@northwind.example", "email_verified": False, "name": "Spoofed"},
], ids=["unmapped", "unverified-email"])
def test_oidc_user_without_a_role_is_refused(sample_db_path, tmp_path, monkeypatch, claims):
    env = make_env(tmp_path, sample_db_path, monkeypatch, OIDC)
    at = app()
    at.user = {"is_logged_in": True, **claims}
    at.run()
    assert not at.exception
    assert any("no role is mapped" in e.value for e in at.error)
    assert not landed(at)
    assert [e["who"] for e in env.events("access-refused")] == [claims["email"]]


def sign_in(at: AppTest, username: str, password: str) -> AppTest:
    # With a pages/ folder, AppTest reruns only the page file after the first run, and widget ids
    # include the running script; so the form is filled where the reruns draw it (the page's own
    # gate, ui.auth.require), not where the first run drew it (the frame's).
    at.run()
    at.run()
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click().run()
    return at


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.name)
def test_password_user_signs_in_and_gets_their_role(sample_db_path, tmp_path, monkeypatch, role):
    env = make_env(tmp_path, sample_db_path, monkeypatch, PASSWORD_MODE,
                   users={"root": Role.admin, "ana": Role.analyst, "vic": Role.viewer})
    name = {Role.admin: "root", Role.analyst: "ana", Role.viewer: "vic"}[role]
    at = sign_in(app(), name, PASSWORD)
    assert not at.exception, [e.message for e in at.exception]
    assert landed(at), "the landing page shows after signing in"
    at.switch_page("pages/settings.py").run()
    assert refused(at) is (role is not Role.admin)
    assert [e["who"] for e in env.events("sign-in")] == [name]


def test_password_wrong_password_is_refused(sample_db_path, tmp_path, monkeypatch):
    env = make_env(tmp_path, sample_db_path, monkeypatch, PASSWORD_MODE, users={"root": Role.admin})
    at = sign_in(app(), "root", "not the password at all")
    assert not at.exception
    assert any("wrong" in e.value for e in at.error)
    assert not landed(at)
    assert env.events("sign-in") == []


def test_password_mode_without_users_says_how_to_add_one(sample_db_path, tmp_path, monkeypatch):
    make_env(tmp_path, sample_db_path, monkeypatch, PASSWORD_MODE)
    at = app()
    at.run()
    assert any("python -m isms user add" in e.value for e in at.error)
    assert not landed(at)


def test_local_mode_is_admin_on_loopback(sample_db_path, tmp_path, monkeypatch):
    env = make_env(tmp_path, sample_db_path, monkeypatch)
    at = app()
    at.run()
    assert any("Local administrator · **admin** · local mode, this computer only" in c.value for c in at.caption)
    at.switch_page("pages/audit.py").run()
    assert not at.exception
    assert "Audit trail" in shown_title(at)
    assert [e["detail"]["role"] for e in env.events("sign-in")] == ["admin"]


def test_local_mode_records_one_sign_in_per_dashboard_start_not_per_tab(sample_db_path, tmp_path, monkeypatch):
    """Three more browser sessions (tabs, reloads) of the one person at this computer: still one
    sign-in in the trail; the pages they opened are theirs to open all the same."""
    env = make_env(tmp_path, sample_db_path, monkeypatch)
    for _ in range(4):
        at = app()
        at.run()
        at.switch_page("pages/audit.py").run()
        assert not at.exception and "Audit trail" in shown_title(at)
    assert len(env.events("sign-in")) == 1


@pytest.mark.parametrize("address", ["0.0.0.0", None, "192.168.1.20"])
def test_local_mode_refuses_a_network_address(sample_db_path, tmp_path, monkeypatch, address):
    make_env(tmp_path, sample_db_path, monkeypatch)
    st_config.set_option("server.address", address)
    try:
        at = app()
        at.run()
    finally:
        st_config.set_option("server.address", "127.0.0.1")
    assert not at.exception
    assert any("--server.address 127.0.0.1" in e.value for e in at.error)
    assert not landed(at) and not at.get("plotly_chart")


def test_admin_changes_the_appetite_and_the_trail_has_before_and_after(sample_db_path, tmp_path, monkeypatch):
    env = make_env(tmp_path, sample_db_path, monkeypatch, PASSWORD_MODE, users={"root": Role.admin})
    at = sign_in(app(), "root", PASSWORD)
    at.switch_page("pages/settings.py").run()
    assert not at.exception
    at.selectbox(key="matrix_appetite").set_value("High").run()
    at.button(key="save_matrix").click().run()
    assert not at.exception
    saved = tomllib.loads(env.config.read_text())
    assert saved["matrix"]["appetite"] == "High"
    assert "# The highest level acceptable without" in env.config.read_text(), "comments are kept"
    changes = env.events("settings-changed")
    assert len(changes) == 1 and changes[0]["who"] == "root"
    assert changes[0]["detail"]["changes"] == {"matrix.appetite": {"before": "Medium", "after": "High"}}


def test_admin_adds_a_user_and_changes_a_role(sample_db_path, tmp_path, monkeypatch):
    env = make_env(tmp_path, sample_db_path, monkeypatch, PASSWORD_MODE, users={"root": Role.admin})
    at = sign_in(app(), "root", PASSWORD)
    at.switch_page("pages/settings.py").run()
    at.text_input(key="new_username").input("newbie")
    at.text_input(key="new_password").input("a long enough password")
    at.selectbox(key="new_role").set_value("viewer")
    next(b for b in at.button if b.label == "Add user").click().run()
    assert not at.exception, [e.message for e in at.exception]
    users = tomllib.loads(env.users.read_text())["users"]
    assert users["newbie"]["role"] == "viewer"
    at.selectbox(key="change_user").set_value("newbie").run()
    at.selectbox(key="change_role").set_value("analyst").run()
    at.button(key="set_role").click().run()
    assert tomllib.loads(env.users.read_text())["users"]["newbie"]["role"] == "analyst"
    changes = [e["detail"] for e in env.events("users-changed")]
    assert changes == [{"user": "newbie", "change": "added", "role": "viewer"},
                       {"user": "newbie", "change": "role", "before": "viewer", "after": "analyst"}]


def test_audit_page_filters_by_action_and_offers_csv(sample_db_path, tmp_path, monkeypatch):
    env = make_env(tmp_path, sample_db_path, monkeypatch)
    from isms import audit
    from isms.store import connect

    con = connect(env.db)
    audit.record(con, "=cmd|' /C calc'!A0", audit.PACK_GENERATED, {"pack": "Risk Review"})
    audit.record(con, "ana", audit.IMPORT_REFUSED, {"file": "@SUM(1+1).xlsx"})
    con.close()
    st.cache_resource.clear()
    at = open_as(app(), "pages/audit.py")
    assert not at.exception
    at.multiselect(key="audit_actions").set_value(["import-refused"]).run()
    shown = at.dataframe[0].value
    assert list(shown["who"]) == ["ana"]
    assert at.get("download_button")[0].proto.label == "Export CSV"


def test_oidc_sign_out_returns_to_the_sign_in(sample_db_path, tmp_path, monkeypatch):
    env = make_env(tmp_path, sample_db_path, monkeypatch, OIDC)
    at = oidc_app(Role.viewer)
    at.run()
    assert landed(at)
    at.button(key="sign_out").click().run()
    assert not at.exception
    assert at.user.get("is_logged_in") is False
    assert at.button(key="oidc_sign_in") and not landed(at)
    assert len(env.events("sign-in")) == 1


def test_password_sign_out_then_in_again_is_a_second_sign_in(sample_db_path, tmp_path, monkeypatch):
    env = make_env(tmp_path, sample_db_path, monkeypatch, PASSWORD_MODE, users={"root": Role.admin})
    at = sign_in(app(), "root", PASSWORD)
    assert landed(at)
    at.button(key="sign_out").click().run()
    assert not at.exception
    assert not landed(at) and [i.value for i in at.info] == ["You are signed out."]
    at.run()
    assert not landed(at) and [b.label for b in at.button] == ["Sign in"]
    at.text_input[0].input("root")
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert landed(at)
    assert [e["who"] for e in env.events("sign-in")] == ["root", "root"]


def test_a_demoted_password_user_loses_the_page_on_the_next_run(sample_db_path, tmp_path, monkeypatch):
    from isms.users import set_role

    env = make_env(tmp_path, sample_db_path, monkeypatch, PASSWORD_MODE, users={"root": Role.admin, "ana": Role.admin})
    at = sign_in(app(), "ana", PASSWORD)
    at.switch_page("pages/settings.py").run()
    assert not refused(at) and "Settings" in shown_title(at)
    set_role(env.users, "ana", Role.viewer)  # outside the dashboard: the next run notices
    at.run()
    assert not at.get("selectbox") and "Settings" not in shown_title(at)
    assert any("role has changed" in w.value for w in at.warning), "a role change ends the session"
    [ended] = env.events("session-revoked")
    assert ended["who"] == "ana" and ended["detail"]["reason"] == "role changed"
    at.text_input[0].input("ana")
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    assert refused(at), "signed in again, as the viewer she now is"


def _show_permissions():
    import streamlit as st

    from isms.auth import NEEDS
    from ui.auth import permitted, require

    require("viewer")
    for action in NEEDS:
        st.text(f"{action}={permitted(action)}")


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.name)
def test_action_checks_for_write_buttons_follow_the_role(sample_db_path, tmp_path, monkeypatch, role):
    from isms.auth import NEEDS, allows

    make_env(tmp_path, sample_db_path, monkeypatch, OIDC)
    at = AppTest.from_function(_show_permissions, default_timeout=60)
    at.user = {"is_logged_in": True, **OIDC_USERS[role]}
    at.run()
    assert not at.exception
    shown = dict(t.value.split("=") for t in at.text)
    assert shown == {a: str(allows(role, a)) for a in NEEDS}
    assert (shown["import"] == "True") is (role >= Role.analyst)


def test_admin_changes_import_limits_through_the_page(sample_db_path, tmp_path, monkeypatch):
    env = make_env(tmp_path, sample_db_path, monkeypatch)
    at = open_as(app(), "pages/settings.py")
    at.number_input(key="max_upload_mb").set_value(5.0)
    at.button(key="save_limits").click().run()
    assert not at.exception
    assert tomllib.loads(env.config.read_text())["import"]["max_upload_mb"] == 5.0
    # a whole number is written whole: the number box's 5.0 would read "5.0" in the file and the audit
    assert "max_upload_mb = 5\n" in env.config.read_text()
    assert [s.value for s in at.success] == ["Saved: import.max_upload_mb 25 → 5"]
    [change] = env.events("settings-changed")
    assert repr(change["detail"]["changes"]["import.max_upload_mb"]["after"]) == "5"
    at.number_input(key="max_upload_mb").set_value(2.5)
    at.button(key="save_limits").click().run()
    assert "max_upload_mb = 2.5\n" in env.config.read_text()
