//! A unit's finance page: positions, Risk Score trend, 7 Plus, trial-balance upload.

use super::*;
use crate::auth::Params;
use raidai_domain::ids::Hcode;

#[derive(Template)]
#[template(path = "gov/finance.html")]
pub(crate) struct FinancePage {
    l: Layout,
    u: Unit,
    rows: Vec<PositionRow>,
    can_write: bool,
    errors: Errors,
    imported: String,
    unmapped: Vec<String>,
    criteria: String,
    updated: String,
    /// The fiscal year of the latest position, for the Planfin link.
    planfin_fy: u16,
    /// Periods with a position, newest first, for the 7 Plus period choice.
    periods: Vec<(u32, String)>,
    /// Fiscal months a trial balance can be for (this fiscal year and the two before, newest
    /// first, none in the future), each named by its calendar month: "256909" is June, not
    /// September. The last finished month is chosen.
    tb_periods: Vec<(u32, String)>,
    tb_default: u32,
    seven: Option<SevenPlusView>,
}

/// One 7 Plus indicator on the finance page.
pub(crate) struct SevenPlusRow {
    name: String,
    value: String,
    target: String,
    /// `pass`, `fail` or empty (no verdict).
    verdict: &'static str,
    explain: String,
}

/// 7 Plus Efficiency of one period.
pub(crate) struct SevenPlusView {
    period: u32,
    label: String,
    rows: Vec<SevenPlusRow>,
    passed: String,
    evaluated: String,
    has_opening: bool,
    days_ytd: String,
    /// Collection periods per fund: trial balance beside the receivable ledger.
    ledger: Vec<LedgerRow>,
    /// The unit has visits in raidai for the fiscal year.
    ledger_visits: String,
    has_ledger: bool,
}

pub(crate) struct LedgerRow {
    fund: &'static str,
    target: String,
    tb_days: String,
    ledger_days: String,
    ledger_avg: String,
    ledger_revenue: String,
}

pub(crate) fn seven_plus_view(
    t: T,
    f: &SevenPlusFigures,
    ledger: &LedgerCollection,
) -> SevenPlusView {
    let criteria = criteria_for_period(f.period);
    let r = seven_plus(&f.input, &criteria.seven_plus);
    let days = |v: Option<f64>| {
        v.map(|x| format!("{} {}", format_decimal_thai(x, 2), t.s("gov_sp_days")))
            .unwrap_or_else(|| "–".into())
    };
    use raidai_governance::seven_plus::SevenPlusIndicator as I;
    let ledger_rows = [("UC", I::AcpUc), ("CSMBS", I::AcpCsmbs), ("SSS", I::AcpSss)]
        .into_iter()
        .map(|(fund, ind)| {
            let tb = r.get(ind);
            let lf = ledger.funds.iter().find(|x| x.fund == fund);
            LedgerRow {
                fund,
                target: tb
                    .and_then(|i| i.target)
                    .map(|x| format!("≤ {}", days(Some(x))))
                    .unwrap_or_default(),
                tb_days: days(tb.and_then(|i| i.value)),
                ledger_days: days(ledger.days(fund)),
                ledger_avg: lf
                    // In i128: two ledger balances may not add up within i64.
                    .map(|x| {
                        baht(Satang(
                            ((i128::from(x.opening.0) + i128::from(x.closing.0)) / 2) as i64,
                        ))
                    })
                    .unwrap_or_default(),
                ledger_revenue: lf.map(|x| baht(x.revenue_ytd)).unwrap_or_default(),
            }
        })
        .collect();
    let rows = r
        .indicators
        .iter()
        .map(|i| {
            let unit = if i.indicator.unit() == "%" {
                "%".to_string()
            } else {
                format!(" {}", t.s("gov_sp_days"))
            };
            let num = |v: Option<f64>| {
                v.map(|x| format!("{}{unit}", format_decimal_thai(x, 2)))
                    .unwrap_or_else(|| "–".into())
            };
            SevenPlusRow {
                name: t
                    .pick(i.indicator.label_th(), i.indicator.label_en())
                    .to_string(),
                value: num(i.value),
                target: i
                    .target
                    .map(|_| format!("{} {}", i.comparison.symbol(), num(i.target)))
                    .unwrap_or_else(|| t.s("gov_sp_no_median").to_string()),
                verdict: match i.passed {
                    Some(true) => "pass",
                    Some(false) => "fail",
                    None => "",
                },
                explain: {
                    let mut e = if t.is_en() {
                        i.explain_en()
                    } else {
                        i.explain_th()
                    };
                    if i.indicator == I::AcpSss
                        && let Some((th, en)) = criteria.collection_limit_note(CollectionFund::Sss)
                    {
                        e = format!("{e} · {}", t.pick(&th, &en));
                    }
                    e
                },
            }
        })
        .collect();
    SevenPlusView {
        period: f.period,
        label: period_label(t, f.period),
        rows,
        passed: format_int_thai(r.passed as i64),
        evaluated: format_int_thai(r.evaluated as i64),
        has_opening: f.has_opening,
        days_ytd: format_int_thai(i64::from(f.input.days_ytd)),
        ledger: ledger_rows,
        ledger_visits: format_int_thai(ledger.visits),
        has_ledger: ledger.visits > 0,
    }
}

