//! Planfin: the plan, actuals and revisions per unit and fiscal year.

use super::*;
use crate::csv_in::CsvIn;
use crate::sql::binds;
use raidai_domain::ids::Hcode;

/// Plan or actual amounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AmountKind {
    Plan,
    Actual,
}

impl AmountKind {
    pub fn code(self) -> &'static str {
        match self {
            AmountKind::Plan => "plan",
            AmountKind::Actual => "actual",
        }
    }
    pub fn parse(s: &str) -> Option<AmountKind> {
        match s {
            "plan" => Some(AmountKind::Plan),
            "actual" => Some(AmountKind::Actual),
            _ => None,
        }
    }
}

/// A revision of a plan as stored, with who approved it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredRevision {
    pub revision: PlanRevision,
    pub approved_by: Option<String>,
}

/// A unit's Planfin year: the engine's plan and actuals, and the revision details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanYear {
    pub plan: Plan,
    pub actuals: Actuals,
    pub revisions: Vec<StoredRevision>,
    pub updated_at: i64,
}

/// Reads plan or actual lines: `code` (P04 …) then one column per fiscal month, `m01` (October)
/// … `m12` (September), in baht; empty cells are 0. A code may appear once.
pub fn parse_plan_csv(data: &[u8]) -> Result<Vec<PlanLine>, StoreError> {
    let mut c = CsvIn::open(data)?;
    let months: Vec<String> = (1..=12).map(|m| format!("m{m:02}")).collect();
    let mut required = vec!["code"];
    required.extend(months.iter().map(String::as_str));
    c.require(&required)?;
    let ci = c.col("code");
    let mi: Vec<Option<usize>> = months.iter().map(|m| c.col(m)).collect();
    let mut out: Vec<PlanLine> = Vec::new();
    let mut errs = Vec::new();
    for (line, rec) in c.records(&mut errs) {
        let code_text = ci.and_then(|i| rec.get(i)).unwrap_or("").trim();
        let code = match code_text.parse::<PlanCode>() {
            Ok(c) => c,
            Err(e) => {
                errs.push(
                    FieldError::new(
                        "code",
                        e.to_string(),
                        format!("ไม่รู้จักรหัสรายการแผน {code_text:?}"),
                    )
                    .at_line(line),
                );
                continue;
            }
        };
        if out.iter().any(|l| l.code == code) {
            errs.push(
                FieldError::new(
                    "code",
                    format!("{code} appears twice"),
                    format!("รหัส {code} ซ้ำ"),
                )
                .at_line(line),
            );
            continue;
        }
        let mut amounts = [Satang::ZERO; 12];
        let mut ok = true;
        for (k, idx) in mi.iter().enumerate() {
            match money(&rec, *idx, &months[k], line, false) {
                Ok(v) => amounts[k] = v,
                Err(e) => {
                    errs.push(e);
                    ok = false;
                }
            }
        }
        if ok {
            out.push(PlanLine {
                code,
                months: amounts,
            });
        }
    }
    if !errs.is_empty() {
        return Err(StoreError::Invalid(errs));
    }
    Ok(out)
}

pub(crate) fn check_fy(fy: u16) -> Result<(), StoreError> {
    if (2500..=2700).contains(&fy) {
        Ok(())
    } else {
        Err(StoreError::field(
            "fiscal_year",
            "fiscal year must be a BE year such as 2569",
            "ปีงบประมาณต้องเป็นปี พ.ศ. เช่น 2569",
        ))
    }
}

impl Store {
    /// Creates the plan year or changes its type (1..=7 per the criteria; the derivable
    /// no-risk rule is a warning shown with the plan, not a refusal).
    pub async fn save_plan_type(
        &self,
        actor: &Actor,
        unit: Hcode,
        fiscal_year: u16,
        plan_type: u8,
    ) -> Result<(), StoreError> {
        let hcode = unit.as_str();
        self.check_unit_writable(actor, hcode).await?;
        check_fy(fiscal_year)?;
        let max = CriteriaSet::default_for(fiscal_year)
            .unwrap_or_else(CriteriaSet::builtin)
            .planfin
            .plan_type_max;
        if !(1..=max).contains(&plan_type) {
            return Err(StoreError::field(
                "plan_type",
                format!("plan type must be 1 to {max}"),
                format!("แบบแผนต้องเป็น 1 ถึง {max}"),
            ));
        }
        let mut tx = self.pool().begin().await?;
        let mut s = Sql::new(
            "INSERT INTO gov_plans (hcode, fiscal_year, plan_type, updated_at, updated_by) VALUES (",
        );
        s.list(binds![hcode, i64::from(fiscal_year), i64::from(plan_type), now_ms(), actor.who.username.clone()])
            .push(") ON CONFLICT (hcode, fiscal_year) DO UPDATE SET plan_type = excluded.plan_type, updated_at = excluded.updated_at, updated_by = excluded.updated_by");
        s.query().execute(&mut *tx).await?;
        Change::new("gov_plan", &format!("{hcode}/{fiscal_year}"), "plan_type")
            .unit(hcode)
            .after(serde_json::json!({ "plan_type": plan_type }))
            .record_and_commit(tx, actor)
            .await?;
        Ok(())
    }

