//! The Data Audit rule catalogue: what makes a visit "not ready to claim", how serious it is,
//! the NHSO error it predicts and how to fix it. The catalogue is data
//! (`data/audit_rules.tsv`), versioned per fiscal year by the province like the posting map;
//! the checks themselves are `raidai_claims::audit`.

use std::collections::BTreeMap;

/// How a finding weighs on the claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The claim would come back C or Deny: not ready to claim.
    Block,
    /// Worth a look; the claim may pass.
    Warn,
}

impl Severity {
    pub fn code(self) -> &'static str {
        match self {
            Severity::Block => "block",
            Severity::Warn => "warn",
        }
    }
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "block" => Some(Severity::Block),
            "warn" => Some(Severity::Warn),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditRule {
    pub code: String,
    pub severity: Severity,
    /// `C`, `Deny`, `V`, or empty when the fund's reaction is not known.
    pub nhso_class: String,
    /// The NHSO error code it predicts, if known (`998`, `305`, `A10`, …).
    pub nhso_code: String,
    /// Rule parameter (LATE01: `UC:30 OFC:…` submission windows in days).
    pub param: String,
    pub text_th: String,
    pub text_en: String,
    pub fix_th: String,
    pub fix_en: String,
}

impl AuditRule {
    /// The submission window in days of `fund` (LATE01's parameter `UC:30 …`).
    pub fn window_days(&self, fund: &str) -> Option<i64> {
        self.param.split_whitespace().find_map(|p| {
            let (f, d) = p.split_once(':')?;
            (f == fund).then(|| d.parse().ok()).flatten()
        })
    }
}

/// Every rule code the checks know; a catalogue must describe each exactly once.
pub const RULE_CODES: &[&str] = &[
    "AUTH01", "AUTH02", "AUTH03", "RIGHT01", "RIGHT02", "RIGHT03", "RIGHT04", "CID01", "CID02",
    "DX01", "DX02", "DX03", "DX04", "DX05", "IP01", "IP02", "IP03", "IP04", "PX01", "CHG01",
    "CHG02", "CHG03", "CHG04", "CLN01", "LATE01", "DUP01", "AE01", "AE02", "REF01", "DRU01",
    "LINE01", "FLD01",
];

/// Rules added after provinces could save their own catalogue: a saved text without one takes
/// the shipped rule (every other code must be in the text).
const ADDED_LATER: &[&str] = &["LINE01", "FLD01"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for CatalogueError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// The catalogue of a province for one fiscal year, by rule code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalogue {
    rules: BTreeMap<String, AuditRule>,
}

impl Catalogue {
    pub fn get(&self, code: &str) -> Option<&AuditRule> {
        self.rules.get(code)
    }
    pub fn rules(&self) -> impl Iterator<Item = &AuditRule> {
        self.rules.values()
    }
    pub fn severity(&self, code: &str) -> Severity {
        self.get(code).map_or(Severity::Warn, |r| r.severity)
    }
}

const SHIPPED: &str = include_str!("../data/audit_rules.tsv");

/// The catalogue shipped with raidai (the default of every province and year).
pub fn default_catalogue() -> Catalogue {
    parse_catalogue(SHIPPED).expect("the shipped audit catalogue parses")
}

/// The shipped catalogue's text (the template the province edits).
pub fn default_catalogue_text() -> &'static str {
    SHIPPED
}

