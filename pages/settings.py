"""Settings (administrators): the risk matrix, appetite, import limits, users and sign-in lockouts."""

import pandas as pd
import streamlit as st

from isms import actions, throttle
from isms.auth import Role
from isms.users import UserError, load_users
from ui.auth import require
from ui.matrix_settings import apply_settings, matrix_form, show_saved
from ui.resources import cursor, settings, writing

user = require("admin", "Settings")
cfg = settings()
ROLES = [r.name for r in Role]


st.title("Settings")
st.caption(f"Written to `{cfg.config_path}`; every change is recorded in the audit trail with its before and after.")
show_saved()

st.subheader("Risk matrix and appetite")
matrix_form(user, cfg)

st.subheader("Import limits")
c1, c2 = st.columns(2)
max_mb = c1.number_input("Largest upload (MB)", min_value=1.0, max_value=500.0, value=float(cfg.max_upload_mb),
                         step=1.0, format="%g", key="max_upload_mb")
max_rows = c2.number_input("Most rows per sheet", min_value=100, max_value=5_000_000, value=int(cfg.max_rows),
                           step=1000, key="max_rows")
if st.button("Save limits", key="save_limits"):
    apply_settings(user, cfg, {("import", "max_upload_mb"): float(max_mb), ("import", "max_rows"): int(max_rows)})

st.subheader("Users")
if cfg.auth.mode == "local":
    st.info("Local mode: whoever uses this computer is the administrator. Set `[auth] mode` to "
            "`password` or `oidc` in the settings file to give people their own roles.")
elif cfg.auth.mode == "oidc":
    st.caption("Roles come from the ID token: its e-mail address (`[auth.emails]`) or its "
               f"`{cfg.auth.group_claim}` claim (`[auth.groups]`); the highest role mapped wins.")
    rows = [("e-mail", k, r.name) for k, r in cfg.auth.emails.items()] + [
        ("group", k, r.name) for k, r in cfg.auth.groups.items()]
    st.dataframe(pd.DataFrame(rows, columns=["by", "who", "role"]), hide_index=True, key="role_mapping")
else:
    try:
        users = load_users(cfg.users_path)
    except UserError as exc:
        st.error(str(exc))
        st.stop()
    st.dataframe(pd.DataFrame([(u.username, u.name, u.email, u.role.name) for u in users.values()],
                              columns=["user", "name", "e-mail", "role"]), hide_index=True, key="user_table")

    def run(change, *args) -> None:
        try:
            with writing("a user change") as cur:
                change(cur, user, cfg, *args)
        except (UserError, PermissionError) as exc:
            st.error(f"Not changed: {exc}")
        else:
            st.session_state["users_saved"] = "Saved; the change is in the audit trail."
            st.rerun()

    if "users_saved" in st.session_state:
        st.success(st.session_state.pop("users_saved"))

    with st.form("add_user", clear_on_submit=True):
        st.markdown("**Add a user**")
        a1, a2, a3, a4 = st.columns(4)
        new_name = a1.text_input("User name", key="new_username")
        new_full = a2.text_input("Full name", key="new_fullname")
        new_email = a3.text_input("E-mail", key="new_email")
        new_role = a4.selectbox("Role", ROLES, key="new_role")
        new_password = st.text_input("Password (at least 12 characters)", type="password", key="new_password")
        if st.form_submit_button("Add user"):
            run(lambda cur, u, c: actions.add_user(cur, u, c, new_name.strip(), new_password, Role.parse(new_role),
                                                   name=new_full.strip(), email=new_email.strip()))
    if users:
        r1, r2, r3, r4 = st.columns([2, 2, 1, 1], vertical_alignment="bottom")
        who = r1.selectbox("User", list(users), key="change_user")
        role = r2.selectbox("New role", ROLES, key="change_role", index=ROLES.index(users[who].role.name))
        if r3.button("Set role", key="set_role"):
            run(actions.set_role, who, Role.parse(role))
        if r4.button("Remove", key="remove_user"):
            run(actions.remove_user, who)
    st.caption("Changing a user's role or password, or removing them, ends their sessions at once.")

    st.subheader("Sign-in lockouts")
    auth = cfg.auth
    st.caption(f"{auth.max_failures} failed sign-ins in a row lock a user name, {auth.max_client_failures} lock a "
               f"client address, for {auth.lockout_minutes:g} minutes; each failure before that doubles the wait "
               f"(from {auth.delay_seconds:g} s). Set in `[auth]` of the settings file.")
    with cursor() as cur:
        locks = throttle.lockouts(cur)
    if "lock_lifted" in st.session_state:
        st.success(st.session_state.pop("lock_lifted"))
    if not locks:
        st.info("Nothing is locked.")
    else:
        st.dataframe(pd.DataFrame([(throttle.describe(r.key), r.failures, r.locked_until) for r in locks],
                                  columns=["locked", "failures in a row", "until (UTC)"]),
                     hide_index=True, key="lockout_table")
        k1, k2 = st.columns([3, 1], vertical_alignment="bottom")
        lock = k1.selectbox("Lock", [r.key for r in locks], format_func=throttle.describe, key="lockout_choice")
        if k2.button("Lift lock", key="lift_lockout"):
            try:
                with writing("lifting a lockout") as cur:
                    actions.lift_lockout(cur, user, lock)
            except (ValueError, PermissionError) as exc:
                st.error(f"Not lifted: {exc}")
            else:
                st.session_state["lock_lifted"] = f"Lifted the lock on {throttle.describe(lock)}; it is in the audit trail."
                st.rerun()
