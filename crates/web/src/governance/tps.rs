//! TPS: the Total Performance Score form, its field table and scoring.

use super::*;
use crate::auth::Params;
use crate::error::hcode_of;
use raidai_domain::ids::Hcode;

#[derive(Clone, Copy, PartialEq)]
pub(crate) enum TpsKind {
    Money,
    Decimal,
    Ratio,
    Flag,
}

/// The TPS input fields as a form: (name, kind, Thai, English).
pub(crate) const TPS_FIELDS: &[(&str, TpsKind, &str, &str)] = &[
    (
        "plan_revenue",
        TpsKind::Money,
        "แผนรายได้ (ช่วงเดียวกับผล)",
        "Planned revenue (same span as actual)",
    ),
    (
        "actual_revenue",
        TpsKind::Money,
        "รายได้จริง",
        "Actual revenue",
    ),
    (
        "plan_expense",
        TpsKind::Money,
        "แผนค่าใช้จ่าย (ช่วงเดียวกับผล)",
        "Planned expense (same span as actual)",
    ),
    (
        "actual_expense",
        TpsKind::Money,
        "ค่าใช้จ่ายจริง",
        "Actual expense",
    ),
    (
        "payables_days",
        TpsKind::Decimal,
        "ระยะเวลาชำระเจ้าหนี้ยาและเวชภัณฑ์ (วัน)",
        "Payables period, drugs and supplies (days)",
    ),
    ("cash_ratio", TpsKind::Ratio, "Cash ratio", "Cash ratio"),
    (
        "acp_uc_days",
        TpsKind::Decimal,
        "ระยะเวลาเรียกเก็บหนี้ UC (วัน)",
        "UC collection period (days)",
    ),
    (
        "acp_csmbs_days",
        TpsKind::Decimal,
        "ระยะเวลาเรียกเก็บหนี้ ชรก. (วัน)",
        "CSMBS collection period (days)",
    ),
    (
        "inventory_days",
        TpsKind::Decimal,
        "ระยะเวลาสินค้าคงคลัง (วัน)",
        "Inventory days",
    ),
    (
        "unit_cost_op",
        TpsKind::Money,
        "Unit cost ผู้ป่วยนอก (บาท)",
        "Unit cost OP (baht)",
    ),
    (
        "unit_cost_ip",
        TpsKind::Money,
        "Unit cost ผู้ป่วยใน (บาท)",
        "Unit cost IP (baht)",
    ),
    (
        "labour_cost",
        TpsKind::Money,
        "LC ต้นทุนค่าแรง",
        "LC labour cost",
    ),
    ("mc_drug", TpsKind::Money, "MC ยา", "MC drugs"),
    ("mc_lab", TpsKind::Money, "MC วัสดุวิทยาศาสตร์", "MC lab"),
    (
        "mc_supplies",
        TpsKind::Money,
        "MC เวชภัณฑ์มิใช่ยา",
        "MC medical supplies",
    ),
    (
        "accounting_check_passed",
        TpsKind::Flag,
        "ผ่านการตรวจสอบบัญชีเบื้องต้น",
        "Preliminary accounting check passed",
    ),
    (
        "bed_occupancy_pct",
        TpsKind::Decimal,
        "อัตราครองเตียง (%)",
        "Bed occupancy (%)",
    ),
    ("sum_adjrw", TpsKind::Decimal, "Sum AdjRW", "Sum AdjRW"),
    (
        "sum_adjrw_last_year",
        TpsKind::Decimal,
        "Sum AdjRW ปีก่อน",
        "Sum AdjRW last year",
    ),
    (
        "operating_margin_pct",
        TpsKind::Decimal,
        "Operating margin (%)",
        "Operating margin (%)",
    ),
    ("roa_pct", TpsKind::Decimal, "ROA (%)", "ROA (%)"),
    ("ebitda", TpsKind::Money, "EBITDA (บาท)", "EBITDA (baht)"),
    (
        "nwc",
        TpsKind::Money,
        "ทุนหมุนเวียนสุทธิ NWC (บาท)",
        "Net working capital (baht)",
    ),
    (
        "median_unit_cost_op",
        TpsKind::Money,
        "ค่ากลางกลุ่ม Unit cost OP (ถ้าประกาศ)",
        "Peer median unit cost OP (if published)",
    ),
    (
        "median_unit_cost_ip",
        TpsKind::Money,
        "ค่ากลางกลุ่ม Unit cost IP (ถ้าประกาศ)",
        "Peer median unit cost IP (if published)",
    ),
    (
        "median_operating_margin_pct",
        TpsKind::Decimal,
        "ค่ากลางกลุ่ม Operating margin % (ถ้าประกาศ)",
        "Peer median operating margin % (if published)",
    ),
    (
        "median_roa_pct",
        TpsKind::Decimal,
        "ค่ากลางกลุ่ม ROA % (ถ้าประกาศ)",
        "Peer median ROA % (if published)",
    ),
];

