//! The 16 (+LAB) file kinds, their column names and every known header generation (DOMAIN §1.2).

use serde::Serialize;
use std::fmt;
use std::sync::OnceLock;

/// One of the NHSO "16 แฟ้ม" files, plus LAB (the 17th file of FDH).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(into = "&'static str")]
pub enum FileKind {
    Ins,
    Pat,
    Opd,
    Orf,
    Odx,
    Oop,
    Ipd,
    Irf,
    Idx,
    Iop,
    Cht,
    Cha,
    Aer,
    Adp,
    Lvd,
    Dru,
    Lab,
}

impl FileKind {
    pub const ALL: [FileKind; 17] = [
        FileKind::Ins,
        FileKind::Pat,
        FileKind::Opd,
        FileKind::Orf,
        FileKind::Odx,
        FileKind::Oop,
        FileKind::Ipd,
        FileKind::Irf,
        FileKind::Idx,
        FileKind::Iop,
        FileKind::Cht,
        FileKind::Cha,
        FileKind::Aer,
        FileKind::Adp,
        FileKind::Lvd,
        FileKind::Dru,
        FileKind::Lab,
    ];

    /// The file type as it appears in file names and in FDH: `INS`, `PAT`, …
    pub fn code(self) -> &'static str {
        match self {
            FileKind::Ins => "INS",
            FileKind::Pat => "PAT",
            FileKind::Opd => "OPD",
            FileKind::Orf => "ORF",
            FileKind::Odx => "ODX",
            FileKind::Oop => "OOP",
            FileKind::Ipd => "IPD",
            FileKind::Irf => "IRF",
            FileKind::Idx => "IDX",
            FileKind::Iop => "IOP",
            FileKind::Cht => "CHT",
            FileKind::Cha => "CHA",
            FileKind::Aer => "AER",
            FileKind::Adp => "ADP",
            FileKind::Lvd => "LVD",
            FileKind::Dru => "DRU",
            FileKind::Lab => "LAB",
        }
    }

    pub fn name_th(self) -> &'static str {
        match self {
            FileKind::Ins => "สิทธิการรักษา",
            FileKind::Pat => "ผู้ป่วย",
            FileKind::Opd => "การมารับบริการผู้ป่วยนอก",
            FileKind::Orf => "การส่งต่อผู้ป่วยนอก",
            FileKind::Odx => "การวินิจฉัยผู้ป่วยนอก",
            FileKind::Oop => "หัตถการผู้ป่วยนอก",
            FileKind::Ipd => "การรับไว้รักษาผู้ป่วยใน",
            FileKind::Irf => "การส่งต่อผู้ป่วยใน",
            FileKind::Idx => "การวินิจฉัยผู้ป่วยใน",
            FileKind::Iop => "หัตถการผู้ป่วยใน",
            FileKind::Cht => "ใบแจ้งหนี้รวม",
            FileKind::Cha => "ค่าใช้จ่ายรายหมวด",
            FileKind::Aer => "อุบัติเหตุ ฉุกเฉิน และรับส่งต่อ",
            FileKind::Adp => "ค่าใช้จ่ายเพิ่มเติม",
            FileKind::Lvd => "การลากลับบ้าน",
            FileKind::Dru => "การใช้ยา",
            FileKind::Lab => "ผลการตรวจทางห้องปฏิบัติการ",
        }
    }

    pub fn parse(code: &str) -> Option<FileKind> {
        FileKind::ALL
            .into_iter()
            .find(|k| k.code().eq_ignore_ascii_case(code.trim()))
    }

    /// Recognises a 16-file name: the type, an optional all-digit period suffix
    /// (`ins6907`, `INS256907`), and the extension `.txt`, all case-insensitive.
    /// Returns `Err` with the kind for a `.dbf` twin, which this reader does not decode.
    pub fn from_file_name(name: &str) -> Option<Result<FileKind, FileKind>> {
        let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
        let (stem, ext) = base.rsplit_once('.')?;
        if stem.len() < 3 || !stem.is_char_boundary(3) {
            return None;
        }
        let kind = FileKind::parse(&stem[..3])?;
        let suffix = &stem[3..];
        if suffix.len() > 8 || !suffix.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if ext.eq_ignore_ascii_case("txt") {
            Some(Ok(kind))
        } else if ext.eq_ignore_ascii_case("dbf") {
            Some(Err(kind))
        } else {
            None
        }
    }

    /// Files whose lines only add detail to an encounter (diagnoses, procedures, refers,
    /// charges, drugs, items, accidents, leaves, labs). An unusable line of one of these is
    /// rejected alone and its encounter kept; an unusable OPD, IPD, PAT, INS or CHT line
    /// leaves the encounter without its visit, patient, right or bill, and rejects it.
    pub fn is_detail(self) -> bool {
        !matches!(
            self,
            FileKind::Opd | FileKind::Ipd | FileKind::Pat | FileKind::Ins | FileKind::Cht
        )
    }

    /// Files linked to an OP visit by HN+SEQ only.
    pub fn requires_opd(self) -> bool {
        matches!(self, FileKind::Orf | FileKind::Odx | FileKind::Oop)
    }

    /// Files linked to an admission by AN only.
    pub fn requires_ipd(self) -> bool {
        matches!(
            self,
            FileKind::Irf | FileKind::Idx | FileKind::Iop | FileKind::Lvd
        )
    }

    /// Known header generations of this file, oldest first.
    pub fn layouts(self) -> &'static [Layout] {
        LAYOUTS
            .iter()
            .position(|(k, _)| *k == self)
            .map(|i| LAYOUTS[i].1)
            .unwrap_or(&[])
    }

    /// Whether `col` appears in any known generation of this file.
    pub fn knows(self, col: Col) -> bool {
        static KNOWN: OnceLock<Vec<Vec<bool>>> = OnceLock::new();
        let known = KNOWN.get_or_init(|| {
            FileKind::ALL
                .iter()
                .map(|k| {
                    let mut v = vec![false; Col::ALL.len()];
                    for l in k.layouts() {
                        for c in l.columns() {
                            v[c as usize] = true;
                        }
                    }
                    v
                })
                .collect()
        });
        known[self as usize][col as usize]
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl From<FileKind> for &'static str {
    fn from(k: FileKind) -> &'static str {
        k.code()
    }
}