    /// Replaces the plan or the actual amounts of a plan year (which must exist).
    pub async fn save_plan_amounts(
        &self,
        actor: &Actor,
        unit: Hcode,
        fiscal_year: u16,
        kind: AmountKind,
        lines: &[PlanLine],
    ) -> Result<(), StoreError> {
        let hcode = unit.as_str();
        self.check_unit_writable(actor, hcode).await?;
        if self
            .get_plan_year(actor, unit, fiscal_year)
            .await?
            .is_none()
        {
            return Err(StoreError::field(
                "plan_type",
                "enter the plan type first",
                "กรุณาระบุแบบแผนก่อน",
            ));
        }
        let mut tx = self.pool().begin().await?;
        let mut del = Sql::new("DELETE FROM gov_plan_amounts WHERE hcode = ");
        del.text(hcode)
            .push(" AND fiscal_year = ")
            .int(i64::from(fiscal_year))
            .push(" AND kind = ")
            .text(kind.code());
        del.query().execute(&mut *tx).await?;
        for l in lines {
            for (m, amount) in l.months.iter().enumerate() {
                if amount.is_zero() {
                    continue;
                }
                let mut s = Sql::new(
                    "INSERT INTO gov_plan_amounts (hcode, fiscal_year, kind, code, month, amount) VALUES (",
                );
                s.list(binds![
                    hcode,
                    i64::from(fiscal_year),
                    kind.code(),
                    l.code.code(),
                    m as i64 + 1,
                    amount.0
                ])
                .push(")");
                s.query().execute(&mut *tx).await?;
            }
        }
        Change::new("gov_plan", &format!("{hcode}/{fiscal_year}"), kind.code())
            .unit(hcode)
            .after_opt(json(&lines))
            .record_and_commit(tx, actor)
            .await?;
        Ok(())
    }

    /// Records a revision (review) of the plan; it counts once the province approves it.
    pub async fn add_plan_revision(
        &self,
        actor: &Actor,
        unit: Hcode,
        fiscal_year: u16,
        revised_on: Option<String>,
        note: &str,
    ) -> Result<u32, StoreError> {
        let hcode = unit.as_str();
        self.check_unit_writable(actor, hcode).await?;
        let Some(year) = self.get_plan_year(actor, unit, fiscal_year).await? else {
            return Err(StoreError::field(
                "plan_type",
                "enter the plan type first",
                "กรุณาระบุแบบแผนก่อน",
            ));
        };
        if let Some(d) = revised_on.as_deref()
            && chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err()
        {
            return Err(StoreError::field(
                "revised_on",
                format!("date must be YYYY-MM-DD, got {d:?}"),
                "วันที่ไม่ถูกต้อง",
            ));
        }
        let number = year.revisions.len() as u32 + 1;
        let mut tx = self.pool().begin().await?;
        let mut s = Sql::new(
            "INSERT INTO gov_plan_revisions (hcode, fiscal_year, number, revised_on, note, approved) VALUES (",
        );
        s.list(binds![
            hcode,
            i64::from(fiscal_year),
            i64::from(number),
            revised_on,
            note.trim()
        ])
        .push(", 0)");
        s.query().execute(&mut *tx).await?;
        Change::new(
            "gov_plan_revision",
            &format!("{hcode}/{fiscal_year}/{number}"),
            "create",
        )
        .unit(hcode)
        .after(serde_json::json!({ "note": note.trim() }))
        .record_and_commit(tx, actor)
        .await?;
        Ok(number)
    }

    /// The province's approval of a revision (PHO review before the chief signs).
    pub async fn approve_plan_revision(
        &self,
        actor: &Actor,
        unit: Hcode,
        fiscal_year: u16,
        number: u32,
    ) -> Result<(), StoreError> {
        let hcode = unit.as_str();
        self.get_unit(actor, unit).await?;
        if !matches!(actor.who.role, Role::Admin | Role::Province) {
            return Err(StoreError::Forbidden);
        }
        let mut tx = self.pool().begin().await?;
        let mut s = Sql::new("UPDATE gov_plan_revisions SET approved = 1, approved_by = ");
        s.text(actor.who.username.clone())
            .push(", approved_at = ")
            .int(now_ms())
            .push(" WHERE hcode = ")
            .text(hcode)
            .push(" AND fiscal_year = ")
            .int(i64::from(fiscal_year))
            .push(" AND number = ")
            .int(i64::from(number));
        if s.query().execute(&mut *tx).await?.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Change::new(
            "gov_plan_revision",
            &format!("{hcode}/{fiscal_year}/{number}"),
            "approve",
        )
        .unit(hcode)
        .record_and_commit(tx, actor)
        .await?;
        Ok(())
    }

