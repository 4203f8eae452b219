//! Aging of open receivables and the collection period per fund.

use super::*;
use crate::auth::Params;
use raidai_domain::ids::Hcode;

/// Collection-period targets (days) per fund, DOMAIN §5.2.
fn collection_target(fund: &str) -> Option<i64> {
    match fund {
        "UC" | "OFC" => Some(60),
        "SSS" => Some(120),
        _ => None,
    }
}

struct AgingView {
    fund: String,
    account: String,
    cells: Vec<String>,
    total: String,
}

/// (fund, open, posted this FY, days, period, target, over target)
type CollectionRow = (String, String, String, String, String, String, bool);

async fn aging_data(
    st: &AppState,
    t: T,
    me: &Actor,
    hcode: Option<&str>,
) -> Result<(Vec<AgingView>, Vec<String>, Vec<CollectionRow>), AppError> {
    let now = today();
    let rows = st.store.aging(me, hcode, now).await?;
    let mut by: BTreeMap<(String, String), Vec<i64>> = BTreeMap::new();
    let mut totals = vec![0i64; AGING_BUCKETS.len() + 1];
    let mut open_by_fund: BTreeMap<String, i64> = BTreeMap::new();
    for r in &rows {
        let e = by
            .entry((r.fund.clone(), r.account.clone()))
            .or_insert_with(|| vec![0; AGING_BUCKETS.len() + 1]);
        e[r.bucket] += r.outstanding;
        e[AGING_BUCKETS.len()] += r.outstanding;
        totals[r.bucket] += r.outstanding;
        totals[AGING_BUCKETS.len()] += r.outstanding;
        *open_by_fund.entry(r.fund.clone()).or_default() += r.outstanding;
    }
    // Over the last twelve months: early in a fiscal year its own months say little.
    let start = add_days(now, -364);
    let days = days_between(start, now) + 1;
    let revenue = st.store.fund_revenue(me, hcode, start, now).await?;
    let mut rev_by_fund: BTreeMap<String, i64> = BTreeMap::new();
    for (_, f, a) in revenue {
        *rev_by_fund.entry(f).or_default() += a;
    }
    let collection = open_by_fund
        .iter()
        .map(|(f, open)| {
            let rev = rev_by_fund.get(f).copied().unwrap_or(0);
            let period = (rev > 0).then(|| *open as f64 / rev as f64 * days as f64);
            let target = collection_target(f);
            (
                fund_name(t, f),
                money(*open),
                money(rev),
                format_int_thai(days),
                period
                    .map(|p| format!("{p:.1}"))
                    .unwrap_or_else(|| "–".into()),
                target.map(|x| format!("≤ {x}")).unwrap_or_default(),
                // Compared in whole satang-days, no float at the limit.
                target.is_some_and(|x| rev > 0 && *open * days > x * rev),
            )
        })
        .collect();
    Ok((
        by.into_iter()
            .map(|((f, a), v)| AgingView {
                fund: fund_name(t, &f),
                account: a,
                total: money(v[AGING_BUCKETS.len()]),
                cells: v[..AGING_BUCKETS.len()].iter().map(|x| money(*x)).collect(),
            })
            .collect(),
        totals.iter().map(|x| money(*x)).collect(),
        collection,
    ))
}

fn bucket_labels(t: T) -> Vec<String> {
    let mut prev = 0;
    AGING_BUCKETS
        .iter()
        .map(|&b| {
            let s = if b == i64::MAX {
                format!("> {prev} {}", t.pick("วัน", "days"))
            } else {
                format!(
                    "{}–{b} {}",
                    if prev == 0 { 0 } else { prev + 1 },
                    t.pick("วัน", "days")
                )
            };
            prev = b;
            s
        })
        .collect()
}

#[derive(Template)]
#[template(path = "cycle/aging.html")]
struct AgingPage {
    l: Layout,
    hcode: String,
    unit_name: String,
    buckets: Vec<String>,
    rows: Vec<AgingView>,
    totals: Vec<String>,
    collection: Vec<CollectionRow>,
    today: String,
}

pub async fn aging(
    Ctx { st, t, me }: Ctx,
    Params(hcode): Params<Hcode>,
) -> Result<Response, AppError> {
    let unit = st.store.get_unit(&me, hcode).await?;
    let (rows, totals, collection) = aging_data(&st, t, &me, Some(hcode.as_str())).await?;
    render(&AgingPage {
        l: Layout::new(t, Some(&me), t.s("cy_aging"), "claims"),
        buckets: bucket_labels(t),
        rows,
        totals,
        collection,
        today: date(t, today()),
        hcode: unit.hcode,
        unit_name: unit.name_th,
    })
}

pub async fn aging_json(
    State(st): State<AppState>,
    Me(me): Me,
    Params(hcode): Params<Hcode>,
) -> Result<Response, AppError> {
    match st.store.aging(&me, Some(hcode.as_str()), today()).await {
        Ok(rows) => Ok(axum::Json(serde_json::json!({
            "today": today(),
            "buckets_days": AGING_BUCKETS.iter().map(|b| if *b == i64::MAX { None } else { Some(*b) }).collect::<Vec<_>>(),
            "rows": rows,
        }))
        .into_response()),
        Err(e) => Ok(AppError::from(e).into_json()),
    }
}
