//! The scan driver: top-level files are spread over worker threads through a bounded
//! channel; each worker expands containers and decodes documents depth-first, so one slow
//! blob only ever holds up its own worker. Blobs are deduplicated by BLAKE3 content hash
//! across workers: a blob seen before is not decoded again, its subtree's raw counts are
//! replayed (see `docs/counting.md`).

use crate::config::Config;
use crate::decode::{self, ooxml::Flavor, DecodeError, Sink, Stop};
use crate::detect::{detect, DetectConfig};
use crate::error::Error;
use crate::isolate::{Decoder, Format};
use crate::observe::{empty_hash, Edge, Hash, Node, Observer, TopSummary, ValueCount};
use crate::report::{Counts, FindingRecord, Report, Unreadable};
use crate::segment::SegCtx;
use crate::sniff::{sniff, BlobType};
use crate::source::{self, archive, Entry};
use leakdex_core::{Count, DataClass, Finding, Kind, KINDS};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Live progress of a scan, for progress bars.
#[derive(Debug, Default)]
pub struct Progress {
    /// Top-level files to scan.
    pub files_total: AtomicU64,
    /// Their bytes.
    pub bytes_total: AtomicU64,
    /// Files finished.
    pub files_done: AtomicU64,
    /// Bytes of finished files.
    pub bytes_done: AtomicU64,
}

/// Receives each finding as it is made (for `--findings`).
pub type FindingSink<'a> = &'a (dyn Fn(&FindingRecord) + Sync);

/// Runs scans.
pub struct Scanner {
    cfg: Config,
    progress: Arc<Progress>,
}

/// Raw counts of a blob's subtree: what a duplicate replays.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    documents: u64,
    messages: u64,
    empty: u64,
    raw: [u64; KINDS.len()],
}

impl std::ops::AddAssign for Tally {
    fn add_assign(&mut self, o: Tally) {
        self.documents += o.documents;
        self.messages += o.messages;
        self.empty += o.empty;
        for (a, b) in self.raw.iter_mut().zip(o.raw) {
            *a += b;
        }
    }
}

struct Shared<'a> {
    cfg: &'a Config,
    threads: usize,
    detect: DetectConfig,
    seen: Mutex<HashMap<[u8; 32], Tally, foldhash::fast::RandomState>>,
    findings: Option<FindingSink<'a>>,
    observer: Option<&'a dyn Observer>,
}

type Set<T> = HashSet<T, foldhash::fast::RandomState>;

/// What one worker accumulates; merged at the end.
#[derive(Default)]
struct Acc {
    total: Tally,
    unique: [Set<String>; KINDS.len()],
    documents: Set<[u8; 32]>,
    messages: Set<String>,
    unreadable: Vec<Unreadable>,
}

impl Acc {
    fn merge(&mut self, o: Acc) {
        self.total += o.total;
        for (a, b) in self.unique.iter_mut().zip(o.unique) {
            a.extend(b);
        }
        self.documents.extend(o.documents);
        self.messages.extend(o.messages);
        self.unreadable.extend(o.unreadable);
    }
}

impl Scanner {
    /// A scanner with `cfg`.
    pub fn new(cfg: Config) -> Self {
        Scanner {
            cfg,
            progress: Arc::default(),
        }
    }

    /// Progress counters, updated while [`Scanner::run`] works.
    pub fn progress(&self) -> Arc<Progress> {
        Arc::clone(&self.progress)
    }

    /// Scans `sources` (files, directories, `-` for stdin). Fails only when a source
    /// cannot be read at all; everything inside that cannot be decoded is reported as
    /// `unreadable`.
    pub fn run(
        &self,
        sources: &[PathBuf],
        findings: Option<FindingSink<'_>>,
    ) -> Result<Report, Error> {
        self.run_observed(sources, findings, None)
    }

