-- Criteria sets a province loaded (TOML, raidai_governance::CriteriaSet), versioned per fiscal
-- year: the newest of a year is in force from that year on; the built-in FY2565 set stays the
-- default. Nothing is deleted, so any earlier set can be viewed and compared.
CREATE TABLE gov_criteria_sets (
    fiscal_year INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    version TEXT NOT NULL,
    title TEXT NOT NULL,
    source TEXT NOT NULL,
    loaded_by TEXT NOT NULL,
    loaded_at INTEGER NOT NULL,
    PRIMARY KEY (fiscal_year, seq)
);
