//! What is kept about an uploaded document beside its bytes (evidence, strategies).

use crate::Actor;
use crate::sql::row_struct;
use serde::Serialize;

row_struct! {
/// An uploaded file's description: name, type, size, digest and who uploaded it when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredFile {
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    /// SHA-256 of the bytes, lowercase hex.
    pub sha256: String,
    pub uploaded_at: i64,
    pub uploaded_by: String,
}
}

impl StoredFile {
    /// The description of `data` uploaded now by `actor` as `filename` of `content_type`.
    pub(crate) fn of(filename: String, content_type: &str, data: &[u8], actor: &Actor) -> Self {
        use sha2::Digest;
        StoredFile {
            filename,
            content_type: content_type.to_string(),
            size: data.len() as i64,
            sha256: sha2::Sha256::digest(data)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
            uploaded_at: crate::now_ms(),
            uploaded_by: actor.who.username.clone(),
        }
    }
}
