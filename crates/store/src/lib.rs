//! Storage for raidai: one interface over two engines (SQLite embedded, PostgreSQL production).
//!
//! Every query goes through sqlx's `Any` driver with `$n` placeholders, so both engines run the
//! same statements; only the DDL differs (see `migrations/`). Tenancy is enforced here: every
//! read and write takes the caller's [`Actor`] and filters or refuses accordingly.

pub mod actor;
pub mod audit;
pub mod authen;
pub mod claims;
pub mod criteria;
mod csv_in;
pub mod error;
pub mod findings;
pub mod governance;
pub mod inspection;
pub mod jobs;
pub mod master;
mod migrate;
pub mod periods;
pub mod plan_approval;
pub mod setup;
mod sql;
mod sqlite_raw;
pub mod stored_file;
pub mod testkit;
pub mod users;

pub use actor::{Actor, Identity};
pub use error::{FieldError, StoreError};
pub use stored_file::StoredFile;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};
use std::time::Duration;

/// Which database engine a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }
}

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    engine: Engine,
    /// Native connections for imports: their bulk writes use what each engine does best
    /// (SQLite: prepared statements called directly, see `sqlite_raw`; PostgreSQL: COPY).
    imports: ImportPool,
}

#[derive(Clone)]
pub(crate) enum ImportPool {
    /// One connection: SQLite has one writer anyway.
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("engine", &self.engine)
            .finish()
    }
}

/// Hides the password of a database URL so it can be logged or printed.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("****"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

/// The statement every writing transaction of a read model (or of the units and districts
/// pages show with them) runs before it commits.
pub(crate) fn bump_read_version() -> sql::Sql {
    sql::Sql::new("UPDATE read_version SET version = version + 1 WHERE id = 1")
}

