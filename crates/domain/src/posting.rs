//! Posting a visit's bill as receivables: which accounts, how much, as balanced journal lines.
//!
//! A visit's outstanding amount (`total − paid`) is split in two: the part the right's fund pays
//! (claimable charge categories, CHRGITEM second character `1`) goes to the fund's receivable;
//! what the fund does not cover (excess categories `…2`, or everything for self-pay) is owed by
//! the patient and goes to the self-pay receivable. Nothing is created or lost: the two parts
//! always add up to `total − paid`, and every entry debits exactly what it credits.

use crate::accounts::{AccountCode, Case, Place, PostingRule, Setting, find_posting_rule};
use crate::money::Satang;
use crate::rights::Fund;
use serde::Serialize;

/// What the posting map needs to know about a visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VisitClass {
    pub fund: Fund,
    pub setting: Setting,
    pub place: Place,
    pub case: Case,
}

/// A visit's bill: CHT total and paid, and the part of the charges in claimable categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Bill {
    pub total: Satang,
    pub paid: Satang,
    pub claimable_charges: Satang,
}

impl Bill {
    /// Outstanding after what the patient paid at the counter (never negative).
    pub fn outstanding(&self) -> Satang {
        Satang((self.total.0 - self.paid.0).max(0))
    }

    /// (fund part, patient part) of the outstanding amount for a visit under `fund`.
    pub fn split(&self, fund: Fund) -> (Satang, Satang) {
        let out = self.outstanding();
        if fund == Fund::SelfPay {
            return (Satang::ZERO, out);
        }
        let fund_part = Satang(self.claimable_charges.0.clamp(0, out.0));
        (fund_part, out - fund_part)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JournalLine {
    pub account: AccountCode,
    pub debit: Satang,
    pub credit: Satang,
    /// Which fund the line belongs to (for receivables by fund).
    pub fund: Fund,
}

/// Why a visit could not be posted; it is listed as unposted, never dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Unposted {
    /// No posting-map line for this fund, setting, place and case.
    NoMapping,
}

/// The journal lines for one visit: Dr receivable / Cr revenue for the fund part, and the same on
/// the self-pay accounts for the patient part. Zero parts produce no lines.
pub fn post_visit(
    map: &[PostingRule],
    class: VisitClass,
    bill: &Bill,
) -> Result<Vec<JournalLine>, Unposted> {
    let (fund_part, patient_part) = bill.split(class.fund);
    let mut lines = Vec::with_capacity(4);
    let mut push = |rule: &PostingRule, amount: Satang| {
        lines.push(JournalLine {
            account: rule.receivable,
            debit: amount,
            credit: Satang::ZERO,
            fund: rule.fund,
        });
        lines.push(JournalLine {
            account: rule.revenue,
            debit: Satang::ZERO,
            credit: amount,
            fund: rule.fund,
        });
    };
    if !fund_part.is_zero() || class.fund == Fund::SelfPay {
        let rule = find_posting_rule(map, class.fund, class.setting, class.place, class.case)
            .or_else(|| {
                find_posting_rule(map, class.fund, class.setting, class.place, Case::Normal)
            })
            .ok_or(Unposted::NoMapping)?;
        if !fund_part.is_zero() {
            push(rule, fund_part);
        }
    }
    if !patient_part.is_zero() {
        let rule = find_posting_rule(map, Fund::SelfPay, class.setting, Place::Any, Case::Normal)
            .ok_or(Unposted::NoMapping)?;
        push(rule, patient_part);
    }
    Ok(lines)
}

/// Σ debits − Σ credits of a set of lines (zero for a balanced entry).
pub fn imbalance(lines: &[JournalLine]) -> i64 {
    lines.iter().map(|l| l.debit.0 - l.credit.0).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::default_posting_map;
    use proptest::prelude::*;

    fn class(fund: Fund, setting: Setting, place: Place, case: Case) -> VisitClass {
        VisitClass {
            fund,
            setting,
            place,
            case,
        }
    }

    #[test]
    fn uc_op_in_cup_posts_to_201() {
        let map = default_posting_map();
        let bill = Bill {
            total: Satang(461_500),
            paid: Satang::ZERO,
            claimable_charges: Satang(461_500),
        };
        let lines = post_visit(
            &map,
            class(Fund::Uc, Setting::Op, Place::InCup, Case::Normal),
            &bill,
        )
        .unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].account.as_str(), "1102050101.201");
        assert_eq!(lines[0].debit, Satang(461_500));
        assert_eq!(lines[1].account.as_str(), "4301020105.201");
        assert_eq!(lines[1].credit, Satang(461_500));
    }

    #[test]
    fn excess_charges_go_to_the_patient() {
        let map = default_posting_map();
        let bill = Bill {
            total: Satang(10_000),
            paid: Satang(1_000),
            claimable_charges: Satang(7_000),
        };
        let lines = post_visit(
            &map,
            class(Fund::Ofc, Setting::Ip, Place::Any, Case::Normal),
            &bill,
        )
        .unwrap();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[0].account.as_str(), "1102050101.402");
        assert_eq!(lines[0].debit, Satang(7_000));
        assert_eq!(lines[2].account.as_str(), "1102050102.107");
        assert_eq!(lines[2].debit, Satang(2_000));
        assert_eq!(imbalance(&lines), 0);
    }

    #[test]
    fn paid_in_full_posts_nothing_and_unknown_mapping_is_reported() {
        let map = default_posting_map();
        let paid = Bill {
            total: Satang(5_000),
            paid: Satang(5_000),
            claimable_charges: Satang(5_000),
        };
        assert!(
            post_visit(
                &map,
                class(Fund::Uc, Setting::Op, Place::InCup, Case::Normal),
                &paid
            )
            .unwrap()
            .is_empty()
        );
        let bill = Bill {
            total: Satang(5_000),
            paid: Satang::ZERO,
            claimable_charges: Satang(5_000),
        };
        // With no posting map at all, the visit is reported as unposted.
        assert_eq!(
            post_visit(
                &[],
                class(Fund::Sss, Setting::Ip, Place::Network, Case::Normal),
                &bill
            ),
            Err(Unposted::NoMapping)
        );
        // A special case without its own line falls back to the normal line of the same place.
        let lines = post_visit(
            &map,
            class(Fund::Ofc, Setting::Op, Place::Any, Case::Pp),
            &bill,
        )
        .unwrap();
        assert_eq!(lines[0].account.as_str(), "1102050101.401");
    }

    fn any_fund() -> impl Strategy<Value = Fund> {
        proptest::sample::select(Fund::ALL.to_vec())
    }

    proptest! {
        /// Nothing is created or lost: every posting balances, and what is posted is exactly the
        /// outstanding amount, split between the fund and the patient.
        #[test]
        fn postings_balance_and_conserve_the_bill(
            fund in any_fund(),
            ip in any::<bool>(),
            total in 0i64..100_000_000,
            paid_pct in 0i64..=100,
            claim_pct in 0i64..=120,
        ) {
            let map = default_posting_map();
            let paid = total * paid_pct / 100;
            let bill = Bill { total: Satang(total), paid: Satang(paid), claimable_charges: Satang(total * claim_pct / 100) };
            let setting = if ip { Setting::Ip } else { Setting::Op };
            let place = Place::Any;
            match post_visit(&map, class(fund, setting, place, Case::Normal), &bill) {
                Ok(lines) => {
                    prop_assert_eq!(imbalance(&lines), 0);
                    let debits: i64 = lines.iter().map(|l| l.debit.0).sum();
                    prop_assert_eq!(debits, total - paid);
                    prop_assert!(lines.iter().all(|l| l.debit.0 >= 0 && l.credit.0 >= 0));
                }
                Err(Unposted::NoMapping) => {
                    let (fund_part, _) = bill.split(fund);
                    prop_assert!(!fund_part.is_zero() || fund == Fund::SelfPay);
                }
            }
        }
    }
}
