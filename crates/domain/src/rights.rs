//! Rights (สิทธิการรักษา): NHSO main rights (MAININSCL), their 106 sub-rights, and the funds
//! that pay (DOMAIN §3.2).

use std::fmt;
use std::sync::OnceLock;

use crate::embedded::{field, tsv_rows};

/// Declares a fieldless enum whose values are written as fixed codes in data files: `code()`,
/// `parse()` (trimmed, case-insensitive), `ALL`, `Display`, `FromStr`, comparison with `&str`,
/// and serde as the code string.
macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident ($what:literal) {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$( $name::$variant ),+];

            /// The code written in data files.
            pub fn code(self) -> &'static str {
                match self {
                    $( $name::$variant => $code ),+
                }
            }

            /// Reads a code, trimmed and case-insensitive.
            pub fn parse(s: &str) -> Option<$name> {
                let s = s.trim();
                Self::ALL.iter().copied().find(|v| v.code().eq_ignore_ascii_case(s))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.code())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::rights::UnknownCode;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::parse(s).ok_or_else(|| $crate::rights::UnknownCode {
                    what: $what,
                    value: s.trim().to_string(),
                })
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::rights::UnknownCode;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                s.parse()
            }
        }

        impl From<$name> for &'static str {
            fn from(v: $name) -> &'static str {
                v.code()
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.code() == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.code() == *other
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(d)?;
                $name::parse(&s).ok_or_else(|| {
                    ::serde::de::Error::custom($crate::rights::UnknownCode {
                        what: $what,
                        value: s.trim().to_string(),
                    })
                })
            }
        }
    };
}
pub(crate) use code_enum;

/// A code that is not in one of the fixed code sets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} code {value:?}")]
pub struct UnknownCode {
    pub what: &'static str,
    pub value: String,
}

code_enum! {
    /// The group of rights that share a receivable family in the posting map (`posting_map.tsv`).
    pub enum Fund ("fund") {
        /// UCS, WEL, DIS, PUC
        Uc = "UC",
        /// SSS and SSI
        Sss = "SSS",
        Ofc = "OFC",
        Lgo = "LGO",
        /// อปท.รูปแบบพิเศษ: กทม. and พัทยา
        Bkk = "BKK",
        /// NRH (alias NRD)
        Nrh = "NRH",
        Stp = "STP",
        /// เบิกต้นสังกัด
        Gof = "GOF",
        /// เบิกจ่ายตรงหน่วยงานอื่น
        OtherDirect = "OTHER_DIRECT",
        SelfPay = "SELF",
        /// พ.ร.บ.คุ้มครองผู้ประสบภัยจากรถ
        Prb = "PRB",
    }
}

impl Fund {
    pub fn name_th(self) -> &'static str {
        match self {
            Fund::Uc => "หลักประกันสุขภาพแห่งชาติ (UC)",
            Fund::Sss => "ประกันสังคม",
            Fund::Ofc => "ข้าราชการ เบิกจ่ายตรงกรมบัญชีกลาง",
            Fund::Lgo => "เบิกจ่ายตรง อปท.",
            Fund::Bkk => "อปท.รูปแบบพิเศษ (กทม./พัทยา)",
            Fund::Nrh => "คนต่างด้าวและแรงงานต่างด้าว",
            Fund::Stp => "บุคคลที่มีปัญหาสถานะและสิทธิ",
            Fund::Gof => "เบิกต้นสังกัด",
            Fund::OtherDirect => "เบิกจ่ายตรงหน่วยงานอื่น",
            Fund::SelfPay => "ชำระเงินเอง",
            Fund::Prb => "พ.ร.บ.คุ้มครองผู้ประสบภัยจากรถ",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Fund::Uc => "Universal Coverage (UC)",
            Fund::Sss => "Social Security",
            Fund::Ofc => "Civil servants (CSMBS direct billing)",
            Fund::Lgo => "Local government (direct billing)",
            Fund::Bkk => "Special local government (Bangkok, Pattaya)",
            Fund::Nrh => "Foreigners and migrant workers",
            Fund::Stp => "Persons with status and rights problems",
            Fund::Gof => "Billed to the employing agency",
            Fund::OtherDirect => "Direct billing, other agencies",
            Fund::SelfPay => "Self-pay",
            Fund::Prb => "Road Accident Victims Protection Act",
        }
    }
}

