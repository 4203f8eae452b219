//! Charge items (CHRGITEM) of the CHA and CHT files and their categories (DOMAIN §1.4).

use super::*;

/// First character of CHRGITEM (DOMAIN §1.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChargeCategory {
    Room,
    Prosthesis,
    DrugInHospital,
    DrugHome,
    Supplies,
    Blood,
    Lab,
    Radiology,
    SpecialDiagnostics,
    Equipment,
    Procedure,
    Nursing,
    Dental,
    Physio,
    Acupuncture,
    OperatingRoom,
    ProfessionalFee,
    OtherService,
    Unclassified,
    RoadAccidentAct,
}

impl ChargeCategory {
    pub const ALL: [ChargeCategory; 20] = [
        ChargeCategory::Room,
        ChargeCategory::Prosthesis,
        ChargeCategory::DrugInHospital,
        ChargeCategory::DrugHome,
        ChargeCategory::Supplies,
        ChargeCategory::Blood,
        ChargeCategory::Lab,
        ChargeCategory::Radiology,
        ChargeCategory::SpecialDiagnostics,
        ChargeCategory::Equipment,
        ChargeCategory::Procedure,
        ChargeCategory::Nursing,
        ChargeCategory::Dental,
        ChargeCategory::Physio,
        ChargeCategory::Acupuncture,
        ChargeCategory::OperatingRoom,
        ChargeCategory::ProfessionalFee,
        ChargeCategory::OtherService,
        ChargeCategory::Unclassified,
        ChargeCategory::RoadAccidentAct,
    ];

    pub fn code(self) -> char {
        b"123456789ABCDEFGHIJK"[self as usize] as char
    }

    pub fn from_code(c: char) -> Option<ChargeCategory> {
        ChargeCategory::ALL.into_iter().find(|k| k.code() == c)
    }

    pub fn name_th(self) -> &'static str {
        match self {
            ChargeCategory::Room => "ค่าห้อง/ค่าอาหาร",
            ChargeCategory::Prosthesis => "อวัยวะเทียม/อุปกรณ์ในการบำบัดรักษา",
            ChargeCategory::DrugInHospital => "ยาและสารอาหารทางเส้นเลือดที่ใช้ในโรงพยาบาล",
            ChargeCategory::DrugHome => "ยาที่นำไปใช้ต่อที่บ้าน",
            ChargeCategory::Supplies => "เวชภัณฑ์ที่ไม่ใช่ยา",
            ChargeCategory::Blood => "บริการโลหิตและส่วนประกอบของโลหิต",
            ChargeCategory::Lab => "ตรวจวินิจฉัยทางเทคนิคการแพทย์และพยาธิวิทยา",
            ChargeCategory::Radiology => "ตรวจวินิจฉัยและรักษาทางรังสีวิทยา",
            ChargeCategory::SpecialDiagnostics => "ตรวจวินิจฉัยโดยวิธีพิเศษอื่นๆ",
            ChargeCategory::Equipment => "อุปกรณ์และเครื่องมือทางการแพทย์",
            ChargeCategory::Procedure => "ทำหัตถการและวิสัญญี",
            ChargeCategory::Nursing => "บริการทางการพยาบาล",
            ChargeCategory::Dental => "บริการทางทันตกรรม",
            ChargeCategory::Physio => "บริการทางกายภาพบำบัดและเวชกรรมฟื้นฟู",
            ChargeCategory::Acupuncture => "บริการฝังเข็ม/การบำบัดของผู้ประกอบโรคศิลปะอื่นๆ",
            ChargeCategory::OperatingRoom => "ค่าห้องผ่าตัดและห้องคลอด",
            ChargeCategory::ProfessionalFee => "ค่าธรรมเนียมบุคลากรทางการแพทย์",
            ChargeCategory::OtherService => "บริการอื่นๆ และส่งเสริมป้องกันโรค",
            ChargeCategory::Unclassified => "บริการอื่นๆ ที่ยังไม่ได้จัดหมวด",
            ChargeCategory::RoadAccidentAct => "พ.ร.บ.ผู้ประสบภัยจากรถ",
        }
    }
}

/// CHRGITEM: category + `1` claimable (เบิกได้) or `2` excess, not claimable (เบิกไม่ได้).
/// `K` exists only as `K1`. Ordered like its code (`11` < `12` < `21` …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChargeItem {
    pub category: ChargeCategory,
    pub claimable: bool,
}

impl Ord for ChargeItem {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.category, !self.claimable).cmp(&(other.category, !other.claimable))
    }
}

impl PartialOrd for ChargeItem {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl ChargeItem {
    pub fn new(category: ChargeCategory, claimable: bool) -> ChargeItem {
        ChargeItem {
            category,
            claimable,
        }
    }
    pub fn code(self) -> String {
        format!(
            "{}{}",
            self.category.code(),
            if self.claimable { '1' } else { '2' }
        )
    }
}

impl Field for ChargeItem {
    fn parse(raw: &str) -> Result<Self, FieldError> {
        let mut chars = raw.chars();
        let parsed = match (chars.next(), chars.next(), chars.next()) {
            (Some(c), Some(d), None) => {
                ChargeCategory::from_code(c.to_ascii_uppercase()).and_then(|cat| match (cat, d) {
                    (ChargeCategory::RoadAccidentAct, '1') => Some(ChargeItem::new(cat, true)),
                    (ChargeCategory::RoadAccidentAct, _) => None,
                    (_, '1') => Some(ChargeItem::new(cat, true)),
                    (_, '2') => Some(ChargeItem::new(cat, false)),
                    _ => None,
                })
            }
            _ => None,
        };
        parsed.ok_or_else(|| {
            FieldError::new(
                RejectCode::BadCode,
                "CHRGITEM ต้องเป็นหมวด 1–9 หรือ A–J ตามด้วย 1 (เบิกได้) หรือ 2 (เบิกไม่ได้) หรือ K1",
                "CHRGITEM must be a category 1–9/A–J followed by 1 (claimable) or 2 (excess), or K1",
            )
        })
    }
    fn write(&self, out: &mut String) {
        out.push(self.category.code());
        out.push(if self.claimable { '1' } else { '2' });
    }
}

impl std::fmt::Display for ChargeItem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.code())
    }
}
