//! Typed records, one struct per file. Each field is mapped to its column by name, so every header
//! generation reads into the same struct; columns a generation lacks read as blank.

use chrono::{NaiveDate, NaiveTime};
use raidai_domain::ids::{An, Hcode, Hn, Vn};
use raidai_domain::money::Satang;

pub use crate::field::{
    AeType, ChargeCategory, ChargeItem, Clinic, Digits, Digits2, Digits3, Dischs, Discht, DxType,
    Htype, Icd9cm, Icd10, IdType, Inscl, LabTest, Marriage, Num, OpdType, PersonId, ProcType,
    ReferType, Sex, SvcType, Text, TypeIn, TypeOut, Ucae, UseStatus, Uuc,
};
use crate::field::{Field, FieldError};
use crate::kind::{Col, FileKind};
use crate::reject::RejectCode;

/// A record of one of the files: knows its kind and writes any of its columns.
pub trait Record: Clone + PartialEq + std::fmt::Debug {
    const KIND: FileKind;
    /// Appends the file form of `col` (nothing for a blank value or a foreign column).
    fn write_col(&self, col: Col, out: &mut String);
}

/// The fields of one line, addressed by column.
pub(crate) struct Row<'a> {
    pub fields: &'a [&'a str],
    pub map: &'a ColumnMap,
}

impl Row<'_> {
    pub fn raw(&self, col: Col) -> &str {
        self.map
            .index(col)
            .and_then(|i| self.fields.get(i))
            .map(|s| s.trim())
            .unwrap_or("")
    }
    /// A key (HN, SEQ, AN) trimmed of ASCII spaces only, as pass 2 reads keys from the raw
    /// bytes: a key padded with another space (a no-break space) is refused in both passes.
    pub fn key(&self, col: Col) -> &str {
        self.map
            .index(col)
            .and_then(|i| self.fields.get(i))
            .map(|s| s.trim_matches(|c: char| c.is_ascii_whitespace()))
            .unwrap_or("")
    }
}

/// Column → position in a file, built from its header line.
#[derive(Debug, Clone)]
pub(crate) struct ColumnMap {
    idx: Vec<Option<u16>>,
    pub width: usize,
}

impl ColumnMap {
    pub fn new(cols: &[Option<Col>]) -> ColumnMap {
        let mut idx = vec![None; Col::ALL.len()];
        for (i, c) in cols.iter().enumerate() {
            if let Some(c) = c
                && idx[*c as usize].is_none()
            {
                idx[*c as usize] = Some(i as u16);
            }
        }
        ColumnMap {
            idx,
            width: cols.len(),
        }
    }
    pub fn index(&self, col: Col) -> Option<usize> {
        self.idx[col as usize].map(usize::from)
    }
    pub fn has(&self, col: Col) -> bool {
        self.idx[col as usize].is_some()
    }
}

pub(crate) type FieldErrors = Vec<(Col, FieldError)>;

fn get<T: Field>(row: &Row<'_>, col: Col, errs: &mut FieldErrors) -> Option<T> {
    let raw = row.raw(col);
    if raw.is_empty() {
        let v = T::blank();
        if v.is_none() {
            errs.push((
                col,
                FieldError::new(
                    RejectCode::Required,
                    format!("ไม่มีข้อมูล {col} ซึ่งจำเป็น"),
                    format!("{col} is required"),
                ),
            ));
        }
        return v;
    }
    match T::parse(raw) {
        Ok(v) => Some(v),
        // A field the record can do without is read as blank when it cannot be read: the
        // record (and its visit) is kept, the field reported. Never for the keys, the
        // discharge date (when an admission is recognised) or an amount. (A visit that lost a
        // field the posting classifies by waits unposted: `RefusedLine::classifying`.)
        Err(mut e)
            if T::may_blank() && !matches!(col, Col::HN | Col::SEQ | Col::AN | Col::DATEDSC) =>
        {
            let blank = T::blank();
            e.blanked = blank.is_some();
            errs.push((col, e));
            blank
        }
        Err(e) => {
            errs.push((col, e));
            None
        }
    }
}

