//! The MoPH chart of accounts (ผังบัญชี สป.) and the default posting map, both seed data
//! (DOMAIN §4).

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::embedded::{field, tsv_rows};
use crate::rights::{Fund, code_enum};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("account code must look like 1102050101.201 (10 digits, a dot, 3 digits), got {0:?}")]
pub struct AccountCodeError(pub String);

/// A MoPH account code, `10 digits . 3 digits`, e.g. `1102050101.201`. Fixed width, so the
/// derived ordering is the numeric order. Serialised as the string.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AccountCode([u8; 14]);

/// What an account is, judged from its code prefix alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    /// `110205…`: patient receivables (ลูกหนี้ค่ารักษา). The prefix also covers the
    /// carried-over (…94), accrued-difference (…07) and doubtful-debt allowance (…23) families.
    Receivable,
    /// `4…`
    Revenue,
    /// `2…`
    Payable,
    Other,
}

impl AccountCode {
    pub fn parse(s: &str) -> Result<AccountCode, AccountCodeError> {
        let t = s.trim();
        match <[u8; 14]>::try_from(t.as_bytes()) {
            Ok(b)
                if b[10] == b'.'
                    && b.iter()
                        .enumerate()
                        .all(|(i, c)| i == 10 || c.is_ascii_digit()) =>
            {
                Ok(AccountCode(b))
            }
            _ => Err(AccountCodeError(t.to_string())),
        }
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII digits and one dot are ever stored.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The 10-digit main account, e.g. `1102050101`.
    pub fn main(&self) -> &str {
        &self.as_str()[..10]
    }

    /// The 3-digit sub-account, e.g. `201`.
    pub fn sub(&self) -> &str {
        &self.as_str()[11..]
    }

    pub fn kind(&self) -> AccountKind {
        let s = self.as_str();
        if s.starts_with("110205") {
            AccountKind::Receivable
        } else if s.starts_with('4') {
            AccountKind::Revenue
        } else if s.starts_with('2') {
            AccountKind::Payable
        } else {
            AccountKind::Other
        }
    }
}

impl fmt::Debug for AccountCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccountCode({})", self.as_str())
    }
}

impl fmt::Display for AccountCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AccountCode {
    type Err = AccountCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AccountCode::parse(s)
    }
}

impl TryFrom<String> for AccountCode {
    type Error = AccountCodeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        AccountCode::parse(&s)
    }
}

impl From<AccountCode> for String {
    fn from(a: AccountCode) -> String {
        a.as_str().to_string()
    }
}

impl AsRef<str> for AccountCode {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

/// One account of the chart, with the Thai name most hospitals use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub code: AccountCode,
    pub name_th: String,
    /// "(hospitals using this name/hospitals using the code)", as published.
    pub usage: String,
}

impl Account {
    pub fn kind(&self) -> AccountKind {
        self.code.kind()
    }

    /// The two counts of `usage`, e.g. "(65/69)" → (65, 69).
    pub fn usage_counts(&self) -> Option<(u32, u32)> {
        let inner = self.usage.trim().strip_prefix('(')?.strip_suffix(')')?;
        let (a, b) = inner.split_once('/')?;
        Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
    }
}

/// The chart from `moph_accounts.tsv`, sorted by code.
pub fn chart() -> &'static [Account] {
    static CHART: OnceLock<Vec<Account>> = OnceLock::new();
    CHART.get_or_init(|| {
        let mut accounts: Vec<Account> = tsv_rows(include_str!("../data/moph_accounts.tsv"))
            .map(|f| Account {
                // The embedded file is checked by the tests below.
                code: AccountCode::parse(f[0]).expect("moph_accounts.tsv has valid codes"),
                name_th: field(&f, 1),
                usage: field(&f, 2),
            })
            .collect();
        accounts.sort_by_key(|a| a.code);
        accounts
    })
}

/// Looks up an account by code text (trimmed).
pub fn account(code: &str) -> Option<&'static Account> {
    let code = AccountCode::parse(code).ok()?;
    let c = chart();
    c.binary_search_by_key(&code, |a| a.code)
        .ok()
        .map(|i| &c[i])
}

