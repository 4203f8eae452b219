//! Reading multipart uploads: the errors a user sees when a body is not a usable upload.

use crate::AppState;
use crate::error::AppError;
use axum::extract::multipart::MultipartError;
use axum::extract::{FromRequest, Multipart, Request};
use raidai_store::FieldError;

/// The request as a multipart body; one that is not is the user's mistake (422), not a 500.
pub(crate) async fn open_multipart(st: &AppState, req: Request) -> Result<Multipart, AppError> {
    Multipart::from_request(req, st).await.map_err(|e| {
        AppError::BadRequest(vec![FieldError::new(
            "file",
            format!("expected a file upload: {e}"),
            "ต้องแนบไฟล์",
        )])
    })
}

/// A multipart body that broke off while being read.
pub(crate) fn upload_failed(e: MultipartError) -> AppError {
    AppError::BadRequest(vec![FieldError::new(
        "file",
        format!("upload failed: {e}"),
        "อัปโหลดไฟล์ไม่สำเร็จ",
    )])
}

/// Reads the one field named `file`; an empty or absent file is `None`.
pub(crate) async fn upload_file(mut mp: Multipart) -> Result<Option<Vec<u8>>, AppError> {
    let mut data = None;
    while let Some(field) = mp.next_field().await.map_err(upload_failed)? {
        if field.name() == Some("file") {
            data = Some(field.bytes().await.map_err(upload_failed)?.to_vec());
        }
    }
    Ok(data.filter(|d| !d.is_empty()))
}
