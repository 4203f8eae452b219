//! Who is asking, and which units they may see.

use crate::sql::Sql;
use raidai_domain::master::Role;
use serde::Serialize;

/// Who someone is and which units they may see: what a user row and the actor acting for it
/// share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Identity {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub province_code: Option<String>,
    pub district_code: Option<String>,
    pub hcode: Option<String>,
}

/// The caller of a store operation. Built from a session (web), or [`Actor::system`] for the CLI.
#[derive(Debug, Clone, Serialize)]
pub struct Actor {
    pub user_id: Option<String>,
    #[serde(flatten)]
    pub who: Identity,
}

impl Actor {
    /// The operator at the command line: a system administrator with no user row.
    pub fn system() -> Actor {
        Actor {
            user_id: None,
            who: Identity {
                username: "system".into(),
                display_name: "system".into(),
                role: Role::Admin,
                province_code: None,
                district_code: None,
                hcode: None,
            },
        }
    }

    /// Whether the actor may import and change a unit's claims data (16 files, returns,
    /// follow-up, Data Audit, periods): an administrator or the unit's own staff. The one rule
    /// the store enforces and the pages ask before offering a form.
    pub fn may_import(&self, hcode: &str) -> bool {
        match self.who.role {
            Role::Admin => true,
            Role::UnitHead | Role::UnitRevenue => self.who.hcode.as_deref() == Some(hcode),
            Role::Province | Role::District => false,
        }
    }

    /// Whether the actor may enter governance data for the units it sees: district users only
    /// read (the store also checks the unit is in scope).
    pub fn may_write_governance(&self) -> bool {
        self.who.role != Role::District
    }

    /// Whether the actor may set a province's configuration (posting map, audit catalogue,
    /// code tables): an administrator or that province's officers.
    pub fn may_configure_province(&self, province_code: &str) -> bool {
        self.is_admin()
            || (self.who.role == Role::Province
                && self.who.province_code.as_deref() == Some(province_code))
    }

    pub fn is_admin(&self) -> bool {
        self.who.role == Role::Admin
    }

    /// Appends ` AND <tenancy condition>` on a units table aliased `alias`.
    /// A user whose scope field is missing sees nothing rather than everything.
    pub(crate) fn push_unit_scope(&self, sql: &mut Sql, alias: &str) {
        let (col, val) = match self.who.role {
            Role::Admin => return,
            Role::Province => ("province_code", &self.who.province_code),
            Role::District => ("district_code", &self.who.district_code),
            Role::UnitHead | Role::UnitRevenue => ("hcode", &self.who.hcode),
        };
        match val {
            Some(v) => {
                sql.push(&format!(" AND {alias}.{col} = ")).text(v.clone());
            }
            None => {
                sql.push(" AND 1 = 0");
            }
        }
    }

    /// Appends ` AND <condition>` on a districts table aliased `alias`.
    pub(crate) fn push_district_scope(&self, sql: &mut Sql, alias: &str) {
        match self.who.role {
            Role::Admin => {}
            Role::Province => match &self.who.province_code {
                Some(p) => {
                    sql.push(&format!(" AND {alias}.province_code = "))
                        .text(p.clone());
                }
                None => {
                    sql.push(" AND 1 = 0");
                }
            },
            Role::District => match &self.who.district_code {
                Some(d) => {
                    sql.push(&format!(" AND {alias}.code = ")).text(d.clone());
                }
                None => {
                    sql.push(" AND 1 = 0");
                }
            },
            Role::UnitHead | Role::UnitRevenue => match &self.who.hcode {
                Some(h) => {
                    sql.push(&format!(
                        " AND {alias}.code IN (SELECT district_code FROM units WHERE hcode = "
                    ))
                    .text(h.clone())
                    .push(")");
                }
                None => {
                    sql.push(" AND 1 = 0");
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testkit::actor;
    use raidai_domain::master::Role;

    #[test]
    fn one_rule_for_who_imports_and_who_writes_governance() {
        assert!(actor(Role::Admin, "").may_import("99001"));
        assert!(actor(Role::UnitHead, "99001").may_import("99001"));
        assert!(actor(Role::UnitRevenue, "99001").may_import("99001"));
        assert!(!actor(Role::UnitRevenue, "99001").may_import("99002"));
        assert!(!actor(Role::Province, "99").may_import("99001"));
        assert!(!actor(Role::District, "9901").may_import("99001"));
        assert!(actor(Role::Province, "99").may_write_governance());
        assert!(actor(Role::UnitHead, "99001").may_write_governance());
        assert!(!actor(Role::District, "9901").may_write_governance());
    }
}
