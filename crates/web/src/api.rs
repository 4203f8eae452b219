//! JSON API under `/api/v1`: the same store calls as the pages, same tenancy.

use crate::AppState;
use crate::auth::Params;
use crate::auth::{ClientIp, Me, session_cookie};
use crate::error::AppError;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use raidai_domain::ids::Hcode;
use raidai_domain::master::UnitType;
use raidai_store::FieldError;
use raidai_store::audit::AuditQuery;
use raidai_store::master::{UnitInput, UnitQuery};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// JSON body whose parse errors become a 4xx naming the offending field.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rej) => {
                let (status, msg) = match &rej {
                    JsonRejection::MissingJsonContentType(_) => {
                        (StatusCode::UNSUPPORTED_MEDIA_TYPE, rej.body_text())
                    }
                    _ => (StatusCode::UNPROCESSABLE_ENTITY, rej.body_text()),
                };
                let field = field_in_serde_message(&msg);
                let body = json!({
                    "error": "invalid JSON body",
                    "fields": [FieldError::new(&field, msg.clone(), "ข้อมูล JSON ไม่ถูกต้อง")],
                });
                Err((status, Json(body)).into_response())
            }
        }
    }
}

/// serde names fields as `missing field `x`` or `x: invalid type`; fall back to "body".
fn field_in_serde_message(msg: &str) -> String {
    if let Some(rest) = msg.split("field `").nth(1)
        && let Some(name) = rest.split('`').next()
    {
        return name.to_string();
    }
    if let Some(idx) = msg.find(": ") {
        let head = &msg[..idx];
        if let Some(last) = head.rsplit(' ').next()
            && last
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
            && !last.is_empty()
        {
            return last.trim_matches('.').to_string();
        }
    }
    "body".into()
}

fn ok<T: serde::Serialize>(v: T) -> Response {
    Json(v).into_response()
}

macro_rules! api_try {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(e) => return AppError::from(e).into_json(),
        }
    };
}

#[derive(Deserialize)]
pub struct LoginBody {
    username: String,
    password: String,
}

/// Signs in and sets the session cookie (for scripts and the CLI).
pub async fn login(
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(b): ApiJson<LoginBody>,
) -> Response {
    if st.limiter.is_blocked(&ip, &b.username) {
        return AppError::TooMany.into_json();
    }
    match api_try!(st.store.authenticate(&b.username, &b.password).await) {
        Some(u) => {
            st.limiter.succeeded(&ip, &b.username);
            let token = api_try!(st.store.create_session(&u.id).await);
            (
                [(
                    header::SET_COOKIE,
                    session_cookie(&token, st.secure_cookies),
                )],
                Json(u.actor()),
            )
                .into_response()
        }
        None => {
            st.limiter.failed(&ip, &b.username);
            AppError::Unauthorized.into_json()
        }
    }
}

pub async fn me(Me(me): Me) -> Response {
    ok(me)
}

pub async fn provinces(State(st): State<AppState>, Me(me): Me) -> Response {
    ok(api_try!(st.store.list_provinces(&me).await))
}

pub async fn districts(State(st): State<AppState>, Me(me): Me) -> Response {
    ok(api_try!(st.store.list_districts(&me).await))
}

pub async fn district(
    State(st): State<AppState>,
    Me(me): Me,
    Path(code): Path<String>,
) -> Response {
    ok(api_try!(st.store.get_district(&me, &code).await))
}

#[derive(Deserialize)]
pub struct UnitsParams {
    district: Option<String>,
    #[serde(rename = "type")]
    unit_type: Option<String>,
    cup: Option<String>,
    q: Option<String>,
}

pub async fn units(
    State(st): State<AppState>,
    Me(me): Me,
    Query(p): Query<UnitsParams>,
) -> Response {
    let unit_type = match p.unit_type.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => match UnitType::parse(s) {
            Some(u) => Some(u),
            None => {
                return AppError::BadRequest(vec![FieldError::new(
                    "type",
                    format!("unknown unit type {s:?}"),
                    "ประเภทหน่วยบริการไม่ถูกต้อง",
                )])
                .into_json();
            }
        },
        None => None,
    };
    let q = UnitQuery {
        district_code: p.district,
        unit_type,
        cup_hcode: p.cup,
        text: p.q,
    };
    ok(api_try!(st.store.list_units(&me, &q).await))
}

pub async fn unit(
    State(st): State<AppState>,
    Me(me): Me,
    Params(hcode): Params<Hcode>,
) -> Response {
    ok(api_try!(st.store.get_unit(&me, hcode).await))
}

