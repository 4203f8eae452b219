//! Column layouts of the REP Detail sheet and the STM รายละเอียด sheet (DOMAIN §2.1–2.2).
//! Each layout is a list of (header, sub-header) cells; a group header (e.g. `Deny`) stands
//! over its first column and its members are named in the sub-header row. The readers use the
//! UCS and ORF layouts by position and the others by header name; the generator writes them all.

/// (header row text, sub-header row text) per column.
pub(crate) type Columns = Vec<(String, String)>;

fn cols(items: &[(&str, &str)]) -> Columns {
    items
        .iter()
        .map(|(h, s)| ((*h).to_string(), (*s).to_string()))
        .collect()
}

/// Positions of the fields the readers use, for the positional layouts.
pub(crate) struct Positions {
    pub rep_no: usize,
    pub tran_id: usize,
    pub hn: usize,
    pub an: Option<usize>,
    pub pid: usize,
    pub name: usize,
    pub ptype: Option<usize>,
    pub date_in: usize,
    pub date_out: Option<usize>,
    pub expected: &'static [usize],
    pub error: usize,
    pub fund: Option<usize>,
    pub right: Option<usize>,
    pub claimed: usize,
    pub claimed_parts: Option<(usize, usize)>,
    pub late_flag: Option<usize>,
    pub ps: Option<usize>,
    pub deny: std::ops::Range<usize>,
    pub seq_no: usize,
    pub invoice_no: usize,
    pub width: usize,
}

/// UCS OP/IP (and appeal) Detail: 120 columns by index [C] AEGX `OPIP_COLUMN_INDEX_MAP`.
pub(crate) const UCS: Positions = Positions {
    rep_no: 0,
    tran_id: 2,
    hn: 3,
    an: Some(4),
    pid: 5,
    name: 6,
    ptype: Some(7),
    date_in: 8,
    date_out: Some(9),
    expected: &[10, 11],
    error: 13,
    fund: Some(14),
    right: Some(21),
    claimed: 40,
    claimed_parts: Some((38, 39)),
    late_flag: Some(44),
    ps: Some(45),
    deny: 104..109,
    seq_no: 117,
    invoice_no: 118,
    width: 120,
};

/// ORF (OP refer) Detail: 113 columns by index [C] AEGX `ORF_COLUMN_INDEX_MAP`.
pub(crate) const ORF: Positions = Positions {
    rep_no: 0,
    tran_id: 2,
    hn: 3,
    an: None,
    pid: 4,
    name: 5,
    ptype: None,
    date_in: 6,
    date_out: None,
    expected: &[32],
    error: 101,
    fund: None,
    right: None,
    claimed: 21,
    claimed_parts: None,
    late_flag: None,
    ps: Some(34),
    deny: 102..106,
    seq_no: 110,
    invoice_no: 111,
    width: 113,
};

/// UCS: the sub-columns under each group heading (the heading over the first of them).
#[rustfmt::skip]
const UCS_GROUPS: &[(&str, &[&str])] = &[
    ("HC", &["IPHC", "OPHC"]),
    ("AE", &["OPAE", "IPNB", "IPUC", "IP3SSS", "IP7SSS", "CARAE", "CAREF", "CAREF-PUC"]),
    ("INST", &["OPINST", "INST"]),
    ("IP", &["IPAEC", "IPAER", "IPINRGC", "IPINRGR", "IPINSPSN", "IPPRCC", "IPPRCC-PUC", "IPBKK-INST", "IP-ONTOP"]),
    ("DMIS", &["CATARACT", "ค่าภาระงาน(สสจ.)", "ค่าภาระงาน(รพ.)", "CATINST", "DMISRC", "ค่าภาระงาน", "RCUHOSC", "ค่าภาระงาน", "RCUHOSR", "ค่าภาระงาน", "LLOP", "LLRGC", "LLRGR", "LP", "STROKE-STEMI DRUG", "DMIDML", "PP", "DMISHD", "DMICNT", "Palliative Care", "DM"]),
    ("DRUG", &[""]),
    ("OPBKK", &["HC", "DENT", "DRUG", "FS", "OTHERS", "HSUB", "NHSO"]),
    ("Deny", &["HC", "AE", "INST", "IP", "DMIS"]),
    ("base rate", &["เดิม", "ที่ได้รับเพิ่ม", "สุทธิ"]),
];

