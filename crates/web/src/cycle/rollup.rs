//! The province roll-up per unit, fund and fiscal year (page, XLSX, JSON).

use super::*;
use crate::read_cache::scope_key;

#[derive(Debug, Default, Deserialize)]
pub struct RollupQuery {
    #[serde(default)]
    fy: String,
}

#[derive(Template)]
#[template(path = "cycle/rollup.html")]
struct RollupPage {
    l: Layout,
    fy: i64,
    years: Vec<(i64, String)>,
    /// (unit href, unit, fund, receivable, claimed, accepted, C, denied, received, written down, outstanding, late)
    rows: Vec<[String; 12]>,
    totals: [String; 8],
    xlsx: String,
}

fn rollup_fy(q: &RollupQuery) -> i64 {
    q.fy.parse().unwrap_or_else(|_| current_fy())
}

/// A row's eight amounts, in the order of the page's and the workbook's columns.
fn amounts(r: &raidai_store::claims::CycleRollupRow) -> [i64; 8] {
    [
        r.receivable,
        r.claimed,
        r.accepted,
        r.corrective,
        r.denied,
        r.received,
        r.written_down,
        r.outstanding,
    ]
}

pub async fn rollup(
    Ctx { st, t, me }: Ctx,
    Query(q): Query<RollupQuery>,
) -> Result<Response, AppError> {
    let years = st
        .reads
        .get(&st.store, format!("years:{}", scope_key(&me)), || async {
            Ok(st.store.claims_years(&me).await?)
        })
        .await?;
    // The latest year with visits when none is asked for (early in a year, the last one).
    let fy = q.fy.parse().unwrap_or_else(|_| {
        let now = current_fy();
        if years.contains(&now) {
            now
        } else {
            years.iter().copied().max().unwrap_or(now)
        }
    });
    let rows = st
        .reads
        .get(
            &st.store,
            format!("cycle:{fy}:{}", scope_key(&me)),
            || async { Ok(st.store.cycle_rollup(&me, Some(fy)).await?) },
        )
        .await?;
    let mut tot = [0i64; 8];
    for r in rows.iter() {
        for (i, v) in amounts(r).iter().enumerate() {
            tot[i] += v;
        }
    }
    render(&RollupPage {
        l: Layout::new(t, Some(&me), t.s("cy_rollup"), "claims"),
        years: years.iter().map(|y| (*y, fy_label(t, *y))).collect(),
        rows: rows
            .iter()
            .map(|r| {
                [
                    format!("/units/{}/claims/aging", r.hcode),
                    format!("{} {}", r.hcode, r.unit_name),
                    fund_name(t, &r.fund),
                    money(r.receivable),
                    money(r.claimed),
                    money(r.accepted),
                    money(r.corrective),
                    money(r.denied),
                    money(r.received),
                    money(r.written_down),
                    money(r.outstanding),
                    format_int_thai(r.late),
                ]
            })
            .collect(),
        totals: tot.map(money),
        xlsx: format!("/claims/cycle.xlsx?fy={fy}"),
        fy,
    })
}

pub async fn rollup_json(
    State(st): State<AppState>,
    Me(me): Me,
    Query(q): Query<RollupQuery>,
) -> Result<Response, AppError> {
    let fy = q.fy.parse().ok();
    match st.store.cycle_rollup(&me, fy).await {
        Ok(rows) => Ok(axum::Json(serde_json::json!({ "rows": rows })).into_response()),
        Err(e) => Ok(AppError::from(e).into_json()),
    }
}

pub async fn rollup_xlsx(
    Ctx { st, t, me }: Ctx,
    Query(q): Query<RollupQuery>,
) -> Result<Response, AppError> {
    let fy = rollup_fy(&q);
    let rows = st.store.cycle_rollup(&me, Some(fy)).await?;
    let bytes = (|| -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        use rust_xlsxwriter::{Format, Workbook};
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        let bold = Format::new().set_bold();
        let money_fmt = Format::new().set_num_format("#,##0.00");
        let heads = [
            t.s("au_unit"),
            "",
            t.s("cl_fund"),
            "FY",
            t.s("cy_receivable"),
            t.s("cy_claimed"),
            t.s("cy_accepted"),
            t.s("cy_corrective"),
            t.s("cy_deny"),
            t.s("cy_received"),
            t.s("cy_written_down"),
            t.s("cy_outstanding"),
            t.s("cy_late"),
        ];
        for (c, h) in heads.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold)?;
        }
        for (i, r) in rows.iter().enumerate() {
            let row = i as u32 + 1;
            ws.write_string(row, 0, &r.hcode)?;
            ws.write_string(row, 1, &r.unit_name)?;
            ws.write_string(row, 2, &r.fund)?;
            ws.write_number(row, 3, r.fy as f64)?;
            for (j, v) in amounts(r).iter().enumerate() {
                ws.write_number_with_format(row, 4 + j as u16, *v as f64 / 100.0, &money_fmt)?;
            }
            ws.write_number(row, 12, r.late as f64)?;
        }
        wb.save_to_buffer()
    })()
    .map_err(|e| AppError::unexpected_in("xlsx", e))?;
    Ok(download(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("claims-cycle-{fy}.xlsx"),
        bytes,
    ))
}
