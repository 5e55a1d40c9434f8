//! `--scan`: stream a readable container's objects straight into the scanner — each
//! object is fetched into memory when a scanning thread opens it, never written to disk —
//! within sampling bounds like the cloud DLP services': at most so many objects, so many
//! bytes per object (a range request) and in all, the first ones or a random sample.

use crate::http::Http;
use crate::{Endpoints, Outcome, Target};
use leakdex_core::{Count, Sensitivity};
use leakdex_scan::observe::Observer;
use leakdex_scan::source::{Entry, Input};
use leakdex_scan::{Counts, Report, Scanner};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Which objects `--scan` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sample {
    /// In listing order.
    First,
    /// A random sample (seeded: the same run reads the same objects).
    Random,
}

/// Sampling bounds.
#[derive(Debug, Clone)]
pub struct Bounds {
    /// Most objects read per container.
    pub max_objects: usize,
    /// Most bytes read of one object (the rest is not fetched).
    pub max_bytes_per_object: u64,
    /// Most bytes read per container.
    pub max_total_bytes: u64,
    /// Which objects.
    pub sample: Sample,
}

/// What a scan of one container found.
#[derive(Debug, Clone, Serialize)]
pub struct ScanSummary {
    /// Objects read.
    pub objects: u64,
    /// Bytes read.
    pub bytes: u64,
    /// Objects cut at `--max-bytes-per-object`.
    pub cut: u64,
    /// Raw and unique counts, as `leakdex scan` reports them.
    pub counts: Counts,
    /// Data classes found.
    pub data_classes: Vec<String>,
    /// Documents per type.
    pub document_types: BTreeMap<String, Count>,
    /// The container's sensitivity: its most sensitive document's score and reasons.
    pub sensitivity: Sensitivity,
    /// Objects that could not be read or decoded.
    pub unreadable: u64,
}

/// The objects `--scan` reads from `names` (name, listed size; 0 = unknown).
pub fn choose(names: &[(String, u64)], b: &Bounds, seed: u64) -> Vec<(String, u64)> {
    let mut pool: Vec<(String, u64)> = names.to_vec();
    if b.sample == Sample::Random {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        pool.shuffle(&mut rng);
    }
    let mut total = 0u64;
    let mut out = Vec::new();
    for (n, size) in pool {
        if out.len() >= b.max_objects {
            break;
        }
        let take = if size == 0 {
            b.max_bytes_per_object
        } else {
            size.min(b.max_bytes_per_object)
        };
        if total + take > b.max_total_bytes && !out.is_empty() {
            break;
        }
        total += take;
        out.push((n, size));
    }
    out
}

/// Objects fetched ahead of the scanner (fetched and not yet taken included).
const PREFETCH: usize = 8;

/// A fetched body (or why not), with the prefetch permit it holds until taken.
type Fetched = (Result<Vec<u8>, String>, tokio::sync::OwnedSemaphorePermit);

/// GETs at most `limit` bytes of `url` within what is left of `budget`.
async fn fetch(
    http: &Http,
    url: &str,
    limit: u64,
    spent: &AtomicU64,
    budget: u64,
) -> Result<Vec<u8>, String> {
    let used = spent.load(Ordering::SeqCst);
    if used >= budget {
        return Err("not read: --max-total-bytes spent".into());
    }
    let limit = limit.min(budget - used);
    let r = http.get(url, Some(limit), limit as usize).await?;
    spent.fetch_add(r.body.len() as u64, Ordering::SeqCst);
    match r.status {
        200 | 206 => Ok(r.body),
        s => Err(format!("the object answered {s}")),
    }
}

/// Where objects are fetched from: the HTTP layer, on a runtime, at endpoints.
pub struct Remote<'a> {
    /// The runtime the fetches run on (scanning threads block on them).
    pub rt: &'a tokio::runtime::Handle,
    /// The HTTP layer.
    pub http: Arc<Http>,
    /// Emulator and S3-compatible endpoints.
    pub endpoints: &'a Endpoints,
}

