//! Master data pages: the province overview, districts and units (forms, CSV import and export).

use super::*;

/// A unit as a row of a list.
pub struct UnitRow {
    pub hcode: String,
    pub name: String,
    pub type_abbr: String,
    pub is_hospital: bool,
    pub district: String,
    pub cup_hcode: String,
    pub peer_group: String,
    pub beds: String,
    pub island: bool,
    pub active: bool,
}

pub(crate) fn unit_rows(t: T, units: &[Unit], districts: &[District]) -> Vec<UnitRow> {
    units
        .iter()
        .map(|u| UnitRow {
            hcode: u.hcode.clone(),
            name: u.name_th.clone(),
            type_abbr: if t.is_en() {
                u.unit_type.name_en().into()
            } else {
                u.unit_type.abbr_th().into()
            },
            is_hospital: u.unit_type.is_hospital(),
            district: districts
                .iter()
                .find(|d| d.code == u.district_code)
                .map(|d| t.pick(&d.name_th, &d.name_en).to_string())
                .unwrap_or_else(|| u.district_code.clone()),
            cup_hcode: u.cup_hcode.clone(),
            peer_group: u
                .peer_group
                .map(|p| p.code().to_string())
                .unwrap_or_default(),
            beds: format_int_thai(u.beds),
            island: u.island,
            active: u.active,
        })
        .collect()
}

pub struct DistrictRow {
    pub code: String,
    pub name: String,
    pub hospitals: String,
    pub health_promoting: String,
    pub other_units: String,
    pub units: String,
    pub beds: String,
}

#[derive(Template)]
#[template(path = "province.html")]
pub(crate) struct ProvincePage {
    /// The setup checklist while anything is missing (empty once done).
    setup_steps: Vec<crate::setup::StepView>,
    l: Layout,
    province_names: String,
    rows: Vec<DistrictRow>,
    total: DistrictRow,
    districts: String,
}

