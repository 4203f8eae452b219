-- Thai administrative geography as reference data (77 provinces, 928 districts), filled from
-- raidai-domain's bundled geography.tsv by the migration runner right after this DDL.
-- `provinces`/`districts` stay what this installation serves; setup copies from here.
CREATE TABLE geo_provinces (
    code TEXT PRIMARY KEY,
    name_th TEXT NOT NULL,
    name_en TEXT NOT NULL
);
CREATE TABLE geo_districts (
    code TEXT PRIMARY KEY,
    province_code TEXT NOT NULL REFERENCES geo_provinces(code),
    name_th TEXT NOT NULL,
    name_en TEXT NOT NULL
);
CREATE INDEX geo_districts_province ON geo_districts(province_code);
