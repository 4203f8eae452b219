//! Settling a visit's receivable when the fund pays (STM) or the claim is written off: the
//! balanced journal entry and what it does to the claim's amounts (DOMAIN §2.3 step 4, §4.2).
//!
//! A statement line is the fund's final word on a claim: the receivable still open is cleared
//! in full, the money goes to the cash account, a shortfall to the fund's "ต่ำกว่า" account
//! and an excess to its "สูงกว่า" account. Money arriving on a claim already cleared first
//! undoes an earlier shortfall, then counts as excess.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::accounts::AccountCode;

/// The accounts one fund and setting settle to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettlementAccounts {
    pub cash: AccountCode,
    pub lower: AccountCode,
    pub higher: AccountCode,
}

/// A line of the settlement map that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("settlement map line {line}: {message}")]
pub struct SettlementMapError {
    pub line: usize,
    pub message: String,
}

/// Fund and setting (`OP`/`IP`) → accounts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettlementMap(HashMap<(String, String), SettlementAccounts>);

impl SettlementMap {
    pub fn get(&self, fund: &str, setting: &str) -> Option<&SettlementAccounts> {
        self.0.get(&(fund.to_string(), setting.to_string()))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every (fund, setting, accounts), sorted.
    pub fn entries(&self) -> Vec<(&str, &str, &SettlementAccounts)> {
        let mut v: Vec<_> = self
            .0
            .iter()
            .map(|((f, s), a)| (f.as_str(), s.as_str(), a))
            .collect();
        v.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        v
    }
}

/// Parses the TSV form (`fund setting cash lower higher source`, `#` comments, a header line).
pub fn parse_settlement_map(text: &str) -> Result<SettlementMap, SettlementMapError> {
    let mut map = HashMap::new();
    let mut header_seen = false;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').map(str::trim).collect();
        if !header_seen {
            header_seen = true;
            if cols.first() == Some(&"fund") {
                continue;
            }
        }
        let err = |m: String| SettlementMapError {
            line: i + 1,
            message: m,
        };
        if cols.len() < 5 {
            return Err(err(format!("expected 5 columns, found {}", cols.len())));
        }
        if cols[1] != "OP" && cols[1] != "IP" {
            return Err(err(format!("setting must be OP or IP, got {:?}", cols[1])));
        }
        let acc = |s: &str| AccountCode::parse(s).map_err(|e| err(e.to_string()));
        let accounts = SettlementAccounts {
            cash: acc(cols[2])?,
            lower: acc(cols[3])?,
            higher: acc(cols[4])?,
        };
        if map
            .insert((cols[0].to_string(), cols[1].to_string()), accounts)
            .is_some()
        {
            return Err(err(format!("{} {} appears twice", cols[0], cols[1])));
        }
    }
    Ok(SettlementMap(map))
}

/// The shipped settlement map (`data/settlement_map.tsv`).
pub fn default_settlement_map() -> &'static SettlementMap {
    static MAP: OnceLock<SettlementMap> = OnceLock::new();
    MAP.get_or_init(|| {
        parse_settlement_map(include_str!("../data/settlement_map.tsv"))
            .expect("shipped settlement map parses")
    })
}

/// One line of a settlement entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryLine {
    pub account: AccountCode,
    pub debit: i64,
    pub credit: i64,
}

/// A claim's amounts before a settlement: the receivable posted for the fund and what has
/// been cleared of it, and the shortfall written down so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClaimBalance {
    pub receivable: i64,
    pub cleared: i64,
    pub written_down: i64,
}

impl ClaimBalance {
    pub fn outstanding(&self) -> i64 {
        (self.receivable - self.cleared).max(0)
    }
}

/// A settlement: the balanced lines and the changes to the claim's amounts
/// (`cleared = received + written_down - written_up` holds for each).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Settlement {
    pub lines: Vec<EntryLine>,
    pub received: i64,
    pub cleared: i64,
    pub written_down: i64,
    pub written_up: i64,
}

