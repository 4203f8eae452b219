//! Master data pages: the province overview and districts (the units are in `units.rs`).

use super::*;

mod units;
pub use units::*;

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

pub async fn province(Ctx { st, t, me }: Ctx) -> Result<Response, AppError> {
    if !matches!(me.who.role, Role::Admin | Role::Province) {
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
    Ctx { st, t, me }: Ctx,
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

pub async fn district_new(Ctx { st, t, me }: Ctx) -> Result<Response, AppError> {
    render(&district_form(&st, t, &me, None, None, vec![]).await?)
}

pub async fn district_edit(
    Ctx { st, t, me }: Ctx,
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
    Ctx { st, t, me }: Ctx,
    Form(f): Form<DistrictFields>,
) -> Result<Response, AppError> {
    save_district_form(st, t, me, None, f).await
}

pub async fn district_update(
    Ctx { st, t, me }: Ctx,
    Path(code): Path<String>,
    Form(f): Form<DistrictFields>,
) -> Result<Response, AppError> {
    let existing = st.store.get_district(&me, &code).await?;
    save_district_form(st, t, me, Some(existing), f).await
}
