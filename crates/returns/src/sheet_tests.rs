//! The streamed .xlsx reader gives what reading the sheet whole gives: same lines, rejects and
//! errors, for generated files (inline strings) and hand-made ones (shared strings, header
//! rows around the end of the kept top rows, blank and noise rows, damaged bytes).

// Dates are written YYYY_MM_DD.
#![allow(clippy::inconsistent_digit_grouping)]

use rust_xlsxwriter::Workbook;

use crate::codes::ErrorCodes;
use crate::rep::{RepFile, RepLayout, read_rep_mode};
use crate::sheet::Mode;
use crate::stm::{StmFile, read_stm_book};
use crate::{ClaimedVisit, RepShares, ReturnsError, Satang, write_rep, write_stm};

fn rep_both(name: &str, bytes: &[u8]) -> Result<RepFile, ReturnsError> {
    let codes = ErrorCodes::builtin();
    let scanned = read_rep_mode(name, bytes, codes, Mode::Scan);
    let streamed = read_rep_mode(name, bytes, codes, Mode::Stream);
    let whole = read_rep_mode(name, bytes, codes, Mode::Whole);
    assert_eq!(streamed, whole, "{name}");
    assert_eq!(scanned, whole, "{name}");
    scanned
}

fn stm_both(name: &str, bytes: &[u8]) -> Result<StmFile, ReturnsError> {
    let scanned = read_stm_book(name, bytes, Mode::Scan);
    let whole = read_stm_book(name, bytes, Mode::Whole);
    assert_eq!(read_stm_book(name, bytes, Mode::Stream), whole, "{name}");
    assert_eq!(scanned, whole, "{name}");
    scanned
}

/// Whether the tag scanner (not calamine) read the sheet `wanted` of `bytes` to its end.
fn scans(bytes: &[u8], wanted: &str) -> bool {
    let mut count = |_: &str, rows: &mut crate::sheet::SheetRows<'_>| {
        let mut n = 0;
        while rows.next_row().is_some() {
            n += 1;
        }
        Ok(n)
    };
    matches!(crate::sheet::scan_sheet(bytes, &[wanted], &mut count), Some(Ok(n)) if n > 0)
}

fn visits(n: usize, ip: bool) -> Vec<ClaimedVisit> {
    (0..n)
        .map(|i| ClaimedVisit {
            hn: format!("{:07}", 1000 + i * 7),
            seq: format!("680101{i:06}"),
            an: if ip {
                format!("68{:07}", 100 + i)
            } else {
                String::new()
            },
            pid: format!("{:013}", 1_100_000_000_000 + i as u64 * 977),
            name: format!("ทดสอบ {i}"),
            ip,
            date_in: 2025_01_01 + (i % 27) as i64,
            date_out: 2025_01_01 + (i % 27) as i64 + i64::from(ip),
            claimed: Satang(10_000 + i as i64 * 1_234),
            fund: "UCS".into(),
        })
        .collect()
}

#[test]
fn generated_files_read_the_same() {
    let shares = RepShares {
        corrective_pct: 20,
        deny_pct: 10,
        paid_diff_pct: 30,
    };
    for (kind, ip) in [
        ("OP", false),
        ("IP", true),
        ("ORF", false),
        ("OPLGO", false),
        ("IPSSS", true),
        ("IPBKK", true),
        ("OP_APPEAL_CD", false),
    ] {
        let v = visits(50, ip);
        let g = write_rep(
            "10670",
            kind,
            RepLayout::of_kind(kind),
            2025_01_22,
            7,
            &v,
            &shares,
            3,
        );
        let f = rep_both(&g.file_name, &g.bytes).unwrap();
        assert_eq!(f.lines, g.lines, "{kind}");
        // The equality above is the scanner's own reading, not calamine's after a fallback.
        assert!(scans(&g.bytes, "Detail"), "{kind}");
        if kind == "OP" {
            let s = write_stm("10670", "UCS", false, "256801", 1, &f.lines, 2, 20);
            assert_eq!(stm_both(&s.file_name, &s.bytes).unwrap().lines, s.lines);
            assert!(scans(&s.bytes, "รายละเอียด"));
        }
    }
}

