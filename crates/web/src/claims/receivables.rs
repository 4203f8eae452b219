//! Receivables by account and fund for a period.

use super::*;
use crate::auth::Params;
use raidai_domain::ids::Hcode;

#[derive(Debug, Default, Deserialize)]
pub struct PeriodFilter {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    fy: String,
    /// `posting` (default) or `service`.
    #[serde(default)]
    basis: String,
}

pub(crate) struct BalanceView {
    account: String,
    name: String,
    fund: String,
    debit: String,
    credit: String,
    balance: String,
    visits: String,
    href: String,
}

#[derive(Template)]
#[template(path = "claims/receivables.html")]
pub(crate) struct ReceivablesPage {
    l: Layout,
    hcode: String,
    unit_name: String,
    basis: &'static str,
    from: String,
    to: String,
    years: Vec<(i64, String)>,
    fy: i64,
    accounts: Vec<BalanceView>,
    funds: Vec<(String, String, String)>,
    total: String,
}

/// A date for a filter field: `31/01/2569` (BE), which [`parse_day`] reads back.
pub(crate) fn ymd_be(x: i64) -> String {
    ymd_date(x)
        .map(raidai_domain::calendar::format_be_numeric)
        .unwrap_or_default()
}

pub async fn receivables(
    Ctx { st, t, me }: Ctx,
    Params(hcode): Params<Hcode>,
    Query(f): Query<PeriodFilter>,
) -> Result<Response, AppError> {
    let unit = st.store.get_unit(&me, hcode).await?;
    let years = st.store.claims_years(&me).await?;
    let fy =
        f.fy.parse::<i64>()
            .ok()
            .or(years.first().copied())
            .unwrap_or_else(current_fy);
    let fyv = FiscalYear::new(fy.clamp(2400, 2700) as u16);
    let ymd = |d: NaiveDate| {
        use chrono::Datelike;
        i64::from(d.year()) * 10_000 + i64::from(d.month()) * 100 + i64::from(d.day())
    };
    let from = parse_day(&f.from).unwrap_or_else(|| ymd(fyv.start()));
    let to = parse_day(&f.to).unwrap_or_else(|| ymd(fyv.end()));
    let basis = DateBasis::parse(&f.basis).unwrap_or_default();
    let balances = st
        .store
        .account_balances(&me, hcode, from, to, basis)
        .await?;
    let mut by_fund: BTreeMap<String, i64> = BTreeMap::new();
    let mut total = 0;
    let accounts: Vec<BalanceView> = balances
        .iter()
        .filter(|b| b.account.starts_with("1102"))
        .map(|b| {
            *by_fund.entry(b.fund.clone()).or_insert(0) += b.balance();
            total += b.balance();
            BalanceView {
                account: b.account.clone(),
                name: account_name(&b.account),
                fund: b.fund.clone(),
                debit: money(b.debit),
                credit: money(b.credit),
                balance: money(b.balance()),
                visits: format_int_thai(b.visits),
                href: format!(
                    "/units/{}/visits?account={}&from={}&to={}",
                    hcode,
                    enc(&b.account),
                    from,
                    to
                ),
            }
        })
        .collect();
    let mut year_opts: Vec<(i64, String)> = years.iter().map(|y| (*y, fy_label(t, *y))).collect();
    if !years.contains(&fy) {
        year_opts.push((fy, fy_label(t, fy)));
    }
    render(&ReceivablesPage {
        l: Layout::new(t, Some(&me), t.s("cl_receivables"), "claims"),
        basis: basis.code(),
        from: ymd_be(from),
        to: ymd_be(to),
        years: year_opts,
        fy,
        funds: by_fund
            .into_iter()
            .map(|(code, v)| {
                (
                    format!(
                        "/units/{}/visits?fund={}&from={}&to={}",
                        hcode,
                        enc(&code),
                        from,
                        to
                    ),
                    fund_name(t, &code),
                    money(v),
                )
            })
            .collect(),
        total: money(total),
        accounts,
        hcode: unit.hcode,
        unit_name: unit.name_th,
    })
}
