//! The leakdex scanner: read a pile of exposed files and find what is sensitive in it.
//!
//! The pipeline is `Source → Blob → Decoder → Segment → Detectors → Finding` (see
//! `docs/ARCHITECTURE.md`):
//!
//! - [`source`] walks files and directories and expands containers (zip, tar, gz, mbox)
//!   into blobs with logical paths (`bundle.zip!mail/42.eml`);
//! - [`sniff`] decides a blob's type from its bytes (and only then its name);
//! - [`decode`] turns a document into text segments that carry their context (header,
//!   column, key path);
//! - [`detect`] holds one pure function per kind of finding;
//! - [`scanner`] runs it all on every core, deduplicates blobs by content hash, and
//!   counts raw and unique values as `docs/counting.md` defines them;
//! - [`report`] is what comes out.
//!
//! ```no_run
//! use leakdex_scan::{Config, Scanner};
//! let report = Scanner::new(Config::default()).run(&["exposed/".into()], None).unwrap();
//! println!("{} unique e-mail addresses", report.counts.emails.unique);
//! ```
#![deny(missing_docs)]

pub mod classify;
pub mod decode;
pub mod detect;
pub mod isolate;
pub mod observe;
pub mod report;
pub mod scanner;
pub mod sniff;
pub mod source;

mod config;
mod distinct;
mod error;
mod segment;

pub use config::Config;
pub use error::{Error, ErrorKind};
pub use report::{Counts, DocumentRecord, FindingRecord, Report, SourceRecord, Unreadable};
pub use scanner::{in_decoder, DocumentSink, Progress, Scanner};
pub use segment::{FieldClass, Place, SegCtx};

/// A phone-number region (ISO 3166 alpha-2), e.g. for [`Config::default_region`].
pub use phonenumber::country::Id as RegionId;
