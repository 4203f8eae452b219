-- Governance workbench (postgres): monthly financial positions, trial balances and the
-- account → ratio-item map. Money is integer satang; periods are BE year × 100 + fiscal month.

-- Which accounts feed which Risk Score ratio item, as data. An account counts towards an item
-- when its code starts with one of the item's prefixes (one prefix may feed several items,
-- e.g. cash is also a quick and a current asset).
CREATE TABLE gov_account_map (
    map_name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    item TEXT NOT NULL,
    PRIMARY KEY (map_name, prefix, item)
);
-- Default map for the MoPH chart of accounts: 1101 cash, 1102 receivables, 1103 short-term
-- investments, 1104 accrued revenue, 1105 inventories, 1106 other current assets;
-- 21xx current liabilities; 4 revenue; 5 expense.
INSERT INTO gov_account_map (map_name, prefix, item) VALUES
    ('moph', '1101', 'cash_and_equivalents'),
    ('moph', '1101', 'quick_assets'),
    ('moph', '1101', 'current_assets'),
    ('moph', '1102', 'quick_assets'),
    ('moph', '1102', 'current_assets'),
    ('moph', '1103', 'quick_assets'),
    ('moph', '1103', 'current_assets'),
    ('moph', '1104', 'current_assets'),
    ('moph', '1105', 'current_assets'),
    ('moph', '1106', 'current_assets'),
    ('moph', '21', 'current_liabilities'),
    ('moph', '4', 'revenue_ytd'),
    ('moph', '5', 'expense_ytd');

-- A unit's trial balance for one period, as imported (fiscal-YTD balances).
CREATE TABLE gov_trial_balances (
    hcode TEXT NOT NULL REFERENCES units(hcode),
    period BIGINT NOT NULL,
    account_code TEXT NOT NULL,
    debit BIGINT NOT NULL,
    credit BIGINT NOT NULL,
    PRIMARY KEY (hcode, period, account_code)
);

-- The Risk Score inputs of one unit and period, from a trial balance or entered directly.
CREATE TABLE gov_positions (
    hcode TEXT NOT NULL REFERENCES units(hcode),
    period BIGINT NOT NULL,
    current_assets BIGINT NOT NULL,
    current_liabilities BIGINT NOT NULL,
    quick_assets BIGINT NOT NULL,
    cash_and_equivalents BIGINT NOT NULL,
    revenue_ytd BIGINT NOT NULL,
    expense_ytd BIGINT NOT NULL,
    source TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (hcode, period)
);
CREATE INDEX gov_positions_period ON gov_positions(period);

-- Self-assessments per unit, fiscal year (BE) and inspection round: `rc` is the quality
-- revenue-collection centre (4S4C + CSMBS on-site survey, 100 points), `4p` the 4P working paper.
CREATE TABLE gov_assessments (
    hcode TEXT NOT NULL REFERENCES units(hcode),
    fiscal_year BIGINT NOT NULL,
    round BIGINT NOT NULL,
    form TEXT NOT NULL,
    criteria_version TEXT NOT NULL,
    assessor TEXT NOT NULL,
    assessed_on TEXT,
    reviewer_summary TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (hcode, fiscal_year, round, form)
);
-- One mark per item: '0'/'2' (rc), '2'/'1'/'0'/'x' (4p); an absent row is unmarked.
CREATE TABLE gov_assessment_marks (
    hcode TEXT NOT NULL,
    fiscal_year BIGINT NOT NULL,
    round BIGINT NOT NULL,
    form TEXT NOT NULL,
    item_id TEXT NOT NULL,
    mark TEXT NOT NULL,
    note TEXT NOT NULL,
    PRIMARY KEY (hcode, fiscal_year, round, form, item_id),
    FOREIGN KEY (hcode, fiscal_year, round, form) REFERENCES gov_assessments(hcode, fiscal_year, round, form) ON DELETE CASCADE
);
-- Evidence files, kept in the database so backups and tenancy cover them.
CREATE TABLE gov_evidence (
    hcode TEXT NOT NULL REFERENCES units(hcode),
    id TEXT NOT NULL,
    fiscal_year BIGINT NOT NULL,
    round BIGINT NOT NULL,
    form TEXT NOT NULL,
    item_id TEXT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    data BYTEA NOT NULL,
    uploaded_at BIGINT NOT NULL,
    uploaded_by TEXT NOT NULL,
    PRIMARY KEY (hcode, id)
);
CREATE INDEX gov_evidence_form ON gov_evidence(hcode, fiscal_year, round, form);

-- Planfin: a unit's maintenance-fund plan per fiscal year (type 1–7 as entered), its monthly
-- plan and actual amounts per P-code, and its revisions with the PHO's approval.
CREATE TABLE gov_plans (
    hcode TEXT NOT NULL REFERENCES units(hcode),
    fiscal_year BIGINT NOT NULL,
    plan_type BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (hcode, fiscal_year)
);
-- kind: 'plan' or 'actual'; month: fiscal month 1 (October) … 12.
CREATE TABLE gov_plan_amounts (
    hcode TEXT NOT NULL,
    fiscal_year BIGINT NOT NULL,
    kind TEXT NOT NULL,
    code TEXT NOT NULL,
    month BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    PRIMARY KEY (hcode, fiscal_year, kind, code, month),
    FOREIGN KEY (hcode, fiscal_year) REFERENCES gov_plans(hcode, fiscal_year) ON DELETE CASCADE
);
CREATE TABLE gov_plan_revisions (
    hcode TEXT NOT NULL,
    fiscal_year BIGINT NOT NULL,
    number BIGINT NOT NULL,
    revised_on TEXT,
    note TEXT NOT NULL,
    approved BIGINT NOT NULL,
    approved_by TEXT,
    approved_at BIGINT,
    PRIMARY KEY (hcode, fiscal_year, number),
    FOREIGN KEY (hcode, fiscal_year) REFERENCES gov_plans(hcode, fiscal_year) ON DELETE CASCADE
);

-- TPS inputs of a unit per fiscal year and quarter (the engine's input record as JSON: the
-- figures come from several sources and the record is versioned with the engine).
CREATE TABLE gov_tps_inputs (
    hcode TEXT NOT NULL REFERENCES units(hcode),
    fiscal_year BIGINT NOT NULL,
    quarter BIGINT NOT NULL,
    input_json TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (hcode, fiscal_year, quarter)
);
