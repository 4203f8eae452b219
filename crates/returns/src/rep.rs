//! REP reader: the e-Claim "รายงานการรักษาผู้ป่วยของหน่วยบริการ" workbook, sheet `Detail`.

use calamine::DataRef;
use raidai_domain::money::Satang;

use crate::LineVisit;
use crate::cells::{self, Header};
use crate::codes::{CodeType, ErrorCodes};
use crate::error::{ReturnReject, ReturnsError};
use crate::layout::{self, Positions};
use crate::sheet::{self, Mode, Row, SheetRows, Top};

/// Column layout family of a REP Detail sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum RepLayout {
    /// UC (บัตรทอง) OP/IP/ORF and appeals: columns by position.
    Ucs,
    /// อปท. and the direct-billing schemes BKK/BMT: columns by header name.
    Lgo,
    /// ประกันสังคม: columns by header name.
    Sss,
}

impl RepLayout {
    /// The layout a REP TYPE (from the file name) uses.
    pub fn of_kind(kind: &str) -> RepLayout {
        let k = kind.to_ascii_uppercase();
        if k.contains("SSS") {
            RepLayout::Sss
        } else if k.contains("LGO") || k.contains("BKK") || k.contains("BMT") {
            RepLayout::Lgo
        } else {
            RepLayout::Ucs
        }
    }
}

/// What became of a claim line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Outcome {
    Accepted,
    Corrective,
    Deny,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Accepted => "accepted",
            Outcome::Corrective => "corrective",
            Outcome::Deny => "deny",
        }
    }

    /// The outcome rule: Deny if any Deny-type code (or a deny cell is set); else Corrective
    /// if any Corrective-type or unknown code; else Accepted (Verify codes alone are paid,
    /// subject to audit).
    pub fn classify(codes: &[String], deny_cell: bool, table: &ErrorCodes) -> Outcome {
        let kinds: Vec<Option<CodeType>> = codes.iter().map(|c| table.kind_of(c)).collect();
        if deny_cell || kinds.contains(&Some(CodeType::Deny)) {
            Outcome::Deny
        } else if kinds
            .iter()
            .any(|k| matches!(k, None | Some(CodeType::Corrective)))
        {
            Outcome::Corrective
        } else {
            Outcome::Accepted
        }
    }
}

