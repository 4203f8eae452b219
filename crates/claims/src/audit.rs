//! The Data Audit checks: what a claim of a kept visit would fail on. Per-visit checks run on
//! the stored row and its detail (at import, and again by `raidai audit`); the two checks that
//! compare visits (DUP01 same patient same day, AUTH03 one Authen code on several visits) are
//! queries of the store. The catalogue (severity, texts, NHSO codes, LATE01's windows) is
//! `raidai_domain::audit`.

use raidai_domain::audit::{Catalogue, default_catalogue, parse_catalogue};
use raidai_domain::ids::Cid;
use raidai_domain::periods::date_of;
use raidai_domain::rights::{main_right, sub_rights_of};
use raidai_formats::Encounter;
use raidai_store::claims::{FindingRow, IN_HOSPITAL, VisitFacts, VisitRow};
use serde::Deserialize;
use std::collections::BTreeMap;

/// What the checks need of a visit's detail (the stored `detail_json`, or the encounter).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AuditDetail {
    /// (ICD-10, DXTYPE)
    #[serde(default)]
    pub dx: Vec<(String, String)>,
    #[serde(default)]
    pub px: Vec<String>,
    /// (REFER, REFERTYPE)
    #[serde(default)]
    pub refer: Vec<(String, String)>,
    /// (CHRGITEM, satang)
    #[serde(default)]
    pub cha: Vec<(String, i64)>,
    /// Only counted.
    #[serde(default)]
    pub dru: Vec<serde::de::IgnoredAny>,
    /// (AETYPE, UCAE, AUTHAE)
    #[serde(default)]
    pub aer: Vec<(String, String, String)>,
    /// (date out, date in) `yyyymmdd`
    #[serde(default)]
    pub lvd: Vec<(i64, i64)>,
    /// Detail lines refused at import and left out: (file, line).
    #[serde(default)]
    pub dropped: Vec<(String, u64)>,
    /// Lines kept with an optional field read as blank: (file, line).
    #[serde(default)]
    pub blanked: Vec<(String, u64)>,
}

impl AuditDetail {
    pub fn from_json(json: &str) -> AuditDetail {
        serde_json::from_str(json).unwrap_or_default()
    }
}

/// The context of an audit: the province's catalogues by fiscal year and the day it runs
/// (for LATE01).
#[derive(Debug, Clone)]
pub struct AuditContext {
    versions: BTreeMap<i64, Catalogue>,
    default: Catalogue,
    /// `yyyymmdd` (Bangkok) of the audit.
    pub today: i64,
}

impl AuditContext {
    /// From the province's stored catalogue texts (fy 0 = its default; a text that no longer
    /// parses falls back to the shipped catalogue: they are validated when saved).
    pub fn new(texts: BTreeMap<i64, String>, today: i64) -> AuditContext {
        let mut versions: BTreeMap<i64, Catalogue> = texts
            .into_iter()
            .filter_map(|(fy, t)| parse_catalogue(&t).ok().map(|c| (fy, c)))
            .collect();
        let default = versions.remove(&0).unwrap_or_else(default_catalogue);
        AuditContext {
            versions,
            default,
            today,
        }
    }

    /// The shipped catalogue only.
    pub fn shipped(today: i64) -> AuditContext {
        AuditContext::new(BTreeMap::new(), today)
    }

    /// The catalogue in force for a fiscal year (BE).
    pub fn catalogue(&self, fy: i64) -> &Catalogue {
        self.versions.get(&fy).unwrap_or(&self.default)
    }

    /// Severities of the cross-visit checks (the catalogue of `fy`).
    pub fn cross(&self, fy: i64) -> raidai_store::claims::CrossAudit {
        let c = self.catalogue(fy);
        raidai_store::claims::CrossAudit {
            dup01: c.severity("DUP01").code().to_string(),
            auth03: c.severity("AUTH03").code().to_string(),
        }
    }
}

/// Today in Bangkok as `yyyymmdd`.
pub fn today_ymd() -> i64 {
    let bangkok = chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7");
    raidai_domain::periods::ymd(chrono::Utc::now().with_timezone(&bangkok).date_naive())
}

