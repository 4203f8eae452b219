//! The 16-file import pipeline: read (raidai-formats) → classify each visit into fund, setting,
//! place and case → bill → posting (raidai-domain) → store (raidai-store), in one transaction.
//!
//! Reading, classification and posting run on a blocking thread; the database writes run on the
//! async side, so on two cores the reader and the database work in parallel. Batches travel
//! through a bounded channel (two batches in flight), so memory does not grow with the input.

pub mod audit;
pub mod authen;
pub mod classify;
pub mod cycle;
pub mod export;
mod row;

pub use classify::{Places, bill_of, classify};
pub use row::{encounter_row, mask_cid, mask_name, vkey};

use raidai_domain::accounts::{PostingRule, default_posting_map};
use raidai_domain::ids::Hcode;
use raidai_formats::{
    CancelFlag, EncodingChoice, ImportReport, ReadError, ReadOptions, Reject, Source, ZipLimits,
    scan,
};
use raidai_store::claims::{ImportFile, ImportMeta, ImportRecord, ImportTotals, RejectRow};
use raidai_store::{Actor, Store, StoreError};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum ClaimsError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot read the input: {0}")]
    Read(#[from] raidai_formats::ReadError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("import worker failed: {0}")]
    Worker(String),
    /// A file every import needs is absent (INS, PAT, CHT, and OPD or IPD): nothing is
    /// imported and the import fails.
    #[error("mandatory files missing: {}; nothing was imported", .0.join(", "))]
    MissingFiles(Vec<String>),
    /// The NHSO connector refused or failed (off, expired credentials, service down, …).
    #[error("NHSO Authen: {0}")]
    Authen(raidai_authen::AuthenError),
    /// The connector is not set up for this call (no key, no credentials).
    #[error("{en}")]
    AuthenSetup { en: String, th: String },
}

impl ClaimsError {
    /// The Thai message for the UI, where the error is the user's to fix.
    pub fn message_th(&self) -> Option<String> {
        match self {
            ClaimsError::Read(r) => Some(r.message_th()),
            ClaimsError::Authen(e) => Some(e.message_th()),
            ClaimsError::AuthenSetup { th, .. } => Some(th.clone()),
            ClaimsError::MissingFiles(m) => Some(format!(
                "ไม่มีแฟ้มที่ต้องส่งทุกครั้ง: {} จึงไม่ได้นำเข้าข้อมูลใด กรุณาส่งออกจาก HIS ให้ครบแล้วนำเข้าอีกครั้ง",
                m.join(", ")
            )),
            _ => None,
        }
    }
}

/// The mandatory files absent from a read: INS, PAT, CHT, and OPD or IPD (FDH rule 1).
pub fn missing_mandatory(report: &ImportReport) -> Vec<String> {
    use raidai_formats::FileKind as K;
    let mut missing: Vec<String> = [K::Ins, K::Pat, K::Cht]
        .into_iter()
        .filter(|k| report.file(*k).is_none())
        .map(|k| k.code().to_string())
        .collect();
    if report.file(K::Opd).is_none() && report.file(K::Ipd).is_none() {
        missing.push("OPD/IPD".into());
    }
    missing
}

/// What the pipeline reports while it runs (for progress bars).
#[derive(Debug, Clone)]
pub enum ProgressEvent {
    /// Pass 1 (validation) is running.
    Scanning,
    /// Pass 1 is done: total bytes of the files, encounters found, batches to come.
    Scanned {
        bytes: u64,
        encounters: u64,
        batches: usize,
    },
    /// A batch has been written: batches done so far and encounters read so far.
    Written { batches: usize, encounters: u64 },
}

pub type ProgressFn = Arc<dyn Fn(ProgressEvent) + Send + Sync>;

