//! The unit's NHSO Authen connector page: whether the installation's switch is on, the unit's
//! credentials (expiry, with a warning 14 days before; the token is write-only), and the batch
//! lookup of the Authen codes its visits lack (run in the background; its results are the
//! lookups recorded). The rules are `raidai_claims::authen`.

use crate::auth::Params;
use crate::auth::{Ctx, require_unit};
use crate::error::AppError;
use crate::i18n::T;
use crate::pages::render_failed;
use crate::view::{Layout, datetime};
use crate::{Access, AppState, RouteDef, r};
use askama::Template;
use axum::extract::Query;
use axum::http::Method;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use raidai_domain::calendar::{format_be_numeric, parse_date};
use raidai_domain::ids::Hcode;
use raidai_domain::master::Role;
use raidai_domain::money::format_int_thai;
use raidai_domain::periods::{date_of, ymd};
use raidai_store::Actor;
use serde::Deserialize;

pub const STRINGS: &[(&str, &str, &str)] = &[
    (
        "an_title",
        "ตรวจสอบ Authen Code กับ สปสช.",
        "NHSO Authen code lookup",
    ),
    ("an_nav", "Authen สปสช.", "NHSO Authen"),
    (
        "an_off",
        "การเชื่อมต่อ สปสช. ปิดอยู่ (ค่าเริ่มต้น) ผู้ดูแลระบบเปิดได้ที่การตั้งค่า authen_enabled",
        "The NHSO connector is off (the default); the administrator turns it on with authen_enabled",
    ),
    ("an_on", "การเชื่อมต่อ สปสช. เปิดอยู่", "The NHSO connector is on"),
    (
        "an_credentials",
        "รหัสเข้าระบบ สปสช. ของหน่วยบริการ",
        "The unit's NHSO credentials",
    ),
    (
        "an_token",
        "รหัส/โทเคน (ไม่แสดงซ้ำ)",
        "Token (never shown again)",
    ),
    (
        "an_token_keep",
        "เว้นว่างเพื่อใช้รหัสเดิม",
        "Leave blank to keep the current one",
    ),
    ("an_expires", "วันหมดอายุ", "Expires on"),
    (
        "an_unit_on",
        "หน่วยนี้ใช้การเชื่อมต่อ",
        "This unit uses the connector",
    ),
    ("an_none", "ยังไม่ได้บันทึกรหัสเข้าระบบ", "No credentials saved"),
    ("an_days_left", "เหลืออีก (วัน)", "Days left"),
    (
        "an_expiring",
        "รหัสเข้าระบบ สปสช. จะหมดอายุใน {n} วัน กรุณาต่ออายุและบันทึกรหัสใหม่",
        "The NHSO credentials expire in {n} days: renew them and save the new token",
    ),
    (
        "an_expired",
        "รหัสเข้าระบบ สปสช. หมดอายุแล้ว การตรวจสอบจะไม่ทำงานจนกว่าจะบันทึกรหัสใหม่",
        "The NHSO credentials have expired: lookups stay refused until new ones are saved",
    ),
    (
        "an_check",
        "ค้นหา Authen Code ของรายการที่ไม่มีรหัส",
        "Look up the missing Authen codes",
    ),
    ("an_limit", "จำนวนรายการสูงสุด", "At most (visits)"),
    (
        "an_started",
        "เริ่มค้นหาแล้ว ผลจะแสดงในหน้านี้",
        "Lookup started: results appear on this page",
    ),
    ("an_saved", "บันทึกรหัสเข้าระบบแล้ว", "Credentials saved"),
    ("an_found", "พบรหัส", "Found"),
    ("an_not_found", "ไม่พบรหัสของวันนั้น", "No code that day"),
    ("an_failed", "ค้นไม่สำเร็จ", "Failed"),
    (
        "an_lacking",
        "รายการ UC/WEL ที่ยังไม่มี Authen Code",
        "UC/WEL visits still without a code",
    ),
    ("an_last", "ค้นหาล่าสุด", "Last lookup"),
    ("an_last_run", "ผลการค้นหาครั้งล่าสุด", "Last run"),
];

