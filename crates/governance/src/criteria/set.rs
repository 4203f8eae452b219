//! All criteria of one fiscal year: loading (TOML/JSON, embedded and installed sets),
//! validation, differences, and the [`CriteriaLibrary`] by year.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::{
    AutoCheck, CollectionFund, CriteriaError, FY2565_TOML, FourPCriteria, GradeBand, MeasureTarget,
    PlanfinCriteria, RevenueCentreCriteria, RiskScoreCriteria, SevenPlusCriteria, TpsCriteria,
};
use crate::num::Hundredths;

// ---------------------------------------------------------------------------------------------
// The set
// ---------------------------------------------------------------------------------------------

/// All criteria of one fiscal year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CriteriaSet {
    /// Fiscal year, Buddhist Era (2565).
    pub fiscal_year: u16,
    /// Version label of this data, e.g. `"2565.1"`.
    pub version: String,
    /// Thai title.
    pub title_th: String,
    /// English title.
    pub title_en: String,
    /// Where the numbers come from.
    pub source: String,
    /// Risk Score and round targets.
    pub risk_score: RiskScoreCriteria,
    /// The five measures.
    pub measures: Vec<MeasureTarget>,
    /// 7 Plus targets.
    pub seven_plus: SevenPlusCriteria,
    /// TPS.
    pub tps: TpsCriteria,
    /// Revenue-collection centre (4S4C + survey).
    pub revenue_centre: RevenueCentreCriteria,
    /// 4P working paper.
    pub four_p: FourPCriteria,
    /// Planfin.
    pub planfin: PlanfinCriteria,
}

/// Sets loaded at run time by fiscal year (see [`CriteriaSet::install`]).
fn loaded_sets() -> &'static std::sync::RwLock<BTreeMap<u16, &'static CriteriaSet>> {
    static SETS: OnceLock<std::sync::RwLock<BTreeMap<u16, &'static CriteriaSet>>> = OnceLock::new();
    SETS.get_or_init(Default::default)
}

impl CriteriaSet {
    /// Parses and validates a set from TOML.
    pub fn from_toml_str(text: &str) -> Result<Self, CriteriaError> {
        let set: CriteriaSet =
            toml::from_str(text).map_err(|e| CriteriaError::Toml(e.to_string()))?;
        set.validate()?;
        Ok(set)
    }

    /// Parses and validates a set from JSON.
    pub fn from_json_str(text: &str) -> Result<Self, CriteriaError> {
        let set: CriteriaSet =
            serde_json::from_str(text).map_err(|e| CriteriaError::Json(e.to_string()))?;
        set.validate()?;
        Ok(set)
    }

    /// Serialises the set as pretty JSON (e.g. to store it in a database).
    pub fn to_json_string(&self) -> String {
        serde_json::to_string_pretty(self).expect("criteria always serialise")
    }

