//! The claim cycle: claim batches out, REP and STM files in, receivables settled.
//!
//! * A **batch** takes the unit's posted visits of the chosen funds and dates that were never
//!   sent (or came back as C), leaves out those with a blocking Data Audit finding unless asked,
//!   writes the 16 files ([`crate::export`]) and records what was sent.
//! * A **REP** line is matched to a visit by TRAN_ID when the visit is known by it, else by
//!   HN + SEQ NO (or INVOICE NO) for OP and AN for IP, confirmed by the citizen ID and the
//!   service date. It sets the visit's claim status (accepted, C, Deny). Unmatched lines are
//!   kept and listed, never dropped.
//! * An **STM** line settles the visit's receivable ([`raidai_domain::settlement`]): cash in,
//!   the receivable cleared, the difference to the fund's adjustment accounts.

use raidai_domain::ids::Hcode;
use std::borrow::Cow;
use std::collections::HashMap;

use raidai_domain::accounts::AccountCode;
use raidai_domain::settlement::{
    ClaimBalance, Settlement, SettlementMap, default_settlement_map, settle, write_off,
};
use raidai_formats::HeaderSet;
use raidai_returns::{ErrorCodes, Outcome, ReturnReject, ReturnsError};
use raidai_store::claims::{
    BatchRecord, BatchSpec, PostLine, RepResult, RepStatus, ReturnLineRow, ReturnMeta,
    ReturnRecord, ReturnSession, SettleEntry, StoredClaim,
};
use raidai_store::{Actor, Store, StoreError};
use sha2::{Digest, Sha256};

use crate::ClaimsError;
use crate::audit::today_ymd;
use crate::export::{ExportError, claim_files};

mod returns;
pub use returns::*;

