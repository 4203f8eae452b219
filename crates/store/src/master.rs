//! Master data: province → districts → units, scoped by the caller's tenancy.

use crate::audit::Change;
use crate::csv_in::CsvIn;
use crate::sql::binds;
use crate::sql::{Sql, get_i, get_os, get_s, row_struct};
use crate::{Actor, FieldError, Store, StoreError, now_ms};
use raidai_domain::ids::Hcode;
use raidai_domain::master::{PeerGroup, UnitType};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use std::collections::{HashMap, HashSet};

row_struct! {
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Province {
    pub code: String,
    pub name_th: String,
    pub name_en: String,
}
}

row_struct! {
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct District {
    pub code: String,
    pub province_code: String,
    pub name_th: String,
    pub name_en: String,
}
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    pub hcode: String,
    pub name_th: String,
    pub unit_type: UnitType,
    pub province_code: String,
    pub district_code: String,
    /// The hospital whose CUP (contracting unit for primary care) this unit belongs to.
    pub cup_hcode: String,
    pub peer_group: Option<PeerGroup>,
    pub island: bool,
    pub beds: i64,
    pub active: bool,
    pub updated_at: i64,
}

/// What a user enters for a unit; the province follows from the district.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitInput {
    pub hcode: String,
    pub name_th: String,
    pub unit_type: String,
    pub district_code: String,
    /// Empty for a hospital means its own CUP.
    pub cup_hcode: String,
    pub peer_group: String,
    pub island: bool,
    pub beds: i64,
    pub active: bool,
}

#[derive(Debug, Clone, Default)]
pub struct UnitQuery {
    pub district_code: Option<String>,
    pub unit_type: Option<UnitType>,
    pub cup_hcode: Option<String>,
    /// Matches code or name.
    pub text: Option<String>,
}

/// Per-district counts for the province overview.
#[derive(Debug, Clone, Serialize)]
pub struct DistrictSummary {
    pub district: District,
    pub hospitals: i64,
    pub health_promoting: i64,
    pub other_units: i64,
    pub beds: i64,
}

const UNIT_COLS: &str = "u.hcode, u.name_th, u.unit_type, u.province_code, u.district_code, u.cup_hcode, u.peer_group, u.island, u.beds, u.active, u.updated_at";

fn unit_from_row(r: &AnyRow) -> Result<Unit, StoreError> {
    let ut = get_s(r, "unit_type")?;
    Ok(Unit {
        hcode: get_s(r, "hcode")?,
        name_th: get_s(r, "name_th")?,
        unit_type: UnitType::parse(&ut)
            .ok_or_else(|| StoreError::Config(format!("unknown unit type {ut} in database")))?,
        province_code: get_s(r, "province_code")?,
        district_code: get_s(r, "district_code")?,
        cup_hcode: get_s(r, "cup_hcode")?,
        peer_group: get_os(r, "peer_group")?.and_then(|p| PeerGroup::parse(&p)),
        island: get_i(r, "island")? != 0,
        beds: get_i(r, "beds")?,
        active: get_i(r, "active")? != 0,
        updated_at: get_i(r, "updated_at")?,
    })
}

fn json<T: Serialize>(v: &T) -> Option<serde_json::Value> {
    serde_json::to_value(v).ok()
}

/// A unit input checked against the districts and the CUP hospitals it may name.
struct CheckedUnit {
    unit_type: UnitType,
    province_code: String,
    cup_hcode: String,
    peer_group: Option<PeerGroup>,
}

