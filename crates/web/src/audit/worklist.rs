//! A unit's Data Audit worklist: page, JSON (pages of 200), XLSX export, re-audit, acceptances.

use super::*;
use crate::auth::Params;
use raidai_domain::ids::Hcode;

pub async fn worklist(
    Ctx { st, t, me }: Ctx,
    Params(hcode): Params<Hcode>,
    Query(f): Query<WorklistFilter>,
) -> Result<Response, AppError> {
    let unit = st.store.get_unit(&me, hcode).await?;
    let cat = catalogue_for(&st, &me, hcode).await?;
    let per_page = 100;
    let q = query_of(hcode, &f, per_page);
    let list = st.store.list_findings(&me, &q).await?;
    let (items, totals) = (list.items, list.totals);
    let counts = st.store.rule_counts(&me, Some(hcode.as_str())).await?;
    let fy = FiscalYear::new(current_fy() as u16);
    let (from, to) = (ymd(fy.prev().start()), ymd(fy.end()));
    let roll = st
        .store
        .audit_rollup(&me, Some(hcode.as_str()), from, to)
        .await?;
    let authen = st.store.authen_coverage(&me, hcode, from, to).await?;
    let mut by_right: BTreeMap<(String, String), (i64, i64)> = BTreeMap::new();
    for a in &authen {
        let e = by_right
            .entry((a.inscl.clone(), a.subtype.clone()))
            .or_default();
        e.0 += a.visits;
        e.1 += a.with_code;
    }
    let base = format!("/units/{hcode}/audit?{}", filter_qs(&f));
    let page = f.page.max(0);
    let flash = if f.done == "run" {
        t.s("au_ran").to_string()
    } else {
        crate::authen_page::expiry_notice(&st, t, &me, hcode).await
    };
    render(&WorklistPage {
        l: Layout::new(t, Some(&me), t.s("au_title"), "claims").with_flash(flash),
        rules: counts
            .iter()
            .map(|c| {
                let (text, _, _) = rule_text(t, &cat, &c.rule);
                let sev = cat.severity(&c.rule).code();
                (
                    c.rule.clone(),
                    text,
                    severity_label(t, sev).to_string(),
                    sev == "block",
                    format_int_thai(c.visits - c.accepted),
                    money(c.amount),
                    format!("/units/{hcode}/audit?rule={}", enc(&c.rule)),
                )
            })
            .collect(),
        items: items.iter().map(|i| item_view(t, hcode, &cat, i)).collect(),
        count: format_int_thai(totals.visits),
        total: money(totals.amount),
        late_count: format_int_thai(totals.late_visits),
        late_total: money(totals.late_amount),
        late: totals.late_visits != 0,
        may_act: me.may_import(hcode.as_str()),
        prev: if page > 0 {
            format!("{base}&page={}", page - 1)
        } else {
            String::new()
        },
        next: if list.more {
            format!("{base}&page={}", page + 1)
        } else {
            String::new()
        },
        xlsx: format!("/units/{hcode}/audit.xlsx?{}", filter_qs(&f)),
        months: roll
            .iter()
            .filter(|r| r.hcode == hcode.as_str())
            .map(|r| {
                (
                    month_label(t, r.month),
                    format_int_thai(r.visits),
                    pct(r.clean, r.visits),
                    pct(r.authen_has, r.authen_needed),
                )
            })
            .collect(),
        authen: by_right
            .into_iter()
            .map(|((i, s), (n, has))| {
                (
                    i,
                    if s.is_empty() { "–".into() } else { s },
                    format_int_thai(n),
                    format_int_thai(has),
                    pct(has, n),
                )
            })
            .collect(),
        funds: ["UC", "OFC", "SSS", "LGO", "BKK", "STP", "PRB", "SELF"]
            .iter()
            .map(|c| (c.to_string(), fund_name(t, c)))
            .collect(),
        f,
        hcode: unit.hcode,
        unit_name: unit.name_th,
    })
}

pub(crate) fn month_label(t: T, month: i64) -> String {
    let d = chrono::NaiveDate::from_ymd_opt((month / 100) as i32, (month % 100) as u32, 1);
    match d.map(raidai_domain::calendar::FiscalPeriod::of) {
        Some(p) if t.is_en() => p.label_en(),
        Some(p) => p.label_th(),
        None => month.to_string(),
    }
}