    /// The embedded FY2565 set.
    pub fn builtin() -> &'static CriteriaSet {
        static SET: OnceLock<CriteriaSet> = OnceLock::new();
        SET.get_or_init(|| {
            CriteriaSet::from_toml_str(FY2565_TOML).expect("embedded FY2565 criteria are valid")
        })
    }

    /// Every embedded set, oldest first.
    pub fn builtins() -> &'static [CriteriaSet] {
        std::slice::from_ref(CriteriaSet::builtin())
    }

    /// The embedded set in force for fiscal year `fy` (BE): the latest embedded year not after
    /// `fy`. Later years fall back to FY2565 until their data is loaded; check `fiscal_year` of the
    /// result to tell the user which year's criteria were applied. `None` before 2565.
    pub fn default_for(fy: u16) -> Option<&'static CriteriaSet> {
        // A set the province loaded for a year wins over an embedded one of the same year.
        let loaded = loaded_sets()
            .read()
            .ok()
            .and_then(|m| m.range(..=fy).next_back().map(|(_, s)| *s));
        let embedded = CriteriaSet::builtins()
            .iter()
            .filter(|s| s.fiscal_year <= fy)
            .max_by_key(|s| s.fiscal_year);
        match (loaded, embedded) {
            (Some(l), Some(e)) if e.fiscal_year > l.fiscal_year => Some(e),
            (Some(l), _) => Some(l),
            (None, e) => e,
        }
    }

    /// Puts a loaded set in force for its fiscal year (and the years after it until another is
    /// loaded), for every later [`CriteriaSet::default_for`] in this process.
    pub fn install(set: CriteriaSet) -> &'static CriteriaSet {
        // Loaded a handful of times a year: leaking each keeps `&'static` for the readers.
        let set: &'static CriteriaSet = Box::leak(Box::new(set));
        if let Ok(mut m) = loaded_sets().write() {
            m.insert(set.fiscal_year, set);
        }
        set
    }

    /// Key paths (`tps.max_total`, `measures[2].share.pct`, …) whose values differ from
    /// `other`'s, with both values as text; ids, titles and sources are compared too.
    pub fn differences(&self, other: &CriteriaSet) -> Vec<(String, String, String)> {
        fn flat(prefix: &str, v: &serde_json::Value, out: &mut BTreeMap<String, String>) {
            match v {
                serde_json::Value::Object(m) => {
                    for (k, x) in m {
                        let p = if prefix.is_empty() {
                            k.clone()
                        } else {
                            format!("{prefix}.{k}")
                        };
                        flat(&p, x, out);
                    }
                }
                serde_json::Value::Array(a) => {
                    for (i, x) in a.iter().enumerate() {
                        flat(&format!("{prefix}[{i}]"), x, out);
                    }
                }
                serde_json::Value::String(s) => {
                    out.insert(prefix.to_string(), s.clone());
                }
                other => {
                    out.insert(prefix.to_string(), other.to_string());
                }
            }
        }
        let (mut a, mut b) = (BTreeMap::new(), BTreeMap::new());
        flat("", &serde_json::to_value(self).unwrap_or_default(), &mut a);
        flat("", &serde_json::to_value(other).unwrap_or_default(), &mut b);
        let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
        keys.into_iter()
            .filter(|k| a.get(*k) != b.get(*k))
            .map(|k| {
                (
                    k.clone(),
                    a.get(k).cloned().unwrap_or_default(),
                    b.get(k).cloned().unwrap_or_default(),
                )
            })
            .collect()
    }

    /// Checks internal consistency; every problem is listed.
    pub fn validate(&self) -> Result<(), CriteriaError> {
        let mut p = Vec::new();
        if self.fiscal_year < 2400 {
            p.push(format!(
                "fiscal_year {} is not a Buddhist Era year",
                self.fiscal_year
            ));
        }
        validate_risk(&self.risk_score, &mut p);
        unique(
            self.measures.iter().map(|m| m.id.as_str()),
            "measure",
            &mut p,
        );
        validate_tps(&self.tps, &mut p);
        validate_revenue_centre(&self.revenue_centre, &mut p);
        validate_four_p(&self.four_p, &mut p);
        let pf = &self.planfin;
        if pf.q2_months == 0 || pf.q2_months > 12 {
            p.push(format!("planfin.q2_months {} is not 1..=12", pf.q2_months));
        }
        if pf.plan_type_max == 0 {
            p.push("planfin.plan_type_max must be at least 1".to_owned());
        }
        if !(1..=12).contains(&pf.min_reviews_per_year) {
            p.push(format!(
                "planfin.min_reviews_per_year {} is not 1..=12",
                pf.min_reviews_per_year
            ));
        }
        // Every percentage a rule compares with is a share: 0 to 100.
        let mut pct = |name: String, h: Hundredths| {
            if !(0..=10_000).contains(&h.raw()) {
                p.push(format!(
                    "{name} {} is not a percentage (0 to 100)",
                    h.to_plain_string()
                ));
            }
        };
        pct("planfin.q2_threshold_pct".into(), pf.q2_threshold_pct);
        pct("planfin.plan_tolerance_pct".into(), pf.plan_tolerance_pct);
        pct("four_p.target_pct".into(), self.four_p.target_pct);
        pct(
            "revenue_centre.good_share.pct".into(),
            self.revenue_centre.good_share.pct,
        );
        for (i, m) in self.measures.iter().enumerate() {
            if let Some(sh) = m.share {
                pct(format!("measures[{i}] ({}).share.pct", m.id), sh.pct);
            }
        }
        for (i, r) in self.risk_score.rounds.iter().enumerate() {
            pct(
                format!("risk_score.rounds[{i}].level7_max_pct"),
                r.level7_max_pct,
            );
            pct(
                format!("risk_score.rounds[{i}].level6_max_pct"),
                r.level6_max_pct,
            );
        }
        let sp = &self.seven_plus;
        for (name, d) in [
            ("payables_max_days", sp.payables_max_days),
            ("payables_max_days_low_cash", sp.payables_max_days_low_cash),
            ("acp_uc_max_days", sp.acp_uc_max_days),
            ("acp_csmbs_max_days", sp.acp_csmbs_max_days),
            ("acp_sss_max_days", sp.acp_sss_max_days),
            ("inventory_max_days", sp.inventory_max_days),
            ("inventory_max_days_island", sp.inventory_max_days_island),
        ] {
            if d.raw() < 0 {
                p.push(format!(
                    "seven_plus.{name} {} is negative",
                    d.to_plain_string()
                ));
            }
        }
        for t in &pf.no_risk_plan_types {
            if *t == 0 || *t > pf.plan_type_max {
                p.push(format!(
                    "planfin.no_risk_plan_types: {t} is not a plan type"
                ));
            }
        }
        if p.is_empty() {
            Ok(())
        } else {
            Err(CriteriaError::Invalid(p))
        }
    }
}

