//! The ground truth: the schema of `DIR.truth.json`, and the [`Sub`] tally every
//! document is built through, so that the truth is recorded while writing, never by
//! reading back.
//!
//! A [`Sub`] is the truth of one blob *and its subtree* (attachments, archive members),
//! with paths relative to the blob. Writing a blob at a path absorbs its `Sub` into the
//! corpus total; writing the same bytes again at another path absorbs the same `Sub`
//! again, which is exactly the duplicate rule of `docs/counting.md`.

use crate::Error;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashSet};
use std::path::Path;

/// A raw and a unique count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    /// Every occurrence, every copy counted.
    pub raw: u64,
    /// Distinct values.
    pub unique: u64,
}

/// The counts of every kind, defined in `docs/counting.md`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Documents (blobs that are neither containers nor empty).
    pub documents: Count,
    /// E-mail messages; unique by Message-ID.
    pub messages: Count,
    /// E-mail addresses.
    pub emails: Count,
    /// Registrable domains of the addresses.
    pub domains: Count,
    /// Phone numbers (E.164).
    pub phones: Count,
    /// Payment cards.
    pub cards: Count,
    /// IBANs.
    pub ibans: Count,
    /// Secrets.
    pub secrets: Count,
    /// Person names.
    pub persons: Count,
    /// Organisation names.
    pub organizations: Count,
}

/// One legal entity of an organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Branch {
    /// As written, with its legal form: `Contoso GmbH`.
    pub name: String,
    /// Registrable domain: `contoso.de`.
    pub domain: String,
    /// ISO-2 country code.
    pub country: String,
}

/// An organisation that occurs in the corpus, with all its branches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organization {
    /// Normalised name (see [`crate::normalize_org`]): `contoso`.
    pub name: String,
    /// Its legal entities.
    pub branches: Vec<Branch>,
}

/// Planted values that must *not* be counted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decoys {
    /// Address-looking strings: Message-IDs, Content-IDs, `logo@2x.png`, `user@localhost`…
    pub emails: Vec<String>,
    /// Phone-looking strings libphonenumber rejects.
    pub phones: Vec<String>,
    /// Luhn-invalid 16-digit numbers.
    pub cards: Vec<String>,
    /// IBANs with wrong check digits (compact).
    pub ibans: Vec<String>,
}

/// One blob of the corpus, at its logical path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// Logical path relative to the corpus directory, levels joined with `!`.
    pub path: String,
    /// BLAKE3 of the blob's bytes, hex.
    pub blake3: String,
    /// `eml`, `mbox`, `sql`, `csv`, `json`, `ndjson`, `text`, `html`, `zip`, `tar.gz`,
    /// `gz`, `png`, `env`, `empty`, `docx`, `pptx`, `xlsx`, `xlsb`, `ods`, `pdf` or `msg`.
    pub kind: String,
    /// Size in bytes.
    pub size: u64,
    /// For documents: the type it was written as (`invoice`, `customer_list`, …, as
    /// `leakdex_core::DocType` spells them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_type: Option<String>,
}

/// The ground truth of a generated corpus, as written to `DIR.truth.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Truth {
    /// `leakdex-corpus <version>`.
    pub generator: String,
    /// The seed the corpus was generated from.
    pub seed: u64,
    /// Number of customer organisations asked for.
    pub orgs: usize,
    /// The size asked for, in MB, if any.
    pub size_mb: Option<u64>,
    /// Raw and unique counts per kind.
    pub counts: Counts,
    /// Number of empty blobs, every copy counted.
    pub empty: u64,
    /// Number of unreadable blobs (the generator makes none).
    pub unreadable: u64,
    /// Unique e-mail addresses, lower-cased, sorted.
    pub emails: Vec<String>,
    /// Unique registrable domains, sorted.
    pub domains: Vec<String>,
    /// Unique phones, E.164, sorted.
    pub phones: Vec<String>,
    /// Unique card numbers, clear digits, sorted.
    pub cards: Vec<String>,
    /// Unique IBANs, compact upper-case, sorted.
    pub ibans: Vec<String>,
    /// Unique secrets as `rule:value` (`aws_access_key:AKIA…`, `password:S3cr3t!`,
    /// `private_key:<first 256 characters of the base64 key material>`), sorted.
    pub secrets: Vec<String>,
    /// Unique person names, normalised, sorted.
    pub persons: Vec<String>,
    /// Organisations that occur, by normalised name, with their branches.
    pub organizations: Vec<Organization>,
    /// Values planted to be ignored.
    pub decoys: Decoys,
    /// Every blob (documents, containers, empty files), in writing order.
    pub files: Vec<FileEntry>,
}

