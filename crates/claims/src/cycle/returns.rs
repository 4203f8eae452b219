//! REP and statement files in: read (CPU only), matched to visits, stored, settled; several
//! files pipelined so the next is read while the database takes this one.

use super::*;
use raidai_domain::ids::Hcode;

/// Imports a REP file for `hcode`: every line stored, matched lines set their visit's claim.
pub async fn import_rep(
    store: &Store,
    actor: &Actor,
    unit: Hcode,
    file_name: &str,
    bytes: &[u8],
) -> Result<ReturnOutcome, CycleError> {
    import_one(store, actor, unit, file_name, bytes, false, today_ymd()).await
}

/// One return file, read on a blocking thread then stored (`stm`: a statement, settled on
/// `today`'s posting date).
async fn import_one(
    store: &Store,
    actor: &Actor,
    unit: Hcode,
    file_name: &str,
    bytes: &[u8],
    stm: bool,
    today: i64,
) -> Result<ReturnOutcome, CycleError> {
    let places = store.unit_places(actor, unit).await?;
    let codes = error_codes(store, &places.province_code).await?;
    let (name, data) = (file_name.to_string(), bytes.to_vec());
    let read = tokio::task::spawn_blocking(move || read_return(&name, &data, &codes, stm))
        .await
        .map_err(|e| ClaimsError::Worker(e.to_string()))?;
    import_read(store, actor, unit, read?, today).await
}

/// Whether a return file is a statement (STM…, or a CHI/สกส. XML) rather than a REP, by name.
pub fn is_statement(file_name: &str) -> bool {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or_default();
    base.to_ascii_uppercase().starts_with("STM") || base.to_ascii_lowercase().ends_with(".xml")
}

/// A return file read (CPU only, no database): what [`import_read`] stores.
#[derive(Debug)]
pub struct ReadReturn {
    pub file_name: String,
    pub sha256: String,
    pub bytes: u64,
    pub file: ReadFile,
}

#[derive(Debug)]
pub enum ReadFile {
    Rep(raidai_returns::RepFile),
    Stm(raidai_returns::StmFile),
}

/// Reads a REP (`stm` false) or a statement: the part of an import that needs no database.
pub fn read_return(
    file_name: &str,
    bytes: &[u8],
    codes: &ErrorCodes,
    stm: bool,
) -> Result<ReadReturn, CycleError> {
    let file = if stm {
        ReadFile::Stm(raidai_returns::read_stm(file_name, bytes)?)
    } else {
        ReadFile::Rep(raidai_returns::read_rep_with(file_name, bytes, codes)?)
    };
    Ok(ReadReturn {
        file_name: file_name.into(),
        sha256: sha_of(bytes),
        bytes: bytes.len() as u64,
        file,
    })
}

/// Imports several return files of `hcode`, each in its own transaction and with its own
/// outcome: every REP first, then the statements (a statement line finds its REP status), each
/// kind in name order. The next file is read on another core while the database takes this
/// one, so a month of returns costs about the database's time alone.
pub async fn import_returns(
    store: &Store,
    actor: &Actor,
    unit: Hcode,
    mut files: Vec<(String, Vec<u8>)>,
    today: i64,
) -> Result<Vec<(String, Result<ReturnOutcome, CycleError>)>, CycleError> {
    let places = store.unit_places(actor, unit).await?;
    let codes = error_codes(store, &places.province_code).await?;
    files.sort_by(|a, b| (is_statement(&a.0), &a.0).cmp(&(is_statement(&b.0), &b.0)));
    let names: Vec<String> = files.iter().map(|f| f.0.clone()).collect();
    // One file read ahead: memory holds at most two read files.
    let (tx, mut rx) = tokio::sync::mpsc::channel(1);
    let reader = tokio::task::spawn_blocking(move || {
        for (name, bytes) in files {
            let stm = is_statement(&name);
            if tx
                .blocking_send(read_return(&name, &bytes, &codes, stm))
                .is_err()
            {
                break;
            }
        }
    });
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let Some(read) = rx.recv().await else {
            break;
        };
        let res = match read {
            Ok(r) => import_read(store, actor, unit, r, today).await,
            Err(e) => Err(e),
        };
        out.push((name, res));
    }
    drop(rx);
    reader
        .await
        .map_err(|e| ClaimsError::Worker(e.to_string()))?;
    Ok(out)
}

