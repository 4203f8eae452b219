//! Web imports of the 16 files as background jobs. The upload is streamed to disk (never held
//! in memory) up to a configured size; the import then runs in a job of its own whose progress
//! (phase, rows, rows/s, ETA) the job page polls, so closing the page does not stop it. Jobs of
//! one unit run one after the other (on SQLite, all jobs: it has one writer). A restart marks unfinished jobs failed (nothing landed).

use crate::AppState;
use crate::auth::Params;
use crate::auth::{Ctx, Me, require_unit};
use crate::error::AppError;
use crate::i18n::T;
use crate::pages::render;
use crate::view::{Layout, datetime};
use askama::Template;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use raidai_claims::{ImportOptions, ProgressEvent};
use raidai_domain::ids::Hcode;
use raidai_domain::money::format_int_thai;
use raidai_formats::Source;
use raidai_store::jobs::{ImportJob, JobEnd};
use raidai_store::{Actor, FieldError, Store};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::AsyncWriteExt;

/// Where uploads wait for their job, how large they may be, and one queue per unit.
pub struct Uploads {
    pub dir: PathBuf,
    pub max_bytes: u64,
    queues: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Progress of the running imports, by job id. Kept in memory, not written to the job row
    /// while the import runs: on SQLite the import holds the only write lock until it commits.
    live: Mutex<HashMap<String, Progress>>,
}

pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = 2 << 30;

impl Uploads {
    pub fn new(dir: PathBuf, max_bytes: u64) -> Uploads {
        Uploads {
            dir,
            max_bytes,
            queues: Mutex::default(),
            live: Mutex::default(),
        }
    }

    /// A job as the page shows it: the row, with the live progress of a running import.
    pub fn with_live(&self, mut job: ImportJob) -> ImportJob {
        if !job.finished()
            && let Some(p) = self.live.lock().expect("live lock").get(&job.id)
        {
            job.phase = p.phase.to_string();
            job.done_rows = p.done as i64;
            job.total_rows = p.total as i64;
            job.phase_started_at = Some(p.since);
        }
        job
    }

    fn queue(&self, hcode: &str) -> Arc<tokio::sync::Mutex<()>> {
        self.queues
            .lock()
            .expect("queue lock")
            .entry(hcode.to_string())
            .or_default()
            .clone()
    }
}

impl Default for Uploads {
    fn default() -> Self {
        Uploads::new(
            std::env::temp_dir().join("raidai-uploads"),
            DEFAULT_MAX_UPLOAD_BYTES,
        )
    }
}

/// "2 GB" / "2 GiB"-style size for messages, in MB (what users read on their file lists).
pub fn size_mb(bytes: u64) -> String {
    format_int_thai((bytes / 1_000_000) as i64)
}

/// Keeps only the last path component of an uploaded file name, without anything odd in it.
fn safe_name(name: &str) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next()?.trim();
    let clean: String = base
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        .collect();
    (!clean.is_empty() && !clean.starts_with('.')).then_some(clean)
}

/// Removes an upload folder when the request fails before its job takes it over.
struct UploadDir(Option<PathBuf>);