/// How to import.
#[derive(Clone)]
pub struct ImportOptions {
    /// The unit the files come from (must be the caller's own unit unless admin).
    pub hcode: Hcode,
    /// Land nothing if anything is rejected.
    pub strict: bool,
    pub encoding: EncodingChoice,
    /// Encounters per batch of pass 2.
    pub batch_size: usize,
    /// Shown in the import history (file or folder name of the upload).
    pub source_name: String,
    pub progress: Option<ProgressFn>,
    /// Bounds on a zip's expansion.
    pub zip_limits: ZipLimits,
    /// Set by the caller to stop the import; set too when the import ends or its future is
    /// dropped (so reader threads never outlive it). One flag per import.
    pub cancel: CancelFlag,
}

impl ImportOptions {
    pub fn new(unit: Hcode) -> ImportOptions {
        ImportOptions {
            hcode: unit,
            strict: false,
            encoding: EncodingChoice::Auto,
            batch_size: 1_000,
            source_name: String::new(),
            progress: None,
            zip_limits: ZipLimits::default(),
            cancel: CancelFlag::default(),
        }
    }
}

/// The result of an import.
#[derive(Debug, Clone)]
pub struct ImportOutcome {
    pub record: ImportRecord,
    pub report: ImportReport,
    /// Seconds spent in pass 1 (validation) before the first write.
    pub scan_secs: f64,
    /// Seconds spent writing batches to the database (the rest of pass 2 overlaps with them).
    pub write_secs: f64,
}

/// Threads of pass 2 (one per core of the 2-core target machine).
const PASS2_READERS: usize = 2;

enum Msg {
    /// The report, the rejects, and the encounters the rejects took down.
    Scanned(Box<ImportReport>, Vec<Reject>, Vec<RejectRow>),
    Rows(Vec<raidai_store::claims::VisitRow>, u64),
    Failed(ReadError),
}

/// Cancels the reader threads when the import's future is dropped (a closed connection, a
/// request timeout): without it a blocking scan of a large input would run on to its end.
struct CancelOnDrop(CancelFlag);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

/// One row per encounter that is not imported because of a reject (its key and line), so the
/// rejects report lists every visit and admission left out.
fn dropped_rows(imp: &raidai_formats::Import) -> Vec<RejectRow> {
    imp.statuses()
        .filter(|s| !s.importable)
        .map(|s| {
            let (file, hn, seq, an) = match s.key {
                raidai_formats::VisitKey::Op { hn, seq } => ("OPD.txt", hn, seq, String::new()),
                raidai_formats::VisitKey::Ip { an } => ("IPD.txt", String::new(), String::new(), an),
            };
            RejectRow {
                file: file.into(),
                line: s.line as i64,
                field: String::new(),
                value: String::new(),
                code: "NOT_IMPORTED".into(),
                reason_th: "รายการรับบริการนี้ไม่ได้นำเข้า เพราะมีข้อมูลที่ใช้ไม่ได้ (ดูรายการอื่นของ HN/SEQ/AN เดียวกัน)".into(),
                reason_en: "this visit or admission was not imported because of a reject (see the other rows of the same HN/SEQ/AN)".into(),
                hn,
                seq,
                an,
            }
        })
        .collect()
}

pub fn reject_row(r: &Reject) -> RejectRow {
    RejectRow {
        file: r.file.clone(),
        line: r.line as i64,
        field: r.field.clone(),
        value: r.value.clone(),
        code: r.code.as_str().to_string(),
        reason_th: r.reason_th.clone(),
        reason_en: r.reason_en.clone(),
        hn: r.hn.clone(),
        seq: r.seq.clone(),
        an: r.an.clone(),
    }
}