/// A UCS sheet with its header at `hrow`, shared strings, sub-header, blank and noise rows,
/// bad cells and cells beyond the header's last column.
fn hand_made(hrow: u32, sheet: &str) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name(sheet).unwrap();
    ws.write_string(0, 2, "ออกรายงานวันที่ 05/03/2568 เวลา 10:15")
        .unwrap();
    ws.write_string(hrow / 2, 5, "หน่วยบริการ 10670 โรงพยาบาลทดสอบ")
        .unwrap();
    for (c, h) in [
        (0, "REP No."),
        (2, "TRAN_ID"),
        (3, "HN"),
        (8, "วันเข้ารักษา"),
        (10, "ชดเชยสุทธิ"),
        (13, "Error Code"),
        (40, "เรียกเก็บ"),
        (104, "Deny"),
        (117, "SEQ NO"),
    ] {
        ws.write_string(hrow, c, h).unwrap();
    }
    ws.write_string(hrow + 1, 104, "HC").unwrap();
    ws.write_string(hrow + 2, 107, "IP").unwrap();
    for i in 0..30u32 {
        let r = hrow + 3 + i;
        match i % 10 {
            // Blank row, section title, total.
            3 => continue,
            4 => ws.write_string(r, 1, "ผู้ป่วยนอก").map(|_| ()).unwrap(),
            5 => {
                ws.write_string(r, 0, "รวม").unwrap();
                ws.write_number(r, 40, 99.0).map(|_| ()).unwrap()
            }
            _ => {
                ws.write_string(r, 0, "680300012").unwrap();
                ws.write_string(r, 2, format!("1000{i:05}")).unwrap();
                ws.write_string(r, 3, format!("{:07}", 200 + i)).unwrap();
                ws.write_string(r, 8, "20/12/2567").unwrap();
                ws.write_number(r, 10, f64::from(i) * 10.5).unwrap();
                ws.write_string(r, 13, if i % 3 == 0 { "305" } else { "-" })
                    .unwrap();
                match i % 7 {
                    1 => ws.write_string(r, 40, "12x").map(|_| ()).unwrap(),
                    2 => ws.write_string(r, 8, "31/02/2567").map(|_| ()).unwrap(),
                    _ => ws.write_number(r, 40, 100.25).map(|_| ()).unwrap(),
                }
                if i % 4 == 0 {
                    ws.write_string(r, 107, "G40").unwrap();
                }
                // Beyond the last header column.
                ws.write_string(r, 150, "note").unwrap();
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

#[test]
fn hand_made_sheets_read_the_same() {
    let name = "eclaim_10670_OP_25680305_000000001.xlsx";
    for hrow in [1, 9, 13, 14] {
        let book = hand_made(hrow, "Detail");
        // Shared strings and styles, read by the scanner itself.
        assert!(scans(&book, "Detail"), "header at {hrow}");
        let f = rep_both(name, &book).unwrap();
        assert_eq!(f.lines.len() + f.rejects.len(), 21, "header at {hrow}");
        assert!(!f.rejects.is_empty());
        assert_eq!(f.lines[0].visit.row, hrow + 4);
        assert_eq!(f.header.issued, Some(2025_03_05));
    }
    // Header too low, wrong sheet, not a REP name.
    assert!(matches!(
        rep_both(name, &hand_made(15, "Detail")),
        Err(ReturnsError::NoHeaderRow { .. })
    ));
    assert!(matches!(
        rep_both(name, &hand_made(3, "Summary")),
        Err(ReturnsError::NoSheet { .. })
    ));
    assert!(matches!(
        rep_both("report.xlsx", &hand_made(3, "Detail")),
        Err(ReturnsError::UnknownFileName { .. })
    ));
}

#[test]
fn damaged_files_fail_the_same() {
    let name = "eclaim_10670_OP_25680305_000000001.xlsx";
    let good = hand_made(4, "Detail");
    let mut errors = 0;
    for i in 1..64 {
        let at = good.len() * i / 64;
        for flip in [0x01u8, 0x55, 0xFF] {
            let mut bad = good.clone();
            bad[at] ^= flip;
            errors += usize::from(rep_both(name, &bad).is_err());
        }
        rep_both(name, &good[..at]).unwrap_err();
    }
    assert!(errors > 0);
}

/// Date cells (a custom format, a built-in one), formulas, escaped text and a rich string, as
/// Excel and other writers leave them: the scanner reads them as calamine does.
#[test]
fn dates_formulas_and_escapes_read_the_same() {
    use rust_xlsxwriter::{ExcelDateTime, Format, FormatScript};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("Detail").unwrap();
    ws.write_string(0, 2, "ออกรายงานวันที่ 05/03/2568 เวลา 10:15")
        .unwrap();
    ws.write_string(2, 5, "หน่วยบริการ 10670 โรงพยาบาลทดสอบ")
        .unwrap();
    for (c, h) in [
        (0, "REP No."),
        (2, "TRAN_ID"),
        (3, "HN"),
        (6, "ชื่อ-สกุล"),
        (8, "วันเข้ารักษา"),
        (10, "ชดเชยสุทธิ"),
        (13, "Error Code"),
        (40, "เรียกเก็บ"),
        (117, "SEQ NO"),
    ] {
        ws.write_string(5, c, h).unwrap();
    }
    let custom = Format::new().set_num_format("dd/mm/yyyy hh:mm:ss");
    let builtin = Format::new().set_num_format_index(14);
    let sup = Format::new().set_font_script(FormatScript::Superscript);
    for i in 0..6u32 {
        let r = 7 + i;
        ws.write_string(r, 0, "680300012").unwrap();
        ws.write_string(r, 2, format!("1000{i:05}")).unwrap();
        ws.write_string(r, 3, format!("{:07}", 200 + i)).unwrap();
        let day = ExcelDateTime::from_ymd(2025, 1, 1 + i as u8).unwrap();
        match i % 3 {
            0 => ws.write_datetime_with_format(r, 8, &day, &custom),
            1 => ws.write_datetime_with_format(r, 8, &day, &builtin),
            _ => ws.write_string(r, 8, format!("0{}/01/2568", 1 + i)),
        }
        .unwrap();
        ws.write_number(r, 10, f64::from(i) * 10.5).unwrap();
        ws.write_formula(r, 40, format!("=K{}+1.5", r + 1).as_str())
            .unwrap();
        ws.write_string(r, 13, if i % 2 == 0 { "305 & <A01>" } else { "-" })
            .unwrap();
        ws.write_rich_string(r, 6, &[(&Format::default(), "ทดสอบ "), (&sup, "2")])
            .unwrap();
        ws.write_string(r, 117, format!("6801011{i:05}")).unwrap();
    }
    let bytes = wb.save_to_buffer().unwrap();
    assert!(scans(&bytes, "Detail"));
    let f = rep_both("eclaim_10670_OP_25680305_000000001.xlsx", &bytes).unwrap();
    assert_eq!(f.lines.len() + f.rejects.len(), 6);
    assert_eq!(f.lines[0].visit.date_in, Some(2025_01_01));
    assert_eq!(f.lines[1].visit.date_in, Some(2025_01_02));
}
