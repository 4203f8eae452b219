//! Criteria sets loaded by the province (issue 14): validated, versioned per fiscal year,
//! audit-logged, and put in force for the process (`CriteriaSet::install`).

use crate::audit::Change;
use crate::sql::binds;
use crate::sql::{Sql, get_i, get_s};
use crate::{Actor, FieldError, Store, StoreError, now_ms};
use raidai_domain::master::Role;
use raidai_governance::CriteriaSet;
use serde::Serialize;

/// One loaded set, without its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CriteriaMeta {
    pub fiscal_year: u16,
    pub seq: i64,
    pub version: String,
    pub title: String,
    pub loaded_by: String,
    pub loaded_at: i64,
}

fn meta(r: &sqlx::any::AnyRow) -> Result<CriteriaMeta, StoreError> {
    Ok(CriteriaMeta {
        fiscal_year: u16::try_from(get_i(r, "fiscal_year")?).unwrap_or(0),
        seq: get_i(r, "seq")?,
        version: get_s(r, "version")?,
        title: get_s(r, "title")?,
        loaded_by: get_s(r, "loaded_by")?,
        loaded_at: get_i(r, "loaded_at")?,
    })
}

/// The fiscal years a set may be loaded for (BE).
pub const CRITERIA_YEARS: std::ops::RangeInclusive<u16> = 2565..=2600;

impl Store {
    /// Validates `text` (a criteria set in TOML) and stores it as the newest set of
    /// `fiscal_year` (the file's own year is replaced by it), then puts it in force. Only the
    /// province and the admin load criteria; every problem of the file is listed.
    #[tracing::instrument(level = "debug", skip_all, fields(user = %actor.who.username))]
    pub async fn load_criteria(
        &self,
        actor: &Actor,
        fiscal_year: u16,
        text: &str,
    ) -> Result<CriteriaMeta, StoreError> {
        if !matches!(actor.who.role, Role::Admin | Role::Province) {
            return Err(StoreError::Forbidden);
        }
        if !CRITERIA_YEARS.contains(&fiscal_year) {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "fy",
                format!("fiscal year {fiscal_year} is outside 2565–2600"),
                format!("ปีงบประมาณ {fiscal_year} ต้องอยู่ระหว่าง 2565–2600"),
            )]));
        }
        let mut set = CriteriaSet::from_toml_str(text).map_err(|e| {
            StoreError::Invalid(vec![FieldError::new(
                "file",
                format!("criteria file: {e}"),
                format!("ไฟล์เกณฑ์ไม่ถูกต้อง: {e}"),
            )])
        })?;
        set.fiscal_year = fiscal_year;
        let mut tx = self.pool().begin().await?;
        let mut n = Sql::new(
            "SELECT CAST(COALESCE(MAX(seq), 0) AS BIGINT) AS n FROM gov_criteria_sets WHERE fiscal_year = ",
        );
        n.int(i64::from(fiscal_year));
        let seq = get_i(&n.query().fetch_one(&mut *tx).await?, "n")? + 1;
        let at = now_ms();
        let mut s = Sql::new(
            "INSERT INTO gov_criteria_sets (fiscal_year, seq, version, title, source, loaded_by, loaded_at) VALUES (",
        );
        s.list(binds![
            i64::from(fiscal_year),
            seq,
            set.version.clone(),
            set.title_th.clone(),
            text,
            actor.who.username.clone(),
            at
        ])
        .push(")");
        s.query().execute(&mut *tx).await?;
        let key = format!("{fiscal_year}/{seq}");
        Change::new("gov_criteria_set", &key, "load").after(serde_json::json!({ "fiscal_year": fiscal_year, "version": set.version, "differences_from_builtin": set.differences(CriteriaSet::builtin()).len(), })).record(&mut tx, actor).await?;
        tx.commit().await?;
        let m = CriteriaMeta {
            fiscal_year,
            seq,
            version: set.version.clone(),
            title: set.title_th.clone(),
            loaded_by: actor.who.username.clone(),
            loaded_at: at,
        };
        CriteriaSet::install(set);
        tracing::info!(fiscal_year, seq, "criteria set loaded");
        Ok(m)
    }

    /// Every loaded set, newest year and version first (criteria are public rules: every
    /// signed-in user may read them).
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn list_criteria(&self) -> Result<Vec<CriteriaMeta>, StoreError> {
        let rows = Sql::new(
            "SELECT fiscal_year, seq, version, title, loaded_by, loaded_at FROM gov_criteria_sets ORDER BY fiscal_year DESC, seq DESC",
        )
        .query()
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(meta).collect()
    }

    /// One loaded set with its text.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn get_criteria(
        &self,
        fiscal_year: u16,
        seq: i64,
    ) -> Result<(CriteriaMeta, String), StoreError> {
        let mut s = Sql::new(
            "SELECT fiscal_year, seq, version, title, source, loaded_by, loaded_at FROM gov_criteria_sets WHERE fiscal_year = ",
        );
        s.int(i64::from(fiscal_year)).push(" AND seq = ").int(seq);
        let r = s.one(self.pool()).await?;
        Ok((meta(&r)?, get_s(&r, "source")?))
    }

    /// Puts the newest stored set of each year in force (at start-up: loaded sets outlive a
    /// restart). A stored set that no longer validates is skipped with a warning.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn install_stored_criteria(&self) -> Result<usize, StoreError> {
        let rows = Sql::new(
            "SELECT c.fiscal_year, c.source FROM gov_criteria_sets c WHERE c.seq = (SELECT MAX(d.seq) FROM gov_criteria_sets d WHERE d.fiscal_year = c.fiscal_year)",
        )
        .query()
        .fetch_all(self.pool())
        .await?;
        let mut n = 0;
        for r in &rows {
            let fy = u16::try_from(get_i(r, "fiscal_year")?).unwrap_or(0);
            match CriteriaSet::from_toml_str(&get_s(r, "source")?) {
                Ok(mut set) => {
                    set.fiscal_year = fy;
                    CriteriaSet::install(set);
                    n += 1;
                }
                Err(e) => {
                    tracing::warn!(fiscal_year = fy, error = %e, "stored criteria set skipped")
                }
            }
        }
        Ok(n)
    }
}