/// Why a claim-cycle step refused its input (the user's to fix).
#[derive(Debug, thiserror::Error)]
pub enum CycleError {
    #[error(transparent)]
    Claims(#[from] ClaimsError),
    #[error(transparent)]
    File(#[from] ReturnsError),
    #[error("claim files: {0}")]
    Export(#[from] ExportError),
    #[error("{file}: the file is for unit {file_hcode}, not {hcode}; nothing was imported")]
    WrongUnit {
        file: String,
        file_hcode: String,
        hcode: String,
    },
    #[error("no visit to claim: none of the chosen funds and dates is posted and not yet sent")]
    NothingToClaim,
    #[error("{0}")]
    Invalid(String),
}

impl From<StoreError> for CycleError {
    fn from(e: StoreError) -> Self {
        CycleError::Claims(ClaimsError::Store(e))
    }
}

impl CycleError {
    /// The Thai message for the UI, where the error is the user's to fix.
    pub fn message_th(&self) -> Option<String> {
        match self {
            CycleError::Claims(c) => c.message_th(),
            CycleError::File(e) => Some(e.message_th()),
            CycleError::Export(e) => Some(format!("สร้างแฟ้มเบิกไม่ได้: {e}")),
            CycleError::WrongUnit {
                file_hcode, hcode, ..
            } => Some(format!(
                "ไฟล์นี้เป็นของหน่วยบริการ {file_hcode} ไม่ใช่ {hcode} จึงไม่ได้นำเข้าข้อมูลใด"
            )),
            CycleError::NothingToClaim => {
                Some("ไม่มีรายการที่จะเบิก: ไม่พบรายการที่ตั้งลูกหนี้แล้วและยังไม่ได้ส่งในกองทุนและช่วงวันที่ที่เลือก".into())
            }
            CycleError::Invalid(m) => Some(m.clone()),
        }
    }
}

/// Builds and records a claim batch.
pub async fn create_batch(
    store: &Store,
    actor: &Actor,
    unit: Hcode,
    spec: &BatchSpec,
) -> Result<BatchRecord, CycleError> {
    let hcode = unit.as_str();
    if spec.date_from > spec.date_to {
        return Err(CycleError::Invalid("วันที่เริ่มต้องไม่หลังวันที่สิ้นสุด".into()));
    }
    let candidates = store.batch_candidates(actor, unit, spec).await?;
    let chosen: Vec<_> = candidates
        .into_iter()
        .filter(|c| spec.include_blocked || !c.blocked)
        .collect();
    if chosen.is_empty() {
        return Err(CycleError::NothingToClaim);
    }
    let headers = if spec.headers == "classic" {
        HeaderSet::Classic
    } else {
        HeaderSet::Fdh
    };
    let visits: Vec<(String, i64, bool)> = chosen
        .iter()
        .map(|c| (c.row.visit.vkey.clone(), c.row.facts.fund_amount, c.blocked))
        .collect();
    let rows: Vec<_> = chosen.into_iter().map(|c| c.row).collect();
    let hc = hcode.to_string();
    let files = tokio::task::spawn_blocking(move || claim_files(&hc, &rows, headers))
        .await
        .map_err(|e| ClaimsError::Worker(e.to_string()))??;
    let files_json = serde_json::to_string(
        &files
            .files
            .iter()
            .map(|f| {
                serde_json::json!({"name": f.name, "records": f.records, "sha256": f.sha256, "bytes": f.bytes})
            })
            .collect::<Vec<_>>(),
    )
    .unwrap_or_else(|_| "[]".into());
    let sha = hex(&Sha256::digest(&files.zip));
    Ok(store
        .save_batch(actor, unit, spec, &visits, files_json, files.zip, sha)
        .await?)
}

/// The zip's file name for a batch: `{hcode}_claim_{no}_{funds}.zip`.
pub fn batch_zip_name(b: &BatchRecord) -> String {
    format!(
        "{}_claim_{:04}_{}.zip",
        b.hcode,
        b.no,
        b.funds.replace(',', "-")
    )
}

/// What an imported return did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReturnOutcome {
    pub record: ReturnRecord,
    pub rejects: Vec<ReturnReject>,
    /// REP: accepted / C / Deny lines matched.
    pub accepted: i64,
    pub corrective: i64,
    pub denied: i64,
    /// STM: lines whose payment differs from the REP's expected amount, and lines with no REP.
    pub amount_diff: i64,
    pub missing_rep: i64,
}

/// How a return line found (or did not find) its visit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineMatch {
    pub vkey: String,
    /// tran_id, hn_seq, an; or no_visit, pid_mismatch, date_mismatch, not_posted.
    pub note: &'static str,
}

/// The keys a line could have: OP `O<hn>/<seq>` by SEQ NO then INVOICE NO; IP `I<an>`.
///
/// A workbook that went through a spreadsheet as numbers has lost the HN's leading zeros
/// (`000000123` became `123`); HNs are zero-padded to 7–9 digits (DOMAIN §6.2), so such an HN
/// is also tried padded to those widths, after the keys as written. The citizen ID and the
/// date still confirm the visit.
pub fn candidate_keys(hn: &str, seq_no: &str, invoice_no: &str, an: &str, ip: bool) -> Vec<String> {
    let mut v = Vec::new();
    if ip || !an.is_empty() {
        if !an.is_empty() {
            v.push(format!("I{an}"));
        }
    } else if !hn.is_empty() {
        let unpadded = hn.len() < HN_WIDTHS.end - 1
            && !hn.starts_with('0')
            && hn.bytes().all(|b| b.is_ascii_digit());
        let padded = HN_WIDTHS
            .filter(|w| unpadded && *w > hn.len())
            .map(|w| Cow::Owned(format!("{hn:0>w$}")));
        for h in std::iter::once(Cow::Borrowed(hn)).chain(padded) {
            for s in [seq_no, invoice_no] {
                if !s.is_empty() {
                    v.push(format!("O{h}/{s}"));
                }
            }
        }
    }
    v
}

/// The widths HIS systems zero-pad an HN to (HOSxP 7, others 9).
const HN_WIDTHS: std::ops::Range<usize> = 7..10;

/// Matches one line: by TRAN_ID when a visit is known by it, else by its keys; confirmed by
/// the citizen ID and the service (admission) date when the line gives them.
pub fn match_line(
    tran_id: &str,
    keys: &[String],
    pid: &str,
    date_in: Option<i64>,
    by_tran: &HashMap<String, String>,
    visits: &HashMap<String, StoredClaim>,
) -> LineMatch {
    if let Some(v) = by_tran.get(tran_id).filter(|_| !tran_id.is_empty())
        && visits.contains_key(v)
    {
        return LineMatch {
            vkey: v.clone(),
            note: "tran_id",
        };
    }
    let Some(v) = keys.iter().find_map(|k| visits.get(k)) else {
        return LineMatch {
            vkey: String::new(),
            note: "no_visit",
        };
    };
    let unmatched = |note| LineMatch {
        vkey: String::new(),
        note,
    };
    if !pid.is_empty() && !v.cid.is_empty() && pid.trim() != v.cid.as_str().trim() {
        return unmatched("pid_mismatch");
    }
    if let Some(d) = date_in
        && d != v.date_serv
    {
        return unmatched("date_mismatch");
    }
    LineMatch {
        vkey: v.vkey.clone(),
        note: if v.setting == "IP" { "an" } else { "hn_seq" },
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha_of(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The province's error-code table: the shipped codes with the province's loaded list over them.
pub async fn error_codes(store: &Store, province_code: &str) -> Result<ErrorCodes, CycleError> {
    let rows = store.error_code_overrides(province_code).await?;
    if rows.is_empty() {
        return Ok(ErrorCodes::builtin().clone());
    }
    let mut text = String::from("code\ttype\tth\ten\tfix_th\n");
    for r in rows {
        text.push_str(&r.join("\t").replace(['\r', '\n'], " "));
        text.push('\n');
    }
    let loaded =
        ErrorCodes::parse_tsv_or_csv(&text).map_err(|e| CycleError::Invalid(e.to_string()))?;
    Ok(ErrorCodes::builtin().merged(&loaded))
}

/// The follow-up states an officer can set on a C or Deny.
pub const WORK_STATES: [&str; 4] = ["to_fix", "resent", "appealed", "written_off"];

/// Sets a claim's follow-up on `today` (`yyyymmdd`); `written_off` also writes the open
/// receivable off to the fund's "ต่ำกว่า" account (a journal entry on today's posting date).
pub async fn set_work_on(
    store: &Store,
    actor: &Actor,
    unit: Hcode,
    vkey: &str,
    work: &str,
    note: &str,
    today: i64,
) -> Result<(), CycleError> {
    if !WORK_STATES.contains(&work) {
        return Err(CycleError::Invalid(format!("สถานะการติดตามไม่ถูกต้อง: {work}")));
    }
    let note = note.trim();
    if note.chars().count() > 500 {
        return Err(CycleError::Invalid("บันทึกยาวเกิน 500 ตัวอักษร".into()));
    }
    if work == "written_off" && note.is_empty() {
        return Err(CycleError::Invalid("การตัดหนี้ต้องระบุเหตุผล".into()));
    }
    let mut session = store.begin_writeoff(actor, unit).await?;
    let visits = session.visits(&[vkey.to_string()]).await?;
    let Some(v) = visits.get(vkey) else {
        session.abort().await?;
        return Err(StoreError::NotFound.into());
    };
    if v.status.is_empty() || v.status == "sent" || v.status == "accepted" {
        session.abort().await?;
        return Err(CycleError::Invalid(
            "ติดตามได้เฉพาะรายการที่ติด C หรือ Deny".into(),
        ));
    }
    if work == "written_off" && v.work != "written_off" {
        let Some(accounts) = default_settlement_map().get(&v.fund, &v.setting) else {
            session.abort().await?;
            return Err(CycleError::Invalid(format!(
                "ไม่มีบัญชีปรับปรุงสำหรับกองทุน {} {}",
                v.fund, v.setting
            )));
        };
        if let Ok(r) = AccountCode::parse(&v.receivable)
            && v.posted
        {
            let bal = ClaimBalance {
                receivable: v.fund_amount,
                cleared: v.cleared,
                written_down: v.written_down,
            };
            let s = write_off(bal, r, accounts);
            if !s.lines.is_empty() {
                session.settle(&[entry(v, "", "", s)], today).await?;
            }
        }
    }
    session.set_work(vkey, work, note).await?;
    session.finish(0).await?;
    Ok(())
}

/// Satang to the generator's money type.
fn satang(n: i64) -> raidai_returns::Satang {
    raidai_domain::money::Satang(n)
}

/// The NHSO fund name and REP kind a posting-map fund's claims come back under.
pub fn rep_kind(
    fund: &str,
    ip: bool,
) -> Option<(&'static str, &'static str, raidai_returns::RepLayout)> {
    use raidai_returns::RepLayout::{Lgo, Sss, Ucs};
    Some(match (fund, ip) {
        ("UC", false) => ("UCS", "OP", Ucs),
        ("UC", true) => ("UCS", "IP", Ucs),
        ("OFC", false) => ("OFC", "OP", Ucs),
        ("OFC", true) => ("OFC", "IP", Ucs),
        ("LGO", false) => ("LGO", "OPLGO", Lgo),
        ("LGO", true) => ("LGO", "IPLGO", Lgo),
        ("BKK", false) => ("BKK", "OPBKK", Lgo),
        ("BKK", true) => ("BKK", "IPBKK", Lgo),
        ("SSS", false) => ("SSS", "OPSSS", Sss),
        ("SSS", true) => ("SSS", "IPSSS", Sss),
        _ => return None,
    })
}

/// Synthetic returns for a batch: one REP per fund and setting (with the chosen shares of C,
/// Deny and paid-different), and one STM paying its accepted lines. Files as the funds name
/// them, in memory.
pub async fn synth_returns(
    store: &Store,
    actor: &Actor,
    unit: Hcode,
    batch_no: i64,
    shares: &raidai_returns::RepShares,
    seed: u64,
    issued: i64,
) -> Result<Vec<(String, Vec<u8>)>, CycleError> {
    let hcode = unit.as_str();
    let rows = store
        .batch_visits(actor, unit, batch_no, 10_000_000)
        .await?;
    let keys: Vec<String> = rows.iter().map(|r| r.visit.vkey.clone()).collect();
    let cids = store.visit_cids(actor, unit, &keys).await?;
    let mut groups: std::collections::BTreeMap<(String, bool), Vec<raidai_returns::ClaimedVisit>> =
        Default::default();
    for r in &rows {
        let ip = r.visit.setting == "IP";
        groups
            .entry((r.fund.clone(), ip))
            .or_default()
            .push(raidai_returns::ClaimedVisit {
                hn: r.visit.hn.clone(),
                seq: r.visit.seq.clone(),
                an: r.visit.an.clone(),
                pid: cids.get(&r.visit.vkey).cloned().unwrap_or_default(),
                name: String::new(),
                ip,
                date_in: r.visit.date_serv,
                date_out: if ip {
                    r.visit.date_dsc
                } else {
                    r.visit.date_serv
                },
                claimed: satang(r.fund_amount),
                fund: r.fund.clone(),
            });
    }
    let mut out = Vec::new();
    let period = {
        let y = issued / 10_000 + 543;
        format!("{y}{:02}", (issued / 100) % 100)
    };
    for (i, ((fund, ip), visits)) in groups.into_iter().enumerate() {
        let Some((nhso, kind, layout)) = rep_kind(&fund, ip) else {
            continue;
        };
        let seed = seed
            .wrapping_add(i as u64 * 7919)
            .wrapping_add(batch_no as u64);
        let rep = raidai_returns::write_rep(
            hcode,
            kind,
            layout,
            issued,
            (batch_no as u64) * 100 + i as u64,
            &visits,
            shares,
            seed,
        );
        let accepted: Vec<_> = rep
            .lines
            .iter()
            .filter(|l| l.outcome == Outcome::Accepted)
            .cloned()
            .collect();
        out.push((rep.file_name, rep.bytes));
        if !accepted.is_empty() {
            let stm = raidai_returns::write_stm(
                hcode,
                nhso,
                ip,
                &period,
                (batch_no as u32) * 10 + i as u32,
                &accepted,
                seed ^ 0x5eed,
                shares.paid_diff_pct,
            );
            out.push((stm.file_name, stm.bytes));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidate_keys_try_an_hn_that_lost_its_zeros_padded() {
        assert_eq!(
            candidate_keys("000000123", "6904", "", "", false),
            vec!["O000000123/6904"]
        );
        assert_eq!(
            candidate_keys("123", "6904", "INV9", "", false),
            vec![
                "O123/6904",
                "O123/INV9",
                "O0000123/6904",
                "O0000123/INV9",
                "O00000123/6904",
                "O00000123/INV9",
                "O000000123/6904",
                "O000000123/INV9",
            ]
        );
        // Written with zeros, full width, or not digits: only as written.
        assert_eq!(
            candidate_keys("0258981", "1", "", "", false),
            vec!["O0258981/1"]
        );
        assert_eq!(
            candidate_keys("500010307", "1", "", "", false),
            vec!["O500010307/1"]
        );
        assert_eq!(candidate_keys("HN12", "1", "", "", false), vec!["OHN12/1"]);
        assert_eq!(
            candidate_keys("12345678", "1", "", "", false),
            vec!["O12345678/1", "O012345678/1"]
        );
        assert_eq!(
            candidate_keys("123", "", "", "6900012", true),
            vec!["I6900012"]
        );
    }
}