/// An NHSO main right (MAININSCL), or a HIS-side payer with no MAININSCL (CSH self-pay,
/// INS road-accident act).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MainRight {
    pub code: &'static str,
    pub name_th: &'static str,
    pub name_en: &'static str,
    pub fund: Fund,
}

const fn mr(
    code: &'static str,
    name_th: &'static str,
    name_en: &'static str,
    fund: Fund,
) -> MainRight {
    MainRight {
        code,
        name_th,
        name_en,
        fund,
    }
}

/// Main rights and the fund each is posted under. The funds of UCS/WEL/DIS/PUC, SSS/SSI, NRH,
/// CSH and INS come from the posting map header; the others are inferred from who pays
/// (DOMAIN §3.2) and are defaults [I]: BKK and PTY → BKK (อปท.รูปแบบพิเศษ, accounts .803/.804);
/// BMT, SRT, PVT and WVO → OTHER_DIRECT (an agency billed directly, .110/.111);
/// GOF, BFC and NHS → GOF (billed to the employing agency, .108/.109).
pub const MAIN_RIGHTS: &[MainRight] = &[
    mr(
        "UCS",
        "สิทธิหลักประกันสุขภาพแห่งชาติ (บัตรทอง)",
        "Universal Coverage Scheme (gold card)",
        Fund::Uc,
    ),
    mr(
        "WEL",
        "สิทธิหลักประกันสุขภาพแห่งชาติ ยกเว้นการร่วมจ่าย",
        "Universal Coverage, exempt from co-payment",
        Fund::Uc,
    ),
    mr(
        "DIS",
        "สิทธิหลักประกันสุขภาพแห่งชาติ (ผู้ประกันตนคนพิการ)",
        "Universal Coverage, disabled insured persons",
        Fund::Uc,
    ),
    mr(
        "PUC",
        "สิทธิหลักประกันสุขภาพแห่งชาติ (PUC)",
        "Universal Coverage (PUC)",
        Fund::Uc,
    ),
    mr(
        "OFC",
        "สิทธิข้าราชการ/เบิกจ่ายตรงกรมบัญชีกลาง",
        "Civil Servant Medical Benefit Scheme (CSMBS)",
        Fund::Ofc,
    ),
    mr(
        "LGO",
        "สิทธิสวัสดิการพนักงานส่วนท้องถิ่น (อปท.)",
        "Local government officers",
        Fund::Lgo,
    ),
    mr(
        "BKK",
        "สิทธิเบิกจ่ายตรงกรุงเทพมหานคร",
        "Bangkok Metropolitan Administration",
        Fund::Bkk,
    ),
    mr(
        "BMT",
        "สิทธิเบิกจ่ายตรงองค์การขนส่งมวลชนกรุงเทพ (ขสมก.)",
        "Bangkok Mass Transit Authority",
        Fund::OtherDirect,
    ),
    mr(
        "SRT",
        "สิทธิเบิกจ่ายตรงการรถไฟแห่งประเทศไทย (รฟท.)",
        "State Railway of Thailand",
        Fund::OtherDirect,
    ),
    mr("PTY", "สิทธิเบิกจ่ายตรงเมืองพัทยา", "Pattaya City", Fund::Bkk),
    mr("SSS", "สิทธิประกันสังคม", "Social Security", Fund::Sss),
    mr(
        "SSI",
        "สิทธิประกันสังคม (ทุพพลภาพ)",
        "Social Security, permanently disabled",
        Fund::Sss,
    ),
    mr(
        "STP",
        "บุคคลที่มีปัญหาสถานะและสิทธิ",
        "Persons with status and rights problems",
        Fund::Stp,
    ),
    mr(
        "NRH",
        "สิทธิประกันสุขภาพคนต่างด้าวและแรงงานต่างด้าว",
        "Foreigners and migrant workers (MoPH health insurance)",
        Fund::Nrh,
    ),
    mr(
        "PVT",
        "สิทธิครูเอกชน",
        "Private school teachers",
        Fund::OtherDirect,
    ),
    mr(
        "GOF",
        "สิทธิเบิกหน่วยงานรัฐอื่น",
        "Other government agencies",
        Fund::Gof,
    ),
    mr(
        "BFC",
        "สิทธิข้าราชการการเมือง",
        "Political office holders",
        Fund::Gof,
    ),
    mr(
        "WVO",
        "สิทธิองค์การสงเคราะห์ทหารผ่านศึก",
        "War Veterans Organization",
        Fund::OtherDirect,
    ),
    mr("NHS", "สิทธิเจ้าหน้าที่ สปสช.", "NHSO staff", Fund::Gof),
    mr("CSH", "ชำระเงินเอง", "Self-pay", Fund::SelfPay),
    mr(
        "INS",
        "พ.ร.บ.คุ้มครองผู้ประสบภัยจากรถ",
        "Road Accident Victims Protection Act",
        Fund::Prb,
    ),
];

