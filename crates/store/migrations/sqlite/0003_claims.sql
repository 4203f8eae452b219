-- 16-file import, visits, journal (sqlite). Money is integer satang; dates of service are
-- INTEGER yyyymmdd (CE); times are epoch milliseconds. Every table carries hcode in its key;
-- ids are UUIDv7 text or natural keys (no global sequences).

-- One row per import attempt (also strict imports that landed nothing).
CREATE TABLE claim_imports (
    hcode TEXT NOT NULL REFERENCES units(hcode),
    id TEXT NOT NULL,
    at INTEGER NOT NULL,
    user_id TEXT,
    username TEXT NOT NULL,
    source_name TEXT NOT NULL,
    -- JSON array of {name, kind, bytes, sha256, records, encoding, layout}
    files_json TEXT NOT NULL,
    strict INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    visits_read INTEGER NOT NULL DEFAULT 0,
    admissions_read INTEGER NOT NULL DEFAULT 0,
    inserted INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    rejected_encounters INTEGER NOT NULL DEFAULT 0,
    rejects INTEGER NOT NULL DEFAULT 0,
    unposted INTEGER NOT NULL DEFAULT 0,
    posted_amount INTEGER NOT NULL DEFAULT 0,
    elapsed_ms INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (hcode, id)
);
CREATE INDEX claim_imports_at ON claim_imports(hcode, at);

-- Every problem found in an import (file, line, field, value with CIDs masked, reason).
CREATE TABLE claim_rejects (
    hcode TEXT NOT NULL,
    import_id TEXT NOT NULL,
    n INTEGER NOT NULL,
    file TEXT NOT NULL,
    line INTEGER NOT NULL,
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
    date_serv INTEGER NOT NULL,
    date_dsc INTEGER NOT NULL,
    fy INTEGER NOT NULL,
    clinic TEXT NOT NULL,
    pdx TEXT NOT NULL,
    cid TEXT NOT NULL,
    patient_name TEXT NOT NULL,
    sex TEXT NOT NULL,
    dob INTEGER NOT NULL,
    inscl TEXT NOT NULL,
    subtype TEXT NOT NULL,
    hospmain TEXT NOT NULL,
    permitno TEXT NOT NULL,
    fund TEXT NOT NULL,
    place TEXT NOT NULL,
    vcase TEXT NOT NULL,
    total INTEGER NOT NULL,
    paid INTEGER NOT NULL,
    claimable INTEGER NOT NULL,
    fund_amount INTEGER NOT NULL,
    patient_amount INTEGER NOT NULL,
    -- 1 posted, 0 unposted (no posting-map line); unposted_reason says why.
    posted INTEGER NOT NULL,
    unposted_reason TEXT NOT NULL,
    receivable TEXT NOT NULL,
    -- Last journal version written for the visit, and the version of its current posting
    -- (0 = none: unposted, nothing owed, or reversed).
    ver INTEGER NOT NULL,
    posted_ver INTEGER NOT NULL,
    import_id TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    detail_json TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (hcode, vkey)
);
CREATE INDEX claim_visits_date ON claim_visits(hcode, date_serv);

-- Append-only journal: one entry per (visit, version); corrections are reversing entries.
CREATE TABLE claim_journal (
    hcode TEXT NOT NULL,
    vkey TEXT NOT NULL,
    ver INTEGER NOT NULL,
    line_no INTEGER NOT NULL,
    kind TEXT NOT NULL,
    import_id TEXT NOT NULL,
    date_serv INTEGER NOT NULL,
    fy INTEGER NOT NULL,
    account TEXT NOT NULL,
    fund TEXT NOT NULL,
    debit INTEGER NOT NULL,
    credit INTEGER NOT NULL,
    PRIMARY KEY (hcode, vkey, ver, line_no)
);
CREATE INDEX claim_journal_acct ON claim_journal(hcode, date_serv, account);

-- The posting map as data, versioned by fiscal year (fy 0 = the default for every year
-- without its own version). Edited by the provincial admin.
CREATE TABLE claim_posting_map (
    province_code TEXT NOT NULL,
    fy INTEGER NOT NULL,
    fund TEXT NOT NULL,
    setting TEXT NOT NULL,
    place TEXT NOT NULL,
    vcase TEXT NOT NULL,
    receivable TEXT NOT NULL,
    revenue TEXT NOT NULL,
    source TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (province_code, fy, fund, setting, place, vcase)
);
