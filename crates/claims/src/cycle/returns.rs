//! REP and statement files in: read on every core (CPU only), then all the files of an upload
//! of one kind written in one transaction, their lines matched, stored and settled in one pass
//! in the order of the visits' keys.
//!
//! Why one pass: a file's ten thousand lines fall all over a unit's million visits, so file by
//! file nearly every line reads and writes pages no other line of its file touches. Sorted
//! across the upload, neighbouring lines share their pages (docs/PERFORMANCE.md, "Claim
//! cycle"). Each file is still its own return and import, with its own outcome.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::sync::Mutex;

use raidai_returns::{RepHeader, StmHeader};

use super::staged::{LineRef, StagedLines};
use super::*;

/// Lines matched and written per round trip.
const CHUNK: usize = 5_000;

/// Imports a REP file for `hcode`: every line stored, matched lines set their visit's claim.
pub async fn import_rep(
    store: &Store,
    actor: &Actor,
    hcode: &str,
    file_name: &str,
    bytes: &[u8],
) -> Result<ReturnOutcome, CycleError> {
    import_one(store, actor, hcode, file_name, bytes, false, today_ymd()).await
}

/// Imports a statement for `hcode`: every line stored; matched lines settle their visit's
/// receivable on today's posting date.
pub async fn import_stm(
    store: &Store,
    actor: &Actor,
    hcode: &str,
    file_name: &str,
    bytes: &[u8],
) -> Result<ReturnOutcome, CycleError> {
    import_stm_on(store, actor, hcode, file_name, bytes, today_ymd()).await
}

/// [`import_stm`] as if run on `today` (`yyyymmdd`).
pub async fn import_stm_on(
    store: &Store,
    actor: &Actor,
    hcode: &str,
    file_name: &str,
    bytes: &[u8],
    today: i64,
) -> Result<ReturnOutcome, CycleError> {
    import_one(store, actor, hcode, file_name, bytes, true, today).await
}

/// One return file (`stm`: a statement, settled on `today`'s posting date).
async fn import_one(
    store: &Store,
    actor: &Actor,
    hcode: &str,
    file_name: &str,
    bytes: &[u8],
    stm: bool,
    today: i64,
) -> Result<ReturnOutcome, CycleError> {
    let files = vec![(file_name.to_string(), bytes.to_vec(), stm)];
    match import_files(store, actor, hcode, files, today).await?.pop() {
        Some((_, res)) => res,
        None => Err(CycleError::Invalid(format!("{file_name}: not imported"))),
    }
}

/// Whether a return file is a statement (STM…, or a CHI/สกส. XML) rather than a REP, by name.
pub fn is_statement(file_name: &str) -> bool {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or_default();
    base.to_ascii_uppercase().starts_with("STM") || base.to_ascii_lowercase().ends_with(".xml")
}

/// A return file read (CPU only, no database), its lines kept compact for the upload's pass.
#[derive(Debug)]
pub struct ReadReturn {
    pub file_name: String,
    pub sha256: String,
    pub bytes: u64,
    pub head: ReadHead,
    pub rejects: Vec<ReturnReject>,
    pub lines: StagedLines,
}

#[derive(Debug)]
pub enum ReadHead {
    Rep(RepHeader),
    Stm(StmHeader),
}

impl ReadReturn {
    fn is_stm(&self) -> bool {
        matches!(self.head, ReadHead::Stm(_))
    }

    fn hcode(&self) -> &str {
        match &self.head {
            ReadHead::Rep(h) => &h.hcode,
            ReadHead::Stm(h) => &h.hcode,
        }
    }

    fn meta(&self) -> ReturnMeta {
        let (kind, doc_no, detail) = match &self.head {
            ReadHead::Rep(h) => ("rep", h.doc_no.clone(), h.kind.clone()),
            ReadHead::Stm(h) => (
                "stm",
                h.doc_no.clone(),
                format!("{} {} {}", h.fund, if h.ip { "IP" } else { "OP" }, h.period),
            ),
        };
        ReturnMeta {
            kind,
            file_name: self.file_name.clone(),
            doc_no,
            detail,
            sha256: self.sha256.clone(),
            bytes: self.bytes,
        }
    }
}

