-- 16-file import, visits, journal (postgres). Money is integer satang; dates of service are
-- BIGINT yyyymmdd (CE); times are epoch milliseconds. Every table carries hcode in its key;
-- ids are UUIDv7 text or natural keys (no global sequences).

-- One row per import attempt (also strict imports that landed nothing).
CREATE TABLE claim_imports (
    hcode TEXT NOT NULL REFERENCES units(hcode),
    id TEXT NOT NULL,
    at BIGINT NOT NULL,
    user_id TEXT,
    username TEXT NOT NULL,
    source_name TEXT NOT NULL,
    -- JSON array of {name, kind, bytes, sha256, records, encoding, layout}
    files_json TEXT NOT NULL,
    strict BIGINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    visits_read BIGINT NOT NULL DEFAULT 0,
    admissions_read BIGINT NOT NULL DEFAULT 0,
    inserted BIGINT NOT NULL DEFAULT 0,
    updated BIGINT NOT NULL DEFAULT 0,
    unchanged BIGINT NOT NULL DEFAULT 0,
    rejected_encounters BIGINT NOT NULL DEFAULT 0,
    rejects BIGINT NOT NULL DEFAULT 0,
    unposted BIGINT NOT NULL DEFAULT 0,
    posted_amount BIGINT NOT NULL DEFAULT 0,
    elapsed_ms BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (hcode, id)
);
CREATE INDEX claim_imports_at ON claim_imports(hcode, at);

-- Every problem found in an import (file, line, field, value with CIDs masked, reason).
CREATE TABLE claim_rejects (
    hcode TEXT NOT NULL,
    import_id TEXT NOT NULL,
    n BIGINT NOT NULL,
    file TEXT NOT NULL,
    line BIGINT NOT NULL,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    code TEXT NOT NULL,
    reason_th TEXT NOT NULL,
    reason_en TEXT NOT NULL,
    hn TEXT NOT NULL,
    seq TEXT NOT NULL,
    an TEXT NOT NULL,
    PRIMARY KEY (hcode, import_id, n)
);

-- One row per OP visit (vkey 'O' HN '/' SEQ) or admission (vkey 'I' AN), with its patient,
-- right, classification, bill and the compact detail (diagnoses, procedures, charges, drugs,
-- items, refers, accidents) as JSON.
CREATE TABLE claim_visits (
    hcode TEXT NOT NULL REFERENCES units(hcode),
    vkey TEXT NOT NULL,
    setting TEXT NOT NULL,
    hn TEXT NOT NULL,
    seq TEXT NOT NULL,
    an TEXT NOT NULL,
    date_serv BIGINT NOT NULL,
    date_dsc BIGINT NOT NULL,
    fy BIGINT NOT NULL,
    clinic TEXT NOT NULL,
    pdx TEXT NOT NULL,
    cid TEXT NOT NULL,
    patient_name TEXT NOT NULL,
    sex TEXT NOT NULL,
    dob BIGINT NOT NULL,
    inscl TEXT NOT NULL,
    subtype TEXT NOT NULL,
    hospmain TEXT NOT NULL,
    permitno TEXT NOT NULL,
    fund TEXT NOT NULL,
    place TEXT NOT NULL,
    vcase TEXT NOT NULL,
    total BIGINT NOT NULL,
    paid BIGINT NOT NULL,
    claimable BIGINT NOT NULL,
    fund_amount BIGINT NOT NULL,
    patient_amount BIGINT NOT NULL,
    -- 1 posted, 0 unposted (no posting-map line); unposted_reason says why.
    posted BIGINT NOT NULL,
    unposted_reason TEXT NOT NULL,
    receivable TEXT NOT NULL,
    -- Last journal version written for the visit, and the version of its current posting
    -- (0 = none: unposted, nothing owed, or reversed).
    ver BIGINT NOT NULL,
    posted_ver BIGINT NOT NULL,
    import_id TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    detail_json TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (hcode, vkey)
);
CREATE INDEX claim_visits_date ON claim_visits(hcode, date_serv);

-- Append-only journal: one entry per (visit, version); corrections are reversing entries.
CREATE TABLE claim_journal (
    hcode TEXT NOT NULL,
    vkey TEXT NOT NULL,
    ver BIGINT NOT NULL,
    line_no BIGINT NOT NULL,
    kind TEXT NOT NULL,
    import_id TEXT NOT NULL,
    date_serv BIGINT NOT NULL,
    fy BIGINT NOT NULL,
    account TEXT NOT NULL,
    fund TEXT NOT NULL,
    debit BIGINT NOT NULL,
    credit BIGINT NOT NULL,
    PRIMARY KEY (hcode, vkey, ver, line_no)
);
CREATE INDEX claim_journal_acct ON claim_journal(hcode, date_serv, account);

-- The posting map as data, versioned by fiscal year (fy 0 = the default for every year
-- without its own version). Edited by the provincial admin.
CREATE TABLE claim_posting_map (
    province_code TEXT NOT NULL,
    fy BIGINT NOT NULL,
    fund TEXT NOT NULL,
    setting TEXT NOT NULL,
    place TEXT NOT NULL,
    vcase TEXT NOT NULL,
    receivable TEXT NOT NULL,
    revenue TEXT NOT NULL,
    source TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (province_code, fy, fund, setting, place, vcase)
);
