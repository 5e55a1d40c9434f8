//! Writing a scan into the index, one top-level blob per transaction.
//!
//! [`Ingester`] is the scanner's [`Observer`]. In `begin` it numbers the copies of each
//! top-level hash met in this run (`copy_index` 0, 1, …) and skips a copy the breach
//! already holds. In `end` one transaction writes the blobs decoded for the first time
//! (`INSERT … ON CONFLICT DO NOTHING`), the edges and values of those that were really new
//! to the index, and the `occurrence` row — the checkpoint. A blob committed is never
//! written again; a blob not committed when the process died is simply redone.

use crate::{Error, Index};
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use leakdex_core::Kind;
use leakdex_scan::observe::{Hash, Observer, TopSummary};
use sqlx::{Any, Row, Transaction};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use tokio::runtime::Handle;

/// What an ingest run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IngestStats {
    /// Top-level blobs written by this run.
    pub new: u64,
    /// Top-level blobs the breach already held (an earlier or interrupted run).
    pub skipped: u64,
}

/// The scanner observer that loads a breach. Create with [`Ingester::new`], pass to
/// `Scanner::run_observed` from a thread outside the runtime, then call
/// [`Ingester::finish`].
pub struct Ingester {
    index: Index,
    handle: Handle,
    breach_id: i64,
    run_id: i64,
    existing: HashSet<(Hash, i64)>,
    copies: Mutex<HashMap<Hash, i64>>,
    tokens: Mutex<HashMap<u64, (Hash, i64)>>,
    next: AtomicU64,
    new: AtomicU64,
    skipped: AtomicU64,
    error: Mutex<Option<Error>>,
}

impl Ingester {
    /// Prepares loading into breach `breach_id`: reads which top-level blobs it holds and
    /// records an ingest run.
    pub async fn new(index: &Index, breach_id: i64) -> Result<Ingester, Error> {
        let rows = sqlx::query("SELECT hash, copy_index FROM occurrence WHERE breach_id = $1")
            .bind(breach_id)
            .fetch_all(&index.pool)
            .await?;
        let mut existing = HashSet::with_capacity(rows.len());
        for r in rows {
            let h: Vec<u8> = r.try_get(0)?;
            if let Ok(h) = Hash::try_from(h.as_slice()) {
                existing.insert((h, r.try_get::<i64, _>(1)?));
            }
        }
        let run =
            sqlx::query("INSERT INTO ingest_run (breach_id, started) VALUES ($1, $2) RETURNING id")
                .bind(breach_id)
                .bind(crate::now_rfc3339())
                .fetch_one(&index.pool)
                .await?;
        sqlx::query("UPDATE breach SET materialized = 0 WHERE id = $1")
            .bind(breach_id)
            .execute(&index.pool)
            .await?;
        Ok(Ingester {
            index: index.clone(),
            handle: Handle::current(),
            breach_id,
            run_id: run.try_get(0)?,
            existing,
            copies: Mutex::new(HashMap::new()),
            tokens: Mutex::new(HashMap::new()),
            next: AtomicU64::new(0),
            new: AtomicU64::new(0),
            skipped: AtomicU64::new(0),
            error: Mutex::new(None),
        })
    }

    fn failed(&self) -> bool {
        self.error.lock().map_or(true, |e| e.is_some())
    }

    /// Ends the run: the first write error if any, else the run's statistics (recorded
    /// in `ingest_run`). Counts still need [`Index::materialize`].
    pub async fn finish(self) -> Result<IngestStats, Error> {
        let error = self
            .error
            .into_inner()
            .map_err(|_| Error::Invalid("an ingest worker panicked".into()))?;
        if let Some(e) = error {
            return Err(e);
        }
        let stats = IngestStats {
            new: self.new.load(Ordering::Relaxed),
            skipped: self.skipped.load(Ordering::Relaxed),
        };
        sqlx::query(
            "UPDATE ingest_run SET finished = $1, blobs_new = $2, blobs_skipped = $3 WHERE id = $4",
        )
        .bind(crate::now_rfc3339())
        .bind(stats.new as i64)
        .bind(stats.skipped as i64)
        .bind(self.run_id)
        .execute(&self.index.pool)
        .await?;
        Ok(stats)
    }
}

