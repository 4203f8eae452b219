-- The plan's approval path (seed 004): the unit submits its maintenance-fund plan, the provincial
-- office reviews it (or returns it with a comment), and the approval of the provincial chief
-- (นายแพทย์สาธารณสุขจังหวัด) is recorded with the chief's name. Append-only: the last step is the
-- plan's state; none = draft.
CREATE TABLE gov_plan_steps (
    hcode TEXT NOT NULL,
    fiscal_year BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    -- submitted, returned, reviewed, approved
    step TEXT NOT NULL,
    username TEXT NOT NULL,
    -- The approver's name as signed (the chief), else the user's.
    signer TEXT NOT NULL,
    comment TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (hcode, fiscal_year, seq)
);
