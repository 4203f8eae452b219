-- Posting date vs service date, periods, re-posting, the import's reconciliation (sqlite).
-- Each journal line carries its posting date (the accounting date raidai chose when it wrote
-- the line) beside the service date; fy is the fiscal year of the posting date. Lines written
-- before this migration were dated by service: their posting date is that date.
ALTER TABLE claim_journal ADD COLUMN post_date INTEGER NOT NULL DEFAULT 0;
UPDATE claim_journal SET post_date = date_serv;
CREATE INDEX claim_journal_post ON claim_journal(hcode, post_date, account);
-- The posting date of a visit's current posting (0 = none).
ALTER TABLE claim_visits ADD COLUMN post_date INTEGER NOT NULL DEFAULT 0;
UPDATE claim_visits SET post_date = date_serv WHERE posted_ver > 0;

-- Closed months (yyyymm) of a unit: nothing is dated inside one. Reopening deletes the row.
CREATE TABLE claim_periods (
    hcode TEXT NOT NULL REFERENCES units(hcode),
    month INTEGER NOT NULL,
    closed_at INTEGER NOT NULL,
    closed_by TEXT NOT NULL,
    PRIMARY KEY (hcode, month)
);

-- 'import' (16 files) or 'repost' (waiting visits posted after the map was fixed), and the
-- reconciliation of the visits read: CHT total = fund receivable + patient receivable + paid
-- at the counter + unposted + in hospital - paid above the bill.
ALTER TABLE claim_imports ADD COLUMN kind TEXT NOT NULL DEFAULT 'import';
ALTER TABLE claim_imports ADD COLUMN cht_total INTEGER NOT NULL DEFAULT 0;
ALTER TABLE claim_imports ADD COLUMN paid_total INTEGER NOT NULL DEFAULT 0;
ALTER TABLE claim_imports ADD COLUMN fund_posted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE claim_imports ADD COLUMN patient_posted INTEGER NOT NULL DEFAULT 0;
ALTER TABLE claim_imports ADD COLUMN unposted_amount INTEGER NOT NULL DEFAULT 0;
ALTER TABLE claim_imports ADD COLUMN in_hospital_amount INTEGER NOT NULL DEFAULT 0;
ALTER TABLE claim_imports ADD COLUMN overpaid INTEGER NOT NULL DEFAULT 0;
