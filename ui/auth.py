"""Who is signed in, for each mode, and the checks that pages and buttons make on the server.

Hiding a page from the navigation is not protection: every page calls `require(role)` at its
top, which refuses (and audits the refusal) before the page reads or writes anything. Write
buttons ask `permitted(action)`, and the write itself goes through isms.actions, which checks
again.
"""

from __future__ import annotations

import getpass
import secrets

import streamlit as st

from isms import audit
from isms.auth import Role, User, allows, local_mode_refusal, role_from_claims
from isms.users import UserError, load_users
from ui.resources import cursor, settings

_SIGNED_IN = "_isms_signed_in_as"
_FRAME_SIGNED_IN = "_isms_frame_signed_in"


def _forget_sign_in(*_) -> None:
    """After signing out, the next sign-in in this browser session is a new audit event."""
    st.session_state.pop(_SIGNED_IN, None)


def _oidc_sign_out() -> None:
    _forget_sign_in()
    st.logout()


def _stop(message: str) -> None:
    st.error(message, icon=":material/lock:")
    st.stop()


def _record(who: str, action: str, detail: dict) -> None:
    with cursor() as cur:
        audit.record(cur, who, action, detail)


def _record_refusal_once(what: str, who: str, detail: dict) -> None:
    """Once per session and refusal: reruns of the same refused page add nothing to the trail."""
    done = st.session_state.setdefault("_isms_refused", set())
    if (who, what) not in done:
        done.add((who, what))
        _record(who, audit.ACCESS_REFUSED, detail)


@st.cache_resource(show_spinner=False)
def _cookie_key() -> str:
    """Signs the password-mode cookie; without one in secrets, each server start makes its own."""
    try:
        key = st.secrets.get("isms", {}).get("cookie_key")
    except FileNotFoundError:
        key = None
    return key or secrets.token_hex(32)


def _authenticator(users: dict):
    import streamlit_authenticator as stauth

    credentials = {"usernames": {
        u.username: {"email": u.email, "first_name": u.name, "last_name": "", "password": u.password_hash}
        for u in users.values()
    }}
    authenticator = stauth.Authenticate(credentials, "isms_auth", _cookie_key(), 1.0, auto_hash=False,
                                        login_sleep_time=0)
    st.html("<style>.st-key-init {display: none;}</style>")  # the cookie component's empty frame
    return authenticator


def _local_user() -> User:
    refusal = local_mode_refusal(st.get_option("server.address"))
    if refusal:
        _stop(refusal)
    try:
        login = getpass.getuser()
    except (OSError, KeyError):  # no login name in a bare container
        login = "user"
    return User(f"{login}@local", Role.admin, "Local administrator", via="local")


def _oidc_user(widgets: bool) -> User:
    cfg = settings()
    if not st.user.is_logged_in:
        if not widgets:
            _stop("Sign in first.")
        st.title("Sign in")
        st.write(f"The risk posture of {cfg.organisation} is for signed-in staff.")
        if st.button("Sign in with your organisation account", key="oidc_sign_in", type="primary"):
            st.login()
        st.stop()
    claims = st.user.to_dict()
    who = str(claims.get("email") or claims.get("sub") or "unknown")
    role = role_from_claims(cfg.auth, claims)
    if role is None:
        _record_refusal_once("sign-in", who, {"reason": "no role mapped", "mode": "oidc"})
        if widgets:
            st.button("Sign out", key="sign_out", on_click=_oidc_sign_out)
        _stop(f"You are signed in as {who}, but no role is mapped to this address or its groups. "
              "Ask an administrator to add you to `[auth.emails]` or `[auth.groups]` in the settings file.")
    if widgets:
        st.sidebar.button("Sign out", key="sign_out", on_click=_oidc_sign_out, type="tertiary")
    return User(who, role, str(claims.get("name") or who), via="oidc")


def _password_user(widgets: bool) -> User:
    """Roles come from the users file on every run, so a changed role or a removed user counts at once."""
    cfg = settings()
    try:
        users = load_users(cfg.users_path)
    except UserError as exc:
        _stop(f"The users file cannot be read: {exc}")
    if not users:
        _stop(f"Password mode has no users yet. Add an administrator with "
              f"`python -m isms user add NAME --role admin` (file: {cfg.users_path}).")
    authenticator = _authenticator(users) if widgets else None
    if authenticator and not st.session_state.get("authentication_status"):
        authenticator.login(fields={"Form name": f"Sign in to {cfg.organisation}", "Username": "User name",
                                    "Password": "Password", "Login": "Sign in"}, key="sign_in")
        if st.session_state.get("authentication_status") is False:
            _stop("User name or password is wrong.")
    username = st.session_state.get("username")
    if not st.session_state.get("authentication_status") or username not in users:
        if widgets:
            st.stop()
        _stop("Sign in first.")
    if authenticator:
        authenticator.logout("Sign out", "sidebar", key="sign_out", callback=_forget_sign_in)
        if not st.session_state.get("authentication_status"):
            st.info("You are signed out.")
            st.stop()
    u = users[username]
    return User(u.username, u.role, u.name, via="password")


def signed_in_user(widgets: bool) -> User:
    """The user of this session; without one the run stops here, after the sign-in form when
    `widgets` (a form and its cookie may be drawn only once per run)."""
    mode = settings().auth.mode
    if mode == "local":
        user = _local_user()
    else:
        user = {"oidc": _oidc_user, "password": _password_user}[mode](widgets)
    if st.session_state.get(_SIGNED_IN) != (user.name, user.role):
        _record(user.name, audit.SIGN_IN, {"mode": mode, "role": user.role.name})
        st.session_state[_SIGNED_IN] = (user.name, user.role)
    return user


def gate() -> User:
    """The frame's sign-in, before any page runs; it tells the page it need not draw the form again."""
    user = signed_in_user(widgets=True)
    st.session_state[_FRAME_SIGNED_IN] = True
    return user


def require(role: str, page: str = "") -> User:
    """The first call of every page: refuse, audit the refusal and stop unless the user has `role`.

    A page can run without the frame (its file run on its own, as AppTest reruns do when a
    pages/ folder exists), so it signs the user in itself unless the frame did so this run.
    """
    needed = Role.parse(role)
    user = signed_in_user(widgets=not st.session_state.pop(_FRAME_SIGNED_IN, False))
    if user.role < needed:
        _record_refusal_once(page, user.name, {"needs": needed.name, "role": user.role.name, "page": page})
        _stop(f"This page needs the {needed.name} role; {user.display or user.name} is signed in as "
              f"{user.role.name}. Nothing was shown or changed.")
    return user


def permitted(action: str) -> bool:
    """For showing or disabling a write control; the write itself is checked again in isms.actions."""
    return allows(signed_in_user(widgets=False).role, action)


def badge(user: User) -> None:
    where = {"local": "local mode, this computer only", "oidc": "organisation sign-in", "password": "password sign-in"}
    st.sidebar.caption(f":material/person: {user.display or user.name} · **{user.role.name}** · {where[user.via]}")
