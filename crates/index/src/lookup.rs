//! The lookups behind the search service: k-anonymity ranges, an account's breaches, a
//! verified domain's addresses.

use crate::breach::u;
use crate::{Breach, Error, Index};
use leakdex_core::{DataClass, DocType, DOC_LABELS, KINDS};
use serde::Serialize;
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};

/// One address of a verified domain in one breach.
#[derive(Debug, Clone, Serialize)]
pub struct AddressRow {
    /// The normalised address.
    pub email: String,
    /// Breach name.
    pub breach: String,
    /// Raw occurrences of the address in the breach.
    pub occurrences: u64,
    /// Data classes exposed with it: of the documents it occurs in.
    pub data_classes: Vec<String>,
    /// Types of the documents it occurs in (`email`, `invoice`, …).
    pub document_types: Vec<String>,
}

impl Index {
    /// The accounts whose SHA-1 (upper-case hex) starts with `prefix` (6 hex characters),
    /// each with the breaches an account search may show (neither sensitive nor retired):
    /// `(hash suffix, breach names)`, ordered by suffix.
    pub async fn range(&self, prefix: &str) -> Result<Vec<(String, Vec<String>)>, Error> {
        let prefix = prefix.to_ascii_uppercase();
        if prefix.len() != 6 || !prefix.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::Invalid("a range is 6 hexadecimal characters".into()));
        }
        // A half-open interval of the unique SHA-1 index, portable to both back ends.
        let (low, high) = crate::account::prefix_range(
            &crate::account::from_hex(&prefix)
                .ok_or_else(|| Error::Invalid("a range is 6 hexadecimal characters".into()))?,
        );
        let rows = sqlx::query(RANGE)
            .bind(low)
            .bind(high)
            .fetch_all(&self.pool)
            .await?;
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        for r in rows {
            let sha1 = crate::account::upper_hex(&r.try_get::<Vec<u8>, _>(0)?);
            let name: String = r.try_get(1)?;
            let suffix = sha1.get(6..).unwrap_or_default().to_string();
            match out.last_mut() {
                Some((s, names)) if *s == suffix => names.push(name),
                _ => out.push((suffix, vec![name])),
            }
        }
        Ok(out)
    }

    /// The breaches of an address, as full catalogue entries, by name. Sensitive
    /// breaches only when `include_sensitive`; retired ones never.
    pub async fn account_breaches(
        &self,
        email: &str,
        include_sensitive: bool,
    ) -> Result<Vec<Breach>, Error> {
        let rows = sqlx::query(ACCOUNT_BREACHES.as_str())
            .bind(crate::account::sha1(&email.trim().to_lowercase()))
            .bind(i64::from(include_sensitive))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(crate::breach::from_row).collect()
    }

    /// For a verified owner: each address at `domain` (a registrable domain) with the
    /// breaches it is in, sensitive ones included, retired ones not. Keys are the part
    /// before `@` — with the subdomain for addresses on one (`jane@mail`).
    pub async fn breached_domain(
        &self,
        domain: &str,
    ) -> Result<BTreeMap<String, Vec<String>>, Error> {
        let rows = sqlx::query(BREACHED_DOMAIN)
            .bind(domain)
            .fetch_all(&self.pool)
            .await?;
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for r in rows {
            let stem: String = r.try_get(0)?;
            let name: String = r.try_get(1)?;
            out.entry(crate::account::alias(&stem).to_string())
                .or_default()
                .push(name);
        }
        Ok(out)
    }

    /// For a verified owner: the addresses at `domain` per breach (retired ones left
    /// out), with occurrences, and the data classes and document types of the documents
    /// each occurs in.
    pub async fn domain_addresses(&self, domain: &str) -> Result<Vec<AddressRow>, Error> {
        // `kinds` and `doc_types` are what materialize derived from the blobs holding
        // each address (docs/counting.md).
        let rows = sqlx::query(DOMAIN_ADDRESSES)
            .bind(domain)
            .fetch_all(&self.pool)
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let mask: i64 = r.try_get(3)?;
            let types: i64 = r.try_get(4)?;
            let mut classes = BTreeSet::from([DataClass::EmailAddresses.as_str().to_string()]);
            let mut document_types = BTreeSet::new();
            let labels = DOC_LABELS.iter().enumerate();
            for ty in labels
                .filter(|(i, _)| types & (1 << i) != 0)
                .map(|(_, l)| *l)
            {
                if ty == "email" {
                    classes.insert(DataClass::EmailMessages.as_str().to_string());
                }
                if let Some((t, signed)) = DocType::from_label(ty) {
                    classes.extend(
                        t.data_classes(signed)
                            .iter()
                            .map(|c| c.as_str().to_string()),
                    );
                }
                document_types.insert(ty.to_string());
            }
            for (i, k) in KINDS.iter().enumerate() {
                if mask & (1 << i) != 0 {
                    if let Some(c) = k.data_class() {
                        classes.insert(c.as_str().to_string());
                    }
                }
            }
            out.push(AddressRow {
                email: crate::account::address(&r.try_get::<String, _>(0)?, domain),
                breach: r.try_get(1)?,
                occurrences: u(r.try_get(2)?),
                data_classes: classes.into_iter().collect(),
                document_types: document_types.into_iter().collect(),
            });
        }
        // In address order, here: the stems' order can differ where one stem begins another.
        out.sort_by(|a, b| (&a.email, &a.breach).cmp(&(&b.email, &b.breach)));
        Ok(out)
    }
}

