//! Embedded, per-engine migrations, applied in order and recorded in `raidai_migrations`.

use crate::{Engine, Store, StoreError, now_ms};
use sqlx::{AssertSqlSafe, Row};

struct Migration {
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
    /// Rows generated from bundled data, run in the same transaction after the DDL.
    data: Option<fn() -> String>,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        name: "0001_foundation",
        sqlite: include_str!("../migrations/sqlite/0001_foundation.sql"),
        postgres: include_str!("../migrations/postgres/0001_foundation.sql"),
        data: None,
    },
    Migration {
        name: "0002_governance",
        sqlite: include_str!("../migrations/sqlite/0002_governance.sql"),
        postgres: include_str!("../migrations/postgres/0002_governance.sql"),
        data: None,
    },
    Migration {
        name: "0003_claims",
        sqlite: include_str!("../migrations/sqlite/0003_claims.sql"),
        postgres: include_str!("../migrations/postgres/0003_claims.sql"),
        data: None,
    },
    Migration {
        name: "0004_seven_plus",
        sqlite: include_str!("../migrations/sqlite/0004_seven_plus.sql"),
        postgres: include_str!("../migrations/postgres/0004_seven_plus.sql"),
        data: None,
    },
    Migration {
        name: "0005_journal_append",
        sqlite: include_str!("../migrations/sqlite/0005_journal_append.sql"),
        postgres: include_str!("../migrations/postgres/0005_journal_append.sql"),
        data: None,
    },
    Migration {
        name: "0006_geography",
        sqlite: include_str!("../migrations/sqlite/0006_geography.sql"),
        postgres: include_str!("../migrations/postgres/0006_geography.sql"),
        data: Some(geography_rows),
    },
    Migration {
        name: "0007_import_jobs",
        sqlite: include_str!("../migrations/sqlite/0007_import_jobs.sql"),
        postgres: include_str!("../migrations/postgres/0007_import_jobs.sql"),
        data: None,
    },
    Migration {
        name: "0008_periods",
        sqlite: include_str!("../migrations/sqlite/0008_periods.sql"),
        postgres: include_str!("../migrations/postgres/0008_periods.sql"),
        data: None,
    },
    Migration {
        name: "0009_audit",
        sqlite: include_str!("../migrations/sqlite/0009_audit.sql"),
        postgres: include_str!("../migrations/postgres/0009_audit.sql"),
        data: None,
    },
    Migration {
        name: "0010_authen",
        sqlite: include_str!("../migrations/sqlite/0010_authen.sql"),
        postgres: include_str!("../migrations/postgres/0010_authen.sql"),
        data: None,
    },
    Migration {
        name: "0011_claim_cycle",
        sqlite: include_str!("../migrations/sqlite/0011_claim_cycle.sql"),
        postgres: include_str!("../migrations/postgres/0011_claim_cycle.sql"),
        data: None,
    },
    Migration {
        name: "0012_read_models",
        sqlite: include_str!("../migrations/sqlite/0012_read_models.sql"),
        postgres: include_str!("../migrations/postgres/0012_read_models.sql"),
        data: None,
    },
    Migration {
        name: "0013_read_models_pages",
        sqlite: include_str!("../migrations/sqlite/0013_read_models_pages.sql"),
        postgres: include_str!("../migrations/postgres/0013_read_models_pages.sql"),
        data: None,
    },
    Migration {
        name: "0014_read_version",
        sqlite: include_str!("../migrations/sqlite/0014_read_version.sql"),
        postgres: include_str!("../migrations/postgres/0014_read_version.sql"),
        data: None,
    },
    Migration {
        name: "0015_findings_sums",
        sqlite: include_str!("../migrations/sqlite/0015_findings_sums.sql"),
        postgres: include_str!("../migrations/postgres/0015_findings_sums.sql"),
        data: None,
    },
    Migration {
        name: "0016_batch_sums",
        sqlite: include_str!("../migrations/sqlite/0016_batch_sums.sql"),
        postgres: include_str!("../migrations/postgres/0016_batch_sums.sql"),
        data: None,
    },
    Migration {
        name: "0017_audit_sums",
        sqlite: include_str!("../migrations/sqlite/0017_audit_sums.sql"),
        postgres: include_str!("../migrations/postgres/0017_audit_sums.sql"),
        data: None,
    },
    Migration {
        name: "0018_status_sums",
        sqlite: include_str!("../migrations/sqlite/0018_status_sums.sql"),
        postgres: include_str!("../migrations/postgres/0018_status_sums.sql"),
        data: None,
    },
    Migration {
        name: "0019_assessment_paper",
        sqlite: include_str!("../migrations/sqlite/0019_assessment_paper.sql"),
        postgres: include_str!("../migrations/postgres/0019_assessment_paper.sql"),
        data: None,
    },
    Migration {
        name: "0020_criteria_sets",
        sqlite: include_str!("../migrations/sqlite/0020_criteria_sets.sql"),
        postgres: include_str!("../migrations/postgres/0020_criteria_sets.sql"),
        data: None,
    },
    Migration {
        name: "0021_plan_approval",
        sqlite: include_str!("../migrations/sqlite/0021_plan_approval.sql"),
        postgres: include_str!("../migrations/postgres/0021_plan_approval.sql"),
        data: None,
    },
    Migration {
        name: "0022_inspection",
        sqlite: include_str!("../migrations/sqlite/0022_inspection.sql"),
        postgres: include_str!("../migrations/postgres/0022_inspection.sql"),
        data: None,
    },
];

