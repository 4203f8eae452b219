//! The visit list with its filters, and one visit's page (bill, journal, claim history).

use super::*;
use crate::auth::Params;
use raidai_domain::ids::Hcode;

#[derive(Debug, Default, Deserialize)]
pub struct VisitFilter {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    fund: String,
    #[serde(default)]
    setting: String,
    #[serde(default)]
    account: String,
    #[serde(default)]
    posted: String,
    /// `no_mapping` or `in_hospital`.
    #[serde(default)]
    reason: String,
    #[serde(default)]
    import: String,
    /// Pages shown before this one (for the row numbers).
    #[serde(default)]
    page: i64,
    /// Keyset cursor `yyyymmdd.vkey` of the last row of the previous page.
    #[serde(default)]
    after: String,
}

/// `yyyy-mm-dd` (CE, from a date input) or `yyyymmdd` → `yyyymmdd`.
/// A filter date as officers type it: `31/01/2569` (BE), `31/01/2026`, `2026-01-31` or `25690131`.
pub(crate) fn parse_day(s: &str) -> Option<i64> {
    let d = raidai_domain::calendar::parse_date(s).ok()?;
    d.format("%Y%m%d").to_string().parse().ok()
}

pub(crate) fn opt(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

pub(crate) struct VisitView {
    href: String,
    date: String,
    setting: String,
    hn: String,
    key: String,
    cid: String,
    name: String,
    inscl: String,
    fund: String,
    pdx: String,
    total: String,
    fund_part: String,
    patient_part: String,
    receivable: String,
    posted: bool,
}

#[derive(Template)]
#[template(path = "claims/visits.html")]
pub(crate) struct VisitsPage {
    l: Layout,
    hcode: String,
    unit_name: String,
    f: VisitFilter,
    funds: Vec<(String, String)>,
    count: String,
    rows: Vec<VisitView>,
    prev: String,
    next: String,
}

pub(crate) fn visit_view(t: T, unit_code: Hcode, v: &VisitSummary) -> VisitView {
    let hcode = unit_code.as_str();
    VisitView {
        href: format!("/units/{}/visits/{}", hcode, enc(&v.visit.vkey)),
        date: date(t, v.visit.date_serv),
        setting: v.visit.setting.clone(),
        hn: v.visit.hn.clone(),
        key: if v.visit.setting == "IP" {
            v.visit.an.clone()
        } else {
            v.visit.seq.clone()
        },
        cid: mask_cid(v.facts.cid.as_str()),
        name: mask_name(v.facts.patient_name.as_str()),
        inscl: v.facts.inscl.clone(),
        fund: v.facts.fund.clone(),
        pdx: v.facts.pdx.clone(),
        total: money(v.facts.total),
        fund_part: money(v.facts.fund_amount),
        patient_part: money(v.facts.patient_amount),
        receivable: v.facts.receivable.clone(),
        posted: v.facts.posted,
    }
}

pub async fn visits(
    Ctx { st, t, me }: Ctx,
    Params(hcode): Params<Hcode>,
    Query(f): Query<VisitFilter>,
) -> Result<Response, AppError> {
    let unit = st.store.get_unit(&me, hcode).await?;
    let per_page = 100;
    let page = f.page.max(0);
    let q = VisitQuery {
        hcode: hcode.to_string(),
        from: parse_day(&f.from),
        to: parse_day(&f.to),
        fund: opt(&f.fund),
        inscl: None,
        setting: opt(&f.setting).filter(|s| s == "OP" || s == "IP"),
        account: opt(&f.account),
        posted: match f.posted.as_str() {
            "1" => Some(true),
            "0" => Some(false),
            _ => None,
        },
        unposted_reason: opt(&f.reason)
            .filter(|r| r == NO_MAPPING || r == IN_HOSPITAL || r == REFUSED_LINE),
        import_id: opt(&f.import),
        limit: per_page,
        offset: 0,
        after: f
            .after
            .split_once('.')
            .and_then(|(d, k)| Some((d.parse::<i64>().ok()?, k.to_string()))),
    };
    let (list, next) = st.store.page_visits(&me, &q).await?;
    let base = format!(
        "/units/{}/visits?from={}&to={}&fund={}&setting={}&account={}&posted={}&import={}",
        hcode,
        enc(&f.from),
        enc(&f.to),
        enc(&f.fund),
        enc(&f.setting),
        enc(&f.account),
        enc(&f.posted),
        enc(&f.import)
    );
    let first_row = if q.after.is_some() {
        page * per_page
    } else {
        0
    };
    render(&VisitsPage {
        l: Layout::new(t, Some(&me), t.s("cl_visits"), "claims"),
        funds: Fund::ALL
            .iter()
            .map(|x| (x.code().to_string(), fund_name(t, x.code())))
            .collect(),
        count: if list.is_empty() {
            "0".into()
        } else {
            format!(
                "{}–{}{}",
                format_int_thai(first_row + 1),
                format_int_thai(first_row + list.len() as i64),
                if next.is_some() { " …" } else { "" }
            )
        },
        rows: list.iter().map(|v| visit_view(t, hcode, v)).collect(),
        prev: if q.after.is_some() {
            base.clone()
        } else {
            String::new()
        },
        next: match &next {
            Some((d, k)) => format!(
                "{base}&page={}&after={}",
                if q.after.is_some() { page + 1 } else { 1 },
                enc(&format!("{d}.{k}"))
            ),
            None => String::new(),
        },
        hcode: unit.hcode,
        unit_name: unit.name_th,
        f,
    })
}

pub(crate) struct JournalView {
    kind: String,
    ver: i64,
    post_date: String,
    date_serv: String,
    posted_at: String,
    account: String,
    account_name: String,
    fund: String,
    debit: String,
    credit: String,
}

#[derive(Template)]
#[template(path = "claims/visit.html")]
pub(crate) struct VisitPage {
    l: Layout,
    hcode: String,
    unit_name: String,
    v: VisitView,
    name: String,
    facts: Vec<(String, String)>,
    diagnoses: Vec<(String, String)>,
    procedures: Vec<String>,
    charges: Vec<(String, String)>,
    drugs: Vec<(String, String, String, String)>,
    items: Vec<(String, String, String, String)>,
    journal: Vec<JournalView>,
    findings: Vec<crate::audit::VisitFinding>,
    claim: Option<crate::cycle::VisitClaim>,
    may_accept: bool,
    vkey: String,
}

#[derive(Deserialize, Default)]
pub(crate) struct Detail {
    #[serde(default)]
    dx: Vec<(String, String)>,
    #[serde(default)]
    px: Vec<String>,
    #[serde(default)]
    cha: Vec<(String, i64)>,
    #[serde(default)]
    dru: Vec<(String, String, String, i64)>,
    #[serde(default)]
    adp: Vec<(String, String, String, i64)>,
    /// Detail lines refused at import and left out: (file, line).
    #[serde(default)]
    dropped: Vec<(String, u64)>,
    /// Lines kept with an optional field read as blank: (file, line).
    #[serde(default)]
    blanked: Vec<(String, u64)>,
}

pub async fn visit_detail(
    Ctx { st, t, me }: Ctx,
    Params((hcode, visit)): Params<(Hcode, String)>,
) -> Result<Response, AppError> {
    let unit = st.store.get_unit(&me, hcode).await?;
    let d = st.store.get_visit(&me, hcode, &visit).await?;
    let v = &d.visit;
    let detail: Detail = serde_json::from_str(&d.detail_json).unwrap_or_default();
    let mut facts = vec![
        (t.s("cl_date").to_string(), {
            let a = date(t, v.visit.date_serv);
            if v.visit.date_dsc != v.visit.date_serv {
                format!("{a} – {}", date(t, v.visit.date_dsc))
            } else {
                a
            }
        }),
        (t.s("cl_cid").to_string(), mask_cid(v.facts.cid.as_str())),
        (
            t.s("cl_right").to_string(),
            format!("{} {}", v.facts.inscl, v.facts.subtype),
        ),
        (t.s("cl_fund").to_string(), fund_name(t, &v.facts.fund)),
        (t.s("cl_hospmain").to_string(), v.facts.hospmain.clone()),
        (t.s("cl_place").to_string(), v.facts.place.clone()),
        (t.s("cl_case").to_string(), v.facts.case.clone()),
        (t.s("cl_permit").to_string(), v.facts.permitno.clone()),
        (t.s("cl_total").to_string(), money(v.facts.total)),
        (t.s("cl_paid").to_string(), money(v.facts.paid)),
        (t.s("cl_claimable").to_string(), money(v.facts.claimable)),
        (t.s("cl_fund_part").to_string(), money(v.facts.fund_amount)),
        (
            t.s("cl_patient_part").to_string(),
            money(v.facts.patient_amount),
        ),
        (
            t.s("cl_posting").to_string(),
            if v.facts.posted {
                t.s("cl_posted").to_string()
            } else if v.facts.unposted_reason == IN_HOSPITAL {
                format!("{} ({})", t.s("cl_unposted"), t.s("cl_in_hospital"))
            } else if v.facts.unposted_reason == REFUSED_LINE {
                format!("{} ({})", t.s("cl_unposted"), t.s("cl_refused_line"))
            } else {
                format!("{} ({})", t.s("cl_unposted"), t.s("cl_no_mapping"))
            },
        ),
    ];
    for (label, lines) in [
        ("cl_dropped", &detail.dropped),
        ("cl_blanked", &detail.blanked),
    ] {
        if !lines.is_empty() {
            let lines: Vec<String> = lines
                .iter()
                .map(|(file, line)| format!("{file} {} {line}", t.s("cl_line")))
                .collect();
            facts.push((t.s(label).to_string(), lines.join(", ")));
        }
    }
    let findings = crate::audit::visit_findings(&st, t, &me, hcode, &v.visit.vkey).await?;
    let claim = crate::cycle::visit_claim(&st, t, &me, hcode, &v.visit.vkey).await?;
    render(&VisitPage {
        l: Layout::new(t, Some(&me), t.s("cl_visit"), "claims"),
        findings,
        claim,
        may_accept: me.may_import(hcode.as_str()),
        vkey: v.visit.vkey.clone(),
        name: v.facts.patient_name.as_str().to_string(),
        facts,
        diagnoses: detail.dx,
        procedures: detail.px,
        charges: detail
            .cha
            .iter()
            .map(|(c, a)| (c.clone(), money(*a)))
            .collect(),
        drugs: detail
            .dru
            .iter()
            .map(|(a, b, c, d)| (a.clone(), b.clone(), c.clone(), money(*d)))
            .collect(),
        items: detail
            .adp
            .iter()
            .map(|(a, b, c, d)| (a.clone(), b.clone(), c.clone(), money(*d)))
            .collect(),
        journal: d
            .journal
            .iter()
            .map(|j| JournalView {
                kind: t
                    .s(if j.kind == "reverse" {
                        "cl_reverse"
                    } else {
                        "cl_post"
                    })
                    .to_string(),
                ver: j.ver,
                post_date: date(t, j.post_date),
                date_serv: date(t, j.date_serv),
                posted_at: datetime(t, j.posted_at),
                account_name: account_name(&j.account),
                account: j.account.clone(),
                fund: j.fund.clone(),
                debit: if j.debit != 0 {
                    money(j.debit)
                } else {
                    String::new()
                },
                credit: if j.credit != 0 {
                    money(j.credit)
                } else {
                    String::new()
                },
            })
            .collect(),
        v: visit_view(t, hcode, v),
        hcode: unit.hcode,
        unit_name: unit.name_th,
    })
}
