-- Web imports run as background jobs: the upload is streamed to disk, the job row carries the
-- progress the page polls, and a restart marks an unfinished job failed (its import's own
-- transaction means nothing of it landed).
CREATE TABLE import_jobs (
    hcode TEXT NOT NULL REFERENCES units(hcode),
    id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    username TEXT NOT NULL,
    source_name TEXT NOT NULL,
    strict BIGINT NOT NULL DEFAULT 0,
    bytes BIGINT NOT NULL DEFAULT 0,
    state TEXT NOT NULL,
    phase TEXT NOT NULL,
    done_rows BIGINT NOT NULL DEFAULT 0,
    total_rows BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    started_at BIGINT,
    finished_at BIGINT,
    import_id TEXT,
    error_th TEXT NOT NULL DEFAULT '',
    error_en TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (hcode, id)
);
CREATE INDEX import_jobs_state ON import_jobs(state);
-- The debits of the postings an import reversed (corrected visits): the net change of the
-- receivables is posted_amount - reversed_amount.
ALTER TABLE claim_imports ADD COLUMN reversed_amount BIGINT NOT NULL DEFAULT 0;
