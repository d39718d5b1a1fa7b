"""The Compliance review's figures, in SQL: coverage and effectiveness per requirement, control
tests due and failed, the audit calendar, findings by grade, age and over time.

Definitions (the page, the CLI and the pack read the same numbers):
- applicable: the framework's SoA says so, as of the date. A framework without an SoA has every
  requirement of its catalog applicable (the page says which frameworks have none).
- covered: an applicable requirement cited by at least one control of the register (itself, or by
  a suggested link an analyst accepted by the date: isms.store.mapping_suggestions) that is
  Implemented or Partially implemented. A control citing the 800-53 catalog (NIST-800-53r5:AC-2)
  covers that ref in every NIST and FedRAMP Rev 5 baseline.
- effective: covered by such a control whose last test result (the latest period with a result
  known on the date) is Pass.
- an open finding is Open or Remediated (not yet verified); overdue when past its due date.
"""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import pandas as pd

from isms.catalogs import shipped
from isms.store.compliance import control_links_at_sql, per_framework_sql, register_sql, requirements_sql, tests_sql

COVERING = ("Implemented", "Partially implemented")
OPEN = ("Open", "Remediated")


def _d(value: dt.date) -> str:
    return f"DATE '{value.isoformat()}'"


def _list(values) -> str:
    return "[" + ", ".join("'" + str(v).replace("'", "''") + "'" for v in values) + "]::VARCHAR[]"


def _base_pairs(frameworks: list[str]) -> str:
    """(framework, cited_as): the codes a control may cite to satisfy each framework in scope."""
    rows = [(f, f) for f in frameworks] + [(f, shipped.base(f)) for f in frameworks if shipped.base(f)]
    values = ", ".join(f"('{f}', '{b}')" for f, b in rows) or "(NULL, NULL)"
    return f"cite_as(framework, cited_as) AS (VALUES {values})"


def requirement_state_sql(as_of: dt.date, frameworks: list[str]) -> str:
    """One row per requirement of the frameworks: family, applicable, in the SoA or not, the SoA's
    status, the covering controls and those whose last test passed (needs shipped.register)."""
    return f"""
    WITH {_base_pairs(frameworks)},
    req AS (SELECT * FROM ({requirements_sql(as_of)}) WHERE list_contains({_list(frameworks)}, framework)),
    soa AS ({per_framework_sql('soa', as_of)}),
    has_soa AS (SELECT DISTINCT framework FROM soa),
    ctl AS ({register_sql('controls', as_of)}),
    cites AS (SELECT c.control_id, c.name AS control_name, c.status AS control_status, l.framework AS cited_as, l.ref
              FROM ctl c JOIN ({control_links_at_sql(f"(SELECT {_d(as_of)} AS as_of)")}) l USING (control_id)),
    tests AS ({tests_sql(as_of)}),
    last_result AS (SELECT control_id, arg_max(result, period) AS last_result, max(period) AS last_period
                    FROM tests WHERE result IS NOT NULL GROUP BY control_id),
    mapped AS (SELECT a.framework, c.ref, c.control_id, c.control_name, c.control_status, lr.last_result
               FROM cites c JOIN cite_as a USING (cited_as) LEFT JOIN last_result lr USING (control_id))
    SELECT r.framework, r.ref, r.title, r.family, r.parent,
           CASE WHEN r.framework IN (SELECT framework FROM has_soa) THEN coalesce(s.applicable, FALSE)
                ELSE TRUE END AS applicable,
           s.ref IS NOT NULL AS in_soa, s.implementation_status, s.reason, s.justification, s.soa_version,
           list(DISTINCT m.control_id ORDER BY m.control_id) FILTER (WHERE m.control_status IN {COVERING})
               AS controls,
           list(DISTINCT m.control_id ORDER BY m.control_id)
               FILTER (WHERE m.control_status IN {COVERING} AND m.last_result = 'Pass') AS effective_controls
    FROM req r LEFT JOIN soa s USING (framework, ref) LEFT JOIN mapped m USING (framework, ref)
    GROUP BY ALL"""