pub async fn unit_create(
    State(st): State<AppState>,
    Me(me): Me,
    ApiJson(u): ApiJson<UnitInput>,
) -> Response {
    let created = api_try!(st.store.create_unit(&me, &u).await);
    (StatusCode::CREATED, Json(created)).into_response()
}

pub async fn unit_update(
    State(st): State<AppState>,
    Me(me): Me,
    Params(hcode): Params<Hcode>,
    ApiJson(u): ApiJson<UnitInput>,
) -> Response {
    ok(api_try!(st.store.update_unit(&me, hcode, &u).await))
}

pub async fn users(State(st): State<AppState>, Me(me): Me) -> Response {
    ok(api_try!(st.store.list_users(&me).await))
}

#[derive(Deserialize)]
pub struct AuditParams {
    entity: Option<String>,
    hcode: Option<String>,
    limit: Option<i64>,
    offset: Option<i64>,
}

pub async fn audit(
    State(st): State<AppState>,
    Me(me): Me,
    Query(p): Query<AuditParams>,
) -> Response {
    let q = AuditQuery {
        entity: p.entity,
        hcode: p.hcode,
        limit: p.limit.unwrap_or(100),
        offset: p.offset.unwrap_or(0),
    };
    ok(api_try!(st.store.list_audit(&me, &q).await))
}