/// Parsing side of [`Record`], kept inside the crate.
pub(crate) trait ParseRecord: Record + Sized {
    fn parse(row: &Row<'_>, errs: &mut FieldErrors) -> Option<Self>;
    /// Columns that must not be blank.
    fn required_columns() -> Vec<Col>;
}

macro_rules! record {
    ($(#[$m:meta])* $name:ident, $kind:ident, checks = $checks:path,
     { $($(#[$fm:meta])* $field:ident : $ty:ty = $col:ident),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name {
            $($(#[$fm])* pub $field: $ty,)*
        }

        impl Record for $name {
            const KIND: FileKind = FileKind::$kind;
            fn write_col(&self, col: Col, out: &mut String) {
                match col {
                    $(Col::$col => Field::write(&self.$field, out),)*
                    _ => {}
                }
            }
        }

        impl ParseRecord for $name {
            fn parse(row: &Row<'_>, errs: &mut FieldErrors) -> Option<Self> {
                $(let $field = get::<$ty>(row, Col::$col, errs);)*
                let rec = $name { $($field: $field?,)* };
                let before = errs.len();
                $checks(&rec, errs);
                (errs.len() == before).then_some(rec)
            }
            fn required_columns() -> Vec<Col> {
                let mut v = Vec::new();
                $(if <$ty as Field>::blank().is_none() { v.push(Col::$col); })*
                v
            }
        }
    };
}

fn no_checks<T>(_: &T, _: &mut FieldErrors) {}

fn date_order(
    errs: &mut FieldErrors,
    start: (NaiveDate, Option<NaiveTime>),
    end: (NaiveDate, Option<NaiveTime>),
    end_col: Col,
    what_th: &str,
    what_en: &str,
) {
    let later = match (start.1, end.1) {
        (Some(a), Some(b)) => start.0.and_time(a) > end.0.and_time(b),
        _ => start.0 > end.0,
    };
    if later {
        errs.push((
            end_col,
            FieldError::new(
                RejectCode::BadDate,
                format!("{what_th}ก่อนวันเริ่ม"),
                format!("{what_en} is before the start"),
            ),
        ));
    }
}

record!(
    /// INS: the right used for one visit or admission.
    InsRecord, Ins, checks = no_checks,
    {
        hn: Hn = HN,
        inscl: Inscl = INSCL,
        subtype: String = SUBTYPE,
        cid: Option<PersonId> = CID,
        /// Present in the `hcode` and `fdh` generations.
        hcode: Option<Hcode> = HCODE,
        /// Present in the `classic` and `fdh` generations.
        datein: Option<NaiveDate> = DATEIN,
        dateexp: Option<NaiveDate> = DATEEXP,
        hospmain: Option<Hcode> = HOSPMAIN,
        hospsub: Option<Hcode> = HOSPSUB,
        govcode: String = GOVCODE,
        govname: String = GOVNAME,
        /// Authen/Claim code for UC (`PP` + 10 digits), approval code for OFC.
        permitno: String = PERMITNO,
        docno: String = DOCNO,
        ownrpid: Option<PersonId> = OWNRPID,
        ownname: String = OWNNAME,
        an: Option<An> = AN,
        seq: Option<Vn> = SEQ,
        subinscl: String = SUBINSCL,
        relinscl: String = RELINSCL,
        htype: Option<Htype> = HTYPE,
    }
);

impl InsRecord {
    /// The Authen code, when PERMITNO holds one (`PP…`/`EP…`); blank or another kind of
    /// approval number gives `None`.
    pub fn authen_code(&self) -> Option<&str> {
        let p = self.permitno.as_str();
        (p.len() == 12
            && (p.starts_with("PP") || p.starts_with("EP"))
            && p[2..].bytes().all(|b| b.is_ascii_digit()))
        .then_some(p)
    }
}

record!(
    /// PAT: one patient.
    PatRecord, Pat, checks = no_checks,
    {
        hcode: Hcode = HCODE,
        hn: Hn = HN,
        changwat: Option<Digits2> = CHANGWAT,
        amphur: Option<Digits2> = AMPHUR,
        dob: Option<NaiveDate> = DOB,
        sex: Option<Sex> = SEX,
        marriage: Option<Marriage> = MARRIAGE,
        occupa: Option<Digits> = OCCUPA,
        nation: Option<Digits3> = NATION,
        person_id: Option<PersonId> = PERSON_ID,
        namepat: String = NAMEPAT,
        title: String = TITLE,
        fname: String = FNAME,
        lname: String = LNAME,
        idtype: Option<IdType> = IDTYPE,
    }
);

record!(
    /// OPD: one outpatient visit (HN + SEQ).
    OpdRecord, Opd, checks = no_checks,
    {
        hn: Hn = HN,
        clinic: Option<Clinic> = CLINIC,
        dateopd: NaiveDate = DATEOPD,
        /// Not needed to know the visit: a blank or unreadable time is kept as blank.
        timeopd: Option<NaiveTime> = TIMEOPD,
        seq: Vn = SEQ,
        uuc: Option<Uuc> = UUC,
        detail: String = DETAIL,
        btemp: Option<Num> = BTEMP,
        sbp: Option<Num> = SBP,
        dbp: Option<Num> = DBP,
        pr: Option<Num> = PR,
        rr: Option<Num> = RR,
        optype: Option<OpdType> = OPTYPE,
        typein: Option<TypeIn> = TYPEIN,
        typeout: Option<TypeOut> = TYPEOUT,
    }
);

record!(
    /// ORF: an outpatient refer.
    OrfRecord, Orf, checks = no_checks,
    {
        hn: Hn = HN,
        dateopd: NaiveDate = DATEOPD,
        clinic: Option<Clinic> = CLINIC,
        refer: Hcode = REFER,
        refertype: ReferType = REFERTYPE,
        seq: Vn = SEQ,
        referdate: Option<NaiveDate> = REFERDATE,
    }
);

record!(
    /// ODX: an outpatient diagnosis.
    OdxRecord, Odx, checks = no_checks,
    {
        hn: Hn = HN,
        datedx: NaiveDate = DATEDX,
        clinic: Option<Clinic> = CLINIC,
        diag: Icd10 = DIAG,
        dxtype: DxType = DXTYPE,
        drdx: String = DRDX,
        person_id: Option<PersonId> = PERSON_ID,
        seq: Vn = SEQ,
    }
);

record!(
    /// OOP: an outpatient procedure.
    OopRecord, Oop, checks = no_checks,
    {
        hn: Hn = HN,
        dateopd: NaiveDate = DATEOPD,
        clinic: Option<Clinic> = CLINIC,
        oper: Icd9cm = OPER,
        dropid: String = DROPID,
        person_id: Option<PersonId> = PERSON_ID,
        seq: Vn = SEQ,
        servprice: Option<Satang> = SERVPRICE,
    }
);

fn ipd_checks(r: &IpdRecord, errs: &mut FieldErrors) {
    // A blank DATEDSC is an admission still in hospital: kept, and not posted until discharge.
    if let Some(datedsc) = r.datedsc {
        date_order(
            errs,
            (r.dateadm, r.timeadm),
            (datedsc, r.timedsc),
            Col::DATEDSC,
            "วันจำหน่าย",
            "discharge",
        );
    }
}

record!(
    /// IPD: one admission (AN).
    IpdRecord, Ipd, checks = ipd_checks,
    {
        hn: Hn = HN,
        an: An = AN,
        dateadm: NaiveDate = DATEADM,
        timeadm: Option<NaiveTime> = TIMEADM,
        /// Blank while the patient is still in hospital.
        datedsc: Option<NaiveDate> = DATEDSC,
        timedsc: Option<NaiveTime> = TIMEDSC,
        /// Blank while in hospital, like DATEDSC (and in some exports after discharge too).
        dischs: Option<Dischs> = DISCHS,
        discht: Option<Discht> = DISCHT,
        warddsc: String = WARDDSC,
        dept: String = DEPT,
        /// Admission weight in kg, as written (`0.000`).
        adm_w: Option<Num> = ADM_W,
        uuc: Option<Uuc> = UUC,
        svctype: Option<SvcType> = SVCTYPE,
    }
);

record!(
    /// IRF: an inpatient refer.
    IrfRecord, Irf, checks = no_checks,
    {
        an: An = AN,
        refer: Hcode = REFER,
        refertype: ReferType = REFERTYPE,
    }
);

record!(
    /// IDX: an inpatient diagnosis.
    IdxRecord, Idx, checks = no_checks,
    {
        an: An = AN,
        diag: Icd10 = DIAG,
        dxtype: DxType = DXTYPE,
        drdx: String = DRDX,
    }
);

fn iop_checks(r: &IopRecord, errs: &mut FieldErrors) {
    if let (Some(a), Some(b)) = (r.datein, r.dateout) {
        date_order(
            errs,
            (a, r.timein),
            (b, r.timeout),
            Col::DATEOUT,
            "วันสิ้นสุดหัตถการ",
            "procedure end",
        );
    }
}

record!(
    /// IOP: an inpatient procedure.
    IopRecord, Iop, checks = iop_checks,
    {
        an: An = AN,
        oper: Icd9cm = OPER,
        optype: ProcType = OPTYPE,
        dropid: String = DROPID,
        datein: Option<NaiveDate> = DATEIN,
        timein: Option<NaiveTime> = TIMEIN,
        dateout: Option<NaiveDate> = DATEOUT,
        timeout: Option<NaiveTime> = TIMEOUT,
    }
);

record!(
    /// CHT: the bill (ใบแจ้งหนี้รวม) of a visit or admission.
    ChtRecord, Cht, checks = no_checks,
    {
        hn: Hn = HN,
        an: Option<An> = AN,
        /// The bill's date; not needed to know the bill (the visit has its own).
        date: Option<NaiveDate> = DATE,
        total: Satang = TOTAL,
        paid: Satang = PAID,
        /// The HIS pttype code (`UA`, `A2`, …), not INSCL.
        pttype: String = PTTYPE,
        person_id: Option<PersonId> = PERSON_ID,
        seq: Option<Vn> = SEQ,
        opd_memo: String = OPD_MEMO,
        invoice_no: String = INVOICE_NO,
        invoice_lt: String = INVOICE_LT,
    }
);

record!(
    /// CHA: charges of one CHRGITEM category.
    ChaRecord, Cha, checks = no_checks,
    {
        hn: Hn = HN,
        an: Option<An> = AN,
        date: NaiveDate = DATE,
        chrgitem: ChargeItem = CHRGITEM,
        amount: Satang = AMOUNT,
        person_id: Option<PersonId> = PERSON_ID,
        seq: Option<Vn> = SEQ,
    }
);

record!(
    /// AER: accident, emergency and refer details.
    AerRecord, Aer, checks = no_checks,
    {
        hn: Hn = HN,
        an: Option<An> = AN,
        dateopd: Option<NaiveDate> = DATEOPD,
        authae: String = AUTHAE,
        aedate: Option<NaiveDate> = AEDATE,
        aetime: Option<NaiveTime> = AETIME,
        aetype: Option<AeType> = AETYPE,
        refer_no: String = REFER_NO,
        refmaini: Option<Hcode> = REFMAINI,
        ireftype: String = IREFTYPE,
        refmaino: Option<Hcode> = REFMAINO,
        oreftype: String = OREFTYPE,
        ucae: Option<Ucae> = UCAE,
        emtype: String = EMTYPE,
        seq: Option<Vn> = SEQ,
        aestatus: String = AESTATUS,
        dalert: Option<NaiveDate> = DALERT,
        talert: Option<NaiveTime> = TALERT,
    }
);

record!(
    /// ADP: an additional item (device, fee-schedule service, …).
    AdpRecord, Adp, checks = no_checks,
    {
        hn: Hn = HN,
        an: Option<An> = AN,
        dateopd: NaiveDate = DATEOPD,
        /// SSS variant only.
        billmaud: String = BILLMAUD,
        item_type: Digits = TYPE,
        code: Text = CODE,
        qty: Num = QTY,
        rate: Satang = RATE,
        seq: Option<Vn> = SEQ,
        cagcode: String = CAGCODE,
        dose: String = DOSE,
        ca_type: String = CA_TYPE,
        serialno: String = SERIALNO,
        totcopay: Option<Satang> = TOTCOPAY,
        use_status: Option<UseStatus> = USE_STATUS,
        total: Option<Satang> = TOTAL,
        qtyday: Option<Digits> = QTYDAY,
        tmltcode: String = TMLTCODE,
        status1: String = STATUS1,
        bi: String = BI,
        clinic: Option<Clinic> = CLINIC,
        itemsrc: String = ITEMSRC,
        provider: String = PROVIDER,
        gravida: Option<Digits> = GRAVIDA,
        ga_week: Option<Digits> = GA_WEEK,
        /// `DCIP` or `DCIP/E_Screen`.
        dcip: String = DCIP,
        lmp: Option<NaiveDate> = LMP,
        sp_item: String = SP_ITEM,
    }
);

fn lvd_checks(r: &LvdRecord, errs: &mut FieldErrors) {
    date_order(
        errs,
        (r.dateout, Some(r.timeout)),
        (r.datein, Some(r.timein)),
        Col::DATEIN,
        "วันกลับจากลา",
        "return from leave",
    );
}

record!(
    /// LVD: a leave day (ลากลับบ้าน) during an admission.
    LvdRecord, Lvd, checks = lvd_checks,
    {
        seqlvd: Text = SEQLVD,
        an: An = AN,
        dateout: NaiveDate = DATEOUT,
        timeout: NaiveTime = TIMEOUT,
        datein: NaiveDate = DATEIN,
        timein: NaiveTime = TIMEIN,
        qtyday: Option<Digits> = QTYDAY,
    }
);

record!(
    /// DRU: one drug dispensed.
    DruRecord, Dru, checks = no_checks,
    {
        hcode: Hcode = HCODE,
        hn: Hn = HN,
        an: Option<An> = AN,
        clinic: Option<Clinic> = CLINIC,
        person_id: Option<PersonId> = PERSON_ID,
        date_serv: NaiveDate = DATE_SERV,
        did: Text = DID,
        didname: String = DIDNAME,
        /// Quantity, as written.
        amount: Num = AMOUNT,
        /// Unit price (`DRUGPRIC` or `DRUGPRICE`).
        drugpric: Option<Satang> = DRUGPRIC,
        drugcost: Option<Satang> = DRUGCOST,
        didstd: String = DIDSTD,
        unit: String = UNIT,
        unit_pack: String = UNIT_PACK,
        seq: Option<Vn> = SEQ,
        drugtype: String = DRUGTYPE,
        drugremark: String = DRUGREMARK,
        pa_no: String = PA_NO,
        totcopay: Option<Satang> = TOTCOPAY,
        use_status: Option<UseStatus> = USE_STATUS,
        total: Option<Satang> = TOTAL,
        sigcode: String = SIGCODE,
        sigtext: String = SIGTEXT,
        provider: String = PROVIDER,
        sp_item: String = SP_ITEM,
    }
);

record!(
    /// LAB (FDH 17th file): one lab result of an OP visit.
    LabRecord, Lab, checks = no_checks,
    {
        hcode: Hcode = HCODE,
        hn: Hn = HN,
        person_id: Option<PersonId> = PERSON_ID,
        dateserv: NaiveDate = DATESERV,
        seq: Vn = SEQ,
        labtest: LabTest = LABTEST,
        labresult: String = LABRESULT,
    }
);

/// Columns a file needs to link its lines to visits (DOMAIN §1.3). A file whose header lacks
/// all of one group cannot be attributed at all.
pub(crate) fn key_columns(kind: FileKind) -> &'static [&'static [Col]] {
    use FileKind as K;
    match kind {
        K::Ins | K::Cht | K::Cha | K::Aer | K::Adp | K::Dru => &[&[Col::HN], &[Col::SEQ, Col::AN]],
        K::Pat => &[&[Col::HN]],
        K::Opd | K::Orf | K::Odx | K::Oop | K::Lab => &[&[Col::HN], &[Col::SEQ]],
        K::Ipd => &[&[Col::HN], &[Col::AN]],
        K::Irf | K::Idx | K::Iop | K::Lvd => &[&[Col::AN]],
    }
}

/// Required columns of `kind`, as the parser enforces them.
pub(crate) fn required_columns(kind: FileKind) -> Vec<Col> {
    use FileKind as K;
    match kind {
        K::Ins => InsRecord::required_columns(),
        K::Pat => PatRecord::required_columns(),
        K::Opd => OpdRecord::required_columns(),
        K::Orf => OrfRecord::required_columns(),
        K::Odx => OdxRecord::required_columns(),
        K::Oop => OopRecord::required_columns(),
        K::Ipd => IpdRecord::required_columns(),
        K::Irf => IrfRecord::required_columns(),
        K::Idx => IdxRecord::required_columns(),
        K::Iop => IopRecord::required_columns(),
        K::Cht => ChtRecord::required_columns(),
        K::Cha => ChaRecord::required_columns(),
        K::Aer => AerRecord::required_columns(),
        K::Adp => AdpRecord::required_columns(),
        K::Lvd => LvdRecord::required_columns(),
        K::Dru => DruRecord::required_columns(),
        K::Lab => LabRecord::required_columns(),
    }
}

/// Any parsed record, for callers that want lines rather than assembled visits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnyRecord {
    Ins(InsRecord),
    Pat(PatRecord),
    Opd(OpdRecord),
    Orf(OrfRecord),
    Odx(OdxRecord),
    Oop(OopRecord),
    Ipd(IpdRecord),
    Irf(IrfRecord),
    Idx(IdxRecord),
    Iop(IopRecord),
    Cht(ChtRecord),
    Cha(ChaRecord),
    Aer(AerRecord),
    Adp(AdpRecord),
    Lvd(LvdRecord),
    Dru(DruRecord),
    Lab(LabRecord),
}

impl AnyRecord {
    pub(crate) fn parse(
        kind: FileKind,
        row: &Row<'_>,
        errs: &mut FieldErrors,
    ) -> Option<AnyRecord> {
        use FileKind as K;
        Some(match kind {
            K::Ins => AnyRecord::Ins(InsRecord::parse(row, errs)?),
            K::Pat => AnyRecord::Pat(PatRecord::parse(row, errs)?),
            K::Opd => AnyRecord::Opd(OpdRecord::parse(row, errs)?),
            K::Orf => AnyRecord::Orf(OrfRecord::parse(row, errs)?),
            K::Odx => AnyRecord::Odx(OdxRecord::parse(row, errs)?),
            K::Oop => AnyRecord::Oop(OopRecord::parse(row, errs)?),
            K::Ipd => AnyRecord::Ipd(IpdRecord::parse(row, errs)?),
            K::Irf => AnyRecord::Irf(IrfRecord::parse(row, errs)?),
            K::Idx => AnyRecord::Idx(IdxRecord::parse(row, errs)?),
            K::Iop => AnyRecord::Iop(IopRecord::parse(row, errs)?),
            K::Cht => AnyRecord::Cht(ChtRecord::parse(row, errs)?),
            K::Cha => AnyRecord::Cha(ChaRecord::parse(row, errs)?),
            K::Aer => AnyRecord::Aer(AerRecord::parse(row, errs)?),
            K::Adp => AnyRecord::Adp(AdpRecord::parse(row, errs)?),
            K::Lvd => AnyRecord::Lvd(LvdRecord::parse(row, errs)?),
            K::Dru => AnyRecord::Dru(DruRecord::parse(row, errs)?),
            K::Lab => AnyRecord::Lab(LabRecord::parse(row, errs)?),
        })
    }

    pub fn kind(&self) -> FileKind {
        match self {
            AnyRecord::Ins(_) => FileKind::Ins,
            AnyRecord::Pat(_) => FileKind::Pat,
            AnyRecord::Opd(_) => FileKind::Opd,
            AnyRecord::Orf(_) => FileKind::Orf,
            AnyRecord::Odx(_) => FileKind::Odx,
            AnyRecord::Oop(_) => FileKind::Oop,
            AnyRecord::Ipd(_) => FileKind::Ipd,
            AnyRecord::Irf(_) => FileKind::Irf,
            AnyRecord::Idx(_) => FileKind::Idx,
            AnyRecord::Iop(_) => FileKind::Iop,
            AnyRecord::Cht(_) => FileKind::Cht,
            AnyRecord::Cha(_) => FileKind::Cha,
            AnyRecord::Aer(_) => FileKind::Aer,
            AnyRecord::Adp(_) => FileKind::Adp,
            AnyRecord::Lvd(_) => FileKind::Lvd,
            AnyRecord::Dru(_) => FileKind::Dru,
            AnyRecord::Lab(_) => FileKind::Lab,
        }
    }

    pub fn write_col(&self, col: Col, out: &mut String) {
        match self {
            AnyRecord::Ins(r) => r.write_col(col, out),
            AnyRecord::Pat(r) => r.write_col(col, out),
            AnyRecord::Opd(r) => r.write_col(col, out),
            AnyRecord::Orf(r) => r.write_col(col, out),
            AnyRecord::Odx(r) => r.write_col(col, out),
            AnyRecord::Oop(r) => r.write_col(col, out),
            AnyRecord::Ipd(r) => r.write_col(col, out),
            AnyRecord::Irf(r) => r.write_col(col, out),
            AnyRecord::Idx(r) => r.write_col(col, out),
            AnyRecord::Iop(r) => r.write_col(col, out),
            AnyRecord::Cht(r) => r.write_col(col, out),
            AnyRecord::Cha(r) => r.write_col(col, out),
            AnyRecord::Aer(r) => r.write_col(col, out),
            AnyRecord::Adp(r) => r.write_col(col, out),
            AnyRecord::Lvd(r) => r.write_col(col, out),
            AnyRecord::Dru(r) => r.write_col(col, out),
            AnyRecord::Lab(r) => r.write_col(col, out),
        }
    }
}
