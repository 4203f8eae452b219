-- The 4P working paper's header (document no., revision, responsible unit and person, period
-- audited) and the reviewer's answers to its three questions, as one JSON object per paper
-- (crate::governance::PaperHeader); '{}' for papers saved before.
ALTER TABLE gov_assessments ADD COLUMN paper_json TEXT NOT NULL DEFAULT '{}';
