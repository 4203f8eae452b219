-- NHSO Authen connector (postgres): per-unit credentials (the token sealed with the key from the
-- settings, never stored or logged in clear; its expiry; the unit's own switch) and the
-- lookups made for visits without an Authen code.
CREATE TABLE unit_authen (
    hcode TEXT NOT NULL PRIMARY KEY REFERENCES units(hcode),
    sealed_token TEXT NOT NULL,
    -- yyyymmdd (CE): the rights-check password/token expires (seed problem #1).
    expires_on BIGINT NOT NULL,
    enabled BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL
);

CREATE TABLE claim_authen_lookups (
    hcode TEXT NOT NULL,
    vkey TEXT NOT NULL,
    -- found | not_found | failed
    status TEXT NOT NULL,
    claim_code TEXT NOT NULL,
    checked_at BIGINT NOT NULL,
    checked_by TEXT NOT NULL,
    PRIMARY KEY (hcode, vkey)
);