pub fn routes() -> Vec<RouteDef> {
    use Access::*;
    use Method as M;
    vec![
        r(M::GET, "/units/{hcode}/authen", SignedIn, get(page)),
        r(
            M::POST,
            "/units/{hcode}/authen/credentials",
            SignedIn,
            post(save),
        ),
        r(
            M::POST,
            "/units/{hcode}/authen/check",
            SignedIn,
            post(check),
        ),
    ]
}

fn today() -> chrono::NaiveDate {
    raidai_authen::today_th()
}

#[derive(Template)]
#[template(path = "audit/authen.html")]
struct AuthenPage {
    l: Layout,
    hcode: String,
    unit_name: String,
    enabled: bool,
    has_credentials: bool,
    expires: String,
    days_left: String,
    unit_on: bool,
    updated: String,
    warning: String,
    may_manage: bool,
    may_check: bool,
    found: String,
    not_found: String,
    failed: String,
    lacking: String,
    last: String,
    last_run: String,
    from: String,
    to: String,
    error: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    done: String,
}

/// The expiry warning of a unit's credentials, if any (shown here and on the worklist).
pub(crate) async fn expiry_notice(st: &AppState, t: T, me: &Actor, unit_code: Hcode) -> String {
    let Ok(Some(a)) = st.store.unit_authen(me, unit_code).await else {
        return String::new();
    };
    let Some(exp) = date_of(a.expires_on) else {
        return String::new();
    };
    match raidai_authen::expiry_warning(exp, today()) {
        Some(n) if n <= 0 => t.s("an_expired").to_string(),
        Some(n) => t.s("an_expiring").replace("{n}", &n.to_string()),
        None => String::new(),
    }
}

fn may_manage(me: &Actor, unit_code: Hcode) -> bool {
    let hcode = unit_code.as_str();
    me.who.role == Role::Admin
        || (me.who.role == Role::UnitHead && me.who.hcode.as_deref() == Some(hcode))
}

async fn render_page(
    st: &AppState,
    t: T,
    me: &Actor,
    unit_code: Hcode,
    flash: String,
    error: String,
) -> Result<Response, AppError> {
    let hcode = unit_code.as_str();
    let unit = st.store.get_unit(me, unit_code).await?;
    let cred = st.store.unit_authen(me, unit_code).await?;
    let sum = st.store.authen_lookup_summary(me, unit_code).await?;
    let fy = raidai_domain::calendar::FiscalYear::of(today());
    let failed = !error.is_empty();
    let last_run = st
        .authen_runs
        .lock()
        .map(|m| m.get(hcode).cloned().unwrap_or_default())
        .unwrap_or_default();
    render_failed(
        failed,
        &AuthenPage {
            l: Layout::new(t, Some(me), t.s("an_title"), "claims").with_flash(flash),
            enabled: st.authen.cfg.enabled && st.authen.connector.is_some(),
            has_credentials: cred.is_some(),
            expires: cred
                .as_ref()
                .and_then(|c| date_of(c.expires_on))
                .map(format_be_numeric)
                .unwrap_or_default(),
            days_left: cred
                .as_ref()
                .and_then(|c| date_of(c.expires_on))
                .map(|d| (d - today()).num_days().to_string())
                .unwrap_or_default(),
            unit_on: cred.as_ref().is_some_and(|c| c.enabled),
            updated: cred
                .as_ref()
                .map(|c| format!("{} · {}", c.updated_by, datetime(t, c.updated_at)))
                .unwrap_or_default(),
            warning: expiry_notice(st, t, me, unit_code).await,
            may_manage: may_manage(me, unit_code),
            may_check: me.may_import(hcode),
            found: format_int_thai(sum.found),
            not_found: format_int_thai(sum.not_found),
            failed: format_int_thai(sum.failed),
            lacking: format_int_thai(sum.lacking),
            last: if sum.last_at > 0 {
                datetime(t, sum.last_at)
            } else {
                "–".into()
            },
            last_run,
            from: format_be_numeric(fy.start()),
            to: format_be_numeric(today()),
            hcode: unit.hcode,
            unit_name: unit.name_th,
            error,
        },
    )
}

pub async fn page(
    Ctx { st, t, me }: Ctx,
    Params(hcode): Params<Hcode>,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    let flash = match q.done.as_str() {
        "saved" => t.s("an_saved").to_string(),
        "started" => t.s("an_started").to_string(),
        _ => String::new(),
    };
    render_page(&st, t, &me, hcode, flash, String::new()).await
}

