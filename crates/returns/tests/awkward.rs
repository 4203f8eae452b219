//! Hand-built sheets with the irregularities real files have.

// Dates are written YYYY_MM_DD.
#![allow(clippy::inconsistent_digit_grouping)]

use raidai_returns::{
    ErrorCodes, Outcome, ReturnsError, Satang, read_rep, read_rep_with, read_stm,
};
use rust_xlsxwriter::{Workbook, Worksheet};

enum V {
    S(&'static str),
    N(f64),
}

fn put(ws: &mut Worksheet, row: u32, col: u16, v: V) {
    match v {
        V::S(s) => ws.write_string(row, col, s).map(|_| ()),
        V::N(n) => ws.write_number(row, col, n).map(|_| ()),
    }
    .unwrap();
}

/// A UCS Detail sheet with the header at row 2 (not 5) and only the columns that matter.
fn ucs_book(hospital_line: &str, sheet: &str, rows: &[Vec<(u16, V)>]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet).unwrap();
    ws.write_string(0, 0, "ออกรายงานวันที่ 05/03/2568 เวลา 10:15")
        .unwrap();
    ws.write_string(1, 3, hospital_line).unwrap();
    let heads: &[(u16, &str)] = &[
        (0, "REP No."),
        (2, "TRAN_ID"),
        (3, "HN"),
        (4, "AN"),
        (5, "PID"),
        (7, "ประเภทผู้ป่วย"),
        (8, "วันเข้ารักษา"),
        (9, "วันจำหน่าย"),
        (10, "ชดเชยสุทธิ"),
        (13, "Error Code"),
        (14, "กองทุนหลัก"),
        (40, "เรียกเก็บ\n(1.3)"),
        (45, "PS %\n(5)"),
        (104, "Deny"),
        (117, "SEQ NO"),
        (118, "INVOICE NO"),
    ];
    for (c, h) in heads {
        ws.write_string(2, *c, *h).unwrap();
    }
    // Second header row: sub-columns, must not become a line or a reject.
    for (c, s) in [
        (10u16, "สปสช."),
        (11, "หน่วยงาน"),
        (40, "(1.3)"),
        (104, "HC"),
        (107, "IP"),
    ] {
        ws.write_string(3, c, s).unwrap();
    }
    for (i, cells) in rows.iter().enumerate() {
        for (c, v) in cells {
            let v = match v {
                V::S(s) => V::S(s),
                V::N(n) => V::N(*n),
            };
            put(ws, 4 + i as u32, *c, v);
        }
    }
    wb.save_to_buffer().unwrap()
}

fn base(tran: &'static str, hn: &'static str) -> Vec<(u16, V)> {
    vec![
        (0, V::S("680300012")),
        (2, V::S(tran)),
        (3, V::S(hn)),
        (4, V::S("-")),
        (5, V::S("1101700000011")),
        (7, V::S("OP")),
        (8, V::S("20/12/2567")),
        (9, V::S("20/12/2567")),
        (13, V::S("-")),
        (14, V::S("OP")),
    ]
}

fn with(mut b: Vec<(u16, V)>, extra: Vec<(u16, V)>) -> Vec<(u16, V)> {
    for (c, v) in extra {
        b.retain(|(k, _)| *k != c);
        b.push((c, v));
    }
    b
}

const NAME: &str = "eclaim_10670_OP_25680305_000000001.xlsx";

