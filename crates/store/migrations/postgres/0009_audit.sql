-- Data Audit (postgres): findings on kept visits (what a claim would fail on), the officer's
-- acceptances (kept across re-evaluations), and the province's rule catalogue per fiscal year
-- (fy 0 = default; the whole audit_rules.tsv text, parsed by raidai_domain::audit).
CREATE TABLE claim_findings (
    hcode TEXT NOT NULL,
    vkey TEXT NOT NULL,
    rule TEXT NOT NULL,
    -- 'block' or 'warn', from the catalogue in force when evaluated.
    severity TEXT NOT NULL,
    -- Satang at stake: what the fund would pay for the visit.
    amount BIGINT NOT NULL,
    PRIMARY KEY (hcode, vkey, rule)
);
CREATE INDEX claim_findings_rule ON claim_findings(hcode, rule);

CREATE TABLE claim_finding_accepts (
    hcode TEXT NOT NULL,
    vkey TEXT NOT NULL,
    rule TEXT NOT NULL,
    reason TEXT NOT NULL,
    accepted_by TEXT NOT NULL,
    accepted_at BIGINT NOT NULL,
    PRIMARY KEY (hcode, vkey, rule)
);

CREATE TABLE claim_audit_rules (
    province_code TEXT NOT NULL,
    fy BIGINT NOT NULL,
    tsv TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (province_code, fy)
);
