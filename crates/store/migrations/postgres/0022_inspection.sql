-- Seed 004's inspection, beyond the units' own forms:
-- * the provincial office's own 4P paper (items 1–3 are about the PHO, which is not a unit);
-- * each hospital's 3–5-year financial strategy (แผนกลยุทธ์ทางการเงิน), a signed document;
-- * the inspection plan per province, fiscal year and round: the sample (the PHO, one
--   รพศ./รพท., one รพช.), the schedule, and the inspectors' findings per item of the paper.
CREATE TABLE gov_pho_papers (
    province_code TEXT NOT NULL REFERENCES provinces(code),
    fiscal_year BIGINT NOT NULL,
    round BIGINT NOT NULL,
    criteria_version TEXT NOT NULL,
    assessor TEXT NOT NULL,
    assessed_on TEXT,
    reviewer_summary TEXT NOT NULL,
    -- {item id: {"mark": "2|1|0|x", "note": "..."}}
    marks_json TEXT NOT NULL,
    -- crate::governance::PaperHeader
    paper_json TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (province_code, fiscal_year, round)
);
CREATE TABLE gov_strategies (
    hcode TEXT NOT NULL REFERENCES units(hcode),
    id TEXT NOT NULL,
    first_fy BIGINT NOT NULL,
    last_fy BIGINT NOT NULL,
    title TEXT NOT NULL,
    approved_by TEXT NOT NULL,
    approved_on TEXT,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    data BYTEA NOT NULL,
    uploaded_at BIGINT NOT NULL,
    uploaded_by TEXT NOT NULL,
    PRIMARY KEY (hcode, id)
);
CREATE TABLE gov_inspections (
    province_code TEXT NOT NULL REFERENCES provinces(code),
    fiscal_year BIGINT NOT NULL,
    round BIGINT NOT NULL,
    inspectors TEXT NOT NULL,
    summary TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (province_code, fiscal_year, round)
);
-- One row per place visited: target '' is the provincial office, else a unit's hcode.
CREATE TABLE gov_inspection_visits (
    province_code TEXT NOT NULL,
    fiscal_year BIGINT NOT NULL,
    round BIGINT NOT NULL,
    target TEXT NOT NULL,
    visit_on TEXT,
    -- {item id: finding}
    findings_json TEXT NOT NULL,
    recommendation TEXT NOT NULL,
    PRIMARY KEY (province_code, fiscal_year, round, target),
    FOREIGN KEY (province_code, fiscal_year, round) REFERENCES gov_inspections(province_code, fiscal_year, round) ON DELETE CASCADE
);