#[test]
fn awkward_ucs_sheet() {
    let rows = vec![
        // 5: text amounts with commas, `-` for the unit share, BE dates.
        with(
            base("100000001", "0000101"),
            vec![
                (40, V::S("1,234.50")),
                (10, V::S("1,000.00")),
                (11, V::S("-")),
                (117, V::S("680305101")),
            ],
        ),
        // 6: CE date with time; float amounts 1234.5 and 0.1+0.2.
        with(
            base("100000002", "0000102"),
            vec![
                (8, V::S("11/06/2024 08:37:00")),
                (9, V::S("11/06/2024 12:00:00")),
                (40, V::N(1234.5)),
                (10, V::N(0.1 + 0.2)),
                (11, V::N(12.0)),
            ],
        ),
        // 7: a bad amount: rejected, the other lines kept.
        with(base("100000003", "0000103"), vec![(40, V::S("12x"))]),
        // 8: two corrective codes, one of them late.
        with(
            base("100000004", "0000104"),
            vec![(13, V::S("305; 998")), (40, V::N(500.0))],
        ),
        // 9: a deny cell with a code.
        with(
            base("100000005", "0000105"),
            vec![
                (107, V::S("G40")),
                (40, V::N(10.0)),
                (4, V::S("6800123")),
                (7, V::S("IP")),
            ],
        ),
        // 10: verify code alone → accepted; PS 95 → late.
        with(
            base("100000006", "0000106"),
            vec![
                (13, V::S("V215")),
                (45, V::N(95.0)),
                (40, V::N(99.99)),
                (10, V::N(94.99)),
            ],
        ),
        // 11: unknown code → corrective.
        with(base("100000007", "0000107"), vec![(13, V::S("ZZ9"))]),
        // 12: neither TRAN_ID nor HN.
        with(base("-", ""), vec![(40, V::N(1.0))]),
        // 13: impossible date.
        with(base("100000009", "0000109"), vec![(8, V::S("32/13/2567"))]),
        // 14: a row of dashes and a total row: neither lines nor rejects.
        vec![(0, V::S("-")), (2, V::S("-")), (40, V::S("-"))],
        vec![(0, V::S("รวม 7 ราย")), (40, V::N(99999.0))],
        // 16: a line with only HN (no TRAN_ID) is kept; `-` as an amount is zero.
        with(
            base("", "0000116"),
            vec![(40, V::S("-")), (10, V::S("(100.00)"))],
        ),
        vec![],
        vec![],
    ];
    let bytes = ucs_book("หน่วยบริการ : 10670 โรงพยาบาลทดสอบ", "Detail", &rows);
    let f = read_rep(NAME, &bytes).unwrap();
    assert_eq!(f.header.hcode, "10670");
    assert_eq!(f.header.kind, "OP");
    assert_eq!(f.header.issued, Some(2025_03_05));
    let l: Vec<_> = f.lines.iter().map(|l| (l.visit.row, l)).collect();
    let rows_read: Vec<u32> = l.iter().map(|(r, _)| *r).collect();
    assert_eq!(rows_read, vec![5, 6, 8, 9, 10, 11, 16]);
    let a = &f.lines[0];
    assert_eq!(
        (a.visit.claimed, a.expected),
        (Satang(123_450), Satang(100_000))
    );
    assert_eq!(
        (a.visit.date_in, a.visit.date_out),
        (Some(2024_12_20), Some(2024_12_20))
    );
    assert_eq!(
        (a.visit.an.as_str(), a.ip, a.outcome),
        ("", false, Outcome::Accepted)
    );
    assert_eq!(a.visit.seq_no, "680305101");
    assert!(a.error_codes.is_empty() && !a.late);
    let b = &f.lines[1];
    assert_eq!(
        (b.visit.claimed, b.expected),
        (Satang(123_450), Satang(1_230))
    );
    assert_eq!(
        (b.visit.date_in, b.visit.date_out),
        (Some(2024_06_11), Some(2024_06_11))
    );
    let c = &f.lines[2];
    assert_eq!(c.error_codes, vec!["305", "998"]);
    assert_eq!(c.outcome, Outcome::Corrective);
    assert!(c.late);
    let d = &f.lines[3];
    assert_eq!(
        (d.outcome, d.error_codes.clone()),
        (Outcome::Deny, vec!["G40".to_string()])
    );
    assert!(d.ip && d.visit.an == "6800123");
    let e = &f.lines[4];
    assert_eq!(
        (e.outcome, e.late, e.expected),
        (Outcome::Accepted, true, Satang(9_499))
    );
    assert_eq!(f.lines[5].outcome, Outcome::Corrective);
    let g = &f.lines[6];
    assert_eq!(
        (g.visit.tran_id.as_str(), g.visit.hn.as_str()),
        ("", "0000116")
    );
    assert_eq!((g.visit.claimed, g.expected), (Satang(0), Satang(-10_000)));

    assert_eq!(f.rejects.len(), 3, "{:#?}", f.rejects);
    let r = &f.rejects[0];
    assert_eq!(
        (r.sheet.as_str(), r.row, r.value.as_str()),
        ("Detail", 7, "12x")
    );
    assert_eq!(r.field, "เรียกเก็บ (1.3)");
    assert!(r.message.contains("column AO"), "{}", r.message);
    assert!(!r.message_th.is_empty());
    assert_eq!(
        (f.rejects[1].row, f.rejects[1].field.as_str()),
        (12, "TRAN_ID")
    );
    assert_eq!(
        (
            f.rejects[2].row,
            f.rejects[2].field.as_str(),
            f.rejects[2].value.as_str()
        ),
        (13, "วันเข้ารักษา", "32/13/2567")
    );

    // A province table that knows ZZ9 as Verify changes that line's outcome.
    let province = ErrorCodes::parse_tsv_or_csv("code,type,th\nZZ9,V,ทดสอบ\n").unwrap();
    let merged = ErrorCodes::builtin().merged(&province);
    let f2 = read_rep_with(NAME, &bytes, &merged).unwrap();
    assert_eq!(f2.lines[5].outcome, Outcome::Accepted);
}