impl Drop for UploadDir {
    fn drop(&mut self) {
        if let Some(d) = self.0.take() {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}

pub async fn upload(
    Ctx { st, t, me }: Ctx,
    Params(hcode): Params<Hcode>,
    req: Request,
) -> Result<Response, AppError> {
    // Tenancy before reading the body: the unit must be visible and the caller's own.
    require_unit(&st, &me, hcode, me.may_import(hcode.as_str())).await?;
    let bad = |en: String, th: String| AppError::BadRequest(vec![FieldError::new("files", en, th)]);
    let failed = |e: &dyn std::fmt::Display| {
        bad(
            format!("upload failed: {e}"),
            "อัปโหลดไฟล์ไม่สำเร็จ กรุณาลองใหม่".into(),
        )
    };
    let limit = st.uploads.max_bytes;
    let too_large = || {
        AppError::TooLarge(vec![FieldError::new(
            "files",
            format!(
                "the upload is larger than the limit of {} MB",
                size_mb(limit)
            ),
            format!(
                "ไฟล์ที่อัปโหลดใหญ่เกินกำหนด (ไม่เกิน {} MB ต่อครั้ง) กรุณาแบ่งไฟล์ตามเดือน",
                size_mb(limit)
            ),
        )])
    };
    if req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|n| n > limit + 64 * 1024)
    {
        return Err(too_large());
    }
    let mut mp = Multipart::from_request(req, &st)
        .await
        .map_err(|e| failed(&e))?;
    let dir = st.uploads.dir.join(uuid::Uuid::now_v7().to_string());
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|e| AppError::unexpected_in("upload folder", e))?;
    let mut guard = UploadDir(Some(dir.clone()));
    let mut saved: Vec<(String, PathBuf)> = Vec::new();
    let mut strict = false;
    let mut total: u64 = 0;
    while let Some(mut field) = mp.next_field().await.map_err(|e| failed(&e))? {
        match field.name() {
            Some("strict") => strict = true,
            Some("files") => {
                let Some(name) = field.file_name().and_then(safe_name) else {
                    continue;
                };
                if saved.iter().any(|(n, _)| n.eq_ignore_ascii_case(&name)) {
                    return Err(bad(
                        format!("{name} was chosen twice"),
                        format!("เลือกไฟล์ {name} ซ้ำ"),
                    ));
                }
                let path = dir.join(&name);
                let mut f = tokio::fs::File::create(&path)
                    .await
                    .map_err(|e| AppError::unexpected_in("upload file", e))?;
                let mut n = 0u64;
                while let Some(chunk) = field.chunk().await.map_err(|e| failed(&e))? {
                    n += chunk.len() as u64;
                    total += chunk.len() as u64;
                    if total > limit {
                        return Err(too_large());
                    }
                    f.write_all(&chunk)
                        .await
                        .map_err(|e| AppError::unexpected_in("upload file", e))?;
                }
                f.flush()
                    .await
                    .map_err(|e| AppError::unexpected_in("upload file", e))?;
                if n > 0 {
                    saved.push((name, path));
                }
            }
            _ => {}
        }
    }
    if saved.is_empty() {
        return Err(bad(
            "choose a zip or the 16 files".into(),
            t.s("cl_choose_files").into(),
        ));
    }
    let source_name = if saved.len() == 1 {
        saved[0].0.clone()
    } else {
        format!("{} files", saved.len())
    };
    let source = if saved.len() == 1 && saved[0].0.to_ascii_lowercase().ends_with(".zip") {
        Source::Zip(saved[0].1.clone())
    } else {
        Source::Files(saved.into_iter().map(|(_, p)| p).collect())
    };
    // An unreadable or hostile zip is refused now, with its message, before any job exists.
    let check = {
        let (source, limits) = (source.clone(), st.zip_limits);
        tokio::task::spawn_blocking(move || raidai_formats::check_source(&source, &limits))
            .await
            .map_err(AppError::unexpected)?
    };
    if let Err(e) = check {
        tracing::info!(error = %e, "upload refused");
        return Err(AppError::BadRequest(vec![FieldError::new(
            "files",
            e.to_string(),
            e.message_th(),
        )]));
    }
    let job = st
        .store
        .create_import_job(&me, hcode, &source_name, strict, total as i64)
        .await?;
    tracing::info!(job = %job.id, hcode = %hcode, bytes = total, "import job queued");
    let dir = guard.0.take().expect("set above");
    tokio::spawn(run_job(st.clone(), me, job.clone(), source, dir));
    Ok(Redirect::to(&format!("/units/{hcode}/claims/jobs/{}", job.id)).into_response())
}

/// The latest progress of a running import, written to the job row once a second.
#[derive(Default, Clone)]
struct Progress {
    phase: &'static str,
    done: u64,
    total: u64,
    /// Epoch ms when the phase began (the rate counts the writing phase only).
    since: i64,
}