fn op(summary: &str, tag: &str, params: &[(&str, &str)], body: Option<&str>, resp: &str) -> Value {
    let mut o = json!({
        "summary": summary,
        "tags": [tag],
        "responses": {
            "200": { "description": "OK", "content": { "application/json": { "schema": { "$ref": resp } } } },
            "401": { "description": "not signed in", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
            "404": { "description": "absent or outside your tenancy" },
            "422": { "description": "invalid input; `fields` names each field", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
        }
    });
    let ps: Vec<Value> = params
        .iter()
        .map(|(name, loc)| json!({ "name": name, "in": loc, "required": *loc == "path", "schema": { "type": "string" } }))
        .collect();
    if !ps.is_empty() {
        o["parameters"] = Value::Array(ps);
    }
    if let Some(b) = body {
        o["requestBody"] = json!({ "required": true, "content": { "application/json": { "schema": { "$ref": b } } } });
    }
    o
}

/// The OpenAPI 3.1 document of this API.
pub fn openapi_doc() -> Value {
    let s = |name: &str| format!("#/components/schemas/{name}");
    let arr = |name: &str| format!("#/components/schemas/{name}List");
    let unit_q = [
        ("district", "query"),
        ("type", "query"),
        ("cup", "query"),
        ("q", "query"),
    ];
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "raidai API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Revenue collection and financial governance for Thai public health units. Sign in with POST /api/v1/login; the session cookie authorises the other calls. Every answer is limited to the caller's tenancy."
        },
        "paths": {
            "/api/v1/login": { "post": op("Sign in; sets the session cookie", "session", &[], Some(&s("Login")), &s("Actor")) },
            "/api/v1/me": { "get": op("The signed-in user and their scope", "session", &[], None, &s("Actor")) },
            "/api/v1/provinces": { "get": op("Provinces you can see", "master data", &[], None, &arr("Province")) },
            "/api/v1/districts": { "get": op("Districts you can see", "master data", &[], None, &arr("District")) },
            "/api/v1/districts/{code}": { "get": op("One district", "master data", &[("code", "path")], None, &s("District")) },
            "/api/v1/units": {
                "get": op("Units you can see, filtered", "master data", &unit_q, None, &arr("Unit")),
                "post": op("Create a unit (admin)", "master data", &[], Some(&s("UnitInput")), &s("Unit"))
            },
            "/api/v1/units/{hcode}": {
                "get": op("One unit", "master data", &[("hcode", "path")], None, &s("Unit")),
                "put": op("Edit a unit (admin)", "master data", &[("hcode", "path")], Some(&s("UnitInput")), &s("Unit"))
            },
            "/api/v1/units/{hcode}/claims/unposted": {
                "get": op("Map coverage: unposted visits by (fiscal year, fund, setting, place, case) with amounts, and the map line in force now", "claims", &[("hcode", "path")], None, &arr("CoverageRow"))
            },
            "/api/v1/units/{hcode}/audit/findings": {
                "get": op("Data Audit worklist: findings of the unit's visits, blocking first, then largest amount at stake, with the visits and amounts matching (late visits counted apart)", "audit", &[("hcode", "path"), ("rule", "query"), ("fund", "query"), ("severity", "query"), ("month", "query"), ("min", "query"), ("accepted", "query"), ("page", "query")], None, &s("FindingList"))
            },
            "/api/v1/units/{hcode}/claims/periods": {
                "get": op("Accounting periods of a fiscal year: each month open or closed (who, when), journal lines and receivables by posting date", "claims", &[("hcode", "path"), ("fy", "query")], None, &arr("MonthView"))
            },
            "/api/v1/units/{hcode}/claims/jobs/{job_id}": {
                "get": op("A 16-file import job: state, phase, progress, the import it produced", "claims", &[("hcode", "path"), ("job_id", "path")], None, &s("ImportJob"))
            },
            "/api/v1/units/{hcode}/claims/batches": {
                "get": op("Claim batches of the unit, newest first: funds, dates, visits, amount claimed, accepted / C / Deny now, money received, file hashes", "claim cycle", &[("hcode", "path")], None, &s("BatchList"))
            },
            "/api/v1/units/{hcode}/claims/returns": {
                "get": op("REP and Statement files imported for the unit: lines, matched, unmatched, amounts, settled", "claim cycle", &[("hcode", "path")], None, &s("ReturnList"))
            },
            "/api/v1/units/{hcode}/claims/worklist": {
                "get": op("C / Deny worklist: claims sent back as corrective or denied, largest open receivable first, with error codes and follow-up", "claim cycle", &[("hcode", "path"), ("status", "query"), ("work", "query"), ("fund", "query"), ("code", "query"), ("page", "query")], None, &s("ClaimWorklist"))
            },
            "/api/v1/units/{hcode}/claims/aging": {
                "get": op("Open receivables by fund, account and age bucket (0-30, 31-60, 61-90, 91-180, 181-365, > 365 days)", "claim cycle", &[("hcode", "path")], None, &s("AgingList"))
            },
            "/api/v1/units/{hcode}/claims/visits/{visit}/claim": {
                "get": op("One visit's claim: status, TRAN_ID, expected, received, outstanding, batches and every REP/STM line about it", "claim cycle", &[("hcode", "path"), ("visit", "path")], None, &s("VisitClaim"))
            },
            "/api/v1/governance/dashboard": {
                "get": op("The province's governance dashboard for a fiscal year: every measure, the revenue-centre indicator, the 4P pass rate per round and the small-success milestones counted over every unit in scope (units without data count as not met and are listed), and each unit's latest figures", "governance", &[("fy", "query")], None, &s("GovernanceDashboard"))
            },
            "/api/v1/governance/inspections/{province}/{fy}/{round}": {
                "get": op("One inspection round of a province (province and admin users): the sample with visit dates, each place's 4P score, Q2 plan vs actual, plan state, financial strategy and the inspectors' findings per item; the outcome share (hospitals visited with 4P at or above the target) and every hospital with an approved plan", "governance", &[("province", "path"), ("fy", "path"), ("round", "path")], None, &s("Inspection"))
            },
            "/api/v1/claims/cycle": {
                "get": op("Per unit, fund and fiscal year: receivables, claimed, accepted, C, denied, received, written down, outstanding, late", "claim cycle", &[("fy", "query")], None, &s("CycleRollup"))
            },
            "/api/v1/users": { "get": op("Users (admin)", "admin", &[], None, &arr("User")) },
            "/api/v1/audit": { "get": op("Audit log, newest first (admin)", "admin", &[("entity", "query"), ("hcode", "query"), ("limit", "query"), ("offset", "query")], None, &arr("AuditEntry")) },
            "/api/v1/openapi.json": { "get": { "summary": "This document", "tags": ["meta"], "responses": { "200": { "description": "OpenAPI document" } } } }
        },
        "components": { "schemas": schemas() }
    })
}

fn schemas() -> Value {
    let mut all = claim_and_other_schemas();
    // A second object: one json! of every schema passes the macro's recursion limit.
    if let (Some(a), Value::Object(b)) = (all.as_object_mut(), governance_schemas()) {
        a.extend(b);
    }
    all
}

