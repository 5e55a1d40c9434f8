//! Moving many rows through sqlx's `Any` driver, which spends ~6–8 µs on every row it
//! binds or returns: rows go in as one JSON array parameter per chunk, unpacked by the
//! database (`json_each` on SQLite, `json_array_elements` on PostgreSQL), and come back as
//! one JSON string built by the database (`json_group_array` / `json_agg`).

use crate::db::Backend;
use crate::Error;
use sqlx::{Any, Transaction};

/// A JSON error without its text (which may quote a value).
pub(crate) fn json_error(what: &str, e: &serde_json::Error) -> Error {
    Error::Internal(format!(
        "{what}: {:?} error at line {} column {}",
        e.classify(),
        e.line(),
        e.column()
    ))
}

/// A cell of a row to insert.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Cell {
    I(i64),
    S(String),
    /// Bytes, carried as hex through the JSON.
    B(Vec<u8>),
    /// SQL NULL (JSON null), in a column of any kind.
    Null,
}

impl Cell {
    fn json(&self) -> serde_json::Value {
        match self {
            Cell::I(i) => serde_json::Value::from(*i),
            Cell::S(s) => serde_json::Value::from(s.as_str()),
            Cell::B(b) => serde_json::Value::from(crate::account::upper_hex(b)),
            Cell::Null => serde_json::Value::Null,
        }
    }
}

/// What a column to insert holds, and so how its JSON cell is read.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Col {
    Int,
    Text,
    /// Bytes ([`Cell::B`]).
    Bytes,
    /// The id of the account whose SHA-1 the cell holds ([`Cell::B`]).
    AccountOf,
    /// The id of the registrable domain the cell names (`domain_name`; [`Cell::S`]).
    DomainOf,
}

/// SQL for the bytes of the hex text `expr`.
pub(crate) fn unhex(backend: Backend, expr: &str) -> String {
    match backend {
        Backend::Sqlite => format!("unhex({expr})"),
        Backend::Postgres => format!("decode({expr}, 'hex')"),
    }
}

/// SQL for the hex text of the bytes `expr` (NULL for NULL; the case is each back end's).
pub(crate) fn hex(backend: Backend, expr: &str) -> String {
    match backend {
        // SQLite's hex(NULL) is ''.
        Backend::Sqlite => format!("NULLIF(hex({expr}), '')"),
        Backend::Postgres => format!("encode({expr}, 'hex')"),
    }
}

/// Rows per JSON array handed to the database.
pub(crate) const JSON_ROWS: usize = 20_000;

/// The rows of a JSON array parameter, one `value` per element, as each back end spells
/// it: `json_each` (SQLite) or `json_array_elements` (PostgreSQL), elements as text with
/// `json_array_elements_text` when `text`.
pub(crate) fn json_rows(backend: Backend, text: bool, param: &str) -> String {
    match (backend, text) {
        (Backend::Sqlite, _) => format!("json_each({param})"),
        (Backend::Postgres, false) => format!("json_array_elements(CAST({param} AS json))"),
        (Backend::Postgres, true) => format!("json_array_elements_text(CAST({param} AS json))"),
    }
}

/// The rows of a query as one JSON array of arrays (`cols` each), built by the database:
/// sqlx's `Any` driver spends ~6 µs on each row it returns (copies, allocations), so a
/// million value rows took 6 s as rows and well under one as one string.
pub(crate) fn json_agg(backend: Backend, cols: &str) -> String {
    match backend {
        Backend::Sqlite => format!("json_group_array(json_array({cols}))"),
        Backend::Postgres => {
            format!("CAST(COALESCE(json_agg(json_build_array({cols})), '[]') AS TEXT)")
        }
    }
}

/// Inserts `rows` into `table`: each chunk is one JSON array bound as one parameter and
/// unpacked by the database (`json_rows`). Binding every cell through sqlx's `Any`
/// driver cost ~8 µs a row — 8 s for a million addresses — where this is a string.
/// `cols` names the columns and what each holds. A row whose [`Col::AccountOf`] finds no
/// account is left out; returns how many rows were written.
pub(crate) async fn insert_rows(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    table: &str,
    cols: &[(&str, Col)],
    rows: Vec<Vec<Cell>>,
) -> Result<u64, Error> {
    insert_rows_or(tx, backend, table, cols, rows, Conflict::Fail).await
}

/// What [`insert_rows_or`] does with a row that is already there.
#[derive(Clone, Copy)]
pub(crate) enum Conflict {
    /// Fails the statement (a unique key says so).
    Fail,
    /// Leaves the row out: `ON CONFLICT (key) DO NOTHING`.
    Key(&'static str),
    /// Leaves out an account (the first column its SHA-1) whose hash is in `account`,
    /// without a unique key on SQLite (migration 0011); PostgreSQL's unique key leaves out
    /// one written by a concurrent load since.
    NewAccount,
}

/// [`insert_rows`] with what to do about a row that is already there.
pub(crate) async fn insert_rows_or(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    table: &str,
    cols: &[(&str, Col)],
    rows: Vec<Vec<Cell>>,
    on_conflict: Conflict,
) -> Result<u64, Error> {
    let mut rows = rows;
    // In order (of the first column, which leads most keys here, then the next): B-tree
    // pages fill in order instead of splitting at random, and concurrent loads
    // (PostgreSQL) lock rows in one order (not `account_breach`'s key: the account id is
    // only known to the database).
    rows.sort_unstable();
    let names: Vec<&str> = cols.iter().map(|c| c.0).collect();
    let mut joins = String::new();
    let exprs: Vec<String> = cols
        .iter()
        .enumerate()
        .map(|(i, (_, col))| match col {
            Col::Int => format!("CAST(j.value ->> {i} AS BIGINT)"),
            Col::Text => format!("j.value ->> {i}"),
            Col::Bytes => unhex(backend, &format!("j.value ->> {i}")),
            // A join, not a subquery: a row whose account is missing is left out.
            Col::AccountOf => {
                joins.push_str(&format!(
                    " JOIN account a{i} ON {}",
                    crate::account::sha1_is(
                        &format!("a{i}"),
                        &unhex(backend, &format!("j.value ->> {i}"))
                    )
                ));
                format!("a{i}.id")
            }
            Col::DomainOf => format!("(SELECT id FROM domain_name WHERE name = j.value ->> {i})"),
        })
        .collect();
    let on_conflict = match on_conflict {
        Conflict::Fail => String::new(),
        Conflict::Key(key) => format!("ON CONFLICT ({key}) DO NOTHING"),
        Conflict::NewAccount => format!(
            "AND NOT EXISTS (SELECT 1 FROM account o WHERE {}) ON CONFLICT DO NOTHING",
            crate::account::sha1_is("o", exprs.first().map_or("NULL", String::as_str))
        ),
    };
    // Always a WHERE: SQLite needs one between `INSERT … SELECT` and `ON CONFLICT`.
    let sql = format!(
        "INSERT INTO {table} ({}) SELECT {} FROM {} j{joins} WHERE 1 = 1 {on_conflict}",
        names.join(", "),
        exprs.join(", "),
        json_rows(backend, false, "$1"),
    );
    let mut written = 0;
    for chunk in rows.chunks(JSON_ROWS) {
        let array: Vec<serde_json::Value> = chunk
            .iter()
            .map(|row| serde_json::Value::Array(row.iter().map(Cell::json).collect()))
            .collect();
        let json =
            serde_json::to_string(&array).map_err(|e| json_error("derived rows as JSON", &e))?;
        written += sqlx::query(&sql)
            .bind(json)
            .execute(&mut **tx)
            .await?
            .rows_affected();
    }
    Ok(written)
}