    /// [`Scanner::run`], presenting every top-level blob to `observer` (see
    /// [`crate::observe`]).
    pub fn run_observed(
        &self,
        sources: &[PathBuf],
        findings: Option<FindingSink<'_>>,
        observer: Option<&dyn Observer>,
    ) -> Result<Report, Error> {
        let started = Instant::now();
        crate::detect::phone::prepare();
        let entries = source::walk(sources)?;
        let p = &self.progress;
        p.files_total.store(entries.len() as u64, Ordering::Relaxed);
        p.bytes_total
            .store(entries.iter().map(|e| e.size).sum(), Ordering::Relaxed);
        let threads = match self.cfg.threads {
            0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
            n => n,
        };
        let shared = Shared {
            cfg: &self.cfg,
            threads,
            detect: DetectConfig {
                default_region: self.cfg.default_region,
            },
            seen: Mutex::default(),
            findings,
            observer,
        };
        let threads = threads.min(entries.len().max(1));
        let (tx, rx) = crossbeam_channel::bounded::<&Entry>(threads * 4);
        let mut acc = Acc::default();
        let mut bytes = 0u64;
        std::thread::scope(|s| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    let rx = rx.clone();
                    let shared = &shared;
                    s.spawn(move || {
                        let mut w = Worker {
                            shared,
                            acc: Acc::default(),
                            found: Vec::new(),
                            bytes: 0,
                            graph: None,
                            values: Values::default(),
                            message_id: None,
                            message_month: None,
                            isolated: Decoder::new(shared.cfg.isolation.clone()),
                        };
                        for entry in rx {
                            w.top(entry, p);
                        }
                        (w.acc, w.bytes)
                    })
                })
                .collect();
            drop(rx);
            for e in &entries {
                if tx.send(e).is_err() {
                    break;
                }
            }
            drop(tx);
            for w in workers {
                match w.join() {
                    Ok((a, b)) => {
                        acc.merge(a);
                        bytes += b;
                    }
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
        });
        Ok(report(acc, entries.len() as u64, bytes, started))
    }
}

fn report(mut acc: Acc, files: u64, bytes: u64, started: Instant) -> Report {
    let mut counts = Counts {
        documents: Count {
            raw: acc.total.documents,
            unique: acc.documents.len() as u64,
        },
        messages: Count {
            raw: acc.total.messages,
            unique: acc.messages.len() as u64,
        },
        ..Counts::default()
    };
    let mut classes: Vec<DataClass> = Vec::new();
    for kind in KINDS {
        let c = Count {
            raw: acc.total.raw[kind.index()],
            unique: acc.unique[kind.index()].len() as u64,
        };
        *counts.kind_mut(kind) = c;
        if c.raw > 0 {
            classes.extend(kind.data_class());
        }
    }
    if counts.messages.raw > 0 {
        classes.push(DataClass::EmailMessages);
    }
    classes.sort();
    acc.unreadable.sort();
    Report {
        files,
        bytes,
        counts,
        empty: acc.total.empty,
        data_classes: classes.iter().map(|c| c.as_str().to_string()).collect(),
        unreadable: acc.unreadable,
        elapsed_ms: started.elapsed().as_millis() as u64,
    }
}

/// Findings of one document, aggregated per (kind, key): (shown value, count).
type Values = HashMap<(Kind, String), (String, u64), foldhash::fast::RandomState>;

/// The graph of the top-level blob being scanned, when an observer wants it.
struct Graph {
    summary: TopSummary,
    /// Hashes of the blobs we are inside of, innermost last.
    parents: Vec<Hash>,
    /// Tallies of blobs decoded under this top-level blob; shared with the other workers
    /// only once the observer has them, so that no worker can count a duplicate of a
    /// blob whose node is not stored yet.
    local: HashMap<Hash, Tally, foldhash::fast::RandomState>,
}

struct Worker<'a> {
    shared: &'a Shared<'a>,
    acc: Acc,
    found: Vec<Finding>,
    bytes: u64,
    graph: Option<Graph>,
    values: Values,
    message_id: Option<String>,
    message_month: Option<String>,
    /// This thread's decode worker for PDFs and workbooks.
    isolated: Decoder,
}

