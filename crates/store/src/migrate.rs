//! Embedded, per-engine migrations, applied in order and recorded in `raidai_migrations`.

use crate::{Engine, Store, StoreError, now_ms};
use sqlx::{AssertSqlSafe, Row};

struct Migration {
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        name: "0001_foundation",
        sqlite: include_str!("../migrations/sqlite/0001_foundation.sql"),
        postgres: include_str!("../migrations/postgres/0001_foundation.sql"),
    },
    Migration {
        name: "0002_governance",
        sqlite: include_str!("../migrations/sqlite/0002_governance.sql"),
        postgres: include_str!("../migrations/postgres/0002_governance.sql"),
    },
    Migration {
        name: "0003_claims",
        sqlite: include_str!("../migrations/sqlite/0003_claims.sql"),
        postgres: include_str!("../migrations/postgres/0003_claims.sql"),
    },
    Migration {
        name: "0004_seven_plus",
        sqlite: include_str!("../migrations/sqlite/0004_seven_plus.sql"),
        postgres: include_str!("../migrations/postgres/0004_seven_plus.sql"),
    },
    Migration {
        name: "0005_journal_append",
        sqlite: include_str!("../migrations/sqlite/0005_journal_append.sql"),
        postgres: include_str!("../migrations/postgres/0005_journal_append.sql"),
    },
];

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