fn governance_schemas() -> Value {
    json!({
        "Inspection": { "type": "object", "properties": {
            "province": { "type": "string" }, "province_name": { "type": "string" }, "fy": { "type": "integer" }, "round": { "type": "integer" },
            "planned": { "type": "boolean" }, "inspectors": { "type": "string" }, "summary": { "type": "string" },
            "places": { "type": "array", "items": { "type": "object", "properties": {
                "target": { "type": "string", "description": "'' for the provincial office, else the unit's hcode" },
                "name": { "type": "string" }, "kind": { "type": "string" }, "visit_on": { "type": ["string", "null"], "format": "date" },
                "four_p": { "type": ["string", "null"] }, "four_p_passed": { "type": ["boolean", "null"] },
                "q2_revenue": { "type": "string" }, "q2_expense": { "type": "string" }, "plan_state": { "type": "string" },
                "has_plan": { "type": ["boolean", "null"] }, "strategy": { "type": ["boolean", "null"] },
                "findings": { "type": "array", "items": { "type": "array", "description": "[item number, item text, mark on the paper, finding]" } },
                "recommendation": { "type": "string" } } } },
            "outcome": { "type": "array", "description": "[hospitals visited with 4P at or above the target, hospitals visited with a score]" },
            "every_plan": { "type": "array", "description": "[hospitals of the province with an approved plan, hospitals of the province]" },
            "gaps": { "type": "array", "items": { "type": "string" } } } },
        "GovernanceDashboard": { "type": "object", "properties": {
            "fy": { "type": "integer" }, "criteria": { "type": "string" },
            "measures": { "type": "array", "items": { "type": "object", "properties": { "id": { "type": "string" }, "met": { "type": ["boolean", "null"] }, "counted": { "$ref": "#/components/schemas/ScopedCount" } } } },
            "revenue_centres": { "$ref": "#/components/schemas/ScopedCount" },
            "four_p": { "type": "array", "items": { "type": "object" } },
            "milestones": { "type": "array", "items": { "type": "object" } },
            "units": { "type": "array", "items": { "type": "object" } } } },
        "ScopedCount": { "type": ["object", "null"], "properties": { "met": { "type": "integer" }, "total": { "type": "integer", "description": "every unit in scope" }, "missing": { "type": "array", "items": { "type": "string" }, "description": "units in scope without the data (counted as not met)" } } }
    })
}

