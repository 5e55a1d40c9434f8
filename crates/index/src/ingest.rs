//! Writing a scan into the index, many top-level blobs per transaction.
//!
//! [`Ingester`] is the scanner's [`Observer`]. In `begin` it numbers the copies of each
//! top-level hash met in this run (`copy_index` 0, 1, …) and skips a copy the breach
//! already holds. `end` hands the blob's summary to one writer task over a bounded channel
//! (the scanning threads never wait on the database unless the writer is a full channel
//! behind). The writer gathers summaries for up to [`LINGER`] — at most [`BATCH_TOPS`]
//! blobs or [`BATCH_VALUES`] values — and writes them in one transaction: the blobs decoded
//! for the first time (`INSERT … ON CONFLICT DO NOTHING`), the edges and accounts of those
//! that were new to the index, and one `occurrence` row per top-level blob — its
//! checkpoint.
//! A blob committed is never written again; a blob not committed when the process died is
//! simply redone, so a killed run resumes with the same counts.
//!
//! Batching is what makes SQLite fast here: one transaction per top-level blob cost seven
//! statements and a commit for each of tens of thousands of small files, on one
//! connection, while the scanning threads waited for it.

use crate::db::Backend;
use crate::{Error, Index};
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use leakdex_core::{Kind, KINDS};
use leakdex_scan::observe::{Hash, Observer, TopSummary};
use sqlx::{Any, Row, Transaction};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Most top-level blobs in one transaction.
const BATCH_TOPS: usize = 2_000;
/// Most values (found in the batch's blobs) in one transaction, so a batch of large dumps stays
/// a bounded amount of memory and of work lost to a kill.
const BATCH_VALUES: usize = 100_000;
/// Summaries waiting for the writer before the scanning threads wait for it.
const QUEUE: usize = 512;
/// Longest the writer gathers summaries for one transaction (it stops early at a batch
/// limit or when the scan ends).
const LINGER: std::time::Duration = std::time::Duration::from_millis(250);

/// What an ingest run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IngestStats {
    /// Top-level blobs written by this run.
    pub new: u64,
    /// Top-level blobs the breach already held (an earlier or interrupted run).
    pub skipped: u64,
}

/// A scanned top-level blob waiting to be written.
struct Pending {
    /// The top-level blob's hash (as `begin` saw it) and its copy number.
    hash: Hash,
    copy: i64,
    summary: TopSummary,
}

/// What the writer task and the observer share.
struct Shared {
    new: AtomicU64,
    error: Mutex<Option<Error>>,
}

impl Shared {
    fn fail(&self, e: Error) {
        tracing::error!(error = %e, "cannot write to the index; stopping");
        if let Ok(mut slot) = self.error.lock() {
            slot.get_or_insert(e);
        }
    }

    fn failed(&self) -> bool {
        self.error.lock().map_or(true, |e| e.is_some())
    }
}

/// The scanner observer that loads a breach. Create with [`Ingester::new`] (inside the
/// runtime: it starts the writer task), pass to `Scanner::run_observed` from a thread
/// outside the runtime, then call [`Ingester::finish`].
pub struct Ingester {
    index: Index,
    run_id: i64,
    existing: HashSet<(Hash, i64)>,
    copies: Mutex<HashMap<Hash, i64>>,
    tokens: Mutex<HashMap<u64, (Hash, i64)>>,
    next: AtomicU64,
    skipped: AtomicU64,
    queue: Mutex<Option<mpsc::Sender<Pending>>>,
    writer: JoinHandle<()>,
    shared: Arc<Shared>,
}

