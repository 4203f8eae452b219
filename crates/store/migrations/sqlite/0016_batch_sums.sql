-- Batch read model (sqlite).
-- Each batch's claims as they stand (accepted, C, Deny, accepted awaiting their statement,
-- received), moved with the claims like claim_sum_cycle.
CREATE TABLE claim_sum_batches (
    hcode TEXT NOT NULL,
    batch_no INTEGER NOT NULL,
    accepted INTEGER NOT NULL,
    corrective INTEGER NOT NULL,
    denied INTEGER NOT NULL,
    awaiting INTEGER NOT NULL,
    received INTEGER NOT NULL,
    PRIMARY KEY (hcode, batch_no)
);

INSERT INTO claim_sum_batches (hcode, batch_no, accepted, corrective, denied, awaiting, received)
SELECT cs.hcode, cs.batch_no,
       SUM(CASE WHEN cs.status = 'accepted' THEN 1 ELSE 0 END),
       SUM(CASE WHEN cs.status = 'corrective' THEN 1 ELSE 0 END),
       SUM(CASE WHEN cs.status = 'deny' THEN 1 ELSE 0 END),
       SUM(CASE WHEN cs.status = 'accepted' AND cs.stm_status = '' THEN 1 ELSE 0 END),
       SUM(cs.received)
FROM claim_status cs JOIN claim_visits v ON v.hcode = cs.hcode AND v.vkey = cs.vkey
WHERE cs.batch_no > 0 GROUP BY cs.hcode, cs.batch_no;
