//! What every page shows around its content, and small formatting helpers.

use crate::i18n::T;
use chrono::{DateTime, FixedOffset, Utc};
use raidai_domain::calendar::{FiscalYear, format_be_datetime};
use raidai_domain::master::Role;
use raidai_store::{Actor, FieldError};

pub struct UserBadge {
    pub name: String,
    pub role: String,
    pub is_admin: bool,
    pub sees_province: bool,
    pub home_unit: Option<String>,
    pub home_district: Option<String>,
}

pub struct Layout {
    pub t: T,
    pub title: String,
    pub nav: &'static str,
    pub user: Option<UserBadge>,
    pub fiscal_year: String,
    pub flash: String,
    /// Appended to the asset URLs (`?v=`): a browser keeps assets a day, and a new build's
    /// styles must not wait for that.
    pub asset_v: &'static str,
}

fn bangkok() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("UTC+7")
}

impl Layout {
    pub fn new(t: T, me: Option<&Actor>, title: impl Into<String>, nav: &'static str) -> Layout {
        let today = Utc::now().with_timezone(&bangkok()).date_naive();
        let fy = FiscalYear::of(today);
        Layout {
            t,
            title: title.into(),
            nav,
            user: me.map(|a| UserBadge {
                name: a.who.display_name.clone(),
                role: t
                    .pick(a.who.role.name_th(), a.who.role.name_en())
                    .to_string(),
                is_admin: a.who.role == Role::Admin,
                sees_province: matches!(a.who.role, Role::Admin | Role::Province),
                home_unit: a.who.hcode.clone(),
                home_district: a
                    .who
                    .district_code
                    .clone()
                    .filter(|_| a.who.role == Role::District),
            }),
            fiscal_year: if t.is_en() {
                fy.label_en()
            } else {
                fy.label_th()
            },
            flash: String::new(),
            asset_v: crate::assets::version(),
        }
    }

    pub fn with_flash(mut self, msg: impl Into<String>) -> Layout {
        self.flash = msg.into();
        self
    }
}

/// Epoch milliseconds as a Bangkok date-time: BE in Thai, CE in English.
pub fn datetime(t: T, ms: i64) -> String {
    let Some(dt) = DateTime::<Utc>::from_timestamp_millis(ms) else {
        return String::new();
    };
    let local = dt.with_timezone(&bangkok()).naive_local();
    if t.is_en() {
        local.format("%d %b %Y %H:%M").to_string()
    } else {
        format_be_datetime(local)
    }
}

/// The errors of a pasted table in one line, each led by its line number where known.
pub fn line_errors_text(t: T, errs: &[FieldError]) -> String {
    errs.iter()
        .map(|e| {
            let line = e.line.map(|l| format!("{l}: ")).unwrap_or_default();
            format!("{line}{}", t.pick(&e.message_th, &e.message_en))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Field errors of a form, looked up by field name in templates.
#[derive(Default)]
pub struct Errors {
    pub t: T,
    pub list: Vec<FieldError>,
}

impl Errors {
    pub fn new(t: T, list: Vec<FieldError>) -> Errors {
        Errors { t, list }
    }
    pub fn get(&self, field: &str) -> String {
        self.list
            .iter()
            .filter(|e| e.field == field)
            .map(|e| self.t.pick(&e.message_th, &e.message_en).to_string())
            .collect::<Vec<_>>()
            .join(" ")
    }
    pub fn any(&self) -> bool {
        !self.list.is_empty()
    }
    pub fn message(&self, e: &FieldError) -> String {
        self.t.pick(&e.message_th, &e.message_en).to_string()
    }
    pub fn line(&self, e: &FieldError) -> String {
        e.line.map(|l| l.to_string()).unwrap_or_default()
    }
}