/// Reads a REP (`stm` false) or a statement: the part of an import that needs no database.
pub fn read_return(
    file_name: &str,
    bytes: &[u8],
    codes: &ErrorCodes,
    stm: bool,
) -> Result<ReadReturn, CycleError> {
    let (head, rejects, lines) = if stm {
        let f = raidai_returns::read_stm(file_name, bytes)?;
        let lines = StagedLines::from_stm(f.lines, f.header.ip);
        (ReadHead::Stm(f.header), f.rejects, lines)
    } else {
        let f = raidai_returns::read_rep_with(file_name, bytes, codes)?;
        (
            ReadHead::Rep(f.header),
            f.rejects,
            StagedLines::from_rep(f.lines),
        )
    };
    Ok(ReadReturn {
        file_name: file_name.into(),
        sha256: sha_of(bytes),
        bytes: bytes.len() as u64,
        head,
        rejects,
        lines,
    })
}

/// Reads the files on every core; each file's bytes are freed once it is read.
fn read_all(
    files: Vec<(String, Vec<u8>, bool)>,
    codes: &ErrorCodes,
) -> Vec<Result<ReadReturn, CycleError>> {
    let n = files.len();
    let queue = Mutex::new(files.into_iter().enumerate().collect::<VecDeque<_>>());
    let results: Mutex<Vec<Option<Result<ReadReturn, CycleError>>>> =
        Mutex::new((0..n).map(|_| None).collect());
    let workers = std::thread::available_parallelism()
        .map_or(1, |c| c.get())
        .clamp(1, n.max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let next = queue.lock().map(|mut q| q.pop_front()).unwrap_or(None);
                    let Some((i, (name, bytes, stm))) = next else {
                        break;
                    };
                    let read = read_return(&name, &bytes, codes, stm);
                    drop(bytes);
                    if let Ok(mut r) = results.lock() {
                        r[i] = Some(read);
                    }
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(ClaimsError::Worker("a reader stopped".into()).into())))
        .collect()
}

/// Imports several return files of `hcode` as one upload: every REP first, then the
/// statements (a statement line finds its REP status), each kind in name order, each kind in
/// one transaction. A file that cannot be read, is for another unit, was imported before or
/// is given twice is refused on its own before anything is written; the others land together.
pub async fn import_returns(
    store: &Store,
    actor: &Actor,
    hcode: &str,
    files: Vec<(String, Vec<u8>)>,
    today: i64,
) -> Result<Vec<(String, Result<ReturnOutcome, CycleError>)>, CycleError> {
    let files = files
        .into_iter()
        .map(|(name, bytes)| {
            let stm = is_statement(&name);
            (name, bytes, stm)
        })
        .collect();
    import_files(store, actor, hcode, files, today).await
}

async fn import_files(
    store: &Store,
    actor: &Actor,
    hcode: &str,
    mut files: Vec<(String, Vec<u8>, bool)>,
    today: i64,
) -> Result<Vec<(String, Result<ReturnOutcome, CycleError>)>, CycleError> {
    let places = store.unit_places(actor, hcode).await?;
    let codes = error_codes(store, &places.province_code).await?;
    files.sort_by(|a, b| (a.2, &a.0).cmp(&(b.2, &b.0)));
    let names: Vec<String> = files.iter().map(|f| f.0.clone()).collect();
    let reads = tokio::task::spawn_blocking(move || read_all(files, &codes))
        .await
        .map_err(|e| ClaimsError::Worker(e.to_string()))?;
    let shas: Vec<String> = reads
        .iter()
        .filter_map(|r| r.as_ref().ok().map(|r| r.sha256.clone()))
        .collect();
    let before = store.imported_returns(actor, hcode, &shas).await?;
    let mut seen = HashSet::new();
    let mut results: Vec<Option<Result<ReturnOutcome, CycleError>>> =
        (0..names.len()).map(|_| None).collect();
    let mut groups: [Vec<(usize, ReadReturn)>; 2] = [Vec::new(), Vec::new()];
    for (i, read) in reads.into_iter().enumerate() {
        match read.and_then(|r| refuse(r, hcode, &before, &mut seen)) {
            Ok(r) => groups[usize::from(r.is_stm())].push((i, r)),
            Err(e) => results[i] = Some(Err(e)),
        }
    }
    for group in groups {
        if group.is_empty() {
            continue;
        }
        let (at, reads): (Vec<usize>, Vec<ReadReturn>) = group.into_iter().unzip();
        let outcomes = store_group(store, actor, hcode, reads, today).await?;
        for (i, o) in at.into_iter().zip(outcomes) {
            results[i] = Some(Ok(o));
        }
    }
    Ok(names
        .into_iter()
        .zip(results)
        .map(|(name, res)| {
            let res =
                res.unwrap_or_else(|| Err(CycleError::Invalid(format!("{name}: not imported"))));
            (name, res)
        })
        .collect())
}

