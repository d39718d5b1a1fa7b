"""Compliance facts as they stood on a date: controls, the SoA, control tests, audits, findings and
the framework catalogs.

The store's one meaning of "as of D" (isms.store.queries) holds here too:
- controls, audits and findings are registers: the rows of the latest active batch with that kind
  dated on or before D;
- the SoA and user-imported catalogs are registers per framework: a file about SOC 2 leaves the
  ISO SoA as it was, so per framework, the rows of the latest such batch;
- control tests are dated events known on D: per control and period, the row of the latest active
  batch dated on or before D (a schedule brings tests due later; a later batch brings the result).
  A result counts from the day it was tested.
Shipped catalogs are files (isms.catalogs.shipped), registered as `shipped_requirement`.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from isms.catalogs import shipped
from isms.models import COMPLIANCE_KINDS
from isms.store.migrations import TABLES

REGISTER = ("controls", "audits", "findings")


def _d(value: dt.date) -> str:
    return f"DATE '{value.isoformat()}'"


def _fields(kind: str, alias: str = "t") -> str:
    return ", ".join(f"{alias}.{f}" for f in COMPLIANCE_KINDS[kind][1].model_fields)


def register_sql(kind: str, as_of: dt.date) -> str:
    """The register of `kind` (controls, audits, findings) as it stood on `as_of`."""
    return f"SELECT * EXCLUDE (as_of) FROM ({register_at_sql(kind, _one_date(as_of))})"


def _one_date(as_of: dt.date) -> str:
    return f"(SELECT {_d(as_of)} AS as_of)"


def register_at_sql(kind: str, dates: str = "as_of_date") -> str:
    """`register_sql` on every date of `dates` (a relation with an `as_of` column) in one read,
    each row with its date: what a trend filtered by the registers of each of its dates needs."""
    return f"""SELECT pick.as_of, {_fields(kind)}, t.batch_id FROM (
            SELECT d.as_of, b.batch_id FROM {dates} d
            JOIN active_batch b ON list_contains(b.kinds, '{kind}') AND b.as_of <= d.as_of
            QUALIFY row_number() OVER (PARTITION BY d.as_of ORDER BY b.as_of DESC, b.batch_id DESC) = 1) pick
        JOIN {TABLES[kind]} t USING (batch_id)"""


def per_framework_sql(kind: str, as_of: dt.date) -> str:
    """The SoA (or a user-imported catalog) as it stood on `as_of`, per framework its latest batch's rows."""
    table = TABLES[kind]
    return f"""SELECT {_fields(kind)}, t.batch_id FROM {table} t
        JOIN (SELECT x.framework, arg_max(x.batch_id, b.as_of::VARCHAR || lpad(x.batch_id::VARCHAR, 12, '0')) AS batch_id
              FROM {table} x JOIN active_batch b USING (batch_id) WHERE b.as_of <= {_d(as_of)}
              GROUP BY x.framework) pick USING (framework, batch_id)"""


def carried_per_framework_sql(kind: str, as_of: dt.date) -> str:
    """The rows of the file's frameworks (parameter $frameworks) as they stood on `as_of` that a
    part keeps: those whose key (its fields joined by U+001F, parameter $listed) the file does not
    list. A six-line SoA said to be part of the register updates six lines and keeps the other 87."""
    key = ", ".join(f"t.{k}::VARCHAR" for k in COMPLIANCE_KINDS[kind][2])
    return f"""SELECT {_fields(kind)} FROM ({per_framework_sql(kind, as_of)}) t
        WHERE t.framework IN (SELECT unnest($frameworks::VARCHAR[]))
          AND concat_ws(chr(31), {key}) NOT IN (SELECT unnest($listed::VARCHAR[]))"""


def tests_sql(as_of: dt.date) -> str:
    """Control tests known on `as_of`: per control and period, the latest batch's row; a result
    (and its date) only once tested on or before `as_of`."""
    return f"SELECT * EXCLUDE (as_of) FROM ({tests_at_sql(_one_date(as_of))})"


def tests_at_sql(dates: str = "as_of_date") -> str:
    """`tests_sql` on every date of `dates` (a relation with an `as_of` column), each row with its date."""
    return f"""SELECT d.as_of, t.control_id, t.period, t.due_on,
               CASE WHEN t.tested_on <= d.as_of THEN t.tested_on END AS tested_on,
               CASE WHEN t.tested_on <= d.as_of THEN t.result END AS result,
               t.tester, t.test_id, t.note, t.batch_id
        FROM {dates} d JOIN active_batch b ON b.as_of <= d.as_of JOIN control_test t ON t.batch_id = b.batch_id
        QUALIFY row_number() OVER (PARTITION BY d.as_of, t.control_id, t.period ORDER BY b.as_of DESC, t.batch_id DESC) = 1"""


