-- The read models' version (postgres).
-- Bumped by every transaction that changes a read model or the units and districts they are
-- shown with: what a page computed from them stays valid while this number stands.
CREATE TABLE read_version (
    id BIGINT PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO read_version (id, version) VALUES (1, 0);
