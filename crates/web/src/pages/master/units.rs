//! Unit pages: the list and its CSV export, a unit, its form, and the units CSV import.

use super::*;
use crate::auth::Params;
use crate::error::hcode_of;
use raidai_domain::ids::Hcode;

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
    Ctx { st, t, me }: Ctx,
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
        types: unit_type_options(t),
        f_district: q.district.clone().unwrap_or_default(),
        f_type: q.unit_type.clone().unwrap_or_default(),
        f_q: q.q.clone().unwrap_or_default(),
        query,
    })
}

/// The unit types as (code, short name) for a filter or form select.
fn unit_type_options(t: T) -> Vec<(String, String)> {
    UnitType::ALL
        .iter()
        .map(|u| {
            (
                u.code().to_string(),
                t.pick(u.abbr_th(), u.name_en()).to_string(),
            )
        })
        .collect()
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
    // The import's columns and then `active`, which only the export carries.
    w.write_record(crate::setup::UNIT_COLUMNS.iter().chain(&["active"]))
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
    Ctx { st, t, me }: Ctx,
    Params(hcode): Params<Hcode>,
) -> Result<Response, AppError> {
    let u = st.store.get_unit(&me, hcode).await?;
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
    let cup_name = match st.store.get_unit(&me, hcode_of(&u.cup_hcode)?).await {
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
        types: unit_type_options(t),
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

pub async fn unit_new(Ctx { st, t, me }: Ctx) -> Result<Response, AppError> {
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
    Ctx { st, t, me }: Ctx,
    Params(hcode): Params<Hcode>,
) -> Result<Response, AppError> {
    let u = st.store.get_unit(&me, hcode).await?;
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
        st.store.update_unit(&me, hcode_of(h)?, &v).await
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
    Ctx { st, t, me }: Ctx,
    Form(f): Form<UnitFields>,
) -> Result<Response, AppError> {
    save_unit_form(st, t, me, None, f).await
}

pub async fn unit_update(
    Ctx { st, t, me }: Ctx,
    Params(hcode): Params<Hcode>,
    Form(f): Form<UnitFields>,
) -> Result<Response, AppError> {
    st.store.get_unit(&me, hcode).await?;
    save_unit_form(st, t, me, Some(hcode.to_string()), f).await
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

pub async fn units_import(Ctx { st, t, me }: Ctx, mp: Multipart) -> Result<Response, AppError> {
    let data = crate::upload::upload_file(mp).await?;
    let page = |errors: Vec<FieldError>, imported: String| ImportPage {
        l: Layout::new(t, Some(&me), t.s("import_units"), "units"),
        errors: Errors::new(t, errors),
        imported,
    };
    let Some(data) = data else {
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
