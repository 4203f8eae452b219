//! The province's view of the Data Audit: clean-visit rate and Authen coverage per unit.

use super::*;

#[derive(Template)]
#[template(path = "audit/province.html")]
pub(crate) struct ProvincePage {
    l: Layout,
    fy: i64,
    years: Vec<(i64, String)>,
    months: Vec<String>,
    /// (hcode, name, per month (clean %, authen %, clean bar width, authen bar width), clean %
    /// for the year, authen % for the year)
    units: Vec<UnitRow>,
    below: Vec<UnitRow>,
}

#[derive(Clone)]
pub(crate) struct UnitRow {
    hcode: String,
    name: String,
    cells: Vec<(String, String, u32, u32)>,
    clean: String,
    authen: String,
    clean_w: u32,
    authen_w: u32,
}

#[derive(Debug, Default, Deserialize)]
pub struct FyQuery {
    #[serde(default)]
    fy: String,
}

/// District and province: clean visits and Authen coverage per unit and month, with bars, and
/// the units below the 100 % target.
pub async fn province_page(
    Ctx { st, t, me }: Ctx,
    Query(q): Query<FyQuery>,
) -> Result<Response, AppError> {
    let fy_n =
        q.fy.trim()
            .parse::<i64>()
            .unwrap_or_else(|_| current_fy())
            .clamp(2400, 2700);
    let fy = FiscalYear::new(fy_n as u16);
    // Kept per read version (and day: a blocking LATE01 moves with it), like the other roll-ups.
    let roll = st
        .reads
        .get(
            &st.store,
            format!(
                "audit:{fy_n}:{}:{}",
                raidai_store::findings::audit_today(),
                crate::read_cache::scope_key(&me)
            ),
            || async {
                Ok(st
                    .store
                    .audit_rollup(&me, None, ymd(fy.start()), ymd(fy.end()))
                    .await?)
            },
        )
        .await?;
    let months: Vec<i64> = fy
        .periods()
        .map(|p| i64::from(p.calendar_year()) * 100 + i64::from(p.calendar_month()))
        .collect();
    let mut order: Vec<(String, String)> = Vec::new();
    for r in roll.iter() {
        if !order.iter().any(|(h, _)| h == &r.hcode) {
            order.push((r.hcode.clone(), r.unit_name.clone()));
        }
    }
    let width = |n: i64, d: i64| {
        if d == 0 {
            0
        } else {
            ((n * 100) / d).clamp(0, 100) as u32
        }
    };
    let units: Vec<UnitRow> = order
        .into_iter()
        .map(|(h, name)| {
            let mine: Vec<_> = roll.iter().filter(|r| r.hcode == h).collect();
            let (v, c, an, ah) = mine.iter().fold((0, 0, 0, 0), |a, r| {
                (
                    a.0 + r.visits,
                    a.1 + r.clean,
                    a.2 + r.authen_needed,
                    a.3 + r.authen_has,
                )
            });
            UnitRow {
                cells: months
                    .iter()
                    .map(|m| match mine.iter().find(|r| r.month == *m) {
                        Some(r) => (
                            pct(r.clean, r.visits),
                            pct(r.authen_has, r.authen_needed),
                            width(r.clean, r.visits),
                            width(r.authen_has, r.authen_needed),
                        ),
                        None => ("–".into(), "–".into(), 0, 0),
                    })
                    .collect(),
                clean: pct(c, v),
                authen: pct(ah, an),
                clean_w: width(c, v),
                authen_w: width(ah, an),
                hcode: h,
                name,
            }
        })
        .collect();
    let below = units
        .iter()
        .filter(|u| u.clean_w < 100 || u.authen_w < 100)
        .cloned()
        .collect();
    let now = current_fy();
    render(&ProvincePage {
        l: Layout::new(t, Some(&me), t.s("au_province"), "claims"),
        fy: fy_n,
        years: (now - 3..=now).rev().map(|y| (y, fy_label(t, y))).collect(),
        months: months.iter().map(|m| month_label(t, *m)).collect(),
        units,
        below,
    })
}