code_enum! {
    /// Outpatient or inpatient.
    pub enum Setting ("setting") {
        Op = "OP",
        Ip = "IP",
    }
}

code_enum! {
    /// Where the patient belongs relative to the serving unit (posting map `place` column).
    pub enum Place ("place") {
        /// The patient's main unit (HOSPMAIN) is in the serving unit's CUP.
        InCup = "in_cup",
        /// Another MoPH unit in the same province.
        OutCupProv = "out_cup_prov",
        /// A MoPH unit in another province.
        OutCupOther = "out_cup_other",
        /// A unit outside MoPH.
        OutMoph = "out_moph",
        /// SSS: the serving unit is in the insured person's main-hospital network.
        Network = "network",
        NonNetwork = "non_network",
        /// Applies wherever the patient belongs.
        Any = "any",
    }
}

code_enum! {
    /// Kind of claim (posting map `case` column).
    pub enum Case ("case") {
        Normal = "normal",
        /// Prevention and promotion.
        Pp = "pp",
        /// Specific services paid by central reimbursement.
        Cr = "cr",
        /// OP refer.
        Refer = "refer",
        /// SSS emergency, first 72 hours.
        H72 = "h72",
        /// Billed to the central fund.
        Central = "central",
    }
}

code_enum! {
    /// How well a receivable/revenue pairing is supported.
    pub enum Evidence ("evidence") {
        /// Seen in a working public mapping (FDHC receivableMapping).
        Confirmed = "C",
        /// Paired by account name: verify.
        Inferred = "I",
    }
}

/// One line of the posting map: where a claimable amount of this kind of visit is posted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostingRule {
    pub fund: Fund,
    pub setting: Setting,
    pub place: Place,
    pub case: Case,
    pub receivable: AccountCode,
    pub revenue: AccountCode,
    pub source: Evidence,
}

/// A posting map line that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("posting map line {line}: {message}")]
pub struct PostingMapError {
    pub line: usize,
    pub message: String,
}

/// Reads a posting map in the `posting_map.tsv` layout: `#` comment lines, a header line
/// starting with `fund`, then tab-separated `fund setting place case receivable revenue source`.
/// Meant for maps edited by the provincial admin, so every problem is reported with its line.
pub fn parse_posting_map(text: &str) -> Result<Vec<PostingRule>, PostingMapError> {
    let mut rules = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let l = raw.trim();
        if l.is_empty() || l.starts_with('#') || l.to_ascii_lowercase().starts_with("fund\t") {
            continue;
        }
        let err = |message: String| PostingMapError { line, message };
        let f: Vec<&str> = l.split('\t').map(str::trim).collect();
        if f.len() != 7 {
            return Err(err(format!(
                "expected 7 tab-separated columns, found {}",
                f.len()
            )));
        }
        let rule = PostingRule {
            fund: f[0].parse().map_err(|e| err(format!("{e}")))?,
            setting: f[1].parse().map_err(|e| err(format!("{e}")))?,
            place: f[2].parse().map_err(|e| err(format!("{e}")))?,
            case: f[3].parse().map_err(|e| err(format!("{e}")))?,
            receivable: AccountCode::parse(f[4]).map_err(|e| err(e.to_string()))?,
            revenue: AccountCode::parse(f[5]).map_err(|e| err(e.to_string()))?,
            source: f[6].parse().map_err(|e| err(format!("{e}")))?,
        };
        if rule.receivable.kind() != AccountKind::Receivable {
            return Err(err(format!(
                "{} is not a receivable account",
                rule.receivable
            )));
        }
        if rule.revenue.kind() != AccountKind::Revenue {
            return Err(err(format!("{} is not a revenue account", rule.revenue)));
        }
        if rules.iter().any(|r: &PostingRule| {
            (r.fund, r.setting, r.place, r.case) == (rule.fund, rule.setting, rule.place, rule.case)
        }) {
            return Err(err(format!(
                "duplicate rule for {} {} {} {}",
                rule.fund, rule.setting, rule.place, rule.case
            )));
        }
        rules.push(rule);
    }
    Ok(rules)
}

