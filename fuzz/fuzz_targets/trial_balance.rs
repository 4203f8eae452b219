//! A trial balance, then its sums into the Risk Score and 7 Plus items (checked arithmetic).
#![no_main]
use libfuzzer_sys::fuzz_target;
use raidai_store::governance::{
    AccountMapRule, RatioItem, parse_trial_balance_csv, position_from_trial_balance,
    seven_plus_items_from_trial_balance,
};

fuzz_target!(|data: &[u8]| {
    if let Ok(lines) = parse_trial_balance_csv(data) {
        let map: Vec<AccountMapRule> = RatioItem::ALL
            .iter()
            .enumerate()
            .map(|(i, &item)| AccountMapRule {
                prefix: format!("1{}", i % 3),
                item,
            })
            .collect();
        let _ = position_from_trial_balance("11001", 256906, &lines, &map);
        let rules = vec![
            ("1".to_string(), "current_assets".to_string()),
            ("2".to_string(), "current_liabilities".to_string()),
        ];
        let _ = seven_plus_items_from_trial_balance(&lines, &rules);
    }
});
