//! Claim batches: build (funds, dates, blocked visits left out), list, detail, zip, JSON.

use super::*;
use crate::auth::Params;
use raidai_domain::ids::Hcode;

struct BatchView {
    href: String,
    no: i64,
    funds: String,
    range: String,
    visits: String,
    blocked: String,
    amount: String,
    accepted: String,
    corrective: String,
    denied: String,
    awaiting: String,
    received: String,
    created: String,
}

fn batch_view(t: T, b: &raidai_store::claims::BatchRecord) -> BatchView {
    BatchView {
        href: format!("/units/{}/claims/batches/{}", b.hcode, b.no),
        no: b.no,
        funds: b
            .funds
            .split(',')
            .map(|f| fund_name(t, f))
            .collect::<Vec<_>>()
            .join(", "),
        range: format!("{} – {}", date(t, b.date_from), date(t, b.date_to)),
        visits: format_int_thai(b.visits),
        blocked: format_int_thai(b.blocked),
        amount: money(b.amount),
        accepted: format_int_thai(b.accepted),
        corrective: format_int_thai(b.corrective),
        denied: format_int_thai(b.denied),
        awaiting: format_int_thai(b.awaiting_payment),
        received: money(b.received),
        created: format!(
            "{} {}",
            crate::view::datetime(t, b.created_at),
            b.created_by
        ),
    }
}

