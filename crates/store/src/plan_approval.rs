//! The maintenance-fund plan's approval path (issue 14, seed 004): drafted and submitted by the
//! unit, reviewed by the provincial office (or returned with a comment), approved by the
//! provincial chief. Each step keeps who, when and the comment; the last step is the state.

use crate::audit::Change;
use crate::sql::binds;
use crate::sql::{Sql, get_i, get_s, row_struct};
use crate::{Actor, Store, StoreError, now_ms};
use raidai_domain::ids::Hcode;
use raidai_domain::master::Role;
use serde::Serialize;
use std::collections::BTreeMap;

row_struct! {
/// One step of a plan's approval path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanStep {
    pub seq: i64,
    /// submitted, returned, reviewed, approved
    pub step: String,
    pub username: String,
    pub signer: String,
    pub comment: String,
    pub at: i64,
}
}

/// The steps a plan may take next from `state` ('' = draft), and who takes them.
pub fn next_steps(state: &str) -> &'static [&'static str] {
    match state {
        "" | "returned" => &["submitted"],
        "submitted" => &["reviewed", "returned"],
        "reviewed" => &["approved", "returned"],
        _ => &[],
    }
}

fn by_unit(step: &str) -> bool {
    step == "submitted"
}

impl Store {
    /// The plan's steps, oldest first.
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn plan_steps(
        &self,
        actor: &Actor,
        unit: Hcode,
        fiscal_year: u16,
    ) -> Result<Vec<PlanStep>, StoreError> {
        let hcode = unit.as_str();
        self.get_unit(actor, unit).await?;
        let mut s = Sql::new(
            "SELECT seq, step, username, signer, comment, at FROM gov_plan_steps WHERE hcode = ",
        );
        s.text(hcode)
            .push(" AND fiscal_year = ")
            .int(i64::from(fiscal_year))
            .push(" ORDER BY seq");
        s.query()
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| Ok(PlanStep::from_row(r)?))
            .collect()
    }

    /// Takes one step: the unit submits; the province reviews, returns (a comment is
    /// required) or records the chief's approval (the chief's name is required). A step that
    /// does not follow from the plan's state is refused.
    #[tracing::instrument(level = "debug", skip_all, fields(hcode = %unit, user = %actor.who.username))]
    pub async fn plan_step(
        &self,
        actor: &Actor,
        unit: Hcode,
        fiscal_year: u16,
        step: &str,
        signer: &str,
        comment: &str,
    ) -> Result<PlanStep, StoreError> {
        let hcode = unit.as_str();
        self.get_unit(actor, unit).await?;
        if by_unit(step) {
            // The unit's own people submit (the province reviews what it did not write).
            if !matches!(
                actor.who.role,
                Role::UnitHead | Role::UnitRevenue | Role::Admin
            ) {
                return Err(StoreError::Forbidden);
            }
            self.check_unit_writable(actor, hcode).await?;
        } else if !matches!(actor.who.role, Role::Admin | Role::Province) {
            return Err(StoreError::Forbidden);
        }
        let (signer, comment) = (signer.trim(), comment.trim());
        if comment.chars().count() > 2000 || signer.chars().count() > 200 {
            return Err(StoreError::field(
                "comment",
                "a comment is limited to 2,000 characters, a name to 200",
                "ความเห็นไม่เกิน 2,000 ตัวอักษร ชื่อไม่เกิน 200 ตัวอักษร",
            ));
        }
        if step == "returned" && comment.is_empty() {
            return Err(StoreError::field(
                "comment",
                "say what to change when returning a plan",
                "การส่งกลับแก้ไขต้องระบุสิ่งที่ต้องแก้",
            ));
        }
        if step == "approved" && signer.is_empty() {
            return Err(StoreError::field(
                "signer",
                "the approver's name (the provincial chief) is required",
                "ต้องระบุชื่อผู้อนุมัติ (นายแพทย์สาธารณสุขจังหวัด)",
            ));
        }
        let mut tx = self.pool().begin().await?;
        let plan = {
            let mut p = Sql::new("SELECT plan_type FROM gov_plans WHERE hcode = ");
            p.text(hcode)
                .push(" AND fiscal_year = ")
                .int(i64::from(fiscal_year));
            p.query().fetch_optional(&mut *tx).await?
        };
        if plan.is_none() {
            return Err(StoreError::field(
                "plan",
                "enter the plan (its type and amounts) before it is submitted",
                "ต้องบันทึกแผน (แบบแผนและยอดตามแผน) ก่อนส่ง",
            ));
        }
        let mut last = Sql::new("SELECT seq, step FROM gov_plan_steps WHERE hcode = ");
        last.text(hcode)
            .push(" AND fiscal_year = ")
            .int(i64::from(fiscal_year))
            .push(" ORDER BY seq DESC LIMIT 1");
        let (seq, state) = match last.query().fetch_optional(&mut *tx).await? {
            Some(r) => (get_i(&r, "seq")?, get_s(&r, "step")?),
            None => (0, String::new()),
        };
        if !next_steps(&state).contains(&step) {
            return Err(StoreError::field(
                "step",
                format!(
                    "a plan that is {} cannot be {step}",
                    if state.is_empty() { "a draft" } else { &state }
                ),
                "ขั้นตอนนี้ทำไม่ได้กับสถานะแผนปัจจุบัน",
            ));
        }
        let at = now_ms();
        let signer = if signer.is_empty() {
            actor.who.username.clone()
        } else {
            signer.to_string()
        };
        let mut s = Sql::new(
            "INSERT INTO gov_plan_steps (hcode, fiscal_year, seq, step, username, signer, comment, at) VALUES (",
        );
        s.list(binds![
            hcode,
            i64::from(fiscal_year),
            seq + 1,
            step,
            actor.who.username.clone(),
            signer.clone(),
            comment,
            at
        ])
        .push(")");
        s.query().execute(&mut *tx).await?;
        let key = format!("{hcode}/{fiscal_year}");
        Change::new("gov_plan", &key, step)
            .unit(hcode)
            .before(serde_json::json!({ "state": state }))
            .after(serde_json::json!({ "state": step, "signer": signer, "comment": comment }))
            .record_and_commit(tx, actor)
            .await?;
        Ok(PlanStep {
            seq: seq + 1,
            step: step.to_string(),
            username: actor.who.username.clone(),
            signer,
            comment: comment.to_string(),
            at,
        })
    }

    /// Each visible unit's plan state for a year ('' = draft; units without a plan absent).
    #[tracing::instrument(level = "debug", skip_all, fields(user = %actor.who.username))]
    pub async fn plan_states_in_scope(
        &self,
        actor: &Actor,
        fiscal_year: u16,
    ) -> Result<BTreeMap<String, String>, StoreError> {
        let mut s = Sql::new(
            "SELECT p.hcode, COALESCE((SELECT s.step FROM gov_plan_steps s WHERE s.hcode = p.hcode AND s.fiscal_year = p.fiscal_year ORDER BY s.seq DESC LIMIT 1), '') AS state \
             FROM gov_plans p JOIN units u ON u.hcode = p.hcode WHERE p.fiscal_year = ",
        );
        s.int(i64::from(fiscal_year));
        actor.push_unit_scope(&mut s, "u");
        s.query()
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| Ok((get_s(r, "hcode")?, get_s(r, "state")?)))
            .collect()
    }
}