/// Looks up a main right by code, trimmed and case-insensitive. `NRD` (the FDHC spelling) is
/// an alias of `NRH`.
pub fn main_right(code: &str) -> Option<&'static MainRight> {
    let c = code.trim();
    let c = if c.eq_ignore_ascii_case("NRD") {
        "NRH"
    } else {
        c
    };
    MAIN_RIGHTS.iter().find(|m| m.code.eq_ignore_ascii_case(c))
}

/// An NHSO sub-right (สิทธิย่อย) from `nhso_subinscl.tsv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubRight {
    /// MAININSCL code, e.g. `WEL`.
    pub main: String,
    /// Sub-right code, e.g. `74`, `O1`, `S6`.
    pub code: String,
    pub name: String,
    /// Expiry rule as published (Thai), `Noexp`, or empty when the list gives none.
    pub expiry_rule: String,
}

impl SubRight {
    pub fn main_right(&self) -> Option<&'static MainRight> {
        main_right(&self.main)
    }

    /// True when the list marks the right as not expiring (`Noexp`).
    pub fn never_expires(&self) -> bool {
        self.expiry_rule.eq_ignore_ascii_case("noexp")
    }
}

/// The 106 NHSO sub-rights, in file order.
pub fn sub_rights() -> &'static [SubRight] {
    static TABLE: OnceLock<Vec<SubRight>> = OnceLock::new();
    TABLE.get_or_init(|| {
        tsv_rows(include_str!("../data/nhso_subinscl.tsv"))
            .map(|f| SubRight {
                main: field(&f, 0),
                code: field(&f, 1),
                name: field(&f, 2),
                expiry_rule: field(&f, 3),
            })
            .collect()
    })
}

/// Looks up a sub-right by its code (trimmed, case-insensitive; codes are unique in the list).
pub fn sub_right(code: &str) -> Option<&'static SubRight> {
    let c = code.trim();
    sub_rights().iter().find(|s| s.code.eq_ignore_ascii_case(c))
}

/// The sub-rights of one main right, in file order.
pub fn sub_rights_of(main: &str) -> impl Iterator<Item = &'static SubRight> {
    let code = main_right(main).map(|m| m.code);
    sub_rights()
        .iter()
        .filter(move |s| Some(s.main.as_str()) == code)
}

/// INSCL of the HIS `pttype` codes fixed by the FDH table SV_CHT_PTTYPE (DOMAIN §1.4): A2–A6 →
/// OFC, A7 → SSS, AA–AK and UC → UCS. Also A1 → CSH (self-pay) and A9 → INS (road-accident
/// act) from the HIS-side row of §3.2 [I]. Every other pttype is hospital-local: map it through
/// the hospital's own `pttype.hipdata_code`.
pub fn inscl_of_pttype(pttype: &str) -> Option<&'static str> {
    match pttype.trim().to_ascii_uppercase().as_str() {
        "A1" => Some("CSH"),
        "A2" | "A3" | "A4" | "A5" | "A6" => Some("OFC"),
        "A7" => Some("SSS"),
        "A9" => Some("INS"),
        "AA" | "AB" | "AC" | "AD" | "AE" | "AF" | "AG" | "AH" | "AI" | "AJ" | "AK" | "UC" => {
            Some("UCS")
        }
        _ => None,
    }
}

