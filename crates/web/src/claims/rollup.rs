//! The province roll-up per unit, district and fund, with its XLSX.

use super::*;

#[derive(Debug, Default, Deserialize)]
pub struct RollupFilter {
    #[serde(default)]
    fy: String,
}

pub(crate) struct RollupTable {
    title: String,
    /// (label, link, per-fund amounts, total)
    rows: Vec<(String, String, Vec<String>, String)>,
    totals: Vec<String>,
    total: String,
}

#[derive(Template)]
#[template(path = "claims/rollup.html")]
pub(crate) struct RollupPage {
    l: Layout,
    fy: String,
    years: Vec<(String, String)>,
    funds: Vec<String>,
    tables: Vec<RollupTable>,
    xlsx: String,
}

/// One pivoted line: label, link, amount per fund, total.
pub(crate) type PivotLine = (String, String, Vec<i64>, i64);
/// Pivoted lines, totals per fund, grand total.
pub(crate) type Pivot = (Vec<PivotLine>, Vec<i64>, i64);
/// How a roll-up row is keyed: (sort key, label, link).
pub(crate) type RollupKey = Box<dyn Fn(&RollupRow) -> (String, String, String)>;

/// Pivots roll-up rows: one line per key, one column per fund, with totals.
pub(crate) fn pivot(
    rows: &[RollupRow],
    funds: &[String],
    key: impl Fn(&RollupRow) -> (String, String, String),
) -> Pivot {
    let mut m: BTreeMap<String, (String, String, Vec<i64>)> = BTreeMap::new();
    let mut totals = vec![0; funds.len()];
    for r in rows {
        let (sort, label, link) = key(r);
        let e = m
            .entry(sort)
            .or_insert_with(|| (label, link, vec![0; funds.len()]));
        if let Some(i) = funds.iter().position(|f| *f == r.fund) {
            e.2[i] += r.amount;
            totals[i] += r.amount;
        }
    }
    let total = totals.iter().sum();
    (
        m.into_values()
            .map(|(l, h, v)| {
                let s = v.iter().sum();
                (l, h, v, s)
            })
            .collect(),
        totals,
        total,
    )
}

pub(crate) async fn rollup_data(
    st: &AppState,
    me: &Actor,
    f: &RollupFilter,
) -> Result<
    (
        Option<i64>,
        Vec<i64>,
        std::sync::Arc<Vec<RollupRow>>,
        Vec<String>,
    ),
    AppError,
> {
    let years = st
        .reads
        .get(&st.store, format!("years:{}", scope_key(me)), || async {
            Ok(st.store.claims_years(me).await?)
        })
        .await?
        .as_ref()
        .clone();
    let fy = if f.fy == "all" {
        None
    } else {
        f.fy.parse::<i64>().ok().or(years.first().copied())
    };
    let rows = st
        .reads
        .get(
            &st.store,
            format!("rollup:{fy:?}:{}", scope_key(me)),
            || async { Ok(st.store.claims_rollup(me, fy).await?) },
        )
        .await?;
    let mut funds: Vec<String> = rows.iter().map(|r| r.fund.clone()).collect();
    funds.sort_by_key(|c| Fund::parse(c).map(|f| f as usize).unwrap_or(usize::MAX));
    funds.dedup();
    Ok((fy, years, rows, funds))
}

pub(crate) fn rollup_tables(t: T, rows: &[RollupRow], funds: &[String]) -> Vec<RollupTable> {
    let fmt = |(r, totals, total): Pivot, title: &str| RollupTable {
        title: title.to_string(),
        rows: r
            .into_iter()
            .map(|(l, h, v, s)| (l, h, v.into_iter().map(money).collect(), money(s)))
            .collect(),
        totals: totals.into_iter().map(money).collect(),
        total: money(total),
    };
    vec![
        fmt(
            pivot(rows, funds, |r| {
                (
                    format!("{}{}", r.district_code, r.hcode),
                    format!("{} {}", r.hcode, r.unit_name),
                    format!("/units/{}/receivables?fy={}", r.hcode, r.fy),
                )
            }),
            t.s("cl_by_unit"),
        ),
        fmt(
            pivot(rows, funds, |r| {
                (
                    r.district_code.clone(),
                    format!("{} {}", r.district_code, r.district_name),
                    format!("/districts/{}", r.district_code),
                )
            }),
            t.s("cl_by_district"),
        ),
        fmt(
            pivot(rows, funds, |r| {
                (r.fy.to_string(), fy_label(t, r.fy), String::new())
            }),
            t.s("cl_fy"),
        ),
    ]
}