pub async fn province(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
) -> Result<Response, AppError> {
    if !matches!(me.role, Role::Admin | Role::Province) {
        return Err(AppError::Forbidden);
    }
    let provinces = st.store.list_provinces(&me).await?;
    let summary: Vec<DistrictSummary> = st.store.province_overview(&me).await?;
    let row = |code: String, name: String, h: i64, p: i64, o: i64, b: i64| DistrictRow {
        code,
        name,
        hospitals: format_int_thai(h),
        health_promoting: format_int_thai(p),
        other_units: format_int_thai(o),
        units: format_int_thai(h + p + o),
        beds: format_int_thai(b),
    };
    let rows = summary
        .iter()
        .map(|s| {
            row(
                s.district.code.clone(),
                t.pick(&s.district.name_th, &s.district.name_en).to_string(),
                s.hospitals,
                s.health_promoting,
                s.other_units,
                s.beds,
            )
        })
        .collect();
    let sum = |f: fn(&DistrictSummary) -> i64| summary.iter().map(f).sum::<i64>();
    let total = row(
        String::new(),
        t.s("total").into(),
        sum(|s| s.hospitals),
        sum(|s| s.health_promoting),
        sum(|s| s.other_units),
        sum(|s| s.beds),
    );
    let province_names = provinces
        .iter()
        .map(|p| t.pick(&p.name_th, &p.name_en).to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let setup = st.store.setup_status(&me).await?;
    let setup_steps = if setup.missing().is_empty() {
        Vec::new()
    } else {
        crate::setup::steps(t, &setup)
    };
    render(&ProvincePage {
        setup_steps,
        l: Layout::new(
            t,
            Some(&me),
            format!("{} {}", t.s("nav_province"), province_names),
            "province",
        ),
        province_names,
        districts: format_int_thai(summary.len() as i64),
        rows,
        total,
    })
}

#[derive(Template)]
#[template(path = "district.html")]
pub(crate) struct DistrictPage {
    l: Layout,
    d: District,
    name: String,
    rows: Vec<UnitRow>,
    beds: String,
}

pub async fn district_detail(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let d = st.store.get_district(&me, &code).await?;
    let units = st
        .store
        .list_units(
            &me,
            &UnitQuery {
                district_code: Some(code.clone()),
                ..Default::default()
            },
        )
        .await?;
    let beds = format_int_thai(units.iter().map(|u| u.beds).sum());
    let name = t.pick(&d.name_th, &d.name_en).to_string();
    render(&DistrictPage {
        l: Layout::new(
            t,
            Some(&me),
            format!("{} {name}", t.s("district")),
            "districts",
        ),
        rows: unit_rows(t, &units, std::slice::from_ref(&d)),
        name,
        d,
        beds,
    })
}

#[derive(Template)]
#[template(path = "district_form.html")]
pub(crate) struct DistrictForm {
    l: Layout,
    is_new: bool,
    code: String,
    name_th: String,
    name_en: String,
    province_code: String,
    provinces: Vec<(String, String)>,
    errors: Errors,
}

pub(crate) async fn district_form(
    st: &AppState,
    t: T,
    me: &Actor,
    d: Option<District>,
    f: Option<&DistrictFields>,
    errors: Vec<FieldError>,
) -> Result<DistrictForm, AppError> {
    let provinces = st.store.list_provinces(me).await?;
    let is_new = d.is_none();
    let d = d.unwrap_or(District {
        code: String::new(),
        province_code: provinces
            .first()
            .map(|p| p.code.clone())
            .unwrap_or_default(),
        name_th: String::new(),
        name_en: String::new(),
    });
    let d = match f {
        Some(f) => f.over(d),
        None => d,
    };
    Ok(DistrictForm {
        l: Layout::new(
            t,
            Some(me),
            t.s(if is_new {
                "add_district"
            } else {
                "edit_district"
            }),
            "districts",
        ),
        is_new,
        code: d.code,
        name_th: d.name_th,
        name_en: d.name_en,
        province_code: d.province_code,
        provinces: provinces.into_iter().map(|p| (p.code, p.name_th)).collect(),
        errors: Errors::new(t, errors),
    })
}

pub async fn district_new(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
) -> Result<Response, AppError> {
    render(&district_form(&st, t, &me, None, None, vec![]).await?)
}

pub async fn district_edit(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let d = st.store.get_district(&me, &code).await?;
    render(&district_form(&st, t, &me, Some(d), None, vec![]).await?)
}

/// The district form as posted. Fields are optional so that a redrawn form keeps the
/// district's value for a field the post left out.
#[derive(Debug, Default, Deserialize)]
pub struct DistrictFields {
    code: Option<String>,
    province_code: Option<String>,
    name_th: Option<String>,
    name_en: Option<String>,
}

impl DistrictFields {
    /// The posted values as typed over `d`, to draw the form again.
    fn over(&self, d: District) -> District {
        let pick = |v: &Option<String>, dflt: String| v.clone().unwrap_or(dflt);
        District {
            code: pick(&self.code, d.code),
            province_code: pick(&self.province_code, d.province_code),
            name_th: pick(&self.name_th, d.name_th),
            name_en: pick(&self.name_en, d.name_en),
        }
    }

    /// The district to save, trimmed; `code` is the edited district's, when editing.
    fn district(&self, code: Option<&str>) -> District {
        let g = |v: &Option<String>| v.as_deref().unwrap_or_default().trim().to_string();
        District {
            code: code.map(str::to_string).unwrap_or_else(|| g(&self.code)),
            province_code: g(&self.province_code),
            name_th: g(&self.name_th),
            name_en: g(&self.name_en),
        }
    }
}

pub(crate) async fn save_district_form(
    st: AppState,
    t: T,
    me: Actor,
    existing: Option<District>,
    f: DistrictFields,
) -> Result<Response, AppError> {
    let d = f.district(existing.as_ref().map(|d| d.code.as_str()));
    if existing.is_none() && st.store.get_district(&me, &d.code).await.is_ok() {
        let e = FieldError::new("code", "district code already exists", "รหัสอำเภอนี้มีอยู่แล้ว");
        let form = district_form(&st, t, &me, None, Some(&f), vec![e]).await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &form);
    }
    match st.store.save_district(&me, &d).await {
        Ok(()) => Ok(Redirect::to(&format!("/districts/{}", d.code)).into_response()),
        Err(StoreError::Invalid(errs)) => {
            let form = district_form(&st, t, &me, existing, Some(&f), errs).await?;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &form)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn district_create(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Form(f): Form<DistrictFields>,
) -> Result<Response, AppError> {
    save_district_form(st, t, me, None, f).await
}

pub async fn district_update(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path(code): Path<String>,
    Form(f): Form<DistrictFields>,
) -> Result<Response, AppError> {
    let existing = st.store.get_district(&me, &code).await?;
    save_district_form(st, t, me, Some(existing), f).await
}

#[derive(Deserialize, Default)]
pub struct UnitsQuery {
    district: Option<String>,
    #[serde(rename = "type")]
    unit_type: Option<String>,
    q: Option<String>,
}

impl UnitsQuery {
    fn to_store(&self) -> UnitQuery {
        UnitQuery {
            district_code: self.district.clone().filter(|s| !s.is_empty()),
            unit_type: self.unit_type.as_deref().and_then(UnitType::parse),
            cup_hcode: None,
            text: self.q.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "units.html")]
pub(crate) struct UnitsPage {
    l: Layout,
    rows: Vec<UnitRow>,
    districts: Vec<(String, String)>,
    types: Vec<(String, String)>,
    f_district: String,
    f_type: String,
    f_q: String,
    count: String,
    beds: String,
    query: String,
}

pub async fn units(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Query(q): Query<UnitsQuery>,
) -> Result<Response, AppError> {
    let districts = st.store.list_districts(&me).await?;
    let units = st.store.list_units(&me, &q.to_store()).await?;
    let query = serde_urlencoded_query(&q);
    render(&UnitsPage {
        l: Layout::new(t, Some(&me), t.s("units"), "units"),
        count: format_int_thai(units.len() as i64),
        beds: format_int_thai(units.iter().map(|u| u.beds).sum()),
        rows: unit_rows(t, &units, &districts),
        districts: districts
            .iter()
            .map(|d| (d.code.clone(), t.pick(&d.name_th, &d.name_en).to_string()))
            .collect(),
        types: UnitType::ALL
            .iter()
            .map(|u| {
                (
                    u.code().to_string(),
                    t.pick(u.abbr_th(), u.name_en()).to_string(),
                )
            })
            .collect(),
        f_district: q.district.clone().unwrap_or_default(),
        f_type: q.unit_type.clone().unwrap_or_default(),
        f_q: q.q.clone().unwrap_or_default(),
        query,
    })
}

pub(crate) fn serde_urlencoded_query(q: &UnitsQuery) -> String {
    use crate::auth::urlencode;
    let mut parts = Vec::new();
    for (k, v) in [
        ("district", &q.district),
        ("type", &q.unit_type),
        ("q", &q.q),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            parts.push(format!("{k}={}", urlencode(v)));
        }
    }
    parts.join("&")
}

/// The visible units as CSV in the import format, so an export can be edited and re-imported.
pub async fn units_export(
    State(st): State<AppState>,
    Me(me): Me,
    Query(q): Query<UnitsQuery>,
) -> Result<Response, AppError> {
    let units = st.store.list_units(&me, &q.to_store()).await?;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "hcode",
        "name_th",
        "unit_type",
        "district_code",
        "cup_hcode",
        "peer_group",
        "island",
        "beds",
        "active",
    ])
    .map_err(AppError::unexpected)?;
    for u in &units {
        let row = [
            u.hcode.as_str(),
            &u.name_th,
            u.unit_type.code(),
            &u.district_code,
            &u.cup_hcode,
            u.peer_group.map(|p| p.code()).unwrap_or(""),
            if u.island { "1" } else { "0" },
            &u.beds.to_string(),
            if u.active { "1" } else { "0" },
        ];
        w.write_record(row.map(|c| csv_cell_bytes(c.as_bytes())))
            .map_err(AppError::unexpected)?;
    }
    let mut body = b"\xEF\xBB\xBF".to_vec(); // BOM so Excel opens Thai text as UTF-8
    body.extend(
        w.into_inner()
            .map_err(|e| AppError::unexpected(e.into_error()))?,
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"units.csv\"",
            ),
        ],
        body,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "unit.html")]
