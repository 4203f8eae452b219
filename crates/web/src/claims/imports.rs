//! The import history, an import's files and rejects (CSV, XLSX), visits waiting for a mapping.

use super::*;
use crate::auth::Params;
use raidai_domain::ids::Hcode;

pub(crate) struct ImportView {
    id: String,
    when: String,
    who: String,
    source: String,
    files: usize,
    read: String,
    inserted: String,
    updated: String,
    unchanged: String,
    rejected: String,
    rejects: String,
    unposted: String,
    posted: String,
    /// Earlier postings reversed (corrected visits) and the net change of the receivables.
    reversed: String,
    net: String,
    ok: bool,
    repost: bool,
    /// (label, amount) of the reconciliation: CHT total and where it went; `recon_ok` when
    /// the parts add up to the total.
    recon: Vec<(&'static str, String)>,
    recon_total: String,
    recon_ok: bool,
}

pub(crate) fn import_view(t: T, r: &ImportRecord) -> ImportView {
    ImportView {
        id: r.id.clone(),
        when: datetime(t, r.at),
        who: r.username.clone(),
        source: r.source_name.clone(),
        files: r.files.len(),
        read: format_int_thai(r.totals.visits_read + r.totals.admissions_read),
        inserted: format_int_thai(r.counts.inserted),
        updated: format_int_thai(r.counts.updated),
        unchanged: format_int_thai(r.counts.unchanged),
        rejected: format_int_thai(r.totals.rejected_encounters),
        rejects: format_int_thai(r.totals.rejects),
        unposted: format_int_thai(r.counts.unposted),
        posted: money(r.counts.posted_amount),
        reversed: money(r.counts.reversed_amount),
        net: {
            let n = r.counts.posted_amount - r.counts.reversed_amount;
            format!("{}{}", if n > 0 { "+" } else { "" }, money(n))
        },
        ok: r.status == "imported",
        repost: r.kind == "repost",
        recon: {
            let c = &r.recon;
            let mut v = vec![
                (t.s("cl_rc_fund"), money(c.fund_posted)),
                (t.s("cl_rc_patient"), money(c.patient_posted)),
                (t.s("cl_rc_paid"), money(c.paid)),
                (t.s("cl_rc_unposted"), money(c.unposted)),
                (t.s("cl_rc_in_hospital"), money(c.in_hospital)),
            ];
            if c.overpaid != 0 {
                v.push((t.s("cl_rc_overpaid"), money(-c.overpaid)));
            }
            v
        },
        recon_total: money(r.recon.cht_total),
        recon_ok: r.recon.parts() == r.recon.cht_total,
    }
}

#[derive(Template)]
#[template(path = "claims/imports.html")]
pub(crate) struct ImportsPage {
    l: Layout,
    hcode: String,
    unit_name: String,
    can_import: bool,
    error: String,
    rows: Vec<ImportView>,
    jobs: Vec<crate::import_jobs::JobView>,
    /// The upload limit, in bytes and as shown.
    max_bytes: u64,
    max_mb: String,
}

pub(crate) struct CoverageView {
    fy: String,
    fund: String,
    setting: String,
    place: String,
    case: String,
    visits: String,
    amount: String,
    line_now: String,
    missing: bool,
}

#[derive(Template)]
#[template(path = "claims/unposted.html")]
pub(crate) struct UnpostedPage {
    l: Layout,
    hcode: String,
    unit_name: String,
    rows: Vec<CoverageView>,
    total: String,
    /// Some group waits only for the re-post (the map has a line now).
    waiting: bool,
    may_repost: bool,
    in_hospital_n: String,
    in_hospital_amount: String,
    has_in_hospital: bool,
    refused_n: String,
    refused_amount: String,
    has_refused: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct UnpostedQuery {
    #[serde(default)]
    repost: String,
}

/// The map coverage worklist of a unit: unposted visits by posting-map key, with amounts.
pub async fn unposted_page(
    Ctx { st, t, me }: Ctx,
    Params(hcode): Params<Hcode>,
    Query(q): Query<UnpostedQuery>,
) -> Result<Response, AppError> {
    let unit = st.store.get_unit(&me, hcode).await?;
    let rows = raidai_claims::coverage(&st.store, &me, hcode).await?;
    // A right no table knows has no fund to owe it: its rows show what is owed.
    let shown = |g: &raidai_store::claims::UnpostedGroup| {
        if g.fund.is_empty() {
            g.fund_amount + g.patient_amount
        } else {
            g.fund_amount
        }
    };
    let total: i64 = rows.iter().map(|r| shown(&r.group)).sum();
    let groups = st.store.unposted_groups(&me, hcode).await?;
    let of_reason = |reason: &str| -> (i64, i64) {
        groups
            .iter()
            .filter(|g| g.reason == reason)
            .fold((0, 0), |(n, a), g| {
                (n + g.visits, a + g.fund_amount + g.patient_amount)
            })
    };
    let (in_hospital_n, in_hospital_amount) = of_reason(IN_HOSPITAL);
    let (refused_n, refused_amount) = of_reason(REFUSED_LINE);
    let flash = if q.repost == "none" {
        t.s("pe_repost_none")
    } else {
        ""
    };
    render(&UnpostedPage {
        l: Layout::new(t, Some(&me), t.s("cl_coverage"), "claims").with_flash(flash),
        waiting: rows.iter().any(|r| r.receivable_now.is_some()),
        may_repost: me.may_import(hcode.as_str()),
        has_in_hospital: in_hospital_n > 0,
        in_hospital_n: format_int_thai(in_hospital_n),
        in_hospital_amount: money(in_hospital_amount),
        has_refused: refused_n > 0,
        refused_n: format_int_thai(refused_n),
        refused_amount: money(refused_amount),
        hcode: unit.hcode,
        unit_name: unit.name_th,
        total: money(total),
        rows: rows
            .iter()
            .map(|r| CoverageView {
                fy: r.group.fy.to_string(),
                fund: fund_name(t, &r.group.fund),
                setting: r.group.setting.clone(),
                place: r.group.place.clone(),
                case: r.group.case.clone(),
                visits: format_int_thai(r.group.visits),
                amount: money(shown(&r.group)),
                // For an unknown right the fix is the right, not the map.
                line_now: r.receivable_now.clone().unwrap_or_else(|| {
                    let key = if r.group.fund.is_empty() {
                        "cl_fix_right"
                    } else {
                        "cl_no_line"
                    };
                    t.s(key).to_string()
                }),
                missing: r.receivable_now.is_none(),
            })
            .collect(),
    })
}

/// API twin of the coverage worklist.
pub async fn unposted_json(
    State(st): State<AppState>,
    Me(me): Me,
    Params(hcode): Params<Hcode>,
) -> Result<Response, AppError> {
    match raidai_claims::coverage(&st.store, &me, hcode).await {
        Ok(rows) => Ok(axum::Json(rows).into_response()),
        Err(e) => Ok(AppError::from(e).into_json()),
    }
}

pub async fn imports_page(
    Ctx { st, t, me }: Ctx,
    Params(hcode): Params<Hcode>,
) -> Result<Response, AppError> {
    let unit = st.store.get_unit(&me, hcode).await?;
    let rows = st.store.list_imports(&me, hcode, 100).await?;
    let jobs = st.store.list_open_import_jobs(&me, hcode, 20).await?;
    render(&ImportsPage {
        l: Layout::new(t, Some(&me), t.s("cl_imports"), "claims"),
        can_import: me.may_import(hcode.as_str()),
        hcode: unit.hcode,
        unit_name: unit.name_th,
        error: String::new(),
        rows: rows.iter().map(|r| import_view(t, r)).collect(),
        jobs: jobs
            .into_iter()
            .map(|j| crate::import_jobs::job_view(t, &st.uploads.with_live(j)))
            .collect(),
        max_bytes: st.uploads.max_bytes,
        max_mb: crate::import_jobs::size_mb(st.uploads.max_bytes),
    })
}

pub(crate) struct FileView {
    name: String,
    kind: String,
    bytes: String,
    records: String,
    encoding: String,
    layout: String,
    sha256: String,
}

pub(crate) struct RejectView {
    file: String,
    line: i64,
    field: String,
    value: String,
    code: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "claims/import.html")]
pub(crate) struct ImportDetailPage {
    l: Layout,
    hcode: String,
    unit_name: String,
    imp: ImportView,
    files: Vec<FileView>,
    rejects: Vec<RejectView>,
    more_rejects: String,
}

pub async fn import_detail(
    Ctx { st, t, me }: Ctx,
    Params((hcode, import_id)): Params<(Hcode, String)>,
) -> Result<Response, AppError> {
    let rec = st.store.get_import(&me, hcode, &import_id).await?;
    let shown = 500;
    let rejects = st
        .store
        .first_rejects(&me, hcode, &import_id, shown as i64)
        .await?;
    let all_rejects = rec.totals.rejects.max(rejects.len() as i64);
    render(&ImportDetailPage {
        l: Layout::new(t, Some(&me), t.s("cl_import"), "claims"),
        hcode: rec.hcode.clone(),
        unit_name: rec.unit_name.clone(),
        imp: import_view(t, &rec),
        files: rec
            .files
            .iter()
            .map(|f| FileView {
                name: f.name.clone(),
                kind: f.kind.clone(),
                bytes: format_int_thai(f.bytes as i64),
                records: format_int_thai(f.records as i64),
                encoding: f.encoding.clone(),
                layout: f.layout.clone(),
                sha256: f.sha256.clone(),
            })
            .collect(),
        more_rejects: if all_rejects > shown as i64 {
            format_int_thai(all_rejects - shown as i64)
        } else {
            String::new()
        },
        rejects: rejects
            .iter()
            .take(shown)
            .map(|r| RejectView {
                file: r.file.clone(),
                line: r.line,
                field: r.field.clone(),
                value: r.value.clone(),
                code: r.code.clone(),
                reason: t.pick(&r.reason_th, &r.reason_en).to_string(),
            })
            .collect(),
    })
}

pub(crate) fn download(content_type: &str, name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

pub async fn rejects_csv(
    State(st): State<AppState>,
    Me(me): Me,
    Params((hcode, import_id)): Params<(Hcode, String)>,
) -> Result<Response, AppError> {
    let rows = st.store.list_rejects(&me, hcode, &import_id).await?;
    // UTF-8 with BOM so Excel shows Thai correctly.
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let err = |e: csv::Error| AppError::unexpected_in("csv", e);
    w.write_record(RejectRow::HEADER).map_err(err)?;
    for r in &rows {
        w.write_record(r.fields().iter().map(|c| csv_cell_bytes(c.as_bytes())))
            .map_err(err)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| AppError::unexpected_in("csv", e.into_error()))?;
    Ok(download(
        "text/csv; charset=utf-8",
        &format!("rejects-{hcode}-{import_id}.csv"),
        bytes,
    ))
}

pub async fn rejects_xlsx(
    State(st): State<AppState>,
    Me(me): Me,
    Params((hcode, import_id)): Params<(Hcode, String)>,
) -> Result<Response, AppError> {
    let rows = st.store.list_rejects(&me, hcode, &import_id).await?;
    let bytes = (|| -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        use rust_xlsxwriter::{Format, Workbook};
        let mut wb = Workbook::new();
        let bold = Format::new().set_bold();
        let ws = wb.add_worksheet();
        ws.set_name("rejects")?;
        for (c, h) in RejectRow::HEADER.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold)?;
        }
        for (i, r) in rows.iter().enumerate() {
            let row = i as u32 + 1;
            for (c, v) in r.fields().iter().enumerate() {
                if c == 1 {
                    ws.write_number(row, 1, r.line as f64)?;
                } else {
                    ws.write_string(row, c as u16, v)?;
                }
            }
        }
        ws.set_column_width(5, 40)?;
        ws.set_column_width(6, 40)?;
        wb.save_to_buffer()
    })()
    .map_err(|e| AppError::unexpected_in("xlsx", e))?;
    Ok(download(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("rejects-{hcode}-{import_id}.xlsx"),
        bytes,
    ))
}
