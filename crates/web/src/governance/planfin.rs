//! Planfin: the maintenance-fund plan, plan vs actual, revisions, the approval path.

use super::*;
use crate::auth::Params;
use raidai_domain::ids::Hcode;

/// The inverse of [`met_key`], for the API.
pub(crate) fn verdict(key: &str) -> Option<bool> {
    match key {
        "gov_met" => Some(true),
        "gov_not_met" => Some(false),
        _ => None,
    }
}

pub(crate) fn met_key(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "gov_met",
        Some(false) => "gov_not_met",
        None => "",
    }
}

pub struct PeriodView {
    pub label: String,
    pub complete: bool,
    pub rev_plan: String,
    pub rev_actual: String,
    pub rev_pct: String,
    pub rev_ok: &'static str,
    pub exp_plan: String,
    pub exp_actual: String,
    pub exp_pct: String,
    pub exp_ok: &'static str,
}

pub(crate) fn period_view(t: T, p: &PeriodComparison) -> PeriodView {
    PeriodView {
        label: t.pick(&p.label_th, &p.label_en).to_string(),
        complete: p.complete,
        rev_plan: baht(p.revenue.plan),
        rev_actual: baht(p.revenue.actual),
        rev_pct: pct(p.revenue.pct_of_plan),
        rev_ok: met_key(p.revenue.within_tolerance),
        exp_plan: baht(p.expense.plan),
        exp_actual: baht(p.expense.actual),
        exp_pct: pct(p.expense.pct_of_plan),
        exp_ok: met_key(p.expense.within_tolerance),
    }
}

pub struct LineView {
    pub code: String,
    pub name: String,
    pub side: String,
    pub annual: String,
    pub plan_ytd: String,
    pub actual_ytd: String,
    pub pct: String,
}

pub struct RevisionView {
    pub number: u32,
    pub date: String,
    pub note: String,
    pub approved: bool,
    pub approved_by: String,
}

#[derive(Template)]
#[template(path = "gov/planfin.html")]
pub(crate) struct PlanfinPage {
    l: Layout,
    u: Unit,
    fy: u16,
    fy_label: String,
    exists: bool,
    plan_type: u8,
    type_max: u8,
    no_risk: bool,
    warnings: Vec<String>,
    rev_total: String,
    exp_total: String,
    balance: String,
    balance_neg: bool,
    reviews: String,
    reviews_met: bool,
    q2: Option<(String, String, &'static str, String, &'static str)>,
    tolerance: String,
    months_closed: u8,
    quarters: Vec<PeriodView>,
    months: Vec<PeriodView>,
    ytd: Option<PeriodView>,
    lines: Vec<LineView>,
    revisions: Vec<RevisionView>,
    can_write: bool,
    can_approve: bool,
    errors: Errors,
    years: Vec<(u16, String)>,
    /// The approval path: state label key, steps (label, signer, when, comment), and the steps
    /// this user may take now (step, label key).
    state: &'static str,
    steps: Vec<(String, String, String, String)>,
    actions: Vec<(&'static str, &'static str)>,
    /// The unit's financial strategy documents (3–5 years) and whether one covers `fy`.
    strategies: Vec<crate::inspection::StrategyView>,
    strategy_covered: bool,
    can_attach_strategy: bool,
}

pub(crate) fn step_label(step: &str) -> &'static str {
    match step {
        "submitted" => "gov_plan_submitted",
        "returned" => "gov_plan_returned",
        "reviewed" => "gov_plan_reviewed",
        "approved" => "gov_plan_approved",
        _ => "gov_plan_draft",
    }
}