def ref_key(ref: str) -> tuple:
    """A.5.10 after A.5.9; AC-2(1) after AC-2: a requirement's numbers compared as numbers, so lists
    read in the catalog's order. Text parts and numbers alternate, so two keys always compare."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", str(ref)))


def requirement_state(con: duckdb.DuckDBPyConnection, as_of: dt.date, frameworks: list[str]) -> pd.DataFrame:
    shipped.register(con)
    df = con.execute(requirement_state_sql(as_of, frameworks)).df()
    # SQL would sort A.5.10 before A.5.2; a reader expects the catalog's order
    df = df.sort_values(["framework", "family", "ref"], key=lambda s: s.map(ref_key) if s.name == "ref" else s,
                        kind="stable").reset_index(drop=True)
    for col in ("controls", "effective_controls"):
        df[col] = df[col].map(lambda v: list(v) if hasattr(v, "__len__") and not isinstance(v, str) else [])
    return df


def framework_totals(con: duckdb.DuckDBPyConnection, as_of: dt.date, frameworks: list[str]) -> pd.DataFrame:
    """Per framework: requirements, applicable, covered, effective, and open findings by grade."""
    shipped.register(con)
    return con.execute(f"""
        WITH st AS ({requirement_state_sql(as_of, frameworks)}),
        fnd AS (SELECT f.* FROM ({register_sql('findings', as_of)}) f WHERE f.status IN {OPEN}),
        totals AS (SELECT framework, count(*) AS requirements, count(*) FILTER (WHERE applicable) AS applicable,
                          count(*) FILTER (WHERE applicable AND len(controls) > 0) AS covered,
                          count(*) FILTER (WHERE applicable AND len(effective_controls) > 0) AS effective,
                          bool_or(in_soa) AS has_soa
                   FROM st GROUP BY framework),
        found AS (SELECT framework,
                         count(*) FILTER (WHERE grade = 'Major nonconformity') AS open_major,
                         count(*) FILTER (WHERE grade = 'Minor nonconformity') AS open_minor,
                         count(*) FILTER (WHERE grade = 'Observation') AS open_observation,
                         count(*) FILTER (WHERE grade = 'Opportunity for improvement') AS open_ofi
                  FROM fnd GROUP BY framework)
        SELECT t.*, coalesce(f.open_major, 0) AS open_major, coalesce(f.open_minor, 0) AS open_minor,
               coalesce(f.open_observation, 0) AS open_observation, coalesce(f.open_ofi, 0) AS open_ofi
        FROM totals t LEFT JOIN found f USING (framework) ORDER BY framework""").df()


def frameworks_in_scope(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> list[str]:
    """The frameworks the organisation answers to on the date: those with an SoA; with none, those
    its controls cite."""
    rows = con.execute(f"SELECT DISTINCT framework FROM ({per_framework_sql('soa', as_of)}) ORDER BY 1").fetchall()
    if rows:
        return [r[0] for r in rows]
    rows = con.execute(f"""SELECT DISTINCT split_part(u.r, ':', 1) FROM ({register_sql('controls', as_of)}) c,
                               unnest(c.requirements) AS u(r) ORDER BY 1""").fetchall()
    return [r[0] for r in rows]


def tests(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> pd.DataFrame:
    """Control tests known on the date, with the control's name and owner."""
    return con.execute(f"""SELECT t.control_id, c.name AS control_name, c.owner, t.period, t.due_on, t.tested_on,
                                  t.result, t.tester
                           FROM ({tests_sql(as_of)}) t LEFT JOIN ({register_sql('controls', as_of)}) c USING (control_id)
                           ORDER BY t.period, t.control_id""").df()


def controls_held(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> int:
    """How many controls the control register holds on the date."""
    return con.execute(f"SELECT count(*) FROM ({register_sql('controls', as_of)})").fetchall()[0][0]


def register(con: duckdb.DuckDBPyConnection, kind: str, as_of: dt.date) -> pd.DataFrame:
    return con.execute(f"SELECT * EXCLUDE (batch_id) FROM ({register_sql(kind, as_of)}) ORDER BY 1").df()


def open_findings_by_month(con: duckdb.DuckDBPyConnection, dates: list[dt.date]) -> pd.DataFrame:
    """Per date: findings open then (the register as of that date), raised and closed in the month."""
    if not dates:
        return pd.DataFrame(columns=["as_of", "open", "overdue", "raised", "closed"])
    parts = [f"""SELECT {_d(d)} AS as_of,
                        count(*) FILTER (WHERE status IN {OPEN}) AS open,
                        count(*) FILTER (WHERE status IN {OPEN} AND due_on < {_d(d)}) AS overdue,
                        count(*) FILTER (WHERE raised_on > {_d(d.replace(day=1))} - INTERVAL 1 DAY
                                         AND raised_on <= {_d(d)}) AS raised,
                        count(*) FILTER (WHERE closed_on > {_d(d.replace(day=1))} - INTERVAL 1 DAY
                                         AND closed_on <= {_d(d)}) AS closed
                 FROM ({register_sql('findings', d)})""" for d in dates]
    return con.execute(" UNION ALL ".join(parts) + " ORDER BY as_of").df()


def first_register(con: duckdb.DuckDBPyConnection, kind: str, as_of: dt.date) -> dt.date | None:
    """The date of the first active batch on or before `as_of` that brought a register of `kind`
    (None: none by then)."""
    return con.execute("SELECT min(as_of) FROM active_batch WHERE list_contains(kinds, ?) AND as_of <= ?",
                       [kind, as_of]).fetchall()[0][0]


def review_dates(con: duckdb.DuckDBPyConnection) -> list[dt.date]:
    """The dates compliance data was imported for, newest first: what the page offers."""
    rows = con.execute("""SELECT DISTINCT as_of FROM active_batch WHERE len(list_intersect(kinds,
        ['controls', 'soa', 'control_tests', 'audits', 'findings', 'mappings'])) > 0 ORDER BY as_of DESC""").fetchall()
    return [r[0] for r in rows]


def soa_approval(con: duckdb.DuckDBPyConnection, framework: str, as_of: dt.date) -> tuple | None:
    """The SoA version in force on `as_of` for a framework, with its approval (date, by whom)."""
    return con.execute(
        f"""SELECT soa_version, approved_on, approved_by FROM ({per_framework_sql('soa', as_of)})
            WHERE framework = ? LIMIT 1""", [framework]).fetchone()