/// SHA-256 (hex) of every file of the input: the files of a folder, the given files, or the
/// zip itself.
pub fn hash_source(source: &Source) -> Result<Vec<(String, u64, String)>, std::io::Error> {
    let paths: Vec<PathBuf> = match source {
        Source::Dir(d) => {
            let mut v: Vec<PathBuf> = std::fs::read_dir(d)?
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect();
            v.sort();
            v
        }
        Source::Zip(z) => vec![z.clone()],
        Source::Files(f) => f.clone(),
        Source::Memory(files) => {
            return Ok(files
                .iter()
                .map(|(name, data)| (name.clone(), data.len() as u64, hex(&Sha256::digest(data))))
                .collect());
        }
    };
    paths
        .iter()
        .map(|p| {
            let (bytes, hash) = sha256_file(p)?;
            Ok((file_name(p), bytes, hash))
        })
        .collect()
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn sha256_file(p: &Path) -> Result<(u64, String), std::io::Error> {
    let mut f = std::fs::File::open(p)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf)?;
        if k == 0 {
            break;
        }
        n += k as u64;
        h.update(&buf[..k]);
    }
    Ok((n, hex(&h.finalize())))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// The posting maps of a province by fiscal year, with the shipped default as fallback.
#[derive(Debug, Clone)]
pub struct Maps {
    versions: BTreeMap<i64, Vec<PostingRule>>,
    default: Vec<PostingRule>,
}

impl Maps {
    pub fn new(mut versions: BTreeMap<i64, Vec<PostingRule>>) -> Maps {
        let default = versions.remove(&0).unwrap_or_else(default_posting_map);
        Maps { versions, default }
    }
    /// The map in force for a fiscal year (BE).
    pub fn for_fy(&self, fy: i64) -> &[PostingRule] {
        self.versions.get(&fy).unwrap_or(&self.default)
    }
}

/// A group of unposted visits and what the posting map in force says of it now.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CoverageRow {
    pub group: raidai_store::claims::UnpostedGroup,
    /// The receivable account the current map of that fiscal year has for the group (after
    /// the fallback to the normal case), if any: then the visits only wait to be re-posted.
    pub receivable_now: Option<String>,
}

/// The map coverage check of a unit: every (fiscal year, fund, setting, place, case) of its
/// unposted visits, with amounts, and whether the current map has a line for it.
pub async fn coverage(
    store: &Store,
    actor: &Actor,
    unit: Hcode,
) -> Result<Vec<CoverageRow>, ClaimsError> {
    use raidai_domain::accounts::{Case, Place, Setting, find_posting_rule};
    use raidai_domain::rights::Fund;
    let places = store.unit_places(actor, unit).await?;
    let maps = Maps::new(store.posting_map_versions(&places.province_code).await?);
    let groups = store.unposted_groups(actor, unit).await?;
    Ok(groups
        .into_iter()
        // Admissions still in hospital wait for discharge, not for the map.
        .filter(|g| g.reason == raidai_store::claims::NO_MAPPING)
        .map(|g| {
            let key = (
                Fund::parse(&g.fund),
                Setting::parse(&g.setting),
                Place::parse(&g.place),
                Case::parse(&g.case),
            );
            let receivable_now = match key {
                (Some(f), Some(s), Some(p), Some(c)) => {
                    let map = maps.for_fy(g.fy);
                    find_posting_rule(map, f, s, p, c)
                        .or_else(|| find_posting_rule(map, f, s, p, Case::Normal))
                        .map(|r| r.receivable.to_string())
                }
                _ => None,
            };
            CoverageRow {
                group: g,
                receivable_now,
            }
        })
        .collect())
}

/// Posts a unit's visits that waited for a posting-map line, with the map now in force (after
/// the province fixed it). One transaction, recorded in the import history as a `repost`;
/// visits that still have no line stay on the coverage worklist. Postings are dated by the
/// same rule as an import's (recognition date, moved out of closed months). `None` when no
/// waiting visit has a line yet (nothing is recorded then).
pub async fn repost(
    store: &Store,
    actor: &Actor,
    unit: Hcode,
) -> Result<Option<ImportRecord>, ClaimsError> {
    let places = store.unit_places(actor, unit).await?;
    let maps = Maps::new(store.posting_map_versions(&places.province_code).await?);
    let audit_ctx = audit::AuditContext::new(
        store
            .audit_catalogue_versions(&places.province_code)
            .await?,
        audit::today_ymd(),
    );
    let mut session = store.begin_repost(actor, unit).await?;
    let mut totals = ImportTotals::default();
    let mut after = String::new();
    let mut reposted = 0usize;
    loop {
        let rows = session.waiting_visits(&after, 1_000).await?;
        let Some(last) = rows.last() else { break };
        after = last.visit.vkey.clone();
        let mut ready = Vec::with_capacity(rows.len());
        for r in rows {
            if r.visit.setting == "IP" {
                totals.admissions_read += 1;
            } else {
                totals.visits_read += 1;
            }
            if let Some(mut r) = row::repost_row(r, &maps) {
                r.findings = audit::stored_findings(
                    &r,
                    &audit::AuditDetail::from_json(&r.detail_json),
                    &audit_ctx,
                );
                ready.push(r);
            }
        }
        reposted += ready.len();
        session.write_visits(ready).await?;
    }
    if reposted == 0 {
        session.abort().await?;
        return Ok(None);
    }
    Ok(Some(session.finish(totals, true).await?))
}

