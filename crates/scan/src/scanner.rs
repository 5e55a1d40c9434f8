//! The scan driver: top-level files are spread over worker threads through a bounded
//! channel; each worker expands containers and decodes documents depth-first, so one slow
//! blob only ever holds up its own worker. Blobs are deduplicated by BLAKE3 content hash
//! across workers: a blob seen before is not decoded again, its subtree's raw counts are
//! replayed (see `docs/counting.md`).

use crate::classify::{classify, Classification, Features};
use crate::config::Config;
use crate::decode::{self, ooxml::Flavor, DecodeError, Sink, Stop};
use crate::detect::{detect_with, DetectConfig, Findings, Triggers};
use crate::distinct::{digest, Distinct, Passthrough, Pending};
use crate::error::Error;
use crate::isolate::{Decoder, Format};
use crate::observe::{empty_hash, Edge, Hash, Node, Observer, TopSummary, ValueCount};
use crate::report::{Counts, DocumentRecord, FindingRecord, Report, SourceRecord, Unreadable};
use crate::segment::SegCtx;
use crate::sniff::{sniff, BlobType};
use crate::source::{self, archive, Entry};
use leakdex_core::{sensitivity, Count, DataClass, DocType, Kind, DOC_TYPES, KINDS};
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

/// Receives each document as it is classified (for `--documents`).
pub type DocumentSink<'a> = &'a (dyn Fn(&DocumentRecord) + Sync);

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
    /// Documents per type, and signed contracts among them.
    types: [u64; DOC_TYPES.len()],
    signed: u64,
}

impl std::ops::AddAssign for Tally {
    fn add_assign(&mut self, o: Tally) {
        self.documents += o.documents;
        self.messages += o.messages;
        self.empty += o.empty;
        self.signed += o.signed;
        for (a, b) in self.types.iter_mut().zip(o.types) {
            *a += b;
        }
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
    documents: Option<DocumentSink<'a>>,
    observer: Option<&'a dyn Observer>,
    /// The distinct values of each kind, filled by all threads.
    unique: [Distinct; KINDS.len()],
}

type Set<T> = HashSet<T, foldhash::fast::RandomState>;

/// What one worker accumulates; merged at the end.
#[derive(Default)]
struct Acc {
    total: Tally,
    /// Distinct documents and their types.
    documents: HashMap<[u8; 32], (DocType, bool), foldhash::fast::RandomState>,
    messages: Set<String>,
    unreadable: Vec<Unreadable>,
    /// The most sensitive documents and top-level files so far (pruned to `top`).
    top: Vec<DocumentRecord>,
    sources: Vec<SourceRecord>,
}

impl Acc {
    fn merge(&mut self, o: Acc) {
        self.total += o.total;
        self.documents.extend(o.documents);
        self.messages.extend(o.messages);
        self.unreadable.extend(o.unreadable);
        self.top.extend(o.top);
        self.sources.extend(o.sources);
    }

    /// Keeps the `n` most sensitive documents and sources once there are many more.
    fn prune(&mut self, n: usize, force: bool) {
        if force || self.top.len() > 2 * n + 16 {
            self.top.sort_by(|a, b| {
                b.sensitivity
                    .score
                    .cmp(&a.sensitivity.score)
                    .then_with(|| a.path.cmp(&b.path))
            });
            self.top.truncate(n);
        }
        if force || self.sources.len() > 2 * n + 16 {
            self.sources.sort_by(|a, b| {
                b.sensitivity
                    .score
                    .cmp(&a.sensitivity.score)
                    .then_with(|| a.path.cmp(&b.path))
            });
            self.sources.truncate(n);
        }
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
        self.run_full(sources, findings, None, observer)
    }

    /// [`Scanner::run_observed`], also presenting every document's classification and
    /// sensitivity to `documents` (for `--documents`).
    pub fn run_full(
        &self,
        sources: &[PathBuf],
        findings: Option<FindingSink<'_>>,
        documents: Option<DocumentSink<'_>>,
        observer: Option<&dyn Observer>,
    ) -> Result<Report, Error> {
        let entries = source::walk(sources)?;
        self.run_entries(entries, findings, documents, observer)
    }