/// Parses a catalogue in the `audit_rules.tsv` layout: 9 tab-separated columns, `#` comments,
/// a header line; every code of [`RULE_CODES`] exactly once, nothing else.
pub fn parse_catalogue(text: &str) -> Result<Catalogue, CatalogueError> {
    let mut rules = BTreeMap::new();
    let mut last = 0;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        last = line;
        let l = raw.trim_end_matches('\r');
        if l.trim().is_empty() || l.starts_with('#') || l.starts_with("code\t") {
            continue;
        }
        let err = |message: String| CatalogueError { line, message };
        let f: Vec<&str> = l.split('\t').map(str::trim).collect();
        if f.len() != 9 {
            return Err(err(format!(
                "expected 9 tab-separated columns, found {}",
                f.len()
            )));
        }
        let code = f[0].to_string();
        if !RULE_CODES.contains(&f[0]) {
            return Err(err(format!("unknown rule code {code}")));
        }
        let severity = Severity::parse(f[1])
            .ok_or_else(|| err(format!("severity must be block or warn, not {}", f[1])))?;
        let dash = |s: &str| {
            if s == "-" {
                String::new()
            } else {
                s.to_string()
            }
        };
        if f[5].is_empty() || f[6].is_empty() {
            return Err(err(format!(
                "{code}: the Thai and English texts are required"
            )));
        }
        let rule = AuditRule {
            code: code.clone(),
            severity,
            nhso_class: dash(f[2]),
            nhso_code: dash(f[3]),
            param: dash(f[4]),
            text_th: f[5].to_string(),
            text_en: f[6].to_string(),
            fix_th: dash(f[7]),
            fix_en: dash(f[8]),
        };
        if code == "LATE01"
            && rule.param.split_whitespace().any(|p| {
                p.split_once(':')
                    .is_none_or(|(_, d)| d.parse::<u32>().is_err())
            })
        {
            return Err(err(format!(
                "LATE01: parameter must be FUND:DAYS pairs, not {}",
                rule.param
            )));
        }
        if rules.insert(code.clone(), rule).is_some() {
            return Err(err(format!("rule {code} appears twice")));
        }
    }
    let missing: Vec<&str> = RULE_CODES
        .iter()
        .copied()
        .filter(|c| !rules.contains_key(*c))
        .collect();
    for code in missing {
        let shipped = (text != SHIPPED && ADDED_LATER.contains(&code))
            .then(|| default_catalogue().rules.remove(code))
            .flatten();
        let Some(rule) = shipped else {
            return Err(CatalogueError {
                line: last,
                message: format!("rule {code} is missing"),
            });
        };
        rules.insert(rule.code.clone(), rule);
    }
    Ok(Catalogue { rules })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_catalogue_describes_every_rule() {
        let c = default_catalogue();
        assert_eq!(c.rules().count(), RULE_CODES.len());
        assert!(RULE_CODES.len() >= 25);
        let late = c.get("LATE01").unwrap();
        assert_eq!(late.window_days("UC"), Some(30));
        assert_eq!(late.window_days("OFC"), None);
        assert_eq!(late.nhso_code, "998");
        assert_eq!(c.get("AUTH01").unwrap().nhso_code, "305");
        assert_eq!(c.get("DX02").unwrap().nhso_class, "Deny");
        assert_eq!(c.severity("CHG04"), Severity::Warn);
    }

    #[test]
    fn a_bad_catalogue_is_named_by_line() {
        let text = default_catalogue_text();
        let broken = text.replacen("AUTH01\tblock", "AUTH01\tsevere", 1);
        let e = parse_catalogue(&broken).unwrap_err();
        assert!(e.message.contains("severity"), "{e}");
        assert!(e.line > 8);
        let dropped: String = text
            .lines()
            .filter(|l| !l.starts_with("DRU01"))
            .map(|l| format!("{l}\n"))
            .collect();
        assert!(
            parse_catalogue(&dropped)
                .unwrap_err()
                .message
                .contains("DRU01")
        );
        // A text saved before LINE01 existed takes the shipped rule.
        let before_line01: String = text
            .lines()
            .filter(|l| !l.starts_with("LINE01"))
            .map(|l| format!("{l}\n"))
            .collect();
        let c = parse_catalogue(&before_line01).unwrap();
        assert_eq!(c.get("LINE01"), default_catalogue().get("LINE01"));
        let twice = format!("{text}{}\n", text.lines().last().unwrap());
        assert!(
            parse_catalogue(&twice)
                .unwrap_err()
                .message
                .contains("twice")
        );
        let late = text.replacen("UC:30", "UC:thirty", 1);
        assert!(
            parse_catalogue(&late)
                .unwrap_err()
                .message
                .contains("LATE01")
        );
    }
}