/// Re-evaluates the Data Audit of a unit's visits with the catalogue in force and today's date:
/// the unit's findings are replaced in one transaction (acceptances stay).
pub async fn audit_unit(
    store: &Store,
    actor: &Actor,
    unit: Hcode,
) -> Result<raidai_store::claims::AuditSummary, ClaimsError> {
    audit_unit_on(store, actor, unit, audit::today_ymd()).await
}

/// [`audit_unit`] as if run on `today` (`yyyymmdd`).
pub async fn audit_unit_on(
    store: &Store,
    actor: &Actor,
    unit: Hcode,
    today: i64,
) -> Result<raidai_store::claims::AuditSummary, ClaimsError> {
    let places = store.unit_places(actor, unit).await?;
    let ctx = audit::AuditContext::new(
        store
            .audit_catalogue_versions(&places.province_code)
            .await?,
        today,
    );
    let mut session = store.begin_audit(actor, unit).await?;
    let mut after = String::new();
    // Reading the next batch overlaps the checks of the one before (they run on blocking
    // threads, in two halves: parsing the stored detail dominates).
    let mut pending: Option<tokio::task::JoinHandle<Vec<(String, _)>>> = None;
    loop {
        let rows = session.visits(&after, 20_000).await?;
        if let Some(h) = pending.take() {
            let findings = h.await.map_err(|e| ClaimsError::Worker(e.to_string()))?;
            session.write_findings(&findings).await?;
        }
        let Some(last) = rows.last() else { break };
        after = last.visit.vkey.clone();
        let ctx = ctx.clone();
        pending = Some(tokio::task::spawn_blocking(move || {
            let half = rows.len().div_ceil(2);
            let run = |part: &[raidai_store::claims::VisitRow]| {
                let mut out = Vec::new();
                for r in part {
                    for f in audit::stored_findings(
                        r,
                        &audit::AuditDetail::from_json(&r.detail_json),
                        &ctx,
                    ) {
                        out.push((r.visit.vkey.clone(), f));
                    }
                }
                out
            };
            let (a, b) = rows.split_at(half);
            std::thread::scope(|s| {
                let h = s.spawn(|| run(b));
                let mut first = run(a);
                first.extend(h.join().unwrap_or_default());
                first
            })
        }));
    }
    let fy = raidai_domain::periods::fiscal_year_of(ctx.today);
    Ok(session.finish(&ctx.cross(fy)).await?)
}

