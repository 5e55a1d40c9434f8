//! The index's error type.

/// What went wrong in the index.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The URL names no supported database.
    #[error("unsupported database URL (use sqlite://FILE or postgres://…)")]
    Url,
    /// The database refused or failed.
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    /// Applying the schema migrations failed.
    #[error("cannot apply the index schema: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// No breach of that name.
    #[error("no breach named {0:?} (see `leakdex breach list`)")]
    NoBreach(String),
    /// A value given by the user is not acceptable.
    #[error("{0}")]
    Invalid(String),
    /// The key may not do this (e.g. subscribe to a domain it has not verified).
    #[error("{0}")]
    Forbidden(String),
    /// Writing an export failed.
    #[error("cannot write the export: {0}")]
    Io(std::io::Error),
    /// A task of the index's caller failed (it panicked or its runtime stopped).
    #[error("internal error: {0}")]
    Internal(String),
}