/// Imports a read return file (REP or statement; a statement settles on `today`'s posting date).
pub async fn import_read(
    store: &Store,
    actor: &Actor,
    unit: Hcode,
    read: ReadReturn,
    today: i64,
) -> Result<ReturnOutcome, CycleError> {
    let hcode = unit.as_str();
    let file_hcode = match &read.file {
        ReadFile::Rep(f) => &f.header.hcode,
        ReadFile::Stm(f) => &f.header.hcode,
    };
    if file_hcode != hcode {
        return Err(CycleError::WrongUnit {
            file: read.file_name.clone(),
            file_hcode: file_hcode.clone(),
            hcode: hcode.into(),
        });
    }
    let meta = |kind, doc_no: &str, detail| ReturnMeta {
        kind,
        file_name: read.file_name.clone(),
        doc_no: doc_no.into(),
        detail,
        sha256: read.sha256.clone(),
        bytes: read.bytes,
    };
    match read.file {
        ReadFile::Rep(file) => {
            let m = meta("rep", &file.header.doc_no, file.header.kind.clone());
            store_rep(store, actor, unit, m, file).await
        }
        ReadFile::Stm(file) => {
            let h = &file.header;
            let io = if h.ip { "IP" } else { "OP" };
            let m = meta("stm", &h.doc_no, format!("{} {io} {}", h.fund, h.period));
            store_stm(store, actor, unit, m, file, today).await
        }
    }
}

/// Return lines in the order of their visits' keys, each with its candidate keys. The sort is
/// stable (a claim's lines keep their file order); the order lets the lookups and writes walk the
/// indexes instead of jumping across them.
fn by_candidate_keys<L>(lines: &[L], keys: impl Fn(&L) -> Vec<String>) -> Vec<(&L, Vec<String>)> {
    let mut keyed: Vec<(&L, Vec<String>)> = lines.iter().map(|l| (l, keys(l))).collect();
    keyed.sort_by(|a, b| a.1.cmp(&b.1));
    keyed
}

/// The stored row of a return line naming `v`, matched as `m`; what differs between REP and
/// statement lines (outcome, codes, lateness, the amount) is given.
fn line_row(
    v: &raidai_returns::LineVisit,
    m: &LineMatch,
    outcome: String,
    error_codes: String,
    late: bool,
    amount: i64,
) -> ReturnLineRow {
    ReturnLineRow {
        row_no: i64::from(v.row),
        vkey: m.vkey.clone(),
        match_note: m.note.into(),
        tran_id: v.tran_id.clone(),
        rep_no: v.rep_no.clone(),
        hn: v.hn.clone(),
        seq_no: v.seq_no.clone(),
        an: v.an.clone(),
        date_in: v.date_in.unwrap_or(0),
        outcome,
        error_codes,
        late,
        claimed: v.claimed.0,
        amount,
    }
}

async fn store_rep(
    store: &Store,
    actor: &Actor,
    unit: Hcode,
    meta: ReturnMeta,
    file: raidai_returns::RepFile,
) -> Result<ReturnOutcome, CycleError> {
    let rep_date = file.header.issued.unwrap_or_else(today_ymd);
    let (mut session, mut out) = open_return(store, actor, unit, meta, &file.rejects).await?;
    let lines = by_candidate_keys(&file.lines, |l| {
        candidate_keys(
            &l.visit.hn,
            &l.visit.seq_no,
            &l.invoice_no,
            &l.visit.an,
            l.ip,
        )
    });
    for chunk in lines.chunks(5_000) {
        let (by_tran, visits) = chunk_visits(&mut session, chunk, |l| &l.visit.tran_id).await?;
        let mut rows = Vec::with_capacity(chunk.len());
        let mut updates = Vec::new();
        for (l, k) in chunk {
            let m = match_line(
                &l.visit.tran_id,
                k,
                &l.visit.pid,
                l.visit.date_in,
                &by_tran,
                &visits,
            );
            let outcome = match l.outcome {
                Outcome::Accepted => "accepted",
                Outcome::Corrective => "corrective",
                Outcome::Deny => "deny",
            };
            if !m.vkey.is_empty() {
                match l.outcome {
                    Outcome::Accepted => out.accepted += 1,
                    Outcome::Corrective => out.corrective += 1,
                    Outcome::Deny => out.denied += 1,
                }
                let rep = RepResult {
                    tran_id: l.visit.tran_id.clone(),
                    status: outcome.into(),
                    appeal: file.header.appeal,
                    rep_no: l.visit.rep_no.clone(),
                    error_codes: l.error_codes.join(","),
                    late: l.late,
                    expected: l.expected.0,
                    rep_date,
                };
                updates.push(RepStatus {
                    vkey: m.vkey.clone(),
                    rep,
                });
            }
            rows.push(line_row(
                &l.visit,
                &m,
                outcome.into(),
                l.error_codes.join(","),
                l.late,
                l.expected.0,
            ));
        }
        session.write_lines(&rows).await?;
        session.apply_rep(&updates).await?;
    }
    out.record = session.finish(file.rejects.len() as i64).await?;
    Ok(out)
}