impl Truth {
    /// Reads a truth file.
    pub fn load(path: &Path) -> Result<Truth, Error> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        serde_json::from_slice(&bytes).map_err(Error::Json)
    }
}

/// What sort of blob a [`Node`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Eml,
    Mbox,
    Sql,
    Csv,
    Json,
    Ndjson,
    Text,
    Html,
    Zip,
    TarGz,
    Gz,
    Png,
    Env,
    Empty,
    Docx,
    Pptx,
    Xlsx,
    Xlsb,
    Ods,
    Pdf,
    Msg,
}

impl Kind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::Eml => "eml",
            Kind::Mbox => "mbox",
            Kind::Sql => "sql",
            Kind::Csv => "csv",
            Kind::Json => "json",
            Kind::Ndjson => "ndjson",
            Kind::Text => "text",
            Kind::Html => "html",
            Kind::Zip => "zip",
            Kind::TarGz => "tar.gz",
            Kind::Gz => "gz",
            Kind::Png => "png",
            Kind::Env => "env",
            Kind::Empty => "empty",
            Kind::Docx => "docx",
            Kind::Pptx => "pptx",
            Kind::Xlsx => "xlsx",
            Kind::Xlsb => "xlsb",
            Kind::Ods => "ods",
            Kind::Pdf => "pdf",
            Kind::Msg => "msg",
        }
    }

    /// The document type a blob of this kind has unless labelled otherwise.
    fn default_doc_type(self) -> &'static str {
        match self {
            Kind::Eml | Kind::Msg => "email",
            Kind::Sql => "database_backup",
            _ => "other",
        }
    }

    fn is_container(self) -> bool {
        matches!(self, Kind::Mbox | Kind::Zip | Kind::TarGz | Kind::Gz)
    }
}

/// Raw occurrence counters.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Raw {
    pub documents: u64,
    pub messages: u64,
    pub emails: u64,
    pub domains: u64,
    pub phones: u64,
    pub cards: u64,
    pub ibans: u64,
    pub secrets: u64,
    pub persons: u64,
    pub organizations: u64,
    pub empty: u64,
}

impl std::ops::AddAssign<&Raw> for Raw {
    fn add_assign(&mut self, o: &Raw) {
        self.documents += o.documents;
        self.messages += o.messages;
        self.emails += o.emails;
        self.domains += o.domains;
        self.phones += o.phones;
        self.cards += o.cards;
        self.ibans += o.ibans;
        self.secrets += o.secrets;
        self.persons += o.persons;
        self.organizations += o.organizations;
        self.empty += o.empty;
    }
}

/// Unique values seen.
#[derive(Debug, Clone, Default)]
pub(crate) struct Vals {
    pub emails: HashSet<String>,
    pub domains: HashSet<String>,
    pub phones: HashSet<String>,
    pub cards: HashSet<String>,
    pub ibans: HashSet<String>,
    pub secrets: HashSet<String>,
    pub persons: HashSet<String>,
    pub orgs: HashSet<String>,
    pub decoy_emails: HashSet<String>,
    pub decoy_phones: HashSet<String>,
    pub decoy_cards: HashSet<String>,
    pub decoy_ibans: HashSet<String>,
}

fn put(set: &mut HashSet<String>, v: &str) {
    if !set.contains(v) {
        set.insert(v.to_owned());
    }
}

fn merge(into: &mut HashSet<String>, from: &HashSet<String>) {
    for v in from {
        put(into, v);
    }
}

impl Vals {
    fn merge(&mut self, o: &Vals) {
        merge(&mut self.emails, &o.emails);
        merge(&mut self.domains, &o.domains);
        merge(&mut self.phones, &o.phones);
        merge(&mut self.cards, &o.cards);
        merge(&mut self.ibans, &o.ibans);
        merge(&mut self.secrets, &o.secrets);
        merge(&mut self.persons, &o.persons);
        merge(&mut self.orgs, &o.orgs);
        merge(&mut self.decoy_emails, &o.decoy_emails);
        merge(&mut self.decoy_phones, &o.decoy_phones);
        merge(&mut self.decoy_cards, &o.decoy_cards);
        merge(&mut self.decoy_ibans, &o.decoy_ibans);
    }
}