    /// A visible unit's plan year, or `None` when no plan was entered.
    pub async fn get_plan_year(
        &self,
        actor: &Actor,
        unit: Hcode,
        fiscal_year: u16,
    ) -> Result<Option<PlanYear>, StoreError> {
        let hcode = unit.as_str();
        self.get_unit(actor, unit).await?;
        let mut s = Sql::new(
            "SELECT p.plan_type, p.updated_at FROM gov_plans p JOIN units u ON u.hcode = p.hcode WHERE p.hcode = ",
        );
        s.text(hcode)
            .push(" AND p.fiscal_year = ")
            .int(i64::from(fiscal_year));
        actor.push_unit_scope(&mut s, "u");
        let Some(row) = s.query().fetch_optional(self.pool()).await? else {
            return Ok(None);
        };
        let mut a = Sql::new(
            "SELECT a.kind, a.code, a.month, a.amount FROM gov_plan_amounts a WHERE a.hcode = ",
        );
        a.text(hcode)
            .push(" AND a.fiscal_year = ")
            .int(i64::from(fiscal_year));
        let mut plan_lines: BTreeMap<PlanCode, [Satang; 12]> = BTreeMap::new();
        let mut actual_lines: BTreeMap<PlanCode, [Satang; 12]> = BTreeMap::new();
        let mut months_closed = 0u8;
        for r in a.query().fetch_all(self.pool()).await? {
            let Ok(code) = get_s(&r, "code")?.parse::<PlanCode>() else {
                continue;
            };
            let month = usize::try_from(get_i(&r, "month")?).unwrap_or(0);
            if !(1..=12).contains(&month) {
                continue;
            }
            let target = if get_s(&r, "kind")? == "actual" {
                months_closed = months_closed.max(month as u8);
                &mut actual_lines
            } else {
                &mut plan_lines
            };
            target.entry(code).or_insert([Satang::ZERO; 12])[month - 1] =
                Satang(get_i(&r, "amount")?);
        }
        let mut rv = Sql::new(
            "SELECT r.number, r.revised_on, r.note, r.approved, r.approved_by FROM gov_plan_revisions r WHERE r.hcode = ",
        );
        rv.text(hcode)
            .push(" AND r.fiscal_year = ")
            .int(i64::from(fiscal_year))
            .push(" ORDER BY r.number");
        let revisions = rv
            .query()
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                Ok(StoredRevision {
                    revision: PlanRevision {
                        number: u32::try_from(get_i(r, "number")?).unwrap_or_default(),
                        date: crate::sql::get_os(r, "revised_on")?,
                        approved: get_i(r, "approved")? != 0,
                        note: get_s(r, "note")?,
                    },
                    approved_by: crate::sql::get_os(r, "approved_by")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let to_lines = |m: BTreeMap<PlanCode, [Satang; 12]>| -> Vec<PlanLine> {
            m.into_iter()
                .map(|(code, months)| PlanLine { code, months })
                .collect()
        };
        Ok(Some(PlanYear {
            plan: Plan {
                hcode: hcode.to_string(),
                fiscal_year,
                plan_type: u8::try_from(get_i(&row, "plan_type")?).unwrap_or_default(),
                lines: to_lines(plan_lines),
                revisions: revisions.iter().map(|r| r.revision.clone()).collect(),
            },
            actuals: Actuals {
                lines: to_lines(actual_lines),
                months_closed,
            },
            revisions,
            updated_at: get_i(&row, "updated_at")?,
        }))
    }
}

impl Store {
    /// Plan types of the visible units' plans for a fiscal year, by unit.
    pub async fn plan_types_in_scope(
        &self,
        actor: &Actor,
        fiscal_year: u16,
    ) -> Result<BTreeMap<String, u8>, StoreError> {
        let mut s = Sql::new(
            "SELECT p.hcode, p.plan_type FROM gov_plans p JOIN units u ON u.hcode = p.hcode WHERE p.fiscal_year = ",
        );
        s.int(i64::from(fiscal_year));
        actor.push_unit_scope(&mut s, "u");
        let rows = s.query().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                Ok((
                    get_s(r, "hcode")?,
                    u8::try_from(get_i(r, "plan_type")?).unwrap_or_default(),
                ))
            })
            .collect()
    }
}
