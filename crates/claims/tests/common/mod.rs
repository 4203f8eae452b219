//! Setup shared by the claims test binaries (each binary uses a subset).
#![allow(dead_code)]

use raidai_domain::calendar::FiscalYear;
use raidai_domain::ids::Hcode;
use raidai_formats::generate::GenConfig;
use raidai_store::claims::{VisitQuery, VisitSummary};
use raidai_store::{Actor, Store};

/// A generated set of `unit` in province 99, its patients' main units in-CUP, the CUP's
/// รพ.สต., another CUP of the province and another province.
pub fn province_config(unit: &str, fy: u16, seed: u64) -> GenConfig {
    let mut cfg = GenConfig::new(Hcode::parse(unit).unwrap(), FiscalYear::new(fy), seed);
    cfg.changwat = "99".into();
    cfg.hospmain = ["99001", "99011", "99002", "10670"]
        .iter()
        .map(|h| Hcode::parse(h).unwrap())
        .collect();
    cfg.hospsub = vec![Hcode::parse("99011").unwrap()];
    cfg
}

/// Generates the set `cfg` describes and imports it for `unit` as the system.
pub async fn import_generated(
    store: &Store,
    cfg: &GenConfig,
    unit: &str,
) -> raidai_claims::ImportOutcome {
    let dir = tempfile::tempdir().unwrap();
    raidai_formats::generate::generate(cfg, dir.path()).unwrap();
    raidai_claims::import(
        store,
        &Actor::system(),
        raidai_formats::Source::Dir(dir.path().into()),
        raidai_claims::ImportOptions::new(raidai_store::testkit::hc(unit)),
    )
    .await
    .unwrap()
}

/// Every visit of a unit, read a page of the visit list at a time.
pub async fn visits_of(store: &Store, hcode: &str) -> Vec<VisitSummary> {
    let mut all = Vec::new();
    let mut offset = 0;
    loop {
        let (page, total) = store
            .list_visits(
                &Actor::system(),
                &VisitQuery {
                    hcode: hcode.into(),
                    limit: 1000,
                    offset,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        offset += page.len() as i64;
        let done = page.is_empty() || offset >= total;
        all.extend(page);
        if done {
            return all;
        }
    }
}