pub(crate) struct UnitPage {
    l: Layout,
    u: Unit,
    type_label: String,
    district: String,
    cup_name: String,
    beds: String,
    updated: String,
    cup_rows: Vec<UnitRow>,
}

pub async fn unit_detail(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path(hcode): Path<String>,
) -> Result<Response, AppError> {
    let u = st.store.get_unit(&me, &hcode).await?;
    let districts = st.store.list_districts(&me).await?;
    let cup_units = if u.unit_type.is_hospital() {
        st.store
            .list_units(
                &me,
                &UnitQuery {
                    cup_hcode: Some(u.hcode.clone()),
                    ..Default::default()
                },
            )
            .await?
    } else {
        Vec::new()
    };
    let cup_name = match st.store.get_unit(&me, &u.cup_hcode).await {
        Ok(c) => c.name_th,
        Err(StoreError::NotFound) => String::new(),
        Err(e) => return Err(e.into()),
    };
    let district = districts
        .iter()
        .find(|d| d.code == u.district_code)
        .map(|d| t.pick(&d.name_th, &d.name_en).to_string())
        .unwrap_or_default();
    let cup_rows = unit_rows(
        t,
        &cup_units
            .into_iter()
            .filter(|c| c.hcode != u.hcode)
            .collect::<Vec<_>>(),
        &districts,
    );
    render(&UnitPage {
        l: Layout::new(t, Some(&me), u.name_th.clone(), "units"),
        type_label: t
            .pick(u.unit_type.abbr_th(), u.unit_type.name_en())
            .to_string(),
        district,
        cup_name,
        beds: format_int_thai(u.beds),
        updated: datetime(t, u.updated_at),
        cup_rows,
        u,
    })
}