/// ORF (OP refer): the sub-columns under each group heading.
#[rustfmt::skip]
const ORF_GROUPS: &[(&str, &[&str])] = &[
    ("OPHC", &["HC01", "HC02", "HC03", "HC04", "HC05", "HC06", "HC07", "HC08"]),
    ("อุบัติเหตุฉุกเฉิน", &["AE04", "CARAE AE08"]),
    ("OPINST", &["HC09"]),
    ("DMIS", &["DMISRC", "ค่าภาระงาน", "RCUHOSC", "ค่าภาระงาน", "RCUHOSR", "ค่าภาระงาน", "LLOP", "LP", "STROKE-STEMI DRUG", "DMIDML", "PP", "DMISHD", "Paliative Care", "DRUG", "ONTOP"]),
    ("ชดเชยสุทธิ (บาท)", &[""]),
    ("ชำระโดย", &[""]),
];

pub(crate) fn ucs_columns() -> Columns {
    let mut c = cols(&[
        ("REP No.", ""),
        ("ลำดับที่", ""),
        ("TRAN_ID", ""),
        ("HN", ""),
        ("AN", ""),
        ("PID", ""),
        ("ชื่อ-สกุล", ""),
        ("ประเภทผู้ป่วย", ""),
        ("วันเข้ารักษา", ""),
        ("วันจำหน่าย", ""),
        ("ชดเชยสุทธิ", "สปสช."),
        ("", "หน่วยงาน"),
        ("ชดเชยจาก", ""),
        ("Error Code", ""),
        ("กองทุนหลัก", ""),
        ("กองทุนย่อย", ""),
        ("ประเภทบริการ", ""),
        ("การรับส่งต่อ", ""),
        ("การมีสิทธิ", ""),
        ("การใช้สิทธิ", ""),
        ("CHK", ""),
        ("สิทธิหลัก", ""),
        ("สิทธิย่อย", ""),
    ]);
    push_heads(
        &mut c,
        &[
            "HREF",
            "HCODE",
            "HMAIN",
            "PROV1",
            "RG1",
            "HMAIN2",
            "PROV2",
            "RG2",
            "DMIS/ HMAIN3",
            "DA",
            "PROJ",
            "PA",
            "DRG",
            "RW",
            "CA_TYPE",
        ],
    );
    c.extend(cols(&[
        ("เรียกเก็บ\n(1)", "ไม่รวมค่ารถ ยา อุปกรณ์"),
        ("เรียกเก็บ\n(1.2)", "ค่ารถ ยา อุปกรณ์"),
        ("เรียกเก็บ\n(1.3)", "รวม"),
        ("เรียกเก็บ\ncentral reimburse\n(2)", ""),
        ("ชำระเอง\n(3)", ""),
        ("อัตราจ่าย/Point\n(4)", ""),
        ("ล่าช้า (PS)", ""),
        ("PS %\n(5)", ""),
        ("CCUF \n(6)", ""),
        ("AdjRW_NHSO\n(7)", ""),
        ("AdjRW2\n(8 = 6x7)", ""),
        ("จ่ายชดเชย\n(9 = 4x5x8)", ""),
        ("ค่าพรบ.\n(10)", ""),
        ("เงินเดือน", "%"),
        ("", "จำนวนเงิน\n(11)"),
        ("ยอดชดเชยหลังหักเงินเดือน\n(12 = 9-10-11)", ""),
    ]));
    push_groups(&mut c, UCS_GROUPS);
    push_heads(&mut c, &["FS"]);
    push_heads(&mut c, UCS_TAIL);
    c
}

/// The last columns of the UCS and ORF layouts: audit remarks, then the HIS references.
const UCS_TAIL: &[&str] = &[
    "VA",
    "Remark",
    "AUDIT RESULTS",
    "รูปแบบการจ่าย",
    "SEQ NO",
    "INVOICE NO",
    "INVOICE LT",
];

/// Appends columns that have a header cell only.
fn push_heads(c: &mut Columns, heads: &[&str]) {
    c.extend(heads.iter().map(|h| ((*h).to_string(), String::new())));
}

fn push_groups(c: &mut Columns, groups: &[(&str, &[&str])]) {
    for (g, members) in groups {
        for (i, m) in members.iter().enumerate() {
            let head = if i == 0 { *g } else { "" };
            c.push((head.to_string(), (*m).to_string()));
        }
    }
}