def decisions_at_sql(dates: str = "as_of_date") -> str:
    """(as_of, control_id, framework, ref, status, decided_on, recorded_by): per suggested link, the
    analyst's latest decision on or before each date of `dates` (isms.store.mapping_suggestions)."""
    return f"""SELECT d.as_of, m.control_id, m.framework, m.ref, m.status, m.decided_on, m.recorded_by
        FROM {dates} d JOIN mapping_decision m ON m.decided_on <= d.as_of
        QUALIFY row_number() OVER (PARTITION BY d.as_of, m.control_id, m.framework, m.ref
                                   ORDER BY m.decided_on DESC, m.decision_no DESC) = 1"""


def control_links_at_sql(dates: str = "as_of_date", accepted: bool = True) -> str:
    """(as_of, control_id, framework, ref): the requirements each control of the register on each
    date of `dates` satisfies: those it cites itself and, with `accepted`, the suggested links an
    analyst had accepted by then. A suggestion nobody accepted links nothing."""
    own = f"""SELECT c.as_of, c.control_id, split_part(u.r, ':', 1) AS framework, substr(u.r, strpos(u.r, ':') + 1) AS ref
              FROM ({register_at_sql('controls', dates)}) c, unnest(c.requirements) AS u(r)"""
    if not accepted:
        return own
    return f"""{own}
        UNION
        SELECT a.as_of, a.control_id, a.framework, a.ref FROM ({decisions_at_sql(dates)}) a
        JOIN ({register_at_sql('controls', dates)}) c USING (as_of, control_id) WHERE a.status = 'accepted'"""


def table_sql(kind: str, as_of: dt.date) -> str:
    if kind in REGISTER:
        return register_sql(kind, as_of)
    if kind == "control_tests":
        return tests_sql(as_of)
    return per_framework_sql(kind, as_of)


def requirements_sql(as_of: dt.date) -> str:
    """Every requirement of every framework known on `as_of`: shipped ones, then user-imported ones
    (needs `shipped.register(con)` first)."""
    return f"""SELECT framework, ref, parent, title, family, 'shipped' AS licence FROM shipped_requirement
        UNION ALL
        SELECT framework, ref, parent, title, coalesce(family, parent, ref) AS family, 'user-imported' AS licence
        FROM ({per_framework_sql('requirements', as_of)})"""


def known_requirements(con: duckdb.DuckDBPyConnection | None, as_of: dt.date) -> dict[str, set[str]]:
    """framework -> its requirement refs: the shipped catalogs and (with a connection) those imported."""
    out: dict[str, set[str]] = {}
    for f, r in zip(shipped.requirements()["framework"], shipped.requirements()["ref"]):
        out.setdefault(f, set()).add(r)
    if con is not None:
        for f, r in con.execute(f"SELECT framework, ref FROM ({per_framework_sql('requirements', as_of)})").fetchall():
            out.setdefault(f, set()).add(r)
    return out


def frame(con: duckdb.DuckDBPyConnection, kind: str, as_of: dt.date) -> pd.DataFrame:
    return con.execute(table_sql(kind, as_of)).df()


def frameworks(con: duckdb.DuckDBPyConnection, as_of: dt.date | None = None) -> list[dict]:
    """Every framework, shipped then user-imported (as of `as_of`, default: all dates), each with
    its requirement count."""
    out = [{k: f[k] for k in ("framework", "name", "version", "licence", "requirements")}
           for f in shipped.frameworks()]
    as_of = as_of or dt.date.max
    rows = con.execute(
        f"""WITH fw AS ({per_framework_sql('frameworks', as_of)}),
                 rq AS ({per_framework_sql('requirements', as_of)})
            SELECT coalesce(fw.framework, rq.framework) AS framework, any_value(fw.name), any_value(fw.version),
                   count(rq.ref) AS n
            FROM fw FULL JOIN rq USING (framework) GROUP BY ALL ORDER BY 1""").fetchall()
    out += [{"framework": code, "name": name or code, "version": version, "licence": "user-imported",
             "requirements": int(n)} for code, name, version, n in rows]
    return out