impl Worker<'_> {
    fn top(&mut self, entry: &Entry, p: &Progress) {
        match entry.open() {
            Ok(data) => {
                self.bytes += data.len() as u64;
                let name = last_component(&entry.path);
                if let Some(obs) = self.shared.observer {
                    let hash = content_hash(&data);
                    if let Some(token) = obs.begin(&hash) {
                        self.graph = Some(Graph {
                            summary: TopSummary {
                                hash,
                                nodes: Vec::new(),
                                edges: Vec::new(),
                            },
                            parents: Vec::new(),
                            local: HashMap::default(),
                        });
                        let t = self.blob(&entry.path, name, &data, 0);
                        self.acc.total += t;
                        if let Some(g) = self.graph.take() {
                            obs.end(token, g.summary);
                            if let Ok(mut seen) = self.shared.seen.lock() {
                                seen.extend(g.local);
                            }
                        }
                    }
                } else {
                    let t = self.blob(&entry.path, name, &data, 0);
                    self.acc.total += t;
                }
            }
            Err(reason) => self.unreadable(&entry.path, reason),
        }
        p.files_done.fetch_add(1, Ordering::Relaxed);
        p.bytes_done.fetch_add(entry.size, Ordering::Relaxed);
    }

    fn unreadable(&mut self, path: &str, reason: String) {
        tracing::debug!(reason = %reason, "unreadable blob");
        self.acc.unreadable.push(Unreadable {
            path: path.to_string(),
            reason,
        });
    }

    /// Scans one blob and everything in it; returns its subtree's raw counts.
    fn blob(&mut self, path: &str, name: &str, data: &[u8], depth: usize) -> Tally {
        let cfg = self.shared.cfg;
        if depth > cfg.max_depth {
            self.unreadable(
                path,
                format!("nested deeper than {} levels (--max-depth)", cfg.max_depth),
            );
            return Tally::default();
        }
        if data.is_empty() {
            if let Some(g) = &mut self.graph {
                let hash = empty_hash();
                g.edge(hash);
                if let std::collections::hash_map::Entry::Vacant(e) = g.local.entry(hash) {
                    e.insert(Tally::default());
                    g.summary.nodes.push(Node {
                        hash,
                        ty: BlobType::Empty,
                        document: false,
                        message_id: None,
                        message_month: None,
                        values: Vec::new(),
                        unreadable: None,
                    });
                }
            }
            return Tally {
                empty: 1,
                ..Tally::default()
            };
        }
        let hash: [u8; 32] = content_hash(data);
        if let Some(g) = &mut self.graph {
            g.edge(hash);
        }
        if let Some(t) = self.seen(&hash) {
            return t;
        }
        if let Some(g) = &mut self.graph {
            g.parents.push(hash);
        }
        let ty = sniff(name, data);
        let mut t = Tally::default();
        let mut failure = None;
        if ty.is_container() {
            let mut members: Vec<(String, String)> = Vec::new();
            // Members are scanned as they come out of the container.
            let r = guard(|| {
                archive::expand(ty, name, data, cfg, &mut |member, bytes| {
                    let child = format!("{path}!{member}");
                    match bytes {
                        Ok(b) => t += self.blob(&child, last_component(&member), &b, depth + 1),
                        Err(reason) => members.push((child, reason)),
                    }
                })
            })
            .unwrap_or_else(|()| {
                Err("the container reader failed on this input (internal panic caught)".into())
            });
            for (child, reason) in members {
                self.unreadable(&child, reason);
            }
            if let Err(reason) = r {
                failure = Some(reason.clone());
                self.unreadable(path, reason);
            }
        } else {
            t.documents = 1;
            self.acc.documents.insert(hash);
            let hex = blake3::Hash::from(hash).to_hex().to_string();
            let (children, err) = self.document(path, &hex, ty, data, &mut t);
            failure = err;
            // The node is complete before its attachments are scanned.
            self.push_node(hash, ty, failure.take());
            for c in children {
                let child = format!("{path}!{}", c.name);
                t += self.blob(&child, last_component(&c.name), &c.data, depth + 1);
            }
        }
        if ty.is_container() {
            self.push_node(hash, ty, failure);
        }
        match &mut self.graph {
            Some(g) => {
                g.parents.pop();
                g.local.insert(hash, t);
            }
            None => {
                if let Ok(mut seen) = self.shared.seen.lock() {
                    seen.insert(hash, t);
                }
            }
        }
        t
    }

    fn push_node(&mut self, hash: Hash, ty: BlobType, unreadable: Option<String>) {
        let message_id = self.message_id.take();
        let message_month = self.message_month.take();
        let values: Vec<ValueCount> = self
            .values
            .drain()
            .map(|((kind, key), (value, count))| ValueCount {
                kind,
                key,
                value,
                count,
            })
            .collect();
        if let Some(g) = &mut self.graph {
            g.summary.nodes.push(Node {
                hash,
                ty,
                document: !ty.is_container(),
                message_id,
                message_month,
                values,
                unreadable,
            });
        }
    }

    fn seen(&self, hash: &[u8; 32]) -> Option<Tally> {
        if let Some(t) = self.graph.as_ref().and_then(|g| g.local.get(hash)) {
            return Some(*t);
        }
        self.shared.seen.lock().ok()?.get(hash).copied()
    }

    /// Decodes a document into `t`; returns its attachments.
    fn document(
        &mut self,
        path: &str,
        hex: &str,
        ty: BlobType,
        data: &[u8],
        t: &mut Tally,
    ) -> (Vec<decode::Child>, Option<String>) {
        let cfg = self.shared.cfg;
        let max = cfg.max_segment;
        if ty == BlobType::Text && data.len() >= PARALLEL_TEXT && self.shared.threads > 1 {
            let err = self.text_in_parallel(path, hex, data, t);
            return (Vec::new(), err);
        }
        let observed = self.graph.is_some();
        let mut sink = DocSink {
            shared: self.shared,
            acc: &mut self.acc,
            found: &mut self.found,
            values: observed.then_some(&mut self.values),
            raw: &mut t.raw,
            path,
            hex,
            deadline: Instant::now() + cfg.blob_timeout,
            calls: 0,
        };
        let mut children = Vec::new();
        let limit = cfg.expansion_limit(data.len() as u64);
        let isolated = &mut self.isolated;
        let budget = cfg.parser_timeout;
        let decoded = guard(|| match ty {
            BlobType::Email | BlobType::Msg => match if ty == BlobType::Msg {
                decode::msg::decode(data, max, &mut sink)
            } else {
                decode::mail::decode(data, max, &mut sink)
            } {
                Ok(d) => {
                    t.messages = 1;
                    let id = d
                        .message_id
                        .filter(|m| !m.is_empty())
                        .unwrap_or_else(|| format!("blake3:{hex}"));
                    sink.acc.messages.insert(id.clone());
                    self.message_id = Some(id);
                    self.message_month = d.month;
                    children = d.children;
                    Ok(())
                }
                Err(e) => Err(e),
            },
            BlobType::Sql => decode::sql::decode(data, &mut sink),
            BlobType::Csv => decode::csv::decode(data, &mut sink),
            BlobType::Json => decode::json::decode(data, &mut sink),
            BlobType::Ndjson => decode::json::decode_lines(data, max, &mut sink),
            BlobType::Html => decode::html::decode(data, max, &mut sink),
            BlobType::Text => decode::text::decode(data, max, &SegCtx::text("line"), &mut sink),
            BlobType::Docx => decode::ooxml::decode(data, Flavor::Word, max, limit, &mut sink),
            BlobType::Pptx => decode::ooxml::decode(data, Flavor::Slides, max, limit, &mut sink),
            BlobType::Xlsx | BlobType::Xlsb | BlobType::Xls | BlobType::Ods => {
                isolated.run(Format::Spreadsheet, data, max, budget, &mut sink)
            }
            BlobType::Pdf => isolated.run(Format::Pdf, data, max, budget, &mut sink),
            BlobType::EncryptedOffice => Err(DecodeError::Unreadable(
                "encrypted (password-protected Office document)".into(),
            )),
            _ => Ok(()),
        });
        let r = decoded.unwrap_or_else(|()| {
            Err(DecodeError::Unreadable(
                "the decoder failed on this input (internal panic caught)".into(),
            ))
        });
        let err = r.err().map(|e| match e {
            DecodeError::Unreadable(r) if ty == BlobType::EncryptedOffice => r,
            DecodeError::Unreadable(r) => format!("{}: {r}", ty.as_str()),
            DecodeError::Stopped(r) => r,
        });
        if let Some(reason) = &err {
            self.unreadable(path, reason.clone());
        }
        (children, err)
    }
}

