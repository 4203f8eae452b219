//! Fresh databases for tests: a temporary SQLite file, or a new PostgreSQL database on the
//! server named by `RAIDAI_TEST_PG_URL` (dropped again when the test ends).

use crate::Store;
use std::io::Write;

pub const PG_ENV: &str = "RAIDAI_TEST_PG_URL";

pub struct TestDb {
    pub store: Store,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

impl TestDb {
    /// A migrated, empty SQLite database in a temporary directory.
    pub async fn sqlite() -> TestDb {
        TestDb::sqlite_until(None).await
    }

    /// A SQLite database migrated up to and including migration `last` (all when `None`).
    pub async fn sqlite_until(last: Option<&str>) -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        let store = Store::connect(&url).await.expect("connect sqlite");
        crate::migrate::run_until(&store, last)
            .await
            .expect("migrate sqlite");
        TestDb {
            store,
            _dir: Some(dir),
            pg: None,
        }
    }

    /// A migrated, empty PostgreSQL database, or `None` (announced on stderr, past the test
    /// harness's capture) when `RAIDAI_TEST_PG_URL` is not set.
    pub async fn postgres(test: &str) -> Option<TestDb> {
        TestDb::postgres_until(test, None).await
    }

    /// As [`TestDb::postgres`], migrated up to and including migration `last`.
    pub async fn postgres_until(test: &str, last: Option<&str>) -> Option<TestDb> {
        let Ok(admin_url) = std::env::var(PG_ENV) else {
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED {test}: PostgreSQL test NOT RUN because {PG_ENV} is not set"
            );
            return None;
        };
        let name = format!("raidai_t_{}", uuid::Uuid::new_v4().simple());
        let admin = Store::connect(&admin_url)
            .await
            .expect("connect to RAIDAI_TEST_PG_URL");
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(admin.pool())
            .await
            .expect("create test database");
        admin.close().await;
        let mut url = url::Url::parse(&admin_url).expect("RAIDAI_TEST_PG_URL is a URL");
        url.set_path(&name);
        let store = Store::connect(url.as_str())
            .await
            .expect("connect test database");
        crate::migrate::run_until(&store, last)
            .await
            .expect("migrate postgres");
        Some(TestDb {
            store,
            _dir: None,
            pg: Some((admin_url, name)),
        })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((admin_url, name)) = self.pg.take() else {
            return;
        };
        let store = self.store.clone();
        // Drop runs inside the test's runtime; a fresh thread with its own runtime may block.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                store.close().await;
                if let Ok(admin) = Store::connect(&admin_url).await {
                    let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(admin.pool())
                    .await;
                    admin.close().await;
                }
            });
        })
        .join();
    }
}

/// Runs SQL as it is (tests that build an older schema's data).
pub async fn exec(store: &Store, sql: &str) {
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(store.pool())
        .await
        .unwrap_or_else(|e| panic!("{e}: {sql}"));
}

/// Runs the same async test body against SQLite and (when configured) PostgreSQL.
#[macro_export]
macro_rules! conformance {
    ($($name:ident;)*) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = $crate::testkit::TestDb::sqlite().await;
                    super::$name(&db.store).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(db) = $crate::testkit::TestDb::postgres(concat!("postgres::", stringify!($name))).await {
                        super::$name(&db.store).await;
                    }
                }
            )*
        }
    };
}

/// A unit of province 99 for tests and benchmarks: a hospital (`rpch`, peer group `peer`) or
/// a รพ.สต. (`rpst`) of district `district`, under the CUP hospital `cup` ('' for none).
pub fn unit(
    hcode: &str,
    name: &str,
    unit_type: &str,
    (district, cup): (&str, &str),
    beds: i64,
    peer: &str,
) -> crate::master::UnitInput {
    crate::master::UnitInput {
        hcode: hcode.into(),
        name_th: name.into(),
        unit_type: unit_type.into(),
        district_code: district.into(),
        cup_hcode: cup.into(),
        peer_group: if unit_type == "rpch" {
            peer.into()
        } else {
            String::new()
        },
        island: false,
        beds,
        active: true,
    }
}