#[derive(Template)]
#[template(path = "cycle/batches.html")]
struct BatchesPage {
    l: Layout,
    hcode: String,
    unit_name: String,
    batches: Vec<BatchView>,
    funds: Vec<(String, String, bool)>,
    from: String,
    to: String,
    may_act: bool,
    error: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct BatchForm {
    #[serde(default)]
    fund: Vec<String>,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    include_blocked: String,
    #[serde(default)]
    headers: String,
}

fn be_date(d: i64) -> String {
    format!("{:02}/{:02}/{}", d % 100, (d / 100) % 100, d / 10_000 + 543)
}

async fn batches_page(
    st: &AppState,
    t: T,
    me: &Actor,
    unit_code: Hcode,
    form: Option<&BatchForm>,
    error: String,
) -> Result<Response, AppError> {
    let hcode = unit_code.as_str();
    let unit = st.store.get_unit(me, unit_code).await?;
    let list = st.store.list_batches(me, unit_code).await?;
    let fy = raidai_domain::calendar::FiscalYear::new(current_fy() as u16);
    render(&BatchesPage {
        l: Layout::new(t, Some(me), t.s("cy_batches"), "claims"),
        batches: list.iter().map(|b| batch_view(t, b)).collect(),
        funds: FUNDS
            .iter()
            .map(|f| {
                let on = form.is_none_or(|x| x.fund.iter().any(|y| y == f));
                (f.to_string(), fund_name(t, f), on)
            })
            .collect(),
        from: form
            .map(|f| f.from.clone())
            .unwrap_or_else(|| be_date(ymd(fy.start()))),
        to: form
            .map(|f| f.to.clone())
            .unwrap_or_else(|| be_date(today())),
        may_act: me.may_import(hcode),
        error,
        hcode: unit.hcode,
        unit_name: unit.name_th,
    })
}

pub async fn batches(
    Ctx { st, t, me }: Ctx,
    Params(hcode): Params<Hcode>,
) -> Result<Response, AppError> {
    batches_page(&st, t, &me, hcode, None, String::new()).await
}

fn parse_form_date(s: &str) -> Option<i64> {
    raidai_domain::calendar::parse_date(s).ok().map(ymd)
}

pub async fn batch_create(
    Ctx { st, t, me }: Ctx,
    Params(hcode): Params<Hcode>,
    axum_extra_form: axum::extract::RawForm,
) -> Result<Response, AppError> {
    let f: BatchForm = serde_html_form(&axum_extra_form.0);
    let (Some(from), Some(to)) = (parse_form_date(&f.from), parse_form_date(&f.to)) else {
        return batches_page(
            &st,
            t,
            &me,
            hcode,
            Some(&f),
            t.pick(
                "วันที่ไม่ถูกต้อง ใช้รูปแบบ วว/ดด/ปปปป (พ.ศ.)",
                "Bad date: use dd/mm/yyyy (BE or CE)",
            )
            .into(),
        )
        .await;
    };
    let funds: Vec<String> = f
        .fund
        .iter()
        .filter(|x| FUNDS.contains(&x.as_str()))
        .cloned()
        .collect();
    if funds.is_empty() {
        return batches_page(
            &st,
            t,
            &me,
            hcode,
            Some(&f),
            t.pick("เลือกอย่างน้อยหนึ่งกองทุน", "Choose at least one fund")
                .into(),
        )
        .await;
    }
    let spec = BatchSpec {
        funds,
        date_from: from,
        date_to: to,
        include_blocked: f.include_blocked == "1",
        headers: if f.headers == "classic" {
            "classic".into()
        } else {
            "fdh".into()
        },
    };
    match cycle::create_batch(&st.store, &me, hcode, &spec).await {
        Ok(b) => {
            Ok(Redirect::to(&format!("/units/{hcode}/claims/batches/{}", b.no)).into_response())
        }
        Err(CycleError::Claims(raidai_claims::ClaimsError::Store(s))) => Err(s.into()),
        Err(e) => {
            let msg = if t.is_en() {
                e.to_string()
            } else {
                e.message_th().unwrap_or_else(|| e.to_string())
            };
            batches_page(&st, t, &me, hcode, Some(&f), msg).await
        }
    }
}

/// A urlencoded body with repeated keys (`fund=UC&fund=OFC`) into the batch form.
fn serde_html_form(body: &[u8]) -> BatchForm {
    let mut f = BatchForm::default();
    for (k, v) in url::form_urlencoded::parse(body) {
        match k.as_ref() {
            "fund" => f.fund.push(v.into_owned()),
            "from" => f.from = v.into_owned(),
            "to" => f.to = v.into_owned(),
            "include_blocked" => f.include_blocked = v.into_owned(),
            "headers" => f.headers = v.into_owned(),
            _ => {}
        }
    }
    f
}

#[derive(Template)]
#[template(path = "cycle/batch.html")]
struct BatchPage {
    l: Layout,
    hcode: String,
    unit_name: String,
    b: BatchView,
    files: Vec<(String, String, String)>,
    zip_sha: String,
    zip_href: String,
    rows: Vec<ClaimView>,
    more: bool,
}

pub async fn batch_page(
    Ctx { st, t, me }: Ctx,
    Params((hcode, no)): Params<(Hcode, i64)>,
) -> Result<Response, AppError> {
    let unit = st.store.get_unit(&me, hcode).await?;
    let b = st.store.get_batch(&me, hcode, no).await?;
    let limit = 500;
    let rows = st.store.batch_visits(&me, hcode, no, limit + 1).await?;
    let codes = codes_for(&st, &me, hcode).await?;
    let windows = resend_windows(&st, &me, hcode).await?;
    let files = b
        .files
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    (
                        f["name"].as_str().unwrap_or_default().to_string(),
                        format_int_thai(f["records"].as_i64().unwrap_or(0)),
                        f["sha256"]
                            .as_str()
                            .unwrap_or_default()
                            .chars()
                            .take(16)
                            .collect(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    render(&BatchPage {
        l: Layout::new(
            t,
            Some(&me),
            format!("{} {}", t.s("cy_batch"), no),
            "claims",
        ),
        zip_href: format!("/units/{hcode}/claims/batches/{no}/zip"),
        zip_sha: b.zip_sha256.clone(),
        files,
        more: rows.len() as i64 > limit,
        rows: rows
            .iter()
            .take(limit as usize)
            .map(|r| claim_view(t, hcode, &codes, &windows, r))
            .collect(),
        b: batch_view(t, &b),
        hcode: unit.hcode,
        unit_name: unit.name_th,
    })
}

pub async fn batch_zip(
    State(st): State<AppState>,
    Me(me): Me,
    Params((hcode, no)): Params<(Hcode, i64)>,
) -> Result<Response, AppError> {
    let b = st.store.get_batch(&me, hcode, no).await?;
    let zip = st.store.batch_zip(&me, hcode, no).await?;
    Ok(download("application/zip", &cycle::batch_zip_name(&b), zip))
}

pub async fn batches_json(
    State(st): State<AppState>,
    Me(me): Me,
    Params(hcode): Params<Hcode>,
) -> Result<Response, AppError> {
    match st.store.list_batches(&me, hcode).await {
        Ok(list) => Ok(axum::Json(serde_json::json!({ "batches": list })).into_response()),
        Err(e) => Ok(AppError::from(e).into_json()),
    }
}
