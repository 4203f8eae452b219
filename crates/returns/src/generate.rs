//! Synthetic REP files in the real layouts, for tests, `raidai gen rep` and the demo.
//! Everything is deterministic from the seed; no real patient data is involved.

use chrono::{Datelike, NaiveDate};
use raidai_domain::calendar::{format_be_numeric, format_be_yyyymmdd};
use raidai_domain::money::Satang;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook, Worksheet};

use crate::LineVisit;
use crate::cells::naive;
use crate::layout::{self, Columns, Positions};
use crate::rep::{Outcome, RepLayout, RepLine};

/// A visit as the hospital claimed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedVisit {
    pub hn: String,
    /// HIS visit number (VN), written as SEQ NO.
    pub seq: String,
    /// Admission number; empty for OP.
    pub an: String,
    pub pid: String,
    pub name: String,
    pub ip: bool,
    /// YYYYMMDD (CE).
    pub date_in: i64,
    pub date_out: i64,
    pub claimed: Satang,
    /// The patient's right: UCS, OFC, LGO, SSS, …
    pub fund: String,
}

/// Shares of lines (percent of all lines) by outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RepShares {
    pub corrective_pct: u32,
    pub deny_pct: u32,
    /// Percent of accepted lines whose expected payment differs from the claim.
    pub paid_diff_pct: u32,
}

/// A generated file and the lines a reader must give back for it.
#[derive(Debug, Clone)]
pub struct GeneratedRep {
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub lines: Vec<RepLine>,
}

/// Corrective codes used by the generator (all type C in the built-in table).
const C_CODES: &[&str] = &["305", "306", "998", "999", "300", "301", "902", "307"];
/// Deny codes for OP and IP lines (all type D in the built-in table).
const D_CODES_OP: &[&str] = &["A01", "A03", "A06", "A10", "A12"];
const D_CODES_IP: &[&str] = &["G40", "G15", "G18", "A10", "G14"];
const V_CODES: &[&str] = &["V215", "V216", "V217", "V218", "V219", "V220"];

pub(crate) enum Cell {
    Str(String),
    Num(f64),
}

pub(crate) fn baht(s: Satang) -> Cell {
    Cell::Num(s.0 as f64 / 100.0)
}

/// Writes cells, panicking only on spreadsheet limits (over a million rows, 16k columns or
/// 32k-character strings), which the callers document.
pub(crate) fn put(ws: &mut Worksheet, row: u32, col: usize, cell: Cell) {
    let col = u16::try_from(col).expect("column within the xlsx limit");
    let r = match cell {
        Cell::Str(s) if s.is_empty() => return,
        Cell::Str(s) => {
            let s: String = s.chars().take(32_000).collect();
            ws.write_string(row, col, s).map(|_| ())
        }
        Cell::Num(n) => ws.write_number(row, col, n).map(|_| ()),
    };
    r.expect("cell within the xlsx limits (at most 1,048,000 lines)");
}

pub(crate) fn put_str(ws: &mut Worksheet, row: u32, col: usize, s: &str) {
    put(ws, row, col, Cell::Str(s.to_string()));
}

/// Writes the column header row and the sub-header row below it (rows in order, as the
/// constant-memory mode requires).
pub(crate) fn put_columns(ws: &mut Worksheet, row: u32, cols: &Columns) {
    for (c, (h, _)) in cols.iter().enumerate() {
        put_str(ws, row, c, h);
    }
    for (c, (_, s)) in cols.iter().enumerate() {
        put_str(ws, row + 1, c, s);
    }
}

pub(crate) fn sheet_named<'a>(wb: &'a mut Workbook, name: &str) -> &'a mut Worksheet {
    let ws = wb.add_worksheet();
    ws.set_name(name).expect("valid sheet name");
    ws
}

/// A sheet for many rows: rust_xlsxwriter's constant-memory mode (rows are streamed to a
/// temporary file, about twice as fast for 100k lines and far smaller in memory) when a
/// temporary file can be made, else an ordinary sheet. Rows must be written in order.
pub(crate) fn big_sheet<'a>(wb: &'a mut Workbook, name: &str) -> &'a mut Worksheet {
    if wb.add_worksheet_with_constant_memory().is_err() {
        wb.add_worksheet();
    }
    let ws = wb
        .worksheets_mut()
        .last_mut()
        .expect("a worksheet was just added");
    ws.set_name(name).expect("valid sheet name");
    ws
}