impl Index {
    /// Per breach, the types of the documents holding addresses at `domain`: unique
    /// documents (by content) and raw copies.
    pub async fn domain_document_types(
        &self,
        domain: &str,
    ) -> Result<BTreeMap<String, BTreeMap<String, crate::Count>>, Error> {
        let rows = sqlx::query(DOMAIN_DOCUMENT_TYPES)
            .bind(domain)
            .fetch_all(&self.pool)
            .await?;
        let mut out: BTreeMap<String, BTreeMap<String, crate::Count>> = BTreeMap::new();
        for r in rows {
            let types = r.try_get::<Option<Vec<u8>>, _>(1)?.unwrap_or_default();
            let types = crate::packed::unpack_rows::<3>(&types)?;
            if types.is_empty() {
                continue;
            }
            let per_type = out.entry(r.try_get(0)?).or_default();
            for [label, unique, raw] in types {
                let Some(label) = usize::try_from(label).ok().and_then(|l| DOC_LABELS.get(l))
                else {
                    continue;
                };
                per_type.insert(label.to_string(), crate::Count { unique, raw });
            }
        }
        Ok(out)
    }
}

/// An account's breaches as full catalogue entries, by the SHA-1 of its address: one
/// statement (the route every client calls), the catalogue fields straight from the join.
pub(crate) static ACCOUNT_BREACHES: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let columns = crate::breach::COLUMNS
        .split(',')
        .map(|c| format!("b.{0} AS {0}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "SELECT {columns} FROM account a JOIN account_breach ab ON ab.account_id = a.id \
         JOIN breach b ON b.id = ab.breach_id \
         WHERE {} AND b.is_retired = 0 AND (b.is_sensitive = 0 OR $2 = 1) \
         ORDER BY b.name",
        crate::account::sha1_is("a", "$1")
    )
});

/// The accounts of a SHA-1 interval with their public breaches (`$1` ≤ hash < `$2`): the
/// interval of 4-byte prefixes is SQLite's to seek (migration 0011), the interval of
/// hashes PostgreSQL's (both hold the same accounts: `$1` is shorter than 4 bytes).
pub(crate) const RANGE: &str = "SELECT a.sha1, b.name FROM account a \
             JOIN account_breach ab ON ab.account_id = a.id JOIN breach b ON b.id = ab.breach_id \
             WHERE substr(a.sha1, 1, 4) >= $1 AND substr(a.sha1, 1, 4) < $2 \
             AND a.sha1 >= $1 AND a.sha1 < $2 AND b.is_sensitive = 0 AND b.is_retired = 0 \
             ORDER BY a.sha1, b.name";

/// The stems of a domain's accounts with their breaches (retired ones left out).
pub(crate) const BREACHED_DOMAIN: &str = "SELECT a.stem, b.name FROM account a \
             JOIN account_breach ab ON ab.account_id = a.id JOIN breach b ON b.id = ab.breach_id \
             WHERE a.domain_id = (SELECT id FROM domain_name WHERE name = $1) \
             AND b.is_retired = 0 ORDER BY a.stem, b.name";

/// A domain's accounts per breach with what materialize derived for them.
pub(crate) const DOMAIN_ADDRESSES: &str =
    "SELECT a.stem, b.name, ab.occurrences, ab.kinds, ab.doc_types FROM account a \
             JOIN account_breach ab ON ab.account_id = a.id JOIN breach b ON b.id = ab.breach_id \
             WHERE a.domain_id = (SELECT id FROM domain_name WHERE name = $1) \
             AND b.is_retired = 0";

/// Per breach, the packed document types of a domain.
pub(crate) const DOMAIN_DOCUMENT_TYPES: &str =
    "SELECT b.name, d.doc_types FROM domain_breach d JOIN breach b ON b.id = d.breach_id \
             WHERE d.domain_id = (SELECT id FROM domain_name WHERE name = $1)";
