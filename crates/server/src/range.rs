//! The k-anonymity range lookups from memory. Every range request of every client hits
//! this, so it is answered from a sorted in-memory snapshot of the public range view
//! (SHA-1 → breach names, sensitive and retired breaches left out) — the same data
//! `leakdex export range` writes for static hosting — not from the database.
//!
//! Freshness: at most every `refresh` a request compares a signature of the breach
//! catalogue (names, dates, counts, flags) with the snapshot's; when it changed, a
//! background task rebuilds the snapshot while requests go on using the old one. So a
//! change shows within `refresh` plus the rebuild time. An index with more accounts than
//! `max_entries` is answered from the database instead.

use leakdex_index::{Error, Index};
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// One account: its SHA-1 and the index of its set of breach names.
struct Snapshot {
    signature: u64,
    keys: Vec<[u8; 20]>,
    /// `buckets[b]..buckets[b + 1]`: the keys whose first two bytes are `b`.
    buckets: Vec<u32>,
    sets: Vec<u32>,
    /// Each breach-name set as its JSON array, serialised once.
    names_json: Vec<Arc<str>>,
}

enum State {
    /// Not built yet.
    Empty,
    /// Too many accounts: use the database.
    TooBig,
    Ready(Arc<Snapshot>),
}

pub(crate) struct RangeCache {
    state: RwLock<State>,
    /// When the catalogue was last compared, in ms since `epoch` (an atomic: this is
    /// read by every range request).
    checked: AtomicU64,
    epoch: Instant,
    rebuilding: AtomicBool,
    refresh: Duration,
    max_entries: usize,
    /// Where builds run (the main runtime, which owns the database pool), so that the
    /// serving threads that answer range requests never spend seconds on one; unset, the
    /// current runtime.
    background: std::sync::OnceLock<tokio::runtime::Handle>,
    /// Held by the first build, so concurrent first requests build once.
    first_build: tokio::sync::Mutex<()>,
}

fn hex20(s: &str) -> Option<[u8; 20]> {
    let b = s.as_bytes();
    if b.len() != 40 {
        return None;
    }
    let mut out = [0u8; 20];
    for (i, o) in out.iter_mut().enumerate() {
        let hi = (b[2 * i] as char).to_digit(16)?;
        let lo = (b[2 * i + 1] as char).to_digit(16)?;
        *o = (hi * 16 + lo) as u8;
    }
    Some(out)
}

fn hex_upper(bytes: &[u8]) -> String {
    const H: &[u8; 16] = b"0123456789ABCDEF";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(H[usize::from(b >> 4)] as char);
        s.push(H[usize::from(b & 15)] as char);
    }
    s
}

/// A signature of everything in the catalogue that changes the public range view.
async fn signature(index: &Index) -> Result<u64, Error> {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for b in index.breaches().await? {
        (
            b.name,
            b.modified_date,
            b.pwn_count,
            b.is_sensitive,
            b.is_retired,
            b.counts_complete,
        )
            .hash(&mut h);
    }
    Ok(h.finish())
}

async fn build(index: &Index, max_entries: usize) -> Result<State, Error> {
    let signature = signature(index).await?;
    let mut keys = Vec::new();
    let mut sets = Vec::new();
    let mut names: Vec<Arc<[String]>> = Vec::new();
    let mut interned: std::collections::HashMap<Vec<String>, u32> = Default::default();
    let mut too_big = false;
    let n = index
        .export_range(|sha1, breaches| {
            if too_big || keys.len() >= max_entries {
                too_big = true;
                return Ok(());
            }
            let Some(k) = hex20(sha1) else { return Ok(()) };
            let id = match interned.get(breaches) {
                Some(id) => *id,
                None => {
                    let id = u32::try_from(names.len()).unwrap_or(u32::MAX);
                    names.push(breaches.to_vec().into());
                    interned.insert(breaches.to_vec(), id);
                    id
                }
            };
            keys.push(k);
            sets.push(id);
            Ok(())
        })
        .await?;
    if too_big {
        tracing::warn!(
            accounts = n,
            max = max_entries,
            "too many accounts for the in-memory range snapshot: range requests go to the database"
        );
        return Ok(State::TooBig);
    }
    tracing::info!(
        accounts = keys.len(),
        breach_sets = names.len(),
        "range snapshot built"
    );
    let mut buckets = vec![0u32; 65_537];
    for k in &keys {
        buckets[usize::from(k[0]) * 256 + usize::from(k[1]) + 1] += 1;
    }
    for i in 1..buckets.len() {
        buckets[i] += buckets[i - 1];
    }
    let names_json = names
        .iter()
        .map(|n| Arc::from(serde_json::to_string(&**n).unwrap_or_else(|_| "[]".into())))
        .collect();
    Ok(State::Ready(Arc::new(Snapshot {
        signature,
        keys,
        buckets,
        sets,
        names_json,
    })))
}

impl RangeCache {
    pub(crate) fn new(refresh: Duration, max_entries: usize) -> RangeCache {
        RangeCache {
            state: RwLock::new(State::Empty),
            checked: AtomicU64::new(0),
            epoch: Instant::now(),
            rebuilding: AtomicBool::new(false),
            refresh,
            max_entries,
            background: std::sync::OnceLock::new(),
            first_build: tokio::sync::Mutex::new(()),
        }
    }