pub async fn rollup(
    Ctx { st, t, me }: Ctx,
    Query(f): Query<RollupFilter>,
) -> Result<Response, AppError> {
    let (fy, years, rows, funds) = rollup_data(&st, &me, &f).await?;
    let mut year_opts: Vec<(String, String)> = years
        .iter()
        .map(|y| (y.to_string(), fy_label(t, *y)))
        .collect();
    year_opts.push(("all".into(), t.s("cl_all_posted").into()));
    render(&RollupPage {
        l: Layout::new(t, Some(&me), t.s("cl_rollup"), "claims"),
        fy: fy.map(|y| y.to_string()).unwrap_or_else(|| "all".into()),
        years: year_opts,
        tables: rollup_tables(t, &rows, &funds),
        funds: funds.iter().map(|c| fund_name(t, c)).collect(),
        xlsx: format!(
            "/claims/rollup.xlsx?fy={}",
            fy.map(|y| y.to_string()).unwrap_or_else(|| "all".into())
        ),
    })
}

pub async fn rollup_xlsx(
    Ctx { st, t, me }: Ctx,
    Query(f): Query<RollupFilter>,
) -> Result<Response, AppError> {
    let (fy, _, rows, funds) = rollup_data(&st, &me, &f).await?;
    let bytes = (|| -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        use rust_xlsxwriter::{Format, Workbook};
        let mut wb = Workbook::new();
        let bold = Format::new().set_bold();
        let num = Format::new().set_num_format("#,##0.00");
        let tables: [(&str, RollupKey); 3] = [
            (
                if t.is_en() {
                    "By unit"
                } else {
                    "หน่วยบริการ"
                },
                Box::new(|r: &RollupRow| {
                    (
                        format!("{}{}", r.district_code, r.hcode),
                        format!("{} {}", r.hcode, r.unit_name),
                        String::new(),
                    )
                }),
            ),
            (
                if t.is_en() {
                    "By district"
                } else {
                    "อำเภอ"
                },
                Box::new(|r: &RollupRow| {
                    (
                        r.district_code.clone(),
                        format!("{} {}", r.district_code, r.district_name),
                        String::new(),
                    )
                }),
            ),
            (
                if t.is_en() {
                    "By fiscal year"
                } else {
                    "ปีงบประมาณ"
                },
                Box::new(|r: &RollupRow| (r.fy.to_string(), r.fy.to_string(), String::new())),
            ),
        ];
        for (name, key) in tables.iter() {
            let ws = wb.add_worksheet();
            ws.set_name(*name)?;
            ws.write_string_with_format(0, 0, *name, &bold)?;
            for (c, code) in funds.iter().enumerate() {
                ws.write_string_with_format(0, c as u16 + 1, fund_name(t, code), &bold)?;
            }
            ws.write_string_with_format(0, funds.len() as u16 + 1, t.s("cl_sum"), &bold)?;
            let (lines, totals, total) = pivot(&rows, &funds, key);
            for (i, (label, _, v, s)) in lines.iter().enumerate() {
                let row = i as u32 + 1;
                ws.write_string(row, 0, label)?;
                for (c, x) in v.iter().enumerate() {
                    ws.write_number_with_format(row, c as u16 + 1, *x as f64 / 100.0, &num)?;
                }
                ws.write_number_with_format(row, v.len() as u16 + 1, *s as f64 / 100.0, &num)?;
            }
            let row = lines.len() as u32 + 1;
            ws.write_string_with_format(row, 0, t.s("cl_sum"), &bold)?;
            for (c, x) in totals.iter().enumerate() {
                ws.write_number_with_format(row, c as u16 + 1, *x as f64 / 100.0, &num)?;
            }
            ws.write_number_with_format(row, totals.len() as u16 + 1, total as f64 / 100.0, &num)?;
            ws.set_column_width(0, 40)?;
        }
        wb.save_to_buffer()
    })()
    .map_err(|e| AppError::unexpected_in("xlsx", e))?;
    let name = format!(
        "claims-rollup-{}.xlsx",
        fy.map(|y| y.to_string()).unwrap_or_else(|| "all".into())
    );
    Ok(download(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &name,
        bytes,
    ))
}

/// For errors that should read as the store's.
impl From<raidai_claims::ClaimsError> for AppError {
    fn from(e: raidai_claims::ClaimsError) -> Self {
        match e {
            raidai_claims::ClaimsError::Store(s) => s.into(),
            other => AppError::unexpected(other),
        }
    }
}