/// API twin of the worklist (200 per page, `page` from 0; 1,000 took 80–105 ms at a hospital's
/// year on PostgreSQL).
pub async fn worklist_json(
    State(st): State<AppState>,
    Me(me): Me,
    Params(hcode): Params<Hcode>,
    Query(f): Query<WorklistFilter>,
) -> Result<Response, AppError> {
    let per_page = 200;
    let q = query_of(hcode, &f, per_page);
    match st.store.list_findings(&me, &q).await {
        Ok(page) => Ok(axum::Json(serde_json::json!({
            "per_page": per_page,
            "visits": page.totals.visits,
            "amount": page.totals.amount,
            "late_visits": page.totals.late_visits,
            "late_amount": page.totals.late_amount,
            "more": page.more,
            "findings": page.items,
        }))
        .into_response()),
        Err(e) => Ok(AppError::from(e).into_json()),
    }
}

pub async fn worklist_xlsx(
    Ctx { st, t, me }: Ctx,
    Params(hcode): Params<Hcode>,
    Query(f): Query<WorklistFilter>,
) -> Result<Response, AppError> {
    let cat = catalogue_for(&st, &me, hcode).await?;
    let q = query_of(hcode, &f, 100_000);
    let items = st.store.list_findings(&me, &q).await?.items;
    let bytes = (|| -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        use rust_xlsxwriter::{Format, Workbook};
        let mut wb = Workbook::new();
        let bold = Format::new().set_bold();
        let money_fmt = Format::new().set_num_format("#,##0.00");
        // Rows go to a temporary file as they are written: a unit's hundred thousand findings
        // took the server's memory from 150 to 480 MB when the sheet was kept whole.
        let ws = wb.add_worksheet_with_constant_memory()?;
        ws.set_name("findings")?;
        ws.set_column_width(9, 50)?;
        ws.set_column_width(10, 50)?;
        let header = [
            "HN",
            "SEQ",
            "AN",
            "date",
            "fund",
            "CID (masked)",
            "rule",
            "severity",
            "NHSO",
            "finding",
            "fix",
            "amount (baht)",
            "accepted",
        ];
        for (c, h) in header.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold)?;
        }
        for (i, it) in items.iter().enumerate() {
            let row = i as u32 + 1;
            let v = item_view(t, hcode, &cat, it);
            for (c, s) in [
                it.hn.as_str(),
                it.seq.as_str(),
                it.an.as_str(),
                v.date.as_str(),
                it.fund.as_str(),
                v.cid.as_str(),
                it.rule.as_str(),
                it.severity.as_str(),
                v.nhso.as_str(),
                v.rule_text.as_str(),
                v.fix.as_str(),
            ]
            .iter()
            .enumerate()
            {
                let cell = raidai_domain::text::csv_cell(s);
                ws.write_string(row, c as u16, cell.as_ref())?;
            }
            ws.write_number_with_format(row, 11, it.amount as f64 / 100.0, &money_fmt)?;
            ws.write_string(row, 12, raidai_domain::text::csv_cell(&v.accepted).as_ref())?;
        }
        wb.save_to_buffer()
    })()
    .map_err(|e| AppError::unexpected_in("xlsx", e))?;
    Ok(download(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("audit-{hcode}.xlsx"),
        bytes,
    ))
}

/// Re-evaluates the unit's findings now (its staff or an admin).
pub async fn run(
    State(st): State<AppState>,
    Me(me): Me,
    Params(hcode): Params<Hcode>,
) -> Result<Response, AppError> {
    require_unit(&st, &me, hcode, me.may_import(hcode.as_str())).await?;
    raidai_claims::audit_unit(&st.store, &me, hcode).await?;
    Ok(Redirect::to(&format!("/units/{hcode}/audit?done=run")).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct AcceptForm {
    #[serde(default)]
    vkey: String,
    #[serde(default)]
    rule: String,
    #[serde(default)]
    reason: String,
}

/// Accepts one finding with a reason; back to the visit.
pub async fn accept(
    State(st): State<AppState>,
    Me(me): Me,
    Params(hcode): Params<Hcode>,
    axum::Form(f): axum::Form<AcceptForm>,
) -> Result<Response, AppError> {
    st.store
        .accept_finding(&me, hcode, &f.vkey, &f.rule, &f.reason)
        .await?;
    Ok(Redirect::to(&format!("/units/{hcode}/visits/{}", enc(&f.vkey))).into_response())
}