    /// Scans top-level `entries` (from [`source::walk`], or remote objects: see
    /// [`source::Input::Remote`]).
    pub fn run_entries(
        &self,
        entries: Vec<Entry>,
        findings: Option<FindingSink<'_>>,
        documents: Option<DocumentSink<'_>>,
        observer: Option<&dyn Observer>,
    ) -> Result<Report, Error> {
        let started = Instant::now();
        crate::detect::phone::prepare();
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
            documents,
            observer,
            unique: Default::default(),
        };
        let threads = threads.min(entries.len().max(1));
        let (tx, rx) = crossbeam_channel::bounded::<&Entry>(threads * 4);
        let mut acc = Acc::default();
        let mut bytes = 0u64;
        std::thread::scope(|s| {
            let workers: Vec<_> = (0..threads)
                .map(|i| {
                    let rx = rx.clone();
                    let shared = &shared;
                    s.spawn(move || {
                        let mut w = Worker {
                            shared,
                            acc: Acc::default(),
                            pending: Pending::new(&shared.unique, i),
                            found: Findings::default(),
                            bytes: 0,
                            graph: None,
                            values: Values::default(),
                            message_id: None,
                            message_month: None,
                            isolated: Decoder::new(shared.cfg.isolation.clone()),
                            source: None,
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
        let unique = shared.unique.each_ref().map(|d| d.len() as u64);
        Ok(report(
            acc,
            unique,
            entries.len() as u64,
            bytes,
            started,
            self.cfg.top,
        ))
    }
}

fn report(
    mut acc: Acc,
    unique: [u64; KINDS.len()],
    files: u64,
    bytes: u64,
    started: Instant,
    top: usize,
) -> Report {
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
            unique: unique[kind.index()],
        };
        *counts.kind_mut(kind) = c;
        if c.raw > 0 {
            classes.extend(kind.data_class());
        }
    }
    if counts.messages.raw > 0 {
        classes.push(DataClass::EmailMessages);
    }
    // Signed contracts count apart from unsigned ones (`signed_contract`, as indexed).
    let mut unique_types = [(0u64, 0u64); DOC_TYPES.len()];
    for (t, signed) in acc.documents.values() {
        let u = &mut unique_types[t.index()];
        if *signed {
            u.1 += 1;
        } else {
            u.0 += 1;
        }
    }
    let mut document_types = std::collections::BTreeMap::new();
    for t in DOC_TYPES {
        let all = acc.total.types[t.index()];
        let (unsigned, signed) = unique_types[t.index()];
        for (is_signed, raw, unique) in [
            (
                false,
                all - acc.total.signed.min(all) * u64::from(t == DocType::Contract),
                unsigned,
            ),
            (
                true,
                acc.total.signed * u64::from(t == DocType::Contract),
                signed,
            ),
        ] {
            if raw == 0 {
                continue;
            }
            document_types.insert(t.label(is_signed).to_string(), Count { raw, unique });
            classes.extend(t.data_classes(is_signed));
        }
    }
    classes.sort();
    classes.dedup();
    acc.unreadable.sort();
    // The scan's sensitivity is its most sensitive document's, even with --top 0.
    acc.prune(top.max(1), true);
    let sensitivity = acc
        .top
        .first()
        .map(|d| d.sensitivity.clone())
        .unwrap_or_default();
    acc.top.truncate(top);
    acc.sources.truncate(top);
    Report {
        files,
        bytes,
        counts,
        empty: acc.total.empty,
        data_classes: classes.iter().map(|c| c.as_str().to_string()).collect(),
        document_types,
        sensitivity,
        top_documents: acc.top,
        top_sources: acc.sources,
        unreadable: acc.unreadable,
        elapsed_ms: started.elapsed().as_millis() as u64,
    }
}

/// Findings of one document, aggregated per kind and key. One map per kind, keyed by the
/// key's 128-bit XXH3 digest (as [`Distinct`]): a `String`-keyed map compared every
/// repeated finding with its stored key through a pointer to the heap — a cache miss and
/// a `memcmp` per finding, 13% of an ingest's scanning time.
#[derive(Default)]
struct Values([HashMap<u128, ValueEntry, std::hash::BuildHasherDefault<Passthrough>>; KINDS.len()]);

/// One distinct value of a document.
struct ValueEntry {
    key: String,
    /// The value as shown, when it differs from the key (masked kinds).
    shown: Option<String>,
    count: u64,
}

impl Values {
    /// Adds `n` occurrences of `key` (shown as `value`, counted by `digest`, the
    /// [`digest`] of `key`) of the kind at `index`.
    fn add(&mut self, index: usize, digest: u128, key: &str, value: &str, n: u64) {
        self.0[index]
            .entry(digest)
            .and_modify(|e| e.count += n)
            .or_insert_with(|| ValueEntry {
                key: key.to_string(),
                shown: (value != key).then(|| value.to_string()),
                count: n,
            });
    }

    /// Moves `other`'s values in.
    fn merge(&mut self, other: Values) {
        for (mine, theirs) in self.0.iter_mut().zip(other.0) {
            for (digest, e) in theirs {
                match mine.entry(digest) {
                    std::collections::hash_map::Entry::Occupied(mut o) => {
                        o.get_mut().count += e.count
                    }
                    std::collections::hash_map::Entry::Vacant(v) => {
                        v.insert(e);
                    }
                }
            }
        }
    }
}

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
    /// Digests on their way to `shared.unique`.
    pending: Pending<'a, { KINDS.len() }>,
    found: Findings,
    bytes: u64,
    graph: Option<Graph>,
    values: Values,
    message_id: Option<String>,
    message_month: Option<String>,
    /// This thread's decode worker for PDFs and workbooks.
    isolated: Decoder,
    /// The top-level file being scanned: its most sensitive document so far.
    source: Option<SourceRecord>,
}

impl Worker<'_> {
    fn top(&mut self, entry: &Entry, p: &Progress) {
        self.source = Some(SourceRecord {
            path: entry.path.clone(),
            documents: 0,
            sensitivity: Default::default(),
        });
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
                        let t = self.blob_hashed(&entry.path, name, &data, 0, Some(hash));
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
        if let Some(src) = self.source.take().filter(|s| s.sensitivity.score > 0) {
            self.acc.sources.push(src);
            self.acc.prune(self.shared.cfg.top, false);
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
        self.blob_hashed(path, name, data, depth, None)
    }

    /// [`Self::blob`] for a blob whose content hash is known already (an observed
    /// top-level blob is hashed before the observer is asked about it).
    fn blob_hashed(
        &mut self,
        path: &str,
        name: &str,
        data: &[u8],
        depth: usize,
        known: Option<Hash>,
    ) -> Tally {
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
                        doc_type: None,
                        signed: false,
                        sensitivity: 0,
                    });
                }
            }
            return Tally {
                empty: 1,
                ..Tally::default()
            };
        }
        let hash: [u8; 32] = known.unwrap_or_else(|| content_hash(data));
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
            let hex = blake3::Hash::from(hash).to_hex().to_string();
            let (children, err, class) = self.document(path, name, &hex, ty, data, &mut t);
            failure = err;
            t.types[class.doc_type.index()] += 1;
            t.signed += u64::from(class.signed);
            self.acc
                .documents
                .insert(hash, (class.doc_type, class.signed));
            let score = self.record_document(path, &hex, ty, &t, class.clone());
            // The node is complete before its attachments are scanned.
            self.push_node(hash, ty, failure.take(), Some((&class, score)));
            for c in children {
                let child = format!("{path}!{}", c.name);
                t += self.blob(&child, last_component(&c.name), &c.data, depth + 1);
            }
        }
        if ty.is_container() {
            self.push_node(hash, ty, failure, None);
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

    fn push_node(
        &mut self,
        hash: Hash,
        ty: BlobType,
        unreadable: Option<String>,
        doc: Option<(&Classification, u8)>,
    ) {
        let message_id = self.message_id.take();
        let message_month = self.message_month.take();
        let values: Vec<ValueCount> = KINDS
            .iter()
            .zip(self.values.0.iter_mut())
            .flat_map(|(&kind, m)| {
                m.drain().map(move |(_, e)| ValueCount {
                    kind,
                    shown: e.shown,
                    key: e.key,
                    count: e.count,
                })
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
                doc_type: doc.map(|(c, _)| c.doc_type),
                signed: doc.is_some_and(|(c, _)| c.signed),
                sensitivity: doc.map_or(0, |(_, s)| s),
            });
        }
    }

    /// Scores a classified document, hands it to the `--documents` sink and keeps it if it
    /// is among the most sensitive. Returns its score.
    fn record_document(
        &mut self,
        path: &str,
        hex: &str,
        ty: BlobType,
        t: &Tally,
        class: Classification,
    ) -> u8 {
        let people = t.raw[Kind::Email.index()].max(t.raw[Kind::Person.index()]);
        let sens = sensitivity(class.doc_type, class.signed, &t.raw, people);
        let score = sens.score;
        let wanted = self.shared.documents.is_some() || score > 0;
        if !wanted {
            return score;
        }
        let mut classes: Vec<DataClass> = KINDS
            .iter()
            .filter(|k| t.raw[k.index()] > 0)
            .filter_map(|k| k.data_class())
            .collect();
        classes.extend(class.doc_type.data_classes(class.signed));
        classes.sort();
        classes.dedup();
        let record = DocumentRecord {
            document: hex.to_string(),
            path: path.to_string(),
            format: ty.as_str().to_string(),
            doc_type: class.doc_type,
            signed: class.signed,
            confidence: class.confidence,
            type_reasons: class.reasons,
            data_classes: classes.iter().map(|c| c.as_str().to_string()).collect(),
            sensitivity: sens,
        };
        if let Some(sink) = self.shared.documents {
            sink(&record);
        }
        if let Some(src) = &mut self.source {
            src.documents += 1;
            if score > src.sensitivity.score {
                src.sensitivity = record.sensitivity.clone();
            }
        }
        if score > 0 {
            self.acc.top.push(record);
            self.acc.prune(self.shared.cfg.top, false);
        }
        score
    }

    fn seen(&self, hash: &[u8; 32]) -> Option<Tally> {
        if let Some(t) = self.graph.as_ref().and_then(|g| g.local.get(hash)) {
            return Some(*t);
        }
        self.shared.seen.lock().ok()?.get(hash).copied()
    }

    /// Decodes a document into `t`; returns its attachments, why it could not be read
    /// (if so) and what it is.
    fn document(
        &mut self,
        path: &str,
        name: &str,
        hex: &str,
        ty: BlobType,
        data: &[u8],
        t: &mut Tally,
    ) -> (Vec<decode::Child>, Option<String>, Classification) {
        let cfg = self.shared.cfg;
        let max = cfg.max_segment;
        let mut features = Features::default();
        if ty == BlobType::Text && data.len() >= PARALLEL_TEXT && self.shared.threads > 1 {
            let err = self.text_in_parallel(path, hex, data, t);
            let head = decode::bytes_to_text(&data[..data.len().min(8 << 10)]);
            features.segment(
                &head,
                head.contains('@'),
                crate::Place::Text,
                crate::FieldClass::Other,
                "line",
            );
            return (Vec::new(), err, classify(ty, name, &features));
        }
        let observed = self.graph.is_some();
        let mut sink = DocSink {
            features: Some(&mut features),
            shared: self.shared,
            pending: &mut self.pending,
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
                    self.acc.messages.insert(id.clone());
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
        (children, err, classify(ty, name, &features))
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

/// Parts of such a document per thread (16 MB / (8 × threads) each at the smallest).
const PARTS_PER_THREAD: usize = 8;

impl Worker<'_> {
    /// One big text document on all cores: cut at line ends (white space on giant lines)
    /// into [`PARTS_PER_THREAD`] parts a thread, which the threads take in turn; counts
    /// are the same as a sequential scan.
    fn text_in_parallel(
        &mut self,
        path: &str,
        hex: &str,
        data: &[u8],
        t: &mut Tally,
    ) -> Option<String> {
        let observed = self.graph.is_some();
        let shared = self.shared;
        // Many more parts than threads, taken in turn: parts cost unequal time (where
        // the addresses and numbers are). With one part a thread, a file whose numbers
        // sat in its second half was scanned on one core for most of the time (200 MB:
        // 7.9 s, now 5.1 s; docs/PERFORMANCE.md).
        let parts = decode::text::split(
            data,
            shared.threads * PARTS_PER_THREAD,
            shared.cfg.max_segment,
        );
        let next = std::sync::atomic::AtomicUsize::new(0);
        let deadline = Instant::now() + shared.cfg.blob_timeout;
        type PartResult = (Values, [u64; KINDS.len()], Option<String>);
        let results: Vec<PartResult> = std::thread::scope(|s| {
            let (parts, next) = (&parts, &next);
            let handles: Vec<_> = (0..shared.threads)
                .map(|i| {
                    s.spawn(move || {
                        let mut pending = Pending::new(&shared.unique, i);
                        let mut found = Findings::default();
                        let mut values = Values::default();
                        let mut raw = [0u64; KINDS.len()];
                        let mut sink = DocSink {
                            features: None,
                            shared,
                            pending: &mut pending,
                            found: &mut found,
                            values: observed.then_some(&mut values),
                            raw: &mut raw,
                            path,
                            hex,
                            deadline,
                            calls: 0,
                        };
                        let ctx = SegCtx::text("line");
                        // Phone verdicts learnt by earlier threads (this one is new).
                        let _verdicts = crate::detect::phone::borrow_verdicts();
                        let mut err = None;
                        while let Some(part) =
                            parts.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
                        {
                            if let Err(e) =
                                decode::text::decode(part, shared.cfg.max_segment, &ctx, &mut sink)
                            {
                                // Out of time: this thread takes no further part (each
                                // would scan up to the next deadline check first).
                                err = Some(e.to_string());
                                break;
                            }
                        }
                        (values, raw, err)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        });
        let mut error = None;
        for (values, raw, err) in results {
            self.values.merge(values);
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
    /// What the classifier gathers (not for the parts of a text scanned in parallel).
    features: Option<&'w mut Features>,
    shared: &'a Shared<'a>,
    pending: &'w mut Pending<'a, { KINDS.len() }>,
    found: &'w mut Findings,
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
        let triggers = Triggers::of(text);
        if let Some(f) = self.features.as_deref_mut() {
            f.segment(text, triggers.has_at(text), ctx.place, ctx.class, ctx.field);
        }
        self.found.clear();
        detect_with(text, ctx, &self.shared.detect, self.found, triggers);
        for f in self.found.iter() {
            let i = f.kind.index();
            self.raw[i] += 1;
            if let Some(sink) = self.shared.findings {
                if f.kind != Kind::Domain {
                    sink(&FindingRecord {
                        kind: f.kind,
                        value: f.value.to_string(),
                        document: self.hex.to_string(),
                        path: self.path.to_string(),
                        context: ctx.field.to_string(),
                    });
                }
            }
            // A document's values leave its domains out: each is the registrable domain of
            // an address among them (the only place the detector finds one).
            let values = self
                .values
                .as_deref_mut()
                .filter(|_| f.kind != Kind::Domain);
            let unique = self.shared.cfg.count_unique;
            if values.is_none() && !unique {
                continue;
            }
            // One digest serves the document's values and the distinct count.
            let d = digest(f.key);
            if let Some(values) = values {
                values.add(i, d, f.key, f.value, 1);
            }
            if unique {
                self.pending.insert(i, d);
            }
        }
        Ok(())
    }
}