/// The audit's view of an encounter: the detail `detail_json` stores, as owned values.
pub fn detail_of(e: &Encounter) -> AuditDetail {
    let d = crate::row::detail(e);
    let pair = |&(a, b): &(&str, &str)| (a.to_string(), b.to_string());
    AuditDetail {
        dx: d.dx.iter().map(pair).collect(),
        px: d.px.iter().map(|p| p.to_string()).collect(),
        refer: d.refer.iter().map(pair).collect(),
        cha: d.cha,
        dru: vec![serde::de::IgnoredAny; d.dru.len()],
        aer: d
            .aer
            .iter()
            .map(|&(t, u, a)| (t.to_string(), u.to_string(), a.to_string()))
            .collect(),
        lvd: d.lvd,
        dropped: owned_lines(&d.dropped),
        blanked: owned_lines(&d.blanked),
    }
}

fn owned_lines(lines: &[(&str, u64)]) -> Vec<(String, u64)> {
    lines.iter().map(|&(f, l)| (f.to_string(), l)).collect()
}

/// Rights whose visits need an Authen code (DOMAIN §3.1: UCS/WEL under "30 บาทรักษาทุกที่").
pub fn needs_authen(inscl: &str) -> bool {
    matches!(inscl, "UCS" | "WEL")
}

/// `PP` or `EP` and 10 digits.
pub fn authen_shape_ok(code: &str) -> bool {
    code.len() == 12
        && (code.starts_with("PP") || code.starts_with("EP"))
        && code[2..].bytes().all(|b| b.is_ascii_digit())
}

fn days_between(a: i64, b: i64) -> i64 {
    match (date_of(a), date_of(b)) {
        (Some(a), Some(b)) => (b - a).num_days(),
        _ => 0,
    }
}

/// Blank, or a 5-digit unit code.
fn hcode_shaped(h: &str) -> bool {
    h.is_empty() || (h.len() == 5 && h.bytes().all(|b| b.is_ascii_digit()))
}

/// The amount a finding puts at stake: what the fund would pay, else what is owed at all.
pub fn at_stake(v: &VisitRow) -> i64 {
    if v.facts.fund_amount > 0 {
        v.facts.fund_amount
    } else {
        (v.facts.fund_amount + v.facts.patient_amount).max(0)
    }
}

/// The findings stored for a visit: the per-visit checks but LATE01, which the store evaluates
/// when the findings are read (it depends on the day they are looked at).
pub fn stored_findings(v: &VisitRow, d: &AuditDetail, ctx: &AuditContext) -> Vec<FindingRow> {
    let mut f = audit_visit(v, d, ctx);
    f.retain(|f| f.rule != "LATE01");
    f
}

