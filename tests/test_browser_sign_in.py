"""A real browser against a real server: password guessing is slowed then locked out until an
administrator lifts the lock, and a session's cookie stops working once the session is ended."""

from __future__ import annotations

import json
import time

import pytest

from isms.auth import Role
from isms.store import connect
from isms.users import add_user
from tests.access import PASSWORD, write_config
from tests.browser import browser_page, click_one, copy_db, pick, require_chromium, streamlit_server
from tests.browser import settle as shared_settle

pytestmark = pytest.mark.browser

# Small limits so the journey takes seconds; the production defaults are in isms/auth.py.
THROTTLED = """[auth]
mode = "password"
users_file = "users.toml"
max_failures = 3
max_client_failures = 50
lockout_minutes = 5
delay_seconds = 0.5
max_delay_seconds = 4
"""
SIGN_IN_FORM = "text=Sign in to Northwind Cloud Infrastructure"


def sign_in(page, username: str, password: str) -> float:
    """Submit the form; returns when the click was made (time.monotonic)."""
    page.get_by_role("textbox", name="User name").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    clicked = time.monotonic()
    page.get_by_role("button", name="Sign in").click()
    return clicked


def settle(page) -> None:
    shared_settle(page, timeout=60_000, pause=300)


def choose(page, key: str, option: str) -> None:
    settle(page)
    pick(page, page.locator(f".st-key-{key}"), option)
    settle(page)


def new_page(browser, cookies=None):
    context = browser.new_context(viewport={"width": 1500, "height": 1400})
    if cookies:
        context.add_cookies(cookies)
    page = context.new_page()
    page.set_default_timeout(30_000)
    return page


def trail(db) -> list[tuple[str, str, dict]]:
    con = connect(db)
    try:
        rows = con.execute("SELECT who, action, detail FROM audit_event ORDER BY event_id").fetchall()
    finally:
        con.close()
    return [(w, a, json.loads(d)) for w, a, d in rows]


@pytest.fixture
def app_env(sample_db_path, tmp_path):
    require_chromium()
    db = copy_db(sample_db_path, tmp_path)
    cfg = tmp_path / "isms.toml"
    write_config(cfg, THROTTLED)
    add_user(tmp_path / "users.toml", "root", PASSWORD, Role.admin, name="Root Admin")
    add_user(tmp_path / "users.toml", "ana", PASSWORD, Role.analyst, name="Ana Lyst")
    return db, cfg


def test_wrong_passwords_are_slowed_then_locked_until_an_admin_lifts_the_lock(app_env, artifacts):
    db, cfg = app_env
    with streamlit_server(db, {"ISMS_CONFIG": str(cfg)}) as url, browser_page() as page:
        page.goto(url + "/settings")  # a light page: an analyst is refused it once signed in
        page.wait_for_selector(SIGN_IN_FORM)

        # Each wrong password's answer is held back longer than the one before.
        clicked = sign_in(page, "ana", "wrong guess number one")
        page.wait_for_selector("text=held back 0.5 s")
        first = time.monotonic() - clicked
        clicked = sign_in(page, "ana", "wrong guess number two")
        page.wait_for_selector("text=held back 1 s")
        second = time.monotonic() - clicked
        assert first >= 0.5 and second >= 1.0, (first, second)

        # The third locks the user name; then even the right password is refused.
        sign_in(page, "ana", "wrong guess number three")
        page.wait_for_selector("text=Too many failed sign-ins for this user name")
        page.screenshot(path=str(artifacts / "sign-in-locked.png"), full_page=True)
        page.reload()
        page.wait_for_selector(SIGN_IN_FORM)
        sign_in(page, "ana", PASSWORD)
        page.wait_for_selector("text=Too many failed sign-ins for this user name")
        assert page.locator("text=needs the admin role").count() == 0

        # An administrator lifts the lock on the Settings page.
        admin = new_page(page.context.browser)
        admin.goto(url + "/settings")
        admin.wait_for_selector(SIGN_IN_FORM)
        sign_in(admin, "root", PASSWORD)
        admin.wait_for_selector("text=Sign-in lockouts")
        admin.get_by_role("button", name="Lift lock").wait_for()
        settle(admin)
        admin.screenshot(path=str(artifacts / "sign-in-lockouts-settings.png"), full_page=True)
        click_one(admin.get_by_role("button", name="Lift lock"))
        admin.wait_for_selector("text=Lifted the lock on user name 'ana'")
        admin.wait_for_selector("text=Nothing is locked.")

        # Now the right password gets in.
        page.reload()
        page.wait_for_selector(SIGN_IN_FORM)
        sign_in(page, "ana", PASSWORD)
        page.wait_for_selector("text=Ana Lyst is signed in as analyst")

    events = trail(db)
    ana = [(a, d.get("reason")) for w, a, d in events if w == "ana" and a != "access-refused"]
    assert ana == [("sign-in-failed", "wrong password"), ("sign-in-failed", "wrong password"),
                   ("sign-in-failed", "wrong password"), ("lockout", None), ("sign-in-failed", "locked"),
                   ("sign-in", None)]
    assert [d["delay_seconds"] for w, a, d in events if a == "sign-in-failed" and "delay_seconds" in d] == [0.5, 1, 0]
    lifted = [(w, d["lock"]) for w, a, d in events if a == "lockout-lifted"]
    assert lifted == [("root", "user:ana")]
    order = [a for w, a, _ in events if (w, a) in {("ana", "lockout"), ("root", "lockout-lifted"), ("ana", "sign-in")}]
    assert order == ["lockout", "lockout-lifted", "sign-in"]