async fn run_job(st: AppState, me: Actor, job: ImportJob, source: Source, dir: PathBuf) {
    let _cleanup = UploadDir(Some(dir));
    // Jobs are created for a unit's code; a row that holds anything else is not run.
    let Ok(unit) = Hcode::parse(&job.hcode) else {
        tracing::error!(job = %job.id, "import job without a unit code; not run");
        return;
    };
    // One queue per unit on PostgreSQL; one for all on SQLite, which has a single writer
    // (a second import would wait on the first's write lock and time out).
    let queue = match st.store.engine() {
        raidai_store::Engine::Sqlite => st.uploads.queue("*"),
        raidai_store::Engine::Postgres => st.uploads.queue(&job.hcode),
    };
    let _turn = queue.lock().await;
    let progress = Arc::new(Mutex::new(Progress {
        phase: "scanning",
        ..Progress::default()
    }));
    let uploads = st.uploads.clone();
    let job_id = job.id.clone();
    let mut opts = ImportOptions::new(unit);
    opts.strict = job.strict;
    opts.source_name = job.source_name.clone();
    opts.zip_limits = st.zip_limits;
    let p = progress.clone();
    opts.progress = Some(Arc::new(move |e| {
        let mut p = p.lock().expect("progress lock");
        let now = chrono::Utc::now().timestamp_millis();
        match e {
            ProgressEvent::Scanning => {
                p.phase = "scanning";
                p.since = now;
            }
            ProgressEvent::Scanned { encounters, .. } => {
                p.phase = "writing";
                p.total = encounters;
                p.since = now;
            }
            ProgressEvent::Written { encounters, .. } => p.done = encounters,
        }
        uploads
            .live
            .lock()
            .expect("live lock")
            .insert(job_id.clone(), p.clone());
    }));
    let store = st.store.clone();
    let id = job.id.clone();
    let write = |p: Progress| {
        let (store, id) = (store.clone(), id.clone());
        async move {
            if let Err(e) = store
                .update_import_job(unit, &id, p.phase, p.done as i64, p.total as i64)
                .await
            {
                tracing::warn!(error = %e, "job progress not written");
            }
        }
    };
    let snapshot = || progress.lock().expect("progress lock").clone();
    // Running, before the import takes the database's write lock; the final counts after it
    // committed. In between the page reads the live progress.
    write(snapshot()).await;
    let outcome = raidai_claims::import(&st.store, &me, source, opts).await;
    st.uploads.live.lock().expect("live lock").remove(&job.id);
    let mut last = snapshot();
    if outcome.is_ok() {
        last.phase = "writing";
        last.done = last.total;
    }
    write(last).await;
    let end = match &outcome {
        Ok(out) => {
            tracing::info!(job = %job.id, import = %out.record.id, "import job done");
            st.store
                .finish_import_job(
                    unit,
                    &job.id,
                    JobEnd::Done {
                        import_id: &out.record.id,
                    },
                )
                .await
        }
        Err(e) => {
            let (th, en) = match e {
                raidai_claims::ClaimsError::Read(r) => (r.message_th(), r.to_string()),
                e @ raidai_claims::ClaimsError::MissingFiles(_) => {
                    (e.message_th().unwrap_or_default(), e.to_string())
                }
                raidai_claims::ClaimsError::Store(raidai_store::StoreError::Invalid(errs)) => (
                    errs.iter()
                        .map(|e| e.message_th.clone())
                        .collect::<Vec<_>>()
                        .join("; "),
                    errs.iter()
                        .map(|e| e.message_en.clone())
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
                other => {
                    tracing::error!(job = %job.id, error = %other, "import job failed");
                    (
                        "ระบบขัดข้องระหว่างนำเข้า ไม่มีข้อมูลใดถูกบันทึก กรุณาลองใหม่หรือติดต่อผู้ดูแลระบบ"
                            .to_string(),
                        "internal error during the import; nothing was saved".to_string(),
                    )
                }
            };
            st.store
                .finish_import_job(unit, &job.id, JobEnd::Failed { th: &th, en: &en })
                .await
        }
    };
    if let Err(e) = end {
        tracing::error!(job = %job.id, error = %e, "job end not written");
    }
}

/// What the job page shows.
pub struct JobView {
    pub id: String,
    pub state: String,
    pub state_label: String,
    pub phase_label: String,
    pub source: String,
    pub size_mb: String,
    pub who: String,
    pub when: String,
    pub done: String,
    pub total: String,
    pub percent: i64,
    pub rate: String,
    pub eta: String,
    pub error: String,
    pub import_id: String,
    pub finished: bool,
}

pub fn job_view(t: T, j: &ImportJob) -> JobView {
    let now = chrono::Utc::now().timestamp_millis();
    // While writing, the rate of the writing phase (the scan before it saves nothing).
    let secs = j
        .phase_started_at
        .filter(|_| j.phase == "writing")
        .or(j.started_at)
        .map(|s| (j.finished_at.unwrap_or(now) - s).max(1) as f64 / 1000.0)
        .unwrap_or(0.0);
    let rate = if secs > 0.0 && j.done_rows > 0 {
        j.done_rows as f64 / secs
    } else {
        0.0
    };
    let eta = if rate > 0.0 && j.total_rows > j.done_rows && !j.finished() {
        let s = ((j.total_rows - j.done_rows) as f64 / rate).ceil() as i64;
        format!("{}:{:02}", s / 60, s % 60)
    } else {
        String::new()
    };
    let state_key = match j.state.as_str() {
        "queued" => "job_queued",
        "running" => "job_running",
        "done" => "job_done",
        _ => "job_failed",
    };
    let phase_key = match j.phase.as_str() {
        "waiting" => "job_phase_waiting",
        "scanning" => "job_phase_scanning",
        "writing" => "job_phase_writing",
        _ => "job_phase_finished",
    };
    JobView {
        id: j.id.clone(),
        state: j.state.clone(),
        state_label: t.s(state_key).to_string(),
        phase_label: t.s(phase_key).to_string(),
        source: j.source_name.clone(),
        size_mb: format!("{:.1}", j.bytes as f64 / 1_000_000.0),
        who: j.username.clone(),
        when: datetime(t, j.created_at),
        done: format_int_thai(j.done_rows),
        total: format_int_thai(j.total_rows),
        percent: if j.total_rows > 0 {
            (j.done_rows * 100 / j.total_rows).min(100)
        } else {
            0
        },
        rate: format_int_thai(rate.round() as i64),
        eta,
        error: t.pick(&j.error_th, &j.error_en).to_string(),
        import_id: j.import_id.clone().unwrap_or_default(),
        finished: j.finished(),
    }
}

#[derive(Template)]
#[template(path = "claims/job.html")]
struct JobPage {
    l: Layout,
    hcode: String,
    unit_name: String,
    job: JobView,
}

pub async fn job_page(
    Ctx { st, t, me }: Ctx,
    Params((hcode, id)): Params<(Hcode, String)>,
) -> Result<Response, AppError> {
    let unit = st.store.get_unit(&me, hcode).await?;
    let job = st
        .uploads
        .with_live(st.store.get_import_job(&me, hcode, &id).await?);
    render(&JobPage {
        l: Layout::new(t, Some(&me), t.s("job_title"), "claims"),
        hcode: unit.hcode,
        unit_name: unit.name_th,
        job: job_view(t, &job),
    })
}

/// API twin of the job page.
pub async fn job_json(
    State(st): State<AppState>,
    Me(me): Me,
    Params((hcode, id)): Params<(Hcode, String)>,
) -> Result<Response, AppError> {
    let job = st
        .store
        .get_import_job(&me, hcode, &id)
        .await
        .map_err(AppError::from)
        .map_err(|e| e.into_json());
    match job {
        Ok(j) => Ok((StatusCode::OK, axum::Json(st.uploads.with_live(j))).into_response()),
        Err(r) => Ok(r),
    }
}

/// Waits until a job has finished (tests and the CLI-less smoke checks).
pub async fn wait_for_job(store: &Store, unit_code: Hcode, id: &str) -> ImportJob {
    loop {
        let j = store
            .get_import_job(&Actor::system(), unit_code, id)
            .await
            .expect("job exists");
        if j.finished() {
            return j;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