/// A workbook whose document properties carry `date` as creation time, so that the same
/// inputs give the same bytes.
pub(crate) fn new_book(date: NaiveDate) -> Workbook {
    let mut wb = Workbook::new();
    let at = u16::try_from(date.year())
        .ok()
        .and_then(|y| ExcelDateTime::from_ymd(y, date.month() as u8, date.day() as u8).ok());
    if let Some(at) = at {
        wb.set_properties(&DocProperties::new().set_creation_datetime(&at));
    }
    wb
}

pub(crate) fn save(wb: &mut Workbook) -> Vec<u8> {
    wb.save_to_buffer()
        .expect("an in-memory workbook can be saved")
}

/// A date as text in BE `dd/mm/yyyy`, or `None` for an invalid YYYYMMDD.
fn be_text(yyyymmdd: i64) -> Option<(i64, String)> {
    naive(yyyymmdd).map(|d| (yyyymmdd, format_be_numeric(d)))
}

/// A date as text in CE `dd/mm/yyyy hh:mm:ss` (LGO files).
fn ce_text(yyyymmdd: i64, r: &mut ChaCha8Rng) -> Option<(i64, String)> {
    naive(yyyymmdd).map(|d| {
        let (h, m, s) = (
            r.random_range(0..24),
            r.random_range(0..60),
            r.random_range(0..60),
        );
        (
            yyyymmdd,
            format!("{} {h:02}:{m:02}:{s:02}", d.format("%d/%m/%Y")),
        )
    })
}

/// Lower (mostly) or higher amount than `claimed`, never equal.
pub(crate) fn differ(claimed: Satang, r: &mut ChaCha8Rng) -> Satang {
    let c = claimed.0;
    if c > 1 && r.random_range(0..100) < 80 {
        let pct = r.random_range(50..=99);
        let v = (i128::from(c) * pct / 100) as i64;
        Satang(if v == c { c - 1 } else { v })
    } else {
        let extra = (i128::from(c.max(0)) * i128::from(r.random_range(1..=30)) / 100) as i64;
        Satang(
            c.saturating_add(extra)
                .saturating_add(r.random_range(1..=99)),
        )
    }
}

/// The fund suffix of an LGO-family kind: LGO, BKK or BMT.
fn lgo_fund(kind: &str) -> &'static str {
    if kind.contains("BKK") {
        "BKK"
    } else if kind.contains("BMT") {
        "BMT"
    } else {
        "LGO"
    }
}

/// What the generator decided for one line, beyond the visit itself.
struct Decided {
    line: RepLine,
    name: String,
    right: String,
    date_in_text: String,
    date_out_text: String,
    ps: u32,
    deny_code: Option<String>,
    unit_part: Satang,
    drug_part: Satang,
}