pub(crate) async fn planfin_page(
    st: &AppState,
    t: T,
    me: &Actor,
    unit_code: Hcode,
    fy: u16,
    errors: Vec<FieldError>,
    flash: String,
) -> Result<PlanfinPage, AppError> {
    let u = st.store.get_unit(me, unit_code).await?;
    let year = st.store.get_plan_year(me, unit_code, fy).await?;
    let criteria = CriteriaSet::default_for(fy).unwrap_or_else(CriteriaSet::builtin);
    let c = &criteria.planfin;
    let now = current_fy();
    let years = (now.saturating_sub(3)..=now)
        .rev()
        .map(|y| (y, fy_label(t, y)))
        .collect();
    let mut page = PlanfinPage {
        l: Layout::new(t, Some(me), format!("Planfin · {}", u.name_th), "finance")
            .with_flash(flash),
        fy,
        fy_label: fy_label(t, fy),
        exists: year.is_some(),
        plan_type: 0,
        type_max: c.plan_type_max,
        no_risk: false,
        warnings: vec![],
        rev_total: String::new(),
        exp_total: String::new(),
        balance: String::new(),
        balance_neg: false,
        reviews: String::new(),
        reviews_met: false,
        q2: None,
        tolerance: format_decimal_thai(c.plan_tolerance_pct.as_f64(), 0),
        months_closed: 0,
        quarters: vec![],
        months: vec![],
        ytd: None,
        lines: vec![],
        revisions: vec![],
        can_write: me.may_write_governance(),
        can_approve: matches!(me.who.role, Role::Admin | Role::Province),
        errors: Errors::new(t, errors),
        years,
        state: "gov_plan_draft",
        steps: vec![],
        actions: vec![],
        strategy_covered: false,
        strategies: vec![],
        can_attach_strategy: matches!(
            me.who.role,
            Role::Admin | Role::UnitHead | Role::UnitRevenue
        ),
        u,
    };
    page.strategies = crate::inspection::strategy_views(st, t, me, unit_code, fy).await?;
    page.strategy_covered = page.strategies.iter().any(|s| s.covers);
    let Some(y) = year else {
        return Ok(page);
    };
    let steps = st.store.plan_steps(me, unit_code, fy).await?;
    let state = steps.last().map(|s| s.step.as_str()).unwrap_or("");
    page.state = step_label(state);
    page.actions = raidai_store::plan_approval::next_steps(state)
        .iter()
        .filter(|s| {
            if **s == "submitted" {
                matches!(
                    me.who.role,
                    Role::UnitHead | Role::UnitRevenue | Role::Admin
                )
            } else {
                page.can_approve
            }
        })
        .map(|s| {
            (
                *s,
                match *s {
                    "submitted" => "gov_do_submit",
                    "reviewed" => "gov_do_review",
                    "returned" => "gov_do_return",
                    _ => "gov_do_approve",
                },
            )
        })
        .collect();
    page.steps = steps
        .iter()
        .map(|s| {
            (
                t.s(step_label(&s.step)).to_string(),
                if s.signer == s.username {
                    s.signer.clone()
                } else {
                    format!("{} ({})", s.signer, s.username)
                },
                datetime(t, s.at),
                s.comment.clone(),
            )
        })
        .collect();
    let rev = y.plan.total(PlanSide::Revenue);
    let exp = y.plan.total(PlanSide::Expense);
    let pva = plan_vs_actual(&y.plan, &y.actuals, c);
    let rs = review_status(&y.plan, c);
    page.plan_type = y.plan.plan_type;
    page.no_risk = is_no_risk_type(y.plan.plan_type, c);
    page.warnings = check_plan_type(&y.plan, c)
        .iter()
        .map(|w| {
            if t.is_en() {
                w.message_en()
            } else {
                w.message_th()
            }
        })
        .collect();
    page.rev_total = baht(rev);
    page.exp_total = baht(exp);
    // Totals are clamped to the satang range, so their difference may not fit: shown as "–".
    page.balance = rev.checked_sub(exp).map_or_else(|| "–".into(), baht);
    page.balance_neg = rev < exp;
    page.reviews = format!("{} / {}", rs.approved, rs.required);
    page.reviews_met = rs.met;
    page.q2 = pva.q2.as_ref().map(|q| {
        (
            format!("≥ {}%", format_decimal_thai(q.threshold_pct.as_f64(), 0)),
            pct_beside(q.revenue_pct, q.threshold_pct.as_f64()),
            met_key(q.revenue_met),
            pct_beside(q.expense_pct, q.threshold_pct.as_f64()),
            met_key(q.expense_met),
        )
    });
    page.months_closed = pva.months_closed;
    page.quarters = pva.quarters.iter().map(|p| period_view(t, p)).collect();
    page.months = pva.months.iter().map(|p| period_view(t, p)).collect();
    page.ytd = Some(period_view(t, &pva.ytd));
    page.lines = pva
        .lines
        .iter()
        .map(|l| LineView {
            code: l.code.code().to_string(),
            name: t.pick(l.code.name_th(), l.code.name_en()).to_string(),
            side: t
                .pick(l.code.side().label_th(), l.code.side().label_en())
                .to_string(),
            annual: baht(l.plan_annual),
            plan_ytd: baht(l.plan_ytd),
            actual_ytd: baht(l.actual_ytd),
            pct: pct(l.pct_of_plan_ytd),
        })
        .collect();
    page.revisions = y
        .revisions
        .iter()
        .map(|r| RevisionView {
            number: r.revision.number,
            date: be_date(t, r.revision.date.as_deref()),
            note: r.revision.note.clone(),
            approved: r.revision.approved,
            approved_by: r.approved_by.clone().unwrap_or_default(),
        })
        .collect();
    Ok(page)
}