macro_rules! columns {
    ($($id:ident = $name:literal),* $(,)?) => {
        /// A column name of the 16 files. Variants are spelled like the header names.
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Col { $($id),* }

        impl Col {
            pub const ALL: &'static [Col] = &[$(Col::$id),*];

            /// The canonical header name.
            pub fn name(self) -> &'static str {
                match self { $(Col::$id => $name),* }
            }
        }
    };
}

columns! {
    HN = "HN", INSCL = "INSCL", SUBTYPE = "SUBTYPE", CID = "CID", HCODE = "HCODE", DATEIN = "DATEIN",
    DATEEXP = "DATEEXP", HOSPMAIN = "HOSPMAIN", HOSPSUB = "HOSPSUB", GOVCODE = "GOVCODE",
    GOVNAME = "GOVNAME", PERMITNO = "PERMITNO", DOCNO = "DOCNO", OWNRPID = "OWNRPID",
    OWNNAME = "OWNNAME", AN = "AN", SEQ = "SEQ", SUBINSCL = "SUBINSCL", RELINSCL = "RELINSCL",
    HTYPE = "HTYPE",
    CHANGWAT = "CHANGWAT", AMPHUR = "AMPHUR", DOB = "DOB", SEX = "SEX", MARRIAGE = "MARRIAGE",
    OCCUPA = "OCCUPA", NATION = "NATION", PERSON_ID = "PERSON_ID", NAMEPAT = "NAMEPAT",
    TITLE = "TITLE", FNAME = "FNAME", LNAME = "LNAME", IDTYPE = "IDTYPE",
    CLINIC = "CLINIC", DATEOPD = "DATEOPD", TIMEOPD = "TIMEOPD", UUC = "UUC", DETAIL = "DETAIL",
    BTEMP = "BTEMP", SBP = "SBP", DBP = "DBP", PR = "PR", RR = "RR", OPTYPE = "OPTYPE",
    TYPEIN = "TYPEIN", TYPEOUT = "TYPEOUT",
    REFER = "REFER", REFERTYPE = "REFERTYPE", REFERDATE = "REFERDATE",
    DATEDX = "DATEDX", DIAG = "DIAG", DXTYPE = "DXTYPE", DRDX = "DRDX",
    OPER = "OPER", DROPID = "DROPID", SERVPRICE = "SERVPRICE",
    DATEADM = "DATEADM", TIMEADM = "TIMEADM", DATEDSC = "DATEDSC", TIMEDSC = "TIMEDSC",
    DISCHS = "DISCHS", DISCHT = "DISCHT", WARDDSC = "WARDDSC", DEPT = "DEPT", ADM_W = "ADM_W",
    SVCTYPE = "SVCTYPE",
    TIMEIN = "TIMEIN", DATEOUT = "DATEOUT", TIMEOUT = "TIMEOUT",
    DATE = "DATE", TOTAL = "TOTAL", PAID = "PAID", PTTYPE = "PTTYPE", OPD_MEMO = "OPD_MEMO",
    INVOICE_NO = "INVOICE_NO", INVOICE_LT = "INVOICE_LT",
    CHRGITEM = "CHRGITEM", AMOUNT = "AMOUNT",
    AUTHAE = "AUTHAE", AEDATE = "AEDATE", AETIME = "AETIME", AETYPE = "AETYPE",
    REFER_NO = "REFER_NO", REFMAINI = "REFMAINI", IREFTYPE = "IREFTYPE", REFMAINO = "REFMAINO",
    OREFTYPE = "OREFTYPE", UCAE = "UCAE", EMTYPE = "EMTYPE", AESTATUS = "AESTATUS",
    DALERT = "DALERT", TALERT = "TALERT",
    BILLMAUD = "BILLMAUD", TYPE = "TYPE", CODE = "CODE", QTY = "QTY", RATE = "RATE",
    CAGCODE = "CAGCODE", DOSE = "DOSE", CA_TYPE = "CA_TYPE", SERIALNO = "SERIALNO",
    TOTCOPAY = "TOTCOPAY", USE_STATUS = "USE_STATUS", QTYDAY = "QTYDAY", TMLTCODE = "TMLTCODE",
    STATUS1 = "STATUS1", BI = "BI", ITEMSRC = "ITEMSRC", PROVIDER = "PROVIDER",
    GRAVIDA = "GRAVIDA", GA_WEEK = "GA_WEEK", DCIP = "DCIP", LMP = "LMP", SP_ITEM = "SP_ITEM",
    SEQLVD = "SEQLVD",
    DATE_SERV = "DATE_SERV", DID = "DID", DIDNAME = "DIDNAME", DRUGPRIC = "DRUGPRIC",
    DRUGCOST = "DRUGCOST", DIDSTD = "DIDSTD", UNIT = "UNIT", UNIT_PACK = "UNIT_PACK",
    DRUGTYPE = "DRUGTYPE", DRUGREMARK = "DRUGREMARK", PA_NO = "PA_NO", SIGCODE = "SIGCODE",
    SIGTEXT = "SIGTEXT",
    DATESERV = "DATESERV", LABTEST = "LABTEST", LABRESULT = "LABRESULT",
}

