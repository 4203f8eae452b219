//! The C / Deny worklist with follow-up and write-off, and a visit's claim (page section, JSON).

use super::*;
use crate::auth::Params;
use raidai_domain::ids::Hcode;

#[derive(Debug, Default, Deserialize)]
pub struct WorkQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    work: String,
    #[serde(default)]
    fund: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    page: i64,
}

fn work_filter(q: &WorkQuery, limit: i64) -> WorkFilter {
    WorkFilter {
        status: q.status.clone(),
        work: q.work.clone(),
        fund: q.fund.clone(),
        code: q.code.trim().to_string(),
        limit,
        offset: q.page.max(0) * limit,
    }
}

#[derive(Template)]
#[template(path = "cycle/worklist.html")]
struct WorklistPage {
    l: Layout,
    hcode: String,
    unit_name: String,
    q: WorkQuery,
    rows: Vec<ClaimView>,
    count: String,
    may_act: bool,
    funds: Vec<(String, String)>,
    works: Vec<(String, String)>,
    prev: String,
    next: String,
}

pub async fn worklist(
    Ctx { st, t, me }: Ctx,
    Params(hcode): Params<Hcode>,
    Query(q): Query<WorkQuery>,
) -> Result<Response, AppError> {
    let unit = st.store.get_unit(&me, hcode).await?;
    let per = 100;
    let (rows, total) = st
        .store
        .claim_worklist(&me, hcode, &work_filter(&q, per))
        .await?;
    let codes = codes_for(&st, &me, hcode).await?;
    let windows = resend_windows(&st, &me, hcode).await?;
    let base = format!(
        "/units/{hcode}/claims/worklist?status={}&work={}&fund={}&code={}",
        enc(&q.status),
        enc(&q.work),
        enc(&q.fund),
        enc(&q.code)
    );
    let page = q.page.max(0);
    render(&WorklistPage {
        l: Layout::new(t, Some(&me), t.s("cy_worklist"), "claims"),
        rows: rows
            .iter()
            .map(|r| claim_view(t, hcode, &codes, &windows, r))
            .collect(),
        count: format_int_thai(total),
        may_act: me.may_import(hcode.as_str()),
        funds: FUNDS
            .iter()
            .map(|f| (f.to_string(), fund_name(t, f)))
            .collect(),
        works: cycle::WORK_STATES
            .iter()
            .map(|w| (w.to_string(), work_label(t, w)))
            .collect(),
        prev: if page > 0 {
            format!("{base}&page={}", page - 1)
        } else {
            String::new()
        },
        next: if (page + 1) * per < total {
            format!("{base}&page={}", page + 1)
        } else {
            String::new()
        },
        q,
        hcode: unit.hcode,
        unit_name: unit.name_th,
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct WorkForm {
    #[serde(default)]
    vkey: String,
    #[serde(default)]
    work: String,
    #[serde(default)]
    note: String,
}

pub async fn work_save(
    State(st): State<AppState>,
    Me(me): Me,
    Params(hcode): Params<Hcode>,
    axum::Form(f): axum::Form<WorkForm>,
) -> Result<Response, AppError> {
    // Tenancy and permission before the form is looked at.
    require_unit(&st, &me, hcode, me.may_import(hcode.as_str())).await?;
    cycle::set_work_on(
        &st.store,
        &me,
        hcode,
        &f.vkey,
        &f.work,
        &f.note,
        raidai_claims::audit::today_ymd(),
    )
    .await
    .map_err(cycle_error)?;
    Ok(Redirect::to(&format!("/units/{hcode}/claims/worklist")).into_response())
}

pub async fn worklist_json(
    State(st): State<AppState>,
    Me(me): Me,
    Params(hcode): Params<Hcode>,
    Query(q): Query<WorkQuery>,
) -> Result<Response, AppError> {
    // Pages of 200 (as the page's 100, `page` from 0): a 1,000-row answer took 60–150 ms.
    let per_page = 200;
    let page = q.page.max(0);
    match st
        .store
        .claim_worklist(&me, hcode, &work_filter(&q, per_page))
        .await
    {
        Ok((rows, total)) => Ok(axum::Json(serde_json::json!({
            "claims": total,
            "page": page,
            "per_page": per_page,
            "more": (page + 1) * per_page < total,
            "items": rows.iter().map(|r| {
                let mut v = serde_json::to_value(r).unwrap_or_default();
                v["outstanding"] = r.outstanding().into();
                v
            }).collect::<Vec<_>>(),
        }))
        .into_response()),
        Err(e) => Ok(AppError::from(e).into_json()),
    }
}

pub async fn claim_json(
    State(st): State<AppState>,
    Me(me): Me,
    Params((hcode, visit)): Params<(Hcode, String)>,
) -> Result<Response, AppError> {
    match st.store.claim_history(&me, hcode, &visit).await {
        Ok((claim, lines, batches)) => Ok(axum::Json(serde_json::json!({
            "claim": claim,
            "outstanding": claim.outstanding(),
            "batches": batches,
            "returns": lines.iter().map(|(r, l)| serde_json::json!({"return": r.no, "kind": r.kind, "file": r.file_name, "line": l})).collect::<Vec<_>>(),
        }))
        .into_response()),
        Err(e) => Ok(AppError::from(e).into_json()),
    }
}

/// The claim section of the visit page: (status, codes with meaning, batches, history rows).
pub(crate) struct VisitClaim {
    pub status: String,
    pub work: String,
    pub tran_id: String,
    pub expected: String,
    pub received: String,
    pub outstanding: String,
    pub batches: String,
    /// (file, outcome, codes, amount)
    pub history: Vec<[String; 4]>,
}

pub(crate) async fn visit_claim(
    st: &AppState,
    t: T,
    me: &Actor,
    unit_code: Hcode,
    vkey: &str,
) -> Result<Option<VisitClaim>, AppError> {
    let (c, lines, batches) = st.store.claim_history(me, unit_code, vkey).await?;
    if c.rep.status.is_empty() && lines.is_empty() {
        return Ok(None);
    }
    Ok(Some(VisitClaim {
        status: status_label(t, &c.rep.status),
        work: work_label(t, &c.work),
        tran_id: c.rep.tran_id.clone(),
        expected: money(c.rep.expected),
        received: money(c.received),
        outstanding: money(c.outstanding()),
        batches: batches
            .iter()
            .map(|b| b.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        history: lines
            .iter()
            .map(|(r, l)| {
                [
                    format!("{} {}", r.kind.to_uppercase(), r.file_name),
                    status_label(t, &l.outcome),
                    l.error_codes.clone(),
                    money(l.amount),
                ]
            })
            .collect(),
    }))
}
