//! A year of synthetic visits for the demo province: every hospital and the demo รพ.สต. get a
//! 16-file set from the generator (volume by bed count), imported and posted like a real upload.
//! About 35,000 visits and admissions in total (a tenth in unoptimised builds), so `demo` is
//! ready within seconds.

use anyhow::Result;
use raidai_claims::ImportOptions;
use raidai_domain::calendar::FiscalYear;
use raidai_domain::ids::Hcode;
use raidai_formats::Source;
use raidai_formats::generate::{GenConfig, generate};
use raidai_store::master::UnitQuery;
use raidai_store::{Actor, Store};

pub async fn seed(store: &Store) -> Result<()> {
    let sys = Actor::system();
    let units = store.list_units(&sys, &UnitQuery::default()).await?;
    let fy = FiscalYear::of(chrono::Local::now().date_naive()).prev();
    let hospitals: Vec<_> = units.iter().filter(|u| u.unit_type.is_hospital()).collect();
    let tmp = tempfile::tempdir()?;
    for (i, u) in units.iter().enumerate() {
        let is_demo_rpst = u.hcode == crate::demo::DEMO_RPST;
        if !u.unit_type.is_hospital() && !is_demo_rpst {
            continue;
        }
        let (visits, admissions) = if is_demo_rpst {
            (600, 0)
        } else {
            (1_200 + 8 * u.beds as usize, u.beds as usize * 2)
        };
        // Unoptimised builds (tests) seed a tenth of the volume.
        let (visits, admissions) = if cfg!(debug_assertions) {
            (visits / 10, admissions / 10)
        } else {
            (visits, admissions)
        };
        // HOSPMAIN mix: the unit's CUP first (most patients), one of its รพ.สต., another
        // hospital of the province, a hospital of another province.
        let mut hospmain = vec![u.cup_hcode.clone()];
        if let Some(r) = units
            .iter()
            .find(|r| r.cup_hcode == u.cup_hcode && r.hcode != u.cup_hcode)
        {
            hospmain.push(r.hcode.clone());
        }
        if let Some(h) = hospitals.iter().find(|h| h.hcode != u.cup_hcode) {
            hospmain.push(h.hcode.clone());
        }
        hospmain.push("10670".into());
        let mut cfg = GenConfig::new(Hcode::parse(&u.hcode)?, fy, 4400 + i as u64);
        cfg.visits = visits;
        cfg.admissions = admissions;
        // A few admissions of the last days still in hospital (posted at discharge).
        cfg.in_hospital = admissions / 60;
        // Data quality differs by unit: some close to clean, some with Authen gaps and
        // clinic codes outside the standard list (a realistic Data Audit worklist).
        (cfg.authen_share, cfg.unknown_clinic_share) = match i % 4 {
            0 => (0.99, 0.0),
            1 => (0.93, 0.002),
            2 => (0.80, 0.01),
            _ => (0.65, 0.03),
        };
        cfg.changwat = crate::demo::PROVINCE_CODE.into();
        cfg.hospmain = hospmain
            .iter()
            .filter_map(|h| Hcode::parse(h).ok())
            .collect();
        let dir = tmp.path().join(&u.hcode);
        generate(&cfg, &dir)?;
        if i % 4 == 3 {
            odd_lines(&dir)?;
        }
        let mut opts = ImportOptions::new(Hcode::parse(&u.hcode)?);
        opts.source_name = format!("demo-{}-{}.zip", u.hcode, fy.be());
        raidai_claims::import(store, &sys, Source::Dir(dir), opts).await?;
        claim_cycle(store, Hcode::parse(&u.hcode)?, fy, i, 4).await?;
    }
    // The province closed the first ten months of that year for every unit; the last two are
    // still open (late corrections of them post in place, those of closed months in August).
    let today = chrono::Local::now().date_naive();
    for p in fy.periods().take(10) {
        let month = i64::from(p.calendar_year()) * 100 + i64::from(p.calendar_month());
        store.close_month_all(&sys, month, today).await?;
    }
    Ok(())
}

/// A few lines as real exports carry them, in the units with the weakest data: two drug lines
/// dated `20261345`, a charge line of category `Q9` and two visit times `2575`. The drug and
/// charge lines are refused alone and their visits kept (LINE01; the charge's visit also CHG01,
/// and it waits unposted for a corrected file); the times are read as blank (FLD01).
fn odd_lines(dir: &std::path::Path) -> Result<()> {
    edit_field(&dir.join("DRU.txt"), "DATE_SERV", &[7, 29], "20261345")?;
    edit_field(&dir.join("CHA.txt"), "CHRGITEM", &[11], "Q9")?;
    edit_field(&dir.join("OPD.txt"), "TIMEOPD", &[5, 23], "2575")
}