/// Generates a REP workbook (.xlsx) for `visits`. `layout` should be
/// [`RepLayout::of_kind`]`(kind)`; kind `ORF` uses the ORF columns. `issued_yyyymmdd` is CE
/// (an invalid date falls back to 2025-01-01). Panics beyond a million lines (xlsx limit).
#[allow(clippy::too_many_arguments)]
pub fn write_rep(
    hcode: &str,
    kind: &str,
    layout: RepLayout,
    issued_yyyymmdd: i64,
    seq: u64,
    visits: &[ClaimedVisit],
    shares: &RepShares,
    seed: u64,
) -> GeneratedRep {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    let issued =
        naive(issued_yyyymmdd).unwrap_or(NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default());
    let kind = kind.to_ascii_uppercase();
    let doc_no = format!(
        "eclaim_{hcode}_{kind}_{}_{seq:09}",
        format_be_yyyymmdd(issued)
    );
    let file_name = format!("{doc_no}.xlsx");
    let rep_no = format!(
        "{:02}{:02}{:05}",
        (issued.year() + 543) % 100,
        issued.month(),
        seq % 100_000
    );
    let orf = kind == "ORF" && layout == RepLayout::Ucs;
    let mut tran: u64 = r.random_range(100_000_000..700_000_000);
    let mut decided = Vec::with_capacity(visits.len());
    let data_row0: u32 = if orf { 9 } else { 7 };
    for (i, v) in visits.iter().enumerate() {
        tran += r.random_range(1..=7);
        decided.push(decide(
            v, i, &kind, layout, orf, &rep_no, tran, data_row0, shares, &mut r,
        ));
    }
    let mut wb = new_book(issued);
    {
        let ws = big_sheet(&mut wb, "Detail");
        let hospital = format!("หน่วยบริการ {hcode} โรงพยาบาลตัวอย่าง");
        put_str(
            ws,
            0,
            0,
            &format!(
                "ออกรายงานวันที่ {} เวลา {:02}:{:02}",
                format_be_numeric(issued),
                r.random_range(8..21),
                r.random_range(0..60)
            ),
        );
        put_str(
            ws,
            1,
            0,
            &format!("สำนักงานหลักประกันสุขภาพแห่งชาติ เขต {}", r.random_range(1..=13)),
        );
        put_str(ws, 2, 0, "จังหวัด 9900 จังหวัดตัวอย่าง");
        put_str(ws, 3, 0, &hospital);
        put_str(ws, 4, 0, &format!("เลขที่เอกสาร {doc_no}"));
        if orf {
            put_str(ws, 5, 0, "ข้อมูลการรับส่งต่อผู้ป่วยนอกข้ามจังหวัด (OP Refer)");
        }
        let cols = match layout {
            RepLayout::Ucs if orf => layout::orf_columns(),
            RepLayout::Ucs => layout::ucs_columns(),
            RepLayout::Lgo => layout::lgo_columns(lgo_fund(&kind)),
            RepLayout::Sss => layout::sss_columns(),
        };
        put_columns(ws, data_row0 - 2, &cols);
        let named = NamedCols::new(&cols);
        for (i, d) in decided.iter().enumerate() {
            let row = data_row0 + i as u32;
            match layout {
                RepLayout::Ucs if orf => positional_row(ws, row, i, d, &layout::ORF, hcode),
                RepLayout::Ucs => positional_row(ws, row, i, d, &layout::UCS, hcode),
                RepLayout::Lgo => named_row(ws, row, i, d, &named, hcode, true),
                RepLayout::Sss => named_row(ws, row, i, d, &named, hcode, false),
            }
        }
    }
    summary_sheet(&mut wb, hcode, &rep_no, &decided);
    if kind.starts_with("IP") {
        deny_sheet(&mut wb, hcode, &decided);
    }
    for extra in ["Data Drug", "Data sheet 0"] {
        let ws = sheet_named(&mut wb, extra);
        put_str(ws, 0, 0, "TRAN_ID");
        put_str(ws, 0, 1, "HN");
    }
    GeneratedRep {
        file_name,
        bytes: save(&mut wb),
        lines: decided.into_iter().map(|d| d.line).collect(),
    }
}

