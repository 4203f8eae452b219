//! TPS: the Total Performance Score form, its field table and scoring.

use super::*;

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

/// A TPS field's value as text for the form.
pub(crate) fn tps_value(i: &TpsInput, name: &str) -> String {
    let money = |v: Option<Satang>| v.map(raidai_governance::format_baht).unwrap_or_default();
    let dec = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
    match name {
        "plan_revenue" => money(i.plan_revenue),
        "actual_revenue" => money(i.actual_revenue),
        "plan_expense" => money(i.plan_expense),
        "actual_expense" => money(i.actual_expense),
        "payables_days" => dec(i.payables_days),
        "cash_ratio" => i
            .cash_ratio
            .map(|h| h.to_fixed_string())
            .unwrap_or_default(),
        "acp_uc_days" => dec(i.acp_uc_days),
        "acp_csmbs_days" => dec(i.acp_csmbs_days),
        "inventory_days" => dec(i.inventory_days),
        "unit_cost_op" => money(i.unit_cost_op),
        "unit_cost_ip" => money(i.unit_cost_ip),
        "labour_cost" => money(i.labour_cost),
        "mc_drug" => money(i.mc_drug),
        "mc_lab" => money(i.mc_lab),
        "mc_supplies" => money(i.mc_supplies),
        "accounting_check_passed" => match i.accounting_check_passed {
            Some(true) => "1".into(),
            Some(false) => "0".into(),
            None => String::new(),
        },
        "bed_occupancy_pct" => dec(i.bed_occupancy_pct),
        "sum_adjrw" => dec(i.sum_adjrw),
        "sum_adjrw_last_year" => dec(i.sum_adjrw_last_year),
        "operating_margin_pct" => dec(i.operating_margin_pct),
        "roa_pct" => dec(i.roa_pct),
        "ebitda" => money(i.ebitda),
        "nwc" => money(i.nwc),
        "median_unit_cost_op" => money(i.medians.unit_cost_op),
        "median_unit_cost_ip" => money(i.medians.unit_cost_ip),
        "median_operating_margin_pct" => dec(i.medians.operating_margin_pct),
        "median_roa_pct" => dec(i.medians.roa_pct),
        _ => String::new(),
    }
}

/// Reads the form into the engine's input; every bad field is named.
pub(crate) fn tps_from_form(
    base: TpsInput,
    f: &BTreeMap<String, String>,
) -> Result<TpsInput, Vec<FieldError>> {
    let mut i = base;
    let mut errs = Vec::new();
    for (name, kind, th, _) in TPS_FIELDS {
        let v = f.get(*name).map(|s| s.trim()).unwrap_or_default();
        let bad = |what: &str| {
            FieldError::new(
                name,
                format!("{name}: {what}, got {v:?}"),
                format!("{th}: ค่าไม่ถูกต้อง"),
            )
        };
        let money = if *kind == TpsKind::Money && !v.is_empty() {
            match parse_satang(v) {
                Ok(x) => Some(x),
                Err(_) => {
                    errs.push(bad("expected an amount in baht"));
                    continue;
                }
            }
        } else {
            None
        };
        let dec = if *kind == TpsKind::Decimal && !v.is_empty() {
            match v.replace(',', "").parse::<f64>() {
                Ok(x) if x.is_finite() => Some(x),
                _ => {
                    errs.push(bad("expected a number"));
                    continue;
                }
            }
        } else {
            None
        };
        match *name {
            "plan_revenue" => i.plan_revenue = money,
            "actual_revenue" => i.actual_revenue = money,
            "plan_expense" => i.plan_expense = money,
            "actual_expense" => i.actual_expense = money,
            "payables_days" => i.payables_days = dec,
            "cash_ratio" => {
                i.cash_ratio = if v.is_empty() {
                    None
                } else {
                    match Hundredths::parse(v) {
                        Ok(h) => Some(h),
                        Err(_) => {
                            errs.push(bad("expected a ratio with at most two decimals"));
                            continue;
                        }
                    }
                }
            }
            "acp_uc_days" => i.acp_uc_days = dec,
            "acp_csmbs_days" => i.acp_csmbs_days = dec,
            "inventory_days" => i.inventory_days = dec,
            "unit_cost_op" => i.unit_cost_op = money,
            "unit_cost_ip" => i.unit_cost_ip = money,
            "labour_cost" => i.labour_cost = money,
            "mc_drug" => i.mc_drug = money,
            "mc_lab" => i.mc_lab = money,
            "mc_supplies" => i.mc_supplies = money,
            "accounting_check_passed" => {
                i.accounting_check_passed = match v {
                    "" => None,
                    "1" => Some(true),
                    "0" => Some(false),
                    _ => {
                        errs.push(bad("expected 1 or 0"));
                        continue;
                    }
                }
            }
            "bed_occupancy_pct" => i.bed_occupancy_pct = dec,
            "sum_adjrw" => i.sum_adjrw = dec,
            "sum_adjrw_last_year" => i.sum_adjrw_last_year = dec,
            "operating_margin_pct" => i.operating_margin_pct = dec,
            "roa_pct" => i.roa_pct = dec,
            "ebitda" => i.ebitda = money,
            "nwc" => i.nwc = money,
            "median_unit_cost_op" => i.medians.unit_cost_op = money,
            "median_unit_cost_ip" => i.medians.unit_cost_ip = money,
            "median_operating_margin_pct" => i.medians.operating_margin_pct = dec,
            "median_roa_pct" => i.medians.roa_pct = dec,
            _ => {}
        }
    }
    if errs.is_empty() { Ok(i) } else { Err(errs) }
}

