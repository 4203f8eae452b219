-- Read models (sqlite): the sums the pages show, kept in the same transaction as the writes that
-- change them (imports, re-posts, batches, REP/STM returns, write-offs), so a page reads a few
-- hundred rows instead of a unit's whole journal. `raidai db check-summaries` recomputes them
-- from the journal and the visits and compares; `raidai db rebuild-summaries` rewrites them.

-- Journal lines summed per unit, account, fund, fiscal year and month of posting and of service.
-- entries = posting lines net of their reversals (settlement lines count 0).
CREATE TABLE claim_sum_journal (
    hcode TEXT NOT NULL,
    account TEXT NOT NULL,
    fund TEXT NOT NULL,
    fy INTEGER NOT NULL,
    post_month INTEGER NOT NULL,
    serv_month INTEGER NOT NULL,
    debit INTEGER NOT NULL,
    credit INTEGER NOT NULL,
    entries INTEGER NOT NULL,
    PRIMARY KEY (hcode, account, fund, fy, post_month, serv_month)
);

-- Posted claims (fund amount > 0) per unit, fund and fiscal year of the visit, as the province
-- roll-up of the claim cycle shows them.
CREATE TABLE claim_sum_cycle (
    hcode TEXT NOT NULL,
    fund TEXT NOT NULL,
    fy INTEGER NOT NULL,
    visits INTEGER NOT NULL,
    receivable INTEGER NOT NULL,
    claimed INTEGER NOT NULL,
    accepted INTEGER NOT NULL,
    corrective INTEGER NOT NULL,
    denied INTEGER NOT NULL,
    received INTEGER NOT NULL,
    written_down INTEGER NOT NULL,
    outstanding INTEGER NOT NULL,
    late INTEGER NOT NULL,
    PRIMARY KEY (hcode, fund, fy)
);

-- Posted visits per unit, fund, receivable account and recognition date (service, or discharge
-- for IP): the revenue of the collection period and, for those still owed, the aging.
CREATE TABLE claim_sum_recognised (
    hcode TEXT NOT NULL,
    fund TEXT NOT NULL,
    account TEXT NOT NULL,
    recognised INTEGER NOT NULL,
    visits INTEGER NOT NULL,
    amount INTEGER NOT NULL,
    open_visits INTEGER NOT NULL,
    outstanding INTEGER NOT NULL,
    PRIMARY KEY (hcode, fund, account, recognised)
);

INSERT INTO claim_sum_journal (hcode, account, fund, fy, post_month, serv_month, debit, credit, entries)
SELECT hcode, account, fund, fy, post_date / 100, date_serv / 100, SUM(debit), SUM(credit),
       SUM(CASE kind WHEN 'post' THEN 1 WHEN 'reverse' THEN -1 ELSE 0 END)
FROM claim_journal GROUP BY hcode, account, fund, fy, post_date / 100, date_serv / 100;

INSERT INTO claim_sum_cycle (hcode, fund, fy, visits, receivable, claimed, accepted, corrective, denied, received, written_down, outstanding, late)
SELECT v.hcode, v.fund, v.fy, COUNT(*), SUM(v.fund_amount),
       SUM(CASE WHEN cs.batch_no > 0 THEN v.fund_amount ELSE 0 END),
       SUM(CASE WHEN cs.status = 'accepted' THEN cs.expected ELSE 0 END),
       SUM(CASE WHEN cs.status = 'corrective' THEN v.fund_amount ELSE 0 END),
       SUM(CASE WHEN cs.status = 'deny' THEN v.fund_amount ELSE 0 END),
       SUM(COALESCE(cs.received, 0)), SUM(COALESCE(cs.written_down, 0)),
       SUM(v.fund_amount - COALESCE(cs.cleared, 0)),
       SUM(CASE WHEN cs.late = 1 THEN 1 ELSE 0 END)
FROM claim_visits v LEFT JOIN claim_status cs ON cs.hcode = v.hcode AND cs.vkey = v.vkey
WHERE v.posted = 1 AND v.fund_amount > 0
GROUP BY v.hcode, v.fund, v.fy;

INSERT INTO claim_sum_recognised (hcode, fund, account, recognised, visits, amount, open_visits, outstanding)
SELECT v.hcode, v.fund, v.receivable, CASE WHEN v.setting = 'IP' THEN v.date_dsc ELSE v.date_serv END,
       COUNT(*), SUM(v.fund_amount),
       SUM(CASE WHEN v.fund_amount - COALESCE(cs.cleared, 0) > 0 THEN 1 ELSE 0 END),
       SUM(CASE WHEN v.fund_amount - COALESCE(cs.cleared, 0) > 0 THEN v.fund_amount - COALESCE(cs.cleared, 0) ELSE 0 END)
FROM claim_visits v LEFT JOIN claim_status cs ON cs.hcode = v.hcode AND cs.vkey = v.vkey
WHERE v.posted = 1
GROUP BY v.hcode, v.fund, v.receivable, CASE WHEN v.setting = 'IP' THEN v.date_dsc ELSE v.date_serv END;

-- The visit list pages newest first by (date_serv, vkey) with a keyset cursor; it serves
-- every use of the (hcode, date_serv) index it replaces.
CREATE INDEX claim_visits_page ON claim_visits(hcode, date_serv, vkey);
DROP INDEX claim_visits_date;