impl Ingester {
    /// Prepares loading into breach `breach_id`: reads which top-level blobs it holds,
    /// records an ingest run and starts the writer task.
    pub async fn new(index: &Index, breach_id: i64) -> Result<Ingester, Error> {
        let sealed: Option<(String, i64)> =
            sqlx::query_as("SELECT name, sealed FROM breach WHERE id = $1")
                .bind(breach_id)
                .fetch_optional(&index.pool)
                .await?;
        if let Some((name, 1)) = sealed {
            return Err(Error::Invalid(format!(
                "breach {name} is sealed: its blob graph was dropped, so a new load could not \
                 tell what it already counts; load into a new breach instead"
            )));
        }
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
        let shared = Arc::new(Shared {
            new: AtomicU64::new(0),
            error: Mutex::new(None),
        });
        let (tx, rx) = mpsc::channel(QUEUE);
        let writer = tokio::spawn(write_batches(
            index.clone(),
            breach_id,
            rx,
            Arc::clone(&shared),
        ));
        Ok(Ingester {
            index: index.clone(),
            run_id: run.try_get(0)?,
            existing,
            copies: Mutex::new(HashMap::new()),
            tokens: Mutex::new(HashMap::new()),
            next: AtomicU64::new(0),
            skipped: AtomicU64::new(0),
            queue: Mutex::new(Some(tx)),
            writer,
            shared,
        })
    }