/// A read file, or why it is refused before anything is written.
fn refuse(
    read: ReadReturn,
    hcode: &str,
    before: &HashMap<String, i64>,
    seen: &mut HashSet<String>,
) -> Result<ReadReturn, CycleError> {
    if read.hcode() != hcode {
        return Err(CycleError::WrongUnit {
            file: read.file_name.clone(),
            file_hcode: read.hcode().into(),
            hcode: hcode.into(),
        });
    }
    if let Some(no) = before.get(&read.sha256) {
        return Err(StoreError::field(
            "file",
            format!("this file was already imported (return no. {no}); nothing changed"),
            format!("ไฟล์นี้นำเข้าแล้ว (ครั้งที่ {no}) ไม่มีการเปลี่ยนแปลง"),
        )
        .into());
    }
    if !seen.insert(read.sha256.clone()) {
        return Err(StoreError::field(
            "file",
            "the same file is given twice in this upload; it was imported once",
            "ไฟล์เดียวกันถูกส่งซ้ำในการอัปโหลดนี้ นำเข้าเพียงครั้งเดียว",
        )
        .into());
    }
    Ok(read)
}

/// A line's place in the upload: (file, line of the file).
type At = (u32, u32);

/// Every line of the files in the order of the visits' keys, then file and row: lines of one
/// visit keep the order of their files.
fn key_order(reads: &[ReadReturn]) -> Vec<At> {
    let mut keyed: Vec<((u8, &str, &str), u32, u32)> = Vec::new();
    keyed.reserve(reads.iter().map(|r| r.lines.len()).sum());
    for (f, r) in reads.iter().enumerate() {
        for i in 0..r.lines.len() {
            keyed.push((r.lines.line(i).sort_key(), f as u32, i as u32));
        }
    }
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, f, i)| (f, i)).collect()
}

/// Writes one kind of return files in one transaction: each file's rejects, then every line in
/// key order, then each file's return record. Lines with a TRAN_ID that match no visit are
/// tried once more at the end, when the upload's own REP lines have set the TRAN_IDs they
/// carry (as they would have, file by file).
async fn store_group(
    store: &Store,
    actor: &Actor,
    hcode: &str,
    reads: Vec<ReadReturn>,
    today: i64,
) -> Result<Vec<ReturnOutcome>, CycleError> {
    let metas = reads.iter().map(ReadReturn::meta).collect();
    let mut session = store.begin_returns(actor, hcode, metas).await?;
    for (p, r) in reads.iter().enumerate() {
        session
            .write_rejects(p, &reject_rows(&r.file_name, &r.rejects))
            .await?;
    }
    let mut outs: Vec<ReturnOutcome> = reads
        .iter()
        .map(|r| ReturnOutcome {
            record: empty_record(),
            rejects: r.rejects.clone(),
            accepted: 0,
            corrective: 0,
            denied: 0,
            amount_diff: 0,
            missing_rep: 0,
        })
        .collect();
    let order = key_order(&reads);
    let mut pass = Pass {
        reads: &reads,
        outs: &mut outs,
        deferred: Vec::new(),
        today,
    };
    for chunk in order.chunks(CHUNK) {
        pass.chunk(&mut session, chunk, true).await?;
    }
    drop(order);
    let deferred = std::mem::take(&mut pass.deferred);
    for chunk in deferred.chunks(CHUNK) {
        pass.chunk(&mut session, chunk, false).await?;
    }
    let rejects: Vec<i64> = reads.iter().map(|r| r.rejects.len() as i64).collect();
    let records = session.finish(&rejects).await?;
    for (out, record) in outs.iter_mut().zip(records) {
        out.record = record;
    }
    Ok(outs)
}

/// The upload's pass over its lines.
struct Pass<'a> {
    reads: &'a [ReadReturn],
    outs: &'a mut [ReturnOutcome],
    /// Lines with a TRAN_ID that matched no visit, for the second try.
    deferred: Vec<At>,
    today: i64,
}

fn line_at(reads: &[ReadReturn], (f, i): At) -> LineRef<'_> {
    reads[f as usize].lines.line(i as usize)
}

