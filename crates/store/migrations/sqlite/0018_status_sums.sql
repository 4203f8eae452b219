-- C / Deny worklist read model (sqlite): claims per unit, fund, status and follow-up state, with
-- what is still owed on them (fund amount - cleared). The worklist's count and total read these
-- rows instead of counting a unit's every C / Deny claim per request. Moved by difference with
-- the other claim sums (SumDelta), a follow-up change included.
CREATE TABLE claim_sum_status (
    hcode TEXT NOT NULL,
    fund TEXT NOT NULL,
    status TEXT NOT NULL,
    work TEXT NOT NULL,
    visits INTEGER NOT NULL,
    outstanding INTEGER NOT NULL,
    PRIMARY KEY (hcode, fund, status, work)
);

INSERT INTO claim_sum_status (hcode, fund, status, work, visits, outstanding)
SELECT cs.hcode, v.fund, cs.status, cs.work, COUNT(*), SUM(v.fund_amount - cs.cleared)
FROM claim_status cs JOIN claim_visits v ON v.hcode = cs.hcode AND v.vkey = cs.vkey
GROUP BY cs.hcode, v.fund, cs.status, cs.work;

-- What each claim still owes (the visit's fund amount - cleared), kept on the claim so the
-- worklist reads its largest C / Deny claims from an index instead of joining and sorting every
-- one per request. Set by SumDelta from each write's after-read (only where it changed).
ALTER TABLE claim_status ADD COLUMN open_amount INTEGER NOT NULL DEFAULT 0;
UPDATE claim_status SET open_amount = COALESCE((SELECT v.fund_amount FROM claim_visits v
    WHERE v.hcode = claim_status.hcode AND v.vkey = claim_status.vkey), 0) - cleared;
CREATE INDEX claim_status_open ON claim_status(hcode, open_amount DESC, vkey)
    WHERE status IN ('corrective', 'deny');
