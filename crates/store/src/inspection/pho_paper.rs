//! The provincial office's own 4P paper (items 1–3 of the seed's paper are about the PHO).

use super::*;
use crate::sql::binds;

/// The provincial office's 4P paper for a fiscal year and round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhoPaper {
    pub province_code: String,
    pub fiscal_year: u16,
    pub round: u8,
    pub criteria_version: String,
    pub input: AssessmentInput,
    pub updated_at: i64,
    pub updated_by: String,
}

impl Store {
    /// The office's paper, if saved.
    #[tracing::instrument(level = "debug", skip_all, fields(user = %actor.who.username))]
    pub async fn pho_paper(
        &self,
        actor: &Actor,
        province: &str,
        fiscal_year: u16,
        round: u8,
    ) -> Result<Option<PhoPaper>, StoreError> {
        self.check_province(actor, province).await?;
        let mut s = Sql::new(
            "SELECT criteria_version, assessor, assessed_on, reviewer_summary, marks_json, paper_json, updated_at, updated_by FROM gov_pho_papers WHERE province_code = ",
        );
        s.push_round_key(province, fiscal_year, round);
        let Some(r) = s.query().fetch_optional(self.pool()).await? else {
            return Ok(None);
        };
        let marks: BTreeMap<String, ItemMark> =
            serde_json::from_str(&get_s(&r, "marks_json")?).unwrap_or_default();
        let paper: PaperHeader =
            serde_json::from_str(&get_s(&r, "paper_json")?).unwrap_or_default();
        Ok(Some(PhoPaper {
            province_code: province.to_string(),
            fiscal_year,
            round,
            criteria_version: get_s(&r, "criteria_version")?,
            input: AssessmentInput {
                assessor: get_s(&r, "assessor")?,
                assessed_on: get_os(&r, "assessed_on")?,
                reviewer_summary: get_s(&r, "reviewer_summary")?,
                marks,
                paper,
            },
            updated_at: get_i(&r, "updated_at")?,
            updated_by: get_s(&r, "updated_by")?,
        }))
    }

    /// Saves the office's paper: the same checks as a unit's 4P paper, over the office's items.
    #[tracing::instrument(level = "debug", skip_all, fields(user = %actor.who.username))]
    pub async fn save_pho_paper(
        &self,
        actor: &Actor,
        province: &str,
        fiscal_year: u16,
        round: u8,
        input: &AssessmentInput,
    ) -> Result<PhoPaper, StoreError> {
        self.check_province(actor, province).await?;
        check_year_round(fiscal_year, round)?;
        let criteria = criteria_for(fiscal_year);
        let errs = check_input(FormKind::FourP, &pho_item_ids(criteria), input);
        if !errs.is_empty() {
            return Err(StoreError::Invalid(errs));
        }
        let before = self.pho_paper(actor, province, fiscal_year, round).await?;
        let marks: BTreeMap<&String, &ItemMark> = input
            .marks
            .iter()
            .filter(|(_, m)| !m.mark.is_empty() || !m.note.trim().is_empty())
            .collect();
        let at = now_ms();
        let mut tx = self.pool().begin().await?;
        let mut s = Sql::new(
            "INSERT INTO gov_pho_papers (province_code, fiscal_year, round, criteria_version, assessor, assessed_on, reviewer_summary, marks_json, paper_json, updated_at, updated_by) VALUES (",
        );
        s.list(binds![province, i64::from(fiscal_year), i64::from(round), criteria.version.clone(), input.assessor.trim(), input.assessed_on.clone().filter(|d| !d.is_empty()), input.reviewer_summary.trim(), serde_json::to_string(&marks).unwrap_or_else(|_| "{}".into()), serde_json::to_string(&input.paper).unwrap_or_else(|_| "{}".into()), at, actor.who.username.clone()])
            .push(
                ") ON CONFLICT (province_code, fiscal_year, round) DO UPDATE SET criteria_version = excluded.criteria_version, assessor = excluded.assessor, assessed_on = excluded.assessed_on, reviewer_summary = excluded.reviewer_summary, marks_json = excluded.marks_json, paper_json = excluded.paper_json, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
            );
        s.query().execute(&mut *tx).await?;
        let saved = PhoPaper {
            province_code: province.to_string(),
            fiscal_year,
            round,
            criteria_version: criteria.version.clone(),
            input: AssessmentInput {
                assessor: input.assessor.trim().to_string(),
                assessed_on: input.assessed_on.clone().filter(|d| !d.is_empty()),
                reviewer_summary: input.reviewer_summary.trim().to_string(),
                marks: marks
                    .into_iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
                paper: input.paper.clone(),
            },
            updated_at: at,
            updated_by: actor.who.username.clone(),
        };
        Change::new(
            "gov_pho_paper",
            &format!("{province}/{fiscal_year}/{round}"),
            if before.is_some() { "update" } else { "create" },
        )
        .before_opt(before.as_ref().and_then(|b| json(&b.input)))
        .after_opt(json(&saved.input))
        .record_and_commit(tx, actor)
        .await?;
        Ok(saved)
    }
}