impl Pass<'_> {
    /// Matches and writes a chunk of lines (`defer`: keep unmatched lines with a TRAN_ID
    /// for the second try instead of writing them).
    async fn chunk(
        &mut self,
        session: &mut ReturnSession,
        chunk: &[At],
        defer: bool,
    ) -> Result<(), CycleError> {
        let reads = self.reads;
        let tran_ids: Vec<String> = chunk
            .iter()
            .map(|&at| line_at(reads, at).tran_id.to_string())
            .collect();
        let keys: Vec<Vec<String>> = chunk.iter().map(|&at| line_at(reads, at).keys()).collect();
        let (by_tran, visits) = chunk_visits(session, &tran_ids, &keys).await?;
        let mut rows: BTreeMap<usize, Vec<ReturnLineRow>> = BTreeMap::new();
        let mut updates = Vec::new();
        let mut entries: BTreeMap<usize, Vec<SettleEntry>> = BTreeMap::new();
        // A statement may pay one claim on several lines: each settles in turn.
        let mut balances: HashMap<String, ClaimBalance> = HashMap::new();
        let map = default_settlement_map();
        for (&at, k) in chunk.iter().zip(&keys) {
            let part = at.0 as usize;
            let l = line_at(reads, at);
            let mut m = match_line(l.tran_id, k, l.pid, l.date_in, &by_tran, &visits);
            if defer && m.vkey.is_empty() && !l.tran_id.is_empty() {
                self.deferred.push(at);
                continue;
            }
            let row = match &reads[part].head {
                ReadHead::Rep(h) => {
                    let outcome = match l.outcome {
                        Outcome::Accepted => "accepted",
                        Outcome::Corrective => "corrective",
                        Outcome::Deny => "deny",
                    };
                    if !m.vkey.is_empty() {
                        let out = &mut self.outs[part];
                        match l.outcome {
                            Outcome::Accepted => out.accepted += 1,
                            Outcome::Corrective => out.corrective += 1,
                            Outcome::Deny => out.denied += 1,
                        }
                        updates.push(RepStatus {
                            vkey: m.vkey.clone(),
                            tran_id: l.tran_id.into(),
                            status: outcome.into(),
                            appeal: h.appeal,
                            rep_no: l.rep_no.into(),
                            error_codes: l.error_codes.into(),
                            late: l.late,
                            expected: l.amount,
                            rep_date: h.issued.unwrap_or(self.today),
                        });
                    }
                    line_row(&l, m, outcome, l.error_codes, l.late)
                }
                ReadHead::Stm(_) => {
                    let mut status = "missing_rep";
                    if let Some(v) = visits.get(&m.vkey) {
                        let has_rep = !v.tran_id.is_empty() || by_tran.contains_key(l.tran_id);
                        if has_rep {
                            status = if v.expected == l.amount {
                                "matched"
                            } else {
                                "amount_diff"
                            };
                        }
                        match settlement_for(v, &balances, l.amount, map) {
                            Some((bal, s)) => {
                                balances.insert(v.vkey.clone(), next_balance(bal, &s));
                                entries
                                    .entry(part)
                                    .or_default()
                                    .push(entry(v, l.tran_id, status, s));
                            }
                            None => {
                                m = LineMatch {
                                    vkey: String::new(),
                                    note: "no_settlement_accounts",
                                };
                            }
                        }
                    }
                    if !m.vkey.is_empty() {
                        match status {
                            "missing_rep" => self.outs[part].missing_rep += 1,
                            "amount_diff" => self.outs[part].amount_diff += 1,
                            _ => {}
                        }
                    }
                    let outcome = if m.vkey.is_empty() { "" } else { status };
                    line_row(&l, m, outcome, "", false)
                }
            };
            rows.entry(part).or_default().push(row);
        }
        for (part, rows) in rows {
            session.write_lines(part, &rows).await?;
        }
        if !updates.is_empty() {
            session.apply_rep(&updates).await?;
        }
        for (part, entries) in entries {
            session.settle(part, &entries, self.today).await?;
        }
        Ok(())
    }
}