    /// Ends the run: waits for the writer to commit what is queued, then returns the
    /// first write error if any, else the run's statistics (recorded in `ingest_run`).
    /// Counts still need [`Index::materialize`].
    pub async fn finish(self) -> Result<IngestStats, Error> {
        // Closing the queue lets the writer drain it and stop.
        if let Ok(mut q) = self.queue.lock() {
            q.take();
        }
        self.writer
            .await
            .map_err(|_| Error::Invalid("the index writer panicked".into()))?;
        let shared = Arc::try_unwrap(self.shared)
            .map_err(|_| Error::Internal("the index writer is still running".into()))?;
        let error = shared
            .error
            .into_inner()
            .map_err(|_| Error::Invalid("an ingest worker panicked".into()))?;
        if let Some(e) = error {
            return Err(e);
        }
        let stats = IngestStats {
            new: shared.new.load(Ordering::Relaxed),
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
        if self.shared.failed() {
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
        let Some(queue) = self.queue.lock().ok().and_then(|q| q.clone()) else {
            return;
        };
        // Called from scanning threads, outside the runtime. A closed queue means the
        // writer stopped on an error, which `finish` reports.
        let _ = queue.blocking_send(Pending {
            hash,
            copy,
            summary,
        });
    }
}

/// The writer task: one transaction per batch of waiting summaries, until the queue
/// closes or a write fails (then it stops taking work, and the scan skips the rest).
async fn write_batches(
    index: Index,
    breach_id: i64,
    mut rx: mpsc::Receiver<Pending>,
    shared: Arc<Shared>,
) {
    let mut batch: Vec<Pending> = Vec::new();
    let mut value_ids = ValueIds::default();
    // Addresses (by value id) whose account rows this run has written: the addresses of
    // a corpus recur in every batch, and each batch sent all of them to the database to
    // find them already there. (An account collected since by a `breach delete` is
    // written again when the counts are derived.)
    let mut accounts = HashSet::new();
    while let Some(first) = rx.recv().await {
        let mut values: usize = first.summary.nodes.iter().map(|n| n.values.len()).sum();
        batch.push(first);
        // Gather for up to LINGER: each commit rewrites the B-tree pages it touched, so
        // committing every blob or two as they come cost more than the rows themselves.
        let deadline = tokio::time::Instant::now() + LINGER;
        while batch.len() < BATCH_TOPS && values < BATCH_VALUES {
            let next = match rx.try_recv() {
                Ok(p) => Some(p),
                Err(mpsc::error::TryRecvError::Disconnected) => None,
                Err(mpsc::error::TryRecvError::Empty) => {
                    tokio::time::timeout_at(deadline, rx.recv())
                        .await
                        .ok()
                        .flatten()
                }
            };
            let Some(p) = next else { break };
            values += p
                .summary
                .nodes
                .iter()
                .map(|n| n.values.len())
                .sum::<usize>();
            batch.push(p);
        }
        match write_batch(&index, breach_id, &batch, &mut value_ids, &mut accounts).await {
            Ok(()) => {
                let done = shared.new.fetch_add(batch.len() as u64, Ordering::Relaxed);
                tracing::debug!(
                    blobs = batch.len(),
                    total = done + batch.len() as u64,
                    "batch committed"
                );
                batch.clear();
            }
            Err(e) => {
                shared.fail(e);
                // Dropping the receiver makes every further `end` return at once.
                return;
            }
        }
    }
}

/// Rows per multi-row INSERT (SQLite allows 32766 parameters, PostgreSQL 65535).
pub(crate) const ROWS: usize = 400;

/// `(…),(…)` for a multi-row INSERT of `rows` × `cols` values.
///
/// SQLite gets anonymous `?`: sqlx binds SQLite parameters by looking up each one's name,
/// and SQLite finds a name by walking the statement's list of named parameters, so 1,600
/// `$N` parameters cost ~1.3 M steps a statement — a quarter of an ingest's CPU time in a
/// profile. Anonymous parameters have no name to look up and bind in order.
pub(crate) fn placeholders(backend: Backend, rows: usize, cols: usize) -> String {
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
            match backend {
                Backend::Sqlite => s.push('?'),
                Backend::Postgres => {
                    s.push('$');
                    s.push_str(&(r * cols + c + 1).to_string());
                }
            }
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
    /// Its values, packed (`None` when it has none).
    vals: Option<Vec<u8>>,
}

/// Values read back per statement (one JSON array parameter, one JSON result).
const READ_BACK: usize = 20_000;

/// Most value ids the writer remembers; past it the map starts over (a miss costs one
/// lookup in the database, never a wrong id).
const VALUE_IDS_MAX: usize = 2_000_000;

/// The writer's map of values as the scanner reports them (kind, key) → `value.id`,
/// across batches: a value recurring in many blobs is hashed (phones, names, …) and looked
/// up once.
pub(crate) struct ValueIds {
    /// One map per kind (by position in `KINDS`), keyed by the scanner's key.
    ids: Vec<HashMap<String, i64>>,
    len: usize,
}

impl Default for ValueIds {
    fn default() -> ValueIds {
        ValueIds {
            ids: (0..KINDS.len()).map(|_| HashMap::new()).collect(),
            len: 0,
        }
    }
}

impl ValueIds {
    fn get(&self, kind: Kind, key: &str) -> Option<i64> {
        self.ids[crate::kind_index(kind)].get(key).copied()
    }

    /// Makes sure every value of `wanted` (kind, scanner key) has an id: inserts the
    /// stored forms the database lacks (`ON CONFLICT DO NOTHING`, sorted, so concurrent
    /// writers lock in one order), then reads the ids of those this map did not know.
    async fn resolve(
        &mut self,
        tx: &mut Transaction<'_, Any>,
        backend: Backend,
        key: &crate::keyed::Key,
        wanted: &[(Kind, &str)],
    ) -> Result<(), Error> {
        if self.len > VALUE_IDS_MAX {
            *self = ValueIds::default();
        }
        // (kind, stored key) → scanner key, for the values this map does not know.
        let mut misses: HashMap<(Kind, String), &str> = HashMap::new();
        for &(kind, k) in wanted {
            if self.get(kind, k).is_none() {
                misses.entry((kind, key.stored(kind, k))).or_insert(k);
            }
        }
        if misses.is_empty() {
            return Ok(());
        }
        let mut sorted: Vec<&(Kind, String)> = misses.keys().collect();
        sorted.sort_unstable_by(|a, b| (a.0.as_str(), &a.1).cmp(&(b.0.as_str(), &b.1)));
        for chunk in sorted.chunks(ROWS) {
            let sql = format!(
                "INSERT INTO value (kind, key) VALUES {} ON CONFLICT (kind, key) DO NOTHING",
                placeholders(backend, chunk.len(), 2)
            );
            let mut q = sqlx::query(&sql);
            for (kind, stored) in chunk {
                q = q.bind(kind.as_str()).bind(stored.as_str());
            }
            q.execute(&mut **tx).await?;
        }
        // Read back per kind, through the (kind, key) unique index: `key IN (…)` alone
        // cannot use it and scanned the whole table once per chunk.
        for kind in KINDS {
            let of_kind: Vec<&str> = sorted
                .iter()
                .filter(|(k, _)| *k == kind)
                .map(|(_, stored)| stored.as_str())
                .collect();
            let sql = format!(
                "SELECT {} FROM value WHERE kind = $1 AND key IN (SELECT value FROM {})",
                crate::bulk::json_agg(backend, "id, key"),
                crate::bulk::json_rows(backend, true, "$2")
            );
            for chunk in of_kind.chunks(READ_BACK) {
                let keys = serde_json::to_string(chunk)
                    .map_err(|e| crate::bulk::json_error("value keys as JSON", &e))?;
                let rows: String = sqlx::query_scalar(&sql)
                    .bind(kind.as_str())
                    .bind(keys)
                    .fetch_one(&mut **tx)
                    .await?;
                let rows: Vec<(i64, String)> = serde_json::from_str(&rows)
                    .map_err(|e| crate::bulk::json_error("value rows from JSON", &e))?;
                for (id, stored) in rows {
                    if let Some(found) = misses.get(&(kind, stored)) {
                        self.ids[crate::kind_index(kind)].insert(found.to_string(), id);
                        self.len += 1;
                    }
                }
            }
        }
        Ok(())
    }
}

/// Writes a batch of top-level blobs in one transaction.
async fn write_batch(
    index: &Index,
    breach_id: i64,
    batch: &[Pending],
    value_ids: &mut ValueIds,
    written: &mut HashSet<i64>,
) -> Result<(), Error> {
    let key = &index.key;
    // Each blob once per batch (the scanner reports a blob in the first summary that
    // decodes it; this also holds if it ever reported one twice).
    let mut seen: HashSet<Hash> = HashSet::with_capacity(batch.len() * 2);
    // (summary, node) of the report each blob is written from.
    let mut owner: HashMap<Hash, usize> = HashMap::with_capacity(batch.len() * 2);
    // Each node's values as (kind, scanner key, count). Domains are not stored per blob:
    // each is the domain of an address stored with it, and materialize derives them.
    let mut node_values: Vec<Vec<(Kind, &str, u64)>> = Vec::new();
    let mut nodes: Vec<NodeRow> = Vec::new();
    for (i, p) in batch.iter().enumerate() {
        for n in &p.summary.nodes {
            if !seen.insert(n.hash) {
                continue;
            }
            owner.insert(n.hash, i);
            node_values.push(
                n.values
                    .iter()
                    .filter(|v| v.kind != Kind::Domain)
                    .map(|v| (v.kind, v.key.as_str(), v.count))
                    .collect(),
            );
            nodes.push(NodeRow {
                hash: n.hash,
                // Documents by what they are (`invoice`, `signed_contract`), other blobs
                // by their format (`zip`, `empty`).
                doc_type: n.doc_type.map_or(n.ty.as_str(), |t| t.label(n.signed)),
                document: n.document,
                message_key: n.message_id.as_deref().map(|id| {
                    let h = key.hash("message-id", id);
                    h.into_bytes()
                }),
                message_month: n.message_month.clone(),
                unreadable: n.unreadable.is_some(),
                vals: None,
            });
        }
    }
    let mut tx = index.pool.begin().await?;
    if index.backend == Backend::Sqlite {
        // A write first, so the transaction takes SQLite's write lock now (waiting on
        // busy_timeout for another process's load): one that reads first (the existing
        // nodes, below) and then writes fails at once with SQLITE_BUSY instead of waiting.
        // It says what is true while blobs are being added: the counts are not current.
        sqlx::query("UPDATE breach SET materialized = 0 WHERE id = $1")
            .bind(breach_id)
            .execute(&mut *tx)
            .await?;
    }
    // Value ids first (a blob's row carries its packed values). A node that turns out to
    // exist already has these values stored already: resolving them adds no row.
    let wanted: Vec<(Kind, &str)> = node_values
        .iter()
        .flatten()
        .map(|&(k, v, _)| (k, v))
        .collect();
    value_ids
        .resolve(&mut tx, index.backend, key, &wanted)
        .await?;
    let mut pairs: Vec<(i64, u64)> = Vec::new();
    for (node, values) in nodes.iter_mut().zip(&node_values) {
        if values.is_empty() {
            continue;
        }
        pairs.clear();
        for (kind, k, count) in values {
            let id = value_ids
                .get(*kind, k)
                .ok_or_else(|| Error::Internal("a value has no id".into()))?;
            pairs.push((id, *count));
        }
        node.vals = Some(crate::packed::pack(&mut pairs));
    }
    // The nodes the index holds already (from an earlier run, or another process's
    // load), then the rest inserted, as JSON: sqlx's `Any` driver costs microseconds on
    // every row bound or returned (`INSERT … RETURNING` returned a row per new node).
    // A node another process inserts between the two is taken for new here, which costs
    // only rewriting its edges and accounts (both no-ops on conflict).
    let mut hashes: Vec<String> = nodes
        .iter()
        .map(|n| crate::account::upper_hex(&n.hash))
        .collect();
    hashes.sort_unstable();
    let existing = existing_nodes(&mut tx, index.backend, &hashes).await?;
    let new: HashSet<Hash> = nodes
        .iter()
        .map(|n| n.hash)
        .filter(|h| !existing.contains(h))
        .collect();
    use crate::bulk::{Cell, Col};
    let rows: Vec<Vec<Cell>> = nodes
        .iter_mut()
        .filter(|n| new.contains(&n.hash))
        .map(|n| {
            vec![
                Cell::B(n.hash.to_vec()),
                Cell::S(n.doc_type.to_string()),
                Cell::I(i64::from(n.document)),
                n.message_key.take().map_or(Cell::Null, Cell::B),
                Cell::I(i64::from(n.unreadable)),
                n.message_month.take().map_or(Cell::Null, Cell::S),
                n.vals.take().map_or(Cell::Null, Cell::B),
            ]
        })
        .collect();
    // In hash order (`insert_rows` sorts its rows): concurrent writers
    // (PostgreSQL) lock in one order and do not deadlock.
    crate::bulk::insert_rows_or(
        &mut tx,
        index.backend,
        "node",
        &[
            ("hash", Col::Bytes),
            ("doc_type", Col::Text),
            ("is_document", Col::Int),
            ("message_key", Col::Bytes),
            ("unreadable", Col::Int),
            ("message_month", Col::Text),
            ("vals", Col::Bytes),
        ],
        rows,
        crate::bulk::Conflict::Key("hash"),
    )
    .await?;
    // Accounts and edges only of the nodes this transaction created, each from the one
    // report it was written from.
    let mine = |i: usize, h: &Hash| new.contains(h) && owner.get(h) == Some(&i);
    // Accounts this run has not written yet (by the value id of the address).
    if written.len() > VALUE_IDS_MAX {
        written.clear();
    }
    let mut accounts: Vec<(i64, &str)> = Vec::new();
    for (node, values) in nodes.iter().zip(&node_values) {
        if new.contains(&node.hash) {
            for &(kind, v, _) in values {
                if kind != Kind::Email {
                    continue;
                }
                if let Some(id) = value_ids.get(kind, v).filter(|id| !written.contains(id)) {
                    accounts.push((id, v));
                }
            }
        }
    }
    let mut edges: HashMap<(Hash, Hash), i64> = HashMap::new();
    for (i, p) in batch.iter().enumerate() {
        for e in p.summary.edges.iter().filter(|e| mine(i, &e.parent)) {
            *edges.entry((e.parent, e.child)).or_insert(0) += 1;
        }
    }
    // Each address once per batch, hashed once (it recurs in many blobs).
    accounts.sort_unstable();
    accounts.dedup();
    let emails: Vec<&str> = accounts.iter().map(|(_, e)| *e).collect();
    crate::account::insert_accounts(&mut tx, index.backend, &emails).await?;
    let edges: Vec<Vec<Cell>> = edges
        .into_iter()
        .map(|((p, c), n)| vec![Cell::B(p.to_vec()), Cell::B(c.to_vec()), Cell::I(n)])
        .collect();
    crate::bulk::insert_rows_or(
        &mut tx,
        index.backend,
        "edge",
        &[
            ("parent", Col::Bytes),
            ("child", Col::Bytes),
            ("n", Col::Int),
        ],
        edges,
        crate::bulk::Conflict::Key("parent, child"),
    )
    .await?;
    let tops: Vec<(Hash, i64)> = batch.iter().map(|p| (p.hash, p.copy)).collect();
    insert_occurrences(&mut tx, index.backend, breach_id, &tops).await?;
    tx.commit().await?;
    written.extend(accounts.iter().map(|(id, _)| *id));
    Ok(())
}

/// The registrable domain of an address (`''` when its host has none), as `account.domain`
/// stores it.
pub(crate) fn account_domain(email: &str) -> String {
    email
        .rsplit_once('@')
        .and_then(|(_, host)| leakdex_core::registrable_domain(host))
        .unwrap_or_default()
}

/// Which of `hashes` (upper-case hex) the node table holds.
async fn existing_nodes(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    hashes: &[String],
) -> Result<HashSet<Hash>, Error> {
    let sql = format!(
        "SELECT {} FROM node WHERE hash IN (SELECT {} FROM {})",
        crate::bulk::json_agg(backend, &crate::bulk::hex(backend, "hash")),
        crate::bulk::unhex(backend, "value"),
        crate::bulk::json_rows(backend, true, "$1")
    );
    let mut found = HashSet::new();
    for chunk in hashes.chunks(crate::bulk::JSON_ROWS) {
        let json = serde_json::to_string(chunk)
            .map_err(|e| crate::bulk::json_error("node hashes as JSON", &e))?;
        let rows: String = sqlx::query_scalar(&sql)
            .bind(json)
            .fetch_one(&mut **tx)
            .await?;
        let rows: Vec<(String,)> = serde_json::from_str(&rows)
            .map_err(|e| crate::bulk::json_error("node hashes from JSON", &e))?;
        for (hex,) in rows {
            if let Some(h) = crate::account::from_hex(&hex).and_then(|h| Hash::try_from(h).ok()) {
                found.insert(h);
            }
        }
    }
    Ok(found)
}

/// The checkpoints: one row per top-level blob copy.
async fn insert_occurrences(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    breach_id: i64,
    tops: &[(Hash, i64)],
) -> Result<(), Error> {
    use crate::bulk::{Cell, Col};
    let rows = tops
        .iter()
        .map(|(h, copy)| vec![Cell::I(breach_id), Cell::B(h.to_vec()), Cell::I(*copy)])
        .collect();
    crate::bulk::insert_rows_or(
        tx,
        backend,
        "occurrence",
        &[
            ("breach_id", Col::Int),
            ("hash", Col::Bytes),
            ("copy_index", Col::Int),
        ],
        rows,
        crate::bulk::Conflict::Key("breach_id, hash, copy_index"),
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_number_rows() {
        use crate::db::Backend;
        assert_eq!(
            super::placeholders(Backend::Postgres, 2, 2),
            "($1,$2),($3,$4)"
        );
        assert_eq!(super::placeholders(Backend::Sqlite, 2, 2), "(?,?),(?,?)");
    }
}