pub(crate) fn orf_columns() -> Columns {
    let mut c = cols(&[
        ("REP", ""),
        ("NO.", ""),
        ("TRAN_ID", ""),
        ("HN", ""),
        ("PID", ""),
        ("ชื่อ", ""),
        ("ว/ด/ป ที่รับบริการ", ""),
        ("เลขที่ใบส่งต่อ", ""),
        ("หน่วยบริการ", "รักษา(Htype1)"),
        ("", "รักษา(Prov1)"),
        ("", "รักษา(Hcode)"),
        ("", "รักษา(Htype2)"),
        ("", "รักษา(Prov2)"),
        ("", "ประจำ(Hmain2)"),
        ("", "รับส่งต่อ(Href)"),
        ("DX.", ""),
        ("Proc.", ""),
        ("DMIS", ""),
        ("HMAIN3", ""),
        ("DAR", ""),
        ("CA_TYPE", ""),
        ("ยอดรวมค่าใช้จ่าย(เฉพาะเบิกได้)(1)", ""),
        ("เข้าเกณฑ์ central reimburse (2)", "เข้าเกณฑ์"),
        ("", "จำนวนเงิน"),
        ("ชำระเอง(3)", ""),
        ("พรบ.(4)", ""),
        ("เข้าเกณฑ์ OP REFER", "รายการ OPREF(5)"),
        ("", "ค่ารักษาอื่นๆ ก่อนปรับลด(6)"),
        ("", "หลังปรับลด(7)"),
        ("ผลรวมทั้ง Case(8=5+7)", ""),
        ("ผู้รับผิดชอบ(9)=(8)", "<=1600"),
        ("", "สปสช >1600"),
        ("ชดเชยสุทธิ (บาท)(10=8)", ""),
        ("ชำระบัญชีโดย", ""),
        ("PS", ""),
    ]);
    push_groups(&mut c, ORF_GROUPS);
    for i in 1..=19 {
        c.push((format!("หมวด {i}"), "เบิกได้".into()));
        c.push((String::new(), "เบิกไม่ได้".into()));
    }
    c.push(("Error Code".into(), String::new()));
    push_groups(&mut c, &[("Deny", &["HC", "AE", "INST", "DMIS"])]);
    push_heads(&mut c, UCS_TAIL);
    c
}

/// LGO / BKK / BMT Detail (59 columns) [C] AEGX `LGO_COLUMN_MAP`; `fund` is LGO, BKK or BMT.
pub(crate) fn lgo_columns(fund: &str) -> Columns {
    let mut c = cols(&[
        ("REP", ""),
        ("ลำดับที่", ""),
        ("TRAN_ID", ""),
        ("HN", ""),
        ("AN", ""),
        ("PID", ""),
        ("ชื่อ - สกุล", ""),
        ("ประเภทผู้ป่วย", ""),
        ("วันเข้ารักษา", ""),
        ("วันจำหน่าย", ""),
        ("ชดเชยสุทธิ", ""),
        ("Error Code", ""),
        ("กองทุน", ""),
        ("ประเภทบริการ", ""),
        ("การรับส่งต่อ", ""),
        ("การมีสิทธิ", ""),
        ("การใช้สิทธิ", ""),
        ("สิทธิหลัก", ""),
        ("สิทธิรอง", ""),
        ("HREF", ""),
        ("HCODE", ""),
        ("PROV1", ""),
        ("รหัสหน่วยงาน", ""),
        ("ชื่อหน่วยงาน", ""),
        ("PROJ", ""),
        ("PA", ""),
        ("DRG", ""),
        ("RW", ""),
        ("เรียกเก็บ", ""),
        ("เบิกได้", ""),
        ("เบิกไม่ได้", ""),
        ("ชำระเอง", ""),
        ("อัตราจ่าย", ""),
        ("ล่าช้า (PS)", ""),
        ("ล่าช้า (PS) เปอร์เซ็นต์", ""),
        ("CCUF", ""),
        ("AdjRW", ""),
        ("พรบ.", ""),
    ]);
    let case: Vec<String> = [
        format!("IP{fund}"),
        format!("IP{fund}_ORS"),
        format!("OP{fund}"),
        format!("PA{fund}"),
        format!("INST{fund}"),
        format!("OT{fund}"),
        "PP".into(),
        "DRUG".into(),
    ]
    .into();
    let deny: Vec<String> = case
        .iter()
        .filter(|m| !m.ends_with("_ORS"))
        .cloned()
        .collect();
    for (g, members) in [("กรณี", case), ("Deny", deny)] {
        for (i, m) in members.into_iter().enumerate() {
            c.push((if i == 0 { g.to_string() } else { String::new() }, m));
        }
    }
    push_heads(
        &mut c,
        &[
            "ORS",
            "VA",
            "AUDIT RESULTS",
            "SEQ NO",
            "INVOICE NO",
            "INVOICE LT",
        ],
    );
    c
}