#[derive(Debug, Default, Deserialize)]
pub struct CredentialsForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    expires: String,
    #[serde(default)]
    enabled: String,
}

fn claims_error_text(t: T, e: &raidai_claims::ClaimsError) -> String {
    match e {
        raidai_claims::ClaimsError::Store(raidai_store::StoreError::Invalid(errs)) => errs
            .iter()
            .map(|e| t.pick(&e.message_th, &e.message_en).to_string())
            .collect::<Vec<_>>()
            .join("; "),
        other => match other.message_th() {
            Some(th) if !t.is_en() => th,
            _ => other.to_string(),
        },
    }
}

pub async fn save(
    Ctx { st, t, me }: Ctx,
    Params(hcode): Params<Hcode>,
    axum::Form(f): axum::Form<CredentialsForm>,
) -> Result<Response, AppError> {
    require_unit(&st, &me, hcode, may_manage(&me, hcode)).await?;
    let Ok(expires) = parse_date(f.expires.trim()) else {
        let msg = t.pick(
            "วันหมดอายุไม่ถูกต้อง (วว/ดด/ปปปป)",
            "Expiry is not a date (dd/mm/yyyy)",
        );
        return render_page(&st, t, &me, hcode, String::new(), msg.to_string()).await;
    };
    match raidai_claims::authen::set_credentials(
        &st.store,
        &me,
        hcode,
        &st.authen.cfg,
        &f.token,
        expires,
        f.enabled == "on" || f.enabled == "1",
    )
    .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/units/{hcode}/authen?done=saved")).into_response()),
        Err(raidai_claims::ClaimsError::Store(
            e @ (raidai_store::StoreError::NotFound | raidai_store::StoreError::Forbidden),
        )) => Err(e.into()),
        Err(e) => {
            let msg = claims_error_text(t, &e);
            render_page(&st, t, &me, hcode, String::new(), msg).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct CheckForm {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    limit: String,
}

/// Starts a batch lookup in the background (refused at once when the connector is off).
pub async fn check(
    Ctx { st, t, me }: Ctx,
    Params(hcode): Params<Hcode>,
    axum::Form(f): axum::Form<CheckForm>,
) -> Result<Response, AppError> {
    require_unit(&st, &me, hcode, me.may_import(hcode.as_str())).await?;
    let Some(connector) = st
        .authen
        .connector
        .clone()
        .filter(|_| st.authen.cfg.enabled)
    else {
        let msg = raidai_authen::AuthenError::Disabled.message_th();
        return render_page(&st, t, &me, hcode, String::new(), msg).await;
    };
    let day = |s: &str, dflt: chrono::NaiveDate| parse_date(s.trim()).unwrap_or(dflt);
    let fy = raidai_domain::calendar::FiscalYear::of(today());
    let (from, to) = (ymd(day(&f.from, fy.start())), ymd(day(&f.to, today())));
    let limit = f
        .limit
        .trim()
        .parse::<i64>()
        .unwrap_or(500)
        .clamp(1, 10_000);
    let (store, cfg, runs) = (
        st.store.clone(),
        st.authen.cfg.clone(),
        st.authen_runs.clone(),
    );
    let (me2, hcode2) = (me.clone(), hcode);
    tokio::spawn(async move {
        let out = raidai_claims::authen::check_unit(
            &store,
            &me2,
            hcode2,
            connector.as_ref(),
            &cfg,
            from,
            to,
            limit,
            today(),
        )
        .await;
        let text = match out {
            Ok(s) => format!(
                "{} {} · {} {} · {} {}{}",
                t.s("an_found"),
                s.found,
                t.s("an_not_found"),
                s.not_found,
                t.s("an_failed"),
                s.failed,
                s.stopped
                    .map(|e| format!(" · {}", e.message_th()))
                    .unwrap_or_default()
            ),
            Err(e) => claims_error_text(t, &e),
        };
        tracing::info!(unit = %hcode2, "authen lookup finished");
        if let Ok(mut m) = runs.lock() {
            m.insert(hcode2.to_string(), text);
        }
    });
    Ok(Redirect::to(&format!("/units/{hcode}/authen?done=started")).into_response())
}
