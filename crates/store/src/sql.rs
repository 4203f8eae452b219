//! A tiny statement builder: sqlx's QueryBuilder cannot pick `$n` placeholders for `Any`.

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, AssertSqlSafe};

pub(crate) static RECORDING: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);
pub(crate) static RECORDED: std::sync::Mutex<Vec<Sql>> = std::sync::Mutex::new(Vec::new());

#[derive(Debug, Clone)]
pub(crate) enum Bind {
    Text(Option<String>),
    Int(Option<i64>),
}

/// A value to bind, from the types statements take: text (`&str`, `String`, an optional
/// `String`) or an integer.
pub(crate) trait IntoBind {
    fn into_bind(self) -> Bind;
}

impl IntoBind for String {
    fn into_bind(self) -> Bind {
        Bind::Text(Some(self))
    }
}

impl IntoBind for &String {
    fn into_bind(self) -> Bind {
        Bind::Text(Some(self.clone()))
    }
}

impl IntoBind for &str {
    fn into_bind(self) -> Bind {
        Bind::Text(Some(self.to_string()))
    }
}

impl IntoBind for Option<String> {
    fn into_bind(self) -> Bind {
        Bind::Text(self)
    }
}

impl IntoBind for i64 {
    fn into_bind(self) -> Bind {
        Bind::Int(Some(self))
    }
}

/// The values of a statement's list, each bound by its type: `binds![hcode, fy, now_ms()]`.
macro_rules! binds {
    ($($v:expr),* $(,)?) => {
        [$($crate::sql::IntoBind::into_bind($v)),*]
    };
}
pub(crate) use binds;

#[derive(Debug, Default, Clone)]
pub(crate) struct Sql {
    pub text: String,
    binds: Vec<Bind>,
}

impl Sql {
    pub fn new(text: &str) -> Self {
        Sql {
            text: text.to_string(),
            binds: Vec::new(),
        }
    }

    pub fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }

    /// Appends a placeholder for `v` and returns self.
    pub fn text(&mut self, v: impl Into<String>) -> &mut Self {
        self.binds.push(Bind::Text(Some(v.into())));
        let n = self.binds.len();
        self.text.push_str(&format!("${n}"));
        self
    }

    pub fn opt_text(&mut self, v: Option<String>) -> &mut Self {
        self.binds.push(Bind::Text(v));
        let n = self.binds.len();
        self.text.push_str(&format!("${n}"));
        self
    }

    pub fn int(&mut self, v: i64) -> &mut Self {
        self.binds.push(Bind::Int(Some(v)));
        let n = self.binds.len();
        self.text.push_str(&format!("${n}"));
        self
    }

    /// Appends `$1, $2, …`: one placeholder a value, comma-separated (a VALUES row, an IN list).
    pub fn list(&mut self, values: impl IntoIterator<Item = Bind>) -> &mut Self {
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.binds.push(v);
            let n = self.binds.len();
            self.text.push_str(&format!("${n}"));
        }
        self
    }

    /// Appends one text placeholder a value, comma-separated (an IN list of keys).
    pub fn texts<T: Into<String>>(&mut self, values: impl IntoIterator<Item = T>) -> &mut Self {
        self.list(values.into_iter().map(|v| Bind::Text(Some(v.into()))))
    }

    /// The statement's one row on the page pool; NotFound when there is none (absent, or
    /// outside the caller's tenancy: the two look the same on purpose).
    pub async fn one(&self, pool: &sqlx::AnyPool) -> Result<AnyRow, crate::StoreError> {
        self.query()
            .fetch_optional(pool)
            .await?
            .ok_or(crate::StoreError::NotFound)
    }

    /// Every row of the statement on the page pool, each read by `from_row` (a row type's
    /// mapping).
    pub async fn all<T>(
        &self,
        pool: &sqlx::AnyPool,
        from_row: fn(&dyn Cols) -> Result<T, sqlx::Error>,
    ) -> Result<Vec<T>, crate::StoreError> {
        let rows = self.query().fetch_all(pool).await?;
        Ok(rows.iter().map(|r| from_row(r)).collect::<Result<_, _>>()?)
    }

    /// The statement for the page pool (the `Any` driver). Recorded while a plan test runs
    /// ([`crate::testkit::record_statements`]).
    pub fn query(&self) -> Query<'static, Any, AnyArguments> {
        if RECORDING.load(std::sync::atomic::Ordering::Relaxed) {
            RECORDED.lock().expect("recorder").push(self.clone());
        }
        self.query_for::<Any>()
    }

    /// The statement with its values bound, for any engine's driver.
    fn query_for<DB>(&self) -> Query<'static, DB, DB::Arguments>
    where
        DB: sqlx::Database,
        Option<String>: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
        Option<i64>: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    {
        let mut q = sqlx::query::<DB>(AssertSqlSafe(self.text.clone()));
        for b in &self.binds {
            q = match b {
                Bind::Text(v) => q.bind(v.clone()),
                Bind::Int(v) => q.bind(*v),
            };
        }
        q
    }
}

