use serde::Serialize;

/// A problem with one input field, in English (CLI, logs, API) and Thai (UI).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message_en: String,
    pub message_th: String,
    /// 1-based line of an imported file, when the input was a file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

impl FieldError {
    pub fn new(field: &str, en: impl Into<String>, th: impl Into<String>) -> Self {
        FieldError {
            field: field.to_string(),
            message_en: en.into(),
            message_th: th.into(),
            line: None,
        }
    }

    pub fn at_line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(l) = self.line {
            write!(f, "line {l}: ")?;
        }
        write!(f, "{}: {}", self.field, self.message_en)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Absent, or outside the caller's tenancy (the two are indistinguishable on purpose).
    #[error("not found")]
    NotFound,
    /// Visible to the caller but not theirs to change.
    #[error("forbidden")]
    Forbidden,
    /// Input rejected; nothing was written.
    #[error("invalid input: {}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
    #[error("configuration: {0}")]
    Config(String),
    /// Every database connection stayed busy for the pool's whole wait: try again shortly.
    #[error("busy: no database connection free")]
    Busy,
    #[error("database: {0}")]
    Db(#[source] sqlx::Error),
}

impl StoreError {
    /// An uploaded table refused at its line `line`: `field` names the table, the Thai message
    /// leads with `th_what` (what the table is).
    pub fn table_line(field: &str, line: usize, message: &str, th_what: &str) -> Self {
        StoreError::Invalid(vec![
            FieldError::new(field, message, format!("{th_what}: {message}")).at_line(line),
        ])
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::PoolTimedOut => StoreError::Busy,
            e => StoreError::Db(e),
        }
    }
}

impl StoreError {
    pub fn field(field: &str, en: impl Into<String>, th: impl Into<String>) -> Self {
        StoreError::Invalid(vec![FieldError::new(field, en, th)])
    }
}
