//! Evidence files of an assessment: upload (type checked by content) and download.

use super::*;
use crate::auth::Params;
use crate::error::hcode_of;
use raidai_domain::ids::Hcode;

pub async fn evidence_upload(
    Ctx { st, t, me }: Ctx,
    path: KeyPath,
    req: Request,
) -> Result<Response, AppError> {
    let key = key_of(path)?;
    st.store.get_unit(&me, hcode_of(&key.hcode)?).await?;
    if !me.may_write_governance() {
        return Err(AppError::Forbidden);
    }
    let (fields, filename, data) = multipart_upload(&st, req).await?;
    let item = fields.get("item_id").cloned().unwrap_or_default();
    match st
        .store
        .add_evidence(&me, &key, &item, &filename, &data)
        .await
    {
        Ok(m) => render(
            &assessment_page(
                &st,
                t,
                &me,
                &key,
                None,
                vec![],
                format!("{} {}", t.s("gov_evidence_added"), m.file.filename),
                false,
            )
            .await?,
        ),
        Err(StoreError::Invalid(errs)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &assessment_page(&st, t, &me, &key, None, errs, String::new(), false).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

/// A multipart upload's text fields, file name and bytes (call only after the caller may write).
pub(crate) async fn multipart_upload(
    st: &AppState,
    req: Request,
) -> Result<(BTreeMap<String, String>, String, Vec<u8>), AppError> {
    let mp = crate::upload::open_multipart(st, req).await?;
    read_upload(mp).await
}

/// Text fields, the file's name and its bytes; the body limit of the router bounds the size,
/// the store checks the 10 MB evidence limit.
pub(crate) async fn read_upload(
    mut mp: Multipart,
) -> Result<(BTreeMap<String, String>, String, Vec<u8>), AppError> {
    let bad = crate::upload::upload_failed;
    let mut fields = BTreeMap::new();
    let (mut name, mut data) = (String::new(), Vec::new());
    while let Some(f) = mp.next_field().await.map_err(bad)? {
        let field = f.name().unwrap_or_default().to_string();
        if field == "file" {
            name = f.file_name().unwrap_or_default().to_string();
            data = f.bytes().await.map_err(bad)?.to_vec();
        } else {
            fields.insert(field, f.text().await.map_err(bad)?);
        }
    }
    Ok((fields, name, data))
}

/// A download's Content-Disposition: RFC 5987 name for Thai file names, the plain fallback
/// ASCII only.
pub(crate) fn attachment_disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let utf8: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'.' || b == b'-' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{utf8}")
}

/// Serves an evidence file; the store checks the caller's tenancy on every request.
pub async fn evidence_download(
    State(st): State<AppState>,
    Me(me): Me,
    Params((hcode, id)): Params<(Hcode, String)>,
) -> Result<Response, AppError> {
    let (meta, data) = st.store.get_evidence(&me, hcode, &id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, meta.file.content_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                attachment_disposition(&meta.file.filename),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        data,
    )
        .into_response())
}