/// A blob of a subtree, path relative to the subtree's root (`""` = the root).
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub rel: String,
    pub hash: String,
    pub kind: Kind,
    pub size: u64,
    /// The document type (documents only).
    pub doc_type: Option<&'static str>,
}

/// The truth of one blob and everything inside it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sub {
    pub raw: Raw,
    pub vals: Vals,
    pub nodes: Vec<Node>,
    pub message_ids: Vec<String>,
    /// The document type the root blob is written as, if not its kind's default.
    pub label: Option<&'static str>,
}

/// BLAKE3 of bytes, hex.
pub(crate) fn hash_hex(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

impl Sub {
    /// One e-mail occurrence (and so one domain occurrence).
    pub fn email(&mut self, written: &str, domain: &str) {
        self.raw.emails += 1;
        self.raw.domains += 1;
        put(&mut self.vals.emails, &written.to_ascii_lowercase());
        put(&mut self.vals.domains, domain);
    }
    /// [`Sub::email`] with the address already lower-cased.
    pub fn email_key(&mut self, lower: &str, domain: &str) {
        self.raw.emails += 1;
        self.raw.domains += 1;
        put(&mut self.vals.emails, lower);
        put(&mut self.vals.domains, domain);
    }
    /// [`Sub::person`] with the name already normalised.
    pub fn person_key(&mut self, key: &str) {
        self.raw.persons += 1;
        put(&mut self.vals.persons, key);
    }
    /// [`Sub::org`] with the name already normalised.
    pub fn org_key(&mut self, key: &str) {
        self.raw.organizations += 1;
        put(&mut self.vals.orgs, key);
    }
    /// One phone occurrence.
    pub fn phone(&mut self, e164: &str) {
        self.raw.phones += 1;
        put(&mut self.vals.phones, e164);
    }
    /// One card occurrence, by its clear digits.
    pub fn card(&mut self, digits: &str) {
        self.raw.cards += 1;
        put(&mut self.vals.cards, digits);
    }
    /// One IBAN occurrence, compact.
    pub fn iban(&mut self, compact: &str) {
        self.raw.ibans += 1;
        put(&mut self.vals.ibans, compact);
    }
    /// One secret occurrence, `rule:value`.
    pub fn secret(&mut self, rule: &str, value: &str) {
        self.raw.secrets += 1;
        put(&mut self.vals.secrets, &format!("{rule}:{value}"));
    }
    /// One person occurrence (a display name or a name cell).
    pub fn person(&mut self, name: &str) {
        debug_assert!(name.split_whitespace().count() >= 2, "{name}");
        self.raw.persons += 1;
        put(
            &mut self.vals.persons,
            &leakdex_core::normalize_person(name),
        );
    }
    /// One organisation occurrence.
    pub fn org(&mut self, name: &str) {
        self.raw.organizations += 1;
        put(&mut self.vals.orgs, &crate::normalize_org(name));
    }
    /// A planted address-looking decoy.
    pub fn decoy_email(&mut self, v: &str) {
        put(&mut self.vals.decoy_emails, v);
    }
    /// A planted phone-looking decoy.
    pub fn decoy_phone(&mut self, v: &str) {
        put(&mut self.vals.decoy_phones, v);
    }
    /// A planted card-looking decoy.
    pub fn decoy_card(&mut self, v: &str) {
        put(&mut self.vals.decoy_cards, v);
    }
    /// A planted IBAN-looking decoy.
    pub fn decoy_iban(&mut self, v: &str) {
        put(&mut self.vals.decoy_ibans, v);
    }
    /// This sub's root is a message with this Message-ID.
    pub fn message(&mut self, id: &str) {
        self.raw.messages += 1;
        self.message_ids.push(id.to_owned());
    }

    /// Labels the root blob (before sealing) with the document type it is written as.
    pub fn doc_type(&mut self, t: &'static str) -> &mut Self {
        self.label = Some(t);
        self
    }

    /// Declares the root blob, once its bytes are known: a document, a container or an
    /// empty blob, by `kind` and size.
    pub fn seal_hashed(&mut self, kind: Kind, hash: String, size: u64) {
        let kind = if size == 0 { Kind::Empty } else { kind };
        if kind == Kind::Empty {
            self.raw.empty += 1;
        } else if !kind.is_container() {
            self.raw.documents += 1;
        }
        let doc_type = (kind != Kind::Empty && !kind.is_container())
            .then(|| self.label.take().unwrap_or(kind.default_doc_type()));
        self.nodes.insert(
            0,
            Node {
                rel: String::new(),
                hash,
                kind,
                size,
                doc_type,
            },
        );
    }

    /// [`Sub::seal_hashed`] from the bytes.
    pub fn seal(&mut self, kind: Kind, bytes: &[u8]) {
        self.seal_hashed(kind, hash_hex(bytes), bytes.len() as u64);
    }

    /// Adds `child` (a sealed sub) as the member or attachment `name` of this blob.
    pub fn nest(&mut self, name: &str, child: &Sub) {
        self.raw += &child.raw;
        self.vals.merge(&child.vals);
        self.message_ids.extend(child.message_ids.iter().cloned());
        for n in &child.nodes {
            let rel = if n.rel.is_empty() {
                name.to_owned()
            } else {
                format!("{name}!{}", n.rel)
            };
            self.nodes.push(Node { rel, ..n.clone() });
        }
    }
}

/// The running total of a corpus being written.
#[derive(Debug, Default)]
pub(crate) struct Total {
    pub raw: Raw,
    pub vals: Vals,
    pub files: Vec<FileEntry>,
    pub doc_hashes: HashSet<String>,
    pub message_ids: HashSet<String>,
}

impl Total {
    /// Adds a sealed subtree written at `path`.
    pub fn absorb(&mut self, path: &str, sub: &Sub) {
        self.raw += &sub.raw;
        self.vals.merge(&sub.vals);
        for id in &sub.message_ids {
            put(&mut self.message_ids, id);
        }
        for n in &sub.nodes {
            if n.kind != Kind::Empty && !n.kind.is_container() {
                put(&mut self.doc_hashes, &n.hash);
            }
            self.files.push(FileEntry {
                path: if n.rel.is_empty() {
                    path.to_owned()
                } else {
                    format!("{path}!{}", n.rel)
                },
                blake3: n.hash.clone(),
                kind: n.kind.as_str().to_owned(),
                size: n.size,
                doc_type: n.doc_type.map(str::to_owned),
            });
        }
    }

    /// The truth, with organisations described by `orgs` (normalised name → branches).
    pub fn into_truth(
        self,
        seed: u64,
        orgs: usize,
        size_mb: Option<u64>,
        branches: &[(String, Vec<Branch>)],
    ) -> Truth {
        fn sorted(s: &HashSet<String>) -> Vec<String> {
            s.iter()
                .cloned()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect()
        }
        let v = &self.vals;
        let c = |raw: u64, set: &HashSet<String>| Count {
            raw,
            unique: set.len() as u64,
        };
        let r = &self.raw;
        let counts = Counts {
            documents: c(r.documents, &self.doc_hashes),
            messages: c(r.messages, &self.message_ids),
            emails: c(r.emails, &v.emails),
            domains: c(r.domains, &v.domains),
            phones: c(r.phones, &v.phones),
            cards: c(r.cards, &v.cards),
            ibans: c(r.ibans, &v.ibans),
            secrets: c(r.secrets, &v.secrets),
            persons: c(r.persons, &v.persons),
            organizations: c(r.organizations, &v.orgs),
        };
        let mut organizations: Vec<Organization> = branches
            .iter()
            .filter(|(n, _)| v.orgs.contains(n))
            .map(|(n, b)| Organization {
                name: n.clone(),
                branches: b.clone(),
            })
            .collect();
        organizations.sort_by(|a, b| a.name.cmp(&b.name));
        Truth {
            generator: format!("leakdex-corpus {}", env!("CARGO_PKG_VERSION")),
            seed,
            orgs,
            size_mb,
            counts,
            empty: r.empty,
            unreadable: 0,
            emails: sorted(&v.emails),
            domains: sorted(&v.domains),
            phones: sorted(&v.phones),
            cards: sorted(&v.cards),
            ibans: sorted(&v.ibans),
            secrets: sorted(&v.secrets),
            persons: sorted(&v.persons),
            organizations,
            decoys: Decoys {
                emails: sorted(&v.decoy_emails),
                phones: sorted(&v.decoy_phones),
                cards: sorted(&v.decoy_cards),
                ibans: sorted(&v.decoy_ibans),
            },
            files: self.files,
        }
    }
}