/// What raidai already knows for a quarter: Planfin YTD and the quarter-end position.
pub(crate) async fn tps_defaults(
    st: &AppState,
    me: &Actor,
    u: &Unit,
    fy: u16,
    quarter: u8,
) -> Result<TpsInput, AppError> {
    let mut i = TpsInput {
        hcode: u.hcode.clone(),
        period: format!("{fy}Q{quarter}"),
        peer_group: u
            .peer_group
            .map(|p| p.code().to_string())
            .unwrap_or_default(),
        island: u.island,
        ..Default::default()
    };
    let end = u32::from(fy) * 100 + u32::from(quarter) * 3;
    if let Some(p) = st
        .store
        .list_positions(me, &u.hcode)
        .await?
        .into_iter()
        .find(|p| p.period == end)
        && let Ok(r) = p.score()
    {
        i.cash_ratio = r.cash_ratio;
        i.nwc = Some(r.nwc);
    }
    if let Some(y) = st.store.get_plan_year(me, &u.hcode, fy).await? {
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
    hcode: &str,
    fy: u16,
    quarter: u8,
    draft: Option<TpsInput>,
    errors: Vec<FieldError>,
) -> Result<TpsPage, AppError> {
    if !(1..=4).contains(&quarter) {
        return Err(AppError::NotFound);
    }
    let u = st.store.get_unit(me, hcode).await?;
    let stored = st.store.get_tps_input(me, hcode, fy, quarter).await?;
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
            value: tps_value(&input, name),
            flag: *kind == TpsKind::Flag,
        })
        .collect();
    // Medians not entered come from the province's units of the same peer group.
    let peers = st.store.tps_peer_medians(me, hcode, fy, quarter).await?;
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
        criteria: format!(
            "{} ({})",
            t.pick(&criteria.title_th, &criteria.title_en),
            criteria.version
        ),
        u,
    })
}

pub async fn tps(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path((hcode, fy, quarter)): Path<(String, u16, u8)>,
) -> Result<Response, AppError> {
    render(&tps_page(&st, t, &me, &hcode, fy, quarter, None, vec![]).await?)
}

pub async fn tps_save(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path((hcode, fy, quarter)): Path<(String, u16, u8)>,
    Form(f): Form<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    let u = st.store.get_unit(&me, &hcode).await?;
    if !me.may_write_governance() {
        return Err(AppError::Forbidden);
    }
    let base = TpsInput {
        hcode: u.hcode.clone(),
        period: format!("{fy}Q{quarter}"),
        peer_group: u
            .peer_group
            .map(|p| p.code().to_string())
            .unwrap_or_default(),
        island: u.island,
        ..Default::default()
    };
    let result = match tps_from_form(base, &f) {
        Ok(input) => st.store.save_tps_input(&me, fy, quarter, &input).await,
        Err(errs) => Err(StoreError::Invalid(errs)),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/units/{hcode}/tps/{fy}/{quarter}")).into_response()),
        Err(StoreError::Invalid(errs)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &tps_page(&st, t, &me, &hcode, fy, quarter, None, errs).await?,
        ),
        Err(e) => Err(e.into()),
    }
}