#[test]
fn whole_file_errors() {
    let rows = vec![base("100000001", "0000101")];
    // Header hospital differs from the file name.
    let other = ucs_book("โรงพยาบาลทดสอบ [10671]", "Detail", &rows);
    let e = read_rep(NAME, &other).unwrap_err();
    assert!(
        matches!(e, ReturnsError::HospitalMismatch { ref name_hcode, ref header_hcode, .. } if name_hcode == "10670" && header_hcode == "10671"),
        "{e}"
    );
    assert!(e.message_th().contains("10671"));
    // No hospital code in the header.
    let none = ucs_book("รายงานทดสอบ", "Detail", &rows);
    assert!(matches!(
        read_rep(NAME, &none),
        Err(ReturnsError::MissingHospitalCode { .. })
    ));
    // No Detail sheet.
    let wrong = ucs_book("หน่วยบริการ 10670", "Summary", &rows);
    let e = read_rep(NAME, &wrong).unwrap_err();
    assert!(
        matches!(e, ReturnsError::NoSheet { ref found, .. } if found == &vec!["Summary".to_string()]),
        "{e}"
    );
    // Not an e-Claim name, no document number in the header.
    let good = ucs_book("หน่วยบริการ 10670", "Detail", &rows);
    assert!(matches!(
        read_rep("report.xlsx", &good),
        Err(ReturnsError::UnknownFileName { .. })
    ));
    // No header row.
    let mut wb = Workbook::new();
    wb.add_worksheet()
        .set_name("Detail")
        .unwrap()
        .write_string(0, 0, "หน่วยบริการ 10670")
        .unwrap();
    let e = read_rep(NAME, &wb.save_to_buffer().unwrap()).unwrap_err();
    assert!(matches!(e, ReturnsError::NoHeaderRow { .. }), "{e}");
}

#[test]
fn renamed_file_uses_the_document_number() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("Detail").unwrap();
    ws.write_string(0, 0, "หน่วยบริการ 10670 โรงพยาบาลทดสอบ")
        .unwrap();
    ws.write_string(1, 0, "เลขที่เอกสาร : eclaim_10670_IPLGO_25680305_000000002")
        .unwrap();
    for (c, h) in ["TRAN_ID", "HN", "ชื่อ  -  สกุล", "เบิกได้", "ชดเชยสุทธิ", "กองทุน"]
        .iter()
        .enumerate()
    {
        ws.write_string(3, c as u16, *h).unwrap();
    }
    for (c, v) in [
        "200000001",
        "0000201",
        "ทดสอบ",
        "2,000.00",
        "1,500.25",
        "IPLGO",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(4, c as u16, *v).unwrap();
    }
    let f = read_rep("download (3).xlsx", &wb.save_to_buffer().unwrap()).unwrap();
    assert_eq!(f.header.doc_no, "eclaim_10670_IPLGO_25680305_000000002");
    assert_eq!(f.header.kind, "IPLGO");
    assert_eq!(f.lines.len(), 1);
    let l = &f.lines[0];
    assert_eq!(
        (l.visit.claimed, l.expected, l.fund.as_str()),
        (Satang(200_000), Satang(150_025), "IPLGO")
    );
    assert!(l.ip, "an IP kind without a patient-type column");
}

#[test]
fn random_bytes_are_errors_not_panics() {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for len in [0usize, 1, 7, 512, 4096, 70_000] {
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        assert!(matches!(
            read_rep(NAME, &bytes),
            Err(ReturnsError::NotSpreadsheet { .. })
        ));
        assert!(read_stm("STM_10670_IPUCS256811_01.xls", &bytes).is_err());
    }
    // Compound-file and zip signatures followed by garbage, and a truncated workbook.
    let mut cfb = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    cfb.extend(std::iter::repeat_n(0xAB, 2000));
    assert!(read_rep(NAME, &cfb).is_err());
    let good = ucs_book("หน่วยบริการ 10670", "Detail", &[base("1", "2")]);
    for cut in [10, good.len() / 2, good.len() - 10] {
        assert!(read_rep(NAME, &good[..cut]).is_err());
    }
}