/// Province 99 (`name_th`) with its districts (code, Thai name) and units, written as the
/// system: the master data a test or a benchmark starts from.
pub async fn seed_province(
    store: &Store,
    name_th: &str,
    districts: &[(&str, &str)],
    units: &[crate::master::UnitInput],
) -> Result<(), crate::StoreError> {
    use crate::master::{District, Province};
    let sys = crate::Actor::system();
    let province = Province {
        code: "99".into(),
        name_th: name_th.into(),
        name_en: "Test province".into(),
    };
    store.upsert_province(&sys, &province).await?;
    for (code, th) in districts {
        let district = District {
            code: (*code).into(),
            province_code: "99".into(),
            name_th: (*th).into(),
            name_en: format!("District {code}"),
        };
        store.save_district(&sys, &district).await?;
    }
    store.import_units(&sys, units, 1).await?;
    Ok(())
}

/// A small province for tests: province 99, districts 9901 and 9902, in each a hospital
/// (99001, 99002) with one รพ.สต. (99011, 99021).
pub async fn seed_small(store: &Store) {
    let districts = [("9901", "อำเภอหนึ่ง"), ("9902", "อำเภอสอง")];
    let units = [
        unit("99001", "โรงพยาบาลหนึ่ง", "rpch", ("9901", ""), 30, "F2"),
        unit("99011", "รพ.สต.บ้านหนึ่ง", "rpst", ("9901", "99001"), 0, "F2"),
        unit("99002", "โรงพยาบาลสอง", "rpch", ("9902", ""), 60, "F2"),
        unit("99021", "รพ.สต.บ้านสอง", "rpst", ("9902", "99002"), 0, "F2"),
    ];
    seed_province(store, "จังหวัดทดสอบ", &districts, &units)
        .await
        .expect("province 99 seeded");
}

/// The description of a test import: one source, no files listed, not strict.
pub fn import_meta() -> crate::claims::ImportMeta {
    crate::claims::ImportMeta {
        source_name: "test.zip".into(),
        files: Vec::new(),
        strict: false,
    }
}

/// A unit code written in a test (panics on one that is not five digits).
pub fn hc(code: &str) -> raidai_domain::ids::Hcode {
    raidai_domain::ids::Hcode::parse(code).expect("a five-digit unit code")
}

/// A synthetic OP visit `vkey` of unit 99001's patient, `amount` satang owed by `fund` (UC,
/// SSS, else a direct-billing fund) on `date` (`yyyymmdd`, its fiscal year), posted with its two
/// lines (receivable Dr, revenue Cr) when the amount is not 0. Tests change what they need with
/// `VisitRow { field, ..op_visit(…) }`.
pub fn op_visit(vkey: &str, fund: &str, date: i64, amount: i64) -> crate::claims::VisitRow {
    use crate::claims::PostLine;
    let (recv, rev) = match fund {
        "UC" => ("1102050101.201", "4301020105.201"),
        "SSS" => ("1102050101.301", "4301020106.301"),
        _ => ("1102050101.401", "4301020104.401"),
    };
    let line = |account: &str, debit: i64, credit: i64| PostLine {
        account: account.into(),
        fund: fund.into(),
        debit,
        credit,
    };
    crate::claims::VisitRow {
        visit: crate::claims::VisitRef {
            vkey: vkey.into(),
            setting: "OP".into(),
            hn: "000000001".into(),
            seq: vkey.rsplit('/').next().unwrap_or(vkey).into(),
            an: String::new(),
            date_serv: date,
            date_dsc: date,
        },
        recognised: date,
        facts: crate::claims::VisitFacts {
            fy: raidai_domain::periods::fiscal_year_of(date),
            clinic: "01".into(),
            pdx: "I10".into(),
            cid: "9001000000011".into(),
            patient_name: "นาย ทดสอบ ระบบ".into(),
            sex: "1".into(),
            dob: 19800101,
            inscl: "UCS".into(),
            subtype: String::new(),
            hospmain: "99001".into(),
            permitno: String::new(),
            fund: fund.into(),
            place: "in_cup".into(),
            case: "normal".into(),
            total: amount,
            paid: 0,
            claimable: amount,
            fund_amount: amount,
            patient_amount: 0,
            posted: amount > 0,
            unposted_reason: String::new(),
            receivable: recv.into(),
        },
        content_hash: "h".into(),
        detail_json: "{}".into(),
        lines: if amount > 0 {
            vec![line(recv, amount, 0), line(rev, 0, amount)]
        } else {
            Vec::new()
        },
        findings: Vec::new(),
    }
}