/// Imports a statement for `hcode` on `today` (`yyyymmdd`): every line stored; matched lines
/// settle their visit's receivable on today's posting date.
pub async fn import_stm_on(
    store: &Store,
    actor: &Actor,
    unit: Hcode,
    file_name: &str,
    bytes: &[u8],
    today: i64,
) -> Result<ReturnOutcome, CycleError> {
    import_one(store, actor, unit, file_name, bytes, true, today).await
}

async fn store_stm(
    store: &Store,
    actor: &Actor,
    unit: Hcode,
    meta: ReturnMeta,
    file: raidai_returns::StmFile,
    today: i64,
) -> Result<ReturnOutcome, CycleError> {
    let map = default_settlement_map();
    let (mut session, mut out) = open_return(store, actor, unit, meta, &file.rejects).await?;
    // A statement may pay one claim on several lines: each settles in turn.
    let mut balances: HashMap<String, ClaimBalance> = HashMap::new();
    let ip = file.header.ip;
    let lines = by_candidate_keys(&file.lines, |l| {
        candidate_keys(&l.visit.hn, &l.visit.seq_no, "", &l.visit.an, ip)
    });
    for chunk in lines.chunks(5_000) {
        let (by_tran, visits) = chunk_visits(&mut session, chunk, |l| &l.visit.tran_id).await?;
        let mut rows = Vec::with_capacity(chunk.len());
        let mut entries = Vec::new();
        for (l, k) in chunk {
            let mut m = match_line(
                &l.visit.tran_id,
                k,
                &l.visit.pid,
                l.visit.date_in,
                &by_tran,
                &visits,
            );
            let mut status = "missing_rep";
            if let Some(v) = visits.get(&m.vkey) {
                let has_rep = !v.tran_id.is_empty() || by_tran.contains_key(&l.visit.tran_id);
                if has_rep {
                    status = if v.expected == l.paid.0 {
                        "matched"
                    } else {
                        "amount_diff"
                    };
                }
                match settlement_for(v, &balances, l.paid.0, map) {
                    Some((bal, s)) => {
                        balances.insert(v.vkey.clone(), next_balance(bal, &s));
                        entries.push(entry(v, &l.visit.tran_id, status, s));
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
                    "missing_rep" => out.missing_rep += 1,
                    "amount_diff" => out.amount_diff += 1,
                    _ => {}
                }
            }
            let outcome = if m.vkey.is_empty() { "" } else { status };
            rows.push(line_row(
                &l.visit,
                &m,
                outcome.into(),
                String::new(),
                false,
                l.paid.0,
            ));
        }
        session.write_lines(&rows).await?;
        session.settle(&entries, today).await?;
    }
    out.record = session.finish(file.rejects.len() as i64).await?;
    Ok(out)
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

/// Starts a return's transaction with its unreadable lines recorded, and an empty outcome.
async fn open_return(
    store: &Store,
    actor: &Actor,
    unit: Hcode,
    meta: ReturnMeta,
    rejects: &[ReturnReject],
) -> Result<(ReturnSession, ReturnOutcome), CycleError> {
    let reject_rows = reject_rows(&meta.file_name, rejects);
    let mut session = store.begin_return(actor, unit, meta).await?;
    session.write_rejects(&reject_rows).await?;
    let out = ReturnOutcome {
        record: empty_record(),
        rejects: rejects.to_vec(),
        accepted: 0,
        corrective: 0,
        denied: 0,
        amount_diff: 0,
        missing_rep: 0,
    };
    Ok((session, out))
}

/// For a chunk of lines: the visits known by their TRAN_IDs, and the stored visits of those and
/// of every candidate key.
async fn chunk_visits<L>(
    session: &mut ReturnSession,
    chunk: &[(&L, Vec<String>)],
    tran_id: impl Fn(&L) -> &str,
) -> Result<(HashMap<String, String>, HashMap<String, StoredClaim>), CycleError> {
    let tran_ids: Vec<String> = chunk.iter().map(|(l, _)| tran_id(l).to_string()).collect();
    let by_tran = session.by_tran_id(&tran_ids).await?;
    let mut wanted: Vec<String> = chunk.iter().flat_map(|(_, k)| k).cloned().collect();
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