#[test]
fn stm_sheet_with_sections_and_totals() {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("รายละเอียด").unwrap();
    ws.write_string(1, 0, "ออกรายงานวันที่ 10/12/2568 เวลา 09:00")
        .unwrap();
    ws.write_string(3, 0, "โรงพยาบาล").unwrap();
    ws.write_string(3, 1, "10670").unwrap();
    for (c, h) in [
        "REP No.",
        "TRAN_ID",
        "HN",
        "AN",
        "PID",
        "วันเข้ารักษา",
        "วันจำหน่าย",
        "เรียกเก็บ",
        "ยอดชดเชยทั้งสิ้น",
        "SEQ NO",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(7, c as u16, *h).unwrap();
    }
    ws.write_string(8, 0, "ข้อมูลปกติ").unwrap();
    let row = |ws: &mut Worksheet, r: u32, tran: &str, claimed: &str, paid: f64| {
        for (c, v) in [
            "681100001",
            tran,
            "0000301",
            "-",
            "1101700000011",
            "2025-11-02",
            "05/11/2568",
        ]
        .iter()
        .enumerate()
        {
            ws.write_string(r, c as u16, *v).unwrap();
        }
        ws.write_string(r, 7, claimed).unwrap();
        ws.write_number(r, 8, paid).unwrap();
    };
    row(ws, 9, "300000001", "12,000.00", 11_999.995);
    ws.write_string(10, 0, "ข้อมูลอุทธรณ์ ปี 2568").unwrap();
    row(ws, 11, "300000002", "abc", 1.0);
    row(ws, 12, "300000003", "-", 0.0);
    ws.write_string(13, 0, "รวมทั้งสิ้น").unwrap();
    ws.write_number(13, 8, 12_000.0).unwrap();
    let f = read_stm(
        "STM_10670_IPUCS256811_01.xlsx",
        &wb.save_to_buffer().unwrap(),
    )
    .unwrap();
    assert_eq!(f.lines.len(), 2);
    let a = &f.lines[0];
    assert_eq!(
        (a.visit.row, a.visit.claimed, a.paid),
        (10, Satang(1_200_000), Satang(1_200_000))
    );
    assert_eq!(
        (a.visit.date_in, a.visit.date_out, a.visit.an.as_str()),
        (Some(2025_11_02), Some(2025_11_05), "")
    );
    assert_eq!(f.lines[1].visit.claimed, Satang::ZERO);
    assert_eq!(f.rejects.len(), 1);
    assert_eq!(
        (
            f.rejects[0].sheet.as_str(),
            f.rejects[0].row,
            f.rejects[0].field.as_str()
        ),
        ("รายละเอียด", 12, "เรียกเก็บ")
    );
}

const XML: &str = r#"<?xml version = "1.0" encoding="UTF-8" standalone="yes"?>
<STMSTMP>
<stmAccountID>SOGN</stmAccountID>
<hcode>10670</hcode>
<hname>โรงพยาบาล A &amp; B</hname>
<AccPeriod desc = "ธันวาคม 2565">202212</AccPeriod>
<STMdoc desc = "">10670_SOGNSTMP_202212</STMdoc>
<gst>1</gst >
<TBills code ='OP'>
<ST name = "01">
<HG hc = "10670" hm = "10671" case = "2"  flg = "N">
<TBill>
<sys id = "1">OP</sys>
<hn>0360333</hn>
<pid>1101700000011</pid>
<name>นาย ทดสอบ</name>
<invno>651220153308</invno>
<dttran>2022-12-20T15:33:08</dttran>
<copay/>
<total>90.0050</total>
<rid>7751003</rid>
</TBill>
<TBill>
<hn>0360334</hn>
<invno>651220153309</invno>
<total>1,0x</total>
</TBill>
</HG>
</ST>
</TBills>
</STMSTMP>
"#;

#[test]
fn xml_statement_quirks() {
    let f = read_stm("10670_SOGNSTMP_202212.xml", XML.as_bytes()).unwrap();
    assert_eq!(f.header.period, "256512");
    assert_eq!(f.lines.len(), 1);
    let l = &f.lines[0];
    assert_eq!(
        (l.visit.row, l.paid, l.visit.date_in),
        (12, Satang(9_001), Some(2022_12_20))
    );
    assert_eq!(
        (
            l.visit.rep_no.as_str(),
            l.visit.seq_no.as_str(),
            l.visit.tran_id.as_str()
        ),
        ("7751003", "651220153308", "")
    );
    assert_eq!(
        (f.rejects[0].row, f.rejects[0].field.as_str()),
        (23, "total")
    );
    // The same statement in windows-874.
    let tis = XML.replace("UTF-8", "windows-874");
    let (bytes, _, _) = encoding_rs::WINDOWS_874.encode(&tis);
    let g = read_stm("10670_SOGNSTMP_202212.xml", &bytes).unwrap();
    assert_eq!(g.lines, f.lines);
    // Broken XML and a foreign root.
    assert!(matches!(
        read_stm("x.xml", b"<STMSTMP><hcode>1</STMSTMP>"),
        Err(ReturnsError::BadXml { .. })
    ));
    assert!(matches!(
        read_stm("x.xml", b"<html></html>"),
        Err(ReturnsError::BadXml { .. })
    ));
    let other = XML.replace("<hcode>10670", "<hcode>10671");
    assert!(matches!(
        read_stm("10670_SOGNSTMP_202212.xml", other.as_bytes()),
        Err(ReturnsError::HospitalMismatch { .. })
    ));
}
