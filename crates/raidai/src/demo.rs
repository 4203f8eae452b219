//! The synthetic demo province, modelled on Maha Sarakham (the province of seed document 000):
//! its 13 real districts, one hospital per district and their รพ.สต. Unit codes, names of
//! รพ.สต., bed counts and people are synthetic.

use anyhow::Result;
use raidai_store::master::UnitInput;
use raidai_store::users::UserInput;
use raidai_store::{Actor, Store};

pub struct DemoLogin {
    pub username: &'static str,
    pub password: &'static str,
    pub role: &'static str,
    pub scope: &'static str,
    pub display_name: &'static str,
    pub what: &'static str,
}

pub const PROVINCE_CODE: &str = "44";

/// (district code, Thai, English, hospital code, hospital name, beds, peer group, number of รพ.สต.)
type DistrictSeed = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
    &'static str,
    usize,
);

const DISTRICTS: &[DistrictSeed] = &[
    (
        "4401",
        "เมืองมหาสารคาม",
        "Mueang Maha Sarakham",
        "10707",
        "โรงพยาบาลมหาสารคาม",
        580,
        "M1",
        18,
    ),
    (
        "4402",
        "แกดำ",
        "Kae Dam",
        "11000",
        "โรงพยาบาลแกดำ",
        30,
        "F3",
        7,
    ),
    (
        "4403",
        "โกสุมพิสัย",
        "Kosum Phisai",
        "11001",
        "โรงพยาบาลโกสุมพิสัย",
        120,
        "F1",
        20,
    ),
    (
        "4404",
        "กันทรวิชัย",
        "Kantharawichai",
        "11002",
        "โรงพยาบาลกันทรวิชัย",
        60,
        "F2",
        14,
    ),
    (
        "4405",
        "เชียงยืน",
        "Chiang Yuen",
        "11003",
        "โรงพยาบาลเชียงยืน",
        60,
        "F2",
        10,
    ),
    (
        "4406",
        "บรบือ",
        "Borabue",
        "11004",
        "โรงพยาบาลบรบือ",
        90,
        "F1",
        20,
    ),
    (
        "4407",
        "นาเชือก",
        "Na Chueak",
        "11005",
        "โรงพยาบาลนาเชือก",
        60,
        "F2",
        13,
    ),
    (
        "4408",
        "พยัคฆภูมิพิสัย",
        "Phayakkhaphum Phisai",
        "11006",
        "โรงพยาบาลพยัคฆภูมิพิสัย",
        90,
        "F1",
        18,
    ),
    (
        "4409",
        "วาปีปทุม",
        "Wapi Pathum",
        "11007",
        "โรงพยาบาลวาปีปทุม",
        90,
        "F1",
        20,
    ),
    (
        "4410",
        "นาดูน",
        "Na Dun",
        "11008",
        "โรงพยาบาลนาดูน",
        30,
        "F2",
        9,
    ),
    (
        "4411",
        "ยางสีสุราช",
        "Yang Sisurat",
        "11009",
        "โรงพยาบาลยางสีสุราช",
        30,
        "F3",
        8,
    ),
    (
        "4412",
        "กุดรัง",
        "Kut Rang",
        "11010",
        "โรงพยาบาลกุดรัง",
        30,
        "F3",
        8,
    ),
    (
        "4413",
        "ชื่นชม",
        "Chuen Chom",
        "11011",
        "โรงพยาบาลชื่นชม",
        30,
        "F3",
        5,
    ),
];

const VILLAGE_HEADS: &[&str] = &[
    "หนอง",
    "ดอน",
    "โนน",
    "โคก",
    "นา",
    "ห้วย",
    "ท่า",
    "หัว",
    "กุด",
    "เหล่า",
    "ป่า",
    "วัง",
];
const VILLAGE_TAILS: &[&str] = &[
    "แวง",
    "ไผ่",
    "บัว",
    "ยาง",
    "ตูม",
    "ข่า",
    "คู",
    "เรือ",
    "หว้า",
    "สะแบง",
    "จาน",
    "ม่วง",
    "แดง",
    "ขาม",
    "เค็ง",
    "กุง",
    "หิน",
    "โพธิ์",
    "ทุ่ม",
    "สูง",
    "เต่า",
    "ปลาค้าว",
    "ตาล",
    "กอก",
];

