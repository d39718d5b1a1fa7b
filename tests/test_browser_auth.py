"""A real browser signs in with password users: an analyst is refused Settings, an admin sees the trail."""

import pytest

from isms.auth import Role
from isms.store import connect
from isms.users import add_user
from tests.access import PASSWORD, write_config
from tests.browser import browser_page, copy_db, require_chromium, streamlit_server

pytestmark = pytest.mark.browser

PASSWORD_MODE = '[auth]\nmode = "password"\nusers_file = "users.toml"\n'


def sign_in(page, username: str, password: str) -> None:
    page.get_by_role("textbox", name="User name").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def sidebar_links(page) -> list[str]:
    """Link texts without the icon's ligature name (Material icons render as words like grid_view)."""
    return [a.inner_text().strip().split("\n")[-1] for a in page.locator('[data-testid="stSidebar"] a').all()]


def test_password_sign_in_roles_and_audit_in_a_real_browser(sample_db_path, tmp_path, artifacts):
    require_chromium()
    db = copy_db(sample_db_path, tmp_path)
    cfg = tmp_path / "isms.toml"
    write_config(cfg, PASSWORD_MODE)
    add_user(tmp_path / "users.toml", "root", PASSWORD, Role.admin, name="Root Admin")
    add_user(tmp_path / "users.toml", "ana", PASSWORD, Role.analyst, name="Ana Lyst")
    with streamlit_server(db, {"ISMS_CONFIG": str(cfg)}) as url, browser_page() as page:
        page.goto(url + "/risk-review")
        page.wait_for_selector("text=Sign in to Northwind Cloud Infrastructure")
        assert page.locator('[data-testid="stMetric"]').count() == 0
        assert sidebar_links(page) == [], "before signing in, no page is even named"
        sign_in(page, "ana", "not the right password")
        page.wait_for_selector("text=User name or password is wrong")
        assert page.locator('[data-testid="stMetric"]').count() == 0
        page.screenshot(path=str(artifacts / "auth-wrong-password.png"), full_page=True)

        sign_in(page, "ana", PASSWORD)
        page.wait_for_selector('[data-testid="stMetric"]')
        page.wait_for_selector(".js-plotly-plot")
        page.wait_for_selector("text=analyst")
        assert sidebar_links(page) == ["Risk Review", "Security Health", "Compliance Review", "Forum", "Management review",
                                      "Import"]
        page.screenshot(path=str(artifacts / "auth-analyst-risk-review.png"), full_page=True)

        page.goto(url + "/settings")
        login_or_refusal = page.locator("text=Sign in to Northwind").or_(page.locator("text=needs the admin role"))
        login_or_refusal.first.wait_for()
        if page.locator("text=Sign in to Northwind").count():
            sign_in(page, "ana", PASSWORD)
        page.wait_for_selector("text=needs the admin role")
        assert page.locator("text=Save matrix").count() == 0
        page.screenshot(path=str(artifacts / "auth-analyst-settings-refused.png"), full_page=True)

        page.wait_for_function("() => document.cookie.includes('isms_auth=')")
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_function("() => !document.cookie.includes('isms_auth=')")
        page.wait_for_selector("text=Sign in to Northwind Cloud Infrastructure")
        page.reload()
        page.wait_for_selector("text=Sign in to Northwind Cloud Infrastructure")
        assert page.locator('[data-testid="stMetric"]').count() == 0

        admin = page.context.browser.new_context(viewport={"width": 1500, "height": 1400}).new_page()
        admin.set_default_timeout(60_000)
        admin.goto(url + "/risk-review")
        admin.wait_for_selector("text=Sign in to Northwind Cloud Infrastructure")
        sign_in(admin, "root", PASSWORD)
        admin.wait_for_selector('[data-testid="stMetric"]')
        assert sidebar_links(admin) == ["Risk Review", "Security Health", "Compliance Review", "Forum", "Management review",
                                        "Import", "Settings",
                                        "Audit trail", "Export"]
        admin.get_by_role("link", name="Audit trail").click()
        admin.wait_for_selector("text=Export CSV")
        admin.wait_for_selector('[data-testid="stDataFrame"]')
        admin.screenshot(path=str(artifacts / "auth-admin-audit-trail.png"), full_page=True)
        admin.get_by_role("link", name="Settings").click()
        admin.wait_for_selector("text=Save matrix")
        admin.screenshot(path=str(artifacts / "auth-admin-settings.png"), full_page=True)
    con = connect(db)
    events = con.execute("SELECT who, action FROM audit_event ORDER BY event_id").fetchall()
    con.close()
    assert ("ana", "sign-in") in events and ("root", "sign-in") in events
    assert events.count(("ana", "access-refused")) == 1, "one refusal, however often the page reran"
    assert not any(who == "ana" and action == "settings-changed" for who, action in events)