#[derive(Template)]
#[template(path = "unit_form.html")]
pub(crate) struct UnitFormPage {
    l: Layout,
    is_new: bool,
    v: UnitInput,
    districts: Vec<(String, String)>,
    hospitals: Vec<(String, String)>,
    types: Vec<(String, String)>,
    groups: Vec<String>,
    errors: Errors,
}

pub(crate) async fn unit_form(
    st: &AppState,
    t: T,
    me: &Actor,
    is_new: bool,
    v: UnitInput,
    errors: Vec<FieldError>,
) -> Result<UnitFormPage, AppError> {
    let districts = st.store.list_districts(me).await?;
    let hospitals = st.store.list_units(me, &UnitQuery::default()).await?;
    Ok(UnitFormPage {
        l: Layout::new(
            t,
            Some(me),
            t.s(if is_new { "add_unit" } else { "edit_unit" }),
            "units",
        ),
        is_new,
        v,
        districts: districts
            .iter()
            .map(|d| (d.code.clone(), t.pick(&d.name_th, &d.name_en).to_string()))
            .collect(),
        hospitals: hospitals
            .into_iter()
            .filter(|u| u.unit_type.is_hospital())
            .map(|u| (u.hcode, u.name_th))
            .collect(),
        types: UnitType::ALL
            .iter()
            .map(|u| {
                (
                    u.code().to_string(),
                    t.pick(u.abbr_th(), u.name_en()).to_string(),
                )
            })
            .collect(),
        groups: PeerGroup::ALL
            .iter()
            .map(|p| p.code().to_string())
            .collect(),
        errors: Errors::new(t, errors),
    })
}

/// The unit form as posted. Text stays text here: the store validates it into its field
/// errors; a checkbox counts as ticked when present at all.
#[derive(Debug, Default, Deserialize)]
pub struct UnitFields {
    #[serde(default)]
    hcode: String,
    #[serde(default)]
    name_th: String,
    #[serde(default)]
    unit_type: String,
    #[serde(default)]
    district_code: String,
    #[serde(default)]
    cup_hcode: String,
    #[serde(default)]
    peer_group: String,
    #[serde(default)]
    beds: String,
    island: Option<String>,
    active: Option<String>,
}

/// Reads the unit form; a non-numeric bed count is reported like any other field error.
pub(crate) fn unit_input_from_form(f: &UnitFields) -> (UnitInput, Vec<FieldError>) {
    let g = |v: &str| v.trim().to_string();
    let mut errs = Vec::new();
    let beds_s = g(&f.beds).replace(',', "");
    let beds = if beds_s.is_empty() {
        0
    } else {
        beds_s.parse::<i64>().unwrap_or_else(|_| {
            errs.push(FieldError::new(
                "beds",
                "beds must be a whole number",
                "จำนวนเตียงต้องเป็นจำนวนเต็ม",
            ));
            0
        })
    };
    let v = UnitInput {
        hcode: g(&f.hcode),
        name_th: g(&f.name_th),
        unit_type: g(&f.unit_type),
        district_code: g(&f.district_code),
        cup_hcode: g(&f.cup_hcode),
        peer_group: g(&f.peer_group),
        island: f.island.is_some(),
        beds,
        active: f.active.is_some(),
    };
    (v, errs)
}