/// A line as stored (`outcome`, `error_codes` and `late` as the kind of file gives them).
fn line_row(
    l: &LineRef<'_>,
    m: LineMatch,
    outcome: &str,
    error_codes: &str,
    late: bool,
) -> ReturnLineRow {
    ReturnLineRow {
        row_no: i64::from(l.row),
        vkey: m.vkey,
        match_note: m.note.into(),
        tran_id: l.tran_id.into(),
        rep_no: l.rep_no.into(),
        hn: l.hn.into(),
        seq_no: l.seq_no.into(),
        an: l.an.into(),
        date_in: l.date_in.unwrap_or(0),
        outcome: outcome.into(),
        error_codes: error_codes.into(),
        late,
        claimed: l.claimed,
        amount: l.amount,
    }
}

/// The settlement of a payment on `v`, from its balance so far in this file (or as stored);
/// None when the fund and setting have no settlement accounts.
fn settlement_for(
    v: &StoredClaim,
    balances: &HashMap<String, ClaimBalance>,
    paid: i64,
    map: &SettlementMap,
) -> Option<(ClaimBalance, Settlement)> {
    let accounts = map.get(&v.fund, &v.setting)?;
    let receivable = AccountCode::parse(&v.receivable).ok();
    let bal = balances.get(&v.vkey).copied().unwrap_or(ClaimBalance {
        receivable: if v.posted && receivable.is_some() {
            v.fund_amount
        } else {
            0
        },
        cleared: v.cleared,
        written_down: v.written_down,
    });
    // With no receivable (not posted), the receivable account is never used (0 open).
    let r = receivable.unwrap_or(accounts.cash);
    Some((bal, settle(bal, paid, r, accounts)))
}

fn next_balance(b: ClaimBalance, s: &Settlement) -> ClaimBalance {
    ClaimBalance {
        receivable: b.receivable,
        cleared: b.cleared + s.cleared,
        written_down: b.written_down + s.written_down,
    }
}

pub(super) fn entry(
    v: &StoredClaim,
    tran_id: &str,
    stm_status: &str,
    s: Settlement,
) -> SettleEntry {
    SettleEntry {
        vkey: v.vkey.clone(),
        ver: v.ver,
        fund_amount: v.fund_amount,
        tran_id: tran_id.into(),
        date_serv: v.date_serv,
        lines: s
            .lines
            .iter()
            .map(|l| PostLine {
                account: l.account.as_str().into(),
                fund: v.fund.clone(),
                debit: l.debit,
                credit: l.credit,
            })
            .collect(),
        received: s.received,
        cleared: s.cleared,
        written_down: s.written_down,
        written_up: s.written_up,
        stm_status: stm_status.into(),
    }
}

/// For a chunk of lines: the visits known by their TRAN_IDs, and the stored visits of those and
/// of every candidate key.
async fn chunk_visits(
    session: &mut ReturnSession,
    tran_ids: &[String],
    keys: &[Vec<String>],
) -> Result<(HashMap<String, String>, HashMap<String, StoredClaim>), CycleError> {
    let by_tran = session.by_tran_id(tran_ids).await?;
    let mut wanted: Vec<String> = keys.iter().flatten().cloned().collect();
    wanted.extend(by_tran.values().cloned());
    let visits = session.visits(&wanted).await?;
    Ok((by_tran, visits))
}

/// A return's unreadable lines as reject rows (sheet as the file, spreadsheet row as the line).
fn reject_rows(file_name: &str, rejects: &[ReturnReject]) -> Vec<raidai_store::claims::RejectRow> {
    rejects
        .iter()
        .map(|r| raidai_store::claims::RejectRow {
            file: format!("{file_name} [{}]", r.sheet),
            line: i64::from(r.row),
            field: r.field.clone(),
            // A citizen ID in a rejected cell is personal data: masked like everywhere else.
            value: if r.value.len() == 13 && r.value.bytes().all(|b| b.is_ascii_digit()) {
                crate::mask_cid(&r.value)
            } else {
                r.value.clone()
            },
            code: "RETURN_LINE".into(),
            reason_th: r.message_th.clone(),
            reason_en: r.message.clone(),
            hn: String::new(),
            seq: String::new(),
            an: String::new(),
        })
        .collect()
}

fn empty_record() -> ReturnRecord {
    ReturnRecord {
        hcode: String::new(),
        no: 0,
        import_id: String::new(),
        kind: String::new(),
        file_name: String::new(),
        doc_no: String::new(),
        detail: String::new(),
        sha256: String::new(),
        import_no: 0,
        lines: 0,
        matched: 0,
        unmatched: 0,
        rejects: 0,
        amount: 0,
        settled: 0,
        at: 0,
        username: String::new(),
    }
}