/// The findings of the per-visit checks on one visit.
pub fn audit_visit(v: &VisitRow, d: &AuditDetail, ctx: &AuditContext) -> Vec<FindingRow> {
    let catalogue = ctx.catalogue(v.facts.fy);
    let mut out: Vec<&'static str> = Vec::new();
    let ip = v.visit.setting == "IP";
    let fund = v.facts.fund.as_str();
    let self_pay = fund == "SELF";
    // Authen.
    let aer_code = d.aer.iter().any(|a| !a.2.trim().is_empty());
    if needs_authen(&v.facts.inscl) {
        if v.facts.permitno.trim().is_empty() && !aer_code {
            out.push("AUTH01");
        } else if !v.facts.permitno.trim().is_empty() && !authen_shape_ok(v.facts.permitno.trim()) {
            out.push("AUTH02");
        }
    }
    // Rights.
    if main_right(&v.facts.inscl).is_none() {
        out.push("RIGHT01");
    } else if !v.facts.subtype.trim().is_empty()
        && !sub_rights_of(&v.facts.inscl).any(|s| s.code == v.facts.subtype.trim())
    {
        out.push("RIGHT02");
    }
    if fund == "UC" && v.facts.hospmain.trim().is_empty() {
        out.push("RIGHT03");
    } else if !hcode_shaped(&v.facts.hospmain) {
        out.push("RIGHT04");
    }
    // Citizen ID.
    let cid = v.facts.cid.as_str().trim();
    if cid.len() == 13 && cid.bytes().all(|b| b.is_ascii_digit()) && Cid::parse(cid).is_err() {
        out.push("CID01");
    } else if cid.is_empty() && !self_pay && fund != "STP" {
        out.push("CID02");
    }
    // Diagnoses.
    let principal = d.dx.iter().filter(|(_, t)| t == "1").count();
    let pdx = v.facts.pdx.trim();
    if principal == 0 && pdx.is_empty() {
        out.push("DX01");
    }
    if principal > 1 {
        out.push("DX04");
    }
    if pdx.starts_with(['V', 'W', 'X', 'Y']) {
        out.push("DX02");
    }
    if ip && pdx.starts_with('Z') {
        out.push("DX03");
    }
    if ip && pdx.starts_with('R') {
        out.push("DX05");
    }
    // Admissions.
    if ip {
        if v.facts.unposted_reason == IN_HOSPITAL || v.visit.date_dsc == 0 {
            out.push("IP01");
        } else {
            if v.visit.date_dsc == v.visit.date_serv {
                out.push("IP03");
            }
            let los = days_between(v.visit.date_serv, v.visit.date_dsc);
            let leave: i64 = d.lvd.iter().map(|(o, i)| days_between(*o, *i).max(0)).sum();
            if leave > los {
                out.push("IP04");
            }
        }
        if v.facts.sex.trim().is_empty() || v.facts.dob == 0 || pdx.is_empty() {
            out.push("IP02");
        }
    }
    // Charges.
    let cat = |c: &[char]| {
        d.cha
            .iter()
            .any(|(item, amount)| *amount > 0 && item.starts_with(c))
    };
    if d.px.is_empty() && cat(&['G', 'B']) {
        out.push("PX01");
    }
    let cha_sum: i64 = d.cha.iter().map(|(_, a)| a).sum();
    if cha_sum != v.facts.total {
        out.push("CHG01");
    }
    if v.facts.total <= 0 {
        out.push("CHG03");
    } else if !self_pay && v.facts.claimable <= 0 {
        out.push("CHG02");
    }
    if v.facts.paid > v.facts.total {
        out.push("CHG04");
    }
    if cat(&['3', '4']) && d.dru.is_empty() {
        out.push("DRU01");
    }
    if !d.dropped.is_empty() {
        out.push("LINE01");
    }
    if !d.blanked.is_empty() {
        out.push("FLD01");
    }
    // Clinic (OP: CLINIC; an admission's DEPT is two digits).
    if !ip && !raidai_formats::clinic_known(&v.facts.clinic) {
        out.push("CLN01");
    }
    // Submission window, from the recognition date (discharge for IP).
    if v.recognised > 0
        && let Some(days) = catalogue.get("LATE01").and_then(|r| r.window_days(fund))
        && days_between(v.recognised, ctx.today) > days
    {
        out.push("LATE01");
    }
    // Accidents.
    if d.aer.is_empty() {
        if fund == "PRB" || d.cha.iter().any(|(i, a)| i == "K1" && *a > 0) {
            out.push("AE01");
        } else if pdx.starts_with(['S', 'T']) {
            out.push("AE02");
        }
    }
    // UC from outside the CUP comes by referral (or as an accident/emergency).
    if fund == "UC"
        && matches!(v.facts.place.as_str(), "out_cup_prov" | "out_cup_other")
        && d.refer.is_empty()
        && d.aer.is_empty()
    {
        out.push("REF01");
    }
    let amount = at_stake(v);
    out.into_iter()
        .map(|rule| FindingRow {
            rule: rule.to_string(),
            severity: catalogue.severity(rule).code().to_string(),
            amount,
        })
        .collect()
}

/// One visit per rule that raises it, and the clean visit they are made from (for tests of
/// this crate and of the engines: the same table drives both).
#[doc(hidden)]
pub mod examples {
    use super::*;

    /// The audit date the examples assume (`yyyymmdd`).
    pub const TODAY: i64 = 20251020;