/// Sets column `column` (by the header line's name) of data lines `lines` (1 = the first after
/// the header) of a generated file to `value`.
fn edit_field(path: &std::path::Path, column: &str, lines: &[usize], value: &str) -> Result<()> {
    let bytes = std::fs::read(path)?;
    let mut out = Vec::with_capacity(bytes.len());
    let mut col = None;
    for (n, line) in bytes.split_inclusive(|b| *b == b'\n').enumerate() {
        let body = line.trim_ascii_end();
        if n == 0 {
            col = body
                .split(|b| *b == b'|')
                .position(|f| f == column.as_bytes());
        }
        match col {
            Some(c) if lines.contains(&n) => {
                let mut fields: Vec<&[u8]> = body.split(|b| *b == b'|').collect();
                if let Some(f) = fields.get_mut(c) {
                    *f = value.as_bytes();
                }
                out.extend_from_slice(&fields.join(&b'|'));
                out.extend_from_slice(&line[body.len()..]);
            }
            _ => out.extend_from_slice(line),
        }
    }
    anyhow::ensure!(col.is_some(), "{}: no column {column}", path.display());
    std::fs::write(path, out)?;
    Ok(())
}

/// A year of the claim cycle for one unit: a batch per quarter, its REP a month after the
/// quarter, and the Statement paying it for the first three quarters (the last quarter's money
/// has not arrived: open receivables to age). Shares of C and Deny differ by unit.
pub async fn claim_cycle(
    store: &Store,
    unit: Hcode,
    fy: FiscalYear,
    i: usize,
    quarters: usize,
) -> Result<()> {
    use raidai_claims::cycle::{
        CycleError, create_batch, import_rep, import_stm_on, synth_returns,
    };
    let sys = Actor::system();
    let shares = raidai_returns::RepShares {
        corrective_pct: [2, 6, 10, 15][i % 4],
        deny_pct: [1, 2, 4, 6][i % 4],
        paid_diff_pct: 25,
    };
    let periods: Vec<_> = fy.periods().collect();
    for (q, months) in periods.chunks(3).enumerate().take(quarters) {
        let (first, last) = (months[0], months[months.len() - 1]);
        let from =
            i64::from(first.calendar_year()) * 10_000 + i64::from(first.calendar_month()) * 100 + 1;
        let nx = last.next();
        let end = raidai_domain::periods::add_days(
            i64::from(nx.calendar_year()) * 10_000 + i64::from(nx.calendar_month()) * 100 + 1,
            -1,
        );
        let spec = raidai_store::claims::BatchSpec {
            funds: ["UC", "OFC", "LGO", "BKK", "SSS"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            date_from: from,
            date_to: end,
            include_blocked: false,
            headers: "fdh".into(),
        };
        let batch = match create_batch(store, &sys, unit, &spec).await {
            Ok(b) => b,
            Err(CycleError::NothingToClaim) => continue,
            Err(e) => anyhow::bail!("demo batch {unit}: {e}"),
        };
        let issued = raidai_domain::periods::add_days(end, 35);
        let files = synth_returns(store, &sys, unit, batch.no, &shares, 7 + q as u64, issued)
            .await
            .map_err(|e| anyhow::anyhow!("demo returns {unit}: {e}"))?;
        for (name, bytes) in files.iter().filter(|f| f.0.starts_with("eclaim_")) {
            import_rep(store, &sys, unit, name, bytes)
                .await
                .map_err(|e| anyhow::anyhow!("demo REP {name}: {e}"))?;
        }
        if q + 1 < quarters {
            for (name, bytes) in files.iter().filter(|f| f.0.starts_with("STM_")) {
                // Paid a month after the REP, dated then: the year's ledger (7 Plus collection
                // periods) sees the money in the months it arrived.
                import_stm_on(
                    store,
                    &sys,
                    unit,
                    name,
                    bytes,
                    raidai_domain::periods::add_days(issued, 30),
                )
                .await
                .map_err(|e| anyhow::anyhow!("demo STM {name}: {e}"))?;
            }
        }
    }
    Ok(())
}
