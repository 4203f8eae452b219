//! The units CSV of the admin's import page.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = raidai_store::master::parse_units_csv(data);
});
