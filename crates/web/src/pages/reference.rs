//! Reference pages: the MoPH chart of accounts and the rights (MAININSCL and sub-rights).

use super::*;

pub struct AccountRow {
    pub code: String,
    pub name: String,
    pub usage: String,
}

#[derive(Template)]
#[template(path = "accounts.html")]
pub(crate) struct AccountsPage {
    l: Layout,
    rows: Vec<AccountRow>,
}

pub async fn accounts(Tr(t): Tr, Me(me): Me) -> Result<Response, AppError> {
    let rows = raidai_domain::accounts::chart()
        .iter()
        .map(|a| AccountRow {
            code: a.code.to_string(),
            name: a.name_th.to_string(),
            usage: a.usage.to_string(),
        })
        .collect();
    render(&AccountsPage {
        l: Layout::new(t, Some(&me), t.s("accounts_title"), "accounts"),
        rows,
    })
}

pub struct RightRow {
    pub main: String,
    pub main_name: String,
    pub sub: String,
    pub name: String,
    pub expiry: String,
}

#[derive(Template)]
#[template(path = "rights.html")]
pub(crate) struct RightsPage {
    l: Layout,
    rows: Vec<RightRow>,
}

pub async fn rights(Tr(t): Tr, Me(me): Me) -> Result<Response, AppError> {
    use raidai_domain::rights::{main_right, sub_rights};
    let rows = sub_rights()
        .iter()
        .map(|s| RightRow {
            main: s.main.to_string(),
            main_name: main_right(&s.main)
                .map(|m| t.pick(m.name_th, m.name_en).to_string())
                .unwrap_or_default(),
            sub: s.code.to_string(),
            name: s.name.to_string(),
            expiry: s.expiry_rule.to_string(),
        })
        .collect();
    render(&RightsPage {
        l: Layout::new(t, Some(&me), t.s("rights_title"), "rights"),
        rows,
    })
}