/// The first รพ.สต. of Kosum Phisai, used for the รพ.สต. demo login.
pub const DEMO_RPST: &str = "03726";

pub const LOGINS: &[DemoLogin] = &[
    DemoLogin {
        username: "admin",
        password: "raidai-admin",
        role: "admin",
        scope: "",
        display_name: "ผู้ดูแลระบบ",
        what: "system administrator (all units, users, audit log)",
    },
    DemoLogin {
        username: "pho",
        password: "raidai-demo",
        role: "province",
        scope: PROVINCE_CODE,
        display_name: "เจ้าหน้าที่ สสจ.มหาสารคาม",
        what: "provincial officer: every unit of the province",
    },
    DemoLogin {
        username: "dho.kosum",
        password: "raidai-demo",
        role: "district",
        scope: "4403",
        display_name: "เจ้าหน้าที่ สสอ.โกสุมพิสัย",
        what: "district officer: units of Kosum Phisai",
    },
    DemoLogin {
        username: "head.11001",
        password: "raidai-demo",
        role: "unit_head",
        scope: "11001",
        display_name: "ผู้อำนวยการ รพ.โกสุมพิสัย",
        what: "unit head: Kosum Phisai hospital",
    },
    DemoLogin {
        username: "rev.11001",
        password: "raidai-demo",
        role: "unit_revenue",
        scope: "11001",
        display_name: "งานจัดเก็บรายได้ รพ.โกสุมพิสัย",
        what: "revenue officer: Kosum Phisai hospital",
    },
    DemoLogin {
        username: "rev.03726",
        password: "raidai-demo",
        role: "unit_revenue",
        scope: DEMO_RPST,
        display_name: "เจ้าหน้าที่ รพ.สต.",
        what: "revenue officer of one รพ.สต. (own unit only)",
    },
];

/// Every unit of the demo province, hospitals first so CUPs exist before their รพ.สต.
pub fn units() -> Vec<UnitInput> {
    let mut out = Vec::new();
    for (code, _, _, hcode, name, beds, group, _) in DISTRICTS {
        let is_capital = *code == "4401";
        out.push(UnitInput {
            hcode: hcode.to_string(),
            name_th: name.to_string(),
            unit_type: if is_capital { "rpt" } else { "rpch" }.into(),
            district_code: code.to_string(),
            cup_hcode: String::new(),
            peer_group: group.to_string(),
            island: false,
            beds: *beds,
            active: true,
        });
    }
    let mut seq = 3700;
    for (di, (code, name_th, _, hcode, _, _, _, n)) in DISTRICTS.iter().enumerate() {
        // The district health office and the รพ.สต.: in the hospital's CUP, without beds.
        let in_cup = |unit_hcode: String, unit_name: String, unit_type: &str| UnitInput {
            hcode: unit_hcode,
            name_th: unit_name,
            unit_type: unit_type.into(),
            district_code: code.to_string(),
            cup_hcode: hcode.to_string(),
            peer_group: String::new(),
            island: false,
            beds: 0,
            active: true,
        };
        out.push(in_cup(
            format!("084{:02}", di + 1),
            format!("สำนักงานสาธารณสุขอำเภอ{name_th}"),
            "sso",
        ));
        for i in 0..*n {
            seq += 1;
            let head = VILLAGE_HEADS[(di * 5 + i) % VILLAGE_HEADS.len()];
            let tail = VILLAGE_TAILS[(di * 7 + i * 3) % VILLAGE_TAILS.len()];
            out.push(in_cup(
                format!("{seq:05}"),
                format!("รพ.สต.บ้าน{head}{tail}"),
                "rpst",
            ));
        }
    }
    out
}

