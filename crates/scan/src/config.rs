//! Scanner configuration: limits that turn hostile input into errors, not outages.

use std::time::Duration;

/// How a scan behaves. `Config::default()` has the defaults the CLI documents.
#[derive(Debug, Clone)]
pub struct Config {
    /// Deepest nesting of containers and attachments (a top-level file is depth 0).
    pub max_depth: usize,
    /// Most bytes an archive may expand to, in absolute terms.
    pub max_archive_bytes: u64,
    /// Most an archive may expand relative to its own size (zip-bomb guard). Archives
    /// under 64 MiB of output are never stopped by the ratio.
    pub max_ratio: u64,
    /// Largest archive member or attachment held in memory.
    pub max_member_bytes: u64,
    /// Segments longer than this are cut at white space (no quadratic work on 1 GB lines).
    pub max_segment: usize,
    /// Time budget for decoding one document.
    pub blob_timeout: Duration,
    /// Region for national phone numbers when neither a country column nor the sender's
    /// ccTLD says otherwise.
    pub default_region: phonenumber::country::Id,
    /// Worker threads (0 = one per core).
    pub threads: usize,
    /// Time budget for one PDF or workbook in its decode worker, after which the worker
    /// is abandoned (killed, for a worker process).
    pub parser_timeout: Duration,
    /// Where PDF and workbook parsers run (see [`crate::isolate`]).
    pub isolation: crate::isolate::Isolation,
    /// How many of the most sensitive documents and files the report lists.
    pub top: usize,
    /// Whether the report counts distinct values per kind (its `unique` counts of
    /// e-mails, phones, …; documents and messages are counted either way). An ingest
    /// turns it off: the index counts distinct values itself, and the scanner's sets had
    /// 3% of an ingest's profile samples (user time 19.72 → 19.38 s without them on the
    /// 1 GB corpus).
    pub count_unique: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_depth: 5,
            max_archive_bytes: 8 << 30,
            max_ratio: 100,
            max_member_bytes: 512 << 20,
            max_segment: 64 << 10,
            blob_timeout: Duration::from_secs(120),
            default_region: phonenumber::country::Id::US,
            threads: 0,
            parser_timeout: Duration::from_secs(30),
            isolation: crate::isolate::Isolation::default(),
            top: 10,
            count_unique: true,
        }
    }
}

impl Config {
    /// The expansion limit for a container of `compressed` bytes.
    pub fn expansion_limit(&self, compressed: u64) -> u64 {
        let by_ratio = compressed.saturating_mul(self.max_ratio).max(64 << 20);
        by_ratio.min(self.max_archive_bytes)
    }
}
