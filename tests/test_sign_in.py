"""Password guessing is throttled and locked out; sessions end at sign-out, role or password changes;
all of it is in the audit trail. Driven without Streamlit, with a fake clock and a fake sleep."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest

from isms import actions, audit, sessions, sign_in, throttle
from isms.auth import AuthSettings, Refused, Role, User, auth_from_settings
from isms.config import SettingsError, load_settings
from isms.store import connect
from isms.users import add_user, load_users, set_password, set_role

PASSWORD = "correct horse battery"
ADMIN = User("root", Role.admin)
AUTH = AuthSettings(mode="password", max_failures=3, max_client_failures=6, lockout_minutes=10, delay_seconds=1,
                    max_delay_seconds=3)


class Clock:
    """Time that moves only when the code sleeps or the test says so."""

    def __init__(self):
        # 09:00 tomorrow: ahead of the real clock, which session expiry and lock checks outside
        # the sign-in (an administrator's lift, a revocation) compare with
        self.now = dt.datetime.combine(throttle.utcnow().date() + dt.timedelta(days=1), dt.time(9))
        self.slept: list[float] = []

    def __call__(self) -> dt.datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def cfg(tmp_path):
    path = tmp_path / "isms.toml"
    path.write_text('[auth]\nmode = "password"\n')
    settings = load_settings(path, db_path=str(tmp_path / "t.duckdb"))
    add_user(settings.users_path, "root", PASSWORD, Role.admin)
    add_user(settings.users_path, "ana", PASSWORD, Role.analyst)
    return settings


@pytest.fixture
def clock():
    return Clock()


def attempt(con, cfg, clock, username, password, client="10.0.0.1", auth=AUTH) -> sign_in.Attempt:
    return sign_in.password_sign_in(con, auth, load_users(cfg.users_path), username, password, client,
                                    sleep=clock.sleep, clock=clock)


def trail(con) -> list[tuple[str, str, dict]]:
    df = audit.events(con)
    return [(r.who, r.action, json.loads(r.detail)) for r in df.iloc[::-1].itertuples()]


def test_wrong_passwords_wait_longer_each_time_then_lock_even_the_right_one(con, cfg, clock):
    first = attempt(con, cfg, clock, "ana", "guess one")
    second = attempt(con, cfg, clock, "ana", "guess two")
    assert first.user is None and first.message.startswith(sign_in.WRONG) and "held back 1 s" in first.message
    assert "held back 2 s" in second.message
    assert clock.slept == [1, 2], "the server holds each wrong answer back, twice as long each time"
    locked = attempt(con, cfg, clock, "ana", "guess three")
    assert "locked until 09:10 UTC" in locked.message and "administrator" in locked.message
    assert clock.slept == [1, 2], "the lockout answers at once"
    right = attempt(con, cfg, clock, "ana", PASSWORD)
    assert right.user is None and right.secret is None and "locked" in right.message
    events = trail(con)
    assert [(w, a) for w, a, _ in events] == [("ana", audit.SIGN_IN_FAILED)] * 3 + [
        ("ana", audit.LOCKOUT), ("ana", audit.SIGN_IN_FAILED)]
    assert [d.get("delay_seconds") for _, a, d in events if a == audit.SIGN_IN_FAILED] == [1, 2, 0, None]
    assert events[3][2]["lock"] == "user:ana" and events[3][2]["locked_until"].endswith("T09:10:03")
    assert events[4][2]["reason"] == "locked", "the right password during the lock is refused unchecked"
    assert {d["client"] for _, _, d in events} == {"10.0.0.1"}


def test_the_lock_expires_and_an_admin_can_lift_it_sooner(con, cfg, clock):
    for _ in range(3):
        attempt(con, cfg, clock, "ana", "wrong password")
    with pytest.raises(Refused):
        actions.lift_lockout(con, User("ana", Role.analyst), "user:ana")
    actions.lift_lockout(con, ADMIN, "user:ana")
    with pytest.raises(ValueError, match="not locked"):
        actions.lift_lockout(con, ADMIN, "user:ana")
    ok = attempt(con, cfg, clock, "ana", PASSWORD)
    assert ok.user.username == "ana" and ok.secret
    lifted = [d for w, a, d in trail(con) if a == audit.LOCKOUT_LIFTED]
    assert lifted == [{"lock": "user:ana", "failures": 3, "locked_until": lifted[0]["locked_until"]}]
    assert [(w, a) for w, a, _ in trail(con)][-3:] == [("ana", audit.ACCESS_REFUSED), ("root", audit.LOCKOUT_LIFTED),
                                                       ("ana", audit.SIGN_IN)]
    # without an administrator, the lock runs out by itself
    for _ in range(3):
        attempt(con, cfg, clock, "root", "wrong password", client="10.0.0.2")
    assert "locked" in attempt(con, cfg, clock, "root", PASSWORD, client="10.0.0.2").message
    clock.advance(10 * 60 + 1)
    assert attempt(con, cfg, clock, "root", PASSWORD, client="10.0.0.2").user is not None


def test_a_success_clears_the_user_count_and_old_failures_are_forgotten(con, cfg, clock):
    attempt(con, cfg, clock, "ana", "wrong password")
    attempt(con, cfg, clock, "ana", "wrong password")
    assert attempt(con, cfg, clock, "ana", PASSWORD).user is not None
    assert "held back 1 s" in attempt(con, cfg, clock, "ana", "wrong password").message, "counting starts again"
    attempt(con, cfg, clock, "ana", "wrong password")
    clock.advance(10 * 60 + 1)
    assert "held back 1 s" in attempt(con, cfg, clock, "ana", "wrong password").message, "stale failures are forgotten"


def test_unknown_user_names_are_counted_and_answered_like_real_ones(con, cfg, clock):
    real = attempt(con, cfg, clock, "ana", "wrong password", client="10.0.0.1")
    ghost = attempt(con, cfg, clock, "nobody", "wrong password", client="10.0.0.2")
    assert real.message == ghost.message
    for _ in range(2):
        ghost = attempt(con, cfg, clock, "nobody", "wrong password", client="10.0.0.2")
    assert "locked" in ghost.message, "a lock does not tell which user names exist"
    reasons = [d["reason"] for _, a, d in trail(con) if a == audit.SIGN_IN_FAILED]
    assert reasons[:2] == ["wrong password", "unknown user"], "the trail does tell the administrator"


def test_one_client_guessing_many_user_names_is_slowed_then_locked(con, cfg, clock):
    waits = []
    for name in ["a1", "a2", "a3", "a4", "a5"]:
        waits.append(attempt(con, cfg, clock, name, "password123456").waited)
    assert waits == [1, 1, 1, 1, 2], "beyond max_failures (3), the address's own count sets the delay"
    assert "this address" in attempt(con, cfg, clock, "a6", "password123456").message
    assert "this address" in attempt(con, cfg, clock, "ana", PASSWORD).message, "every user name from that address"
    assert attempt(con, cfg, clock, "ana", PASSWORD, client="10.9.9.9").user is not None, "other addresses are not"
    locks = [d["lock"] for _, a, d in trail(con) if a == audit.LOCKOUT]
    assert locks == ["client:10.0.0.1"]
    assert [r.key for r in throttle.lockouts(con, clock())] == ["client:10.0.0.1"]


def test_an_attempt_inside_the_delay_waits_it_out_before_the_password_is_checked(con, cfg, clock):
    """Another tab, or a script on a second connection, does not get to skip the delay."""
    attempt(con, cfg, clock, "ana", "wrong password")
    attempt(con, cfg, clock, "ana", "wrong password")  # waits 2 s before the next check
    clock.now -= dt.timedelta(seconds=1.5)  # as if a parallel attempt came in while the answer was held back
    clock.slept.clear()
    out = attempt(con, cfg, clock, "ana", PASSWORD)
    assert clock.slept == [1.5] and out.user is not None and out.waited == 1.5


def test_parallel_failures_are_all_counted(tmp_path, cfg):
    con = connect(tmp_path / "shared.duckdb")
    users = load_users(cfg.users_path)
    auth = AuthSettings(mode="password", max_failures=100, max_client_failures=100, delay_seconds=0)
    errors = []

    def guess(i):
        cur = con.cursor()
        try:
            sign_in.password_sign_in(cur, auth, users, "ana", f"wrong password {i}", "10.0.0.1", sleep=lambda s: None)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            cur.close()

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    rows = con.execute("SELECT throttle_key, failures FROM sign_in_throttle ORDER BY 1").fetchall()
    assert rows == [("client:10.0.0.1", 8), ("user:ana", 8)]
    con.close()


def test_throttle_state_is_in_the_database_for_every_server_process(tmp_path, cfg, clock):
    path = tmp_path / "shared.duckdb"
    first = connect(path)
    for _ in range(3):
        attempt(first, cfg, clock, "ana", "wrong password")
    first.close()
    second = connect(path)  # another process on the same database, later
    assert "locked" in attempt(second, cfg, clock, "ana", PASSWORD).message
    second.close()


# --- sessions -----------------------------------------------------------------------------------

def signed_in(con, cfg, clock, name="ana") -> str:
    out = attempt(con, cfg, clock, name, PASSWORD)
    assert out.user is not None
    return out.secret


def test_a_copy_of_the_cookie_signs_nobody_in_after_sign_out(con, cfg, clock):
    secret = signed_in(con, cfg, clock)
    users = load_users(cfg.users_path)
    assert sign_in.password_session(con, users, secret, clock()).user.username == "ana"
    row = sign_in.sign_out(con, sessions.digest(secret), "password")
    assert row.who == "ana"
    assert sign_in.password_session(con, users, secret, clock()) == sign_in.Resumed(None, None, sessions.SIGNED_OUT)
    assert sign_in.sign_out(con, sessions.digest(secret), "password") is None, "signing out twice records once"
    assert sign_in.password_session(con, users, "made-up secret", clock()).reason == "unknown"
    events = trail(con)
    assert [(w, a) for w, a, _ in events] == [("ana", audit.SIGN_IN), ("ana", audit.SIGN_OUT)]
    assert events[0][2]["session"] == events[1][2]["session"] == sessions.short(sessions.digest(secret))
    stored = con.execute("SELECT session_hash FROM sign_in_session").fetchall()
    assert stored == [(sessions.digest(secret),)] and secret not in repr(stored), "only the hash is stored"


def test_role_and_password_changes_and_removal_end_every_session_of_that_user(con, cfg, clock):
    users = lambda: load_users(cfg.users_path)  # noqa: E731
    two = [signed_in(con, cfg, clock), signed_in(con, cfg, clock)]
    root = signed_in(con, cfg, clock, "root")
    actions.set_role(con, ADMIN, cfg, "ana", Role.viewer)
    assert [sign_in.password_session(con, users(), s).reason for s in two] == [sessions.ROLE_CHANGED] * 2
    assert sign_in.password_session(con, users(), root).user is not None, "other users keep theirs"
    again = signed_in(con, cfg, clock)
    actions.set_password(con, ADMIN, cfg, "ana", "a brand new password")
    assert sign_in.password_session(con, users(), again).reason == sessions.PASSWORD_CHANGED
    out = sign_in.password_sign_in(con, AUTH, users(), "ana", "a brand new password", "10.0.0.1", sleep=clock.sleep,
                                   clock=clock)
    actions.remove_user(con, ADMIN, cfg, "ana")
    assert sign_in.password_session(con, users(), out.secret).reason == sessions.USER_REMOVED
    revoked = [d for w, a, d in trail(con) if a == audit.SESSION_REVOKED]
    assert revoked == [{"user": "ana", "reason": "role changed", "sessions": 2},
                       {"user": "ana", "reason": "password changed", "sessions": 1},
                       {"user": "ana", "reason": "user removed", "sessions": 1}]
    assert {w for w, a, _ in trail(con) if a == audit.SESSION_REVOKED} == {"root"}


def test_a_change_made_outside_the_dashboard_ends_the_session_when_it_is_next_used(con, cfg, clock):
    role_changed, password_changed = signed_in(con, cfg, clock), signed_in(con, cfg, clock, "root")
    set_role(cfg.users_path, "ana", Role.viewer)  # the users file, not isms.actions: nothing revoked yet
    set_password(cfg.users_path, "root", "another long password")
    users = load_users(cfg.users_path)
    assert sign_in.password_session(con, users, role_changed).reason == sessions.ROLE_CHANGED
    assert sign_in.password_session(con, users, password_changed).reason == sessions.PASSWORD_CHANGED
    assert sign_in.password_session(con, users, role_changed).reason == sessions.ROLE_CHANGED, "and stays ended"
    revoked = [(w, d["reason"]) for w, a, d in trail(con) if a == audit.SESSION_REVOKED]
    assert revoked == [("ana", "role changed"), ("root", "password changed")]


def test_sessions_expire(con, cfg, clock):
    auth = AuthSettings(mode="password", session_hours=2)
    out = sign_in.password_sign_in(con, auth, load_users(cfg.users_path), "ana", PASSWORD, "10.0.0.1",
                                   sleep=clock.sleep, clock=clock)
    users = load_users(cfg.users_path)
    assert sign_in.password_session(con, users, out.secret, clock.now + dt.timedelta(hours=1)).user is not None
    assert sign_in.password_session(con, users, out.secret, clock.now + dt.timedelta(hours=2)).reason == "expired"


def test_oidc_sessions_are_per_id_token_and_end_at_sign_out(con):
    claims = {"iss": "https://idp", "sub": "u-1", "iat": 1700000000, "nonce": "n1", "email": "a@example.org"}
    auth = AuthSettings(mode="oidc")
    first = sign_in.oidc_session(con, auth, claims, "a@example.org", Role.analyst, "loopback")
    assert first.row is not None
    assert sign_in.oidc_session(con, auth, claims, "a@example.org", Role.analyst, "loopback").row == first.row
    sign_in.sign_out(con, first.row.session_hash, "oidc")
    assert sign_in.oidc_session(con, auth, claims, "a@example.org", Role.analyst, "loopback").reason == "signed out"
    fresh = {**claims, "iat": 1700000100, "nonce": "n2"}  # signed in again at the provider
    assert sign_in.oidc_session(con, auth, fresh, "a@example.org", Role.analyst, "loopback").row is not None
    changed = sign_in.oidc_session(con, auth, fresh, "a@example.org", Role.viewer, "loopback")
    assert changed.reason == sessions.ROLE_CHANGED
    assert [a for _, a, _ in trail(con)] == [audit.SIGN_OUT, audit.SESSION_REVOKED]


# --- settings ------------------------------------------------------------------------------------

def test_throttle_and_session_settings_have_production_defaults():
    auth = auth_from_settings({})
    assert (auth.max_failures, auth.max_client_failures, auth.lockout_minutes, auth.delay_seconds,
            auth.max_delay_seconds, auth.session_hours, auth.cookie_secure, auth.client_address_header) == (
        5, 20, 15.0, 1.0, 30.0, 12.0, "auto", "")
    assert [throttle.delay_after(auth, n) for n in range(7)] == [0, 1, 2, 4, 8, 16, 30]
    assert auth_from_settings({"cookie_secure": True}).cookie_secure == "always"


@pytest.mark.parametrize("text,error", [("max_failures = 0", "max_failures = 0 must be at least 1"),
                                        ('lockout_minutes = "soon"', "lockout_minutes = 'soon' is not a number"),
                                        ("delay_seconds = -1", "delay_seconds = -1 must be zero or more"),
                                        ('cookie_secure = "sometimes"', "cookie_secure 'sometimes'")])
def test_bad_throttle_settings_are_refused_with_the_key(tmp_path, text, error):
    path = tmp_path / "isms.toml"
    path.write_text(f'[auth]\nmode = "password"\n{text}\n')
    with pytest.raises(SettingsError, match=error):
        load_settings(path)


def test_cli_lifts_a_lock_when_the_dashboard_is_stopped(tmp_path, cfg, clock):
    """The way back in for an administrator who locked their own user name (the Settings page
    needs a signed-in administrator)."""
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    db = tmp_path / "isms.duckdb"
    con = connect(db)
    for _ in range(3):
        attempt(con, cfg, clock, "root", "wrong password")
    con.close()
    env = {**os.environ, "ISMS_CONFIG": cfg.config_path, "ISMS_DB": str(db)}
    run = lambda *args: subprocess.run([sys.executable, "-m", "isms", "user", "--by", "ops", "unlock", *args],  # noqa: E731
                                       capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    done = run("root")
    assert done.returncode == 0, done.stderr
    again = run("root")
    assert again.returncode == 1 and "user name 'root' is not locked" in again.stderr
    assert run("10.0.0.1", "--client").returncode == 1, "the address reached 3 of its 6: not locked"
    con = connect(db)
    assert [(w, d["lock"]) for w, a, d in trail(con) if a == audit.LOCKOUT_LIFTED] == [("ops", "user:root")]
    assert attempt(con, cfg, clock, "root", PASSWORD).user is not None
    con.close()


def test_pending_wait_is_what_an_attempt_would_wait_before_its_check(con, cfg, clock):
    """The dashboard waits this out before it takes the writers' lock (see ui.auth)."""
    assert sign_in.pending_wait(con, AUTH, "ana", "10.0.0.1", clock=clock) == 0
    attempt(con, cfg, clock, "ana", "guess one")  # holds its answer back 1 s: the clock is now at the delay's end
    clock.advance(-0.25)
    assert sign_in.pending_wait(con, AUTH, " Ana ", "10.0.0.1", clock=clock) == pytest.approx(0.25)
    clock.advance(0.25)
    for guess in ("two", "three"):
        attempt(con, cfg, clock, "ana", guess)
    assert sign_in.pending_wait(con, AUTH, "ana", "10.0.0.1", clock=clock) == 0, "locked: refused at once, no wait"