fn check_unit(
    input: &UnitInput,
    districts: &HashMap<String, District>,
    hospitals: &HashMap<String, String>,
) -> Result<CheckedUnit, Vec<FieldError>> {
    let mut errs = Vec::new();
    if Hcode::parse(&input.hcode).is_err() {
        errs.push(FieldError::new(
            "hcode",
            format!("unit code must be 5 digits, got {:?}", input.hcode),
            "รหัสหน่วยบริการต้องเป็นตัวเลข 5 หลัก",
        ));
    }
    let name = input.name_th.trim();
    if name.is_empty() || name.chars().count() > 200 {
        errs.push(FieldError::new(
            "name_th",
            "name is required (at most 200 characters)",
            "ต้องระบุชื่อหน่วยบริการ (ไม่เกิน 200 ตัวอักษร)",
        ));
    }
    let unit_type = UnitType::parse(&input.unit_type);
    if unit_type.is_none() {
        errs.push(FieldError::new(
            "unit_type",
            format!("unknown unit type {:?}", input.unit_type),
            "ประเภทหน่วยบริการไม่ถูกต้อง",
        ));
    }
    let district = districts.get(input.district_code.trim());
    if district.is_none() {
        errs.push(FieldError::new(
            "district_code",
            format!("unknown district {:?}", input.district_code),
            "ไม่พบอำเภอที่ระบุ",
        ));
    }
    let peer_group = if input.peer_group.trim().is_empty() {
        None
    } else {
        let p = PeerGroup::parse(&input.peer_group);
        if p.is_none() {
            errs.push(FieldError::new(
                "peer_group",
                format!(
                    "peer group must be A, S, M1, M2, F1, F2 or F3, got {:?}",
                    input.peer_group
                ),
                "กลุ่มระดับบริการต้องเป็น A, S, M1, M2, F1, F2 หรือ F3",
            ));
        }
        p
    };
    if !(0..=5000).contains(&input.beds) {
        errs.push(FieldError::new(
            "beds",
            "beds must be between 0 and 5000",
            "จำนวนเตียงต้องอยู่ระหว่าง 0 ถึง 5,000",
        ));
    }
    let hcode = input.hcode.trim().to_string();
    let cup = input.cup_hcode.trim();
    let cup_hcode = match unit_type {
        Some(t) if t.is_hospital() && (cup.is_empty() || cup == hcode) => hcode.clone(),
        _ if cup.is_empty() => {
            errs.push(FieldError::new(
                "cup_hcode",
                "the CUP hospital is required for a unit that is not a hospital",
                "ต้องระบุโรงพยาบาลแม่ข่าย (CUP)",
            ));
            String::new()
        }
        _ => {
            if !hospitals.contains_key(cup) {
                errs.push(FieldError::new(
                    "cup_hcode",
                    format!("CUP {cup:?} is not a known hospital"),
                    "รหัส CUP ต้องเป็นรหัสโรงพยาบาลที่มีในระบบ",
                ));
            }
            cup.to_string()
        }
    };
    if !errs.is_empty() {
        return Err(errs);
    }
    Ok(CheckedUnit {
        unit_type: unit_type.expect("checked above"),
        province_code: district.expect("checked above").province_code.clone(),
        cup_hcode,
        peer_group,
    })
}

impl Store {
    #[tracing::instrument(level = "debug", skip_all, fields(user = %actor.who.username))]
    pub async fn list_provinces(&self, actor: &Actor) -> Result<Vec<Province>, StoreError> {
        let mut s = Sql::new(
            "SELECT p.code, p.name_th, p.name_en FROM provinces p WHERE p.code IN (SELECT d.province_code FROM districts d WHERE 1 = 1",
        );
        actor.push_district_scope(&mut s, "d");
        s.push(")");
        if actor.is_admin() {
            s = Sql::new("SELECT p.code, p.name_th, p.name_en FROM provinces p WHERE 1 = 1");
        }
        s.push(" ORDER BY p.code");
        s.all(self.pool(), Province::from_row).await
    }

