"""Who is signed in, for each mode, and the checks that pages and buttons make on the server.

Hiding a page from the navigation is not protection: every page calls `require(role)` at its
top, which refuses (and audits the refusal) before the page reads or writes anything. Write
buttons ask `permitted(action)`, and the write itself goes through isms.actions, which checks
again.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import threading
import time

import streamlit as st

from isms import audit, sessions, sign_in
from isms.auth import Role, User, allows, local_mode_refusal, role_from_claims
from isms.users import PasswordUser, UserError, load_users
from ui.resources import cursor, organisation, settings, writing

_SIGNED_IN = "_isms_signed_in_as"
_FRAME_SIGNED_IN = "_isms_frame_signed_in"
_SIGN_IN_DETAIL = "_isms_sign_in_detail"  # the session behind this browser session's sign-in, for the trail
_SECRET = "_isms_session_secret"          # password mode: the cookie's secret of this browser session
_SESSION = "_isms_session_hash"           # oidc mode: the ID token's session
_IGNORE_COOKIE = "_isms_ignore_cookie"    # the cookie that came with the page is not to be used again
_SIGNED_OUT = "_isms_signed_out"          # signed out by the button in this browser session
_ENDED = "_isms_session_ended"            # why the session this browser had ended


def _forget_sign_in(*_) -> None:
    """After signing out, the next sign-in in this browser session is a new audit event."""
    st.session_state.pop(_SIGNED_IN, None)
    st.session_state.pop(_SIGN_IN_DETAIL, None)


def client_address() -> str:
    """The per-client key of the sign-in throttle.

    Behind a reverse proxy every connection comes from the proxy, so `[auth]
    client_address_header` names the header it puts the client in (the last address of
    X-Forwarded-For is the one the proxy appended). Otherwise the connection's own address;
    Streamlit reports none for a loopback connection, or when there is no connection (AppTest),
    and both count as "loopback".
    """
    header = settings().auth.client_address_header
    if header:
        value = st.context.headers.get(header)
        value = value.split(",")[-1].strip() if isinstance(value, str) else ""
        if value:
            return value[:64]
    address = st.context.ip_address
    return address if isinstance(address, str) and address else "loopback"


def _oidc_sign_out() -> None:
    session_hash = st.session_state.pop(_SESSION, None)
    if session_hash:
        with writing("a sign-out") as cur:
            sign_in.sign_out(cur, session_hash, "oidc")
    _forget_sign_in()
    st.logout()


def _password_sign_out() -> None:
    """Revoke the session in the database first: the cookie is deleted too, but any copy of it
    must already sign nobody in."""
    secret = st.session_state.pop(_SECRET, None)
    if secret:
        with writing("a sign-out") as cur:
            sign_in.sign_out(cur, sessions.digest(secret), "password")
    st.session_state[_IGNORE_COOKIE] = st.session_state[_SIGNED_OUT] = True
    _forget_sign_in()


def _session_cookie(session) -> None:
    """Write (or, with no session, delete) the password-mode cookie in the browser.

    Streamlit gives a script run no way to send a Set-Cookie header, so a script in the page
    writes it, and it cannot be HttpOnly. It holds only a random secret whose hash the session
    table knows; SameSite=Strict; Secure as `[auth] cookie_secure` says ("auto": when the page
    is served over https).
    """
    auth = settings().auth
    if session is None:
        value = f"{sessions.COOKIE}=; Path=/; Max-Age=0; SameSite=Strict"
    else:
        seconds = max(0, int((session.expires_at - sessions.utcnow()).total_seconds()))
        value = f"{sessions.COOKIE}={st.session_state[_SECRET]}; Path=/; Max-Age={seconds}; SameSite=Strict"
    secure = {"always": "'; Secure'", "never": "''"}.get(auth.cookie_secure,
                                                        "(location.protocol === 'https:' ? '; Secure' : '')")
    with st.container(key="isms_session_cookie"):
        st.html(f"<style>.st-key-isms_session_cookie {{display: none;}}</style>"
                f"<script>document.cookie = {json.dumps(value)} + {secure};</script>", unsafe_allow_javascript=True)


def _stop(message: str) -> None:
    st.error(message, icon=":material/lock:")
    st.stop()


def _record(who: str, action: str, detail: dict) -> None:
    with writing("the audit trail") as cur:
        audit.record(cur, who, action, detail)


def _record_refusal_once(what: str, who: str, detail: dict) -> None:
    """Once per session and refusal: reruns of the same refused page add nothing to the trail."""
    done = st.session_state.setdefault("_isms_refused", set())
    if (who, what) not in done:
        done.add((who, what))
        _record(who, audit.ACCESS_REFUSED, detail)


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
        st.write(f"The risk posture of {organisation()} is for signed-in staff.")
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
    with cursor() as cur:  # the usual run only reads; starting or ending the session writes
        found = sign_in.known_oidc_session(cur, claims, role)
    if found is None:
        with writing("a sign-in") as cur:
            found = sign_in.oidc_session(cur, cfg.auth, claims, who, role, client_address())
    if found.row is None:
        # The browser still holds Streamlit's identity cookie, but its session was signed out,
        # expired or ended by a role change: only a new sign-in at the provider gets past here.
        st.session_state.pop(_SESSION, None)
        if not widgets:
            _stop("Sign in first.")
        st.title("Sign in")
        st.warning(sign_in.ENDED.get(found.reason, "This sign-in has ended. Sign in again."))
        if st.button("Sign in with your organisation account", key="oidc_sign_in", type="primary"):
            st.login()
        st.stop()
    st.session_state[_SESSION] = found.row.session_hash
    st.session_state[_SIGN_IN_DETAIL] = {"session": sessions.short(found.row.session_hash),
                                         "client": client_address()}
    if widgets:
        st.sidebar.button("Sign out", key="sign_out", on_click=_oidc_sign_out, type="tertiary")
    return User(who, role, str(claims.get("name") or who), via="oidc")


def _resume_password_session(users: dict[str, PasswordUser]):
    """The user this browser's session signs in: the secret kept for this browser session, else
    the cookie the page was loaded with (not after signing out here). Checked in the database on
    every run, so a session revoked anywhere ends here on the next run."""
    secret = st.session_state.get(_SECRET)
    if secret is None and not st.session_state.get(_IGNORE_COOKIE):
        secret = st.context.cookies.get(sessions.COOKIE)
    if not isinstance(secret, str) or not secret:
        return None
    with cursor() as cur:  # every run checks the session; only ending it writes
        resumed = sign_in.password_session(cur, users, secret, may_write=False)
    if resumed is None:
        with writing("a sign-in") as cur:
            resumed = sign_in.password_session(cur, users, secret)
    if resumed.user is None:
        st.session_state.pop(_SECRET, None)
        st.session_state[_IGNORE_COOKIE] = True
        if resumed.reason in sign_in.ENDED:
            st.session_state[_ENDED] = resumed.reason
        _forget_sign_in()
        return None
    st.session_state[_SECRET] = secret
    st.session_state.setdefault(_SIGN_IN_DETAIL, {"session": sessions.short(resumed.session.session_hash),
                                                  "client": client_address(), "resumed": True})
    return resumed


def _password_form(cfg, users: dict[str, PasswordUser]):
    """The sign-in form; stops the run unless a submitted password signs someone in."""
    box = st.empty()
    with box.container():
        ended = st.session_state.get(_ENDED)
        if ended:
            st.warning(sign_in.ENDED[ended])
        elif st.session_state.get(_SIGNED_OUT):
            st.info("You are signed out.")
        with st.form("sign_in", clear_on_submit=True):
            st.subheader(f"Sign in to {organisation()}")
            username = st.text_input("User name", autocomplete="username")
            password = st.text_input("Password", type="password", autocomplete="current-password")
            submitted = st.form_submit_button("Sign in")
    if not submitted:
        if st.session_state.get(_IGNORE_COOKIE):
            _session_cookie(None)
        st.stop()
    with st.spinner("Checking…"):
        # the throttle's waits are served after the writers' lock is released: a guesser's delays
        # must hold back the answer, not every import and sign-in of the organisation
        with cursor() as cur:
            time.sleep(sign_in.pending_wait(cur, cfg.auth, username, client_address()))
        waits: list[float] = []  # one racing attempt's wait, and a failure's delay
        with writing("a sign-in") as cur:
            attempt = sign_in.password_sign_in(cur, cfg.auth, users, username, password, client_address(),
                                               sleep=waits.append)
        time.sleep(sum(waits))
    if attempt.user is None:
        _stop(attempt.message)
    box.empty()
    for key in (_IGNORE_COOKIE, _SIGNED_OUT, _ENDED):
        st.session_state.pop(key, None)
    st.session_state[_SECRET] = attempt.secret
    st.session_state[_SIGN_IN_DETAIL] = {"session": sessions.short(attempt.session.session_hash)}
    st.session_state[_SIGNED_IN] = (attempt.user.username, attempt.user.role)  # audited by sign_in already
    return sign_in.Resumed(attempt.user, attempt.session)


def _password_user(widgets: bool) -> User:
    """Roles come from the users file on every run, so a changed role or a removed user counts at
    once; the session must be live in the database on every run too."""
    cfg = settings()
    try:
        users = load_users(cfg.users_path)
    except UserError as exc:
        _stop(f"The users file cannot be read: {exc}")
    if not users:
        _stop(f"Password mode has no users yet. Add an administrator with "
              f"`python -m isms user add NAME --role admin` (file: {cfg.users_path}).")
    signed_in = _resume_password_session(users)
    if signed_in is None:
        if not widgets:
            _stop("Sign in first.")
        signed_in = _password_form(cfg, users)
    if widgets:
        _session_cookie(signed_in.session)
        st.sidebar.button("Sign out", key="sign_out", on_click=_password_sign_out, type="tertiary")
    u = signed_in.user
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
        _record_sign_in(mode, user, {"mode": mode, "role": user.role.name, **st.session_state.get(_SIGN_IN_DETAIL, {})})
        st.session_state[_SIGNED_IN] = (user.name, user.role)
    return user


# local mode: the (database, user, role, day) whose sign-in this dashboard process has recorded
_LOCAL_RECORDED: set[tuple[str, str, str, dt.date]] = set()
_LOCAL_LOCK = threading.Lock()


def _record_sign_in(mode: str, user: User, detail: dict) -> None:
    """A sign-in in the trail. In local mode nobody signs in: every tab, reload and reconnect of the
    one person at this computer was a new browser session, and the trail filled with 'sign-in' rows
    (a trial found dozens a morning). So local mode records it once a day per dashboard start (the
    day's use stays visible to an auditor); the other modes' sign-ins are people's, each recorded.
    Marked recorded only once written (a busy writer leaves it for the next session), and under a
    lock: sessions run on threads, and tabs reconnecting after a restart arrive together."""
    if mode != "local":
        _record(user.name, audit.SIGN_IN, detail)
        return
    key = (str(settings().db_path), user.name, user.role.name, dt.date.today())
    with _LOCAL_LOCK:
        if key not in _LOCAL_RECORDED:
            _record(user.name, audit.SIGN_IN, detail)
            _LOCAL_RECORDED.add(key)


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
