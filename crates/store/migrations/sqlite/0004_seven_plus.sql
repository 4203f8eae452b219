-- 7 Plus Efficiency inputs (DOMAIN §5.2): ratio items beyond the Risk Score six, per unit and
-- period, summed from a trial balance with the account map or entered directly. Amounts are
-- fiscal-YTD flows or period-end balances in satang.
CREATE TABLE gov_ratio_items (
    hcode TEXT NOT NULL REFERENCES units(hcode),
    period INTEGER NOT NULL,
    item TEXT NOT NULL,
    amount INTEGER NOT NULL,
    PRIMARY KEY (hcode, period, item)
);

-- Default map rows for the 7 Plus items (MoPH chart of accounts). Receivables: 1102050101.2xx
-- UC, .3xx social security, .4xx CSMBS (direct billing); revenue: 4301020105 UC, 4301020106
-- social security, 4301020104.4xx CSMBS; 43010201 medical-service revenue; 1105 inventories;
-- 2101 trade payables; 5104 materials used. EBITDA revenue (3330X) is all revenue, EBITDA
-- expense (3330Y) the expense groups before depreciation (5101–5104). Purchases have no
-- balance account and are entered directly.
INSERT INTO gov_account_map (map_name, prefix, item) VALUES
    ('moph', '1', 'total_assets'),
    ('moph', '4', 'ebitda_revenue'),
    ('moph', '5101', 'ebitda_expense'),
    ('moph', '5102', 'ebitda_expense'),
    ('moph', '5103', 'ebitda_expense'),
    ('moph', '5104', 'ebitda_expense'),
    ('moph', '43010201', 'medical_revenue'),
    ('moph', '1102050101.2', 'receivable_uc'),
    ('moph', '1102050101.4', 'receivable_csmbs'),
    ('moph', '1102050101.3', 'receivable_sss'),
    ('moph', '4301020105', 'revenue_uc_ytd'),
    ('moph', '4301020104.4', 'revenue_csmbs_ytd'),
    ('moph', '4301020106', 'revenue_sss_ytd'),
    ('moph', '2101', 'payables'),
    ('moph', '1105', 'inventory'),
    ('moph', '5104', 'inventory_usage_ytd');
