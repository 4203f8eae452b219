-- Foundation: master data, users, sessions, audit log.
-- Distributable by unit code: tenant tables carry hcode; provinces, districts and units are
-- small reference tables (replicated on a sharded PostgreSQL). Keys are natural codes or UUIDv7.
CREATE TABLE provinces (
    code TEXT PRIMARY KEY,
    name_th TEXT NOT NULL,
    name_en TEXT NOT NULL
);
CREATE TABLE districts (
    code TEXT PRIMARY KEY,
    province_code TEXT NOT NULL REFERENCES provinces(code),
    name_th TEXT NOT NULL,
    name_en TEXT NOT NULL
);
CREATE TABLE units (
    hcode TEXT PRIMARY KEY,
    name_th TEXT NOT NULL,
    unit_type TEXT NOT NULL,
    province_code TEXT NOT NULL REFERENCES provinces(code),
    district_code TEXT NOT NULL REFERENCES districts(code),
    cup_hcode TEXT NOT NULL,
    peer_group TEXT,
    island INTEGER NOT NULL DEFAULT 0,
    beds INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1,
    updated_at INTEGER NOT NULL
);
CREATE INDEX units_district ON units(district_code);
CREATE INDEX units_cup ON units(cup_hcode);
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    province_code TEXT,
    district_code TEXT,
    hcode TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    password_changed_at INTEGER NOT NULL
);
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    at INTEGER NOT NULL,
    user_id TEXT,
    username TEXT NOT NULL,
    hcode TEXT,
    entity TEXT NOT NULL,
    entity_key TEXT NOT NULL,
    action TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT
);
CREATE INDEX audit_at ON audit_log(at);
CREATE INDEX audit_hcode ON audit_log(hcode);