impl fmt::Display for MainRight {
    /// `UCS สิทธิหลักประกันสุขภาพแห่งชาติ (บัตรทอง)`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code, self.name_th)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_rights_table_is_complete_and_points_at_known_main_rights() {
        let all = sub_rights();
        assert_eq!(all.len(), 106);
        for s in all {
            assert!(s.main_right().is_some(), "{} of {}", s.main, s.code);
            assert!(!s.code.is_empty() && !s.name.is_empty(), "{s:?}");
        }
        let mut codes: Vec<&str> = all.iter().map(|s| s.code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), 106, "sub-right codes are unique");
        let s89 = sub_right(" 89 ").unwrap();
        assert_eq!(s89.main, "UCS");
        assert_eq!(s89.name, "ช่วงอายุ 12-59 ปี");
        assert_eq!(sub_right("s6").unwrap().main, "SSI");
        assert_eq!(
            sub_right("D1").unwrap().main_right().unwrap().fund,
            Fund::Uc
        );
        assert_eq!(sub_right("A1").unwrap().main, "BFC");
        assert!(sub_right("ZZ").is_none());
        assert_eq!(sub_rights_of("OFC").count(), 30);
        assert_eq!(sub_rights_of("WEL").count(), 41);
        assert_eq!(sub_rights_of("NRD").count(), 5);
        assert!(sub_rights().iter().any(SubRight::never_expires));
    }

    #[test]
    fn main_rights() {
        for code in [
            "UCS", "WEL", "DIS", "PUC", "OFC", "LGO", "BKK", "BMT", "SRT", "PTY", "SSS", "SSI",
            "STP", "NRH", "PVT", "GOF", "BFC", "WVO", "NHS", "CSH", "INS",
        ] {
            let m = main_right(code).unwrap_or_else(|| panic!("{code}"));
            assert_eq!(m.code, code);
            assert!(!m.name_th.is_empty() && !m.name_en.is_empty());
        }
        assert_eq!(MAIN_RIGHTS.len(), 21);
        assert_eq!(main_right(" ucs ").unwrap().fund, Fund::Uc);
        assert_eq!(main_right("NRD").unwrap().code, "NRH");
        assert_eq!(main_right("SSI").unwrap().fund, Fund::Sss);
        assert_eq!(main_right("PTY").unwrap().fund, Fund::Bkk);
        assert_eq!(main_right("CSH").unwrap().fund, Fund::SelfPay);
        assert_eq!(main_right("INS").unwrap().fund, Fund::Prb);
        assert!(main_right("XYZ").is_none());
        assert_eq!(main_right("SSS").unwrap().to_string(), "SSS สิทธิประกันสังคม");
        // Every fund is reachable from some main right except none: all 11 are used.
        for f in Fund::ALL {
            assert!(MAIN_RIGHTS.iter().any(|m| m.fund == *f), "{f}");
        }
    }

    #[test]
    fn fund_codes() {
        assert_eq!(Fund::ALL.len(), 11);
        for &f in Fund::ALL {
            assert_eq!(Fund::parse(f.code()), Some(f));
            assert_eq!(f.to_string().parse::<Fund>(), Ok(f));
            assert!(!f.name_th().is_empty() && !f.name_en().is_empty());
        }
        assert_eq!(Fund::parse(" other_direct "), Some(Fund::OtherDirect));
        assert_eq!(Fund::parse("SELF"), Some(Fund::SelfPay));
        assert_eq!(Fund::parse("UCS"), None);
        let err = "XX".parse::<Fund>().unwrap_err();
        assert_eq!(err.to_string(), "unknown fund code \"XX\"");
        assert!(Fund::Uc == "UC");
        assert_eq!(<&str>::from(Fund::Prb), "PRB");
    }

    #[test]
    fn pttypes() {
        assert_eq!(inscl_of_pttype("A2"), Some("OFC"));
        assert_eq!(inscl_of_pttype("a6"), Some("OFC"));
        assert_eq!(inscl_of_pttype("A7"), Some("SSS"));
        assert_eq!(inscl_of_pttype("AK"), Some("UCS"));
        assert_eq!(inscl_of_pttype(" uc "), Some("UCS"));
        assert_eq!(inscl_of_pttype("A1"), Some("CSH"));
        assert_eq!(inscl_of_pttype("A9"), Some("INS"));
        assert_eq!(inscl_of_pttype("A8"), None);
        assert_eq!(inscl_of_pttype("AL"), None);
        assert_eq!(inscl_of_pttype("10"), None);
        for p in ["A1", "A2", "A7", "A9", "AA", "UC"] {
            assert!(main_right(inscl_of_pttype(p).unwrap()).is_some());
        }
    }
}