impl Observer for Ingester {
    fn begin(&self, hash: &Hash) -> Option<u64> {
        if self.failed() {
            return None;
        }
        let copy = {
            let mut copies = self.copies.lock().ok()?;
            let c = copies.entry(*hash).or_insert(0);
            *c += 1;
            *c - 1
        };
        if self.existing.contains(&(*hash, copy)) {
            self.skipped.fetch_add(1, Ordering::Relaxed);
            return None;
        }
        let token = self.next.fetch_add(1, Ordering::Relaxed);
        self.tokens.lock().ok()?.insert(token, (*hash, copy));
        Some(token)
    }

    fn end(&self, token: u64, summary: TopSummary) {
        let Some((hash, copy)) = self.tokens.lock().ok().and_then(|mut t| t.remove(&token)) else {
            return;
        };
        let r = self
            .handle
            .block_on(write_top(&self.index, self.breach_id, hash, copy, &summary));
        match r {
            Ok(()) => {
                self.new.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot write to the index; stopping");
                if let Ok(mut slot) = self.error.lock() {
                    slot.get_or_insert(e);
                }
            }
        }
    }
}

/// Rows per multi-row INSERT (SQLite allows 32766 parameters, PostgreSQL 65535).
const ROWS: usize = 400;

fn placeholders(rows: usize, cols: usize) -> String {
    let mut s = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        if r > 0 {
            s.push(',');
        }
        s.push('(');
        for c in 0..cols {
            if c > 0 {
                s.push(',');
            }
            s.push('$');
            s.push_str(&(r * cols + c + 1).to_string());
        }
        s.push(')');
    }
    s
}

/// A node's stored form.
struct NodeRow {
    hash: Hash,
    doc_type: &'static str,
    document: bool,
    message_key: Option<Vec<u8>>,
    message_month: Option<String>,
    unreadable: bool,
}

