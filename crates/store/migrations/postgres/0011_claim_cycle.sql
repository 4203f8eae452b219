-- The claim cycle (postgres): claim batches sent to a fund, what came back (REP: accepted, C,
-- Deny; STM: money paid), each visit's claim as it stands, and the settlement of its
-- receivable. Settlement lines are ordinary journal lines (kind 'settle' / 'writeoff') of a
-- claim_imports row of kind 'stm' or 'writeoff', so balances and periods see them.

CREATE TABLE claim_batches (
    hcode TEXT NOT NULL REFERENCES units(hcode),
    no BIGINT NOT NULL,
    -- Posting-map funds, comma-separated (UC,OFC).
    funds TEXT NOT NULL,
    -- Recognition dates (service, or discharge for IP), yyyymmdd, inclusive.
    date_from BIGINT NOT NULL,
    date_to BIGINT NOT NULL,
    -- 'fdh' or 'classic'.
    headers TEXT NOT NULL,
    include_blocked BIGINT NOT NULL,
    visits BIGINT NOT NULL,
    -- Of which with a blocking Data Audit finding (sent anyway).
    blocked BIGINT NOT NULL,
    -- Satang claimed: the fund amounts of the visits.
    amount BIGINT NOT NULL,
    -- [{name, records, sha256, bytes}]
    files_json TEXT NOT NULL,
    zip_sha256 TEXT NOT NULL,
    zip BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (hcode, no)
);

CREATE TABLE claim_batch_visits (
    hcode TEXT NOT NULL,
    batch_no BIGINT NOT NULL,
    vkey TEXT NOT NULL,
    amount BIGINT NOT NULL,
    PRIMARY KEY (hcode, batch_no, vkey)
);
CREATE INDEX claim_batch_visits_vkey ON claim_batch_visits(hcode, vkey);

-- One row per REP or STM file imported; the same bytes twice are refused as a duplicate.
CREATE TABLE claim_returns (
    hcode TEXT NOT NULL REFERENCES units(hcode),
    no BIGINT NOT NULL,
    -- 'rep' or 'stm'.
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    doc_no TEXT NOT NULL,
    -- REP: the file's type (OP, IP, OPLGO, IP_APPEAL, ...); STM: fund and setting (UCS IP).
    detail TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    -- The claim_imports row of the return (its rejects are that import's reject rows).
    import_id TEXT NOT NULL,
    -- claim_imports.no of the settlement's journal lines (0 = none written).
    import_no BIGINT NOT NULL,
    lines BIGINT NOT NULL,
    matched BIGINT NOT NULL,
    unmatched BIGINT NOT NULL,
    rejects BIGINT NOT NULL,
    -- REP: satang expected; STM: satang paid.
    amount BIGINT NOT NULL,
    -- STM: satang received into the cash account against receivables.
    settled BIGINT NOT NULL,
    at BIGINT NOT NULL,
    username TEXT NOT NULL,
    PRIMARY KEY (hcode, no)
);
CREATE UNIQUE INDEX claim_returns_sha ON claim_returns(hcode, sha256);

-- Every line of every return, matched or not. History: a later REP supersedes an earlier
-- one in claim_status, nothing here is deleted.
CREATE TABLE claim_return_lines (
    hcode TEXT NOT NULL,
    return_no BIGINT NOT NULL,
    -- Spreadsheet row (or XML record number) of the line.
    row_no BIGINT NOT NULL,
    -- '' when the line matches no visit.
    vkey TEXT NOT NULL,
    -- How it matched (tran_id, hn_seq, an) or why not (no_visit, pid_mismatch, date_mismatch).
    match_note TEXT NOT NULL,
    tran_id TEXT NOT NULL,
    rep_no TEXT NOT NULL,
    hn TEXT NOT NULL,
    seq_no TEXT NOT NULL,
    an TEXT NOT NULL,
    date_in BIGINT NOT NULL,
    -- REP: accepted, corrective, deny; STM: matched, amount_diff, missing_rep.
    outcome TEXT NOT NULL,
    error_codes TEXT NOT NULL,
    late BIGINT NOT NULL,
    claimed BIGINT NOT NULL,
    -- REP: expected payment; STM: paid.
    amount BIGINT NOT NULL,
    PRIMARY KEY (hcode, return_no, row_no)
);
CREATE INDEX claim_return_lines_vkey ON claim_return_lines(hcode, vkey);

-- Each claimed visit's claim as it stands. Outstanding receivable = the visit's fund amount
-- (when posted) - cleared; cleared = received + written_down - written_up.
CREATE TABLE claim_status (
    hcode TEXT NOT NULL,
    vkey TEXT NOT NULL,
    -- Last batch the visit was sent in (0 = none: known from a return only).
    batch_no BIGINT NOT NULL,
    tran_id TEXT NOT NULL,
    -- sent, accepted, corrective, deny
    status TEXT NOT NULL,
    appeal BIGINT NOT NULL,
    rep_no TEXT NOT NULL,
    error_codes TEXT NOT NULL,
    late BIGINT NOT NULL,
    expected BIGINT NOT NULL,
    -- Date (yyyymmdd) of the REP in force, for the deadlines.
    rep_date BIGINT NOT NULL,
    received BIGINT NOT NULL,
    cleared BIGINT NOT NULL,
    written_down BIGINT NOT NULL,
    written_up BIGINT NOT NULL,
    -- '' (no statement yet), matched, amount_diff
    stm_status TEXT NOT NULL,
    -- The C / Deny follow-up: '', to_fix, resent, appealed, written_off
    work TEXT NOT NULL,
    work_note TEXT NOT NULL,
    work_by TEXT NOT NULL,
    work_at BIGINT NOT NULL,
    -- The settlement and write-off entries of the claim ("import_no:first_n:lines" separated by
    -- spaces), beside the visit's own claim_visits.journal_refs.
    journal_refs TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (hcode, vkey)
);
CREATE INDEX claim_status_tran ON claim_status(hcode, tran_id);
CREATE INDEX claim_status_status ON claim_status(hcode, status);

-- NHSO error codes a province loaded over the shipped table (raidai_returns::ErrorCodes).
CREATE TABLE claim_error_codes (
    province_code TEXT NOT NULL,
    code TEXT NOT NULL,
    type TEXT NOT NULL,
    th TEXT NOT NULL,
    en TEXT NOT NULL,
    fix_th TEXT NOT NULL,
    PRIMARY KEY (province_code, code)
);