pub async fn unit_new(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
) -> Result<Response, AppError> {
    let v = UnitInput {
        hcode: String::new(),
        name_th: String::new(),
        unit_type: UnitType::Rpst.code().into(),
        district_code: String::new(),
        cup_hcode: String::new(),
        peer_group: String::new(),
        island: false,
        beds: 0,
        active: true,
    };
    render(&unit_form(&st, t, &me, true, v, vec![]).await?)
}

pub async fn unit_edit(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path(hcode): Path<String>,
) -> Result<Response, AppError> {
    let u = st.store.get_unit(&me, &hcode).await?;
    let v = UnitInput {
        hcode: u.hcode,
        name_th: u.name_th,
        unit_type: u.unit_type.code().into(),
        district_code: u.district_code,
        cup_hcode: u.cup_hcode,
        peer_group: u
            .peer_group
            .map(|p| p.code().to_string())
            .unwrap_or_default(),
        island: u.island,
        beds: u.beds,
        active: u.active,
    };
    render(&unit_form(&st, t, &me, false, v, vec![]).await?)
}

pub(crate) async fn save_unit_form(
    st: AppState,
    t: T,
    me: Actor,
    existing: Option<String>,
    f: UnitFields,
) -> Result<Response, AppError> {
    let (mut v, mut errs) = unit_input_from_form(&f);
    if let Some(h) = &existing {
        v.hcode = h.clone();
    }
    let result = if !errs.is_empty() {
        Err(StoreError::Invalid(vec![]))
    } else if let Some(h) = &existing {
        st.store.update_unit(&me, h, &v).await
    } else {
        st.store.create_unit(&me, &v).await
    };
    match result {
        Ok(u) => Ok(Redirect::to(&format!("/units/{}", u.hcode)).into_response()),
        Err(StoreError::Invalid(e)) => {
            errs.extend(e);
            let form = unit_form(&st, t, &me, existing.is_none(), v, errs).await?;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &form)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn unit_create(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Form(f): Form<UnitFields>,
) -> Result<Response, AppError> {
    save_unit_form(st, t, me, None, f).await
}

pub async fn unit_update(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    Path(hcode): Path<String>,
    Form(f): Form<UnitFields>,
) -> Result<Response, AppError> {
    st.store.get_unit(&me, &hcode).await?;
    save_unit_form(st, t, me, Some(hcode), f).await
}

#[derive(Template)]
#[template(path = "units_import.html")]
pub(crate) struct ImportPage {
    l: Layout,
    errors: Errors,
    imported: String,
}

pub async fn units_import_page(Tr(t): Tr, Me(me): Me) -> Result<Response, AppError> {
    render(&ImportPage {
        l: Layout::new(t, Some(&me), t.s("import_units"), "units"),
        errors: Errors::new(t, vec![]),
        imported: String::new(),
    })
}

pub async fn units_import(
    State(st): State<AppState>,
    Tr(t): Tr,
    Me(me): Me,
    mut mp: Multipart,
) -> Result<Response, AppError> {
    let mut data = None;
    while let Some(field) = mp.next_field().await.map_err(|e| {
        AppError::BadRequest(vec![FieldError::new(
            "file",
            format!("upload failed: {e}"),
            "อัปโหลดไฟล์ไม่สำเร็จ",
        )])
    })? {
        if field.name() == Some("file") {
            data = Some(field.bytes().await.map_err(|e| {
                AppError::BadRequest(vec![FieldError::new(
                    "file",
                    format!("upload failed: {e}"),
                    "อัปโหลดไฟล์ไม่สำเร็จ",
                )])
            })?);
        }
    }
    let page = |errors: Vec<FieldError>, imported: String| ImportPage {
        l: Layout::new(t, Some(&me), t.s("import_units"), "units"),
        errors: Errors::new(t, errors),
        imported,
    };
    let Some(data) = data.filter(|d| !d.is_empty()) else {
        let e = FieldError::new("file", "choose a CSV file", "กรุณาเลือกไฟล์ CSV");
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(vec![e], String::new()),
        );
    };
    let data = match crate::setup::spreadsheet_to_csv(&data) {
        Ok(d) => d,
        Err(e) => {
            return render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page(vec![e], String::new()),
            );
        }
    };
    let result = match parse_units_csv(&data) {
        Ok(rows) => st.store.import_units(&me, &rows, 2).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(n) => render(&page(vec![], format_int_thai(n as i64))),
        Err(StoreError::Invalid(errs)) => {
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page(errs, String::new()))
        }
        Err(e) => Err(e.into()),
    }
}