    /// Runs snapshot builds on `handle` from now on.
    pub(crate) fn run_background_on(&self, handle: tokio::runtime::Handle) {
        let _ = self.background.set(handle);
    }

    fn spawn<F>(&self, f: F) -> tokio::task::JoinHandle<F::Output>
    where
        F: std::future::Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match self.background.get() {
            Some(h) => h.spawn(f),
            None => tokio::spawn(f),
        }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn current(&self) -> Option<Result<Arc<Snapshot>, ()>> {
        match &*self.state.read().ok()? {
            State::Empty => None,
            State::TooBig => Some(Err(())),
            State::Ready(s) => Some(Ok(s.clone())),
        }
    }

    /// The JSON answer (`[{"hashSuffix":…,"websites":[…]}]`) for a 6-hex-digit prefix,
    /// or `None` when the index is too big for memory (the caller asks the database).
    pub(crate) async fn lookup_json(
        self: &Arc<Self>,
        index: &Index,
        prefix: &str,
    ) -> Result<Option<String>, Error> {
        let snap = match self.current() {
            None => {
                // First use: one request builds, the others wait for it.
                let _first = self.first_build.lock().await;
                if self.current().is_none() {
                    let (index, max) = (index.clone(), self.max_entries);
                    let state = self
                        .spawn(async move { build(&index, max).await })
                        .await
                        .map_err(|e| Error::Internal(format!("range snapshot build: {e}")))??;
                    if let Ok(mut w) = self.state.write() {
                        *w = state;
                    }
                    self.checked.store(self.now_ms(), Ordering::Relaxed);
                }
                match self.current() {
                    Some(Ok(s)) => s,
                    _ => return Ok(None),
                }
            }
            Some(Err(())) => {
                self.maybe_refresh(index, None);
                return Ok(None);
            }
            Some(Ok(s)) => {
                self.maybe_refresh(index, Some(s.signature));
                s
            }
        };
        let Some(p) = hex20(&format!("{prefix:0<40}")) else {
            return Ok(Some("[]".into()));
        };
        let b = usize::from(p[0]) * 256 + usize::from(p[1]);
        let (from, to) = (snap.buckets[b] as usize, snap.buckets[b + 1] as usize);
        let bucket = &snap.keys[from..to];
        let lo = from + bucket.partition_point(|k| k[2] < p[2]);
        let hi = from + bucket.partition_point(|k| k[2] <= p[2]);
        let mut out = String::with_capacity(2 + (hi - lo) * 96);
        out.push('[');
        for i in lo..hi {
            if i > lo {
                out.push(',');
            }
            out.push_str("{\"hashSuffix\":\"");
            out.push_str(&hex_upper(&snap.keys[i])[6..]);
            out.push_str("\",\"websites\":");
            out.push_str(&snap.names_json[snap.sets[i] as usize]);
            out.push('}');
        }
        out.push(']');
        Ok(Some(out))
    }

    /// At most every `refresh`: compare the catalogue's signature in the background and
    /// rebuild when it changed.
    fn maybe_refresh(self: &Arc<Self>, index: &Index, current: Option<u64>) {
        let now = self.now_ms();
        let last = self.checked.load(Ordering::Relaxed);
        let due = u64::try_from(self.refresh.as_millis()).unwrap_or(u64::MAX);
        if now.saturating_sub(last) < due
            || self
                .checked
                .compare_exchange(last, now, Ordering::AcqRel, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        if self.rebuilding.swap(true, Ordering::AcqRel) {
            return;
        }
        let me = self.clone();
        let index = index.clone();
        self.spawn(async move {
            let result = async {
                let now = signature(&index).await?;
                if current != Some(now) {
                    let state = build(&index, me.max_entries).await?;
                    if let Ok(mut w) = me.state.write() {
                        *w = state;
                    }
                }
                Ok::<(), Error>(())
            }
            .await;
            if let Err(e) = result {
                tracing::warn!(error = %e, "cannot refresh the range snapshot");
            }
            me.rebuilding.store(false, Ordering::Release);
        });
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn answers_in_the_api_shape() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let dir = tempfile::tempdir().unwrap();
            let index = leakdex_index::Index::open(&format!(
                "sqlite://{}",
                dir.path().join("i.db").display()
            ))
            .await
            .unwrap();
            let cache = std::sync::Arc::new(super::RangeCache::new(
                std::time::Duration::from_secs(60),
                10,
            ));
            // An empty index: an empty array for any prefix.
            assert_eq!(
                cache
                    .lookup_json(&index, "ABCDEF")
                    .await
                    .unwrap()
                    .as_deref(),
                Some("[]")
            );
            index.close().await;
        });
    }

    #[test]
    fn hex_round_trip() {
        let s = "A94A8FE5CCB19BA61C4C0873D391E987982FBBD3";
        let b = super::hex20(s).expect("hex");
        assert_eq!(super::hex_upper(&b), s);
        assert!(super::hex20("zz").is_none());
    }
}