#[allow(clippy::too_many_arguments)]
fn decide(
    v: &ClaimedVisit,
    i: usize,
    kind: &str,
    layout: RepLayout,
    orf: bool,
    rep_no: &str,
    tran: u64,
    data_row0: u32,
    shares: &RepShares,
    r: &mut ChaCha8Rng,
) -> Decided {
    let roll = r.random_range(0..100u32);
    let outcome = if roll < shares.deny_pct {
        Outcome::Deny
    } else if roll < shares.deny_pct.saturating_add(shares.corrective_pct) {
        Outcome::Corrective
    } else {
        Outcome::Accepted
    };
    let an = if orf {
        String::new()
    } else {
        v.an.trim().to_string()
    };
    let ip = !orf && (v.ip || !an.is_empty());
    let mut codes: Vec<String> = Vec::new();
    let mut expected = Satang::ZERO;
    let mut ps = 100;
    let mut late = false;
    let mut deny_code = None;
    match outcome {
        Outcome::Accepted => {
            expected = v.claimed;
            if r.random_range(0..100) < shares.paid_diff_pct {
                if v.claimed.0 > 1 && r.random_range(0..100) < 30 {
                    ps = [95, 90, 80][r.random_range(0..3)];
                    late = true;
                    expected = Satang((i128::from(v.claimed.0) * i128::from(ps) / 100) as i64);
                } else {
                    expected = differ(v.claimed, r);
                }
            }
            if r.random_range(0..100) < 3 {
                codes.push(V_CODES[r.random_range(0..V_CODES.len())].to_string());
            }
        }
        Outcome::Corrective => {
            let first = C_CODES[r.random_range(0..C_CODES.len())];
            codes.push(first.to_string());
            if r.random_range(0..100) < 10 {
                let second = C_CODES[r.random_range(0..C_CODES.len())];
                if second != first {
                    codes.push(second.to_string());
                }
            }
            late = codes.iter().any(|c| c == "998");
        }
        Outcome::Deny => {
            let list = if ip { D_CODES_IP } else { D_CODES_OP };
            let code = list[r.random_range(0..list.len())].to_string();
            codes.push(code.clone());
            deny_code = Some(code);
        }
    }
    let lgo_dates = layout == RepLayout::Lgo;
    let date = |d: i64, r: &mut ChaCha8Rng| if lgo_dates { ce_text(d, r) } else { be_text(d) };
    let (date_in, date_in_text) =
        date(v.date_in, r).map_or((None, "-".into()), |(d, t)| (Some(d), t));
    let (date_out, date_out_text) = if orf {
        (None, String::new())
    } else {
        date(v.date_out, r).map_or((None, "-".into()), |(d, t)| (Some(d), t))
    };
    let fund = match layout {
        RepLayout::Ucs if orf => String::new(),
        RepLayout::Ucs => (if ip { "IP" } else { "OP" }).to_string(),
        RepLayout::Lgo => format!("{}{}", if ip { "IP" } else { "OP" }, lgo_fund(kind)),
        RepLayout::Sss => Some(v.fund.trim())
            .filter(|f| !f.is_empty())
            .unwrap_or("SSS")
            .to_string(),
    };
    let unit_part =
        if layout == RepLayout::Ucs && !orf && expected.0 > 10 && r.random_range(0..10) == 0 {
            Satang(expected.0 * i64::from(r.random_range(1..=30u32)) / 100)
        } else {
            Satang::ZERO
        };
    let drug_part = Satang(
        (i128::from(v.claimed.0.max(0)) * i128::from(r.random_range(0..=40u32)) / 100) as i64,
    );
    let clean = |s: &str| {
        let t = s.trim();
        if t == "-" {
            String::new()
        } else {
            t.to_string()
        }
    };
    let seq_no = clean(&v.seq);
    let invoice_no = if seq_no.is_empty() {
        String::new()
    } else {
        format!("IV{seq_no}")
    };
    let line = RepLine {
        visit: LineVisit {
            row: data_row0 + i as u32 + 1,
            rep_no: rep_no.to_string(),
            tran_id: tran.to_string(),
            hn: clean(&v.hn),
            an,
            pid: clean(&v.pid),
            date_in,
            date_out,
            claimed: v.claimed,
            seq_no,
        },
        ip,
        expected,
        late,
        error_codes: codes,
        outcome,
        fund,
        invoice_no,
    };
    Decided {
        line,
        name: v.name.clone(),
        right: v.fund.clone(),
        date_in_text,
        date_out_text,
        ps,
        deny_code,
        unit_part,
        drug_part,
    }
}

fn codes_text(l: &RepLine) -> String {
    if l.error_codes.is_empty() {
        "-".into()
    } else {
        l.error_codes.join(",")
    }
}

/// A cell's text as NHSO writes it: `-` for nothing.
pub(crate) fn dash(s: &str) -> String {
    if s.is_empty() {
        "-".into()
    } else {
        s.to_string()
    }
}

