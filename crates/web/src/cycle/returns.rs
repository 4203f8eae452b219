//! REP and Statement uploads, the result of an import, and the lines of each return.

use super::*;
use crate::auth::Params;
use raidai_domain::ids::Hcode;

struct ReturnView {
    href: String,
    no: i64,
    kind: String,
    file: String,
    detail: String,
    lines: String,
    matched: String,
    unmatched: String,
    unmatched_n: i64,
    rejects: String,
    amount: String,
    settled: String,
    at: String,
}

fn return_view(t: T, r: &raidai_store::claims::ReturnRecord) -> ReturnView {
    ReturnView {
        href: format!("/units/{}/claims/returns/{}", r.hcode, r.no),
        no: r.no,
        kind: r.kind.to_uppercase(),
        file: r.file_name.clone(),
        detail: r.detail.clone(),
        lines: format_int_thai(r.lines),
        matched: format_int_thai(r.matched),
        unmatched: format_int_thai(r.unmatched),
        unmatched_n: r.unmatched,
        rejects: format_int_thai(r.rejects),
        amount: money(r.amount),
        settled: money(r.settled),
        at: format!("{} {}", crate::view::datetime(t, r.at), r.username),
    }
}

/// What an import just did: the return, (label, figure) lines, and line rejects
/// (sheet, row, field, value, message).
type ImportResult = (ReturnView, Vec<(String, String)>, Vec<[String; 5]>);

/// One uploaded file's outcome: its name, and what it did or why it was refused.
struct FileResult {
    file: String,
    error: String,
    result: Option<ImportResult>,
}

#[derive(Template)]
#[template(path = "cycle/returns.html")]
struct ReturnsPage {
    l: Layout,
    hcode: String,
    unit_name: String,
    list: Vec<ReturnView>,
    may_act: bool,
    error: String,
    /// The files just uploaded, in the order they were imported.
    results: Vec<FileResult>,
}

async fn returns_page(
    st: &AppState,
    t: T,
    me: &Actor,
    unit_code: Hcode,
    error: String,
    results: Vec<FileResult>,
) -> Result<Response, AppError> {
    let hcode = unit_code.as_str();
    let unit = st.store.get_unit(me, unit_code).await?;
    let list = st.store.list_returns(me, unit_code).await?;
    render(&ReturnsPage {
        l: Layout::new(t, Some(me), t.s("cy_returns"), "claims"),
        list: list.iter().map(|r| return_view(t, r)).collect(),
        may_act: me.may_import(hcode),
        error,
        results,
        hcode: unit.hcode,
        unit_name: unit.name_th,
    })
}

pub async fn returns(
    Ctx { st, t, me }: Ctx,
    Params(hcode): Params<Hcode>,
) -> Result<Response, AppError> {
    returns_page(&st, t, &me, hcode, String::new(), Vec::new()).await
}

pub async fn return_upload(
    Ctx { st, t, me }: Ctx,
    Params(hcode): Params<Hcode>,
    req: Request,
) -> Result<Response, AppError> {
    require_unit(&st, &me, hcode, me.may_import(hcode.as_str())).await?;
    let mut mp = crate::upload::open_multipart(&st, req).await?;
    // Several files at once (a month of REPs and statements): imported in one pipeline,
    // each file in its own transaction.
    let mut files = Vec::new();
    while let Some(f) = mp
        .next_field()
        .await
        .map_err(crate::upload::upload_failed)?
    {
        if f.name() == Some("file") {
            let name = f.file_name().unwrap_or_default().to_string();
            let bytes = f.bytes().await.map_err(crate::upload::upload_failed)?;
            let base = name
                .rsplit(['/', '\\'])
                .next()
                .unwrap_or_default()
                .to_string();
            if !bytes.is_empty() && !base.is_empty() {
                files.push((base, bytes.to_vec()));
            }
        }
    }
    if files.is_empty() {
        let msg = t.pick("กรุณาเลือกไฟล์", "Choose a file").into();
        return returns_page(&st, t, &me, hcode, msg, Vec::new()).await;
    }
    let today = raidai_claims::audit::today_ymd();
    let outcomes = match cycle::import_returns(&st.store, &me, hcode, files, today).await {
        Ok(o) => o,
        Err(CycleError::Claims(raidai_claims::ClaimsError::Store(s))) => return Err(s.into()),
        Err(e) => return Err(AppError::unexpected(e)),
    };
    let mut results = Vec::with_capacity(outcomes.len());
    for (file, res) in outcomes {
        let (error, result) = match res {
            Ok(out) => (String::new(), Some(import_result(t, &out))),
            Err(e) => (refusal(t, hcode, &file, e)?, None),
        };
        results.push(FileResult {
            file,
            error,
            result,
        });
    }
    returns_page(&st, t, &me, hcode, String::new(), results).await
}

