//! Every known header generation of the 16 (+LAB) files, as exporters write them (DOMAIN §1.2):
//! data, one layout a few lines, kept out of rustfmt so a header reads as one list.

use super::{FileKind, FileKind as K, Layout};

const fn l(kind: FileKind, name: &'static str, header: &'static [&'static str]) -> Layout {
    Layout { kind, name, header }
}

const INS: &[Layout] = &[
    l(K::Ins, "classic", &[
        "HN", "INSCL", "SUBTYPE", "CID", "DATEIN", "DATEEXP", "HOSPMAIN", "HOSPSUB", "GOVCODE",
        "GOVNAME", "PERMITNO", "DOCNO", "OWNRPID", "OWNNAME", "AN", "SEQ", "SUBINSCL", "RELINSCL",
        "HTYPE",
    ]),
    l(K::Ins, "hcode", &[
        "HN", "INSCL", "SUBTYPE", "CID", "HCODE", "DATEEXP", "HOSPMAIN", "HOSPSUB", "GOVCODE",
        "GOVNAME", "PERMITNO", "DOCNO", "OWNRPID", "OWNNAME", "AN", "SEQ", "SUBINSCL", "RELINSCL",
        "HTYPE",
    ]),
    // Order of HCODE and DATEIN in the 20-field variant is not documented [I]; we read by name.
    l(K::Ins, "fdh", &[
        "HN", "INSCL", "SUBTYPE", "CID", "HCODE", "DATEIN", "DATEEXP", "HOSPMAIN", "HOSPSUB",
        "GOVCODE", "GOVNAME", "PERMITNO", "DOCNO", "OWNRPID", "OWNNAME", "AN", "SEQ", "SUBINSCL",
        "RELINSCL", "HTYPE",
    ]),
];

const PAT: &[Layout] = &[
    l(K::Pat, "std", &[
        "HCODE", "HN", "CHANGWAT", "AMPHUR", "DOB", "SEX", "MARRIAGE", "OCCUPA", "NATION",
        "PERSON_ID", "NAMEPAT", "TITLE", "FNAME", "LNAME", "IDTYPE",
    ]),
];

const OPD: &[Layout] = &[
    l(K::Opd, "classic", &[
        "HN", "CLINIC", "DATEOPD", "TIMEOPD", "SEQ", "UUC",
    ]),
    l(K::Opd, "fdh", &[
        "HN", "CLINIC", "DATEOPD", "TIMEOPD", "SEQ", "UUC", "DETAIL", "BTEMP", "SBP", "DBP", "PR",
        "RR", "OPTYPE", "TYPEIN", "TYPEOUT",
    ]),
];

const ORF: &[Layout] = &[
    l(K::Orf, "classic", &[
        "HN", "DATEOPD", "CLINIC", "REFER", "REFERTYPE", "SEQ",
    ]),
    l(K::Orf, "fdh", &[
        "HN", "DATEOPD", "CLINIC", "REFER", "REFERTYPE", "SEQ", "REFERDATE",
    ]),
];

const ODX: &[Layout] = &[
    l(K::Odx, "std", &[
        "HN", "DATEDX", "CLINIC", "DIAG", "DXTYPE", "DRDX", "PERSON_ID", "SEQ",
    ]),
];

const OOP: &[Layout] = &[
    l(K::Oop, "classic", &[
        "HN", "DATEOPD", "CLINIC", "OPER", "DROPID", "PERSON_ID", "SEQ",
    ]),
    l(K::Oop, "fdh", &[
        "HN", "DATEOPD", "CLINIC", "OPER", "DROPID", "PERSON_ID", "SEQ", "SERVPRICE",
    ]),
];

const IPD: &[Layout] = &[
    l(K::Ipd, "std", &[
        "HN", "AN", "DATEADM", "TIMEADM", "DATEDSC", "TIMEDSC", "DISCHS", "DISCHT", "WARDDSC",
        "DEPT", "ADM_W", "UUC", "SVCTYPE",
    ]),
];

const IRF: &[Layout] = &[
    l(K::Irf, "std", &[
        "AN", "REFER", "REFERTYPE",
    ]),
];

const IDX: &[Layout] = &[
    l(K::Idx, "std", &[
        "AN", "DIAG", "DXTYPE", "DRDX",
    ]),
];

const IOP: &[Layout] = &[
    l(K::Iop, "std", &[
        "AN", "OPER", "OPTYPE", "DROPID", "DATEIN", "TIMEIN", "DATEOUT", "TIMEOUT",
    ]),
];

const CHT: &[Layout] = &[
    l(K::Cht, "classic", &[
        "HN", "AN", "DATE", "TOTAL", "PAID", "PTTYPE", "PERSON_ID", "SEQ",
    ]),
    l(K::Cht, "fdh", &[
        "HN", "AN", "DATE", "TOTAL", "PAID", "PTTYPE", "PERSON_ID", "SEQ", "OPD_MEMO", "INVOICE_NO",
        "INVOICE_LT",
    ]),
];

const CHA: &[Layout] = &[
    l(K::Cha, "std", &[
        "HN", "AN", "DATE", "CHRGITEM", "AMOUNT", "PERSON_ID", "SEQ",
    ]),
];

const AER: &[Layout] = &[
    l(K::Aer, "std", &[
        "HN", "AN", "DATEOPD", "AUTHAE", "AEDATE", "AETIME", "AETYPE", "REFER_NO", "REFMAINI",
        "IREFTYPE", "REFMAINO", "OREFTYPE", "UCAE", "EMTYPE", "SEQ", "AESTATUS", "DALERT", "TALERT",
    ]),
];

const ADP: &[Layout] = &[
    l(K::Adp, "adp17", &[
        "HN", "AN", "DATEOPD", "TYPE", "CODE", "QTY", "RATE", "SEQ", "CAGCODE", "DOSE", "CA_TYPE",
        "SERIALNO", "TOTCOPAY", "USE_STATUS", "TOTAL", "QTYDAY", "TMLTCODE",
    ]),
    l(K::Adp, "adp26", &[
        "HN", "AN", "DATEOPD", "TYPE", "CODE", "QTY", "RATE", "SEQ", "CAGCODE", "DOSE", "CA_TYPE",
        "SERIALNO", "TOTCOPAY", "USE_STATUS", "TOTAL", "QTYDAY", "TMLTCODE", "STATUS1", "BI",
        "CLINIC", "ITEMSRC", "PROVIDER", "GRAVIDA", "GA_WEEK", "DCIP", "LMP",
    ]),
    l(K::Adp, "adp26_escreen", &[
        "HN", "AN", "DATEOPD", "TYPE", "CODE", "QTY", "RATE", "SEQ", "CAGCODE", "DOSE", "CA_TYPE",
        "SERIALNO", "TOTCOPAY", "USE_STATUS", "TOTAL", "QTYDAY", "TMLTCODE", "STATUS1", "BI",
        "CLINIC", "ITEMSRC", "PROVIDER", "GRAVIDA", "GA_WEEK", "DCIP/E_Screen", "LMP",
    ]),
    // SSS exporters insert BILLMAUD after DATEOPD; the base it was added to is not documented [I].
    l(K::Adp, "sss_billmaud", &[
        "HN", "AN", "DATEOPD", "BILLMAUD", "TYPE", "CODE", "QTY", "RATE", "SEQ", "CAGCODE", "DOSE",
        "CA_TYPE", "SERIALNO", "TOTCOPAY", "USE_STATUS", "TOTAL", "QTYDAY", "TMLTCODE", "STATUS1",
        "BI", "CLINIC", "ITEMSRC", "PROVIDER", "GRAVIDA", "GA_WEEK", "DCIP", "LMP",
    ]),
    l(K::Adp, "fdh", &[
        "HN", "AN", "DATEOPD", "TYPE", "CODE", "QTY", "RATE", "SEQ", "CAGCODE", "DOSE", "CA_TYPE",
        "SERIALNO", "TOTCOPAY", "USE_STATUS", "TOTAL", "QTYDAY", "TMLTCODE", "STATUS1", "BI",
        "CLINIC", "ITEMSRC", "PROVIDER", "GRAVIDA", "GA_WEEK", "DCIP", "LMP", "SP_ITEM",
    ]),
];

const LVD: &[Layout] = &[
    l(K::Lvd, "classic", &[
        "SEQLVD", "AN", "DATEOUT", "TIMEOUT", "DATEIN", "TIMEIN",
    ]),
    l(K::Lvd, "fdh", &[
        "SEQLVD", "AN", "DATEOUT", "TIMEOUT", "DATEIN", "TIMEIN", "QTYDAY",
    ]),
];

const DRU: &[Layout] = &[
    l(K::Dru, "classic", &[
        "HCODE", "HN", "AN", "CLINIC", "PERSON_ID", "DATE_SERV", "DID", "DIDNAME", "AMOUNT",
        "DRUGPRIC", "DRUGCOST", "DIDSTD", "UNIT", "UNIT_PACK", "SEQ", "DRUGREMARK", "PA_NO",
        "TOTCOPAY", "USE_STATUS", "TOTAL", "SIGCODE", "SIGTEXT", "PROVIDER",
    ]),
    l(K::Dru, "drugprice", &[
        "HCODE", "HN", "AN", "CLINIC", "PERSON_ID", "DATE_SERV", "DID", "DIDNAME", "AMOUNT",
        "DRUGPRICE", "DRUGCOST", "DIDSTD", "UNIT", "UNIT_PACK", "SEQ", "DRUGREMARK", "PA_NO",
        "TOTCOPAY", "USE_STATUS", "TOTAL", "SIGCODE", "SIGTEXT", "PROVIDER", "SP_ITEM",
    ]),
    l(K::Dru, "drugtype", &[
        "HCODE", "HN", "AN", "CLINIC", "PERSON_ID", "DATE_SERV", "DID", "DIDNAME", "AMOUNT",
        "DRUGPRIC", "DRUGCOST", "DIDSTD", "UNIT", "UNIT_PACK", "SEQ", "DRUGTYPE", "DRUGREMARK",
        "PA_NO", "TOTCOPAY", "USE_STATUS", "TOTAL", "SIGCODE", "SIGTEXT", "PROVIDER", "SP_ITEM",
    ]),
    l(K::Dru, "fdh", &[
        "HCODE", "HN", "AN", "CLINIC", "PERSON_ID", "DATE_SERV", "DID", "DIDNAME", "AMOUNT",
        "DRUGPRIC", "DRUGCOST", "DIDSTD", "UNIT", "UNIT_PACK", "SEQ", "DRUGREMARK", "PA_NO",
        "TOTCOPAY", "USE_STATUS", "TOTAL", "SIGCODE", "SIGTEXT", "PROVIDER", "SP_ITEM",
    ]),
];

const LAB: &[Layout] = &[
    l(K::Lab, "fdh", &[
        "HCODE", "HN", "PERSON_ID", "DATESERV", "SEQ", "LABTEST", "LABRESULT",
    ]),
];

pub(super) const LAYOUTS: &[(FileKind, &[Layout])] = &[
    (K::Ins, INS),
    (K::Pat, PAT),
    (K::Opd, OPD),
    (K::Orf, ORF),
    (K::Odx, ODX),
    (K::Oop, OOP),
    (K::Ipd, IPD),
    (K::Irf, IRF),
    (K::Idx, IDX),
    (K::Iop, IOP),
    (K::Cht, CHT),
    (K::Cha, CHA),
    (K::Aer, AER),
    (K::Adp, ADP),
    (K::Lvd, LVD),
    (K::Dru, DRU),
    (K::Lab, LAB),
];