impl Sql {
    /// The same statement for sqlx's native SQLite driver (imports on SQLite).
    pub fn query_sqlite(&self) -> Query<'static, sqlx::Sqlite, sqlx::sqlite::SqliteArguments> {
        self.query_for::<sqlx::Sqlite>()
    }
}

impl Sql {
    /// The same statement for sqlx's native PostgreSQL driver (imports on PostgreSQL).
    pub fn query_pg(&self) -> Query<'static, sqlx::Postgres, sqlx::postgres::PgArguments> {
        self.query_for::<sqlx::Postgres>()
    }
}

impl Cols for sqlx::postgres::PgRow {
    fn s(&self, col: &str) -> Result<String, sqlx::Error> {
        use sqlx::Row;
        self.try_get::<String, _>(col)
    }
    fn i(&self, col: &str) -> Result<i64, sqlx::Error> {
        use sqlx::Row;
        self.try_get::<i64, _>(col)
    }
}

/// Column access shared by `Any` rows and native SQLite and PostgreSQL rows.
pub(crate) trait Cols {
    fn s(&self, col: &str) -> Result<String, sqlx::Error>;
    fn i(&self, col: &str) -> Result<i64, sqlx::Error>;
}

impl Cols for AnyRow {
    fn s(&self, col: &str) -> Result<String, sqlx::Error> {
        get_s(self, col)
    }
    fn i(&self, col: &str) -> Result<i64, sqlx::Error> {
        get_i(self, col)
    }
}

impl Cols for sqlx::sqlite::SqliteRow {
    fn s(&self, col: &str) -> Result<String, sqlx::Error> {
        use sqlx::Row;
        self.try_get::<String, _>(col)
    }
    fn i(&self, col: &str) -> Result<i64, sqlx::Error> {
        use sqlx::Row;
        self.try_get::<i64, _>(col)
    }
}

pub(crate) fn get_s(row: &AnyRow, col: &str) -> Result<String, sqlx::Error> {
    use sqlx::Row;
    row.try_get::<String, _>(col)
}

pub(crate) fn get_os(row: &AnyRow, col: &str) -> Result<Option<String>, sqlx::Error> {
    use sqlx::Row;
    row.try_get::<Option<String>, _>(col)
}

pub(crate) fn get_i(row: &AnyRow, col: &str) -> Result<i64, sqlx::Error> {
    use sqlx::Row;
    row.try_get::<i64, _>(col)
}

/// A value read from the column of a row by name (see [`row_struct!`]).
pub(crate) trait FromCol: Sized {
    fn from_col(r: &dyn Cols, col: &str) -> Result<Self, sqlx::Error>;
}

impl FromCol for String {
    fn from_col(r: &dyn Cols, col: &str) -> Result<Self, sqlx::Error> {
        r.s(col)
    }
}

impl FromCol for i64 {
    fn from_col(r: &dyn Cols, col: &str) -> Result<Self, sqlx::Error> {
        r.i(col)
    }
}

/// Stored as an integer 0/1 on both engines.
impl FromCol for bool {
    fn from_col(r: &dyn Cols, col: &str) -> Result<Self, sqlx::Error> {
        Ok(r.i(col)? != 0)
    }
}

/// Money is stored as integer satang on both engines.
impl FromCol for raidai_domain::money::Satang {
    fn from_col(r: &dyn Cols, col: &str) -> Result<Self, sqlx::Error> {
        Ok(raidai_domain::money::Satang(r.i(col)?))
    }
}

/// Periods, years and other small counts stored as integers; a negative or huge one is an error.
impl FromCol for u32 {
    fn from_col(r: &dyn Cols, col: &str) -> Result<Self, sqlx::Error> {
        let v = r.i(col)?;
        u32::try_from(v).map_err(|e| sqlx::Error::ColumnDecode {
            index: col.to_string(),
            source: Box::new(e),
        })
    }
}

impl FromCol for raidai_domain::ids::Personal {
    fn from_col(r: &dyn Cols, col: &str) -> Result<Self, sqlx::Error> {
        Ok(r.s(col)?.into())
    }
}

/// Declares a row struct and its one mapping, `from_row`: each field is read from the column
/// of the same name (alias the column in the SELECT where its name differs).
macro_rules! row_struct {
    (
        $(#[$meta:meta])*
        pub struct $ty:ident {
            $($(#[$fmeta:meta])* pub $field:ident : $fty:ty),* $(,)?
        }
    ) => {
        $(#[$meta])*
        pub struct $ty {
            $($(#[$fmeta])* pub $field: $fty),*
        }

        impl $ty {
            /// The row's columns of the fields' names.
            pub(crate) fn from_row(r: &dyn $crate::sql::Cols) -> Result<Self, sqlx::Error> {
                Ok($ty {
                    $($field: <$fty as $crate::sql::FromCol>::from_col(r, stringify!($field))?),*
                })
            }
        }

        /// A row type nested in another reads the same row (its fields' own columns).
        impl $crate::sql::FromCol for $ty {
            fn from_col(r: &dyn $crate::sql::Cols, _: &str) -> Result<Self, sqlx::Error> {
                Self::from_row(r)
            }
        }
    };
}
pub(crate) use row_struct;