impl Col {
    /// Maps a header name to its column: case-insensitive, surrounding blanks ignored, and
    /// the spellings seen in the wild (`DRUGPRICE`, `DCIP/E_Screen`) folded onto one column.
    pub fn from_header(name: &str) -> Option<Col> {
        let n = name
            .trim()
            .trim_start_matches('\u{feff}')
            .to_ascii_uppercase();
        match n.as_str() {
            "DRUGPRICE" => return Some(Col::DRUGPRIC),
            "DCIP/E_SCREEN" => return Some(Col::DCIP),
            _ => {}
        }
        Col::ALL.iter().copied().find(|c| c.name() == n)
    }

    /// Columns that carry a citizen or other personal ID: masked in every reject.
    pub fn is_personal_id(self) -> bool {
        matches!(self, Col::CID | Col::PERSON_ID | Col::OWNRPID)
    }
}

impl fmt::Display for Col {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One header generation of a file: the exact header names, in order, as exporters write them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    pub kind: FileKind,
    /// Short stable name, e.g. `classic`, `fdh`, `adp17`.
    pub name: &'static str,
    pub header: &'static [&'static str],
}

impl Layout {
    pub fn columns(&self) -> impl Iterator<Item = Col> + '_ {
        self.header
            .iter()
            .map(|h| Col::from_header(h).expect("layout header names are known columns"))
    }

    /// The layout of `kind` called `name`.
    pub fn find(kind: FileKind, name: &str) -> Option<&'static Layout> {
        kind.layouts().iter().find(|l| l.name == name)
    }
}

#[rustfmt::skip]
mod layouts;
use layouts::LAYOUTS;

