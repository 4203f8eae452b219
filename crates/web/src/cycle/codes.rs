//! The NHSO error-code list: the shipped codes and the province's loaded list (CSV/TSV).

use super::*;

#[derive(Template)]
#[template(path = "cycle/codes.html")]
struct CodesPage {
    l: Layout,
    /// (code, type letter, th, en, fix)
    codes: Vec<[String; 5]>,
    loaded: String,
    may_edit: bool,
    error: String,
    saved: bool,
}

async fn province_for(st: &AppState, me: &Actor) -> Result<String, AppError> {
    Ok(match crate::audit::province_of(me) {
        p if !p.is_empty() => p,
        _ => crate::audit::installation_province(st, me).await?,
    })
}

/// A code as the page lists it and the store keeps it: (code, type letter, th, en, fix).
fn code_row(c: &raidai_returns::ErrorCode) -> [String; 5] {
    [
        c.code.clone(),
        c.kind.letter().to_string(),
        c.th.clone(),
        c.en.clone(),
        c.fix_th.clone(),
    ]
}

async fn codes_render(
    st: &AppState,
    t: T,
    me: &Actor,
    error: String,
    saved: bool,
) -> Result<Response, AppError> {
    let province = province_for(st, me).await?;
    let loaded = st.store.error_code_overrides(&province).await?.len();
    let table = cycle::error_codes(&st.store, &province)
        .await
        .map_err(cycle_error)?;
    let mut codes: Vec<[String; 5]> = table.iter().map(code_row).collect();
    codes.sort();
    render(&CodesPage {
        l: Layout::new(t, Some(me), t.s("cy_codes_title"), "claims"),
        codes,
        loaded: format_int_thai(loaded as i64),
        may_edit: me.may_configure_province(&province),
        error,
        saved,
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct CodesQuery {
    #[serde(default)]
    saved: String,
}

pub async fn codes_page(
    Ctx { st, t, me }: Ctx,
    Query(q): Query<CodesQuery>,
) -> Result<Response, AppError> {
    codes_render(&st, t, &me, String::new(), q.saved == "1").await
}

pub async fn codes_upload(Ctx { st, t, me }: Ctx, req: Request) -> Result<Response, AppError> {
    let province = province_for(&st, &me).await?;
    if !me.may_configure_province(&province) {
        return Err(raidai_store::StoreError::Forbidden.into());
    }
    let mut mp = crate::upload::open_multipart(&st, req).await?;
    let mut bytes = Vec::new();
    while let Ok(Some(f)) = mp.next_field().await {
        if f.name() == Some("file") {
            bytes = f.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
        }
    }
    let Ok(text) = String::from_utf8(bytes) else {
        return codes_render(
            &st,
            t,
            &me,
            t.pick(
                "ไฟล์ต้องเป็นข้อความ UTF-8 (CSV หรือ TSV)",
                "The file must be UTF-8 text (CSV or TSV)",
            )
            .into(),
            false,
        )
        .await;
    };
    let parsed = match ErrorCodes::parse_tsv_or_csv(&text) {
        Ok(p) => p,
        Err(e) => {
            let msg = format!(
                "{} {}: {}",
                t.pick("บรรทัด", "line"),
                e.line,
                t.pick(&e.message_th, &e.message)
            );
            return codes_render(&st, t, &me, msg, false).await;
        }
    };
    let rows: Vec<[String; 5]> = parsed.iter().map(code_row).collect();
    st.store.save_error_codes(&me, &province, &rows).await?;
    Ok(Redirect::to("/claims/error-codes?saved=1").into_response())
}