fn claim_and_other_schemas() -> Value {
    let list = |name: &str| json!({ "type": "array", "items": { "$ref": format!("#/components/schemas/{name}") } });
    json!({
        "Error": { "type": "object", "properties": {
            "error": { "type": "string" },
            "fields": { "type": "array", "items": { "type": "object", "properties": {
                "field": { "type": "string" }, "message_en": { "type": "string" }, "message_th": { "type": "string" }, "line": { "type": "integer" } } } } } },
        "Login": { "type": "object", "required": ["username", "password"], "properties": { "username": { "type": "string" }, "password": { "type": "string" } } },
        "Actor": { "type": "object", "properties": {
            "user_id": { "type": ["string", "null"] }, "username": { "type": "string" }, "display_name": { "type": "string" },
            "role": { "enum": ["admin", "province", "district", "unit_head", "unit_revenue"] },
            "province_code": { "type": ["string", "null"] }, "district_code": { "type": ["string", "null"] }, "hcode": { "type": ["string", "null"] } } },
        "BatchList": { "type": "object", "properties": { "batches": { "type": "array", "items": { "type": "object" } } } },
        "ReturnList": { "type": "object", "properties": { "returns": { "type": "array", "items": { "type": "object" } } } },
        "ClaimWorklist": { "type": "object", "properties": { "claims": { "type": "integer", "description": "every C / Deny claim matching" }, "page": { "type": "integer" }, "per_page": { "type": "integer" }, "more": { "type": "boolean" }, "items": { "type": "array", "items": { "type": "object" } } } },
        "AgingList": { "type": "object", "properties": { "today": { "type": "integer" }, "buckets_days": { "type": "array" }, "rows": { "type": "array", "items": { "type": "object" } } } },
        "VisitClaim": { "type": "object", "properties": { "claim": { "type": "object" }, "outstanding": { "type": "integer" }, "batches": { "type": "array" }, "returns": { "type": "array" } } },
        "CycleRollup": { "type": "object", "properties": { "rows": { "type": "array", "items": { "type": "object" } } } },
        "FindingList": { "type": "object", "properties": {
            "visits": { "type": "integer", "description": "distinct visits with a stored finding matching (LATE01 apart)" }, "amount": { "type": "integer", "description": "satang" },
            "late_visits": { "type": "integer", "description": "visits past their fund's submission window (LATE01) matching; a visit may also count in visits" },
            "late_amount": { "type": "integer", "description": "satang" },
            "more": { "type": "boolean", "description": "another page follows" },
            "per_page": { "type": "integer", "description": "findings per page (200); `page` counts from 0" },
            "findings": { "type": "array", "items": { "type": "object", "properties": {
                "vkey": { "type": "string" }, "rule": { "type": "string" }, "severity": { "enum": ["block", "warn"] },
                "amount": { "type": "integer" }, "setting": { "type": "string" }, "hn": { "type": "string" }, "seq": { "type": "string" },
                "an": { "type": "string" }, "date_serv": { "type": "integer" }, "fund": { "type": "string" }, "inscl": { "type": "string" },
                "accepted_reason": { "type": ["string", "null"] }, "accepted_by": { "type": ["string", "null"] }, "accepted_at": { "type": ["integer", "null"] } } } } } },
        "MonthView": { "type": "object", "properties": {
            "month": { "type": "integer", "description": "yyyymm (CE)" }, "label": { "type": "string" },
            "closed": { "type": "boolean" }, "closed_by": { "type": "string" }, "closed_at": { "type": "string" },
            "lines": { "type": "integer" }, "receivable_net": { "type": "integer", "description": "satang, by posting date" } } },
        "CoverageRow": { "type": "object", "properties": {
            "group": { "type": "object", "properties": {
                "fy": { "type": "integer" }, "fund": { "type": "string" }, "setting": { "type": "string" }, "place": { "type": "string" }, "case": { "type": "string" },
                "visits": { "type": "integer" }, "fund_amount": { "type": "integer", "description": "satang" }, "patient_amount": { "type": "integer", "description": "satang" } } },
            "receivable_now": { "type": ["string", "null"] } } },
        "ImportJob": { "type": "object", "properties": {
            "hcode": { "type": "string" }, "id": { "type": "string" }, "username": { "type": "string" }, "source_name": { "type": "string" },
            "strict": { "type": "boolean" }, "bytes": { "type": "integer" },
            "state": { "enum": ["queued", "running", "done", "failed"] }, "phase": { "enum": ["waiting", "scanning", "writing", "finished"] },
            "done_rows": { "type": "integer" }, "total_rows": { "type": "integer" }, "created_at": { "type": "integer" },
            "started_at": { "type": ["integer", "null"] }, "finished_at": { "type": ["integer", "null"] }, "import_id": { "type": ["string", "null"] },
            "error_th": { "type": "string" }, "error_en": { "type": "string" }, "phase_started_at": { "type": ["integer", "null"] } } },
        "Province": { "type": "object", "properties": { "code": { "type": "string" }, "name_th": { "type": "string" }, "name_en": { "type": "string" } } },
        "ProvinceList": list("Province"),
        "District": { "type": "object", "properties": { "code": { "type": "string" }, "province_code": { "type": "string" }, "name_th": { "type": "string" }, "name_en": { "type": "string" } } },
        "DistrictList": list("District"),
        "Unit": { "type": "object", "properties": {
            "hcode": { "type": "string", "pattern": "^[0-9]{5}$" }, "name_th": { "type": "string" },
            "unit_type": { "enum": ["rps", "rpt", "rpch", "rpst", "sso"] }, "province_code": { "type": "string" },
            "district_code": { "type": "string" }, "cup_hcode": { "type": "string" },
            "peer_group": { "enum": ["A", "S", "M1", "M2", "F1", "F2", "F3", null] }, "island": { "type": "boolean" },
            "beds": { "type": "integer" }, "active": { "type": "boolean" }, "updated_at": { "type": "integer", "description": "epoch milliseconds" } } },
        "UnitList": list("Unit"),
        "UnitInput": { "type": "object", "required": ["hcode", "name_th", "unit_type", "district_code", "cup_hcode", "peer_group", "island", "beds", "active"], "properties": {
            "hcode": { "type": "string" }, "name_th": { "type": "string" }, "unit_type": { "type": "string" }, "district_code": { "type": "string" },
            "cup_hcode": { "type": "string", "description": "empty for a hospital (its own CUP)" }, "peer_group": { "type": "string" },
            "island": { "type": "boolean" }, "beds": { "type": "integer" }, "active": { "type": "boolean" } } },
        "User": { "type": "object", "properties": {
            "id": { "type": "string" }, "username": { "type": "string" }, "display_name": { "type": "string" }, "role": { "type": "string" },
            "province_code": { "type": ["string", "null"] }, "district_code": { "type": ["string", "null"] }, "hcode": { "type": ["string", "null"] },
            "active": { "type": "boolean" }, "created_at": { "type": "integer" } } },
        "UserList": list("User"),
        "AuditEntry": { "type": "object", "properties": {
            "id": { "type": "string" }, "at": { "type": "integer" }, "username": { "type": "string" }, "hcode": { "type": ["string", "null"] },
            "entity": { "type": "string" }, "entity_key": { "type": "string" }, "action": { "type": "string" },
            "before": { "type": ["string", "null"] }, "after": { "type": ["string", "null"] } } },
        "AuditEntryList": list("AuditEntry")
    })
}

pub async fn openapi() -> Response {
    ok(openapi_doc())
}
