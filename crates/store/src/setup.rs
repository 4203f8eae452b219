//! First-run setup of an installation: the province it serves (copied with its districts from
//! the bundled geography), and what is still missing before the offices can work.

use crate::audit::Change;
use crate::master::Province;
use crate::sql::{Sql, get_i, row_struct};
use crate::{Actor, Store, StoreError};
use raidai_domain::master::Role;
use serde::Serialize;

row_struct! {
/// A province of the bundled geography, and whether this installation serves it.
#[derive(Debug, Clone, Serialize)]
pub struct GeoProvince {
    pub code: String,
    pub name_th: String,
    pub name_en: String,
}
}

/// How far the setup has come; every count is over the whole installation.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SetupStatus {
    pub provinces: Vec<Province>,
    pub districts: i64,
    pub units: i64,
    pub hospitals: i64,
    pub province_users: i64,
    pub district_users: i64,
    pub unit_users: i64,
}

/// One step the setup still needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SetupStep {
    Province,
    Units,
    ProvinceUser,
    DistrictUsers,
    UnitUsers,
}

impl SetupStep {
    pub fn code(self) -> &'static str {
        match self {
            SetupStep::Province => "province",
            SetupStep::Units => "units",
            SetupStep::ProvinceUser => "province_user",
            SetupStep::DistrictUsers => "district_users",
            SetupStep::UnitUsers => "unit_users",
        }
    }
}

impl SetupStatus {
    /// The steps not done yet, in the order a new office does them.
    pub fn missing(&self) -> Vec<SetupStep> {
        let mut m = Vec::new();
        if self.provinces.is_empty() {
            m.push(SetupStep::Province);
        }
        if self.units == 0 {
            m.push(SetupStep::Units);
        }
        if self.province_users == 0 {
            m.push(SetupStep::ProvinceUser);
        }
        if self.district_users == 0 {
            m.push(SetupStep::DistrictUsers);
        }
        if self.unit_users == 0 {
            m.push(SetupStep::UnitUsers);
        }
        m
    }
}

impl Store {
    /// The 77 provinces of the bundled geography.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn geo_provinces(&self) -> Result<Vec<GeoProvince>, StoreError> {
        let rows = Sql::new("SELECT code, name_th, name_en FROM geo_provinces ORDER BY code")
            .query()
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|r| Ok(GeoProvince::from_row(r)?)).collect()
    }

    /// Makes this installation serve province `code`: the province and every one of its
    /// districts are copied from the geography (names refreshed if already there). Admins only.
    /// Returns the number of districts.
    #[tracing::instrument(level = "debug", skip_all, fields(user = %actor.who.username))]
    pub async fn setup_province(&self, actor: &Actor, code: &str) -> Result<i64, StoreError> {
        if !actor.is_admin() {
            return Err(StoreError::Forbidden);
        }
        let code = code.trim();
        let mut s = Sql::new("SELECT code, name_th, name_en FROM geo_provinces WHERE code = ");
        s.text(code);
        let Some(p) = s.query().fetch_optional(self.pool()).await? else {
            return Err(StoreError::field(
                "province_code",
                format!("{code:?} is not a Thai province code (two digits, 10–96)"),
                "ไม่พบรหัสจังหวัดนี้ (ตัวเลข 2 หลัก 10–96)",
            ));
        };
        let province = Province::from_row(&p)?;
        let mut tx = self.pool().begin().await?;
        let mut s = Sql::new(
            "INSERT INTO provinces (code, name_th, name_en) SELECT code, name_th, name_en FROM geo_provinces WHERE code = ",
        );
        s.text(code).push(
            " ON CONFLICT (code) DO UPDATE SET name_th = excluded.name_th, name_en = excluded.name_en",
        );
        s.query().execute(&mut *tx).await?;
        let mut s = Sql::new(
            "INSERT INTO districts (code, province_code, name_th, name_en) SELECT code, province_code, name_th, name_en FROM geo_districts WHERE province_code = ",
        );
        s.text(code).push(
            " ON CONFLICT (code) DO UPDATE SET name_th = excluded.name_th, name_en = excluded.name_en",
        );
        s.query().execute(&mut *tx).await?;
        let mut s = Sql::new("SELECT COUNT(*) AS n FROM districts WHERE province_code = ");
        s.text(code);
        let n = get_i(&s.query().fetch_one(&mut *tx).await?, "n")?;
        Change::new("province", code, "setup")
            .after_opt(serde_json::to_value(&province).ok())
            .record(&mut tx, actor)
            .await?;
        crate::commit_units_change(self.engine(), tx).await?;
        Ok(n)
    }

    /// What the installation has so far. Admins and provincial officers.
    #[tracing::instrument(level = "debug", skip_all, fields(user = %actor.who.username))]
    pub async fn setup_status(&self, actor: &Actor) -> Result<SetupStatus, StoreError> {
        if !matches!(actor.who.role, Role::Admin | Role::Province) {
            return Err(StoreError::Forbidden);
        }
        let count = |sql: &str| Sql::new(sql);
        let mut out = SetupStatus {
            provinces: self.list_provinces(&Actor::system()).await?,
            ..SetupStatus::default()
        };
        for (slot, sql) in [
            (&mut out.districts, "SELECT COUNT(*) AS n FROM districts"),
            (&mut out.units, "SELECT COUNT(*) AS n FROM units"),
            (
                &mut out.hospitals,
                "SELECT COUNT(*) AS n FROM units WHERE unit_type IN ('rps', 'rpt', 'rpch')",
            ),
            (
                &mut out.province_users,
                "SELECT COUNT(*) AS n FROM users WHERE role = 'province' AND active = 1",
            ),
            (
                &mut out.district_users,
                "SELECT COUNT(*) AS n FROM users WHERE role = 'district' AND active = 1",
            ),
            (
                &mut out.unit_users,
                "SELECT COUNT(*) AS n FROM users WHERE role IN ('unit_head', 'unit_revenue') AND active = 1",
            ),
        ] {
            *slot = get_i(&count(sql).query().fetch_one(self.pool()).await?, "n")?;
        }
        Ok(out)
    }
}