fn unique<'a>(ids: impl Iterator<Item = &'a str>, what: &str, p: &mut Vec<String>) {
    let mut seen = BTreeSet::new();
    for id in ids {
        if !seen.insert(id) {
            p.push(format!("duplicate {what} id {id:?}"));
        }
    }
}

fn validate_bands(bands: &[GradeBand], what: &str, p: &mut Vec<String>) {
    if bands.is_empty() {
        p.push(format!("{what}: no grade bands"));
        return;
    }
    if bands.windows(2).any(|w| w[0].min <= w[1].min) {
        p.push(format!(
            "{what}: grade bands must be in strictly descending order of min"
        ));
    }
    if bands.last().is_some_and(|b| b.min != Hundredths::ZERO) {
        p.push(format!("{what}: the lowest grade band must start at 0"));
    }
}

fn validate_risk(r: &RiskScoreCriteria, p: &mut Vec<String>) {
    for (name, b) in [
        ("buffer_months", &r.buffer_months),
        ("refill_months", &r.refill_months),
    ] {
        if b.first_below > b.second_below {
            p.push(format!(
                "risk_score.{name}: first_below exceeds second_below"
            ));
        }
    }
    if r.rounds.is_empty() {
        p.push("risk_score.rounds is empty".to_owned());
    }
    let mut seen = BTreeSet::new();
    for round in &r.rounds {
        if !seen.insert(round.months) {
            p.push(format!(
                "risk_score.rounds: duplicate round {}",
                round.months
            ));
        }
    }
}

fn validate_tps(t: &TpsCriteria, p: &mut Vec<String>) {
    unique(t.groups.iter().map(|g| g.id.as_str()), "TPS group", p);
    unique(t.items.iter().map(|i| i.id.as_str()), "TPS item", p);
    let groups: BTreeSet<&str> = t.groups.iter().map(|g| g.id.as_str()).collect();
    for item in &t.items {
        if !groups.contains(item.group.as_str()) {
            p.push(format!(
                "TPS item {} names unknown group {}",
                item.id, item.group
            ));
        }
        if item.weight < Hundredths::ZERO {
            p.push(format!("TPS item {} has a negative weight", item.id));
        }
    }
    let sum: Hundredths = t.groups.iter().map(|g| g.max).sum();
    if sum != t.max_total {
        p.push(format!(
            "TPS group maxima add to {} but max_total is {}",
            sum.to_plain_string(),
            t.max_total.to_plain_string()
        ));
    }
    validate_bands(&t.grades, "tps.grades", p);
}

fn validate_revenue_centre(rc: &RevenueCentreCriteria, p: &mut Vec<String>) {
    validate_bands(&rc.grades, "revenue_centre.grades", p);
    unique(rc.forms.iter().map(|f| f.id.as_str()), "assessment form", p);
    unique(
        rc.forms
            .iter()
            .flat_map(|f| f.items.iter().map(|i| i.id.as_str())),
        "assessment item",
        p,
    );
    for form in &rc.forms {
        unique(
            form.groups.iter().map(|g| g.id.as_str()),
            "assessment group",
            p,
        );
        let mut per_group: BTreeMap<&str, u32> = BTreeMap::new();
        for item in &form.items {
            if item.max == 0 {
                p.push(format!("item {} has max 0", item.id));
            }
            if !form.groups.iter().any(|g| g.id == item.group) {
                p.push(format!(
                    "item {} names unknown group {}",
                    item.id, item.group
                ));
            }
            *per_group.entry(item.group.as_str()).or_default() += u32::from(item.max);
        }
        for g in &form.groups {
            let got = per_group.get(g.id.as_str()).copied().unwrap_or(0);
            if got != g.max {
                p.push(format!(
                    "group {} items add to {got} but the group maximum is {}",
                    g.id, g.max
                ));
            }
        }
        let groups_total: u32 = form.groups.iter().map(|g| g.max).sum();
        if groups_total != form.max {
            p.push(format!(
                "form {} groups add to {groups_total} but the form maximum is {}",
                form.id, form.max
            ));
        }
    }
}