/// INSERTs of every province and district of `raidai_domain::geography` (same SQL on both engines).
fn geography_rows() -> String {
    use raidai_domain::geography::{districts, provinces};
    let q = |s: &str| format!("'{}'", s.replace('\'', "''"));
    let mut sql = String::from("INSERT INTO geo_provinces (code, name_th, name_en) VALUES ");
    let rows: Vec<String> = provinces()
        .iter()
        .map(|p| format!("({}, {}, {})", q(p.code), q(p.name_th), q(p.name_en)))
        .collect();
    sql.push_str(&rows.join(", "));
    sql.push_str(";\nINSERT INTO geo_districts (code, province_code, name_th, name_en) VALUES ");
    let rows: Vec<String> = districts()
        .iter()
        .map(|d| {
            format!(
                "({}, {}, {}, {})",
                q(d.code),
                q(d.province_code),
                q(d.name_th),
                q(d.name_en)
            )
        })
        .collect();
    sql.push_str(&rows.join(", "));
    sql.push(';');
    sql
}

/// True when the file holds no statement, only comments: such a migration is not recorded, so a
/// file reserved for a feature still in development is applied once it gets its DDL.
fn is_empty_sql(sql: &str) -> bool {
    sql.lines()
        .map(str::trim)
        .all(|l| l.is_empty() || l.starts_with("--"))
}

pub(crate) async fn run(store: &Store) -> Result<Vec<String>, StoreError> {
    run_until(store, None).await
}

/// Applies the pending migrations in order, stopping after `last` when given (tests of a
/// migration start from the schema before it).
pub(crate) async fn run_until(
    store: &Store,
    last: Option<&str>,
) -> Result<Vec<String>, StoreError> {
    let pool = store.pool();
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS raidai_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)",
    )
    .execute(pool)
    .await?;
    let done: Vec<String> = sqlx::query("SELECT name FROM raidai_migrations")
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>("name"))
        .collect::<Result<_, _>>()?;
    let mut applied = Vec::new();
    for m in MIGRATIONS {
        if done.iter().any(|d| d == m.name) {
            if last == Some(m.name) {
                break;
            }
            continue;
        }
        let ddl = match store.engine() {
            Engine::Sqlite => m.sqlite,
            Engine::Postgres => m.postgres,
        };
        if is_empty_sql(ddl) {
            continue;
        }
        // DDL and its record commit together, so a failed migration leaves nothing behind.
        let mut tx = pool.begin().await?;
        sqlx::raw_sql(AssertSqlSafe(ddl)).execute(&mut *tx).await?;
        if let Some(data) = m.data {
            sqlx::raw_sql(AssertSqlSafe(data()))
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("INSERT INTO raidai_migrations (name, applied_at) VALUES ($1, $2)")
            .bind(m.name)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        tracing::info!(
            migration = m.name,
            engine = store.engine().name(),
            "migration applied"
        );
        applied.push(m.name.to_string());
        if last == Some(m.name) {
            break;
        }
    }
    Ok(applied)
}