/// The summary of a file just imported.
fn import_result(t: T, out: &cycle::ReturnOutcome) -> ImportResult {
    let mut summary = Vec::new();
    if out.record.kind == "rep" {
        summary.push((
            t.s("cy_accepted").to_string(),
            format_int_thai(out.accepted),
        ));
        summary.push((
            t.s("cy_corrective").to_string(),
            format_int_thai(out.corrective),
        ));
        summary.push((t.s("cy_deny").to_string(), format_int_thai(out.denied)));
    } else {
        summary.push((
            t.s("cy_amount_diff").to_string(),
            format_int_thai(out.amount_diff),
        ));
        summary.push((
            t.s("cy_missing_rep").to_string(),
            format_int_thai(out.missing_rep),
        ));
        summary.push((t.s("cy_settled").to_string(), money(out.record.settled)));
    }
    let rejects = out
        .rejects
        .iter()
        .map(|r| {
            [
                r.sheet.clone(),
                r.row.to_string(),
                r.field.clone(),
                r.value.clone(),
                t.pick(&r.message_th, &r.message).to_string(),
            ]
        })
        .collect();
    (return_view(t, &out.record), summary, rejects)
}

/// Why a file was refused, in the user's language; a store failure that is not the file's
/// fault is the server's error.
fn refusal(t: T, unit_code: Hcode, file: &str, e: CycleError) -> Result<String, AppError> {
    let hcode = unit_code.as_str();
    Ok(match e {
        CycleError::Claims(raidai_claims::ClaimsError::Store(
            raidai_store::StoreError::Invalid(errs),
        )) => errs
            .iter()
            .map(|e| t.pick(&e.message_th, &e.message_en).to_string())
            .collect::<Vec<_>>()
            .join(" "),
        CycleError::Claims(raidai_claims::ClaimsError::Store(s)) => return Err(s.into()),
        e => {
            tracing::info!(hcode = %hcode, file = %file, error = %e, "return refused");
            if t.is_en() {
                e.to_string()
            } else {
                e.message_th().unwrap_or_else(|| e.to_string())
            }
        }
    })
}

#[derive(Template)]
#[template(path = "cycle/return.html")]
struct ReturnPage {
    l: Layout,
    hcode: String,
    unit_name: String,
    r: ReturnView,
    /// (row, visit href, visit key, match, tran_id, rep no, outcome, codes, claimed, amount)
    lines: Vec<[String; 10]>,
    more: bool,
    /// (sheet, row, field, value, reason) of the lines the reader could not use
    rejects: Vec<[String; 5]>,
    rejects_csv: String,
    rejects_xlsx: String,
}

pub async fn return_page(
    Ctx { st, t, me }: Ctx,
    Params((hcode, no)): Params<(Hcode, i64)>,
) -> Result<Response, AppError> {
    let unit = st.store.get_unit(&me, hcode).await?;
    let limit = 1000;
    let (rec, lines) = st.store.get_return(&me, hcode, no, limit + 1).await?;
    // The page shows the first thousand; the CSV/XLSX downloads carry them all.
    let rejects = st
        .store
        .first_rejects(&me, hcode, &rec.import_id, limit)
        .await?;
    render(&ReturnPage {
        l: Layout::new(
            t,
            Some(&me),
            format!("{} {}", rec.kind.to_uppercase(), rec.file_name),
            "claims",
        ),
        more: lines.len() as i64 > limit,
        rejects: rejects
            .iter()
            .map(|j| {
                [
                    j.file.clone(),
                    j.line.to_string(),
                    j.field.clone(),
                    j.value.clone(),
                    t.pick(&j.reason_th, &j.reason_en).to_string(),
                ]
            })
            .collect(),
        rejects_csv: format!(
            "/units/{hcode}/claims/imports/{}/rejects.csv",
            rec.import_id
        ),
        rejects_xlsx: format!(
            "/units/{hcode}/claims/imports/{}/rejects.xlsx",
            rec.import_id
        ),
        lines: lines
            .iter()
            .take(limit as usize)
            .map(|l| {
                [
                    l.row_no.to_string(),
                    if l.vkey.is_empty() {
                        String::new()
                    } else {
                        format!("/units/{hcode}/visits/{}", enc(&l.vkey))
                    },
                    if l.an.is_empty() {
                        format!("HN {} · {}", l.hn, l.seq_no)
                    } else {
                        format!("AN {}", l.an)
                    },
                    match_label(t, &l.match_note),
                    l.tran_id.clone(),
                    l.rep_no.clone(),
                    status_label(t, &l.outcome),
                    l.error_codes.clone(),
                    money(l.claimed),
                    money(l.amount),
                ]
            })
            .collect(),
        r: return_view(t, &rec),
        hcode: unit.hcode,
        unit_name: unit.name_th,
    })
}

pub async fn returns_json(
    State(st): State<AppState>,
    Me(me): Me,
    Params(hcode): Params<Hcode>,
) -> Result<Response, AppError> {
    match st.store.list_returns(&me, hcode).await {
        Ok(list) => Ok(axum::Json(serde_json::json!({ "returns": list })).into_response()),
        Err(e) => Ok(AppError::from(e).into_json()),
    }
}
