"""OIDC sign-in against a real, certified OpenID provider (npm oidc-provider on loopback), in a real
browser: st.login through the provider's pages, the role mapped from the ID token's groups claim,
sign-out through the provider's end-session page, and refused afterwards, even with a copy of the
cookies taken while signed in."""

from __future__ import annotations

import json

import pytest

from isms.store import connect
from tests.access import write_config
from tests.browser import browser_page, copy_db, free_port, require_chromium, streamlit_server
from tests.oidc_provider import oidc_provider, require_oidc_provider, write_auth_secrets

pytestmark = pytest.mark.browser

OIDC_MODE = """[auth]
mode = "oidc"
group_claim = "groups"

[auth.groups]
"isms-admins" = "admin"
"isms-analysts" = "analyst"
"""
SIGN_IN_BUTTON = "Sign in with your organisation account"


def sidebar_links(page) -> list[str]:
    return [a.inner_text().strip().split("\n")[-1] for a in page.locator('[data-testid="stSidebar"] a').all()]


def sign_in_at_provider(page, login: str) -> None:
    """The provider's development pages: any login name, then the consent to share the claims."""
    page.get_by_role("button", name=SIGN_IN_BUTTON).click()
    page.wait_for_selector('input[name="login"]')
    page.fill('input[name="login"]', login)
    page.fill('input[name="password"]', "any password: the development pages check none")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()


def new_page(browser, cookies=None):
    context = browser.new_context(viewport={"width": 1500, "height": 1400})
    if cookies:
        context.add_cookies(cookies)
    page = context.new_page()
    page.set_default_timeout(60_000)
    return page


def test_oidc_sign_in_role_from_groups_sign_out_and_refused_after(sample_db_path, tmp_path, artifacts):
    require_chromium()
    require_oidc_provider()
    db = copy_db(sample_db_path, tmp_path)
    cfg = tmp_path / "isms.toml"
    write_config(cfg, OIDC_MODE)
    app_port = free_port()
    app_url = f"http://127.0.0.1:{app_port}"
    with oidc_provider(app_url + "/oauth2callback", tmp_path) as (issuer, client_id, client_secret):
        secrets_file = write_auth_secrets(tmp_path / "secrets.toml", app_url, issuer, client_id, client_secret)
        env = {"ISMS_CONFIG": str(cfg), "STREAMLIT_SECRETS_FILES": str(secrets_file)}
        with streamlit_server(db, env, port=app_port) as url, browser_page() as page:
            page.goto(url)
            sign_in_at_provider(page, "ana+isms-analysts,staff")
            page.wait_for_selector("text=organisation sign-in")
            page.wait_for_selector("text=Ana · analyst")
            page.get_by_role("link", name="Import").wait_for()
            links = sidebar_links(page)
            assert "Import" in links and "Settings" not in links, f"analyst, from the groups claim: {links}"
            page.wait_for_selector("text=Next meetings")  # signed in, on the landing page: the Forum
            page.screenshot(path=str(artifacts / "oidc-analyst-signed-in.png"), full_page=True)
            cookies = page.context.cookies()
            [identity] = [c for c in cookies if c["name"] == "_streamlit_user"]
            assert identity["httpOnly"], "Streamlit's identity cookie is out of scripts' reach"

            page.get_by_role("button", name="Sign out").click()
            page.get_by_role("button", name="Yes, sign me out").click()  # the provider's end-session page
            page.get_by_role("button", name=SIGN_IN_BUTTON).wait_for()
            assert page.locator('[data-testid="stMetric"]').count() == 0
            page.goto(url)
            page.get_by_role("button", name=SIGN_IN_BUTTON).wait_for()
            assert not [c for c in page.context.cookies() if c["name"] == "_streamlit_user"]

            # The cookies copied while signed in no longer sign anyone in.
            stolen = new_page(page.context.browser, cookies)
            stolen.goto(url)
            stolen.wait_for_selector("text=This session was signed out")
            stolen.get_by_role("button", name=SIGN_IN_BUTTON).wait_for()
            assert stolen.locator('[data-testid="stMetric"]').count() == 0
            assert sidebar_links(stolen) == []
            stolen.screenshot(path=str(artifacts / "oidc-copied-cookie-refused.png"), full_page=True)

            # A new sign-in at the provider is a new session; another group maps to another role.
            sign_in_at_provider(stolen, "root+isms-admins")
            stolen.wait_for_selector("text=Root · admin")
            stolen.get_by_role("link", name="Audit trail").wait_for()
            assert {"Import", "Settings", "Audit trail"} <= set(sidebar_links(stolen)), "admin, from the groups claim"

    con = connect(db)
    events = [(w, a, json.loads(d)) for w, a, d in
              con.execute("SELECT who, action, detail FROM audit_event ORDER BY event_id").fetchall()]
    con.close()
    assert [(w, a) for w, a, _ in events if a in {"sign-in", "sign-out"}] == [
        ("ana@northwind.example", "sign-in"), ("ana@northwind.example", "sign-out"),
        ("root@northwind.example", "sign-in")]
    sign_ins = [d for _, a, d in events if a == "sign-in"]
    assert [(d["mode"], d["role"]) for d in sign_ins] == [("oidc", "analyst"), ("oidc", "admin")]
    assert sign_ins[0]["session"] != sign_ins[1]["session"]
