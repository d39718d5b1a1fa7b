"""Imported framework mappings as suggestions, never applied silently.

A mapping file (kind `mappings`: source framework and ref, target framework and ref; NIST's SP
800-53 to ISO/IEC 27001 mapping, say) is imported like a catalog, a register per source framework.
It links nothing by itself: mappings between frameworks are coarse ("partially satisfies"), and a
control that meets AC-2 for the auditors of one framework may not meet A.5.15 for another's. So:

- a *suggestion*, as of a date, is a control of the register on that date, a requirement it cites
  itself (the source), and a target the mappings imported by then give for that source, which
  the control does not cite already;
- an analyst accepts or rejects it (`mapping_decision`, append-only and dated; the latest decision
  on or before a date holds then, isms.actions.decide_mapping records who and audits it);
- only an accepted link counts: coverage (isms.store.compliance_reads) and a risk's controls
  (isms.store.risk_controls) read `control_links_at_sql`, which adds accepted links and no others.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from isms.store.compliance import control_links_at_sql, decisions_at_sql, per_framework_sql, register_sql

SUGGESTED, ACCEPTED, REJECTED = "suggested", "accepted", "rejected"
NO_LONGER = "no mapping imported suggests it now"
DECISIONS = (ACCEPTED, REJECTED)


def _d(value: dt.date) -> str:
    return f"DATE '{value.isoformat()}'"


def suggestions(con: duckdb.DuckDBPyConnection, as_of: dt.date, control_id: str | None = None) -> pd.DataFrame:
    """Suggested links as of a date (of one control, or all): control_id, control_name, framework,
    ref (the target), sources (the control's own requirements that map to it), status (suggested,
    accepted, rejected), decided_on, decided_by. Undecided first."""
    one = f"(SELECT {_d(as_of)} AS as_of)"
    where = "" if control_id is None else "WHERE s.control_id = $control"
    sql = f"""WITH own AS ({control_links_at_sql(one, accepted=False)}),
        maps AS ({per_framework_sql('mappings', as_of)}),
        s AS (SELECT o.control_id, m.target_framework AS framework, m.target_ref AS ref,
                     list(DISTINCT o.framework || ':' || o.ref ORDER BY o.framework || ':' || o.ref) AS sources
              FROM own o JOIN maps m ON m.framework = o.framework AND m.ref = o.ref
              WHERE NOT EXISTS (SELECT 1 FROM own x WHERE x.control_id = o.control_id
                                AND x.framework = m.target_framework AND x.ref = m.target_ref)
              GROUP BY ALL),
        decided AS ({decisions_at_sql(one)}),
        -- an accepted link no mapping suggests any more (the mapping file was undone or replaced)
        -- still counts, so it stays listed for an analyst to reject
        kept AS (SELECT a.control_id, a.framework, a.ref, ['{NO_LONGER}'] AS sources FROM decided a
                 WHERE a.status = '{ACCEPTED}'
                   AND NOT EXISTS (SELECT 1 FROM s WHERE s.control_id = a.control_id AND s.framework = a.framework
                                   AND s.ref = a.ref)),
        listed AS (SELECT * FROM s UNION ALL SELECT * FROM kept)
        SELECT s.control_id, c.name AS control_name, s.framework, s.ref, list_aggr(s.sources, 'string_agg', ', ') AS sources,
               coalesce(d.status, '{SUGGESTED}') AS status, d.decided_on, d.recorded_by AS decided_by
        FROM listed s JOIN ({register_sql('controls', as_of)}) c USING (control_id)
        LEFT JOIN decided d USING (control_id, framework, ref)
        {where}
        ORDER BY d.status IS NOT NULL, s.control_id, s.framework, s.ref"""
    return con.execute(sql, {"control": control_id} if control_id is not None else {}).df()


def insert_decision(con: duckdb.DuckDBPyConnection, *, decision_no: int, control_id: str, framework: str, ref: str,
                    status: str, decided_on: dt.date, note: str | None, recorded_at: dt.datetime, recorded_by: str) -> None:
    if status not in DECISIONS:
        raise ValueError(f"a suggestion is accepted or rejected, not {status!r}")
    con.execute("INSERT INTO mapping_decision VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [decision_no, control_id, framework, ref, status, decided_on, note, recorded_at, recorded_by])