/// An actor with the given role and scope code, without a user row (store-level tests).
pub fn actor(role: raidai_domain::master::Role, code: &str) -> crate::Actor {
    use raidai_domain::master::Role;
    let mut a = crate::Actor::system();
    a.who.username = format!("test-{}", role.code());
    a.who.role = role;
    match role {
        Role::Admin => {}
        Role::Province => a.who.province_code = Some(code.into()),
        Role::District => {
            a.who.province_code = Some(code[..2].into());
            a.who.district_code = Some(code.into());
        }
        Role::UnitHead | Role::UnitRevenue => a.who.hcode = Some(code.into()),
    }
    a
}

/// Takes every connection of the store's page pool and holds them until dropped (tests of
/// what a request does when the pool stays exhausted).
pub async fn exhaust_pool(store: &Store) -> Vec<sqlx::pool::PoolConnection<sqlx::Any>> {
    let max = store.pool().options().get_max_connections();
    let mut held = Vec::new();
    for _ in 0..max {
        held.push(store.pool().acquire().await.expect("acquire"));
    }
    held
}

/// Starts (`true`) or stops recording the statements pages send through the page pool.
pub fn record_statements(on: bool) {
    if on {
        crate::sql::RECORDED.lock().expect("recorder").clear();
    }
    crate::sql::RECORDING.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// The query plan of every recorded statement that reads the journal or the visits, as
/// `(statement, plan)`, and which of them scan one of those tables whole. PostgreSQL plans with
/// sequential scans disabled: on a test database's few rows a scan is always cheapest, so a
/// `Seq Scan` left in the plan means no index could serve the query.
pub async fn explain_recorded(store: &Store) -> Vec<(String, String, bool)> {
    let mut seen = std::collections::BTreeSet::new();
    let recorded: Vec<crate::sql::Sql> =
        std::mem::take(&mut *crate::sql::RECORDED.lock().expect("recorder"));
    let mut out = Vec::new();
    for q in recorded {
        let t = q.text.trim().to_string();
        let upper = t.to_uppercase();
        if !upper.starts_with("SELECT")
            || !(t.contains("claim_journal") || t.contains("claim_visits"))
        {
            continue;
        }
        if !seen.insert(t.clone()) {
            continue;
        }
        let aliases = table_aliases(&t);
        let mut ex = q.clone();
        let (plan, full_scan) = match store.engine() {
            crate::Engine::Sqlite => {
                ex.text = format!("EXPLAIN QUERY PLAN {}", q.text);
                let rows = ex.query().fetch_all(store.pool()).await.expect("explain");
                let lines: Vec<String> = rows
                    .iter()
                    .map(|r| crate::sql::get_s(r, "detail").unwrap_or_default())
                    .collect();
                let scan = lines.iter().any(|l| {
                    let mut w = l.split_whitespace();
                    w.next() == Some("SCAN") && w.next().is_some_and(|name| aliases.contains(name))
                });
                (lines.join("\n"), scan)
            }
            crate::Engine::Postgres => {
                let mut tx = store.pool().begin().await.expect("begin");
                sqlx::query("SET LOCAL enable_seqscan = off")
                    .execute(&mut *tx)
                    .await
                    .expect("set");
                ex.text = format!("EXPLAIN {}", q.text);
                let rows = ex.query().fetch_all(&mut *tx).await.expect("explain");
                let lines: Vec<String> = rows
                    .iter()
                    .map(|r| crate::sql::get_s(r, "QUERY PLAN").unwrap_or_default())
                    .collect();
                let scan = lines.iter().any(|l| {
                    l.contains("Seq Scan on claim_journal")
                        || l.contains("Seq Scan on claim_visits")
                });
                (lines.join("\n"), scan)
            }
        };
        out.push((t, plan, full_scan));
    }
    out
}

/// The names a statement gives `claim_journal` and `claim_visits` (the tables themselves too).
fn table_aliases(sql: &str) -> std::collections::BTreeSet<String> {
    let mut out: std::collections::BTreeSet<String> = ["claim_journal", "claim_visits"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let words: Vec<&str> = sql
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    for (i, w) in words.iter().enumerate() {
        if *w == "claim_journal" || *w == "claim_visits" {
            let mut j = i + 1;
            if words.get(j).is_some_and(|x| x.eq_ignore_ascii_case("AS")) {
                j += 1;
            }
            if let Some(a) = words.get(j)
                && a.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && ![
                    "WHERE", "JOIN", "LEFT", "ON", "GROUP", "ORDER", "LIMIT", "SET",
                ]
                .iter()
                .any(|k| a.eq_ignore_ascii_case(k))
            {
                out.insert(a.to_string());
            }
        }
    }
    out
}
