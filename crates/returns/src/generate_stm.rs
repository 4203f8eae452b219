//! Synthetic STM statements: the NHSO workbook and the CHI/สกส. XML form.

use std::fmt::Write as _;

use raidai_domain::calendar::format_be_numeric;
use raidai_domain::money::Satang;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::LineVisit;
use crate::cells::naive;
use crate::generate::{
    Cell, baht, big_sheet, dash, differ, new_book, put, put_columns, put_str, save, sheet_named,
};
use crate::layout::{self, position};
use crate::rep::RepLine;
use crate::stm::StmLine;

/// A generated statement and the lines a reader must give back for it.
#[derive(Debug, Clone)]
pub struct GeneratedStm {
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub lines: Vec<StmLine>,
}

const FIRST: &[&str] = &[
    "สมชาย",
    "สมหญิง",
    "อรุณ",
    "มาลี",
    "ประยูร",
    "วันดี",
    "สุดา",
    "บุญมา",
];
const LAST: &[&str] = &["ใจดี", "มีสุข", "ทองคำ", "แสงทอง", "ศรีสุข", "บุญเรือง"];

/// A synthetic display name for a patient line (statements carry names; RepLine does not).
fn name_for(i: usize, r: &mut ChaCha8Rng) -> String {
    let title = if i.is_multiple_of(2) {
        "นาย"
    } else {
        "นาง"
    };
    format!(
        "{title}{} {}",
        FIRST[r.random_range(0..FIRST.len())],
        LAST[r.random_range(0..LAST.len())]
    )
}

/// Paid amount for a line: the expected payment, or for `paid_diff_pct` percent of lines a
/// different one (mostly lower).
fn paid_for(l: &RepLine, paid_diff_pct: u32, r: &mut ChaCha8Rng) -> Satang {
    if r.random_range(0..100) < paid_diff_pct {
        differ(l.expected, r)
    } else {
        l.expected
    }
}

/// Issue date of a statement: the 10th of the month after the period (YYYYMM BE).
fn issue_of(period_be: &str) -> Option<chrono::NaiveDate> {
    let p: i64 = period_be.parse().ok()?;
    let (y, m) = (p / 100 - 543, p % 100);
    let (y, m) = if m >= 12 { (y + 1, 1) } else { (y, m + 1) };
    naive(y * 10_000 + m * 100 + 10)
}