thread_local! {
    static IN_DECODER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether the current thread is inside a decoder or container reader, where a panic is
/// caught and turned into an `unreadable` entry. A panic hook can use it to stay quiet
/// about those panics and loud about all others.
pub fn in_decoder() -> bool {
    IN_DECODER.with(|c| c.get())
}

/// Runs third-party parsing code so that a panic on hostile input becomes an error.
pub(crate) fn guard<T>(f: impl FnOnce() -> T) -> Result<T, ()> {
    let outer = IN_DECODER.with(|c| c.replace(true));
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|_| ());
    IN_DECODER.with(|c| c.set(outer));
    r
}

/// BLAKE3 of a blob; big blobs are hashed on all cores (hashing a 300 MB file on one
/// core takes ~0.2 s, all of it before decoding can start).
fn content_hash(data: &[u8]) -> Hash {
    if data.len() >= PARALLEL_TEXT {
        let mut h = blake3::Hasher::new();
        h.update_rayon(data);
        *h.finalize().as_bytes()
    } else {
        *blake3::hash(data).as_bytes()
    }
}

/// Text documents at least this big are split and scanned on all cores.
const PARALLEL_TEXT: usize = 16 << 20;

impl Worker<'_> {
    /// One big text document on all cores: cut at line ends (white space on giant lines)
    /// into one part per thread; counts are the same as a sequential scan.
    fn text_in_parallel(
        &mut self,
        path: &str,
        hex: &str,
        data: &[u8],
        t: &mut Tally,
    ) -> Option<String> {
        let observed = self.graph.is_some();
        let shared = self.shared;
        let parts = decode::text::split(data, shared.threads, shared.cfg.max_segment);
        let deadline = Instant::now() + shared.cfg.blob_timeout;
        type PartResult = (Acc, Values, [u64; KINDS.len()], Option<String>);
        let results: Vec<PartResult> = std::thread::scope(|s| {
            let handles: Vec<_> = parts
                .into_iter()
                .map(|part| {
                    s.spawn(move || {
                        let mut acc = Acc::default();
                        let mut found = Vec::new();
                        let mut values = Values::default();
                        let mut raw = [0u64; KINDS.len()];
                        let mut sink = DocSink {
                            shared,
                            acc: &mut acc,
                            found: &mut found,
                            values: observed.then_some(&mut values),
                            raw: &mut raw,
                            path,
                            hex,
                            deadline,
                            calls: 0,
                        };
                        let ctx = SegCtx::text("line");
                        let err =
                            decode::text::decode(part, shared.cfg.max_segment, &ctx, &mut sink)
                                .err()
                                .map(|e| e.to_string());
                        (acc, values, raw, err)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        });
        let mut error = None;
        for (acc, values, raw, err) in results {
            self.acc.merge(acc);
            for (k, (v, n)) in values {
                self.values.entry(k).or_insert((v, 0)).1 += n;
            }
            for (a, b) in t.raw.iter_mut().zip(raw) {
                *a += b;
            }
            error = error.or(err);
        }
        if let Some(reason) = &error {
            self.unreadable(path, reason.clone());
        }
        error
    }
}

impl Graph {
    /// Records that the innermost open blob contains `child` (once more).
    fn edge(&mut self, child: Hash) {
        if let Some(&parent) = self.parents.last() {
            self.summary.edges.push(Edge { parent, child });
        }
    }
}

fn last_component(path: &str) -> &str {
    path.rsplit(['/', '\\', '!']).next().unwrap_or(path)
}

struct DocSink<'w, 'a> {
    shared: &'a Shared<'a>,
    acc: &'w mut Acc,
    found: &'w mut Vec<Finding>,
    values: Option<&'w mut Values>,
    raw: &'w mut [u64; KINDS.len()],
    path: &'w str,
    hex: &'w str,
    deadline: Instant,
    calls: u32,
}

impl Sink for DocSink<'_, '_> {
    fn segment(&mut self, text: &str, ctx: &SegCtx<'_>) -> Result<(), Stop> {
        self.calls = self.calls.wrapping_add(1);
        if self.calls.is_multiple_of(64) && Instant::now() > self.deadline {
            return Err(Stop(format!(
                "decoding took longer than {} s (--blob-timeout)",
                self.shared.cfg.blob_timeout.as_secs()
            )));
        }
        detect(text, ctx, &self.shared.detect, self.found);
        for f in self.found.drain(..) {
            let i = f.kind.index();
            self.raw[i] += 1;
            if let Some(sink) = self.shared.findings {
                if f.kind != Kind::Domain {
                    sink(&FindingRecord {
                        kind: f.kind,
                        value: f.value.clone(),
                        document: self.hex.to_string(),
                        path: self.path.to_string(),
                        context: ctx.field.to_string(),
                    });
                }
            }
            if let Some(values) = self.values.as_deref_mut() {
                let shown = f.value.clone();
                let key = if f.key.is_empty() {
                    f.value.clone()
                } else {
                    f.key.clone()
                };
                values.entry((f.kind, key)).or_insert((shown, 0)).1 += 1;
            }
            let set = &mut self.acc.unique[i];
            let key = f.into_key();
            if !set.contains(key.as_str()) {
                set.insert(key);
            }
        }
        Ok(())
    }
}
