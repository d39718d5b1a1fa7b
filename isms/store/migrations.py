"""Numbered schema migrations, applied in order and recorded in `schema_migration`.

Facts are append-only: every row carries the import batch that brought it. Registers (assets,
risks, treatments, metrics, exceptions) are dated snapshots: the rows of one batch are the whole
register as of that batch's date. Assessments, treatment updates and monitoring results are
dated events. The schema is one that DuckLake holds too (isms.store.lake): no sequences (ids come
from `store_counter`, isms.store.ids), no primary keys or unique constraints (the code that writes
keeps a key unique, under the writers' lock). Undoing a batch appends to `batch_undo`; nothing is deleted. The audit trail
(`audit_event`) is append-only in the same way. Sign-in state (`sign_in_throttle`,
`sign_in_session`) is shared by every server process on the database; it is state, not history,
and what happens to it is recorded in the audit trail.
"""

from isms.store import read_model

MIGRATIONS: list[tuple[int, str, str]] = [
    (
        1,
        "initial ISMS schema",
        """
        CREATE TABLE import_batch (
            batch_id     INTEGER NOT NULL,          -- store_counter 'batch' (isms.store.ids)
            source       VARCHAR NOT NULL,          -- canonical, mapped, sample
            kinds        VARCHAR[] NOT NULL,        -- which kinds of sheet it brought
            file_name    VARCHAR NOT NULL,
            sha256       VARCHAR NOT NULL,
            as_of        DATE NOT NULL,
            imported_at  TIMESTAMP NOT NULL,
            imported_by  VARCHAR NOT NULL,
            row_counts   VARCHAR NOT NULL           -- JSON object kind -> rows
        );
        CREATE TABLE batch_undo (
            batch_id   INTEGER NOT NULL,
            undone_at  TIMESTAMP NOT NULL,
            undone_by  VARCHAR NOT NULL
        );
        CREATE VIEW active_batch AS
            SELECT * FROM import_batch b
            WHERE NOT EXISTS (SELECT 1 FROM batch_undo u WHERE u.batch_id = b.batch_id);

        CREATE TABLE asset (
            batch_id INTEGER NOT NULL, asset_id VARCHAR NOT NULL, name VARCHAR NOT NULL,
            asset_class VARCHAR NOT NULL, asset_type VARCHAR NOT NULL, criticality VARCHAR NOT NULL,
            owner VARCHAR, location VARCHAR
        );
        CREATE TABLE risk (
            batch_id INTEGER NOT NULL, risk_id VARCHAR NOT NULL, title VARCHAR NOT NULL,
            description VARCHAR, annex_a_theme VARCHAR NOT NULL, annex_a_controls VARCHAR[],
            nist_family VARCHAR, asset_ids VARCHAR[], owner VARCHAR NOT NULL, status VARCHAR NOT NULL,
            identified_on DATE NOT NULL, source VARCHAR NOT NULL
        );
        CREATE TABLE assessment (
            batch_id INTEGER NOT NULL, risk_id VARCHAR NOT NULL, assessed_on DATE NOT NULL,
            inherent_likelihood TINYINT NOT NULL, inherent_impact TINYINT NOT NULL,
            control_effectiveness VARCHAR,
            residual_likelihood TINYINT NOT NULL, residual_impact TINYINT NOT NULL,
            target_likelihood TINYINT, target_impact TINYINT, assessor VARCHAR
        );
        CREATE TABLE treatment (
            batch_id INTEGER NOT NULL, treatment_id VARCHAR NOT NULL, risk_id VARCHAR NOT NULL,
            decision VARCHAR NOT NULL, description VARCHAR, owner VARCHAR NOT NULL,
            start_on DATE NOT NULL, due_on DATE NOT NULL, status VARCHAR NOT NULL, completed_on DATE
        );
        CREATE TABLE treatment_update (
            batch_id INTEGER NOT NULL, treatment_id VARCHAR NOT NULL, updated_on DATE NOT NULL,
            percent_complete DOUBLE NOT NULL, status VARCHAR NOT NULL, note VARCHAR
        );
        CREATE TABLE metric (
            batch_id INTEGER NOT NULL, metric_id VARCHAR NOT NULL, name VARCHAR NOT NULL,
            control_domain VARCHAR NOT NULL, unit VARCHAR, direction VARCHAR NOT NULL,
            target DOUBLE, amber DOUBLE, red DOUBLE, cadence VARCHAR NOT NULL, owner VARCHAR
        );
        CREATE TABLE monitoring_result (
            batch_id INTEGER NOT NULL, metric_id VARCHAR NOT NULL, period DATE NOT NULL,
            value DOUBLE NOT NULL, note VARCHAR
        );
        CREATE TABLE policy_exception (
            batch_id INTEGER NOT NULL, exception_id VARCHAR NOT NULL, policy VARCHAR NOT NULL,
            control VARCHAR, risk_id VARCHAR, likelihood TINYINT NOT NULL, impact TINYINT NOT NULL,
            requested_on DATE NOT NULL, granted_on DATE, expires_on DATE,
            compensating_controls VARCHAR, approver VARCHAR, status VARCHAR NOT NULL
        );
        """,
    ),
    (
        3,
        "audit trail",
        """
        CREATE TABLE audit_event (
            event_id     BIGINT NOT NULL,          -- store_counter 'audit' (isms.store.ids)
            occurred_at  TIMESTAMP NOT NULL,       -- UTC
            who          VARCHAR NOT NULL,
            action       VARCHAR NOT NULL,
            detail       VARCHAR NOT NULL          -- JSON object: what was done, before / after
        );
        """,
    ),
    (
        6,
        "review pack section choices",
        """
        CREATE TABLE pack_preference (
            meeting   VARCHAR NOT NULL,   -- risk-review, security-health
            sections  VARCHAR NOT NULL,   -- JSON list of section keys, in pack order
            saved_at  TIMESTAMP NOT NULL,
            saved_by  VARCHAR NOT NULL
        );
        """,
    ),
    (
        7,
        "sign-in throttling and server-side sessions",
        """
        CREATE TABLE sign_in_throttle (
            throttle_key     VARCHAR NOT NULL,      -- user:<name typed> or client:<address>; one row per key
            failures         INTEGER NOT NULL,      -- failed sign-ins in a row
            last_failure_at  TIMESTAMP NOT NULL,    -- UTC
            next_attempt_at  TIMESTAMP NOT NULL,    -- UTC; an earlier attempt waits until then
            locked_until     TIMESTAMP              -- UTC; refused without a password check until then
        );
        CREATE TABLE sign_in_session (
            session_hash    VARCHAR NOT NULL,       -- one row per session; sha256 of the cookie's secret (never stored) or of an ID token's identity
            who             VARCHAR NOT NULL,
            mode            VARCHAR NOT NULL,       -- password, oidc
            role            VARCHAR NOT NULL,       -- at sign-in; another role now ends the session
            credential      VARCHAR,                -- password mode: fingerprint of the hash; a new password ends it
            client          VARCHAR,
            created_at      TIMESTAMP NOT NULL,     -- UTC
            expires_at      TIMESTAMP NOT NULL,     -- UTC
            revoked_at      TIMESTAMP,              -- UTC
            revoked_by      VARCHAR,
            revoked_reason  VARCHAR
        );
        """,
    ),
    (
        8,
        "register files that are part of the register: mode and scope of a batch, business unit of a risk",
        """
        -- whole: the batch's rows are the register as of its date (every batch before this migration);
        -- part: a team's file merged into the register. Either way the batch holds the register it left
        -- (materialised at commit), so every as-of read stays 'the latest batch's rows'.
        ALTER TABLE import_batch ADD COLUMN mode VARCHAR DEFAULT 'whole';
        ALTER TABLE import_batch ADD COLUMN scope_field VARCHAR;      -- business_unit, owner; NULL: the whole register
        ALTER TABLE import_batch ADD COLUMN scope_values VARCHAR[];
        ALTER TABLE import_batch ADD COLUMN carried_counts VARCHAR;   -- JSON kind -> rows kept from the register (row_counts: rows the file listed)
        ALTER TABLE risk ADD COLUMN business_unit VARCHAR;
        """,
    ),
    (
        9,
        "exception logs as analysts keep them: unrated, undated requests, a title, a justification, an owner",
        """
        ALTER TABLE policy_exception ALTER COLUMN likelihood DROP NOT NULL;
        ALTER TABLE policy_exception ALTER COLUMN impact DROP NOT NULL;
        ALTER TABLE policy_exception ALTER COLUMN requested_on DROP NOT NULL;
        ALTER TABLE policy_exception ADD COLUMN title VARCHAR;
        ALTER TABLE policy_exception ADD COLUMN justification VARCHAR;
        ALTER TABLE policy_exception ADD COLUMN owner VARCHAR;
        """,
    ),
    (
        10,
        "read model: register, risk, treatment and KRI result states as intervals, derived from the facts",
        read_model.SCHEMA + read_model.refresh_sql(),
    ),
    (
        11,
        "compliance: user-imported framework catalogs, controls, the SoA, control tests, audits, findings",
        # Plain tables keyed by batch like every fact (no sequences, no upserts). The public-domain
        # catalogs ship as files (data/catalogs/, isms.catalogs.shipped), not rows: they change with
        # the code. A user's own catalog (SOC 2, PCI DSS, ISO text from a licensed copy) is a batch.
        """
        CREATE TABLE framework (
            batch_id INTEGER NOT NULL, framework VARCHAR NOT NULL, name VARCHAR NOT NULL, version VARCHAR,
            licence VARCHAR NOT NULL            -- user-imported (shipped ones are files)
        );
        CREATE TABLE requirement (
            batch_id INTEGER NOT NULL, framework VARCHAR NOT NULL, ref VARCHAR NOT NULL, title VARCHAR NOT NULL,
            parent VARCHAR, family VARCHAR, text VARCHAR
        );
        CREATE TABLE control (
            batch_id INTEGER NOT NULL, control_id VARCHAR NOT NULL, name VARCHAR NOT NULL, owner VARCHAR,
            control_type VARCHAR, frequency VARCHAR, status VARCHAR NOT NULL,
            requirements VARCHAR[],             -- '<framework>:<ref>'
            description VARCHAR
        );
        CREATE TABLE soa_entry (
            batch_id INTEGER NOT NULL, framework VARCHAR NOT NULL, ref VARCHAR NOT NULL, applicable BOOLEAN NOT NULL,
            reason VARCHAR, justification VARCHAR, implementation_status VARCHAR, soa_version VARCHAR,
            approved_on DATE, approved_by VARCHAR
        );
        CREATE TABLE control_test (
            batch_id INTEGER NOT NULL, control_id VARCHAR NOT NULL, period DATE NOT NULL, due_on DATE NOT NULL,
            tested_on DATE, result VARCHAR, tester VARCHAR, test_id VARCHAR, note VARCHAR
        );
        CREATE TABLE compliance_audit (
            batch_id INTEGER NOT NULL, audit_id VARCHAR NOT NULL, audit_type VARCHAR NOT NULL, framework VARCHAR,
            starts_on DATE NOT NULL, ends_on DATE, period_start DATE, period_end DATE, auditor VARCHAR,
            scope VARCHAR, opinion VARCHAR, certificate_issued_on DATE, certificate_expires_on DATE
        );
        CREATE TABLE finding (
            batch_id INTEGER NOT NULL, finding_id VARCHAR NOT NULL, audit_id VARCHAR, title VARCHAR NOT NULL,
            framework VARCHAR, ref VARCHAR, control_id VARCHAR, grade VARCHAR NOT NULL, root_cause VARCHAR,
            owner VARCHAR, raised_on DATE NOT NULL, due_on DATE, status VARCHAR NOT NULL, closed_on DATE,
            risk_id VARCHAR, exception_id VARCHAR
        );
        """,
    ),
    (
        16,
        "the forum: held meetings, minutes approvals, decisions, and actions as an append-only history of changes",
        # Plain tables, no sequences or upserts (DuckLake holds them too): ids are text ('M-0001'),
        # the next one taken under the writers' lock. An action is never updated: each change is a new
        # row holding the action's whole state, so its state on any date is the latest row recorded
        # on or before it (change_no breaks ties within a day).
        """
        CREATE TABLE forum_meeting (
            meeting_id VARCHAR NOT NULL, series VARCHAR NOT NULL, held_on DATE NOT NULL,
            period_start DATE, period_end DATE,     -- the period it reviewed
            attendees VARCHAR[], minutes VARCHAR,
            pack_file VARCHAR, pack_sha256 VARCHAR, pack BLOB,   -- the pack presented, stored
            recorded_at TIMESTAMP NOT NULL, recorded_by VARCHAR NOT NULL
        );
        CREATE TABLE minutes_approval (
            meeting_id VARCHAR NOT NULL, approved_on DATE NOT NULL, approved_by VARCHAR NOT NULL,
            recorded_at TIMESTAMP NOT NULL
        );
        CREATE TABLE forum_decision (
            decision_id VARCHAR NOT NULL, meeting_id VARCHAR NOT NULL, decided_on DATE NOT NULL,
            kind VARCHAR NOT NULL, text VARCHAR NOT NULL,
            review_on DATE,                          -- a risk acceptance's or exception's review / expiry date
            risk_ids VARCHAR[], treatment_ids VARCHAR[], exception_ids VARCHAR[], kri_ids VARCHAR[],
            finding_ids VARCHAR[],
            recorded_at TIMESTAMP NOT NULL, recorded_by VARCHAR NOT NULL
        );
        CREATE TABLE action_change (
            action_id VARCHAR NOT NULL, change_no INTEGER NOT NULL,   -- 1 for the row that created it
            recorded_on DATE NOT NULL,               -- the day the change happened (the as-of key)
            title VARCHAR NOT NULL, series VARCHAR NOT NULL,
            owner VARCHAR NOT NULL, due_on DATE NOT NULL, original_due_on DATE NOT NULL,
            status VARCHAR NOT NULL,                 -- open, in progress, blocked, done, verified, cancelled
            closure_note VARCHAR, verified_by VARCHAR,
            meeting_id VARCHAR, decision_id VARCHAR, risk_id VARCHAR, kri_id VARCHAR, finding_id VARCHAR,
            recorded_at TIMESTAMP NOT NULL, recorded_by VARCHAR NOT NULL
        );
        """,
    ),
    (
        17,
        "read model: risk and treatment states at every month end, for trends",
        read_model.MONTH_END_SCHEMA + read_model.month_end_refresh_sql(measures=False),
    ),
    (
        20,
        "ids from a counter table, which DuckLake also has (it has no sequences)",
        """
        CREATE TABLE store_counter (
            name   VARCHAR NOT NULL,   -- batch, audit; sign_in_throttle: bumped by every write of that table
            value  BIGINT NOT NULL     -- the last id handed out
        );
        INSERT INTO store_counter VALUES ('sign_in_throttle', 0);
        INSERT INTO store_counter SELECT 'batch', coalesce(max(batch_id), 0) FROM import_batch;
        INSERT INTO store_counter SELECT 'audit', coalesce(max(event_id), 0) FROM audit_event;
        """,
    ),
    (
        21,
        "framework mappings imported as suggestions, and analysts' decisions on them",
        # A mapping file's lines are a per-framework register like a catalog (keyed by batch). A decision
        # is never updated: accepting or rejecting again is a new row, and the link's status on a date is
        # the latest decision on or before it (decision_no breaks ties within a day).
        """
        CREATE TABLE requirement_mapping (
            batch_id INTEGER NOT NULL, framework VARCHAR NOT NULL, ref VARCHAR NOT NULL,
            target_framework VARCHAR NOT NULL, target_ref VARCHAR NOT NULL
        );
        CREATE TABLE mapping_decision (
            decision_no INTEGER NOT NULL, control_id VARCHAR NOT NULL, framework VARCHAR NOT NULL, ref VARCHAR NOT NULL,
            status VARCHAR NOT NULL,                 -- accepted, rejected
            decided_on DATE NOT NULL, note VARCHAR,
            recorded_at TIMESTAMP NOT NULL, recorded_by VARCHAR NOT NULL
        );
        INSERT INTO store_counter VALUES ('mapping_decision', 0);
        """,
    ),
    (
        22,
        "the forum's rows an import brought carry its batch, so undoing the import hides them",
        # NULL for a row recorded on the page; a row of an undone batch stays (append-only) and no
        # read sees it (isms.store.forum reads through `live`)
        """
        ALTER TABLE forum_meeting ADD COLUMN batch_id INTEGER;
        ALTER TABLE forum_decision ADD COLUMN batch_id INTEGER;
        ALTER TABLE action_change ADD COLUMN batch_id INTEGER;
        """,
    ),
    (
        23,
        "forum ids from counters, so two servers recording at once never write the same id",
        """
        INSERT INTO store_counter VALUES ('forum:M-', 0), ('forum:D-', 0), ('forum:A-', 0);
        """,
    ),
    (
        24,
        "read model: each treatment's settled measures kept at every month end, for trends",
        read_model.month_end_measures_migration(),
    ),
    (
        25,
        "read model: what the trends count at every month end, kept as counts",
        read_model.TOTALS_SCHEMA + read_model.totals_refresh_sql(),
    ),
    (
        26,
        "read model: a closed risk's unfinished treatments leave the treatment figures",
        # the month-end copies' `risk_listed` by its new definition, which only narrows the old one:
        # only the rows it turns false are written (on DuckLake an update rewrites what it touches),
        # then the treatment counts taken from them (the risks' counts read no `risk_listed`)
        "UPDATE treatment_month_end SET risk_listed = false "
        f"WHERE risk_listed AND NOT {read_model.risk_listed('treatment_month_end')};"
        + read_model.totals_refresh_sql({t: "'-infinity'::DATE" for t in ("treatment_total_month_end",
                                                                         "treatment_unsettled_month_end")}),
    ),
]


# Table that holds each kind of sheet.
TABLES = {
    "assets": "asset",
    "risks": "risk",
    "assessments": "assessment",
    "treatments": "treatment",
    "treatment_updates": "treatment_update",
    "metrics": "metric",
    "monitoring_results": "monitoring_result",
    "exceptions": "policy_exception",
    "controls": "control",
    "soa": "soa_entry",
    "control_tests": "control_test",
    "audits": "compliance_audit",
    "findings": "finding",
    "frameworks": "framework",
    "requirements": "requirement",
    "mappings": "requirement_mapping",
}
