//! Observing a scan blob by blob, for sinks that persist what was found (the index).
//!
//! A scan presents each top-level blob to an [`Observer`] twice: before decoding
//! ([`Observer::begin`], which may skip it — already indexed) and after, with a
//! [`TopSummary`] of its whole subtree as a *content-addressed graph*: the blobs decoded
//! for the first time (nodes, keyed by BLAKE3, with their findings aggregated per value)
//! and every parent → member occurrence (edges). A duplicate appears only as an edge (or
//! as a top-level blob with no nodes): its subtree is already known by its hash. Raw
//! counts are then path counts through the graph — exactly the duplicate rule of
//! `docs/counting.md` — and nothing in the summary is a path, a name or content.

use crate::sniff::BlobType;
use leakdex_core::Kind;

/// A BLAKE3 content hash.
pub type Hash = [u8; 32];

/// The hash of the empty blob.
pub fn empty_hash() -> Hash {
    *blake3::hash(b"").as_bytes()
}

/// One value found in a document, with how often.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueCount {
    /// The kind of finding.
    pub kind: Kind,
    /// Its unique key: the normalised value (e-mail, E.164, registrable domain,
    /// normalised name), or a hash for masked kinds (cards, IBANs, secrets).
    pub key: String,
    /// The value as it may be shown, when that differs from `key`: masked for cards,
    /// IBANs and secrets. `None` for every other kind, whose key is what is shown (no
    /// copy of each key is made for the index, which never shows values).
    pub shown: Option<String>,
    /// Occurrences in this document.
    pub count: u64,
}

/// A blob decoded for the first time in this scan.
#[derive(Debug, Clone)]
pub struct Node {
    /// Its content hash.
    pub hash: Hash,
    /// Its type as sniffed.
    pub ty: BlobType,
    /// Whether it is a document (not a container, not empty).
    pub document: bool,
    /// An e-mail's Message-ID (angle brackets removed), if any.
    pub message_id: Option<String>,
    /// An e-mail's month (`2024-03`, from its Date header), if any.
    pub message_month: Option<String>,
    /// Its findings, aggregated per value — except domains: the detector finds a domain
    /// only as the registrable domain of an address, so the addresses listed here name
    /// them all (an index derives them).
    pub values: Vec<ValueCount>,
    /// Why it could not be (fully) decoded, if so — never a path.
    pub unreadable: Option<String>,
    /// What the document is (documents only).
    pub doc_type: Option<leakdex_core::DocType>,
    /// For contracts: whether signed.
    pub signed: bool,
    /// Its sensitivity score, 0–100 (documents only).
    pub sensitivity: u8,
}

/// One member or attachment occurrence: `parent` contains `child` once more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    /// The container or message.
    pub parent: Hash,
    /// The member or attachment.
    pub child: Hash,
}

/// Everything a top-level blob's subtree contributed.
#[derive(Debug, Clone)]
pub struct TopSummary {
    /// The top-level blob's hash.
    pub hash: Hash,
    /// Blobs decoded for the first time in this scan, in the order they were met.
    pub nodes: Vec<Node>,
    /// Member occurrences.
    pub edges: Vec<Edge>,
}

/// Receives top-level blobs as they are scanned. Called from worker threads.
pub trait Observer: Sync {
    /// Called with a top-level blob's hash before it is decoded. Return `None` to skip it
    /// (e.g. it is already in the index), or a token passed back to [`Observer::end`].
    fn begin(&self, hash: &Hash) -> Option<u64>;
    /// Called once the blob and its subtree are scanned.
    fn end(&self, token: u64, summary: TopSummary);
}