#[derive(Deserialize, Default)]
pub struct PeriodQuery {
    pub period: Option<u32>,
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn finance_page(
    st: &AppState,
    t: T,
    me: &Actor,
    unit_code: Hcode,
    errors: Vec<FieldError>,
    imported: String,
    unmapped: Vec<String>,
    period: Option<u32>,
) -> Result<FinancePage, AppError> {
    let u = st.store.get_unit(me, unit_code).await?;
    let positions = st.store.list_positions(me, unit_code).await?;
    let periods: Vec<(u32, String)> = positions
        .iter()
        .rev()
        .map(|p| (p.input.period, period_label(t, p.input.period)))
        .collect();
    let now = FiscalPeriod::of(
        Utc::now()
            .with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7"))
            .date_naive(),
    );
    let mut tb_periods = Vec::new();
    let mut p = now;
    for _ in 0..(24 + now.id() % 100) {
        tb_periods.push((
            p.id(),
            format!(
                "{} · {} {} {}",
                period_label(t, p.id()),
                t.s("gov_fiscal_month"),
                p.id() % 100,
                fy_label(t, (p.id() / 100) as u16)
            ),
        ));
        p = p.prev();
    }
    let tb_default = now.prev().id();
    let chosen = period
        .filter(|p| periods.iter().any(|(q, _)| q == p))
        .or_else(|| periods.first().map(|(p, _)| *p));
    let seven = match chosen {
        Some(p) => match st.store.seven_plus_figures(me, unit_code, p).await? {
            Some(f) => {
                let ledger = st.store.ledger_collection(me, unit_code, p).await?;
                Some(seven_plus_view(t, &f, &ledger))
            }
            None => None,
        },
        None => None,
    };
    let mut rows: Vec<PositionRow> = positions.iter().map(|p| position_row(t, p)).collect();
    rows.reverse(); // newest first
    let criteria = positions
        .last()
        .map(|p| {
            let c = criteria_for_period(p.input.period);
            crate::governance::criteria_label(t, c)
        })
        .unwrap_or_default();
    let updated = positions
        .iter()
        .map(|p| p.updated_at)
        .max()
        .map(|ms| datetime(t, ms))
        .unwrap_or_default();
    let planfin_fy = positions.last().map_or_else(current_fy, |p| {
        u16::try_from(p.input.period / 100).unwrap_or_else(|_| current_fy())
    });
    Ok(FinancePage {
        planfin_fy,
        tb_periods,
        tb_default,
        l: Layout::new(
            t,
            Some(me),
            format!("{} · {}", t.s("gov_finance_title"), u.name_th),
            "finance",
        ),
        u,
        rows,
        can_write: me.may_write_governance(),
        errors: Errors::new(t, errors),
        imported,
        unmapped,
        criteria,
        updated,
        periods,
        seven,
    })
}

pub async fn finance(
    Ctx { st, t, me }: Ctx,
    Params(hcode): Params<Hcode>,
    Query(q): Query<PeriodQuery>,
) -> Result<Response, AppError> {
    render(&finance_page(&st, t, &me, hcode, vec![], String::new(), vec![], q.period).await?)
}

pub async fn import_tb(
    Ctx { st, t, me }: Ctx,
    Params(hcode): Params<Hcode>,
    req: Request,
) -> Result<Response, AppError> {
    require_unit(&st, &me, hcode, me.may_write_governance()).await?;
    let (fields, file) = multipart_for(&st, req).await?;
    let period = fields
        .get("period")
        .map(|p| p.trim())
        .unwrap_or_default()
        .parse::<u32>()
        .ok();
    let result = match period {
        None => Err(StoreError::field(
            "period",
            "enter the period as BE year and fiscal month, e.g. 256909",
            "กรุณาระบุงวด เช่น 256909",
        )),
        Some(period) => match parse_csv_upload(&file, parse_trial_balance_csv) {
            Ok(lines) => {
                st.store
                    .import_trial_balance(&me, hcode, period, &lines)
                    .await
            }
            Err(e) => Err(e),
        },
    };
    match result {
        Ok(imp) => render(
            &finance_page(
                &st,
                t,
                &me,
                hcode,
                vec![],
                format_int_thai(imp.lines as i64),
                imp.unmapped,
                None,
            )
            .await?,
        ),
        Err(StoreError::Invalid(errs)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &finance_page(&st, t, &me, hcode, errs, String::new(), vec![], None).await?,
        ),
        Err(e) => Err(e.into()),
    }
}