#[derive(Deserialize)]
pub struct PlanfinQuery {
    /// Set after a strategy document was attached.
    pub strategy: Option<String>,
}

pub async fn planfin(
    Ctx { st, t, me }: Ctx,
    Params((hcode, fy)): Params<(Hcode, u16)>,
    Query(q): Query<PlanfinQuery>,
) -> Result<Response, AppError> {
    let flash = if q.strategy.is_some() {
        t.s("strat_added").to_string()
    } else {
        String::new()
    };
    render(&planfin_page(&st, t, &me, hcode, fy, vec![], flash).await?)
}

/// Back to the Planfin page once a change is stored, or the page again with why not.
pub(crate) async fn planfin_result<S>(
    st: &AppState,
    t: T,
    me: &Actor,
    unit_code: Hcode,
    fy: u16,
    r: Result<S, StoreError>,
) -> Result<Response, AppError> {
    let url = format!("/units/{}/planfin/{fy}", unit_code.as_str());
    crate::pages::saved_or_again(r, &url, |errs| {
        planfin_page(st, t, me, unit_code, fy, errs, String::new())
    })
    .await
}

pub async fn planfin_step(
    Ctx { st, t, me }: Ctx,
    Params((hcode, fy)): Params<(Hcode, u16)>,
    Form(f): Form<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    let get = |k: &str| f.get(k).map(String::as_str).unwrap_or("");
    let r = st
        .store
        .plan_step(&me, hcode, fy, get("step"), get("signer"), get("comment"))
        .await;
    planfin_result(&st, t, &me, hcode, fy, r).await
}

pub async fn planfin_type(
    Ctx { st, t, me }: Ctx,
    Params((hcode, fy)): Params<(Hcode, u16)>,
    Form(f): Form<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    let r = match f.get("plan_type").and_then(|v| v.trim().parse::<u8>().ok()) {
        Some(pt) => st.store.save_plan_type(&me, hcode, fy, pt).await,
        None => {
            require_unit(&st, &me, hcode, me.may_write_governance()).await?;
            Err(StoreError::field(
                "plan_type",
                "choose the plan type",
                "กรุณาเลือกแบบแผน",
            ))
        }
    };
    planfin_result(&st, t, &me, hcode, fy, r).await
}

pub async fn planfin_amounts(
    Ctx { st, t, me }: Ctx,
    Params((hcode, fy)): Params<(Hcode, u16)>,
    req: Request,
) -> Result<Response, AppError> {
    require_unit(&st, &me, hcode, me.may_write_governance()).await?;
    let (fields, file) = multipart_for(&st, req).await?;
    let kind = fields
        .get("kind")
        .and_then(|k| AmountKind::parse(k))
        .unwrap_or(AmountKind::Plan);
    let r = match parse_csv_upload(&file, parse_plan_csv) {
        Ok(lines) => {
            st.store
                .save_plan_amounts(&me, hcode, fy, kind, &lines)
                .await
        }
        Err(e) => Err(e),
    };
    planfin_result(&st, t, &me, hcode, fy, r).await
}

pub async fn planfin_revision(
    Ctx { st, t, me }: Ctx,
    Params((hcode, fy)): Params<(Hcode, u16)>,
    Form(f): Form<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    let date = f
        .get("revised_on")
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty());
    let note = f.get("note").cloned().unwrap_or_default();
    let r = st
        .store
        .add_plan_revision(&me, hcode, fy, date, &note)
        .await;
    planfin_result(&st, t, &me, hcode, fy, r).await
}

pub async fn planfin_approve(
    Ctx { st, t, me }: Ctx,
    Params((hcode, fy, number)): Params<(Hcode, u16, u32)>,
) -> Result<Response, AppError> {
    let r = st.store.approve_plan_revision(&me, hcode, fy, number).await;
    planfin_result(&st, t, &me, hcode, fy, r).await
}