/// Commits a write of units or districts after [`bump_read_version`]; such writes also run on
/// databases a test migrated only part of the way (before `read_version` existed).
pub(crate) async fn commit_units_change(
    engine: Engine,
    mut tx: sqlx::Transaction<'_, sqlx::Any>,
) -> Result<(), StoreError> {
    let probe = match engine {
        Engine::Sqlite => {
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM sqlite_master WHERE name = 'read_version'"
        }
        Engine::Postgres => {
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM information_schema.tables WHERE table_name = 'read_version' AND table_schema = current_schema()"
        }
    };
    let n = sql::get_i(
        &sql::Sql::new(probe).query().fetch_one(&mut *tx).await?,
        "n",
    )?;
    if n > 0 {
        bump_read_version().query().execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Every PostgreSQL session plans each statement with its values: the claim lookups are the
/// same text with a different unit and key list each time, and a generic plan (chosen after five
/// runs) scanned a unit's whole recognition-date index for each thousand keys (4 s instead of
/// milliseconds).
const PG_SESSION: &str = "SET plan_cache_mode = force_custom_plan";

/// The pool pages read through (imports have their own connections).
#[derive(Debug, Clone, Copy, Default)]
pub struct PoolSettings {
    /// Connections (default 4 on SQLite, 8 on PostgreSQL).
    pub size: Option<u32>,
    /// How long a request waits for a free connection before it is told the system is busy
    /// (default 3 s).
    pub wait: Option<Duration>,
}

impl Store {
    /// Connects to `sqlite://PATH` (created if missing) or `postgres://…`.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        Store::connect_with(url, PoolSettings::default()).await
    }

    /// The read models' version: it changes with every transaction that changes them, so
    /// what was computed from them at one version may be reused while it stands.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn read_version(&self) -> Result<i64, StoreError> {
        let r = sql::Sql::new("SELECT CAST(version AS BIGINT) AS v FROM read_version WHERE id = 1")
            .query()
            .fetch_one(self.pool())
            .await?;
        Ok(sql::get_i(&r, "v")?)
    }

    /// [`Store::connect`] with the page pool's size and wait chosen.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn connect_with(url: &str, pool: PoolSettings) -> Result<Store, StoreError> {
        install_default_drivers();
        let (engine, url) = if let Some(rest) = url.strip_prefix("sqlite:") {
            let mut u = format!("sqlite:{rest}");
            if !rest.contains("mode=") {
                u.push_str(if rest.contains('?') {
                    "&mode=rwc"
                } else {
                    "?mode=rwc"
                });
            }
            (Engine::Sqlite, u)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (Engine::Postgres, url.to_string())
        } else {
            return Err(StoreError::Config(format!(
                "unsupported database URL {} (use sqlite://PATH or postgres://…)",
                redact_url(url)
            )));
        };
        // One direct connection first: its error ("connection refused", "database does not
        // exist") says more than a pool timeout would.
        let cannot_connect = |e: sqlx::Error| {
            StoreError::Config(format!(
                "cannot connect to database {}: {e}",
                redact_url(&url)
            ))
        };
        let probe = <sqlx::AnyConnection as sqlx::Connection>::connect(&url)
            .await
            .map_err(cannot_connect)?;
        let _ = sqlx::Connection::close(probe).await;
        let max = pool
            .size
            .unwrap_or(if engine == Engine::Sqlite { 4 } else { 8 })
            .max(1);
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            // A request waits this long for a connection, then answers 503 (busy).
            .acquire_timeout(pool.wait.unwrap_or(Duration::from_secs(3)))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if engine == Engine::Sqlite {
                        // temp_store: statement journals of large multi-row INSERTs inside an
                        // import transaction stay in memory instead of a temporary file.
                        // journal_size_limit: after a large import the WAL file shrinks back once
                        // it has been checkpointed.
                        conn.execute("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; PRAGMA temp_store = MEMORY; PRAGMA journal_size_limit = 67108864")
                            .await?;
                    } else {
                        conn.execute(PG_SESSION).await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await
            .map_err(cannot_connect)?;
        let imports = if engine == Engine::Sqlite {
            // 8 KiB pages for a new database (no effect on an existing one): half the pages to
            // look up, spill and log per import; measured 3–6 % faster on the 1M-visit import.
            pool.execute("PRAGMA page_size = 8192; PRAGMA journal_mode = WAL")
                .await?;
            let opts: sqlx::sqlite::SqliteConnectOptions = url.parse()?;
            ImportPool::Sqlite(
                sqlx::sqlite::SqlitePoolOptions::new()
                    .max_connections(1)
                    .min_connections(0)
                    // An import waits for the one before it (imports take minutes at most).
                    .acquire_timeout(Duration::from_secs(600))
                    .acquire_slow_threshold(Duration::from_secs(600))
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            // No checkpoint inside an import's commit: copying a large import's
                            // WAL into the database runs afterwards, off the user's clock
                            // (`ImportSession::finish`). Temporary storage in files: the
                            // cross-visit checks sort a unit's visits (a hospital-year's 1 M
                            // rows), which in memory put the import's peak over 300 MB.
                            conn.execute("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; PRAGMA temp_store = FILE; PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = 67108864")
                                .await?;
                            Ok(())
                        })
                    })
                    .connect_lazy_with(opts),
            )
        } else {
            let opts: sqlx::postgres::PgConnectOptions = url.parse()?;
            ImportPool::Postgres(
                sqlx::postgres::PgPoolOptions::new()
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            conn.execute(PG_SESSION).await?;
                            Ok(())
                        })
                    })
                    .max_connections(4)
                    .min_connections(0)
                    .acquire_timeout(Duration::from_secs(600))
                    .acquire_slow_threshold(Duration::from_secs(600))
                    .connect_lazy_with(opts),
            )
        };
        Ok(Store {
            pool,
            engine,
            imports,
        })
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Applies the embedded migrations that are not yet applied; returns their names.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn migrate(&self) -> Result<Vec<String>, StoreError> {
        let applied = migrate::run(self).await?;
        // Criteria sets the province loaded stay in force across restarts.
        self.install_stored_criteria().await?;
        Ok(applied)
    }

    /// Cheap liveness check for `/healthz`.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// SQLite: copies the write-ahead log into the database file (PASSIVE: readers and writers
    /// go on). Runs by itself after each import; waits for one still running. Returns the
    /// frames checkpointed. PostgreSQL: nothing to do.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn checkpoint(&self) -> Result<i64, StoreError> {
        let ImportPool::Sqlite(pool) = &self.imports else {
            return Ok(0);
        };
        let row = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .fetch_one(pool)
            .await?;
        Ok(sqlx::Row::try_get::<i64, _>(&row, 2).unwrap_or(0))
    }

    /// SQLite: copies the whole WAL into the database and truncates the WAL file (a command
    /// that ends should not leave hundreds of MB of WAL behind). Waits for readers.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn checkpoint_truncate(&self) -> Result<(), StoreError> {
        if self.engine() != Engine::Sqlite {
            return Ok(());
        }
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .fetch_one(&self.pool)
            .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn close(&self) {
        match &self.imports {
            ImportPool::Sqlite(p) => p.close().await,
            ImportPool::Postgres(p) => p.close().await,
        }
        self.pool.close().await;
    }
}

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