/// The shipped default map (`posting_map.tsv`), 40 rules.
pub fn default_posting_map() -> Vec<PostingRule> {
    // The embedded file is checked by the tests below.
    parse_posting_map(include_str!("../data/posting_map.tsv")).expect("posting_map.tsv is valid")
}

/// The rule for a visit: an exact `place` match first, then the fund's `any` rule.
pub fn find_posting_rule(
    rules: &[PostingRule],
    fund: Fund,
    setting: Setting,
    place: Place,
    case: Case,
) -> Option<&PostingRule> {
    let with = |p: Place| {
        rules
            .iter()
            .find(|r| r.fund == fund && r.setting == setting && r.place == p && r.case == case)
    };
    with(place).or_else(|| with(Place::Any))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_codes() {
        let c = AccountCode::parse(" 1102050101.201 ").unwrap();
        assert_eq!(c.as_str(), "1102050101.201");
        assert_eq!(c.to_string(), "1102050101.201");
        assert_eq!(format!("{c:?}"), "AccountCode(1102050101.201)");
        assert_eq!((c.main(), c.sub()), ("1102050101", "201"));
        assert_eq!(c.kind(), AccountKind::Receivable);
        let kind = |s: &str| AccountCode::parse(s).unwrap().kind();
        assert_eq!(kind("4301020105.201"), AccountKind::Revenue);
        assert_eq!(kind("2101020199.202"), AccountKind::Payable);
        assert_eq!(kind("1105010101.101"), AccountKind::Other);
        assert_eq!(kind("1102050123.114"), AccountKind::Receivable);
        for bad in [
            "1102050101201",
            "110205010a.201",
            "1102050101.20",
            "1102050101.2011",
            "1102050101-201",
            "",
            "๑102050101.201",
        ] {
            assert!(AccountCode::parse(bad).is_err(), "{bad:?}");
        }
        assert!(
            AccountCode::parse("x")
                .unwrap_err()
                .to_string()
                .contains("\"x\"")
        );
        assert!(c < AccountCode::parse("1102050101.202").unwrap());
        assert!(c < AccountCode::parse("4301020105.201").unwrap());
        assert_eq!("1102050101.201".parse::<AccountCode>(), Ok(c));
        assert_eq!(String::from(c), "1102050101.201");
    }

    #[test]
    fn chart_loads_every_account() {
        let c = chart();
        // The file holds 278 rows after its header (DOMAIN §4.2 says 278; §0 says 277).
        assert_eq!(c.len(), 278);
        assert!(
            c.windows(2).all(|w| w[0].code < w[1].code),
            "sorted, unique"
        );
        assert!(c.iter().all(|a| !a.name_th.is_empty()));
        assert!(
            c.iter().all(|a| a.usage_counts().is_some()),
            "usage is (n/m)"
        );
        let a = account("1102050101.102").unwrap();
        assert_eq!(a.name_th, "ลูกหนี้ค่าสิ่งส่งตรวจหน่วยงานภาครัฐ");
        assert_eq!(a.usage_counts(), Some((65, 69)));
        assert_eq!(
            account(" 1102050101.201").unwrap().kind(),
            AccountKind::Receivable
        );
        assert!(account("9999999999.999").is_none());
        assert!(account("nonsense").is_none());
        let count = |k| c.iter().filter(|a| a.kind() == k).count();
        assert_eq!(count(AccountKind::Receivable), 122);
        assert_eq!(count(AccountKind::Revenue), 108);
        assert_eq!(count(AccountKind::Payable), 28);
        assert_eq!(count(AccountKind::Other), 20);
    }

    #[test]
    fn default_posting_map_is_consistent_with_the_chart() {
        let map = default_posting_map();
        assert_eq!(map.len(), 40);
        for r in &map {
            assert_eq!(r.receivable.kind(), AccountKind::Receivable, "{r:?}");
            assert_eq!(r.revenue.kind(), AccountKind::Revenue, "{r:?}");
        }
        // Every account the map names is in the chart (checked against the data: none missing).
        let missing: Vec<String> = map
            .iter()
            .flat_map(|r| [r.receivable, r.revenue])
            .filter(|c| account(c.as_str()).is_none())
            .map(|c| c.to_string())
            .collect();
        assert!(
            missing.is_empty(),
            "accounts missing from the chart: {missing:?}"
        );
        // Every fund except the HIS-only ones has at least an OP rule.
        for &f in Fund::ALL {
            assert!(
                map.iter().any(|r| r.fund == f && r.setting == Setting::Op),
                "{f}"
            );
        }
        let n = |e| map.iter().filter(|r| r.source == e).count();
        assert_eq!((n(Evidence::Confirmed), n(Evidence::Inferred)), (27, 13));
    }

    #[test]
    fn finding_rules() {
        let map = default_posting_map();
        let find =
            |f, s, p, c| find_posting_rule(&map, f, s, p, c).map(|r| r.receivable.to_string());
        use {Case::*, Place::*, Setting::*};
        assert_eq!(
            find(Fund::Uc, Op, InCup, Normal).as_deref(),
            Some("1102050101.201")
        );
        assert_eq!(
            find(Fund::Uc, Op, OutCupOther, Normal).as_deref(),
            Some("1102050101.204")
        );
        // No UC OP "any" normal rule: an unknown place must not silently post to in-CUP.
        assert_eq!(find(Fund::Uc, Op, Network, Normal), None);
        assert_eq!(
            find(Fund::Uc, Ip, InCup, Normal).as_deref(),
            Some("1102050101.202")
        );
        assert_eq!(
            find(Fund::Uc, Op, InCup, Pp).as_deref(),
            Some("1102050101.209")
        );
        assert_eq!(
            find(Fund::Nrh, Op, OutCupProv, Normal).as_deref(),
            Some("1102050101.503")
        );
        assert_eq!(
            find(Fund::Nrh, Op, OutCupOther, Normal).as_deref(),
            Some("1102050101.501")
        );
        assert_eq!(
            find(Fund::Sss, Ip, Network, H72).as_deref(),
            Some("1102050101.308")
        );
        assert_eq!(
            find(Fund::SelfPay, Ip, Any, Normal).as_deref(),
            Some("1102050102.107")
        );
        assert_eq!(find(Fund::Prb, Op, InCup, Cr), None);
        let r = find_posting_rule(&map, Fund::Ofc, Ip, Any, Normal).unwrap();
        assert_eq!(r.revenue.as_str(), "4301020104.402");
        assert_eq!(r.source, Evidence::Confirmed);
        assert!(r.setting == "IP" && r.place == "any");
    }

    #[test]
    fn parse_posting_map_reports_lines() {
        let header = "# comment\nfund\tsetting\tplace\tcase\treceivable\trevenue\tsource\n";
        let ok = format!("{header}UC\tOP\tin_cup\tnormal\t1102050101.201\t4301020105.201\tC\n");
        assert_eq!(parse_posting_map(&ok).unwrap().len(), 1);
        let cases = [
            (
                "XX\tOP\tin_cup\tnormal\t1102050101.201\t4301020105.201\tC",
                "unknown fund code \"XX\"",
            ),
            (
                "UC\tOPD\tin_cup\tnormal\t1102050101.201\t4301020105.201\tC",
                "setting",
            ),
            (
                "UC\tOP\tmoon\tnormal\t1102050101.201\t4301020105.201\tC",
                "place",
            ),
            (
                "UC\tOP\tin_cup\tnormal\t4301020105.201\t4301020105.201\tC",
                "not a receivable",
            ),
            (
                "UC\tOP\tin_cup\tnormal\t1102050101.201\t1102050101.201\tC",
                "not a revenue",
            ),
            (
                "UC\tOP\tin_cup\tnormal\t1102050101.201\t4301020105.201",
                "7 tab-separated",
            ),
            (
                "UC\tOP\tin_cup\tnormal\t1102050101.201\t4301020105.201\tX",
                "evidence",
            ),
        ];
        for (line, want) in cases {
            let e = parse_posting_map(&format!("{header}{line}\n")).unwrap_err();
            assert_eq!(e.line, 3, "{line}");
            assert!(e.to_string().contains(want), "{e} / {want}");
        }
        let dup = format!("{ok}UC\tOP\tin_cup\tnormal\t1102050101.203\t4301020105.203\tI\n");
        assert_eq!(parse_posting_map(&dup).unwrap_err().line, 4);
    }
}
