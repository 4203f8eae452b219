-- More read models (sqlite), kept like those of 0012 in the writing transaction.

-- Receivables posted (accounts 1102…, net of reversals and settlements) per unit, fund and
-- fiscal year of the journal: the province roll-up reads a row per unit and fund.
CREATE TABLE claim_sum_rollup (
    hcode TEXT NOT NULL,
    fund TEXT NOT NULL,
    fy INTEGER NOT NULL,
    amount INTEGER NOT NULL,
    entries INTEGER NOT NULL,
    PRIMARY KEY (hcode, fund, fy)
);

-- Every visit (posted or not) per unit, fiscal year, right, sub-right and service month, with
-- how many carry an Authen code: the year's visit count and the Authen coverage.
CREATE TABLE claim_sum_visits (
    hcode TEXT NOT NULL,
    fy INTEGER NOT NULL,
    inscl TEXT NOT NULL,
    subtype TEXT NOT NULL,
    month INTEGER NOT NULL,
    visits INTEGER NOT NULL,
    with_code INTEGER NOT NULL,
    PRIMARY KEY (hcode, fy, inscl, subtype, month)
);

INSERT INTO claim_sum_rollup (hcode, fund, fy, amount, entries)
SELECT hcode, fund, fy, SUM(debit - credit), SUM(CASE kind WHEN 'post' THEN 1 WHEN 'reverse' THEN -1 ELSE 0 END)
FROM claim_journal WHERE account LIKE '1102%' GROUP BY hcode, fund, fy;

INSERT INTO claim_sum_visits (hcode, fy, inscl, subtype, month, visits, with_code)
SELECT hcode, fy, inscl, subtype, date_serv / 100, COUNT(*), SUM(CASE WHEN permitno <> '' THEN 1 ELSE 0 END)
FROM claim_visits GROUP BY hcode, fy, inscl, subtype, date_serv / 100;

-- Visits waiting for a posting (the unposted page) without walking the posted ones.
CREATE INDEX claim_visits_unposted ON claim_visits(hcode, unposted_reason) WHERE posted = 0;

-- Journal lines per month as well (the periods page counts them), rebuilt once here.
ALTER TABLE claim_sum_journal ADD COLUMN lines INTEGER NOT NULL DEFAULT 0;
DELETE FROM claim_sum_journal;
INSERT INTO claim_sum_journal (hcode, account, fund, fy, post_month, serv_month, debit, credit, entries, lines)
SELECT hcode, account, fund, fy, post_date / 100, date_serv / 100, SUM(debit), SUM(credit),
       SUM(CASE kind WHEN 'post' THEN 1 WHEN 'reverse' THEN -1 ELSE 0 END), COUNT(*)
FROM claim_journal GROUP BY hcode, account, fund, fy, post_date / 100, date_serv / 100;

-- Batch candidates and aging select visits by recognition date (discharge for IP): the same
-- expression the queries use (RECOGNISED_SQL), so a month's batch reads a month's visits.
CREATE INDEX claim_visits_recognised ON claim_visits(hcode, (CASE WHEN setting = 'IP' THEN date_dsc ELSE date_serv END));
