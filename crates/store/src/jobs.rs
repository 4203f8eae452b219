//! Import jobs: a web import runs in the background; its row carries the progress the page
//! polls. Only the unit's own staff (or an admin) create one; the unit's viewers read it.

use crate::sql::binds;
use crate::sql::{Sql, get_i, get_os, get_s};
use crate::{Actor, Store, StoreError, now_ms};
use raidai_domain::ids::Hcode;
use serde::Serialize;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ImportJob {
    pub hcode: String,
    pub id: String,
    pub username: String,
    pub source_name: String,
    pub strict: bool,
    /// Bytes uploaded.
    pub bytes: i64,
    /// `queued`, `running`, `done` or `failed`.
    pub state: String,
    /// `waiting`, `scanning`, `writing` or `finished`.
    pub phase: String,
    pub done_rows: i64,
    pub total_rows: i64,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    /// The import it produced, once done.
    pub import_id: Option<String>,
    pub error_th: String,
    pub error_en: String,
    /// When the current phase began (epoch ms), while the job runs; not stored.
    pub phase_started_at: Option<i64>,
}

impl ImportJob {
    pub fn finished(&self) -> bool {
        matches!(self.state.as_str(), "done" | "failed")
    }
}

const JOB_COLS: &str = "hcode, id, username, source_name, strict, bytes, state, phase, done_rows, total_rows, created_at, started_at, finished_at, import_id, error_th, error_en";

fn opt_i(r: &AnyRow, col: &str) -> Result<Option<i64>, sqlx::Error> {
    use sqlx::Row;
    r.try_get::<Option<i64>, _>(col)
}

fn job_from_row(r: &AnyRow) -> Result<ImportJob, StoreError> {
    Ok(ImportJob {
        hcode: get_s(r, "hcode")?,
        id: get_s(r, "id")?,
        username: get_s(r, "username")?,
        source_name: get_s(r, "source_name")?,
        strict: get_i(r, "strict")? != 0,
        bytes: get_i(r, "bytes")?,
        state: get_s(r, "state")?,
        phase: get_s(r, "phase")?,
        done_rows: get_i(r, "done_rows")?,
        total_rows: get_i(r, "total_rows")?,
        created_at: get_i(r, "created_at")?,
        started_at: opt_i(r, "started_at")?,
        finished_at: opt_i(r, "finished_at")?,
        import_id: get_os(r, "import_id")?,
        error_th: get_s(r, "error_th")?,
        error_en: get_s(r, "error_en")?,
        phase_started_at: None,
    })
}

/// How a job ended.
pub enum JobEnd<'a> {
    Done { import_id: &'a str },
    Failed { th: &'a str, en: &'a str },
}

impl Store {
    /// Queues an import job for `hcode` (the caller's own unit, or admin).
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn create_import_job(
        &self,
        actor: &Actor,
        unit: Hcode,
        source_name: &str,
        strict: bool,
        bytes: i64,
    ) -> Result<ImportJob, StoreError> {
        let hcode = unit.as_str();
        self.unit_for_import(actor, unit).await?;
        let id = uuid::Uuid::now_v7().to_string();
        let mut s = Sql::new(
            "INSERT INTO import_jobs (hcode, id, user_id, username, source_name, strict, bytes, state, phase, created_at) VALUES (",
        );
        s.list(binds![
            hcode,
            id.clone(),
            actor.user_id.clone().unwrap_or_default(),
            actor.who.username.clone(),
            raidai_domain::text::clean_file_name(source_name),
            i64::from(strict),
            bytes
        ])
        .push(", 'queued', 'waiting', ")
        .int(now_ms())
        .push(")");
        s.query().execute(self.pool()).await?;
        self.get_import_job(actor, unit, &id).await
    }

    /// A job of a unit the caller may see.
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn get_import_job(
        &self,
        actor: &Actor,
        unit: Hcode,
        id: &str,
    ) -> Result<ImportJob, StoreError> {
        let hcode = unit.as_str();
        self.get_unit(actor, unit).await?;
        let mut s = Sql::new(&format!(
            "SELECT {JOB_COLS} FROM import_jobs WHERE hcode = "
        ));
        s.text(hcode).push(" AND id = ").text(id);
        let row = s.query().fetch_optional(self.pool()).await?;
        row.as_ref()
            .map(job_from_row)
            .unwrap_or(Err(StoreError::NotFound))
    }

    /// Jobs of a unit not yet finished, and those that failed, newest first.
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn list_open_import_jobs(
        &self,
        actor: &Actor,
        unit: Hcode,
        limit: i64,
    ) -> Result<Vec<ImportJob>, StoreError> {
        let hcode = unit.as_str();
        self.get_unit(actor, unit).await?;
        let mut s = Sql::new(&format!(
            "SELECT {JOB_COLS} FROM import_jobs WHERE state <> 'done' AND hcode = "
        ));
        s.text(hcode)
            .push(" ORDER BY created_at DESC LIMIT ")
            .int(limit);
        let rows = s.query().fetch_all(self.pool()).await?;
        rows.iter().map(job_from_row).collect()
    }

    /// Progress written by the worker running the job (no actor: the job was authorised when
    /// it was created).
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit))]
    pub async fn update_import_job(
        &self,
        unit: Hcode,
        id: &str,
        phase: &str,
        done_rows: i64,
        total_rows: i64,
    ) -> Result<(), StoreError> {
        let hcode = unit.as_str();
        let mut s = Sql::new("UPDATE import_jobs SET state = 'running', phase = ");
        s.text(phase)
            .push(", done_rows = ")
            .int(done_rows)
            .push(", total_rows = ")
            .int(total_rows)
            .push(", started_at = COALESCE(started_at, ")
            .int(now_ms())
            .push(") WHERE hcode = ")
            .text(hcode)
            .push(" AND id = ")
            .text(id)
            .push(" AND state IN ('queued', 'running')");
        s.query().execute(self.pool()).await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit))]
    pub async fn finish_import_job(
        &self,
        unit: Hcode,
        id: &str,
        end: JobEnd<'_>,
    ) -> Result<(), StoreError> {
        let hcode = unit.as_str();
        let mut s = Sql::new("UPDATE import_jobs SET phase = 'finished', finished_at = ");
        s.int(now_ms());
        match end {
            JobEnd::Done { import_id } => {
                s.push(", state = 'done', import_id = ").text(import_id);
            }
            JobEnd::Failed { th, en } => {
                s.push(", state = 'failed', error_th = ")
                    .text(th)
                    .push(", error_en = ")
                    .text(en);
            }
        }
        s.push(" WHERE hcode = ")
            .text(hcode)
            .push(" AND id = ")
            .text(id);
        s.query().execute(self.pool()).await?;
        Ok(())
    }

    /// At start-up: jobs left queued or running by a stopped server failed (their import's
    /// transaction never committed, so nothing of them landed). Returns how many.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn fail_interrupted_import_jobs(&self) -> Result<u64, StoreError> {
        let mut s = Sql::new(
            "UPDATE import_jobs SET state = 'failed', phase = 'finished', error_th = 'เซิร์ฟเวอร์เริ่มใหม่ระหว่างนำเข้า ไม่มีข้อมูลใดถูกบันทึก กรุณานำเข้าอีกครั้ง', error_en = 'the server restarted during the import; nothing was saved, import again', finished_at = ",
        );
        s.int(now_ms())
            .push(" WHERE state IN ('queued', 'running')");
        Ok(s.query().execute(self.pool()).await?.rows_affected())
    }
}
