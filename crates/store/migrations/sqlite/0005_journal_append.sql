-- The journal re-keyed in append order (sqlite). Its old key (hcode, vkey, ver, line_no) took
-- every line of a large import in random order: with a page cache smaller than that index,
-- SQLite wrote and re-read each leaf page many times (6.8 GB written to the WAL for a 1.1 GB
-- database at 1M visits). Lines are now numbered within their import, and each visit keeps
-- where its entries are: the posted one in post_import/post_n/post_lines, all of them (posts
-- and reversals, oldest first) in journal_refs as "import_no:first_n:lines" separated by spaces.

-- Imports numbered per unit (1, 2, …) in the order they happened.
ALTER TABLE claim_imports ADD COLUMN no INTEGER NOT NULL DEFAULT 0;
UPDATE claim_imports SET no = (
    SELECT COUNT(*) FROM claim_imports i
    WHERE i.hcode = claim_imports.hcode
      AND (i.at < claim_imports.at OR (i.at = claim_imports.at AND i.id <= claim_imports.id))
);
CREATE UNIQUE INDEX claim_imports_no ON claim_imports(hcode, no);

CREATE TABLE claim_journal_v2 (
    hcode TEXT NOT NULL,
    import_no INTEGER NOT NULL,
    -- Line number within the import, in the order written.
    n INTEGER NOT NULL,
    vkey TEXT NOT NULL,
    ver INTEGER NOT NULL,
    line_no INTEGER NOT NULL,
    kind TEXT NOT NULL,
    date_serv INTEGER NOT NULL,
    fy INTEGER NOT NULL,
    account TEXT NOT NULL,
    fund TEXT NOT NULL,
    debit INTEGER NOT NULL,
    credit INTEGER NOT NULL,
    PRIMARY KEY (hcode, import_no, n)
) WITHOUT ROWID;

INSERT INTO claim_journal_v2 (hcode, import_no, n, vkey, ver, line_no, kind, date_serv, fy, account, fund, debit, credit)
SELECT j.hcode, COALESCE(i.no, 0),
       ROW_NUMBER() OVER (PARTITION BY j.hcode, COALESCE(i.no, 0) ORDER BY j.vkey, j.ver, j.line_no),
       j.vkey, j.ver, j.line_no, j.kind, j.date_serv, j.fy, j.account, j.fund, j.debit, j.credit
FROM claim_journal j LEFT JOIN claim_imports i ON i.hcode = j.hcode AND i.id = j.import_id;

DROP TABLE claim_journal;
ALTER TABLE claim_journal_v2 RENAME TO claim_journal;
CREATE INDEX claim_journal_acct ON claim_journal(hcode, date_serv, account);

ALTER TABLE claim_visits ADD COLUMN post_import INTEGER NOT NULL DEFAULT 0;
ALTER TABLE claim_visits ADD COLUMN post_n INTEGER NOT NULL DEFAULT 0;
ALTER TABLE claim_visits ADD COLUMN post_lines INTEGER NOT NULL DEFAULT 0;
ALTER TABLE claim_visits ADD COLUMN journal_refs TEXT NOT NULL DEFAULT '';

-- Only for filling the new columns below.
CREATE INDEX claim_journal_migrate ON claim_journal(hcode, vkey, ver);
CREATE TEMP TABLE journal_entries AS
SELECT hcode, vkey, ver, MIN(import_no) AS import_no, MIN(n) AS first_n, COUNT(*) AS lines
FROM claim_journal GROUP BY hcode, vkey, ver;
CREATE INDEX temp.journal_entries_key ON journal_entries(hcode, vkey, ver);
UPDATE claim_visits SET (post_import, post_n, post_lines) = (
    SELECT e.import_no, e.first_n, e.lines FROM journal_entries e
    WHERE e.hcode = claim_visits.hcode AND e.vkey = claim_visits.vkey AND e.ver = claim_visits.posted_ver
) WHERE posted_ver > 0;
UPDATE claim_visits SET journal_refs = COALESCE((
    SELECT group_concat(r, ' ') FROM (
        SELECT e.import_no || ':' || e.first_n || ':' || e.lines AS r FROM journal_entries e
        WHERE e.hcode = claim_visits.hcode AND e.vkey = claim_visits.vkey ORDER BY e.ver
    )
), '');
DROP TABLE journal_entries;
DROP INDEX claim_journal_migrate;
