//! First-run setup for the admin: the province this installation serves, unit and user
//! templates, users from a file; the checklist also shows on the province page until done.

use crate::AppState;
use crate::auth::{Ctx, Me};
use crate::error::AppError;
use crate::pages::{render, render_status};
use crate::view::{Errors, Layout};
use askama::Template;
use axum::Form;
use axum::extract::Multipart;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use raidai_domain::money::format_int_thai;
use raidai_store::setup::{SetupStatus, SetupStep};
use raidai_store::users::ImportedUser;
use raidai_store::{Actor, FieldError, StoreError};
use serde::Deserialize;

/// The columns of the units file, in the order of the template and the export.
pub const UNIT_COLUMNS: [&str; 8] = [
    "hcode",
    "name_th",
    "unit_type",
    "district_code",
    "cup_hcode",
    "peer_group",
    "island",
    "beds",
];

const USER_COLUMNS: [&str; 5] = ["username", "display_name", "role", "scope_code", "password"];

/// One step of the checklist: label, done, where to do it.
pub struct StepView {
    pub label: String,
    pub done: bool,
    pub href: &'static str,
}

pub fn steps(t: crate::i18n::T, st: &SetupStatus) -> Vec<StepView> {
    let missing = st.missing();
    [
        (
            SetupStep::Province,
            "setup_step_province",
            "/setup#province",
        ),
        (SetupStep::Units, "setup_step_units", "/setup#units"),
        (
            SetupStep::ProvinceUser,
            "setup_step_province_user",
            "/setup#users",
        ),
        (
            SetupStep::DistrictUsers,
            "setup_step_district_users",
            "/setup#users",
        ),
        (
            SetupStep::UnitUsers,
            "setup_step_unit_users",
            "/setup#users",
        ),
    ]
    .into_iter()
    .map(|(step, key, href)| StepView {
        label: t.s(key).to_string(),
        done: !missing.contains(&step),
        href,
    })
    .collect()
}

struct ProvinceOption {
    code: String,
    name: String,
    selected: bool,
}

struct DistrictView {
    code: String,
    name: String,
}

struct CreatedView {
    username: String,
    role: String,
    scope: String,
    password: String,
}

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    l: Layout,
    steps: Vec<StepView>,
    complete: bool,
    province: String,
    provinces: Vec<ProvinceOption>,
    districts: Vec<DistrictView>,
    units: String,
    hospitals: String,
    errors: Errors,
    created: Vec<CreatedView>,
}

async fn page(
    st: &AppState,
    t: crate::i18n::T,
    me: &Actor,
    errors: Vec<FieldError>,
    created: Vec<ImportedUser>,
) -> Result<SetupPage, AppError> {
    let status = st.store.setup_status(me).await?;
    let served: Vec<String> = status.provinces.iter().map(|p| p.code.clone()).collect();
    let provinces = st
        .store
        .geo_provinces()
        .await?
        .into_iter()
        .map(|p| ProvinceOption {
            selected: served.contains(&p.code),
            name: format!("{} {}", p.code, t.pick(&p.name_th, &p.name_en)),
            code: p.code,
        })
        .collect();
    let districts = st
        .store
        .list_districts(me)
        .await?
        .into_iter()
        .map(|d| DistrictView {
            name: t.pick(&d.name_th, &d.name_en).to_string(),
            code: d.code,
        })
        .collect();
    let created = created
        .into_iter()
        .map(|u| CreatedView {
            username: u.username,
            role: raidai_domain::master::Role::parse(&u.role)
                .map(|r| t.pick(r.name_th(), r.name_en()).to_string())
                .unwrap_or(u.role),
            scope: u.scope_code,
            password: u.generated_password.unwrap_or_default(),
        })
        .collect();
    Ok(SetupPage {
        l: Layout::new(t, Some(me), t.s("setup_title"), "setup"),
        steps: steps(t, &status),
        complete: status.missing().is_empty(),
        province: status
            .provinces
            .iter()
            .map(|p| t.pick(&p.name_th, &p.name_en).to_string())
            .collect::<Vec<_>>()
            .join(", "),
        provinces,
        districts,
        units: format_int_thai(status.units),
        hospitals: format_int_thai(status.hospitals),
        errors: Errors::new(t, errors),
        created,
    })
}

pub async fn setup_page(Ctx { st, t, me }: Ctx) -> Result<Response, AppError> {
    render(&page(&st, t, &me, vec![], vec![]).await?)
}

#[derive(Deserialize)]
pub struct ProvinceForm {
    #[serde(default)]
    province_code: String,
}

