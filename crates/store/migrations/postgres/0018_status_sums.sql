-- C / Deny worklist read model (postgres): claims per unit, fund, status and follow-up state, with
-- what is still owed on them (fund amount - cleared). The worklist's count and total read these
-- rows instead of counting a unit's every C / Deny claim per request. Moved by difference with
-- the other claim sums (SumDelta), a follow-up change included.
CREATE TABLE claim_sum_status (
    hcode TEXT NOT NULL,
    fund TEXT NOT NULL,
    status TEXT NOT NULL,
    work TEXT NOT NULL,
    visits BIGINT NOT NULL,
    outstanding BIGINT NOT NULL,
    PRIMARY KEY (hcode, fund, status, work)
);

INSERT INTO claim_sum_status (hcode, fund, status, work, visits, outstanding)
SELECT cs.hcode, v.fund, cs.status, cs.work, COUNT(*), SUM(v.fund_amount - cs.cleared)
FROM claim_status cs JOIN claim_visits v ON v.hcode = cs.hcode AND v.vkey = cs.vkey
GROUP BY cs.hcode, v.fund, cs.status, cs.work;