/// Imports a folder, zip or set of files for `opts.hcode` as `actor`, in one transaction.
pub async fn import(
    store: &Store,
    actor: &Actor,
    source: Source,
    opts: ImportOptions,
) -> Result<ImportOutcome, ClaimsError> {
    let _cancel_on_drop = CancelOnDrop(opts.cancel.clone());
    // Tenancy first: only an admin or the unit's own staff import for a unit.
    let unit_places = store.unit_places(actor, opts.hcode).await?;
    let province = unit_places.province_code.clone();
    let places = Places::from(unit_places);
    let maps = Maps::new(store.posting_map_versions(&province).await?);
    let audit_ctx = audit::AuditContext::new(
        store.audit_catalogue_versions(&province).await?,
        audit::today_ymd(),
    );
    let cross = audit_ctx.cross(raidai_domain::periods::fiscal_year_of(audit_ctx.today));
    let progress = opts.progress.clone();
    let emit = |e: ProgressEvent| {
        if let Some(p) = &progress {
            p(e)
        }
    };
    emit(ProgressEvent::Scanning);

    let hashing = {
        let source = source.clone();
        tokio::task::spawn_blocking(move || hash_source(&source))
    };
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Msg>(2);
    let read_opts = ReadOptions {
        encoding: opts.encoding,
        unit: Some(opts.hcode),
        batch_size: opts.batch_size.max(1),
        zip_limits: opts.zip_limits,
        cancel: opts.cancel.clone(),
        ..ReadOptions::default()
    };
    let strict = opts.strict;
    let worker = tokio::task::spawn_blocking(move || {
        let mut rejects = Vec::new();
        let imp = match scan(&source, &read_opts, &mut |r| rejects.push(r)) {
            Ok(i) => i,
            Err(e) => {
                let _ = tx.blocking_send(Msg::Failed(e));
                return;
            }
        };
        let stop = strict && !rejects.is_empty();
        if tx
            .blocking_send(Msg::Scanned(
                Box::new(imp.report().clone()),
                rejects,
                dropped_rows(&imp),
            ))
            .is_err()
            || stop
        {
            return;
        }
        // Pass 2 on two threads taking alternate batches (re-reading and parsing costs about
        // as much CPU as SQLite's writes); batches are forwarded in order.
        let (imp, places, maps, audit_ctx) = (&imp, &places, &maps, &audit_ctx);
        std::thread::scope(|scope| {
            let mut readers = Vec::with_capacity(PASS2_READERS);
            for first in 0..PASS2_READERS {
                let (btx, brx) = std::sync::mpsc::sync_channel::<Result<Msg, ReadError>>(1);
                readers.push(brx);
                scope.spawn(move || {
                    for batch in imp.batches_from(first, PASS2_READERS) {
                        let item = batch.map(|batch| {
                            let read = (batch.encounters.len() + batch.rejected.len()) as u64;
                            let rows = batch
                                .encounters
                                .iter()
                                .map(|e| {
                                    let mut row = encounter_row(e, places, maps);
                                    row.findings = audit::stored_findings(
                                        &row,
                                        &audit::detail_of(e),
                                        audit_ctx,
                                    );
                                    row
                                })
                                .collect();
                            Msg::Rows(rows, read)
                        });
                        let failed = item.is_err();
                        if btx.send(item).is_err() || failed {
                            return;
                        }
                    }
                });
            }
            // Returning drops the receivers, which stops the readers before the scope joins.
            for b in 0..imp.batch_count() {
                let msg = match readers[b % PASS2_READERS].recv() {
                    Ok(Ok(m)) => m,
                    Ok(Err(e)) => Msg::Failed(e),
                    Err(_) => Msg::Failed(ReadError::Io {
                        path: "pass 2".into(),
                        source: std::io::Error::other("reader stopped early"),
                    }),
                };
                let failed = matches!(msg, Msg::Failed(_));
                if tx.blocking_send(msg).is_err() || failed {
                    return;
                }
            }
        });
    });

    let started = std::time::Instant::now();
    let mut write_secs = 0.0;
    let (report, rejects, mut dropped) = match rx.recv().await {
        Some(Msg::Scanned(r, j, d)) => (*r, j, d),
        Some(Msg::Failed(e)) => return Err(ClaimsError::Read(e)),
        Some(Msg::Rows(..)) | None => {
            return Err(ClaimsError::Worker("reader stopped early".into()));
        }
    };
    let scan_secs = started.elapsed().as_secs_f64();
    let missing = missing_mandatory(&report);
    if !missing.is_empty() {
        return Err(ClaimsError::MissingFiles(missing));
    }
    let hashes = hashing
        .await
        .map_err(|e| ClaimsError::Worker(e.to_string()))??;
    let files = import_files(&hashes, &report);
    let source_name = if opts.source_name.is_empty() {
        hashes
            .first()
            .map(|h| h.0.clone())
            .unwrap_or_else(|| "16f".into())
    } else {
        opts.source_name.clone()
    };
    let total_bytes: u64 = report.files.iter().map(|f| f.bytes).sum();
    let encounters = report.visits.total + report.admissions.total;
    emit(ProgressEvent::Scanned {
        bytes: total_bytes,
        encounters,
        batches: report.batches,
    });
    let totals = ImportTotals {
        visits_read: report.visits.total as i64,
        admissions_read: report.admissions.total as i64,
        rejected_encounters: (report.visits.rejected + report.admissions.rejected) as i64,
        rejects: rejects.len() as i64,
    };
    let mut session = store
        .begin_import(
            actor,
            opts.hcode,
            ImportMeta {
                source_name,
                files,
                strict: opts.strict,
            },
        )
        .await?;
    let mut reject_rows: Vec<RejectRow> = rejects.iter().map(reject_row).collect();
    drop(rejects);
    // Every encounter a reject took down is itemised, not only counted.
    reject_rows.append(&mut dropped);
    session.set_cross_audit(cross);
    session.write_rejects(&reject_rows).await?;
    drop(reject_rows);
    let landed = !(opts.strict && totals.rejects > 0);
    if landed {
        let mut done = 0usize;
        let mut read = 0u64;
        while let Some(msg) = rx.recv().await {
            match msg {
                Msg::Rows(rows, n) => {
                    let t = std::time::Instant::now();
                    session.write_visits(rows).await?;
                    write_secs += t.elapsed().as_secs_f64();
                    done += 1;
                    read += n;
                    emit(ProgressEvent::Written {
                        batches: done,
                        encounters: read,
                    });
                }
                Msg::Failed(e) => {
                    session.abort().await?;
                    return Err(ClaimsError::Read(e));
                }
                Msg::Scanned(..) => {}
            }
        }
        if done != report.batches {
            session.abort().await?;
            return Err(ClaimsError::Worker(format!(
                "reader stopped after {done} of {} batches",
                report.batches
            )));
        }
    }
    drop(rx);
    worker
        .await
        .map_err(|e| ClaimsError::Worker(e.to_string()))?;
    let record = session.finish(totals, landed).await?;
    Ok(ImportOutcome {
        record,
        report,
        scan_secs,
        write_secs,
    })
}

