//! The exposure index: what a scan found, as metadata only, in SQLite or PostgreSQL.
//!
//! The index stores the scanner's content-addressed blob graph (see
//! [`leakdex_scan::observe`]) — blobs by BLAKE3 hash, their member edges, and per blob
//! the values found in it with counts (ids of the `value` table, packed into one BLOB)
//! — plus, per breach, which top-level blobs it holds
//! (`occurrence`). Every count is *derived* from that graph after an ingest
//! ([`Index::materialize`]), which is what makes a load idempotent, incremental and
//! resumable: see `docs/counting.md`, section "Ingest".
//!
//! Never stored: body text, document content, file names or paths, person names, phone
//! numbers or card/IBAN/secret values in clear (those are keyed hashes, see [`keyed`]).
//!
//! One code path serves both back ends: sqlx's `Any` driver with portable SQL (`$1`
//! placeholders, `ON CONFLICT`, `RETURNING`, recursive CTEs) and one numbered migration
//! directory per back end.
//!
//! ```no_run
//! # async fn f() -> Result<(), leakdex_index::Error> {
//! let index = leakdex_index::Index::open("sqlite://leakdex.db").await?;
//! for b in index.breaches().await? {
//!     println!("{} {}", b.name, b.pwn_count);
//! }
//! index.close().await;
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod access;
mod account;
mod breach;
mod bulk;
mod db;
mod derive;
mod error;
mod export;
mod ingest;
pub mod keyed;
mod lookup;
mod materialize;
mod outbox;
mod packed;
#[cfg(test)]
mod plans;
mod search;
mod time;

pub use access::{
    random_hex, secret_hash, ApiKey, AuditEntry, ChallengeError, VerifiedDomain, MAX_ATTEMPTS,
};
pub use breach::{Breach, BreachUpdate, Count, NewBreach};
pub use db::{admin, Backend, Index};
pub use error::Error;
pub use export::{AccountRow, DomainRow, OrgRow};
pub use ingest::{IngestStats, Ingester};
pub use lookup::AddressRow;
pub use materialize::org_key_of_domain;
pub use outbox::{
    check_webhook_url, Alerts, Channel, Claimed, NewSubscription, Notification, Outcome,
    PreviewRow, Subscription,
};
pub use search::{DomainCount, DomainHit, EmailHit, OrgHit};
pub use time::{now_rfc3339, today};

/// The position of `kind` in `KINDS` (a slot in per-kind arrays, a bit in
/// `account_breach.kinds`).
pub(crate) fn kind_index(kind: leakdex_core::Kind) -> usize {
    leakdex_core::KINDS
        .iter()
        .position(|k| *k == kind)
        .unwrap_or(0)
}

/// The kind stored under its name `s` (`email`, `phone`, …).
pub(crate) fn kind_of(s: &str) -> Option<leakdex_core::Kind> {
    leakdex_core::KINDS
        .iter()
        .copied()
        .find(|k| k.as_str() == s)
}