/// The fund paid `paid` satang (≥ 0) on a claim whose receivable is in `receivable_account`.
pub fn settle(
    balance: ClaimBalance,
    paid: i64,
    receivable_account: AccountCode,
    accounts: &SettlementAccounts,
) -> Settlement {
    let paid = paid.max(0);
    let open = balance.outstanding();
    let mut s = Settlement {
        received: paid,
        cleared: open,
        ..Settlement::default()
    };
    if paid > 0 {
        s.lines.push(line(accounts.cash, paid, 0));
    }
    if paid < open {
        s.written_down = open - paid;
        s.lines.push(line(accounts.lower, open - paid, 0));
    }
    if open > 0 {
        s.lines.push(line(receivable_account, 0, open));
    }
    if paid > open {
        let excess = paid - open;
        let undo = excess.min(balance.written_down.max(0));
        if undo > 0 {
            s.written_down = -undo;
            s.lines.push(line(accounts.lower, 0, undo));
        }
        if excess > undo {
            s.written_up = excess - undo;
            s.lines.push(line(accounts.higher, 0, excess - undo));
        }
    }
    s
}

/// The claim is abandoned (a Deny that will not be appealed): what is open goes to the
/// fund's "ต่ำกว่า" account.
pub fn write_off(
    balance: ClaimBalance,
    receivable_account: AccountCode,
    accounts: &SettlementAccounts,
) -> Settlement {
    let open = balance.outstanding();
    if open == 0 {
        return Settlement::default();
    }
    Settlement {
        lines: vec![
            line(accounts.lower, open, 0),
            line(receivable_account, 0, open),
        ],
        received: 0,
        cleared: open,
        written_down: open,
        written_up: 0,
    }
}

fn line(account: AccountCode, debit: i64, credit: i64) -> EntryLine {
    EntryLine {
        account,
        debit,
        credit,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn acc(s: &str) -> AccountCode {
        AccountCode::parse(s).unwrap()
    }

    fn uc_ip() -> SettlementAccounts {
        default_settlement_map().get("UC", "IP").unwrap().clone()
    }

    #[test]
    fn shipped_map_names_chart_accounts() {
        let chart = crate::accounts::chart();
        let map = default_settlement_map();
        assert!(map.len() >= 16);
        for (f, s, a) in map.entries() {
            for code in [a.lower, a.higher] {
                assert!(
                    chart.iter().any(|c| c.code == code),
                    "{f} {s}: {code} is not in the chart"
                );
            }
        }
    }

    #[test]
    fn shortfall_goes_to_the_lower_account() {
        let r = acc("1102050101.202");
        let s = settle(
            ClaimBalance {
                receivable: 10_000,
                ..Default::default()
            },
            7_000,
            r,
            &uc_ip(),
        );
        assert_eq!(s.cleared, 10_000);
        assert_eq!(s.written_down, 3_000);
        assert_eq!(
            s.lines,
            vec![
                line(uc_ip().cash, 7_000, 0),
                line(acc("4301020105.232"), 3_000, 0),
                line(r, 0, 10_000)
            ]
        );
    }

    #[test]
    fn later_money_undoes_a_shortfall_first() {
        let r = acc("1102050101.202");
        let s = settle(
            ClaimBalance {
                receivable: 10_000,
                cleared: 10_000,
                written_down: 3_000,
            },
            5_000,
            r,
            &uc_ip(),
        );
        assert_eq!(
            (s.written_down, s.written_up, s.cleared),
            (-3_000, 2_000, 0)
        );
    }

    #[test]
    fn a_bad_map_line_is_named() {
        let e = parse_settlement_map("fund\tsetting\tcash\tlower\thigher\nUC\tXX\t1\t2\t3\n")
            .unwrap_err();
        assert_eq!(e.line, 2);
    }

    proptest! {
        #[test]
        fn entries_balance_and_amounts_agree(
            receivable in 0i64..10_000_000,
            cleared_part in 0i64..=100,
            down in 0i64..1_000_000,
            paid in 0i64..20_000_000,
        ) {
            let b = ClaimBalance { receivable, cleared: receivable * cleared_part / 100, written_down: down };
            let r = acc("1102050101.202");
            for s in [settle(b, paid, r, &uc_ip()), write_off(b, r, &uc_ip())] {
                let d: i64 = s.lines.iter().map(|l| l.debit).sum();
                let c: i64 = s.lines.iter().map(|l| l.credit).sum();
                prop_assert_eq!(d, c);
                prop_assert_eq!(s.cleared, s.received + s.written_down - s.written_up);
                prop_assert_eq!(s.cleared, b.outstanding());
                let on_receivable: i64 = s.lines.iter().filter(|l| l.account == r).map(|l| l.credit - l.debit).sum();
                prop_assert_eq!(on_receivable, s.cleared);
                prop_assert!(s.lines.iter().all(|l| l.debit >= 0 && l.credit >= 0));
            }
        }
    }
}