/// Where a TPS field lives in the engine's input, typed by what it holds. One table serves
/// both showing the form and reading it back, so the two cannot drift apart.
enum TpsSlot<'a> {
    Money(&'a mut Option<Satang>),
    Decimal(&'a mut Option<f64>),
    Ratio(&'a mut Option<Hundredths>),
    Flag(&'a mut Option<bool>),
}

fn tps_slot<'a>(i: &'a mut TpsInput, name: &str) -> Option<TpsSlot<'a>> {
    use TpsSlot as S;
    Some(match name {
        "plan_revenue" => S::Money(&mut i.plan_revenue),
        "actual_revenue" => S::Money(&mut i.actual_revenue),
        "plan_expense" => S::Money(&mut i.plan_expense),
        "actual_expense" => S::Money(&mut i.actual_expense),
        "payables_days" => S::Decimal(&mut i.payables_days),
        "cash_ratio" => S::Ratio(&mut i.cash_ratio),
        "acp_uc_days" => S::Decimal(&mut i.acp_uc_days),
        "acp_csmbs_days" => S::Decimal(&mut i.acp_csmbs_days),
        "inventory_days" => S::Decimal(&mut i.inventory_days),
        "unit_cost_op" => S::Money(&mut i.costs.unit_cost_op),
        "unit_cost_ip" => S::Money(&mut i.costs.unit_cost_ip),
        "labour_cost" => S::Money(&mut i.costs.labour_cost),
        "mc_drug" => S::Money(&mut i.costs.mc_drug),
        "mc_lab" => S::Money(&mut i.costs.mc_lab),
        "mc_supplies" => S::Money(&mut i.costs.mc_supplies),
        "accounting_check_passed" => S::Flag(&mut i.accounting_check_passed),
        "bed_occupancy_pct" => S::Decimal(&mut i.bed_occupancy_pct),
        "sum_adjrw" => S::Decimal(&mut i.sum_adjrw),
        "sum_adjrw_last_year" => S::Decimal(&mut i.sum_adjrw_last_year),
        "operating_margin_pct" => S::Decimal(&mut i.operating_margin_pct),
        "roa_pct" => S::Decimal(&mut i.roa_pct),
        "ebitda" => S::Money(&mut i.ebitda),
        "nwc" => S::Money(&mut i.nwc),
        "median_unit_cost_op" => S::Money(&mut i.medians.costs.unit_cost_op),
        "median_unit_cost_ip" => S::Money(&mut i.medians.costs.unit_cost_ip),
        "median_operating_margin_pct" => S::Decimal(&mut i.medians.operating_margin_pct),
        "median_roa_pct" => S::Decimal(&mut i.medians.roa_pct),
        _ => return None,
    })
}

/// A TPS field's value as text for the form. Takes `&mut` only because [`tps_slot`] does;
/// nothing is changed.
pub(crate) fn tps_value(i: &mut TpsInput, name: &str) -> String {
    match tps_slot(i, name) {
        Some(TpsSlot::Money(v)) => v.map(raidai_governance::format_baht).unwrap_or_default(),
        Some(TpsSlot::Decimal(v)) => v.map(|x| x.to_string()).unwrap_or_default(),
        Some(TpsSlot::Ratio(v)) => v.as_ref().map(|h| h.to_fixed_string()).unwrap_or_default(),
        Some(TpsSlot::Flag(Some(true))) => "1".into(),
        Some(TpsSlot::Flag(Some(false))) => "0".into(),
        Some(TpsSlot::Flag(None)) | None => String::new(),
    }
}

/// Sets `slot` from form text: empty clears it; text `parse` refuses leaves it as it was
/// and answers false.
fn set_parsed<V>(slot: &mut Option<V>, v: &str, parse: impl FnOnce(&str) -> Option<V>) -> bool {
    if v.is_empty() {
        *slot = None;
        return true;
    }
    match parse(v) {
        Some(x) => {
            *slot = Some(x);
            true
        }
        None => false,
    }
}

/// Reads the form into the engine's input; every bad field is named.
pub(crate) fn tps_from_form(
    base: TpsInput,
    f: &BTreeMap<String, String>,
) -> Result<TpsInput, Vec<FieldError>> {
    let mut i = base;
    let mut errs = Vec::new();
    for (name, _, th, _) in TPS_FIELDS {
        let v = f.get(*name).map(|s| s.trim()).unwrap_or_default();
        let (ok, expected) = match tps_slot(&mut i, name) {
            None => continue,
            Some(TpsSlot::Money(s)) => (
                set_parsed(s, v, |v| parse_satang(v).ok()),
                "expected an amount in baht",
            ),
            Some(TpsSlot::Decimal(s)) => (
                set_parsed(s, v, |v| {
                    v.replace(',', "")
                        .parse::<f64>()
                        .ok()
                        .filter(|x| x.is_finite())
                }),
                "expected a number",
            ),
            Some(TpsSlot::Ratio(s)) => (
                set_parsed(s, v, |v| Hundredths::parse(v).ok()),
                "expected a ratio with at most two decimals",
            ),
            Some(TpsSlot::Flag(s)) => (
                set_parsed(s, v, |v| match v {
                    "1" => Some(true),
                    "0" => Some(false),
                    _ => None,
                }),
                "expected 1 or 0",
            ),
        };
        if !ok {
            errs.push(FieldError::new(
                name,
                format!("{name}: {expected}, got {v:?}"),
                format!("{th}: ค่าไม่ถูกต้อง"),
            ));
        }
    }
    if errs.is_empty() { Ok(i) } else { Err(errs) }
}

/// A quarter's input with only the unit's identity filled in: what every
/// form starts from, whether prefilled from raidai's figures or posted.
fn tps_base(u: &Unit, fy: u16, quarter: u8) -> TpsInput {
    TpsInput {
        hcode: u.hcode.clone(),
        period: format!("{fy}Q{quarter}"),
        peer_group: u
            .peer_group
            .map(|p| p.code().to_string())
            .unwrap_or_default(),
        island: u.island,
        ..Default::default()
    }
}

/// What raidai already knows for a quarter: Planfin YTD and the quarter-end position.
pub(crate) async fn tps_defaults(
    st: &AppState,
    me: &Actor,
    u: &Unit,
    fy: u16,
    quarter: u8,
) -> Result<TpsInput, AppError> {
    let mut i = tps_base(u, fy, quarter);
    let end = u32::from(fy) * 100 + u32::from(quarter) * 3;
    if let Some(p) = st
        .store
        .list_positions(me, hcode_of(&u.hcode)?)
        .await?
        .into_iter()
        .find(|p| p.input.period == end)
        && let Ok(r) = p.score()
    {
        i.cash_ratio = r.cash_ratio;
        i.nwc = Some(r.nwc);
    }
    if let Some(y) = st.store.get_plan_year(me, hcode_of(&u.hcode)?, fy).await? {
        // Plan and actual over the same closed months (the engine compares like with like).
        let months = usize::from((quarter * 3).min(y.actuals.months_closed));
        if months > 0 {
            // A sum beyond the satang range is left empty (not wrapped) for the user to enter.
            let sum = |lines: &[raidai_governance::planfin::PlanLine], side: PlanSide| {
                lines
                    .iter()
                    .filter(|l| l.code.side() == side)
                    .flat_map(|l| &l.months[..months])
                    .try_fold(Satang::ZERO, |a, &v| a.checked_add(v))
            };
            i.plan_revenue = sum(&y.plan.lines, PlanSide::Revenue);
            i.actual_revenue = sum(&y.actuals.lines, PlanSide::Revenue);
            i.plan_expense = sum(&y.plan.lines, PlanSide::Expense);
            i.actual_expense = sum(&y.actuals.lines, PlanSide::Expense);
        }
    }
    Ok(i)
}

pub struct TpsFieldView {
    pub name: &'static str,
    pub label: String,
    pub value: String,
    pub flag: bool,
}

pub struct TpsItemView {
    pub label: String,
    pub weight: String,
    pub points: String,
    pub met: bool,
    pub missing: bool,
    pub explanation: String,
}

pub struct TpsGroupView {
    pub label: String,
    pub raw: String,
    pub capped: String,
    pub max: String,
    pub items: Vec<TpsItemView>,
}

#[derive(Template)]
#[template(path = "gov/tps.html")]
pub(crate) struct TpsPage {
    l: Layout,
    u: Unit,
    fy: u16,
    fy_label: String,
    quarter: u8,
    saved: bool,
    groups: Vec<TpsGroupView>,
    no_data: bool,
    raw_total: String,
    total: String,
    max_total: String,
    grade: String,
    fields: Vec<TpsFieldView>,
    can_write: bool,
    errors: Errors,
    criteria: String,
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn tps_page(
    st: &AppState,
    t: T,
    me: &Actor,
    unit_code: Hcode,
    fy: u16,
    quarter: u8,
    draft: Option<TpsInput>,
    errors: Vec<FieldError>,
) -> Result<TpsPage, AppError> {
    if !(1..=4).contains(&quarter) {
        return Err(AppError::NotFound);
    }
    let u = st.store.get_unit(me, unit_code).await?;
    let stored = st.store.get_tps_input(me, unit_code, fy, quarter).await?;
    let saved = stored.is_some();
    let mut input = match (draft, stored) {
        (Some(d), _) => d,
        (None, Some(s)) => s,
        (None, None) => tps_defaults(st, me, &u, fy, quarter).await?,
    };
    let fields = TPS_FIELDS
        .iter()
        .map(|(name, kind, th, en)| TpsFieldView {
            name,
            label: t.pick(th, en).to_string(),
            value: tps_value(&mut input, name),
            flag: *kind == TpsKind::Flag,
        })
        .collect();
    // Medians not entered come from the province's units of the same peer group.
    let peers = st
        .store
        .tps_peer_medians(me, unit_code, fy, quarter)
        .await?;
    if let Some(m) = peers.get(&input.peer_group) {
        input.medians.fill_from(m);
    }
    let criteria = CriteriaSet::default_for(fy).unwrap_or_else(CriteriaSet::builtin);
    let r = tps_score(&input, &criteria.tps);
    let groups = r
        .groups
        .iter()
        .map(|g| TpsGroupView {
            label: t.pick(&g.label_th, &g.label_en).to_string(),
            raw: g.raw.to_fixed_string(),
            capped: g.capped.to_fixed_string(),
            max: g.max.to_fixed_string(),
            items: r
                .items
                .iter()
                .filter(|i| i.group == g.id)
                .map(|i| TpsItemView {
                    label: t.pick(&i.label_th, &i.label_en).to_string(),
                    weight: i.weight.to_fixed_string(),
                    points: i.points.to_fixed_string(),
                    met: i.met,
                    missing: i.missing_data,
                    explanation: t.pick(&i.explanation_th, &i.explanation_en).to_string(),
                })
                .collect(),
        })
        .collect();
    Ok(TpsPage {
        l: Layout::new(t, Some(me), format!("TPS · {}", u.name_th), "finance"),
        fy,
        fy_label: fy_label(t, fy),
        quarter,
        saved,
        groups,
        // Nothing to score (no input saved, none found in the unit's data): "no data", not
        // "0.00 / 15.00 F".
        no_data: r.items.iter().all(|i| i.missing_data),
        raw_total: r.raw_total.to_fixed_string(),
        total: r.total.to_fixed_string(),
        max_total: r.max_total.to_fixed_string(),
        grade: format!(
            "{} ({})",
            r.grade.grade,
            t.pick(&r.grade.label_th, &r.grade.label_en)
        ),
        fields,
        can_write: me.may_write_governance(),
        errors: Errors::new(t, errors),
        criteria: crate::governance::criteria_label(t, criteria),
        u,
    })
}

pub async fn tps(
    Ctx { st, t, me }: Ctx,
    Params((hcode, fy, quarter)): Params<(Hcode, u16, u8)>,
) -> Result<Response, AppError> {
    render(&tps_page(&st, t, &me, hcode, fy, quarter, None, vec![]).await?)
}

pub async fn tps_save(
    Ctx { st, t, me }: Ctx,
    Params((hcode, fy, quarter)): Params<(Hcode, u16, u8)>,
    Form(f): Form<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    let u = st.store.get_unit(&me, hcode).await?;
    if !me.may_write_governance() {
        return Err(AppError::Forbidden);
    }
    let base = tps_base(&u, fy, quarter);
    let result = match tps_from_form(base, &f) {
        Ok(input) => st.store.save_tps_input(&me, fy, quarter, &input).await,
        Err(errs) => Err(StoreError::Invalid(errs)),
    };
    let url = format!("/units/{hcode}/tps/{fy}/{quarter}");
    crate::pages::saved_or_again(result, &url, |errs| {
        tps_page(&st, t, &me, hcode, fy, quarter, None, errs)
    })
    .await
}