/// Known REP TYPEs (DOMAIN §2.1).
pub const REP_KINDS: &[&str] = &[
    "OP",
    "IP",
    "ORF",
    "OPLGO",
    "IPLGO",
    "OPSSS",
    "IPSSS",
    "OPBKK",
    "IPBKK",
    "OPBMT",
    "IPBMT",
    "IP_APPEAL",
    "IP_APPEAL_NHSO",
    "OP_APPEAL",
    "OP_APPEAL_CD",
];

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RepHeader {
    /// Hospital code from the report header rows, equal to the one in the file name.
    pub hcode: String,
    /// File name without extension, e.g. `eclaim_10670_IP_25680122_205506156`.
    pub doc_no: String,
    /// TYPE from the file name: OP, IP, ORF, OPLGO, …, IP_APPEAL, OP_APPEAL_CD.
    pub kind: String,
    pub layout: RepLayout,
    /// The kind is an appeal (อุทธรณ์) file.
    pub appeal: bool,
    /// Issue date YYYYMMDD (CE) from "ออกรายงานวันที่ dd/mm/yyyy".
    pub issued: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RepLine {
    /// Where the line stands and the visit it names.
    #[serde(flatten)]
    pub visit: LineVisit,
    /// ประเภทผู้ป่วย IP, or an AN is given.
    pub ip: bool,
    /// ชดเชยสุทธิ: what the fund will pay.
    pub expected: Satang,
    /// Sent late: PS flag set, PS% below 100, or error 998.
    pub late: bool,
    pub error_codes: Vec<String>,
    pub outcome: Outcome,
    /// กองทุนหลัก / กองทุน (SSS: สิทธิหลัก).
    pub fund: String,
    pub invoice_no: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepFile {
    pub header: RepHeader,
    pub lines: Vec<RepLine>,
    pub rejects: Vec<ReturnReject>,
}

/// The parts of an e-Claim REP file name `eclaim_{HCODE}_{TYPE}_{YYYYMMDD BE}_{seq}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RepName {
    pub doc_no: String,
    pub hcode: String,
    pub kind: String,
}

pub(crate) fn parse_rep_name(name: &str) -> Option<RepName> {
    let doc = cells::strip_extension(name);
    let parts: Vec<&str> = doc.split('_').collect();
    if parts.len() < 5 || !parts[0].eq_ignore_ascii_case("eclaim") {
        return None;
    }
    let hcode = parts[1];
    let date = parts[parts.len() - 2];
    let seq = parts[parts.len() - 1];
    let kind = parts[2..parts.len() - 2].join("_").to_ascii_uppercase();
    let digits = cells::is_digits;
    if hcode.len() != 5 || !digits(hcode) || date.len() != 8 || !digits(date) || !digits(seq) {
        return None;
    }
    if !REP_KINDS.contains(&kind.as_str()) {
        return None;
    }
    Some(RepName {
        doc_no: doc.to_string(),
        hcode: hcode.to_string(),
        kind,
    })
}

/// Reads a REP workbook (.xls or .xlsx) classifying error codes with the built-in table.
/// Codes the table does not know are treated as Corrective: they still need fixing.
pub fn read_rep(file_name: &str, bytes: &[u8]) -> Result<RepFile, ReturnsError> {
    read_rep_with(file_name, bytes, ErrorCodes::builtin())
}

/// [`read_rep`] with a given error-code table (e.g. the builtin merged with a province's list).
pub fn read_rep_with(
    file_name: &str,
    bytes: &[u8],
    codes: &ErrorCodes,
) -> Result<RepFile, ReturnsError> {
    read_rep_mode(file_name, bytes, codes, Mode::Scan)
}

pub(crate) fn read_rep_mode(
    file_name: &str,
    bytes: &[u8],
    codes: &ErrorCodes,
    mode: Mode,
) -> Result<RepFile, ReturnsError> {
    sheet::with_sheet(file_name, bytes, &["Detail"], mode, |sheet_name, rows| {
        read_detail(file_name, sheet_name, rows, codes)
    })
}

/// Reads the Detail sheet: the top rows for the headers, then line after line.
fn read_detail(
    file_name: &str,
    sheet_name: &str,
    rows: &mut SheetRows<'_>,
    codes: &ErrorCodes,
) -> Result<RepFile, ReturnsError> {
    let top = Top::read(rows);
    let (hrow, hcol) = cells::line_header_row(&top, file_name, sheet_name)?;
    let name = parse_rep_name(file_name)
        .or_else(|| cells::find_doc_no(&top, hrow).and_then(|d| parse_rep_name(&d)))
        .ok_or_else(|| ReturnsError::UnknownFileName {
            file_name: file_name.to_string(),
            expected: "e-Claim REP",
            example: "eclaim_10670_IP_25680122_205506156.xls",
        })?;
    let hcode = cells::header_hcode(&top, hrow, file_name, &name.hcode)?;
    let layout = RepLayout::of_kind(&name.kind);
    let header = RepHeader {
        hcode,
        doc_no: name.doc_no,
        appeal: name.kind.contains("APPEAL"),
        layout,
        issued: cells::find_issued(&top, hrow),
        kind: name.kind,
    };
    let head = Header::read(&top, hrow, 2);
    let fields = match (layout, header.kind.as_str()) {
        (RepLayout::Ucs, "ORF") => Fields::positional(&layout::ORF, &top.row(hrow), hcol),
        (RepLayout::Ucs, _) => Fields::positional(&layout::UCS, &top.row(hrow), hcol),
        _ => Fields::named(&head).map_err(|column| ReturnsError::MissingColumn {
            file_name: file_name.to_string(),
            sheet: sheet_name.to_string(),
            column,
        })?,
    };
    let default_ip = header.kind.starts_with("IP");
    let mut lines = Vec::new();
    let mut rejects = Vec::new();
    let id_cols: Vec<usize> = [fields.tran_id, fields.hn, fields.pid]
        .into_iter()
        .flatten()
        .collect();
    cells::for_each_line_row(&top, rows, hrow, &id_cols, |row| {
        match fields.line(&row, sheet_name, &head, default_ip, codes) {
            Ok(line) => lines.push(line),
            Err(rej) => rejects.push(*rej),
        }
    });
    Ok(RepFile {
        header,
        lines,
        rejects,
    })
}

/// Where each field is, resolved for one sheet.
struct Fields {
    rep_no: Option<usize>,
    tran_id: Option<usize>,
    hn: Option<usize>,
    an: Option<usize>,
    pid: Option<usize>,
    ptype: Option<usize>,
    date_in: Option<usize>,
    date_out: Option<usize>,
    claimed: usize,
    expected: Vec<usize>,
    error: Option<usize>,
    fund: Vec<usize>,
    late_flag: Option<usize>,
    ps: Option<usize>,
    deny: Vec<usize>,
    seq_no: Option<usize>,
    invoice_no: Option<usize>,
}

impl Fields {
    /// A positional layout, shifted so that its TRAN_ID (or REP) column is where the header
    /// row has it.
    fn positional(p: &Positions, header_row: &Row<'_>, marker_col: usize) -> Fields {
        let tran_col =
            (0..header_row.end_col()).find(|&c| cells::key(&header_row.text(c)) == "tran_id");
        let base = match tran_col {
            Some(c) => c.saturating_sub(p.tran_id),
            None => marker_col.saturating_sub(p.rep_no),
        };
        let at = |c: usize| Some(base + c);
        Fields {
            rep_no: at(p.rep_no),
            tran_id: at(p.tran_id),
            hn: at(p.hn),
            an: p.an.and_then(at),
            pid: at(p.pid),
            ptype: p.ptype.and_then(at),
            date_in: at(p.date_in),
            date_out: p.date_out.and_then(at),
            claimed: base + p.claimed,
            expected: p.expected.iter().map(|c| base + c).collect(),
            error: at(p.error),
            fund: p.fund.into_iter().map(|c| base + c).collect(),
            late_flag: p.late_flag.and_then(at),
            ps: p.ps.and_then(at),
            deny: p.deny.clone().map(|c| base + c).collect(),
            seq_no: at(p.seq_no),
            invoice_no: at(p.invoice_no),
        }
    }

    /// LGO/BKK/BMT and SSS: by header name. Err names a missing required column.
    fn named(h: &Header) -> Result<Fields, String> {
        let tran_id = h.find(&["TRAN_ID", "TRANID"]);
        let hn = h.find(&["HN"]);
        if tran_id.is_none() && hn.is_none() {
            return Err("TRAN_ID".into());
        }
        let claimed = h
            .find(&["เบิกได้", "ขอเบิกค่าบริการ", "เรียกเก็บ", "ยอดเรียกเก็บ"])
            .ok_or("เบิกได้ / ขอเบิกค่าบริการ")?;
        let expected = h
            .find(&[
                "ชดเชยสุทธิ",
                "รวมเงินค่าบริการทั้งหมด",
                "ยอดชดเชยทั้งสิ้น",
                "ชดเชยสุทธิ (บาท)",
            ])
            .ok_or("ชดเชยสุทธิ / รวมเงินค่าบริการทั้งหมด")?;
        let fund = ["กองทุนหลัก", "กองทุน", "สิทธิหลัก"]
            .iter()
            .filter_map(|n| h.find(&[n]))
            .collect();
        Ok(Fields {
            rep_no: h.find(&["REP No.", "REP", "REP NO"]),
            tran_id,
            hn,
            an: h.find(&["AN"]),
            pid: h.find(&["PID", "เลขประจำตัวประชาชน"]),
            ptype: h.find(&["ประเภทผู้ป่วย"]),
            date_in: h.find(&["วันเข้ารักษา", "วันที่เข้ารักษา", "วันรับบริการ"]),
            date_out: h.find(&["วันจำหน่าย", "วันที่จำหน่าย"]),
            claimed,
            expected: vec![expected],
            error: h.find(&["Error Code", "ErrorCode"]),
            fund,
            late_flag: h.find(&["ล่าช้า (PS)"]),
            ps: h.find(&["ล่าช้า (PS) เปอร์เซ็นต์", "ระยะเวลาส่งข้อมูล (PS)", "PS"]),
            deny: h.group("Deny").map(|g| g.collect()).unwrap_or_default(),
            seq_no: h.find(&["SEQ NO", "SEQ"]),
            invoice_no: h.find(&["INVOICE NO"]),
        })
    }

    fn line(
        &self,
        row: &Row<'_>,
        sheet: &str,
        head: &Header,
        default_ip: bool,
        codes: &ErrorCodes,
    ) -> Result<RepLine, Box<ReturnReject>> {
        let id = |c: Option<usize>| c.map_or_else(String::new, |c| cells::id_text(row.cell(c)));
        let tran_id = id(self.tran_id);
        let hn = id(self.hn);
        if tran_id.is_empty() && hn.is_empty() {
            let c = self.tran_id.or(self.hn).unwrap_or(0);
            return Err(row.reject(
                sheet,
                c,
                &head.name(c, "TRAN_ID"),
                "line has neither TRAN_ID nor HN",
                "ไม่มีทั้ง TRAN_ID และ HN",
            ));
        }
        let money = |c: usize| -> Result<Satang, Box<ReturnReject>> {
            cells::amount(row.cell(c)).map_err(|why| {
                row.reject(sheet, c, &head.name(c, "amount"), why, "จำนวนเงินไม่ถูกต้อง")
            })
        };
        let day = |c: Option<usize>, label: &str| -> Result<Option<i64>, Box<ReturnReject>> {
            let Some(c) = c else { return Ok(None) };
            cells::date(row.cell(c)).map_err(|why| {
                row.reject(
                    sheet,
                    c,
                    &head.name(c, label),
                    why,
                    "วันที่ไม่ถูกต้อง (ต้องเป็น วว/ดด/ปปปป)",
                )
            })
        };
        let claimed = money(self.claimed)?;
        let mut expected = Satang::ZERO;
        for &c in &self.expected {
            expected = expected.checked_add(money(c)?).ok_or_else(|| {
                row.reject(
                    sheet,
                    c,
                    &head.name(c, "expected"),
                    "sum is too large",
                    "ผลรวมมากเกินไป",
                )
            })?;
        }
        let date_in = day(self.date_in, "วันเข้ารักษา")?;
        let date_out = day(self.date_out, "วันจำหน่าย")?;
        let mut error_codes = Vec::new();
        if let Some(c) = self.error {
            cells::split_codes(&row.text(c), &mut error_codes);
        }
        let mut deny_cell = false;
        for &c in &self.deny {
            let d = row.cell(c);
            let set = match d {
                DataRef::Int(i) => *i != 0,
                DataRef::Float(f) => *f != 0.0,
                _ => !cells::is_nothing(&cells::cell_text(d)),
            };
            if set {
                deny_cell = true;
                if matches!(d, DataRef::String(_) | DataRef::SharedString(_)) {
                    let t = cells::cell_text(d);
                    // A deny cell holds a code (e.g. G40), an amount, or a mark such as `C`
                    // whose meaning NHSO does not document; only codes are kept as codes.
                    if cells::decimal_text(&t).is_err() && t.len() > 1 {
                        cells::split_codes(&t, &mut error_codes);
                    }
                }
            }
        }
        let an = id(self.an);
        let ptype = id(self.ptype).to_ascii_uppercase();
        let ip = ptype == "IP" || !an.is_empty() || (ptype.is_empty() && default_ip);
        let late = self
            .late_flag
            .is_some_and(|c| cells::late_flag(row.cell(c)))
            || self.ps.is_some_and(|c| cells::ps_late(row.cell(c)))
            || error_codes.iter().any(|c| c == "998");
        let outcome = Outcome::classify(&error_codes, deny_cell, codes);
        let fund = self
            .fund
            .iter()
            .map(|&c| cells::id_text(row.cell(c)))
            .find(|f| !f.is_empty())
            .unwrap_or_default();
        Ok(RepLine {
            visit: LineVisit {
                row: row.index + 1,
                rep_no: id(self.rep_no),
                tran_id,
                hn,
                an,
                pid: id(self.pid),
                date_in,
                date_out,
                claimed,
                seq_no: id(self.seq_no),
            },
            ip,
            expected,
            late,
            error_codes,
            outcome,
            fund,
            invoice_no: id(self.invoice_no),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names() {
        let n = parse_rep_name("/tmp/eclaim_10670_IP_APPEAL_NHSO_25680122_205506156.XLS").unwrap();
        assert_eq!(n.kind, "IP_APPEAL_NHSO");
        assert_eq!(n.hcode, "10670");
        assert_eq!(n.doc_no, "eclaim_10670_IP_APPEAL_NHSO_25680122_205506156");
        assert!(parse_rep_name("eclaim_1067_IP_25680122_1.xls").is_none());
        assert!(parse_rep_name("eclaim_10670_XX_25680122_1.xls").is_none());
        assert!(parse_rep_name("STM_10670_IPUCS256811_01.xls").is_none());
        assert_eq!(RepLayout::of_kind("IPBMT"), RepLayout::Lgo);
        assert_eq!(RepLayout::of_kind("OPSSS"), RepLayout::Sss);
        assert_eq!(RepLayout::of_kind("OP_APPEAL_CD"), RepLayout::Ucs);
    }
}
