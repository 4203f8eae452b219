//! Thai administrative geography: the 77 provinces (จังหวัด, 2-digit codes) and their 928
//! districts (อำเภอ, and Bangkok's เขต; 4-digit codes starting with the province's code), with
//! Thai and English names. Bundled from a public data set: see `data/geography.SOURCE.md`.

use std::sync::OnceLock;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeoProvince {
    pub code: &'static str,
    pub name_th: &'static str,
    pub name_en: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeoDistrict {
    pub code: &'static str,
    pub province_code: &'static str,
    pub name_th: &'static str,
    pub name_en: &'static str,
}

struct Geography {
    provinces: Vec<GeoProvince>,
    districts: Vec<GeoDistrict>,
}

fn data() -> &'static Geography {
    static DATA: OnceLock<Geography> = OnceLock::new();
    DATA.get_or_init(|| {
        let mut g = Geography {
            provinces: Vec::new(),
            districts: Vec::new(),
        };
        for (i, line) in include_str!("../data/geography.tsv")
            .lines()
            .enumerate()
            .skip(1)
        {
            let f: Vec<&'static str> = line.split('\t').collect();
            assert_eq!(f.len(), 5, "geography.tsv line {}: 5 columns", i + 1);
            match f[0] {
                "province" => g.provinces.push(GeoProvince {
                    code: f[1],
                    name_th: f[3],
                    name_en: f[4],
                }),
                "district" => g.districts.push(GeoDistrict {
                    code: f[1],
                    province_code: f[2],
                    name_th: f[3],
                    name_en: f[4],
                }),
                other => panic!("geography.tsv line {}: unknown kind {other}", i + 1),
            }
        }
        g
    })
}

/// Every province, by code.
pub fn provinces() -> &'static [GeoProvince] {
    &data().provinces
}

/// Every district of every province, by code.
pub fn districts() -> &'static [GeoDistrict] {
    &data().districts
}

pub fn province(code: &str) -> Option<&'static GeoProvince> {
    provinces().iter().find(|p| p.code == code)
}

/// The districts of one province, by code.
pub fn districts_of(province_code: &str) -> impl Iterator<Item = &'static GeoDistrict> {
    districts()
        .iter()
        .filter(move |d| d.province_code == province_code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn seventy_seven_provinces_and_districts_under_their_province() {
        assert_eq!(provinces().len(), 77);
        assert_eq!(districts().len(), 928);
        let codes: HashSet<&str> = provinces().iter().map(|p| p.code).collect();
        assert_eq!(codes.len(), 77);
        for p in provinces() {
            assert!(p.code.len() == 2 && p.code.bytes().all(|b| b.is_ascii_digit()));
            assert!(!p.name_th.is_empty() && !p.name_en.is_empty());
        }
        let mut seen = HashSet::new();
        for d in districts() {
            assert!(d.code.len() == 4 && d.code.bytes().all(|b| b.is_ascii_digit()));
            assert!(d.code.starts_with(d.province_code), "{d:?}");
            assert!(codes.contains(d.province_code), "{d:?}");
            assert!(seen.insert(d.code), "duplicate {}", d.code);
            assert!(!d.name_th.is_empty() && !d.name_en.is_empty(), "{d:?}");
        }
        for p in provinces() {
            assert!(districts_of(p.code).count() > 0, "{} has districts", p.code);
        }
        assert_eq!(province("44").unwrap().name_th, "มหาสารคาม");
        assert_eq!(districts_of("44").count(), 13);
        assert_eq!(districts_of("10").count(), 50);
        assert!(districts_of("44").any(|d| d.code == "4403" && d.name_en == "Kosum Phisai"));
    }
}
