"""Role rules, password users, the audit trail, audited write actions and the hardening items."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import bcrypt
import openpyxl
import pandas as pd
import pytest

from isms import actions, audit
from isms.auth import (NEEDS, AuthSettings, Refused, Role, User, allows, auth_from_settings, check, is_loopback,
                       local_mode_refusal, role_from_claims)
from isms.config import SettingsError, load_settings
from isms.exports import neutralise, protect_cells, to_csv
from isms.importing.pipeline import build_plan
from isms.store import connect
from isms.users import UserError, add_user, load_users, remove_user, set_role
from tests.conftest import ROOT, SAMPLE
from tests.factories import D, load, risk

ANALYST = User("ana", Role.analyst)
OTHER_ANALYST = User("bob", Role.analyst)
VIEWER = User("vic", Role.viewer)
ADMIN = User("root", Role.admin)


def trail(con, action=None) -> list[tuple[str, str, dict]]:
    df = audit.events(con, audit.AuditFilter(actions=(action,) if action else ()))
    return [(r.who, r.action, json.loads(r.detail)) for r in df.iloc[::-1].itertuples()]


# --- role rules ---------------------------------------------------------------------------------

EXPECTED = {  # written out by hand from the issue, not derived from NEEDS
    Role.viewer: {"view", "generate-pack"},
    Role.analyst: {"view", "generate-pack", "import", "undo-own-import", "download-annotated", "save-pack-sections",
                   "load-sample",  # issue 18: the sample is built beside the database by whoever may import
                   "record-forum",  # issue 16: analysts record meetings, decisions and actions; the chair approves minutes
                   "decide-mappings"},  # issue 15: analysts accept or reject suggested control-to-requirement links
    Role.admin: set(NEEDS),
}


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.name)
def test_each_role_may_do_exactly_what_the_issue_says(role):
    assert {a for a in NEEDS if allows(role, a)} == EXPECTED[role]
    assert not any(allows(None, a) for a in NEEDS)


def test_check_names_the_role_needed():
    with pytest.raises(Refused, match="needs the admin role; vic \\(viewer\\)"):
        check(VIEWER, "change-settings")
    with pytest.raises(ValueError, match="unknown action"):
        allows(Role.admin, "launch-missiles")


def test_roles_from_claims_take_the_highest_mapping():
    auth = auth_from_settings({"mode": "oidc", "emails": {"CISO@Example.org": "admin", "a@example.org": "viewer"},
                               "groups": {"analysts": "analyst"}})
    assert role_from_claims(auth, {"email": "ciso@example.org"}) is Role.admin
    assert role_from_claims(auth, {"email": "a@example.org", "groups": ["analysts", "x"]}) is Role.analyst
    assert role_from_claims(auth, {"email": "a@example.org", "groups": "analysts"}) is Role.analyst
    assert role_from_claims(auth, {"email": "nobody@example.org"}) is None
    assert role_from_claims(auth, {"email": "ciso@example.org", "email_verified": False}) is None
    with_default = AuthSettings(mode="oidc", default_role=Role.viewer)
    assert role_from_claims(with_default, {"email": "nobody@example.org"}) is Role.viewer


def test_bad_auth_settings_are_refused_with_the_key(tmp_path):
    cfg = tmp_path / "isms.toml"
    cfg.write_text('[auth]\nmode = "ldap"\n')
    with pytest.raises(SettingsError, match="mode 'ldap'"):
        load_settings(cfg)
    cfg.write_text('[auth]\nmode = "oidc"\n[auth.emails]\n"a@b.c" = "superuser"\n')
    with pytest.raises(SettingsError, match="unknown role 'superuser'"):
        load_settings(cfg)


@pytest.mark.parametrize("address,ok", [("127.0.0.1", True), ("localhost", True), ("::1", True), ("127.0.0.2", True),
                                        ("0.0.0.0", False), ("", False), (None, False), ("10.0.0.5", False),
                                        ("dashboard.example.org", False), ("::", False)])
def test_local_mode_serves_only_loopback(address, ok):
    assert is_loopback(address) is ok
    assert (local_mode_refusal(address) is None) is ok


# --- password users -------------------------------------------------------------------------------

def test_users_file_is_owner_only_with_bcrypt_hashes(tmp_path):
    path = tmp_path / "users.toml"
    add_user(path, "root", "a long admin password", Role.admin, name="Root", email="root@example.org")
    add_user(path, "ana", "another long password", Role.analyst)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    raw = tomllib.loads(path.read_text())["users"]
    assert "a long admin password" not in path.read_text()
    assert bcrypt.checkpw(b"a long admin password", raw["root"]["password"].encode())
    assert not bcrypt.checkpw(b"a long admin passwore", raw["root"]["password"].encode())
    assert {u.username: u.role for u in load_users(path).values()} == {"root": Role.admin, "ana": Role.analyst}


def test_user_changes_that_would_lock_out_administration_are_refused(tmp_path):
    path = tmp_path / "users.toml"
    with pytest.raises(UserError, match="at least one administrator"):
        add_user(path, "ana", "another long password", Role.analyst)
    add_user(path, "root", "a long admin password", Role.admin)
    before = path.read_bytes()
    with pytest.raises(UserError, match="at least one administrator"):
        set_role(path, "root", Role.viewer)
    with pytest.raises(UserError, match="at least one administrator"):
        remove_user(path, "root")
    with pytest.raises(UserError, match="12 characters"):
        add_user(path, "bob", "short", Role.viewer)
    with pytest.raises(UserError, match="exists"):
        add_user(path, "root", "a long admin password", Role.admin)
    with pytest.raises(UserError, match="user name"):
        add_user(path, "Bad Name!", "a long admin password", Role.viewer)
    assert path.read_bytes() == before


def cli(*args, env_extra=None, stdin=None):
    return subprocess.run([sys.executable, "-m", "isms", *args], input=stdin, capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, **(env_extra or {})}, timeout=180)


def test_cli_adds_users_and_audits_when_there_is_a_database(tmp_path, sample_db_copy):
    cfg = tmp_path / "isms.toml"
    cfg.write_text('[auth]\nmode = "password"\nusers_file = "people.toml"\n')
    env = {"ISMS_CONFIG": str(cfg), "ISMS_DB": str(sample_db_copy)}
    out = cli("user", "--by", "ops", "add", "root", "--role", "admin", "--password-stdin", env_extra=env,
              stdin="a long admin password\n")
    assert out.returncode == 0, out.stderr
    out = cli("user", "add", "ana", "--role", "analyst", "--password-stdin", env_extra=env, stdin="too short\n")
    assert out.returncode == 1 and "12 characters" in out.stderr
    out = cli("user", "list", env_extra=env)
    assert out.stdout.split("\t")[:2] == ["root", "admin"]
    con = connect(sample_db_copy)
    assert trail(con, audit.USERS_CHANGED) == [("ops", audit.USERS_CHANGED,
                                                 {"user": "root", "change": "added", "role": "admin"})]
    con.close()
    assert bcrypt.checkpw(b"a long admin password", load_users(tmp_path / "people.toml")["root"].password_hash.encode())


# --- audited write actions ----------------------------------------------------------------------

@pytest.fixture
def cfg(tmp_path):
    path = tmp_path / "isms.toml"
    path.write_text((ROOT / "isms.toml").read_text())
    return load_settings(path, db_path=str(tmp_path / "t.duckdb"))


def sample_bytes(name="2023-12-31-register.xlsx") -> bytes:
    return (SAMPLE / name).read_bytes()


def test_import_committed_refused_and_forbidden_are_all_in_the_trail(con, cfg):
    ok, _ = actions.import_workbook(con, ANALYST, cfg, sample_bytes(), "2023-12-31-register.xlsx")
    assert ok.status == "committed"
    bad, _ = actions.import_workbook(con, ANALYST, cfg, b"not a workbook", "junk.xlsx")
    assert bad.status == "refused"
    with pytest.raises(Refused):
        actions.import_workbook(con, VIEWER, cfg, sample_bytes(), "2023-12-31-register.xlsx")
    again, _ = actions.import_workbook(con, ANALYST, cfg, sample_bytes(), "2023-12-31-register.xlsx")
    assert again.status == "unchanged"
    events = trail(con)
    assert [(w, a) for w, a, _ in events] == [("ana", audit.IMPORT_COMMITTED), ("ana", audit.IMPORT_REFUSED),
                                              ("vic", audit.ACCESS_REFUSED)]
    assert events[0][2]["batch_id"] == ok.batch_id and events[0][2]["rows"]["risks"] == ok.row_counts["risks"]
    assert "not a spreadsheet" in events[1][2]["first_problems"][0]
    assert con.execute("SELECT count(*) FROM import_batch").fetchone()[0] == 1


def test_upload_cap_refuses_before_reading_and_is_audited(con, tmp_path):
    path = tmp_path / "small.toml"
    path.write_text('[import]\nmax_upload_mb = 0.001\n')
    small = load_settings(path)
    out, _ = actions.import_workbook(con, ANALYST, small, sample_bytes(), "big.xlsx")
    assert out.status == "refused" and "over the upload limit of 0.001 MB" in str(out.problems[0])
    assert [a for _, a, _ in trail(con)] == [audit.IMPORT_REFUSED]
    assert con.execute("SELECT count(*) FROM import_batch").fetchone()[0] == 0


def test_row_cap_from_settings_refuses_a_long_sheet(con, tmp_path):
    path = tmp_path / "rows.toml"
    path.write_text('[import]\nmax_rows = 10\n')
    out, _ = actions.import_workbook(con, ANALYST, load_settings(path), sample_bytes(), "x.xlsx")
    assert out.status == "refused" and any("over the limit of 10" in str(p) for p in out.problems)


def test_undo_own_import_only_unless_admin(con):
    mine = load(con, "2024-03-31", risks=[risk("R-1")])
    con.execute("UPDATE import_batch SET imported_by = 'ana' WHERE batch_id = ?", [mine])
    theirs = load(con, "2024-06-30", risks=[risk("R-1")])
    with pytest.raises(Refused, match="imported by pytest"):
        actions.undo_import(con, ANALYST, theirs)
    with pytest.raises(Refused):
        actions.undo_import(con, VIEWER, mine)
    actions.undo_import(con, ANALYST, mine)
    actions.undo_import(con, ADMIN, theirs)
    with pytest.raises(ValueError, match="already undone"):
        actions.undo_import(con, ADMIN, theirs)
    undone = [(w, d["batch_id"]) for w, a, d in trail(con) if a == audit.IMPORT_UNDONE]
    assert undone == [("ana", mine), ("root", theirs)]
    assert [a for _, a, _ in trail(con)].count(audit.ACCESS_REFUSED) == 2
    assert con.execute("SELECT count(*) FROM active_batch").fetchone()[0] == 0


def test_cli_import_records_committed_and_refused_with_the_user(tmp_path):
    db = tmp_path / "cli.duckdb"
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"garbage")
    env = {"ISMS_DB": str(db)}
    ok = cli("import", str(SAMPLE / "2023-12-31-register.xlsx"), "--user", "carol", env_extra=env)
    assert ok.returncode == 0, ok.stderr
    refused = cli("import", str(bad), "--user", "carol", env_extra=env)
    assert refused.returncode == 1
    dry = cli("import", str(SAMPLE / "2024-03-31-register.xlsx"), "--dry-run", env_extra=env)
    assert dry.returncode == 0
    con = connect(db)
    events = trail(con)
    con.close()
    assert [(w, a, d["file"]) for w, a, d in events] == [
        ("carol", audit.IMPORT_COMMITTED, "2023-12-31-register.xlsx"), ("carol", audit.IMPORT_REFUSED, "bad.xlsx")]


def test_settings_change_keeps_comments_and_a_bad_value_changes_nothing(con, cfg):
    path = Path(cfg.config_path)
    changed = actions.change_settings(con, ADMIN, cfg, {("matrix", "preset"): "3x3", ("matrix", "appetite"): "Low"})
    assert changed == {"matrix.preset": {"before": "5x5", "after": "3x3"},
                       "matrix.appetite": {"before": "Medium", "after": "Low"}}
    assert "# The highest level acceptable without" in path.read_text()
    assert load_settings(path).matrix.name == "3x3"
    before = path.read_bytes()
    with pytest.raises(SettingsError, match="Purple"):
        actions.change_settings(con, ADMIN, cfg, {("matrix", "appetite"): "Purple"})
    with pytest.raises(Refused):
        actions.change_settings(con, ANALYST, cfg, {("matrix", "appetite"): "High"})
    assert path.read_bytes() == before
    events = trail(con)
    assert [(w, a) for w, a, _ in events] == [("root", audit.SETTINGS_CHANGED), ("ana", audit.ACCESS_REFUSED)]
    assert events[0][2]["changes"] == changed


def test_audit_record_refuses_unknown_actions_and_filters(con):
    with pytest.raises(ValueError, match="unknown audit action"):
        audit.record(con, "x", "deleted-everything")
    audit.record(con, "ana", audit.SIGN_IN, {"mode": "password"})
    audit.record(con, "root", audit.PACK_GENERATED, {"pack": "Risk Review"})
    assert list(audit.events(con, audit.AuditFilter(who="root")).action) == [audit.PACK_GENERATED]
    assert list(audit.events(con).who) == ["root", "ana"]
    assert audit.people(con) == ["ana", "root"]


# --- hardening ----------------------------------------------------------------------------------

def test_csv_export_neutralises_formula_cells():
    df = pd.DataFrame({"who": ["=cmd|' /C calc'!A0", "+1", "-2", "@SUM(A1)", "\tx", "plain", None],
                       "n": [-1, 2, 3, 4, 5, 6, 7]})
    rows = list(csv.reader(io.StringIO(to_csv(df).decode("utf-8-sig"))))
    assert rows[0] == ["who", "n"]
    assert [r[0] for r in rows[1:]] == ["'=cmd|' /C calc'!A0", "'+1", "'-2", "'@SUM(A1)", "'\tx", "plain", ""]
    assert [r[1] for r in rows[1:]] == ["-1", "2", "3", "4", "5", "6", "7"], "numbers stay numbers"
    assert neutralise(5) == 5


def test_xlsx_cells_that_look_like_formulas_are_stored_as_text(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["=1+1", "@x", "ok", -3])
    protect_cells(wb.active)
    wb.save(tmp_path / "x.xlsx")
    with zipfile.ZipFile(tmp_path / "x.xlsx") as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet, "no cell is written as a formula"
    back = openpyxl.load_workbook(tmp_path / "x.xlsx").active
    assert [c.data_type for c in back[1]] == ["s", "s", "s", "n"]
    assert back["A1"].quotePrefix and not back["C1"].quotePrefix


def test_database_file_is_created_owner_only(tmp_path):
    old = os.umask(0)
    try:
        con = connect(tmp_path / "new" / "isms.duckdb")
    finally:
        os.umask(old)
    con.close()
    assert stat.S_IMODE((tmp_path / "new" / "isms.duckdb").stat().st_mode) == 0o600


def _with_entity(src: Path, dst: Path, part: str, secret: Path) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == part:
                assert b">R-1<" in data and not data.startswith(b"<?xml")
                doctype = f'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file://{secret}">]>'.encode()
                data = doctype + data.replace(b">R-1<", b">&xxe;<")
            zout.writestr(item, data)


def test_xml_entities_are_never_expanded(tmp_path):
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML, "openpyxl reads XML through defusedxml only when it is installed"
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    wb = openpyxl.Workbook()
    wb.active.title = "Risks"
    wb.active.append(["Risk id"])
    wb.active.append(["R-1"])
    plain = tmp_path / "plain.xlsx"
    wb.save(plain)
    evil = tmp_path / "evil.xlsx"
    _with_entity(plain, evil, "xl/worksheets/sheet1.xml", secret)
    from defusedxml import DTDForbidden, EntitiesForbidden

    with pytest.raises(ValueError, match="Unable to read workbook") as refused:
        openpyxl.load_workbook(evil)
    assert isinstance(refused.value.__cause__, (DTDForbidden, EntitiesForbidden))
    plan = build_plan(evil.read_bytes(), "evil.xlsx", load_settings(ROOT / "isms.toml").matrix)
    assert "TOPSECRET" not in repr(plan.frames) + "".join(map(str, plan.problems))


def test_secrets_stay_out_of_the_repository():
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert ".streamlit/secrets.toml" in ignored and "users.toml" in ignored
    example = tomllib.loads((ROOT / ".streamlit" / "secrets.toml.example").read_text())
    assert {"redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url"} <= set(example["auth"])
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    assert ".streamlit/secrets.toml.example" in tracked
    assert ".streamlit/secrets.toml" not in tracked and "users.toml" not in tracked


def test_pack_generation_is_recorded_for_any_role(con):
    actions.record_pack(con, VIEWER, "Risk Review", D("2026-09-30"), "risk.pptx")
    actions.record_pack(con, VIEWER, "Risk Review", D("2026-09-30"), "themed.pdf", D("2026-06-30"),
                        "Annex A themes: A.8 Technological")
    assert trail(con) == [("vic", audit.PACK_GENERATED,
                           {"meeting": "Risk Review", "as_of": "2026-09-30", "compare_to": None, "file": "risk.pptx"}),
                          ("vic", audit.PACK_GENERATED,
                           {"meeting": "Risk Review", "as_of": "2026-09-30", "compare_to": "2026-06-30",
                            "file": "themed.pdf", "scope": "Annex A themes: A.8 Technological"})]


def test_make_run_refuses_local_mode_on_a_network_address(tmp_path):
    refused = cli("check-address", "0.0.0.0")
    assert refused.returncode == 2 and "--server.address 127.0.0.1" in refused.stderr
    assert cli("check-address", "127.0.0.1").returncode == 0
    cfg = tmp_path / "isms.toml"
    cfg.write_text('[auth]\nmode = "password"\n')
    assert cli("check-address", "0.0.0.0", env_extra={"ISMS_CONFIG": str(cfg)}).returncode == 0
    makefile = (ROOT / "Makefile").read_text()
    assert "ADDRESS ?= 127.0.0.1" in makefile and 'isms check-address "$(ADDRESS)"' in makefile


def test_an_existing_database_gains_the_audit_trail_and_keeps_its_batches(sample_db_copy):
    import duckdb

    raw = duckdb.connect(str(sample_db_copy))
    raw.execute("DROP TABLE audit_event; DELETE FROM schema_migration WHERE version = 3")
    batches = raw.execute("SELECT count(*) FROM import_batch").fetchone()[0]
    raw.close()
    con = connect(sample_db_copy)
    assert 3 in {v for (v,) in con.execute("SELECT version FROM schema_migration").fetchall()}
    assert con.execute("SELECT count(*) FROM import_batch").fetchone()[0] == batches > 0
    audit.record(con, "root", audit.SIGN_IN, {"mode": "local"})
    assert len(audit.events(con)) == 1
    con.close()


def test_an_events_detail_reads_whole_as_data():
    """The Audit trail page shows the chosen event's detail whole: the recorded JSON as data, and
    anything else as it was recorded (never an error on the page)."""
    from isms.audit import detail_of

    recorded = '{"changes": {"import.max_upload_mb": {"before": 25, "after": 5}}, "file": "' + "x" * 300 + '"}'
    assert detail_of(recorded) == {"changes": {"import.max_upload_mb": {"before": 25, "after": 5}}, "file": "x" * 300}
    assert detail_of("not json {") == {"recorded": "not json {"}
    assert detail_of(None) == {}
