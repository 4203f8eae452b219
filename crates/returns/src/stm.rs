//! STM (Statement) readers: the NHSO e-Claim statement workbook (sheet รายละเอียด) and the
//! CHI/สกส. XML statement (`STMSTMP`, `TBills/HG/TBill`).

use quick_xml::events::Event;
use raidai_domain::money::Satang;

use crate::LineVisit;
use crate::cells::{self, Header};
use crate::error::{ReturnReject, ReturnsError};
use crate::sheet::{self, Mode, SheetRows, Top};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StmHeader {
    /// Hospital code, from the report header and checked against the file name.
    pub hcode: String,
    /// File name without extension (XML: the `STMdoc` element when present).
    pub doc_no: String,
    pub ip: bool,
    /// UCS | OFC | SSS | LGO from the file name; for an XML statement the account id
    /// (`stmAccountID`, e.g. SOGN) because the sources do not say which right each id is.
    pub fund: String,
    /// Period YYYYMM in BE, e.g. 256811 (an XML `AccPeriod` in CE is converted).
    pub period: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StmLine {
    /// Where the line stands and the visit it names (XML: the line of the `<TBill>` element;
    /// REP No. from `rid`, no TRAN_ID, SEQ NO from `invno`, claimed = `total`).
    #[serde(flatten)]
    pub visit: LineVisit,
    /// ยอดชดเชยทั้งสิ้น (XML: `total`).
    pub paid: Satang,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StmFile {
    pub header: StmHeader,
    pub lines: Vec<StmLine>,
    pub rejects: Vec<ReturnReject>,
}

/// `STM_{HCODE}_{IP|OP}{UCS|OFC|SSS|LGO|…}{YYYYMM BE}_{seq}` or the document number
/// `{HCODE}_{IP|OP}{FUND}{YYYYMM}_{seq}` printed in the header.
fn parse_stm_name(name: &str) -> Option<(String, StmHeader)> {
    let doc = cells::strip_extension(name);
    let rest = doc
        .strip_prefix("STM_")
        .or_else(|| doc.strip_prefix("stm_"))
        .unwrap_or(doc);
    let parts: Vec<&str> = rest.split('_').collect();
    if parts.len() != 3 {
        return None;
    }
    let (hcode, mid, seq) = (parts[0], parts[1], parts[2]);
    let digits = cells::is_digits;
    if hcode.len() != 5 || !digits(hcode) || !digits(seq) || mid.len() != 11 || !mid.is_ascii() {
        return None;
    }
    let ip = match &mid[..2] {
        "IP" => true,
        "OP" => false,
        _ => return None,
    };
    let fund = &mid[2..5];
    let period = &mid[5..];
    // DOMAIN names UCS, OFC, SSS and LGO; other three-letter funds (BKK, BMT) are accepted.
    if !fund.bytes().all(|b| b.is_ascii_uppercase()) || !digits(period) {
        return None;
    }
    Some((
        hcode.to_string(),
        StmHeader {
            hcode: hcode.to_string(),
            doc_no: doc.to_string(),
            ip,
            fund: fund.to_string(),
            period: period.to_string(),
        },
    ))
}

/// Reads a statement: an STM workbook (.xls/.xlsx, sheet รายละเอียด) or a CHI/สกส. XML statement.
pub fn read_stm(file_name: &str, bytes: &[u8]) -> Result<StmFile, ReturnsError> {
    let head = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = head.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'<') {
        return read_stm_xml(file_name, bytes);
    }
    read_stm_book(file_name, bytes, Mode::Scan)
}

pub(crate) fn read_stm_book(
    file_name: &str,
    bytes: &[u8],
    mode: Mode,
) -> Result<StmFile, ReturnsError> {
    let wanted = ["รายละเอียด", "Detail"];
    sheet::with_sheet(file_name, bytes, &wanted, mode, |sheet_name, rows| {
        read_statement_sheet(file_name, sheet_name, rows)
    })
}

/// Reads the รายละเอียด sheet: the top rows for the headers, then line after line.
fn read_statement_sheet(
    file_name: &str,
    sheet_name: &str,
    rows: &mut SheetRows<'_>,
) -> Result<StmFile, ReturnsError> {
    let top = Top::read(rows);
    let (hrow, _) = cells::line_header_row(&top, file_name, sheet_name)?;
    let (name_hcode, mut header) = parse_stm_name(file_name)
        .or_else(|| cells::find_doc_no(&top, hrow).and_then(|d| parse_stm_name(&d)))
        .ok_or_else(|| ReturnsError::UnknownFileName {
            file_name: file_name.to_string(),
            expected: "STM statement",
            example: "STM_10670_IPUCS256811_01.xls",
        })?;
    header.hcode = cells::header_hcode(&top, hrow, file_name, &name_hcode)?;
    let h = Header::read(&top, hrow, 2);
    let missing = |column: &str| ReturnsError::MissingColumn {
        file_name: file_name.to_string(),
        sheet: sheet_name.to_string(),
        column: column.to_string(),
    };
    let tran = h.find(&["TRAN_ID", "TRANID"]);
    let hn = h.find(&["HN"]);
    if tran.is_none() && hn.is_none() {
        return Err(missing("TRAN_ID"));
    }
    let claimed = h
        .find(&["เรียกเก็บ", "ยอดเรียกเก็บ"])
        .ok_or_else(|| missing("เรียกเก็บ"))?;
    let paid = h
        .find(&["ยอดชดเชยทั้งสิ้น", "ชดเชยทั้งสิ้น", "รวมชดเชย"])
        .ok_or_else(|| missing("ยอดชดเชยทั้งสิ้น"))?;
    let rep = h.find(&["REP No.", "REP", "REP NO"]);
    let an = h.find(&["AN"]);
    let pid = h.find(&["PID"]);
    let din = h.find(&["วันเข้ารักษา", "วันที่เข้ารักษา", "date_admit"]);
    let dout = h.find(&["วันจำหน่าย", "วันที่จำหน่าย", "date_discharge"]);
    let seq = h.find(&["SEQ NO", "SEQ"]);
    let id_cols: Vec<usize> = [tran, hn, pid].into_iter().flatten().collect();
    let mut lines = Vec::new();
    let mut rejects = Vec::new();
    cells::for_each_line_row(&top, rows, hrow, &id_cols, |row| {
        let id = |c: Option<usize>| c.map_or_else(String::new, |c| cells::id_text(row.cell(c)));
        let (tran_id, hn_v) = (id(tran), id(hn));
        if tran_id.is_empty() && hn_v.is_empty() {
            let c = tran.or(hn).unwrap_or(0);
            rejects.push(*row.reject(
                sheet_name,
                c,
                &h.name(c, "TRAN_ID"),
                "line has neither TRAN_ID nor HN",
                "ไม่มีทั้ง TRAN_ID และ HN",
            ));
            return;
        }
        let money = |c: usize| {
            cells::amount(row.cell(c)).map_err(|why| {
                row.reject(sheet_name, c, &h.name(c, "amount"), why, "จำนวนเงินไม่ถูกต้อง")
            })
        };
        let day = |c: Option<usize>| -> Result<Option<i64>, Box<ReturnReject>> {
            let Some(c) = c else { return Ok(None) };
            cells::date(row.cell(c)).map_err(|why| {
                row.reject(
                    sheet_name,
                    c,
                    &h.name(c, "date"),
                    why,
                    "วันที่ไม่ถูกต้อง (ต้องเป็น วว/ดด/ปปปป)",
                )
            })
        };
        let parsed = (|| -> Result<StmLine, Box<ReturnReject>> {
            Ok(StmLine {
                visit: LineVisit {
                    row: row.index + 1,
                    rep_no: id(rep),
                    tran_id: tran_id.clone(),
                    hn: hn_v.clone(),
                    an: id(an),
                    pid: id(pid),
                    date_in: day(din)?,
                    date_out: day(dout)?,
                    claimed: money(claimed)?,
                    seq_no: id(seq),
                },
                paid: money(paid)?,
            })
        })();
        match parsed {
            Ok(l) => lines.push(l),
            Err(e) => rejects.push(*e),
        }
    });
    Ok(StmFile {
        header,
        lines,
        rejects,
    })
}

/// Decodes an XML document declared as TIS-620/windows-874, else UTF-8 (lossy).
fn decode_xml(bytes: &[u8]) -> String {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).to_ascii_lowercase();
    if head.contains("tis-620") || head.contains("windows-874") || head.contains("tis620") {
        let (text, _, _) = encoding_rs::WINDOWS_874.decode(bytes);
        return text.into_owned();
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    String::from_utf8_lossy(bytes).into_owned()
}

#[derive(Default)]
struct Bill {
    line: u32,
    fields: Vec<(String, String)>,
}

impl Bill {
    fn get(&self, name: &str) -> String {
        self.fields
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    }
}

fn read_stm_xml(file_name: &str, bytes: &[u8]) -> Result<StmFile, ReturnsError> {
    let text = decode_xml(bytes);
    let bad = |detail: String| ReturnsError::BadXml {
        file_name: file_name.to_string(),
        detail,
    };
    let mut reader = quick_xml::Reader::from_str(&text);
    let mut path: Vec<String> = Vec::new();
    let mut top: Vec<(String, String)> = Vec::new();
    let mut bills: Vec<Bill> = Vec::new();
    let mut current: Option<Bill> = None;
    let mut tbills_code = String::new();
    let mut root = String::new();
    let mut value = String::new();
    loop {
        let pos = reader.buffer_position() as usize;
        let ev = reader
            .read_event()
            .map_err(|e| bad(format!("at byte {}: {e}", reader.error_position())))?;
        match ev {
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                if path.is_empty() {
                    root = name.clone();
                }
                if name.eq_ignore_ascii_case("TBills") {
                    for a in e.attributes().flatten() {
                        if a.key.as_ref().eq_ignore_ascii_case(b"code") {
                            tbills_code = String::from_utf8_lossy(&a.value).trim().to_string();
                        }
                    }
                }
                if name.eq_ignore_ascii_case("TBill") {
                    let line = text[..pos.min(text.len())]
                        .bytes()
                        .filter(|&b| b == b'\n')
                        .count();
                    current = Some(Bill {
                        line: u32::try_from(line + 1).unwrap_or(u32::MAX),
                        fields: Vec::new(),
                    });
                }
                path.push(name);
                value.clear();
            }
            Event::Text(t) => value.push_str(&t.decode().map_err(|e| bad(e.to_string()))?),
            Event::GeneralRef(r) => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    value.push(c);
                } else {
                    let name = r.decode().map_err(|e| bad(e.to_string()))?;
                    let s = format!("&{name};");
                    value.push_str(&quick_xml::escape::unescape(&s).unwrap_or_default());
                }
            }
            Event::CData(t) => value.push_str(&String::from_utf8_lossy(&t)),
            Event::End(_) => {
                let name = path.pop().unwrap_or_default();
                if name.eq_ignore_ascii_case("TBill") {
                    bills.extend(current.take());
                } else if let Some(b) = current.as_mut() {
                    b.fields.push((name, value.trim().to_string()));
                } else if path.len() == 1 {
                    top.push((name, value.trim().to_string()));
                }
                value.clear();
            }
            Event::Empty(e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                if let Some(b) = current.as_mut() {
                    b.fields.push((name, String::new()));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !root.to_ascii_uppercase().starts_with("STM") {
        return Err(bad(format!(
            "root element is <{root}>, not a statement (STMSTMP/STMSUMP)"
        )));
    }
    let get = |n: &str| {
        top.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(n))
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let hcode = get("hcode");
    if hcode.is_empty() {
        return Err(ReturnsError::MissingHospitalCode {
            file_name: file_name.to_string(),
        });
    }
    let doc_no = Some(get("STMdoc"))
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| cells::strip_extension(file_name).to_string());
    // `{HCODE}_…` file names carry the hospital too.
    let base = cells::strip_extension(file_name);
    if let Some(name_hcode) = base
        .split('_')
        .next()
        .filter(|p| p.len() == 5 && p.bytes().all(|b| b.is_ascii_digit()))
        .filter(|p| *p != hcode)
    {
        return Err(ReturnsError::HospitalMismatch {
            file_name: file_name.to_string(),
            name_hcode: name_hcode.to_string(),
            header_hcode: hcode,
        });
    }
    let period = get("AccPeriod");
    let period = match period.parse::<i64>() {
        Ok(p) if (190_001..=240_012).contains(&p) => (p + 54_300).to_string(),
        _ => period,
    };
    let mut ip = tbills_code.eq_ignore_ascii_case("IP");
    let mut lines = Vec::new();
    let mut rejects = Vec::new();
    for b in &bills {
        ip |= b.get("sys").eq_ignore_ascii_case("IP");
        let reject = |field: &str, message: &str, th: &str| ReturnReject {
            sheet: "XML".into(),
            row: b.line,
            field: field.into(),
            value: b.get(field),
            message: message.into(),
            message_th: th.into(),
        };
        let (hn, invno) = (b.get("hn"), b.get("invno"));
        if hn.is_empty() && invno.is_empty() {
            rejects.push(reject(
                "hn",
                "bill has neither hn nor invno",
                "ไม่มีทั้ง hn และ invno",
            ));
            continue;
        }
        let total = match cells::decimal_text(&b.get("total")) {
            Ok(t) => t,
            Err(why) => {
                rejects.push(reject("total", why, "จำนวนเงินไม่ถูกต้อง"));
                continue;
            }
        };
        let dttran = b.get("dttran");
        let date = if dttran.is_empty() {
            None
        } else if let Some(d) = cells::text_date(&dttran) {
            Some(d)
        } else {
            rejects.push(reject("dttran", "not a date", "วันที่ไม่ถูกต้อง"));
            continue;
        };
        lines.push(StmLine {
            visit: LineVisit {
                row: b.line,
                rep_no: b.get("rid"),
                tran_id: String::new(),
                hn,
                an: b.get("an"),
                pid: b.get("pid"),
                date_in: date,
                date_out: date,
                claimed: total,
                seq_no: invno,
            },
            paid: total,
        });
    }
    Ok(StmFile {
        header: StmHeader {
            hcode,
            doc_no,
            ip,
            fund: get("stmAccountID"),
            period,
        },
        lines,
        rejects,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stm_names() {
        let (h, s) = parse_stm_name("STM_10670_IPUCS256811_01.xls").unwrap();
        assert_eq!(h, "10670");
        assert!(s.ip);
        assert_eq!(s.fund, "UCS");
        assert_eq!(s.period, "256811");
        assert_eq!(s.doc_no, "STM_10670_IPUCS256811_01");
        assert!(parse_stm_name("10670_OPLGO256901_02").is_some());
        assert!(parse_stm_name("STM_10670_XPUCS256811_01.xls").is_none());
        assert!(parse_stm_name("STM_10670_IPUc5256811_01.xls").is_none());
        assert_eq!(
            parse_stm_name("STM_10670_OPBKK256811_123.xlsx")
                .unwrap()
                .1
                .fund,
            "BKK"
        );
    }
}