pub async fn setup_province(
    Ctx { st, t, me }: Ctx,
    Form(f): Form<ProvinceForm>,
) -> Result<Response, AppError> {
    match st.store.setup_province(&me, &f.province_code).await {
        Ok(_) => Ok(Redirect::to("/setup#province").into_response()),
        Err(StoreError::Invalid(e)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(&st, t, &me, e, vec![]).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

pub async fn users_import(Ctx { st, t, me }: Ctx, mp: Multipart) -> Result<Response, AppError> {
    let Some(data) = crate::upload::upload_file(mp).await? else {
        let e = FieldError::new("file", "choose a CSV file", "กรุณาเลือกไฟล์ CSV");
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(&st, t, &me, vec![e], vec![]).await?,
        );
    };
    let data = match spreadsheet_to_csv(&data) {
        Ok(d) => d,
        Err(e) => {
            return render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page(&st, t, &me, vec![e], vec![]).await?,
            );
        }
    };
    match st.store.import_users(&me, &data).await {
        Ok(created) => {
            // Generated passwords are in this one response only: never cached.
            let mut res = render(&page(&st, t, &me, vec![], created).await?)?;
            res.headers_mut()
                .insert(header::CACHE_CONTROL, "no-store".parse().expect("static"));
            Ok(res)
        }
        Err(StoreError::Invalid(e)) => render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(&st, t, &me, e, vec![]).await?,
        ),
        Err(e) => Err(e.into()),
    }
}

/// An XLSX upload (the template filled in Excel) as CSV text for the CSV parsers; CSV passes
/// through. Cells are read as text, so codes keep their leading zeros when typed as text.
pub fn spreadsheet_to_csv(data: &[u8]) -> Result<Vec<u8>, FieldError> {
    if !data.starts_with(b"PK\x03\x04") {
        return Ok(data.to_vec());
    }
    use calamine::{Data, Reader, Xlsx};
    let unreadable = || {
        FieldError::new(
            "file",
            "the spreadsheet cannot be read (save it as .xlsx or CSV UTF-8)",
            "อ่านไฟล์ Excel ไม่ได้ (บันทึกเป็น .xlsx หรือ CSV UTF-8)",
        )
    };
    let mut book: Xlsx<_> =
        Xlsx::new(std::io::Cursor::new(data.to_vec())).map_err(|_| unreadable())?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(unreadable)?
        .map_err(|_| unreadable())?;
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in range.rows() {
        let cells: Vec<String> = row
            .iter()
            .map(|c| match c {
                Data::Empty => String::new(),
                Data::String(s) => s.clone(),
                Data::Float(f) if f.fract() == 0.0 => format!("{f:.0}"),
                other => other.to_string(),
            })
            .collect();
        w.write_record(&cells).map_err(|_| unreadable())?;
    }
    w.into_inner().map_err(|_| unreadable())
}

fn template_rows(kind: &str) -> (&'static [&'static str], Vec<[&'static str; 8]>) {
    match kind {
        "units" => (
            &UNIT_COLUMNS,
            vec![
                [
                    "11001",
                    "โรงพยาบาลตัวอย่าง",
                    "rpch",
                    "4403",
                    "",
                    "F2",
                    "0",
                    "60",
                ],
                [
                    "03726",
                    "รพ.สต.บ้านตัวอย่าง",
                    "rpst",
                    "4403",
                    "11001",
                    "",
                    "0",
                    "0",
                ],
            ],
        ),
        _ => (&USER_COLUMNS, vec![]),
    }
}

fn user_rows() -> Vec<[&'static str; 5]> {
    vec![
        ["pho.finance", "งานการเงิน สสจ.", "province", "44", ""],
        ["dho.kosum", "สสอ.โกสุมพิสัย", "district", "4403", ""],
        [
            "rev.11001",
            "งานจัดเก็บรายได้ รพ.ตัวอย่าง",
            "unit_revenue",
            "11001",
            "",
        ],
        [
            "head.11001",
            "ผู้อำนวยการ รพ.ตัวอย่าง",
            "unit_head",
            "11001",
            "",
        ],
    ]
}

fn csv_download(
    name: &str,
    header_row: &[&str],
    rows: Vec<Vec<&str>>,
) -> Result<Response, AppError> {
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(header_row).map_err(AppError::unexpected)?;
    for r in rows {
        w.write_record(r).map_err(AppError::unexpected)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| AppError::unexpected(e.into_error()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

pub async fn units_template_csv(Me(_): Me) -> Result<Response, AppError> {
    let (head, rows) = template_rows("units");
    csv_download(
        "units-template.csv",
        head,
        rows.iter().map(|r| r.to_vec()).collect(),
    )
}

pub async fn users_template_csv(Me(_): Me) -> Result<Response, AppError> {
    csv_download(
        "users-template.csv",
        &USER_COLUMNS,
        user_rows().iter().map(|r| r.to_vec()).collect(),
    )
}

/// The units template as XLSX: every column formatted as text, so hcode 03726 stays 03726.
pub async fn units_template_xlsx(Me(_): Me) -> Result<Response, AppError> {
    let bytes = (|| -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        use rust_xlsxwriter::{Format, Workbook};
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("units")?;
        let text = Format::new().set_num_format("@");
        let bold = Format::new().set_bold().set_num_format("@");
        let (head, rows) = template_rows("units");
        for (c, h) in head.iter().enumerate() {
            let c = c as u16;
            ws.set_column_format(c, &text)?;
            ws.set_column_width(c, if c == 1 { 32 } else { 14 })?;
            ws.write_string_with_format(0, c, *h, &bold)?;
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                ws.write_string_with_format(r as u32 + 1, c as u16, *v, &text)?;
            }
        }
        wb.save_to_buffer()
    })()
    .map_err(|e| AppError::unexpected_in("xlsx", e))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"units-template.xlsx\"".to_string(),
            ),
        ],
        bytes,
    )
        .into_response())
}