/// Which generation of headers a whole set is written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum HeaderSet {
    /// Classic e-Claim: INS with DATEIN, OPD 6, ORF 6, OOP 7, CHT 8, ADP 17, LVD 6, DRU
    /// without SP_ITEM; no LAB.
    Classic,
    /// FDH (2566+): INS with HCODE and DATEIN, OPD 15, ORF 7, OOP 8, CHT 11, ADP 27, LVD 7,
    /// DRU 24, and LAB.
    Fdh,
}

impl HeaderSet {
    /// The layout this set uses for `kind`; `None` for LAB in the classic set.
    pub fn layout(self, kind: FileKind) -> Option<&'static Layout> {
        let name = match (self, kind) {
            (HeaderSet::Classic, FileKind::Lab) => return None,
            (HeaderSet::Classic, FileKind::Adp) => "adp17",
            (HeaderSet::Classic, _) => "classic",
            (HeaderSet::Fdh, _) => "fdh",
        };
        Layout::find(kind, name)
            .or_else(|| Layout::find(kind, "std"))
            .or_else(|| kind.layouts().first())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_layout_header_is_a_known_column_of_its_kind() {
        for k in FileKind::ALL {
            assert!(!k.layouts().is_empty(), "{k}");
            for l in k.layouts() {
                assert_eq!(l.kind, k);
                let cols: Vec<Col> = l.columns().collect();
                let mut dedup = cols.clone();
                dedup.sort();
                dedup.dedup();
                assert_eq!(dedup.len(), cols.len(), "{k} {} repeats a column", l.name);
                assert!(cols.iter().all(|c| k.knows(*c)));
            }
        }
    }

    #[test]
    fn documented_field_counts() {
        let count = |k: FileKind, n: &str| Layout::find(k, n).unwrap().header.len();
        assert_eq!(count(FileKind::Ins, "classic"), 19);
        assert_eq!(count(FileKind::Ins, "hcode"), 19);
        assert_eq!(count(FileKind::Ins, "fdh"), 20);
        assert_eq!(count(FileKind::Pat, "std"), 15);
        assert_eq!(count(FileKind::Opd, "classic"), 6);
        assert_eq!(count(FileKind::Opd, "fdh"), 15);
        assert_eq!(count(FileKind::Ipd, "std"), 13);
        assert_eq!(count(FileKind::Cht, "classic"), 8);
        assert_eq!(count(FileKind::Cht, "fdh"), 11);
        assert_eq!(count(FileKind::Aer, "std"), 18);
        assert_eq!(count(FileKind::Adp, "adp17"), 17);
        assert_eq!(count(FileKind::Adp, "adp26"), 26);
        assert_eq!(count(FileKind::Adp, "fdh"), 27);
        assert_eq!(count(FileKind::Lvd, "classic"), 6);
        assert_eq!(count(FileKind::Lvd, "fdh"), 7);
        assert_eq!(count(FileKind::Dru, "fdh"), 24);
        assert_eq!(count(FileKind::Dru, "classic"), 23);
        assert_eq!(count(FileKind::Dru, "drugtype"), 25);
    }

    #[test]
    fn file_names() {
        assert_eq!(FileKind::from_file_name("INS.txt"), Some(Ok(FileKind::Ins)));
        assert_eq!(
            FileKind::from_file_name("ins6907.txt"),
            Some(Ok(FileKind::Ins))
        );
        assert_eq!(
            FileKind::from_file_name("INS256907.TXT"),
            Some(Ok(FileKind::Ins))
        );
        assert_eq!(
            FileKind::from_file_name("FDH_20260101/cha.Txt"),
            Some(Ok(FileKind::Cha))
        );
        assert_eq!(
            FileKind::from_file_name("INS6907.dbf"),
            Some(Err(FileKind::Ins))
        );
        assert_eq!(FileKind::from_file_name("INS6907.cds"), None);
        assert_eq!(FileKind::from_file_name("INSX.txt"), None);
        assert_eq!(FileKind::from_file_name("readme.txt"), None);
        assert_eq!(FileKind::from_file_name("ผู้ป่วย.txt"), None);
    }

    #[test]
    fn header_aliases() {
        assert_eq!(Col::from_header(" drugprice "), Some(Col::DRUGPRIC));
        assert_eq!(Col::from_header("DCIP/E_Screen"), Some(Col::DCIP));
        assert_eq!(Col::from_header("\u{feff}HN"), Some(Col::HN));
        assert_eq!(Col::from_header("NOPE"), None);
    }
}