fn validate_four_p(f: &FourPCriteria, p: &mut Vec<String>) {
    unique(f.items.iter().map(|i| i.id.as_str()), "4P item", p);
    let m = &f.marks;
    if !(m.complete > m.incomplete && m.incomplete > m.absent) {
        p.push("four_p.marks must satisfy complete > incomplete > absent".to_owned());
    }
    if f.items.is_empty() {
        p.push("four_p.items is empty".to_owned());
    }
    unique(f.groups.iter().map(|g| g.id.as_str()), "4P group", p);
    for i in &f.items {
        if !f.groups.iter().any(|g| g.id == i.group) {
            p.push(format!(
                "four_p.items {}: group {} has no [[four_p.groups]] entry",
                i.id, i.group
            ));
        }
    }
}

impl CriteriaSet {
    /// Why the 7 Plus page and the 4S4C form hold a fund's collection period to different
    /// limits (social security: 90 and 120 days): `(th, en)`, or `None` when they agree.
    pub fn collection_limit_note(&self, fund: CollectionFund) -> Option<(String, String)> {
        let sp = &self.seven_plus;
        let seven = match fund {
            CollectionFund::Uc => sp.acp_uc_max_days,
            CollectionFund::Csmbs => sp.acp_csmbs_max_days,
            CollectionFund::Sss => sp.acp_sss_max_days,
        };
        let form = self
            .revenue_centre
            .forms
            .iter()
            .flat_map(|f| &f.items)
            .find_map(|i| match &i.auto_check {
                Some(AutoCheck::CollectionDays { fund: f, max_days }) if *f == fund => {
                    Some(*max_days)
                }
                _ => None,
            })?;
        (form != seven).then(|| {
            let (a, b) = (seven.to_plain_string(), form.to_plain_string());
            (
                format!(
                    "คนละเครื่องมือ คนละเกณฑ์: 7 Plus Efficiency ใช้ ≤ {a} วัน ส่วนแบบประเมินศูนย์จัดเก็บรายได้ (4S4C ข้อ 2.4) ใช้ ≤ {b} วัน"
                ),
                format!(
                    "Two instruments, two limits: 7 Plus Efficiency uses ≤ {a} days, the revenue-centre form (4S4C item 2.4) ≤ {b} days"
                ),
            )
        })
    }
}

/// Criteria sets by fiscal year: the embedded ones plus any loaded at run time (which replace an
/// embedded set of the same year).
#[derive(Debug, Clone, Default)]
pub struct CriteriaLibrary {
    sets: BTreeMap<u16, CriteriaSet>,
}

impl CriteriaLibrary {
    /// An empty library.
    pub fn new() -> Self {
        Self::default()
    }

    /// A library holding the embedded sets.
    pub fn with_builtins() -> Self {
        let mut lib = Self::new();
        for set in CriteriaSet::builtins() {
            lib.insert(set.clone());
        }
        lib
    }

    /// Adds or replaces the set of its fiscal year; returns the one replaced.
    pub fn insert(&mut self, set: CriteriaSet) -> Option<CriteriaSet> {
        self.sets.insert(set.fiscal_year, set)
    }

    /// The set of exactly `fy`.
    pub fn exact(&self, fy: u16) -> Option<&CriteriaSet> {
        self.sets.get(&fy)
    }

    /// The set in force for `fy`: exact, else the latest earlier year.
    pub fn for_year(&self, fy: u16) -> Option<&CriteriaSet> {
        self.sets.range(..=fy).next_back().map(|(_, s)| s)
    }

    /// Fiscal years held, ascending.
    pub fn years(&self) -> Vec<u16> {
        self.sets.keys().copied().collect()
    }
}
