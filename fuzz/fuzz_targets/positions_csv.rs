//! The monthly positions (ratio items) CSV and the Planfin plan CSV.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = raidai_store::governance::parse_positions_csv(data);
    let _ = raidai_store::governance::parse_plan_csv(data);
});
