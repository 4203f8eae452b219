//! Seed 004's inspection beyond the units' own forms (issue 14): the provincial office's own 4P
//! paper, each hospital's 3–5-year financial strategy, and the inspection plan per province,
//! fiscal year and round (sample, schedule, inspectors' findings per item) that the inspection
//! report prints.

mod pho_paper;
mod plan;
mod strategy;

pub use pho_paper::PhoPaper;
pub use plan::{Inspection, InspectionPlanInput, InspectionVisit, sample_gaps};
pub use strategy::{STRATEGY_YEARS, Strategy, StrategyInput, check_strategy};

use crate::audit::Change;
use crate::governance::{
    ASSESSMENT_ROUNDS, AssessmentInput, EVIDENCE_MAX_BYTES, FormKind, ItemMark, PaperHeader,
    check_input, clean_filename, evidence_type, json,
};
use crate::sql::{Sql, get_i, get_os, get_s};
use crate::{Actor, FieldError, Store, StoreError, now_ms};
use raidai_domain::master::{Role, UnitType};
use raidai_governance::CriteriaSet;
use serde::Serialize;
use sqlx::any::AnyRow;
use std::collections::{BTreeMap, BTreeSet};

/// The 4P group whose items are about the provincial office (items 1–3 of the seed's paper).
pub const PHO_GROUP: &str = "PHO";

/// The criteria set in force for a fiscal year.
pub fn criteria_for(fiscal_year: u16) -> &'static CriteriaSet {
    CriteriaSet::default_for(fiscal_year).unwrap_or_else(CriteriaSet::builtin)
}

/// The 4P items the provincial office's own paper holds, in printed order.
pub fn pho_item_ids(criteria: &CriteriaSet) -> Vec<String> {
    criteria
        .four_p
        .items
        .iter()
        .filter(|i| i.group == PHO_GROUP)
        .map(|i| i.id.clone())
        .collect()
}

/// The 4P items an inspector checks at a hospital (all but the provincial office's).
pub fn unit_item_ids(criteria: &CriteriaSet) -> Vec<String> {
    criteria
        .four_p
        .items
        .iter()
        .filter(|i| i.group != PHO_GROUP)
        .map(|i| i.id.clone())
        .collect()
}

/// The key of a province's round (after `province_code = `): the province, fiscal year and round.
trait RoundKey {
    fn push_round_key(&mut self, province: &str, fiscal_year: u16, round: u8) -> &mut Self;
}

impl RoundKey for Sql {
    fn push_round_key(&mut self, province: &str, fiscal_year: u16, round: u8) -> &mut Self {
        self.text(province)
            .push(" AND fiscal_year = ")
            .int(i64::from(fiscal_year))
            .push(" AND round = ")
            .int(i64::from(round))
    }
}

fn check_year_round(fiscal_year: u16, round: u8) -> Result<(), StoreError> {
    let mut errs = Vec::new();
    if !(2500..=2700).contains(&fiscal_year) {
        errs.push(FieldError::new(
            "fiscal_year",
            "fiscal year must be a BE year such as 2569",
            "ปีงบประมาณต้องเป็นปี พ.ศ. เช่น 2569",
        ));
    }
    if !ASSESSMENT_ROUNDS.contains(&round) {
        errs.push(FieldError::new(
            "round",
            "round must be 1 or 2",
            "รอบการตรวจต้องเป็น 1 หรือ 2",
        ));
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(errs))
    }
}

fn check_date(field: &str, d: Option<&str>) -> Option<FieldError> {
    let d = d.filter(|d| !d.is_empty())?;
    chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
        .is_err()
        .then(|| {
            FieldError::new(
                field,
                format!("date must be YYYY-MM-DD, got {d:?}"),
                "วันที่ไม่ถูกต้อง",
            )
        })
}

fn too_long(field: &str, v: &str, max: usize) -> Option<FieldError> {
    (v.chars().count() > max).then(|| {
        FieldError::new(
            field,
            format!("{field} is limited to {max} characters"),
            format!("ข้อความยาวเกิน {max} ตัวอักษร"),
        )
    })
}

/// An inspection's place: the provincial office or a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target<'a> {
    Office,
    Unit(&'a str),
}

impl<'a> Target<'a> {
    /// '' is the office (the column's value), else a unit's code.
    pub fn parse(s: &'a str) -> Target<'a> {
        if s.is_empty() || s.eq_ignore_ascii_case("pho") {
            Target::Office
        } else {
            Target::Unit(s)
        }
    }

    fn column(self) -> &'a str {
        match self {
            Target::Office => "",
            Target::Unit(h) => h,
        }
    }
}

impl Store {
    /// The provincial office's papers and plans belong to its province: the province's own
    /// users and the administrators see them; a district or unit user never does. Writing
    /// takes the same roles.
    async fn check_province(&self, actor: &Actor, code: &str) -> Result<(), StoreError> {
        match actor.who.role {
            Role::Admin => {}
            Role::Province if actor.who.province_code.as_deref() == Some(code) => {}
            Role::Province => return Err(StoreError::NotFound),
            _ => return Err(StoreError::Forbidden),
        }
        let mut s = Sql::new("SELECT code FROM provinces WHERE code = ");
        s.text(code);
        match s.query().fetch_optional(self.pool()).await? {
            Some(_) => Ok(()),
            None => Err(StoreError::NotFound),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_sample_needs_one_general_and_one_community_hospital() {
        assert!(sample_gaps(&[UnitType::Rpt, UnitType::Rpch]).is_empty());
        assert!(sample_gaps(&[UnitType::Rps, UnitType::Rpch, UnitType::Rpch]).is_empty());
        assert_eq!(sample_gaps(&[UnitType::Rpch]).len(), 1);
        assert_eq!(sample_gaps(&[UnitType::Rps]).len(), 1);
        assert_eq!(sample_gaps(&[]).len(), 2);
    }

    #[test]
    fn a_strategy_spans_three_to_five_years() {
        let s = |a, b| StrategyInput {
            first_fy: a,
            last_fy: b,
            title: "แผนกลยุทธ์ทางการเงิน".into(),
            ..Default::default()
        };
        assert!(check_strategy(&s(2568, 2570)).is_empty());
        assert!(check_strategy(&s(2568, 2572)).is_empty());
        assert!(!check_strategy(&s(2568, 2569)).is_empty());
        assert!(!check_strategy(&s(2568, 2573)).is_empty());
        assert!(!check_strategy(&s(2570, 2568)).is_empty());
        assert!(!check_strategy(&s(68, 70)).is_empty());
        let mut no_title = s(2568, 2570);
        no_title.title = " ".into();
        assert_eq!(check_strategy(&no_title)[0].field, "title");
    }

    #[test]
    fn the_office_paper_holds_items_one_to_three() {
        let c = CriteriaSet::builtin();
        let pho = pho_item_ids(c);
        assert_eq!(pho.len(), 3);
        assert_eq!(pho.len() + unit_item_ids(c).len(), c.four_p.items.len());
    }
}
