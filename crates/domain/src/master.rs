//! Master data vocabulary: unit types, peer groups and user roles.

use serde::{Deserialize, Serialize};

/// Kind of service unit, as MoPH names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UnitType {
    /// โรงพยาบาลศูนย์ (regional hospital)
    Rps,
    /// โรงพยาบาลทั่วไป (general hospital)
    Rpt,
    /// โรงพยาบาลชุมชน (community hospital)
    Rpch,
    /// โรงพยาบาลส่งเสริมสุขภาพตำบล (sub-district health promoting hospital)
    Rpst,
    /// สำนักงานสาธารณสุขอำเภอ (district health office)
    Sso,
}

impl UnitType {
    pub const ALL: [UnitType; 5] = [Self::Rps, Self::Rpt, Self::Rpch, Self::Rpst, Self::Sso];

    pub fn code(self) -> &'static str {
        match self {
            Self::Rps => "rps",
            Self::Rpt => "rpt",
            Self::Rpch => "rpch",
            Self::Rpst => "rpst",
            Self::Sso => "sso",
        }
    }

    pub fn abbr_th(self) -> &'static str {
        match self {
            Self::Rps => "รพศ.",
            Self::Rpt => "รพท.",
            Self::Rpch => "รพช.",
            Self::Rpst => "รพ.สต.",
            Self::Sso => "สสอ.",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::Rps => "Regional hospital",
            Self::Rpt => "General hospital",
            Self::Rpch => "Community hospital",
            Self::Rpst => "Health promoting hospital",
            Self::Sso => "District health office",
        }
    }

    /// Hospitals head a CUP and carry beds and a peer group.
    pub fn is_hospital(self) -> bool {
        matches!(self, Self::Rps | Self::Rpt | Self::Rpch)
    }

    /// Accepts the code or the Thai abbreviation (with or without dots), as CSV files use either.
    pub fn parse(s: &str) -> Option<Self> {
        let t = s.trim();
        let undotted: String = t.chars().filter(|c| *c != '.' && *c != ' ').collect();
        Self::ALL.into_iter().find(|u| {
            u.code().eq_ignore_ascii_case(t)
                || u.abbr_th() == t
                || u.abbr_th().replace('.', "") == undotted
        })
    }
}

/// Hospital peer group used by HFO for medians (A = รพศ., S/M1/M2 = รพท., F1–F3 = รพช.).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PeerGroup {
    A,
    S,
    M1,
    M2,
    F1,
    F2,
    F3,
}

impl PeerGroup {
    pub const ALL: [PeerGroup; 7] = [
        Self::A,
        Self::S,
        Self::M1,
        Self::M2,
        Self::F1,
        Self::F2,
        Self::F3,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::A => "A",
            Self::S => "S",
            Self::M1 => "M1",
            Self::M2 => "M2",
            Self::F1 => "F1",
            Self::F2 => "F2",
            Self::F3 => "F3",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        let t = s.trim();
        Self::ALL
            .into_iter()
            .find(|p| p.code().eq_ignore_ascii_case(t))
    }
}

/// What a user may do and see. Tenancy follows from the role and the user's province, district or unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// ผู้ดูแลระบบ: every unit, manages master data and users.
    Admin,
    /// เจ้าหน้าที่ สสจ.: every unit of one province.
    Province,
    /// เจ้าหน้าที่ สสอ.: units of one district.
    District,
    /// หัวหน้าหน่วยบริการ: own unit.
    UnitHead,
    /// เจ้าหน้าที่การเงิน/จัดเก็บรายได้ของหน่วย: own unit.
    UnitRevenue,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Self::Admin,
        Self::Province,
        Self::District,
        Self::UnitHead,
        Self::UnitRevenue,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Province => "province",
            Self::District => "district",
            Self::UnitHead => "unit_head",
            Self::UnitRevenue => "unit_revenue",
        }
    }

    pub fn name_th(self) -> &'static str {
        match self {
            Self::Admin => "ผู้ดูแลระบบ",
            Self::Province => "เจ้าหน้าที่ สสจ.",
            Self::District => "เจ้าหน้าที่ สสอ.",
            Self::UnitHead => "หัวหน้าหน่วยบริการ",
            Self::UnitRevenue => "เจ้าหน้าที่จัดเก็บรายได้",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::Admin => "System administrator",
            Self::Province => "Provincial officer",
            Self::District => "District officer",
            Self::UnitHead => "Unit head",
            Self::UnitRevenue => "Unit revenue officer",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == s.trim())
    }

    /// Which tenancy field the role needs: province, district or unit code.
    pub fn needs_unit(self) -> bool {
        matches!(self, Self::UnitHead | Self::UnitRevenue)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_type_parses_code_and_thai_with_or_without_dots() {
        assert_eq!(UnitType::parse("รพ.สต."), Some(UnitType::Rpst));
        assert_eq!(UnitType::parse("รพสต"), Some(UnitType::Rpst));
        assert_eq!(UnitType::parse("RPCH"), Some(UnitType::Rpch));
        assert_eq!(UnitType::parse("รพช."), Some(UnitType::Rpch));
        assert_eq!(UnitType::parse("clinic"), None);
        for u in UnitType::ALL {
            assert_eq!(UnitType::parse(u.code()), Some(u));
            assert_eq!(UnitType::parse(u.abbr_th()), Some(u));
        }
    }

    #[test]
    fn roles_and_peer_groups_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.code()), Some(r));
        }
        for p in PeerGroup::ALL {
            assert_eq!(PeerGroup::parse(&p.code().to_lowercase()), Some(p));
        }
        assert_eq!(PeerGroup::parse("F4"), None);
    }
}