/// Scans the readable objects of `outcome` with `scanner`, fetching through `remote`,
/// presenting each object to `observer` (the index, for `--ingest`). Call from outside
/// the runtime (scanning threads block on fetches).
pub fn scan(
    remote: &Remote<'_>,
    target: &Target,
    outcome: &Outcome,
    bounds: &Bounds,
    scanner: &Scanner,
    observer: Option<&dyn Observer>,
) -> Result<(ScanSummary, Report), String> {
    let seed = outcome
        .target
        .bytes()
        .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64));
    let chosen = choose(&outcome.names, bounds, seed);
    let region = outcome.region.clone();
    let per_object = bounds.max_bytes_per_object;
    let cut = chosen.iter().filter(|(_, size)| *size > per_object).count() as u64;
    // Bytes actually read, shared by the fetches: listings may understate sizes.
    let spent = Arc::new(AtomicU64::new(0));
    let budget = bounds.max_total_bytes;
    // Objects are fetched ahead of the scanner, in order, at most PREFETCH at a time
    // (fetched but not yet taken included): a dispatcher takes a permit per object, in
    // listing order, and a scanning thread gives it back when it takes the body. Fetch
    // latency then overlaps decoding instead of adding to it.
    let permits = Arc::new(tokio::sync::Semaphore::new(PREFETCH));
    let mut jobs = Vec::with_capacity(chosen.len());
    let mut entries = Vec::with_capacity(chosen.len());
    for (name, size) in &chosen {
        let url = target.object_url(remote.endpoints, region.as_deref(), name);
        // Ask for what the listing says (plus a little), never more than the bound.
        let limit = if *size > 0 {
            size.saturating_add(4096).min(per_object)
        } else {
            per_object
        };
        let (tx, rx) = tokio::sync::oneshot::channel::<Fetched>();
        jobs.push((url, limit, tx));
        let rx = std::sync::Mutex::new(Some(rx));
        let rt = remote.rt.clone();
        let take = move || -> Result<Vec<u8>, String> {
            let rx = rx
                .lock()
                .ok()
                .and_then(|mut r| r.take())
                .ok_or_else(|| "object already read".to_string())?;
            let (body, _permit) = rt
                .block_on(rx)
                .map_err(|_| "the fetch was abandoned".to_string())?;
            body
        };
        entries.push(Entry {
            input: Input::Remote(Arc::new(take)),
            path: format!("{}/{name}", outcome.target),
            size: (*size).min(limit),
        });
    }
    let http = Arc::clone(&remote.http);
    remote.rt.spawn(async move {
        for (url, limit, tx) in jobs {
            let Ok(permit) = Arc::clone(&permits).acquire_owned().await else {
                return;
            };
            let (http, spent) = (Arc::clone(&http), Arc::clone(&spent));
            tokio::spawn(async move {
                let body = fetch(&http, &url, limit, &spent, budget).await;
                // A receiver gone (the scan stopped) drops the permit with the body.
                let _ = tx.send((body, permit));
            });
        }
    });
    let report = scanner
        .run_entries(entries, None, None, observer)
        .map_err(|e| e.to_string())?;
    let summary = ScanSummary {
        objects: chosen.len() as u64,
        bytes: report.bytes,
        cut,
        counts: report.counts.clone(),
        data_classes: report.data_classes.clone(),
        document_types: report.document_types.clone(),
        sensitivity: report.sensitivity.clone(),
        unreadable: report.unreadable.len() as u64,
    };
    Ok((summary, report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sampling_respects_bounds_and_is_reproducible() {
        let names: Vec<(String, u64)> = (0..100).map(|i| (format!("o{i}"), 10)).collect();
        let b = Bounds {
            max_objects: 20,
            max_bytes_per_object: 8,
            max_total_bytes: 80,
            sample: Sample::First,
        };
        let first = choose(&names, &b, 1);
        assert_eq!(first.len(), 10);
        assert_eq!(first[0].0, "o0");
        let r = Bounds {
            sample: Sample::Random,
            ..b
        };
        assert_eq!(choose(&names, &r, 7), choose(&names, &r, 7));
        assert_ne!(choose(&names, &r, 7), first);
    }
}
