-- Stored Data Audit findings per unit, rule and severity (sqlite): the rule counts of the audit
-- pages. Recomputed for a unit by every transaction that rewrites its findings (import, re-post,
-- re-audit, acceptance); an Authen code found takes its AUTH01 finding off by difference.
-- LATE01, evaluated against today, is counted when read.
CREATE TABLE claim_sum_findings (
    hcode TEXT NOT NULL,
    rule TEXT NOT NULL,
    severity TEXT NOT NULL,
    findings INTEGER NOT NULL,
    amount INTEGER NOT NULL,
    accepted INTEGER NOT NULL,
    PRIMARY KEY (hcode, rule, severity)
);

INSERT INTO claim_sum_findings (hcode, rule, severity, findings, amount, accepted)
SELECT f.hcode, f.rule, f.severity, COUNT(*), SUM(f.amount),
       SUM(CASE WHEN EXISTS (SELECT 1 FROM claim_finding_accepts a WHERE a.hcode = f.hcode AND a.vkey = f.vkey AND a.rule = f.rule) THEN 1 ELSE 0 END)
FROM claim_findings f GROUP BY f.hcode, f.rule, f.severity;
