//! Vendored static files, embedded in the binary: the app works offline on a hospital intranet.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../../../assets/app.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../../assets/app.js"),
    ),
    (
        "htmx.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../../assets/vendor/htmx.min.js"),
    ),
    (
        "NotoSansThai-Regular.ttf",
        "font/ttf",
        include_bytes!("../../../assets/fonts/NotoSansThai-Regular.ttf"),
    ),
    (
        "NotoSansThai-Bold.ttf",
        "font/ttf",
        include_bytes!("../../../assets/fonts/NotoSansThai-Bold.ttf"),
    ),
    (
        "Laksaman.otf",
        "font/otf",
        include_bytes!("../../../assets/fonts/Laksaman.otf"),
    ),
    (
        "Laksaman-Bold.otf",
        "font/otf",
        include_bytes!("../../../assets/fonts/Laksaman-Bold.otf"),
    ),
];

/// A short hash of the embedded CSS and scripts (FNV-1a), the same for one build.
pub fn version() -> &'static str {
    static V: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    V.get_or_init(|| {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for (name, _, body) in ASSETS {
            if name.ends_with(".css") || name.ends_with(".js") {
                for b in body.iter() {
                    h ^= u64::from(*b);
                    h = h.wrapping_mul(0x0100_0000_01b3);
                }
            }
        }
        format!("{:012x}", h & 0xffff_ffff_ffff)
    })
}

pub async fn serve(Path(file): Path<String>) -> Response {
    match ASSETS.iter().find(|(name, _, _)| *name == file) {
        Some((_, mime, body)) => (
            [
                (header::CONTENT_TYPE, *mime),
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            *body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