    /// Creates or renames a province. Admins only.
    #[tracing::instrument(level = "debug", skip_all, fields(user = %actor.who.username))]
    pub async fn upsert_province(&self, actor: &Actor, p: &Province) -> Result<(), StoreError> {
        if !actor.is_admin() {
            return Err(StoreError::Forbidden);
        }
        if p.code.len() != 2 || !p.code.chars().all(|c| c.is_ascii_digit()) {
            return Err(StoreError::field(
                "code",
                "province code must be 2 digits",
                "รหัสจังหวัดต้องเป็นตัวเลข 2 หลัก",
            ));
        }
        let mut tx = self.pool().begin().await?;
        let mut s = Sql::new("INSERT INTO provinces (code, name_th, name_en) VALUES (");
        s.list(binds![p.code.clone(), p.name_th.clone(), p.name_en.clone()])
            .push(") ON CONFLICT (code) DO UPDATE SET name_th = excluded.name_th, name_en = excluded.name_en");
        s.query().execute(&mut *tx).await?;
        Change::new("province", &p.code, "upsert")
            .after_opt(json(p))
            .record(&mut tx, actor)
            .await?;
        crate::commit_units_change(self.engine(), tx).await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, fields(user = %actor.who.username))]
    pub async fn list_districts(&self, actor: &Actor) -> Result<Vec<District>, StoreError> {
        let mut s = Sql::new(
            "SELECT d.code, d.province_code, d.name_th, d.name_en FROM districts d WHERE 1 = 1",
        );
        actor.push_district_scope(&mut s, "d");
        s.push(" ORDER BY d.code");
        s.all(self.pool(), District::from_row).await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(user = %actor.who.username))]
    pub async fn get_district(&self, actor: &Actor, code: &str) -> Result<District, StoreError> {
        let mut s = Sql::new(
            "SELECT d.code, d.province_code, d.name_th, d.name_en FROM districts d WHERE d.code = ",
        );
        s.text(code);
        actor.push_district_scope(&mut s, "d");
        let row = s.one(self.pool()).await?;
        Ok(District::from_row(&row)?)
    }

    /// Creates or edits a district. Admins only.
    #[tracing::instrument(level = "debug", skip_all, fields(user = %actor.who.username))]
    pub async fn save_district(&self, actor: &Actor, d: &District) -> Result<(), StoreError> {
        if !actor.is_admin() {
            return Err(StoreError::Forbidden);
        }
        let mut errs = Vec::new();
        if d.code.len() != 4 || !d.code.chars().all(|c| c.is_ascii_digit()) {
            errs.push(FieldError::new(
                "code",
                "district code must be 4 digits",
                "รหัสอำเภอต้องเป็นตัวเลข 4 หลัก",
            ));
        } else if !d.code.starts_with(&d.province_code) {
            errs.push(FieldError::new(
                "code",
                "district code must start with the province code",
                "รหัสอำเภอต้องขึ้นต้นด้วยรหัสจังหวัด",
            ));
        }
        if d.name_th.trim().is_empty() {
            errs.push(FieldError::new(
                "name_th",
                "name is required",
                "ต้องระบุชื่ออำเภอ",
            ));
        }
        let provinces = self.list_provinces(actor).await?;
        if !provinces.iter().any(|p| p.code == d.province_code) {
            errs.push(FieldError::new(
                "province_code",
                "unknown province",
                "ไม่พบจังหวัดที่ระบุ",
            ));
        }
        if !errs.is_empty() {
            return Err(StoreError::Invalid(errs));
        }
        let before = self.get_district(actor, &d.code).await.ok();
        let mut tx = self.pool().begin().await?;
        let mut s =
            Sql::new("INSERT INTO districts (code, province_code, name_th, name_en) VALUES (");
        s.list(binds![d.code.clone(), d.province_code.clone(), d.name_th.trim(), d.name_en.trim()])
            .push(") ON CONFLICT (code) DO UPDATE SET name_th = excluded.name_th, name_en = excluded.name_en");
        s.query().execute(&mut *tx).await?;
        Change::new(
            "district",
            &d.code,
            if before.is_some() { "update" } else { "create" },
        )
        .before_opt(before.as_ref().and_then(json))
        .after_opt(json(d))
        .record(&mut tx, actor)
        .await?;
        crate::commit_units_change(self.engine(), tx).await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, fields(user = %actor.who.username))]
    pub async fn list_units(&self, actor: &Actor, q: &UnitQuery) -> Result<Vec<Unit>, StoreError> {
        let mut s = Sql::new(&format!("SELECT {UNIT_COLS} FROM units u WHERE 1 = 1"));
        actor.push_unit_scope(&mut s, "u");
        if let Some(d) = &q.district_code {
            s.push(" AND u.district_code = ").text(d.clone());
        }
        if let Some(t) = q.unit_type {
            s.push(" AND u.unit_type = ").text(t.code());
        }
        if let Some(c) = &q.cup_hcode {
            s.push(" AND u.cup_hcode = ").text(c.clone());
        }
        if let Some(t) = q.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            let like = format!("%{}%", t.replace(['%', '_'], ""));
            s.push(" AND (u.hcode LIKE ")
                .text(like.clone())
                .push(" OR u.name_th LIKE ")
                .text(like)
                .push(")");
        }
        // Hospitals first, then their รพ.สต., so a CUP reads as a block.
        s.push(" ORDER BY u.district_code, u.cup_hcode, CASE WHEN u.hcode = u.cup_hcode THEN 0 ELSE 1 END, u.hcode");
        let rows = s.query().fetch_all(self.pool()).await?;
        rows.iter().map(unit_from_row).collect()
    }

    /// The unit, when the actor sees it (else NotFound) and may change its claims data (else
    /// Forbidden): the check every import, return, batch and follow-up starts with.
    pub async fn unit_for_import(&self, actor: &Actor, unit: Hcode) -> Result<Unit, StoreError> {
        let hcode = unit.as_str();
        let unit = self.get_unit(actor, unit).await?;
        if !actor.may_import(hcode) {
            return Err(StoreError::Forbidden);
        }
        Ok(unit)
    }

    /// A unit the caller may see; [`StoreError::NotFound`] otherwise.
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn get_unit(&self, actor: &Actor, unit: Hcode) -> Result<Unit, StoreError> {
        self.unit_by_code(actor, unit.as_str()).await
    }

    /// [`Store::get_unit`] by a code as stored in a row or a query (NotFound when it is not a
    /// unit's code).
    pub(crate) async fn unit_by_code(
        &self,
        actor: &Actor,
        hcode: &str,
    ) -> Result<Unit, StoreError> {
        let mut s = Sql::new(&format!("SELECT {UNIT_COLS} FROM units u WHERE u.hcode = "));
        s.text(hcode);
        actor.push_unit_scope(&mut s, "u");
        let row = s.query().fetch_optional(self.pool()).await?;
        row.as_ref()
            .map(unit_from_row)
            .unwrap_or(Err(StoreError::NotFound))
    }

    async fn unit_context(
        &self,
        actor: &Actor,
    ) -> Result<
        (
            HashMap<String, District>,
            HashMap<String, String>,
            HashSet<String>,
        ),
        StoreError,
    > {
        let districts = self
            .list_districts(actor)
            .await?
            .into_iter()
            .map(|d| (d.code.clone(), d))
            .collect();
        let units = self.list_units(actor, &UnitQuery::default()).await?;
        let hospitals = units
            .iter()
            .filter(|u| u.unit_type.is_hospital())
            .map(|u| (u.hcode.clone(), u.district_code.clone()))
            .collect();
        let codes = units.into_iter().map(|u| u.hcode).collect();
        Ok((districts, hospitals, codes))
    }

    /// Creates a unit (admins). A duplicate code is a field error on `hcode`.
    #[tracing::instrument(level = "debug", skip_all, fields(user = %actor.who.username))]
    pub async fn create_unit(&self, actor: &Actor, input: &UnitInput) -> Result<Unit, StoreError> {
        self.save_units(actor, std::slice::from_ref(input), false, None)
            .await?;
        self.unit_by_code(actor, input.hcode.trim()).await
    }

    /// Edits a unit (admins). The code itself cannot change.
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn update_unit(
        &self,
        actor: &Actor,
        unit: Hcode,
        input: &UnitInput,
    ) -> Result<Unit, StoreError> {
        let hcode = unit.as_str();
        if !actor.is_admin() {
            return Err(StoreError::Forbidden);
        }
        self.get_unit(actor, unit).await?;
        let mut input = input.clone();
        input.hcode = hcode.to_string();
        self.save_units(actor, std::slice::from_ref(&input), true, None)
            .await?;
        self.get_unit(actor, unit).await
    }

    /// Creates or updates many units in one transaction: all rows are checked first, and any
    /// error (reported with its file line: `first_line` is the line of `rows[0]`) leaves the
    /// database untouched.
    #[tracing::instrument(level = "debug", skip_all, fields(user = %actor.who.username))]
    pub async fn import_units(
        &self,
        actor: &Actor,
        rows: &[UnitInput],
        first_line: usize,
    ) -> Result<usize, StoreError> {
        self.save_units(actor, rows, true, Some(first_line)).await
    }

    async fn save_units(
        &self,
        actor: &Actor,
        rows: &[UnitInput],
        allow_update: bool,
        first_line: Option<usize>,
    ) -> Result<usize, StoreError> {
        if !actor.is_admin() {
            return Err(StoreError::Forbidden);
        }
        let (districts, mut hospitals, existing) = self.unit_context(actor).await?;
        // Hospitals named in the same batch may be CUPs of later rows.
        for r in rows {
            if UnitType::parse(&r.unit_type).is_some_and(|t| t.is_hospital()) {
                hospitals.insert(
                    r.hcode.trim().to_string(),
                    r.district_code.trim().to_string(),
                );
            }
        }
        let mut errs = Vec::new();
        let mut checked = Vec::with_capacity(rows.len());
        let mut seen = HashSet::new();
        for (i, r) in rows.iter().enumerate() {
            let at = |e: FieldError| match first_line {
                Some(f) => e.at_line(f + i),
                None => e,
            };
            let code = r.hcode.trim().to_string();
            if !seen.insert(code.clone()) {
                errs.push(at(FieldError::new(
                    "hcode",
                    format!("unit code {code} appears twice in the input"),
                    format!("รหัสหน่วยบริการ {code} ซ้ำในข้อมูลนำเข้า"),
                )));
            }
            if !allow_update && existing.contains(&code) {
                errs.push(at(FieldError::new(
                    "hcode",
                    format!("unit code {code} already exists"),
                    format!("รหัสหน่วยบริการ {code} มีอยู่แล้ว"),
                )));
            }
            match check_unit(r, &districts, &hospitals) {
                Ok(c) => checked.push((r, c, existing.contains(&code))),
                Err(es) => errs.extend(es.into_iter().map(at)),
            }
        }
        if !errs.is_empty() {
            return Err(StoreError::Invalid(errs));
        }
        let mut tx = self.pool().begin().await?;
        for (r, c, exists) in &checked {
            let hcode = r.hcode.trim();
            let before = if *exists {
                let mut s = Sql::new(&format!("SELECT {UNIT_COLS} FROM units u WHERE u.hcode = "));
                s.text(hcode);
                s.query()
                    .fetch_optional(&mut *tx)
                    .await?
                    .as_ref()
                    .map(unit_from_row)
                    .transpose()?
            } else {
                None
            };
            if let Some(b) = &before {
                let unchanged = b.name_th == r.name_th.trim()
                    && b.unit_type == c.unit_type
                    && b.district_code == r.district_code.trim()
                    && b.cup_hcode == c.cup_hcode
                    && b.peer_group == c.peer_group
                    && b.island == r.island
                    && b.beds == r.beds
                    && b.active == r.active;
                if unchanged {
                    continue;
                }
            }
            let mut s = Sql::new(
                "INSERT INTO units (hcode, name_th, unit_type, province_code, district_code, cup_hcode, peer_group, island, beds, active, updated_at) VALUES (",
            );
            s.list(binds![hcode, r.name_th.trim(), c.unit_type.code(), c.province_code.clone(), r.district_code.trim(), c.cup_hcode.clone(), c.peer_group.map(|p| p.code().to_string()), i64::from(r.island), r.beds, i64::from(r.active), now_ms()])
                .push(
                    ") ON CONFLICT (hcode) DO UPDATE SET name_th = excluded.name_th, unit_type = excluded.unit_type, \
                     province_code = excluded.province_code, district_code = excluded.district_code, \
                     cup_hcode = excluded.cup_hcode, peer_group = excluded.peer_group, island = excluded.island, \
                     beds = excluded.beds, active = excluded.active, updated_at = excluded.updated_at",
                );
            s.query()
                .execute(&mut *tx)
                .await
                .map_err(|e| unique_to_field(e, "hcode"))?;
            let mut s = Sql::new(&format!("SELECT {UNIT_COLS} FROM units u WHERE u.hcode = "));
            s.text(hcode);
            let after = unit_from_row(&s.query().fetch_one(&mut *tx).await?)?;
            Change::new(
                "unit",
                hcode,
                if before.is_some() { "update" } else { "create" },
            )
            .unit(hcode)
            .before_opt(before.as_ref().and_then(json))
            .after_opt(json(&after))
            .record(&mut tx, actor)
            .await?;
        }
        crate::commit_units_change(self.engine(), tx).await?;
        Ok(checked.len())
    }

    /// Units and beds per district, over the units the caller may see.
    #[tracing::instrument(level = "debug", skip_all, fields(user = %actor.who.username))]
    pub async fn province_overview(
        &self,
        actor: &Actor,
    ) -> Result<Vec<DistrictSummary>, StoreError> {
        let districts = self.list_districts(actor).await?;
        let units = self.list_units(actor, &UnitQuery::default()).await?;
        Ok(districts
            .into_iter()
            .filter_map(|d| {
                let mine: Vec<&Unit> = units.iter().filter(|u| u.district_code == d.code).collect();
                if mine.is_empty()
                    && !actor.is_admin()
                    && actor.who.role != raidai_domain::master::Role::Province
                {
                    return None;
                }
                Some(DistrictSummary {
                    hospitals: mine.iter().filter(|u| u.unit_type.is_hospital()).count() as i64,
                    health_promoting: mine
                        .iter()
                        .filter(|u| u.unit_type == UnitType::Rpst)
                        .count() as i64,
                    other_units: mine
                        .iter()
                        .filter(|u| !u.unit_type.is_hospital() && u.unit_type != UnitType::Rpst)
                        .count() as i64,
                    beds: mine.iter().map(|u| u.beds).sum(),
                    district: d,
                })
            })
            .collect())
    }
}

