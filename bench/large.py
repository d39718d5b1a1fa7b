"""A large synthetic ISMS written straight through the store (no spreadsheets), for benchmarks.

10,000 risks assessed every quarter for 20 quarters, treatments with monthly updates, 500 KRIs
with 60 monthly results. Vectorised with numpy so building it takes seconds, not minutes.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from isms.dates import add_months, month_end
from isms.store import connect, lake
from isms.store.batches import commit_batch

THEMES = np.array(["A.5 Organizational", "A.6 People", "A.7 Physical", "A.8 Technological"])
OWNERS = np.array([f"Owner {i:02d}" for i in range(40)])


def build_large_db(path: str | Path, risks: int = 10_000, quarters: int = 20, kris: int = 500, months: int = 60,
                   last_quarter_end: dt.date = dt.date(2026, 9, 30), seed: int = 7) -> Path:
    """Into a new file at `path`, or into an empty DuckLake when `path` is a `ducklake:` URL (returned as is)."""
    if lake.is_lake(path):
        return _build(path, risks, quarters, kris, months, last_quarter_end, seed)
    path = Path(path)
    path.unlink(missing_ok=True)
    return Path(_build(path, risks, quarters, kris, months, last_quarter_end, seed))


def _build(path, risks, quarters, kris, months, last_quarter_end, seed):
    rng = np.random.default_rng(seed)
    con = connect(path)
    qends = [month_end(add_months(last_quarter_end.replace(day=1), -3 * q)) for q in range(quarters - 1, -1, -1)]
    ids = np.array([f"R-{i:05d}" for i in range(risks)])
    identified_q = np.where(rng.random(risks) < 0.6, 0, rng.integers(0, quarters, risks))
    closed_q = np.where(rng.random(risks) < 0.1, rng.integers(1, quarters, risks), quarters + 1)
    inh_l, inh_i = rng.integers(2, 6, risks), rng.integers(2, 6, risks)
    res_l = np.maximum(1, inh_l - rng.integers(0, 3, risks))
    res_i = np.maximum(1, inh_i - rng.integers(0, 2, risks))
    theme = THEMES[rng.integers(0, 4, risks)]
    owner = OWNERS[rng.integers(0, len(OWNERS), risks)]
    n_treat = risks // 2
    t_risk = rng.choice(risks, n_treat, replace=False)
    t_start_q = identified_q[t_risk]
    t_len = rng.integers(3, 19, n_treat)
    t_speed = rng.uniform(0.5, 1.3, n_treat)
    t_ids = np.array([f"T-{i:05d}" for i in range(n_treat)])

    first_month = add_months(qends[-1].replace(day=1), -(months - 1))
    kri_ids = np.array([f"K-{i:03d}" for i in range(kris)])
    higher = rng.random(kris) < 0.6

    for q, qe in enumerate(qends):
        live = identified_q <= q
        status = np.where(closed_q <= q, "Closed", "Open")
        # residual improves slowly over the quarters
        drift = (q // 5)
        rl = np.maximum(1, res_l - (rng.random(risks) < 0.1 * drift))
        frames = {
            "risks": pd.DataFrame({
                "risk_id": ids[live], "title": np.char.add("Synthetic risk ", ids[live]), "description": None,
                "annex_a_theme": theme[live], "annex_a_controls": [["A.8.8"]] * int(live.sum()), "nist_family": "SI",
                "asset_ids": [["HW-01"]] * int(live.sum()), "owner": owner[live], "status": status[live],
                "identified_on": qends[0], "source": "Annual assessment",
            }),
            "assessments": pd.DataFrame({
                "risk_id": ids[live & (closed_q > q)], "assessed_on": qe - dt.timedelta(days=5),
                "inherent_likelihood": inh_l[live & (closed_q > q)], "inherent_impact": inh_i[live & (closed_q > q)],
                "control_effectiveness": "Partial",
                "residual_likelihood": rl[live & (closed_q > q)], "residual_impact": res_i[live & (closed_q > q)],
                "target_likelihood": 1, "target_impact": res_i[live & (closed_q > q)], "assessor": "Bench",
            }),
        }
        t_live = t_start_q <= q
        starts = np.array([qends[s] + dt.timedelta(days=1) for s in t_start_q[t_live]])
        dues = np.array([month_end(add_months(s, int(n))) for s, n in zip(starts, t_len[t_live])])
        frames["treatments"] = pd.DataFrame({
            "treatment_id": t_ids[t_live], "risk_id": ids[t_risk[t_live]], "decision": "Reduce", "description": "Plan",
            "owner": owner[t_risk[t_live]], "start_on": starts, "due_on": dues, "status": "In progress", "completed_on": None,
        })
        upd = []
        for m in range(3):
            me = month_end(add_months(qe.replace(day=1), -m))
            elapsed = np.array([(me - s).days for s in starts])
            planned = np.array([max(1, (d - s).days) for s, d in zip(starts, dues)])
            pct = np.clip(100 * t_speed[t_live] * elapsed / planned, 0, 99)
            ok = elapsed > 0
            upd.append(pd.DataFrame({"treatment_id": t_ids[t_live][ok], "updated_on": me, "percent_complete": pct[ok].round(),
                                     "status": "In progress", "note": None}))
        frames["treatment_updates"] = pd.concat(upd, ignore_index=True).drop_duplicates(["treatment_id", "updated_on"])
        frames["metrics"] = pd.DataFrame({
            "metric_id": kri_ids, "name": np.char.add("Indicator ", kri_ids), "control_domain": THEMES[np.arange(kris) % 4],
            "unit": "%", "direction": np.where(higher, "Higher is better", "Lower is better"),
            "target": np.where(higher, 95.0, 5.0), "amber": np.where(higher, 90.0, 10.0), "red": np.where(higher, 80.0, 20.0),
            "cadence": "Monthly", "owner": OWNERS[np.arange(kris) % len(OWNERS)],
        })
        periods = [add_months(qe.replace(day=1), -m) for m in (2, 1, 0)]
        periods = [p for p in periods if p >= first_month]
        res = []
        for p in periods:
            base = np.where(higher, 92.0, 8.0)
            res.append(pd.DataFrame({"metric_id": kri_ids, "period": p,
                                     "value": (base + rng.normal(0, 6, kris)).clip(0, 100).round(1), "note": None}))
        frames["monitoring_results"] = pd.concat(res, ignore_index=True) if res else pd.DataFrame(
            columns=["metric_id", "period", "value", "note"])
        frames["exceptions"] = pd.DataFrame({
            "exception_id": [f"EX-{i:04d}" for i in range(200)], "policy": "Patch standard", "control": "A.8.8",
            "risk_id": ids[:200], "likelihood": 3, "impact": 3, "requested_on": qends[0],
            "granted_on": qends[0], "expires_on": [qe + dt.timedelta(days=int(d)) for d in rng.integers(-60, 200, 200)],
            "compensating_controls": None, "approver": "CISO", "status": "Granted",
        })
        digest = hashlib.sha256(f"large-{seed}-{qe}".encode()).hexdigest()
        commit_batch(con, source="bench", file_name=f"large-{qe}.xlsx", sha256=digest, as_of=qe,
                     imported_by="bench", frames=frames)
    # the month after the last quarter, as in the sample
    last = add_months(qends[-1].replace(day=1), 1)
    frames = {"monitoring_results": pd.DataFrame({"metric_id": kri_ids, "period": last,
                                                  "value": (np.where(higher, 92.0, 8.0) + rng.normal(0, 6, kris)).round(1),
                                                  "note": None})}
    commit_batch(con, source="bench", file_name="large-last-month.xlsx", sha256="f" * 64, as_of=month_end(last),
                 imported_by="bench", frames=frames)
    if not lake.is_lake(path):
        con.execute("CHECKPOINT")
    con.close()
    return path


def build_sample_db(path: str | Path) -> Path:
    """The sample ISMS built exactly as `make db` builds it, into `path`."""
    root = Path(__file__).resolve().parent.parent
    subprocess.run([sys.executable, "-m", "isms", "init-db", "--sample", str(root / "data" / "sample")],
                   cwd=root, env={**os.environ, "ISMS_DB": str(path)}, check=True, capture_output=True, timeout=600)
    return Path(path)


def add_large_forum(path: str | Path, years: int = 10, actions: int = 20_000, now: dt.date = dt.date(2026, 11, 30),
                    seed: int = 16) -> Path:
    """The forum of a large ISMS, written into the database at `path`: `years` of the four default
    series' meetings and `actions` actions raised at them, each with its history (open; most done by
    around their due date, many then verified; a few left open), every change on or before `now`."""
    from isms.meetings import DEFAULT_SERIES
    from isms.store import forum

    rng = np.random.default_rng(seed)
    meetings = []
    for s in DEFAULT_SERIES:
        period = s.period_end(dt.date(now.year - years, now.month, 1))
        while s.meeting_for(period) <= now:
            meetings.append(dict(series=s.key, held_on=s.meeting_for(period), period_start=s.period_start(period),
                                 period_end=period, attendees=["Chair", "Owner 01", "Owner 02"], minutes="Reviewed.",
                                 recorded_at=dt.datetime(2026, 1, 1), recorded_by="bench"))
            period = s.next_period_end(period)
    meetings.sort(key=lambda m: (m["held_on"], m["series"]))
    for n, m in enumerate(meetings, 1):
        m["meeting_id"] = f"M-{n:04d}"
    at = rng.integers(0, len(meetings), actions)
    held = np.array([m["held_on"] for m in meetings], dtype="datetime64[D]")[at]
    due = held + rng.choice([30, 45, 60, 90], actions).astype("timedelta64[D]")
    fate = rng.random(actions)
    base = pd.DataFrame({
        "action_id": [f"A-{i + 1:05d}" for i in range(actions)], "title": "Do the agreed thing",
        "series": [meetings[i]["series"] for i in at], "owner": OWNERS[rng.integers(0, len(OWNERS), actions)],
        "due_on": due, "original_due_on": due, "meeting_id": [meetings[i]["meeting_id"] for i in at],
        "recorded_by": "bench", "recorded_at": dt.datetime(2026, 1, 1)})
    nowd = np.datetime64(now)
    done_on = due + rng.integers(-20, 40, actions).astype("timedelta64[D]")
    done_on = np.maximum(done_on, held)
    closes = (fate > 0.03) & (done_on <= nowd)
    verified_on = done_on + rng.integers(3, 20, actions).astype("timedelta64[D]")
    verifies = closes & (fate > 0.4) & (verified_on <= nowd)
    frames = [base.assign(change_no=1, recorded_on=held, status="open", closure_note=None, verified_by=None),
              base[closes].assign(change_no=2, recorded_on=done_on[closes], status="done", closure_note="Done",
                                  verified_by=None),
              base[verifies].assign(change_no=3, recorded_on=verified_on[verifies], status="verified",
                                    closure_note="Done", verified_by="Chair")]
    changes = pd.concat(frames, ignore_index=True)
    for c in ("decision_id", "risk_id", "kri_id", "finding_id"):
        changes[c] = None
    con = connect(path)
    try:
        forum.insert_many(con, "forum_meeting", forum.MEETING_COLUMNS, meetings)
        con.register("_changes", changes[list(forum.ACTION_COLUMNS)])
        con.execute(f"INSERT INTO action_change ({', '.join(forum.ACTION_COLUMNS)}) "
                    f"SELECT {', '.join(forum.ACTION_COLUMNS)} FROM _changes")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return Path(path)