    /// A clean UC OP visit: in-CUP, Authen code, PDx, charges adding up.
    pub fn clean() -> (VisitRow, AuditDetail) {
        let v = VisitRow {
            visit: raidai_store::claims::VisitRef {
                vkey: "O000000001/1".into(),
                setting: "OP".into(),
                hn: "000000001".into(),
                seq: "1".into(),
                an: String::new(),
                date_serv: 20251015,
                date_dsc: 20251015,
            },
            recognised: 20251015,
            facts: VisitFacts {
                fy: 2569,
                clinic: "00100".into(),
                pdx: "I10".into(),
                cid: "1234567890121".into(),
                patient_name: String::new().into(),
                sex: "1".into(),
                dob: 19800101,
                inscl: "UCS".into(),
                subtype: String::new(),
                hospmain: "11001".into(),
                permitno: "PP1234567890".into(),
                fund: "UC".into(),
                place: "in_cup".into(),
                case: "normal".into(),
                total: 50_000,
                paid: 0,
                claimable: 50_000,
                fund_amount: 50_000,
                patient_amount: 0,
                posted: true,
                unposted_reason: String::new(),
                receivable: String::new(),
            },
            content_hash: String::new(),
            detail_json: String::new(),
            lines: Vec::new(),
            findings: Vec::new(),
        };
        let d = AuditDetail {
            dx: vec![("I10".into(), "1".into())],
            cha: vec![("31".into(), 30_000), ("71".into(), 20_000)],
            dru: vec![serde::de::IgnoredAny],
            ..Default::default()
        };
        (v, d)
    }

    fn admission(v: &mut VisitRow, d: &mut AuditDetail) {
        v.visit.setting = "IP".into();
        v.visit.date_dsc = 20251018;
        v.recognised = 20251018;
        d.dx = vec![("I10".into(), "1".into())];
    }

    type Change = fn(&mut VisitRow, &mut AuditDetail);

    /// (rule, change of the clean visit that raises it)
    pub fn cases() -> Vec<(&'static str, Change)> {
        vec![
            ("AUTH01", |v, _| v.facts.permitno.clear()),
            ("AUTH02", |v, _| v.facts.permitno = "12345".into()),
            ("RIGHT01", |v, _| v.facts.inscl = "ZZZ".into()),
            ("RIGHT02", |v, _| v.facts.subtype = "Q9".into()),
            ("RIGHT03", |v, _| v.facts.hospmain.clear()),
            ("RIGHT04", |v, _| v.facts.hospmain = "1100".into()),
            ("CID01", |v, _| v.facts.cid = "1234567890122".into()),
            ("CID02", |v, _| v.facts.cid = Default::default()),
            ("DX01", |v, d| {
                v.facts.pdx.clear();
                d.dx.clear();
            }),
            ("DX02", |v, d| {
                v.facts.pdx = "V0300".into();
                d.dx = vec![("V0300".into(), "1".into())];
            }),
            ("DX03", |v, d| {
                admission(v, d);
                v.facts.pdx = "Z515".into();
            }),
            ("DX04", |_, d| d.dx.push(("E119".into(), "1".into()))),
            ("DX05", |v, d| {
                admission(v, d);
                v.facts.pdx = "R509".into();
            }),
            ("IP01", |v, d| {
                admission(v, d);
                v.visit.date_dsc = 0;
                v.recognised = 0;
                v.facts.unposted_reason = IN_HOSPITAL.into();
            }),
            ("IP02", |v, d| {
                admission(v, d);
                v.facts.dob = 0;
            }),
            ("IP03", |v, d| {
                admission(v, d);
                v.visit.date_dsc = v.visit.date_serv;
                v.recognised = v.visit.date_serv;
            }),
            ("IP04", |v, d| {
                admission(v, d);
                d.lvd = vec![(20251015, 20251019)];
            }),
            ("PX01", |v, d| {
                d.cha = vec![("G1".into(), 50_000)];
                v.facts.total = 50_000;
            }),
            ("CHG01", |v, _| v.facts.total = 60_000),
            ("CHG02", |v, d| {
                v.facts.claimable = 0;
                d.cha = vec![("32".into(), 50_000)];
            }),
            ("CHG03", |v, d| {
                v.facts.total = 0;
                d.cha.clear();
            }),
            ("CHG04", |v, _| v.facts.paid = 70_000),
            ("CLN01", |v, _| v.facts.clinic = "05000".into()),
            ("LATE01", |v, _| {
                v.visit.date_serv = 20250901;
                v.recognised = 20250901;
                v.visit.date_dsc = 20250901;
            }),
            ("AE01", |v, _| v.facts.fund = "PRB".into()),
            ("AE02", |v, d| {
                v.facts.pdx = "S060".into();
                d.dx = vec![("S060".into(), "1".into())];
            }),
            ("REF01", |v, _| v.facts.place = "out_cup_other".into()),
            ("DRU01", |_, d| d.dru.clear()),
            ("LINE01", |_, d| d.dropped.push(("DRU".into(), 7))),
            ("FLD01", |_, d| d.blanked.push(("PAT".into(), 3))),
        ]
    }

