//! What a scan reports: raw and unique counts per kind (as `docs/counting.md` defines
//! them), the data classes found, and the blobs that could not be read, with reasons.

use leakdex_core::{Count, DocType, Kind, Sensitivity};
use serde::Serialize;
use std::collections::BTreeMap;

/// Raw and unique counts of everything a scan counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Counts {
    /// Documents (blobs that are not containers, empty or unreadable).
    pub documents: Count,
    /// E-mail messages; unique by Message-ID.
    pub messages: Count,
    /// E-mail addresses.
    pub emails: Count,
    /// Registrable domains of e-mail addresses.
    pub domains: Count,
    /// Organisation names (normalised; branches share a name).
    pub organizations: Count,
    /// Person names.
    pub persons: Count,
    /// Phone numbers (E.164).
    pub phones: Count,
    /// Payment cards.
    pub cards: Count,
    /// IBANs.
    pub ibans: Count,
    /// Credentials.
    pub secrets: Count,
}

impl Counts {
    /// The count of one kind of finding.
    pub fn kind(&self, kind: Kind) -> Count {
        match kind {
            Kind::Email => self.emails,
            Kind::Domain => self.domains,
            Kind::Organization => self.organizations,
            Kind::Person => self.persons,
            Kind::Phone => self.phones,
            Kind::Card => self.cards,
            Kind::Iban => self.ibans,
            Kind::Secret => self.secrets,
        }
    }

    pub(crate) fn kind_mut(&mut self, kind: Kind) -> &mut Count {
        match kind {
            Kind::Email => &mut self.emails,
            Kind::Domain => &mut self.domains,
            Kind::Organization => &mut self.organizations,
            Kind::Person => &mut self.persons,
            Kind::Phone => &mut self.phones,
            Kind::Card => &mut self.cards,
            Kind::Iban => &mut self.ibans,
            Kind::Secret => &mut self.secrets,
        }
    }
}

/// A blob that could not be decoded, and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
pub struct Unreadable {
    /// Its logical path.
    pub path: String,
    /// Why.
    pub reason: String,
}

/// The result of a scan.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct Report {
    /// Top-level files scanned.
    pub files: u64,
    /// Bytes of those files.
    pub bytes: u64,
    /// Raw and unique counts.
    pub counts: Counts,
    /// Empty blobs (not documents).
    pub empty: u64,
    /// Documents per type (`invoice`, `customer_list`, …): every copy (raw) and distinct
    /// documents (unique).
    #[serde(default)]
    pub document_types: BTreeMap<String, Count>,
    /// Data classes established by the findings and the document types (HIBP's names,
    /// ours where HIBP has none).
    pub data_classes: Vec<String>,
    /// How sensitive the whole scan is: its most sensitive document's score and reasons.
    #[serde(default)]
    pub sensitivity: Sensitivity,
    /// The most sensitive documents, most sensitive first (`--top N`).
    #[serde(default)]
    pub top_documents: Vec<DocumentRecord>,
    /// The most sensitive top-level files, most sensitive first (`--top N`).
    #[serde(default)]
    pub top_sources: Vec<SourceRecord>,
    /// Blobs that could not be read.
    pub unreadable: Vec<Unreadable>,
    /// Wall-clock time of the scan.
    pub elapsed_ms: u64,
}

/// One finding as written to `--findings FILE.jsonl`.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct FindingRecord {
    /// `email`, `phone`, `card`, …
    pub kind: Kind,
    /// Normalised value; cards, IBANs and secrets masked.
    pub value: String,
    /// BLAKE3 of the document it was found in.
    pub document: String,
    /// Logical path of that document.
    pub path: String,
    /// Header, column or key path.
    pub context: String,
}

/// One document as written to `--documents FILE.jsonl` and listed by `--top`.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct DocumentRecord {
    /// BLAKE3 of the document.
    pub document: String,
    /// Its logical path.
    pub path: String,
    /// Its format as sniffed (`pdf`, `docx`, `email`, …).
    pub format: String,
    /// What it is.
    pub doc_type: DocType,
    /// For contracts: whether signed.
    pub signed: bool,
    /// The classifier's confidence, 0.0–1.0.
    pub confidence: f32,
    /// Why it has that type.
    pub type_reasons: Vec<String>,
    /// Data classes it holds (findings and type).
    pub data_classes: Vec<String>,
    /// How sensitive it is.
    pub sensitivity: Sensitivity,
}

/// A top-level file's sensitivity: that of its most sensitive document.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct SourceRecord {
    /// The file's path.
    pub path: String,
    /// Documents decoded in it (duplicates of earlier ones excluded).
    pub documents: u64,
    /// Its most sensitive document's score and reasons.
    pub sensitivity: Sensitivity,
}