/// Creates the users of [`LOGINS`] (the units they are scoped to must exist).
pub async fn create_logins(store: &Store, sys: &Actor) -> Result<()> {
    for l in LOGINS {
        store
            .create_user(
                sys,
                &UserInput {
                    username: l.username.into(),
                    display_name: l.display_name.into(),
                    role: l.role.into(),
                    scope_code: l.scope.into(),
                    active: true,
                    password: l.password.into(),
                },
            )
            .await?;
    }
    Ok(())
}

/// Seeds the province, districts, units and demo users unless already there. Returns whether it seeded.
pub async fn seed(store: &Store) -> Result<bool> {
    let sys = Actor::system();
    if !store.list_provinces(&sys).await?.is_empty() {
        return Ok(false);
    }
    // The province and its districts come from the bundled geography, as in a real setup.
    store.setup_province(&sys, PROVINCE_CODE).await?;
    store.import_units(&sys, &units(), 1).await?;
    create_logins(store, &sys).await?;
    crate::demo_governance::seed(store).await?;
    crate::demo_claims::seed(store).await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use raidai_store::master::UnitQuery;
    use raidai_store::testkit::TestDb;

    #[test]
    fn demo_province_has_13_districts_each_with_one_hospital() {
        assert_eq!(DISTRICTS.len(), 13);
        let units = units();
        for (code, ..) in DISTRICTS {
            let hospitals = units
                .iter()
                .filter(|u| {
                    u.district_code == *code && (u.unit_type == "rpt" || u.unit_type == "rpch")
                })
                .count();
            assert_eq!(hospitals, 1, "district {code}");
        }
        assert!(
            units
                .iter()
                .any(|u| u.hcode == DEMO_RPST && u.unit_type == "rpst" && u.cup_hcode == "11001")
        );
        let mut codes: Vec<_> = units.iter().map(|u| u.hcode.clone()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), units.len(), "unit codes are unique");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn seeding_is_idempotent_and_every_demo_login_works() {
        let db = TestDb::sqlite().await;
        assert!(seed(&db.store).await.unwrap());
        assert!(!seed(&db.store).await.unwrap());
        for l in LOGINS {
            let u = db.store.authenticate(l.username, l.password).await.unwrap();
            assert!(u.is_some(), "demo login {} works", l.username);
        }
        let units_of = |username: &'static str| async {
            let user = db.store.authenticate(username, "raidai-demo").await;
            let actor = user.unwrap().unwrap().actor();
            db.store
                .list_units(&actor, &UnitQuery::default())
                .await
                .unwrap()
        };
        assert_eq!(units_of("pho").await.len(), units().len());
        let mine = units_of("rev.03726").await;
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].hcode, DEMO_RPST);
        // The odd lines of the weaker units: refused alone, their visits kept and flagged, a
        // visit that lost a charge line waiting for a corrected file.
        let sys = Actor::system();
        let rules = db.store.rule_counts(&sys, None).await.unwrap();
        let visits_of = |rule: &str| {
            rules
                .iter()
                .find(|r| r.rule == rule)
                .map_or(0, |r| r.visits)
        };
        assert!(visits_of("LINE01") >= 3, "{rules:?}");
        assert!(visits_of("FLD01") >= 2, "{rules:?}");
        let mut waiting = 0;
        for u in db
            .store
            .list_units(&sys, &UnitQuery::default())
            .await
            .unwrap()
        {
            let unit = raidai_domain::ids::Hcode::parse(&u.hcode).unwrap();
            waiting += db
                .store
                .unposted_groups(&sys, unit)
                .await
                .unwrap()
                .iter()
                .filter(|g| g.reason == raidai_store::claims::REFUSED_LINE)
                .map(|g| g.visits)
                .sum::<i64>();
        }
        assert!(waiting >= 1);
    }
}
