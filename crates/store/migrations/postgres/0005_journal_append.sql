-- The journal re-keyed in append order (postgres). Its old key (hcode, vkey, ver, line_no) took
-- every line of a large import in random order. Lines are now numbered within their import,
-- and each visit keeps where its entries are: the posted one in post_import/post_n/post_lines,
-- all of them (posts and reversals, oldest first) in journal_refs as
-- "import_no:first_n:lines" separated by spaces.

-- Imports numbered per unit (1, 2, …) in the order they happened.
ALTER TABLE claim_imports ADD COLUMN no BIGINT NOT NULL DEFAULT 0;
UPDATE claim_imports c SET no = r.no FROM (
    SELECT hcode, id, ROW_NUMBER() OVER (PARTITION BY hcode ORDER BY at, id) AS no FROM claim_imports
) r WHERE r.hcode = c.hcode AND r.id = c.id;
CREATE UNIQUE INDEX claim_imports_no ON claim_imports(hcode, no);

CREATE TABLE claim_journal_v2 (
    hcode TEXT NOT NULL,
    import_no BIGINT NOT NULL,
    -- Line number within the import, in the order written.
    n BIGINT NOT NULL,
    vkey TEXT NOT NULL,
    ver BIGINT NOT NULL,
    line_no BIGINT NOT NULL,
    kind TEXT NOT NULL,
    date_serv BIGINT NOT NULL,
    fy BIGINT NOT NULL,
    account TEXT NOT NULL,
    fund TEXT NOT NULL,
    debit BIGINT NOT NULL,
    credit BIGINT NOT NULL,
    PRIMARY KEY (hcode, import_no, n)
);

INSERT INTO claim_journal_v2 (hcode, import_no, n, vkey, ver, line_no, kind, date_serv, fy, account, fund, debit, credit)
SELECT j.hcode, COALESCE(i.no, 0),
       ROW_NUMBER() OVER (PARTITION BY j.hcode, COALESCE(i.no, 0) ORDER BY j.vkey, j.ver, j.line_no),
       j.vkey, j.ver, j.line_no, j.kind, j.date_serv, j.fy, j.account, j.fund, j.debit, j.credit
FROM claim_journal j LEFT JOIN claim_imports i ON i.hcode = j.hcode AND i.id = j.import_id;

DROP TABLE claim_journal;
ALTER TABLE claim_journal_v2 RENAME TO claim_journal;
ALTER INDEX claim_journal_v2_pkey RENAME TO claim_journal_pkey;
CREATE INDEX claim_journal_acct ON claim_journal(hcode, date_serv, account);

ALTER TABLE claim_visits ADD COLUMN post_import BIGINT NOT NULL DEFAULT 0;
ALTER TABLE claim_visits ADD COLUMN post_n BIGINT NOT NULL DEFAULT 0;
ALTER TABLE claim_visits ADD COLUMN post_lines BIGINT NOT NULL DEFAULT 0;
ALTER TABLE claim_visits ADD COLUMN journal_refs TEXT NOT NULL DEFAULT '';

CREATE TEMP TABLE journal_entries ON COMMIT DROP AS
SELECT hcode, vkey, ver, MIN(import_no) AS import_no, MIN(n) AS first_n, COUNT(*) AS lines
FROM claim_journal GROUP BY hcode, vkey, ver;
UPDATE claim_visits v SET post_import = e.import_no, post_n = e.first_n, post_lines = e.lines
FROM journal_entries e
WHERE e.hcode = v.hcode AND e.vkey = v.vkey AND e.ver = v.posted_ver AND v.posted_ver > 0;
UPDATE claim_visits v SET journal_refs = r.refs FROM (
    SELECT hcode, vkey, string_agg(import_no || ':' || first_n || ':' || lines, ' ' ORDER BY ver) AS refs
    FROM journal_entries GROUP BY hcode, vkey
) r WHERE r.hcode = v.hcode AND r.vkey = v.vkey;