/// UCS and ORF rows, by position.
fn positional_row(ws: &mut Worksheet, row: u32, i: usize, d: &Decided, p: &Positions, hcode: &str) {
    let l = &d.line;
    put_str(ws, row, p.rep_no, &l.visit.rep_no);
    put(ws, row, p.rep_no + 1, Cell::Num((i + 1) as f64));
    put_str(ws, row, p.tran_id, &l.visit.tran_id);
    put_str(ws, row, p.hn, &dash(&l.visit.hn));
    if let Some(c) = p.an {
        put_str(ws, row, c, &dash(&l.visit.an));
    }
    put_str(ws, row, p.pid, &l.visit.pid);
    put_str(ws, row, p.name, &d.name);
    if let Some(c) = p.ptype {
        put_str(ws, row, c, if l.ip { "IP" } else { "OP" });
    }
    put_str(ws, row, p.date_in, &d.date_in_text);
    if let Some(c) = p.date_out {
        put_str(ws, row, c, &d.date_out_text);
    }
    let unit = d.unit_part;
    put(ws, row, p.expected[0], baht(l.expected - unit));
    if let Some(&c) = p.expected.get(1) {
        put(ws, row, c, baht(unit));
    }
    put_str(ws, row, p.error, &codes_text(l));
    if let Some(c) = p.fund {
        put_str(ws, row, c, &l.fund);
        put_str(ws, row, c + 1, if l.ip { "IPINRGC" } else { "OPAE" });
    }
    if let Some(c) = p.right {
        put_str(ws, row, c, &d.right);
        put_str(ws, row, c + 3, hcode);
    }
    put(ws, row, p.claimed, baht(l.visit.claimed));
    if let Some((a, b)) = p.claimed_parts {
        put(ws, row, a, baht(l.visit.claimed - d.drug_part));
        put(ws, row, b, baht(d.drug_part));
    }
    if let Some(c) = p.late_flag {
        put_str(ws, row, c, if l.late { "Y" } else { "" });
    }
    if let Some(c) = p.ps {
        put(ws, row, c, Cell::Num(f64::from(d.ps)));
    }
    if l.ip && p.width == 120 {
        put_str(ws, row, 35, "06070");
        put(ws, row, 36, Cell::Num(0.9876));
        put(ws, row, 43, Cell::Num(8350.0));
        put(ws, row, 46, Cell::Num(1.0));
        put(ws, row, 49, baht(l.expected));
        put(ws, row, 53, baht(l.expected));
    }
    if let Some(code) = &d.deny_code {
        // Deny columns: UCS HC, AE, INST, IP, DMIS; ORF HC, AE, INST, DMIS.
        let at = if l.ip { 3 } else { 1 };
        put_str(ws, row, p.deny.start + at, code);
    }
    put_str(ws, row, p.seq_no, &l.visit.seq_no);
    put_str(ws, row, p.invoice_no, &l.invoice_no);
}

/// Column positions of the named layouts by heading (the first column of a heading).
struct NamedCols {
    idx: std::collections::HashMap<String, usize>,
    deny_start: Option<usize>,
    case_start: Option<usize>,
}

impl NamedCols {
    fn new(cols: &Columns) -> NamedCols {
        let mut idx = std::collections::HashMap::new();
        for (i, (h, _)) in cols.iter().enumerate() {
            idx.entry(h.to_string()).or_insert(i);
        }
        NamedCols {
            idx,
            deny_start: cols.iter().position(|(h, _)| h == "Deny"),
            case_start: cols.iter().position(|(h, _)| h == "กรณี"),
        }
    }

    fn at(&self, name: &str) -> Option<usize> {
        self.idx.get(name).copied()
    }
}

/// LGO/BKK/BMT and SSS rows, by header name.
fn named_row(
    ws: &mut Worksheet,
    row: u32,
    i: usize,
    d: &Decided,
    n: &NamedCols,
    hcode: &str,
    lgo: bool,
) {
    let l = &d.line;
    let mut s = |name: &str, v: Cell| {
        if let Some(c) = n.at(name) {
            put(ws, row, c, v);
        }
    };
    let st = |x: &str| Cell::Str(x.to_string());
    s(if lgo { "REP" } else { "REP No." }, st(&l.visit.rep_no));
    s("ลำดับที่", Cell::Num((i + 1) as f64));
    s("TRAN_ID", st(&l.visit.tran_id));
    s("HN", st(&dash(&l.visit.hn)));
    s("AN", st(&dash(&l.visit.an)));
    s("PID", st(&l.visit.pid));
    s(
        if lgo {
            "ชื่อ - สกุล"
        } else {
            "ชื่อ-สกุล"
        },
        st(&d.name),
    );
    s("ประเภทผู้ป่วย", st(if l.ip { "IP" } else { "OP" }));
    s("วันเข้ารักษา", st(&d.date_in_text));
    s("วันจำหน่าย", st(&d.date_out_text));
    s("Error Code", st(&codes_text(l)));
    s("HCODE", st(hcode));
    if lgo {
        s("ชดเชยสุทธิ", baht(l.expected));
        s("กองทุน", st(&l.fund));
        s("สิทธิหลัก", st(&d.right));
        let extra = Satang(l.visit.claimed.0.max(0) / 10);
        s(
            "เรียกเก็บ",
            baht(
                l.visit
                    .claimed
                    .checked_add(extra)
                    .unwrap_or(l.visit.claimed),
            ),
        );
        s("เบิกได้", baht(l.visit.claimed));
        s("เบิกไม่ได้", baht(extra));
        s("ล่าช้า (PS)", st(if l.late { "Y" } else { "" }));
        s("ล่าช้า (PS) เปอร์เซ็นต์", Cell::Num(f64::from(d.ps)));
    } else {
        s("สิทธิหลัก", st(&l.fund));
        s("กรณีที่เบิก", st(if l.ip { "IP" } else { "OP" }));
        s("ระยะเวลาส่งข้อมูล (PS)", Cell::Num(f64::from(d.ps)));
        s("ขอเบิกค่าบริการ", baht(l.visit.claimed));
        s(if l.ip { "IP" } else { "OP" }, baht(l.expected));
        s("รวมเงินค่าบริการทั้งหมด", baht(l.expected));
    }
    s("SEQ NO", st(&l.visit.seq_no));
    s("INVOICE NO", st(&l.invoice_no));
    // กรณี group (LGO): paid amount under IP{F} (first) or OP{F} (third).
    if let (true, Some(c)) = (lgo, n.case_start) {
        put(ws, row, c + if l.ip { 0 } else { 2 }, baht(l.expected));
    }
    if let (Some(code), Some(c)) = (&d.deny_code, n.deny_start) {
        // LGO Deny: IP{F}, OP{F}, …; SSS Deny: HC, AE, INST, IP, DMIS.
        let at = match (lgo, l.ip) {
            (true, true) => 0,
            (true, false) => 1,
            (false, true) => 3,
            (false, false) => 1,
        };
        put(ws, row, c + at, Cell::Str(code.clone()));
    }
}

