-- Data Audit read models (postgres): the worklist, the month coverage and LATE01's counts without
-- reading a unit's every finding or visit per request.

-- Visits with stored findings the unit has not accepted, per unit and service month: how many,
-- the amount at stake (a visit's largest), and how many have a blocking one. Recomputed with
-- claim_sum_findings; an Authen code found moves it by the visit's difference.
CREATE TABLE claim_sum_audit (
    hcode TEXT NOT NULL,
    month BIGINT NOT NULL,
    flagged BIGINT NOT NULL,
    at_stake BIGINT NOT NULL,
    blocked BIGINT NOT NULL,
    PRIMARY KEY (hcode, month)
);

-- Every visit per unit, fund and recognition date (discharge for IP) with its amount at stake:
-- LATE01 (past the fund's submission window on the day it is read) is a range of these days.
-- Moved by difference with the other claim sums.
CREATE TABLE claim_sum_due (
    hcode TEXT NOT NULL,
    fund TEXT NOT NULL,
    recognised BIGINT NOT NULL,
    visits BIGINT NOT NULL,
    at_stake BIGINT NOT NULL,
    PRIMARY KEY (hcode, fund, recognised)
);

INSERT INTO claim_sum_audit (hcode, month, flagged, at_stake, blocked)
SELECT v.hcode, v.date_serv / 100, COUNT(*), SUM(x.amount), SUM(x.blocked)
FROM (SELECT f.hcode, f.vkey, MAX(f.amount) AS amount, MAX(CASE WHEN f.severity = 'block' THEN 1 ELSE 0 END) AS blocked
      FROM claim_findings f
      WHERE NOT EXISTS (SELECT 1 FROM claim_finding_accepts a WHERE a.hcode = f.hcode AND a.vkey = f.vkey AND a.rule = f.rule)
      GROUP BY f.hcode, f.vkey) x
JOIN claim_visits v ON v.hcode = x.hcode AND v.vkey = x.vkey
GROUP BY v.hcode, v.date_serv / 100;

INSERT INTO claim_sum_due (hcode, fund, recognised, visits, at_stake)
SELECT hcode, fund, CASE WHEN setting = 'IP' THEN date_dsc ELSE date_serv END, COUNT(*),
       SUM(CASE WHEN fund_amount > 0 THEN fund_amount WHEN fund_amount + patient_amount > 0 THEN fund_amount + patient_amount ELSE 0 END)
FROM claim_visits
GROUP BY hcode, fund, CASE WHEN setting = 'IP' THEN date_dsc ELSE date_serv END;

-- The worklist reads findings blocking first, then by amount, a page at a time. The severity is
-- an expression here, not the column: an index on (hcode, severity) was chosen over the primary
-- key by "has this visit a blocking finding" lookups, which then read every blocking finding of
-- the unit for each visit.
CREATE INDEX claim_findings_order ON claim_findings(hcode, (CASE WHEN severity = 'block' THEN 0 ELSE 1 END), amount DESC, vkey, rule);
-- LATE01's visits of one fund by amount at stake (AT_STAKE_SQL). Keyed by the expression
-- `hcode || '/' || fund`, not the columns: an index starting with `hcode` was taken for every
-- scan of a unit's visits and read them in amount order, a random read per row (24.7 s instead
-- of a second for the cross-visit checks of a hospital's year).
CREATE INDEX claim_visits_due ON claim_visits((hcode || '/' || fund), (CASE WHEN fund_amount > 0 THEN fund_amount WHEN fund_amount + patient_amount > 0 THEN fund_amount + patient_amount ELSE 0 END) DESC, vkey);
