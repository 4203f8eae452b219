//! The CSV inputs of the workbench: positions (ratio items) and trial balances, each line
//! checked and named in its errors.

use super::*;
use crate::csv_in::CsvIn;

pub(crate) fn money(
    rec: &csv::StringRecord,
    idx: Option<usize>,
    field: &str,
    line: usize,
    required: bool,
) -> Result<Satang, FieldError> {
    let v = idx.and_then(|i| rec.get(i)).unwrap_or("").trim();
    if v.is_empty() && !required {
        return Ok(Satang::ZERO);
    }
    parse_satang(v).map_err(|e| {
        FieldError::new(
            field,
            format!("{field} must be an amount in baht (e.g. 1234.56), got {v:?}: {e}"),
            format!("{field} ต้องเป็นจำนวนเงินบาท เช่น 1234.56"),
        )
        .at_line(line)
    })
}

/// Reads ratio items in the CLI format: `hcode, period, current_assets, current_liabilities,
/// quick_assets, cash_and_equivalents, revenue_ytd, expense_ytd` (baht; other columns ignored).
/// Nothing is returned unless every line parses.
pub fn parse_positions_csv(data: &[u8]) -> Result<Vec<RiskInput>, StoreError> {
    let mut c = CsvIn::open(data)?;
    let mut required = vec!["hcode", "period"];
    required.extend(RatioItem::ALL.iter().map(|i| i.code()));
    c.require(&required)?;
    let idx: Vec<Option<usize>> = RatioItem::ALL.iter().map(|i| c.col(i.code())).collect();
    let (hi, pi) = (c.col("hcode"), c.col("period"));
    let mut out = Vec::new();
    let mut errs = Vec::new();
    for (line, rec) in c.records(&mut errs) {
        let text = |i: Option<usize>| i.and_then(|i| rec.get(i)).unwrap_or("").trim();
        let hcode = text(hi).to_string();
        let period_text = text(pi);
        let period = match period_text
            .parse::<u32>()
            .map_err(|_| ())
            .and_then(|p| check_period(p).map(|_| p).map_err(|_| ()))
        {
            Ok(p) => Some(p),
            Err(()) => {
                errs.push(
                    FieldError::new(
                        "period",
                        format!("period must be like 256909, got {period_text:?}"),
                        "งวดต้องอยู่ในรูป 256909 (ปี พ.ศ. + เดือนงบประมาณ)",
                    )
                    .at_line(line),
                );
                None
            }
        };
        let mut vals = [Satang::ZERO; 6];
        let mut ok = period.is_some();
        for (k, item) in RatioItem::ALL.iter().enumerate() {
            match money(&rec, idx[k], item.code(), line, true) {
                Ok(v) => vals[k] = v,
                Err(e) => {
                    errs.push(e);
                    ok = false;
                }
            }
        }
        if ok {
            out.push(RiskInput {
                hcode,
                period: period.unwrap_or_default(),
                current_assets: vals[0],
                current_liabilities: vals[1],
                quick_assets: vals[2],
                cash_and_equivalents: vals[3],
                revenue_ytd: vals[4],
                expense_ytd: vals[5],
            });
        }
    }
    if !errs.is_empty() {
        return Err(StoreError::Invalid(errs));
    }
    Ok(out)
}

/// Reads a trial balance: `account_code` with `debit` and `credit`, or with a signed `balance`
/// (debit positive). Amounts in baht. Repeated accounts are added up.
pub fn parse_trial_balance_csv(data: &[u8]) -> Result<Vec<TbLine>, StoreError> {
    let mut c = CsvIn::open(data)?;
    c.require(&["account_code"])?;
    let (ai, di, ci, bi) = (
        c.col("account_code"),
        c.col("debit"),
        c.col("credit"),
        c.col("balance"),
    );
    if bi.is_none() && (di.is_none() || ci.is_none()) {
        return Err(StoreError::Invalid(vec![
            FieldError::new(
                "balance",
                "the header needs debit and credit columns, or a balance column",
                "หัวตารางต้องมีคอลัมน์ debit และ credit หรือคอลัมน์ balance",
            )
            .at_line(1),
        ]));
    }
    let mut by_account: BTreeMap<String, TbLine> = BTreeMap::new();
    let mut errs = Vec::new();
    for (line, rec) in c.records(&mut errs) {
        let code: String = ai.and_then(|i| rec.get(i)).unwrap_or("").trim().to_string();
        // MoPH codes are written `1102050101.102`; the map matches on the leading digits.
        if !code.starts_with(|c: char| c.is_ascii_digit())
            || !code.chars().all(|c| c.is_ascii_digit() || c == '.')
            || code.len() > 20
        {
            errs.push(
                FieldError::new(
                    "account_code",
                    format!("account code must be digits (and dots), got {code:?}"),
                    "รหัสบัญชีต้องเป็นตัวเลข (คั่นด้วยจุดได้)",
                )
                .at_line(line),
            );
            continue;
        }
        let amounts = if di.is_some() && ci.is_some() {
            money(&rec, di, "debit", line, false)
                .and_then(|d| money(&rec, ci, "credit", line, false).map(|c| (d.0, c.0)))
        } else {
            money(&rec, bi, "balance", line, true).and_then(|b| match b.0.checked_neg() {
                _ if !b.is_negative() => Ok((b.0, 0)),
                Some(credit) => Ok((0, credit)),
                // -92233720368547758.08 has no positive counterpart: refuse it, never wrap.
                None => Err(FieldError::new(
                    "balance",
                    format!("balance {b} is beyond the largest amount raidai holds"),
                    "ยอดคงเหลือเกินจำนวนสูงสุดที่ระบบรองรับ",
                )
                .at_line(line)),
            })
        };
        match amounts {
            Ok((d, cr)) => {
                let e = by_account.entry(code.clone()).or_insert(TbLine {
                    account_code: code,
                    debit: Satang(0),
                    credit: Satang(0),
                });
                match (e.debit.checked_add(Satang(d)), e.credit.checked_add(Satang(cr))) {
                    (Some(d), Some(c)) => (e.debit, e.credit) = (d, c),
                    _ => errs.push(
                        FieldError::new(
                            "balance",
                            format!(
                                "account {} appears again and its amounts add up beyond the largest amount raidai holds",
                                e.account_code
                            ),
                            format!(
                                "บัญชี {} ซ้ำ และยอดรวมเกินจำนวนสูงสุดที่ระบบรองรับ",
                                e.account_code
                            ),
                        )
                        .at_line(line),
                    ),
                }
            }
            Err(e) => errs.push(e),
        }
    }
    if !errs.is_empty() {
        return Err(StoreError::Invalid(errs));
    }
    if by_account.is_empty() {
        return Err(StoreError::field(
            "file",
            "the trial balance has no lines",
            "งบทดลองไม่มีรายการ",
        ));
    }
    Ok(by_account.into_values().collect())
}