fn summary_sheet(wb: &mut Workbook, hcode: &str, rep_no: &str, decided: &[Decided]) {
    let ws = sheet_named(wb, "Summary");
    let heads = [
        "งวด",
        "HCODE",
        "REP NO.",
        "จำนวนราย",
        "ผ่าน",
        "ไม่ผ่าน",
        "เรียกเก็บ",
        "ชดเชยทั้งสิ้น",
    ];
    for (c, h) in heads.iter().enumerate() {
        put_str(ws, 5, c, h);
    }
    let pass = decided
        .iter()
        .filter(|d| d.line.outcome == Outcome::Accepted)
        .count();
    let claimed: i128 = decided
        .iter()
        .map(|d| i128::from(d.line.visit.claimed.0))
        .sum();
    let paid: i128 = decided.iter().map(|d| i128::from(d.line.expected.0)).sum();
    put_str(ws, 7, 0, &rep_no[..4.min(rep_no.len())]);
    put_str(ws, 7, 1, hcode);
    put_str(ws, 7, 2, rep_no);
    put(ws, 7, 3, Cell::Num(decided.len() as f64));
    put(ws, 7, 4, Cell::Num(pass as f64));
    put(ws, 7, 5, Cell::Num((decided.len() - pass) as f64));
    put(ws, 7, 6, Cell::Num(claimed as f64 / 100.0));
    put(ws, 7, 7, Cell::Num(paid as f64 / 100.0));
}

fn deny_sheet(wb: &mut Workbook, hcode: &str, decided: &[Decided]) {
    let ws = sheet_named(wb, "Data DENY");
    let heads = [
        "TRAN_ID",
        "HCODE",
        "HN",
        "AN",
        "วันเข้ารักษา",
        "PID",
        "ชื่อ",
        "กองทุน",
        "รหัสเบิก",
        "หมวดค่าใช้จ่าย",
        "จำนวนขอเบิก",
        "DENY",
    ];
    for (c, h) in heads.iter().enumerate() {
        put_str(ws, 5, c, h);
    }
    for (row, d) in (7..).zip(decided.iter().filter(|d| d.deny_code.is_some())) {
        let l = &d.line;
        let cells = [
            Cell::Str(l.visit.tran_id.clone()),
            Cell::Str(hcode.to_string()),
            Cell::Str(l.visit.hn.clone()),
            Cell::Str(dash(&l.visit.an)),
            Cell::Str(d.date_in_text.clone()),
            Cell::Str(l.visit.pid.clone()),
            Cell::Str(d.name.clone()),
            Cell::Str("IPINRGR".into()),
            Cell::Str("IP01".into()),
            Cell::Str("ค่าห้องและค่าอาหาร".into()),
            baht(l.visit.claimed),
            Cell::Str(d.deny_code.clone().unwrap_or_default()),
        ];
        for (c, v) in cells.into_iter().enumerate() {
            put(ws, row, c, v);
        }
    }
}