/// SSS Detail: the columns DOMAIN/AEGX name (57 of the 74; the rest are not documented).
pub(crate) fn sss_columns() -> Columns {
    let mut c = Columns::new();
    push_heads(
        &mut c,
        &[
            "REP No.",
            "ลำดับที่",
            "TRAN_ID",
            "HN",
            "AN",
            "PID",
            "ชื่อ-สกุล",
            "ประเภทผู้ป่วย",
            "วันเข้ารักษา",
            "วันจำหน่าย",
            "กรณีที่เบิก",
            "ประเภทบริการ",
            "การรับส่งต่อ",
            "การมีสิทธิ",
            "การใช้สิทธิ",
            "CHK",
            "สิทธิหลัก",
            "สิทธิย่อย",
            "HREF",
            "HCODE",
            "HMAIN",
            "PROV1",
            "HMAIN2",
            "PROV2",
            "PROJ",
            "HTYPE",
            "AESTATUS",
            "IPTYPE",
            "HSEND",
            "DRG",
            "RW(1)",
            "AdjRW\n(2)",
            "ชำระเอง",
            "อัตราจ่ายที่กำหนด\n(3)",
            "ระยะเวลาส่งข้อมูล (PS)",
            "ขอเบิกค่าบริการ",
            "IP",
            "OP",
            "AE",
            "HC",
            "INT",
            "ON TOP",
            "PP",
            "รวมเงินค่าบริการทั้งหมด",
            "Error Code",
        ],
    );
    push_groups(&mut c, &[("Deny", &["HC", "AE", "INST", "IP", "DMIS"])]);
    push_heads(
        &mut c,
        &[
            "VA",
            "REMARK",
            "AUDIT RESULTS",
            "รูปแบบการจ่าย",
            "SEQ NO",
            "INVOICE NO",
            "INVOICE LT",
        ],
    );
    c
}

/// STM รายละเอียด (detail) sheet [C] AEGX `stm_claim_item`.
pub(crate) fn stm_columns() -> Columns {
    let mut c = Columns::new();
    push_heads(
        &mut c,
        &[
            "REP No.",
            "ลำดับ",
            "TRAN_ID",
            "HN",
            "AN",
            "PID",
            "ชื่อ-สกุล",
            "วันเข้ารักษา",
            "วันจำหน่าย",
            "MAININSCL",
            "PROJCODE",
            "เรียกเก็บ",
            "กองทุน IP พรบ.",
            "AdjRW",
            "ล่าช้า (PS)",
            "CCUF",
            "อัตราจ่าย",
            "เงินเดือน",
            "จ่ายชดเชยหลังหัก พรบ.และเงินเดือน",
            "พึงรับ OP",
        ],
    );
    push_groups(
        &mut c,
        &[
            ("พึงรับ IP", &["คำนวณได้", "จ่ายจริง"]),
            ("HC", &[""]),
            ("HC_DRUG", &[""]),
            ("AE", &[""]),
            ("AE_DRUG", &[""]),
            ("INST", &[""]),
            ("DMIS", &["คำนวณได้", "จ่ายจริง"]),
        ],
    );
    push_heads(
        &mut c,
        &[
            "DMIS_DRUG",
            "Palliative",
            "DMISHD",
            "PP",
            "FS",
            "OPBKK",
            "ยอดชดเชยทั้งสิ้น",
            "VA",
            "COVID",
            "แหล่งข้อมูล",
            "SEQ NO",
        ],
    );
    c
}

/// Column of a header (or of a sub-header when `sub` is given) in a layout.
pub(crate) fn position(c: &Columns, head: &str) -> usize {
    c.iter()
        .position(|(h, s)| h == head || (h.is_empty() && s == head))
        .unwrap_or_else(|| panic!("layout has no column {head}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_and_positions() {
        let u = ucs_columns();
        assert_eq!(u.len(), UCS.width);
        assert_eq!(u[UCS.tran_id].0, "TRAN_ID");
        assert_eq!(u[UCS.claimed].0, "เรียกเก็บ\n(1.3)");
        assert_eq!(u[UCS.error].0, "Error Code");
        assert_eq!(u[UCS.deny.start].0, "Deny");
        assert_eq!(u[UCS.seq_no].0, "SEQ NO");
        assert_eq!(u[UCS.late_flag.unwrap()].0, "ล่าช้า (PS)");
        assert_eq!(u[UCS.right.unwrap()].0, "สิทธิหลัก");
        let o = orf_columns();
        assert_eq!(o.len(), ORF.width);
        assert_eq!(o[ORF.error].0, "Error Code");
        assert_eq!(o[ORF.deny.start].0, "Deny");
        assert_eq!(o[ORF.seq_no].0, "SEQ NO");
        assert_eq!(o[ORF.expected[0]].0, "ชดเชยสุทธิ (บาท)(10=8)");
        assert_eq!(lgo_columns("LGO").len(), 59);
        assert_eq!(sss_columns().len(), 57);
        assert_eq!(stm_columns().len(), 40);
    }
}