/// Generates an NHSO STM workbook (.xlsx) paying `lines` (normally the accepted lines of REP
/// files): `STM_{hcode}_{IP|OP}{fund}{period_be}_{seq:02}.xlsx` with sheets รายงานพึงรับ,
/// รายงานสรุป, รายละเอียด (and ผู้พิการ D1 for OP). Panics beyond a million lines (xlsx limit).
#[allow(clippy::too_many_arguments)]
pub fn write_stm(
    hcode: &str,
    fund: &str,
    ip: bool,
    period_be: &str,
    seq: u32,
    lines: &[RepLine],
    seed: u64,
    paid_diff_pct: u32,
) -> GeneratedStm {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    let io = if ip { "IP" } else { "OP" };
    let doc_no = format!("{hcode}_{io}{fund}{period_be}_{seq:02}");
    let file_name = format!("STM_{doc_no}.xlsx");
    let cols = layout::stm_columns();
    const DATA_ROW0: u32 = 10;
    let out: Vec<StmLine> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| StmLine {
            visit: LineVisit {
                row: DATA_ROW0 + i as u32 + 1,
                ..l.visit.clone()
            },
            paid: paid_for(l, paid_diff_pct, &mut r),
        })
        .collect();
    let issue = issue_of(period_be).map_or_else(|| "-".to_string(), format_be_numeric);
    let mut wb = new_book(issue_of(period_be).unwrap_or_default());
    let header_rows = |ws: &mut rust_xlsxwriter::Worksheet, title: &str| {
        put_str(ws, 0, 0, title);
        put_str(ws, 1, 0, &format!("ออกรายงานวันที่ {issue} เวลา 09:30"));
        put_str(ws, 2, 0, &format!("งวด {period_be} กองทุน {fund} ({io})"));
        put_str(ws, 3, 0, &format!("โรงพยาบาล {hcode} โรงพยาบาลตัวอย่าง"));
        put_str(ws, 4, 0, "จังหวัด 9900 จังหวัดตัวอย่าง");
        put_str(ws, 6, 0, &format!("เลขที่เอกสาร {doc_no}"));
    };
    let total_paid: i128 = out.iter().map(|l| i128::from(l.paid.0)).sum();
    {
        let ws = sheet_named(&mut wb, "รายงานพึงรับ");
        header_rows(ws, "รายงานพึงรับ");
        put_str(ws, 8, 0, "รายการ");
        put_str(ws, 8, 1, "จำนวนราย");
        put_str(ws, 8, 2, "ยอดชดเชยทั้งสิ้น");
        put_str(ws, 9, 0, &format!("{io} {fund}"));
        put(ws, 9, 1, Cell::Num(out.len() as f64));
        put(ws, 9, 2, Cell::Num(total_paid as f64 / 100.0));
    }
    {
        let ws = sheet_named(&mut wb, "รายงานสรุป");
        header_rows(ws, "รายงานสรุป");
        for (c, h) in ["REP No.", "period", "จำนวนราย", "เรียกเก็บ", "ยอดชดเชยทั้งสิ้น"]
            .iter()
            .enumerate()
        {
            put_str(ws, 8, c, h);
        }
        let mut reps: Vec<(String, usize, i128, i128)> = Vec::new();
        for l in &out {
            match reps.iter_mut().find(|x| x.0 == l.visit.rep_no) {
                Some(x) => {
                    x.1 += 1;
                    x.2 += i128::from(l.visit.claimed.0);
                    x.3 += i128::from(l.paid.0);
                }
                None => reps.push((
                    l.visit.rep_no.clone(),
                    1,
                    l.visit.claimed.0.into(),
                    l.paid.0.into(),
                )),
            }
        }
        for (i, (rep, n, c, p)) in reps.iter().enumerate() {
            let row = 9 + i as u32;
            put_str(ws, row, 0, rep);
            put_str(
                ws,
                row,
                1,
                &format!("{}_{io}_{seq:02}", &period_be[2.min(period_be.len())..]),
            );
            put(ws, row, 2, Cell::Num(*n as f64));
            put(ws, row, 3, Cell::Num(*c as f64 / 100.0));
            put(ws, row, 4, Cell::Num(*p as f64 / 100.0));
        }
    }
    {
        let ws = big_sheet(&mut wb, "รายละเอียด");
        header_rows(ws, "รายงานรายละเอียดการจ่ายชดเชย");
        put_columns(ws, DATA_ROW0 - 2, &cols);
        let at = |h: &str| position(&cols, h);
        let (c_rep, c_no, c_tran, c_hn, c_an, c_pid, c_name) = (
            at("REP No."),
            at("ลำดับ"),
            at("TRAN_ID"),
            at("HN"),
            at("AN"),
            at("PID"),
            at("ชื่อ-สกุล"),
        );
        let (c_in, c_out, c_ins, c_claim, c_ps) = (
            at("วันเข้ารักษา"),
            at("วันจำหน่าย"),
            at("MAININSCL"),
            at("เรียกเก็บ"),
            at("ล่าช้า (PS)"),
        );
        let (c_ip, c_op, c_paid, c_src, c_seq) = (
            at("พึงรับ IP"),
            at("พึงรับ OP"),
            at("ยอดชดเชยทั้งสิ้น"),
            at("แหล่งข้อมูล"),
            at("SEQ NO"),
        );
        let date = |d: Option<i64>| {
            d.and_then(naive)
                .map_or_else(|| "-".to_string(), format_be_numeric)
        };
        for (i, l) in out.iter().enumerate() {
            let row = DATA_ROW0 + i as u32;
            put_str(ws, row, c_rep, &l.visit.rep_no);
            put(ws, row, c_no, Cell::Num((i + 1) as f64));
            put_str(ws, row, c_tran, &l.visit.tran_id);
            put_str(ws, row, c_hn, &dash(&l.visit.hn));
            put_str(ws, row, c_an, &dash(&l.visit.an));
            put_str(ws, row, c_pid, &l.visit.pid);
            put_str(ws, row, c_name, &name_for(i, &mut r));
            put_str(ws, row, c_in, &date(l.visit.date_in));
            put_str(ws, row, c_out, &date(l.visit.date_out));
            put_str(ws, row, c_ins, fund);
            put(ws, row, c_claim, baht(l.visit.claimed));
            put(ws, row, c_ps, Cell::Num(100.0));
            if ip {
                put(ws, row, c_ip, baht(l.paid));
                put(ws, row, c_ip + 1, baht(l.paid));
            } else {
                put(ws, row, c_op, baht(l.paid));
            }
            put(ws, row, c_paid, baht(l.paid));
            put_str(
                ws,
                row,
                c_src,
                if i % 3 == 0 { "FDH" } else { "ECLAIM-ONLINE" },
            );
            put_str(ws, row, c_seq, &l.visit.seq_no);
        }
    }
    if !ip {
        let ws = sheet_named(&mut wb, "ผู้พิการ D1");
        header_rows(ws, "ผู้พิการ D1");
        put_str(ws, 8, 0, "TRAN_ID");
    }
    GeneratedStm {
        file_name,
        bytes: save(&mut wb),
        lines: out,
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Generates a CHI/สกส. XML statement (`STMSTMP`, UTF-8) for `lines`:
/// `{hcode}_{account}STMP_{YYYYMM CE}.xml`. Each bill's `rid` becomes the line's REP No.,
/// `invno` its SEQ NO (a line without SEQ NO gets a synthetic one), `total` both claimed
/// and paid; XML statements carry no TRAN_ID.
pub fn write_stm_xml(
    hcode: &str,
    account: &str,
    ip: bool,
    period_be: &str,
    lines: &[RepLine],
    seed: u64,
    paid_diff_pct: u32,
) -> GeneratedStm {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    let period_ce = period_be
        .parse::<i64>()
        .map_or_else(|_| period_be.to_string(), |p| (p - 54_300).to_string());
    let doc = format!("{hcode}_{account}STMP_{period_ce}");
    let io = if ip { "IP" } else { "OP" };
    let rid = r.random_range(7_000_000..8_000_000u32).to_string();
    let mut out = Vec::with_capacity(lines.len());
    let mut bills = String::new();
    // Line numbers of the TBill elements, relative to the first; the header is added below.
    let mut line_no: u32 = 0;
    let total: i128 = {
        let mut t = 0i128;
        for (i, l) in lines.iter().enumerate() {
            let paid = paid_for(l, paid_diff_pct, &mut r);
            t += i128::from(paid.0);
            let invno = if l.visit.seq_no.is_empty() {
                format!("{}{:06}", &period_ce[2.min(period_ce.len())..], i + 1)
            } else {
                l.visit.seq_no.clone()
            };
            let date = l.visit.date_in.and_then(naive);
            let dttran = date.map(|d| {
                format!(
                    "<dttran>{}T{:02}:{:02}:00</dttran>\n",
                    d.format("%Y-%m-%d"),
                    r.random_range(7..20),
                    r.random_range(0..60)
                )
            });
            out.push(StmLine {
                visit: LineVisit {
                    row: line_no,
                    rep_no: rid.clone(),
                    tran_id: String::new(),
                    hn: l.visit.hn.clone(),
                    an: l.visit.an.clone(),
                    pid: l.visit.pid.clone(),
                    date_in: date.map(|_| l.visit.date_in.unwrap_or_default()),
                    date_out: date.map(|_| l.visit.date_in.unwrap_or_default()),
                    claimed: paid,
                    seq_no: invno.clone(),
                },
                paid,
            });
            let an = if l.visit.an.is_empty() {
                String::new()
            } else {
                format!("<an>{}</an>\n", esc(&l.visit.an))
            };
            let dt = dttran.unwrap_or_default();
            let body = format!(
                "<TBill>\n<sys id = \"{}\">{io}</sys>\n<station>01</station>\n<hmain>{hcode}</hmain>\n<hproc>{hcode}</hproc>\n<hcare>{hcode}</hcare>\n<hn>{}</hn>\n{an}<pid>{}</pid>\n<name>{}</name>\n<invno>{}</invno>\n<bf>Y</bf>\n<pcode>0</pcode>\n<care>M</care>\n<payplan>80</payplan>\n<bp>S</bp>\n{dt}<copay/>\n<cfh/>\n<total>{}00</total>\n<ExtP/>\n<rid>{rid}</rid>\n<cstat/>\n</TBill>\n",
                i + 1,
                esc(&l.visit.hn),
                esc(&l.visit.pid),
                esc(&name_for(i, &mut r)),
                esc(&invno),
                paid,
            );
            line_no += body.bytes().filter(|&b| b == b'\n').count() as u32;
            bills.push_str(&body);
        }
        t
    };
    let amount = format!("{}00", Satang(i64::try_from(total).unwrap_or(i64::MAX)));
    let mut xml = String::new();
    let _ = write!(
        xml,
        "<?xml version = \"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<?xml-stylesheet type=\"text/xsl\" href=\"{account}STMP.xsl\"?>\n\
<STMSTMP>\n\
<stmAccountID>{account}</stmAccountID>\n\
<hcode>{hcode}</hcode>\n\
<hname>โรงพยาบาลตัวอย่าง</hname>\n\
<AccPeriod desc = \"\">{period_ce}</AccPeriod>\n\
<STMdoc desc = \"\">{doc}</STMdoc>\n\
<dateStart>-</dateStart>\n\
<dateEnd>-</dateEnd>\n\
<dateDue>-</dateDue>\n\
<dateIssue>-</dateIssue>\n\
<acount>{}</acount>\n\
<amount>{amount}</amount>\n\
<thamount>{}</thamount>\n\
<gst>1</gst>\n\
<STMdat code =\"{io}\" name = 'รายการผู้ป่วย' desc1 ='' desc = '' >\n\
<Gtotal>{amount}</Gtotal>\n\
</STMdat>\n\
<TBills code ='{io}'>\n\
<ST name = \"01\" Tcase = \"{}\" Tamt = \"{amount}\" Hcase = \"0\" Hamt = \"0.0000\" >\n\
<HG hc = \"{hcode}\" hm = \"{hcode}\" case = \"{}\"  flg = \"N\">\n",
        lines.len(),
        Satang(i64::try_from(total).unwrap_or(i64::MAX)).baht_text(),
        lines.len(),
        lines.len(),
    );
    let first_bill = xml.bytes().filter(|&b| b == b'\n').count() as u32 + 1;
    for l in &mut out {
        l.visit.row += first_bill;
    }
    xml.push_str(&bills);
    xml.push_str("</HG>\n</ST>\n</TBills>\n</STMSTMP>\n");
    GeneratedStm {
        file_name: format!("{doc}.xml"),
        bytes: xml.into_bytes(),
        lines: out,
    }
}