    /// The detail as stored (`detail_json` of the import).
    pub fn detail_json(d: &AuditDetail) -> String {
        let mut j = serde_json::json!({
            "dx": d.dx, "px": d.px, "refer": d.refer, "cha": d.cha,
            "dru": vec![("1", "drug", "1", 100); d.dru.len()],
            "adp": [], "aer": d.aer, "lab": [], "lvd": d.lvd, "inv": [],
        });
        if !d.dropped.is_empty() {
            j["dropped"] = serde_json::json!(d.dropped);
        }
        if !d.blanked.is_empty() {
            j["blanked"] = serde_json::json!(d.blanked);
        }
        j.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::examples::*;
    use super::*;

    fn ctx() -> AuditContext {
        AuditContext::shipped(TODAY)
    }

    fn rules(v: &VisitRow, d: &AuditDetail) -> Vec<String> {
        audit_visit(v, d, &ctx())
            .into_iter()
            .map(|f| f.rule)
            .collect()
    }

    #[test]
    fn the_clean_visit_has_no_finding() {
        let (v, d) = clean();
        assert_eq!(rules(&v, &d), Vec::<String>::new());
    }

    #[test]
    fn each_rule_fires_on_its_case_only() {
        let mut covered: Vec<&str> = vec!["AUTH03", "DUP01"]; // cross-visit: the store's
        for (rule, change) in cases() {
            let (mut v, mut d) = clean();
            change(&mut v, &mut d);
            let got = rules(&v, &d);
            assert!(
                got.contains(&rule.to_string()),
                "{rule} not raised: {got:?}"
            );
            covered.push(rule);
        }
        covered.sort();
        let mut all = raidai_domain::audit::RULE_CODES.to_vec();
        all.sort();
        assert_eq!(covered, all, "every rule has its case");
    }

    #[test]
    fn late_is_per_fund() {
        // OFC has no window in the shipped catalogue.
        let (mut v, d) = clean();
        v.facts.fund = "OFC".into();
        v.facts.inscl = "OFC".into();
        v.visit.date_serv = 20240101;
        v.recognised = 20240101;
        assert!(!rules(&v, &d).contains(&"LATE01".to_string()));
    }

    #[test]
    fn detail_json_as_stored_is_read() {
        let d = AuditDetail::from_json(
            r#"{"dx":[["I10","1"]],"px":[],"refer":[],"cha":[["31",100]],"dru":[["1","x","1",100]],"adp":[],"aer":[["V","A","AB1"]],"lab":[],"lvd":[],"inv":[]}"#,
        );
        assert_eq!(d.dx.len(), 1);
        assert_eq!(d.dru.len(), 1);
        assert_eq!(d.aer[0].2, "AB1");
        assert!(AuditDetail::from_json("not json").dx.is_empty());
        let (_, clean) = clean();
        let back = AuditDetail::from_json(&detail_json(&clean));
        assert_eq!(
            (back.dx, back.cha, back.dru.len()),
            (clean.dx, clean.cha, 1)
        );
    }
}