/// The files of the history: each file the reader used (kind, records, encoding, header
/// generation) with its SHA-256 when it is a file of its own; a zip is listed as one more line.
fn import_files(hashes: &[(String, u64, String)], report: &ImportReport) -> Vec<ImportFile> {
    let mut out: Vec<ImportFile> = report
        .files
        .iter()
        .map(|f| {
            let hash = hashes
                .iter()
                .find(|h| h.0 == f.name)
                .map(|h| h.2.clone())
                .unwrap_or_default();
            ImportFile {
                name: f.name.clone(),
                kind: f.kind.to_string(),
                bytes: f.bytes,
                sha256: hash,
                records: f.records,
                // A file of plain ASCII reads the same in both encodings: say so rather than
                // name the one the reader happened to use.
                encoding: match f.detected {
                    raidai_formats::Detected::Ascii => "ASCII".to_string(),
                    _ => f.encoding.label().to_string(),
                },
                layout: f.layout.unwrap_or("").to_string(),
            }
        })
        .collect();
    for h in hashes {
        if !out.iter().any(|f| f.name == h.0) {
            out.push(ImportFile {
                name: h.0.clone(),
                kind: if h.0.to_ascii_lowercase().ends_with(".zip") {
                    "ZIP".into()
                } else {
                    String::new()
                },
                bytes: h.1,
                sha256: h.2.clone(),
                records: 0,
                encoding: String::new(),
                layout: String::new(),
            });
        }
    }
    out
}