/// Turns a unique-constraint violation into a field error instead of a 500.
pub(crate) fn unique_to_field(e: sqlx::Error, field: &str) -> StoreError {
    if let sqlx::Error::Database(db) = &e
        && db.is_unique_violation()
    {
        return StoreError::field(
            field,
            format!("{field} already exists"),
            "ข้อมูลนี้มีอยู่แล้วในระบบ",
        );
    }
    StoreError::Db(e)
}

/// Reads units from CSV with the header
/// `hcode,name_th,unit_type,district_code,cup_hcode,peer_group,island,beds[,active]`.
/// Errors name the line and field; nothing is returned unless every line parses.
pub fn parse_units_csv(data: &[u8]) -> Result<Vec<UnitInput>, StoreError> {
    let mut c = CsvIn::open(data)?;
    c.require(&["hcode", "name_th", "unit_type", "district_code"])?;
    let mut out = Vec::new();
    let mut errs = Vec::new();
    for (line, rec) in c.records(&mut errs) {
        let get = |name: &str| {
            c.col(name)
                .and_then(|i| rec.get(i))
                .unwrap_or("")
                .trim()
                .to_string()
        };
        let flag = |name: &str, default: bool| match get(name).to_lowercase().as_str() {
            "" => Ok(default),
            "1" | "y" | "yes" | "true" | "ใช่" => Ok(true),
            "0" | "n" | "no" | "false" | "ไม่ใช่" => Ok(false),
            other => Err(FieldError::new(
                name,
                format!("expected 1/0 or yes/no, got {other:?}"),
                "ค่าต้องเป็น 1/0 หรือ ใช่/ไม่ใช่",
            )
            .at_line(line)),
        };
        let beds = match get("beds") {
            b if b.is_empty() => Ok(0),
            b => b.replace(',', "").parse::<i64>().map_err(|_| {
                FieldError::new(
                    "beds",
                    format!("beds must be a whole number, got {b:?}"),
                    "จำนวนเตียงต้องเป็นจำนวนเต็ม",
                )
                .at_line(line)
            }),
        };
        match (flag("island", false), flag("active", true), beds) {
            (Ok(island), Ok(active), Ok(beds)) => out.push(UnitInput {
                hcode: get("hcode"),
                name_th: get("name_th"),
                unit_type: get("unit_type"),
                district_code: get("district_code"),
                cup_hcode: get("cup_hcode"),
                peer_group: get("peer_group"),
                island,
                beds,
                active,
            }),
            (a, b, c) => {
                errs.extend(a.err());
                errs.extend(b.err());
                errs.extend(c.err());
            }
        }
    }
    if !errs.is_empty() {
        return Err(StoreError::Invalid(errs));
    }
    Ok(out)
}