def test_a_copied_cookie_stops_working_at_sign_out_and_at_a_role_change(app_env, artifacts):
    """Light pages (Settings, Import) keep the journey short; the gate runs before any page."""
    db, cfg = app_env
    with streamlit_server(db, {"ISMS_CONFIG": str(cfg)}) as url, browser_page() as page:
        browser = page.context.browser
        page.goto(url + "/settings")
        page.wait_for_selector(SIGN_IN_FORM)
        sign_in(page, "root", PASSWORD)
        page.wait_for_selector("text=Sign-in lockouts")
        page.wait_for_function("() => document.cookie.includes('isms_auth=')")
        cookies = page.context.cookies()
        [cookie] = [c for c in cookies if c["name"] == "isms_auth"]
        assert cookie["sameSite"] == "Strict" and cookie["secure"] is False, "http on loopback: no Secure (auto)"
        assert "root" not in cookie["value"] and len(cookie["value"]) >= 40, "an opaque random secret, not a token"

        # The copy works while the session lives...
        copy = new_page(browser, cookies)
        copy.goto(url + "/settings")
        copy.wait_for_selector("text=Sign-in lockouts")

        # ...and not after signing out, neither in a new browser nor in the one already open.
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_selector("text=You are signed out.")
        page.wait_for_function("() => !document.cookie.includes('isms_auth=')")
        stolen = new_page(browser, cookies)
        stolen.goto(url + "/settings")
        stolen.wait_for_selector(SIGN_IN_FORM)
        stolen.wait_for_selector("text=This session was signed out")
        assert stolen.locator("text=Sign-in lockouts").count() == 0
        stolen.screenshot(path=str(artifacts / "sign-in-copied-cookie-refused.png"), full_page=True)
        copy.get_by_role("button", name="Save limits").click()  # its next run: refused before the page writes
        copy.wait_for_selector("text=This session was signed out")
        copy.locator("text=Save limits").wait_for(state="detached")  # the page's elements go with the run

        # A role change ends the user's sessions at once: her cookie no longer signs her in.
        analyst = new_page(browser)
        analyst.goto(url + "/settings")
        analyst.wait_for_selector(SIGN_IN_FORM)
        sign_in(analyst, "ana", PASSWORD)
        analyst.wait_for_selector("text=needs the admin role")  # signed in, as an analyst
        analyst.wait_for_function("() => document.cookie.includes('isms_auth=')")
        page.reload()
        page.wait_for_selector(SIGN_IN_FORM)
        sign_in(page, "root", PASSWORD)
        page.wait_for_selector("text=Sign-in lockouts")
        choose(page, "change_user", "ana")
        choose(page, "change_role", "viewer")
        click_one(page.locator(".st-key-set_role").get_by_role("button", name="Set role"))
        page.wait_for_selector("text=Saved; the change is in the audit trail.")
        analyst.reload()
        analyst.wait_for_selector("text=Your role has changed")
        analyst.wait_for_selector(SIGN_IN_FORM)
        assert analyst.locator("text=needs the admin role").count() == 0

    events = trail(db)
    assert [(w, a) for w, a, _ in events if a in {"sign-out", "session-revoked"}] == [
        ("root", "sign-out"), ("root", "session-revoked")]
    [revoked] = [d for _, a, d in events if a == "session-revoked"]
    assert revoked == {"user": "ana", "reason": "role changed", "sessions": 1}
    assert not [e for e in events if e[1] == "settings-changed"], "the refused run saved nothing"