async fn write_top(
    index: &Index,
    breach_id: i64,
    top: Hash,
    copy: i64,
    s: &TopSummary,
) -> Result<(), Error> {
    let key = &index.key;
    let mut nodes: Vec<NodeRow> = s
        .nodes
        .iter()
        .map(|n| NodeRow {
            hash: n.hash,
            // Documents by what they are (`invoice`, `signed_contract`), other blobs by
            // their format (`zip`, `empty`).
            doc_type: n.doc_type.map_or(n.ty.as_str(), |t| t.label(n.signed)),
            document: n.document,
            message_key: n.message_id.as_deref().map(|id| {
                let h = key.hash("message-id", id);
                h.into_bytes()
            }),
            message_month: n.message_month.clone(),
            unreadable: n.unreadable.is_some(),
        })
        .collect();
    // A stable order keeps concurrent writers (PostgreSQL) from deadlocking.
    nodes.sort_by_key(|a| a.hash);
    let mut tx = index.pool.begin().await?;
    let mut new: HashSet<Hash> = HashSet::with_capacity(nodes.len());
    for chunk in nodes.chunks(ROWS) {
        let sql = format!(
            "INSERT INTO node (hash, doc_type, is_document, message_key, unreadable, message_month) VALUES {} \
             ON CONFLICT (hash) DO NOTHING RETURNING hash",
            placeholders(chunk.len(), 6)
        );
        let mut q = sqlx::query(&sql);
        for n in chunk {
            q = q
                .bind(n.hash.to_vec())
                .bind(n.doc_type)
                .bind(i64::from(n.document))
                .bind(n.message_key.clone())
                .bind(i64::from(n.unreadable))
                .bind(n.message_month.clone());
        }
        for row in q.fetch_all(&mut *tx).await? {
            let h: Vec<u8> = row.try_get(0)?;
            if let Ok(h) = Hash::try_from(h.as_slice()) {
                new.insert(h);
            }
        }
    }
    // Values, accounts and edges only of the nodes this transaction created.
    let mut values: Vec<(Hash, &'static str, String, i64)> = Vec::new();
    let mut accounts: Vec<(String, String, String)> = Vec::new();
    for n in s.nodes.iter().filter(|n| new.contains(&n.hash)) {
        for v in &n.values {
            let stored = key.stored(v.kind, &v.key);
            if v.kind == Kind::Email {
                let domain = v
                    .key
                    .rsplit_once('@')
                    .and_then(|(_, host)| leakdex_core::registrable_domain(host))
                    .unwrap_or_default();
                accounts.push((v.key.clone(), sha1_hex(&v.key), domain));
            }
            values.push((
                n.hash,
                v.kind.as_str(),
                stored,
                i64::try_from(v.count).unwrap_or(i64::MAX),
            ));
        }
    }
    values.sort();
    values.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1 && a.2 == b.2);
    for chunk in values.chunks(ROWS) {
        let sql = format!(
            "INSERT INTO node_value (hash, kind, key, count) VALUES {} ON CONFLICT DO NOTHING",
            placeholders(chunk.len(), 4)
        );
        let mut q = sqlx::query(&sql);
        for (h, kind, k, c) in chunk {
            q = q.bind(h.to_vec()).bind(*kind).bind(k.as_str()).bind(*c);
        }
        q.execute(&mut *tx).await?;
    }
    accounts.sort();
    accounts.dedup_by(|a, b| a.0 == b.0);
    for chunk in accounts.chunks(ROWS) {
        let sql = format!(
            "INSERT INTO account (email, sha1, domain) VALUES {} ON CONFLICT (email) DO NOTHING",
            placeholders(chunk.len(), 3)
        );
        let mut q = sqlx::query(&sql);
        for (e, h, d) in chunk {
            q = q.bind(e.as_str()).bind(h.as_str()).bind(d.as_str());
        }
        q.execute(&mut *tx).await?;
    }
    let mut edges: HashMap<(Hash, Hash), i64> = HashMap::new();
    for e in s.edges.iter().filter(|e| new.contains(&e.parent)) {
        *edges.entry((e.parent, e.child)).or_insert(0) += 1;
    }
    let mut edges: Vec<((Hash, Hash), i64)> = edges.into_iter().collect();
    edges.sort();
    for chunk in edges.chunks(ROWS) {
        let sql = format!(
            "INSERT INTO edge (parent, child, n) VALUES {} ON CONFLICT DO NOTHING",
            placeholders(chunk.len(), 3)
        );
        let mut q = sqlx::query(&sql);
        for ((p, c), n) in chunk {
            q = q.bind(p.to_vec()).bind(c.to_vec()).bind(*n);
        }
        q.execute(&mut *tx).await?;
    }
    insert_occurrence(&mut tx, breach_id, top, copy).await?;
    tx.commit().await?;
    Ok(())
}

async fn insert_occurrence(
    tx: &mut Transaction<'_, Any>,
    breach_id: i64,
    hash: Hash,
    copy: i64,
) -> Result<(), Error> {
    sqlx::query(
        "INSERT INTO occurrence (breach_id, hash, copy_index) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(breach_id)
    .bind(hash.to_vec())
    .bind(copy)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn sha1_hex(s: &str) -> String {
    use sha1::{Digest, Sha1};
    let d = Sha1::digest(s.as_bytes());
    let mut out = String::with_capacity(40);
    for b in d {
        out.push_str(&format!("{b:02X}"));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn sha1_is_hibp_style_upper_hex() {
        // SHA-1("test@example.com"), as HIBP's range API expects it.
        assert_eq!(
            super::sha1_hex("test@example.com"),
            "567159D622FFBB50B11B0EFD307BE358624A26EE"
        );
    }

    #[test]
    fn placeholders_number_rows() {
        assert_eq!(super::placeholders(2, 2), "($1,$2),($3,$4)");
    }
}
