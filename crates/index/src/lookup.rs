//! The lookups behind the search service: k-anonymity ranges, an account's breaches, a
//! verified domain's addresses.

use crate::breach::u;
use crate::{Breach, Error, Index};
use leakdex_core::{DataClass, DocType, Kind, KINDS};
use serde::Serialize;
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet, HashMap};

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
    /// Types of the documents it occurs in (`email`, `csv`, …).
    pub document_types: Vec<String>,
}

/// A blob's hash and document type.
type Blob = (Vec<u8>, String);

impl Index {
    /// The accounts whose SHA-1 (upper-case hex) starts with `prefix` (6 hex characters),
    /// each with the breaches an account search may show (neither sensitive nor retired):
    /// `(hash suffix, breach names)`, ordered by suffix.
    pub async fn range(&self, prefix: &str) -> Result<Vec<(String, Vec<String>)>, Error> {
        let prefix = prefix.to_ascii_uppercase();
        if prefix.len() != 6 || !prefix.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::Invalid("a range is 6 hexadecimal characters".into()));
        }
        // A half-open interval on the indexed column, portable to both back ends.
        let rows = sqlx::query(
            "SELECT a.sha1, b.name FROM account a \
             JOIN account_breach ab ON ab.email = a.email JOIN breach b ON b.id = ab.breach_id \
             WHERE a.sha1 >= $1 AND a.sha1 < $2 AND b.is_sensitive = 0 AND b.is_retired = 0 \
             ORDER BY a.sha1, b.name",
        )
        .bind(&prefix)
        .bind(format!("{prefix}G"))
        .fetch_all(&self.pool)
        .await?;
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        for r in rows {
            let sha1: String = r.try_get(0)?;
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
        // One statement (the route every client calls): the breaches' catalogue fields
        // straight from the join, without their counts.
        static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
            let columns = crate::breach::COLUMNS
                .split(',')
                .map(|c| format!("b.{0} AS {0}", c.trim()))
                .collect::<Vec<_>>()
                .join(", ");
            format!(
                "SELECT {columns} FROM account_breach ab JOIN breach b ON b.id = ab.breach_id \
                 WHERE ab.email = $1 AND b.is_retired = 0 AND (b.is_sensitive = 0 OR $2 = 1) \
                 ORDER BY b.name"
            )
        });
        let rows = sqlx::query(SQL.as_str())
            .bind(email.trim().to_lowercase())
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
        let rows = sqlx::query(
            "SELECT a.email, b.name FROM account a \
             JOIN account_breach ab ON ab.email = a.email JOIN breach b ON b.id = ab.breach_id \
             WHERE a.domain = $1 AND b.is_retired = 0 ORDER BY a.email, b.name",
        )
        .bind(domain)
        .fetch_all(&self.pool)
        .await?;
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for r in rows {
            let email: String = r.try_get(0)?;
            let name: String = r.try_get(1)?;
            out.entry(alias(&email, domain)).or_default().push(name);
        }
        Ok(out)
    }

    /// For a verified owner: the addresses at `domain` per breach (retired ones left
    /// out), with occurrences, and the data classes and document types of the documents
    /// each occurs in.
    pub async fn domain_addresses(&self, domain: &str) -> Result<Vec<AddressRow>, Error> {
        let rows = sqlx::query(
            "SELECT a.email, b.id, b.name, ab.occurrences FROM account a \
             JOIN account_breach ab ON ab.email = a.email JOIN breach b ON b.id = ab.breach_id \
             WHERE a.domain = $1 AND b.is_retired = 0 ORDER BY a.email, b.name",
        )
        .bind(domain)
        .fetch_all(&self.pool)
        .await?;
        // The blobs each address occurs in, per breach that reaches them.
        let blobs = sqlx::query(ADDRESS_BLOBS)
            .bind(domain)
            .fetch_all(&self.pool)
            .await?;
        // (address, breach) → the blobs (hash, document type) it occurs in.
        let mut per: HashMap<(String, i64), Vec<Blob>> = HashMap::new();
        let mut hashes: BTreeSet<Vec<u8>> = BTreeSet::new();
        for r in blobs {
            let hash: Vec<u8> = r.try_get(2)?;
            hashes.insert(hash.clone());
            per.entry((r.try_get(0)?, r.try_get(1)?))
                .or_default()
                .push((hash, r.try_get(3)?));
        }
        // Which kinds each of those blobs holds.
        let mut kinds: HashMap<Vec<u8>, Vec<Kind>> = HashMap::new();
        for h in hashes {
            let rows = sqlx::query("SELECT DISTINCT kind FROM node_value WHERE hash = $1")
                .bind(h.clone())
                .fetch_all(&self.pool)
                .await?;
            let mut ks = Vec::new();
            for r in rows {
                let k: String = r.try_get(0)?;
                if let Some(kind) = KINDS.iter().find(|x| x.as_str() == k) {
                    ks.push(*kind);
                }
            }
            kinds.insert(h, ks);
        }
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let email: String = r.try_get(0)?;
            let breach_id: i64 = r.try_get(1)?;
            let mut classes = BTreeSet::from([DataClass::EmailAddresses.as_str().to_string()]);
            let mut types = BTreeSet::new();
            for (h, ty) in per.get(&(email.clone(), breach_id)).into_iter().flatten() {
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
                types.insert(ty.clone());
                for k in kinds.get(h).into_iter().flatten() {
                    if let Some(c) = k.data_class() {
                        classes.insert(c.as_str().to_string());
                    }
                }
            }
            out.push(AddressRow {
                email,
                breach: r.try_get(2)?,
                occurrences: u(r.try_get(3)?),
                data_classes: classes.into_iter().collect(),
                document_types: types.into_iter().collect(),
            });
        }
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
            out.entry(r.try_get(0)?).or_default().insert(
                r.try_get(1)?,
                crate::Count {
                    unique: u(r.try_get(2)?),
                    raw: u(r.try_get(3)?),
                },
            );
        }
        Ok(out)
    }
}

// Addresses are found in blobs through the partial index `node_value_email` (migration
// 0007). The kind is the literal 'email', not a bound parameter: PostgreSQL's generic plan
// of a prepared statement cannot use a partial index whose condition is a parameter (SQLite
// re-plans with the bound value). A test checks SQLite's plan.

/// The blobs each address at domain `$1` occurs in, with the breaches reaching them.
const ADDRESS_BLOBS: &str = "SELECT v.key, r.breach_id, n.hash, n.doc_type FROM account a \
     JOIN node_value v ON v.kind = 'email' AND v.key = a.email \
     JOIN reach r ON r.hash = v.hash JOIN node n ON n.hash = v.hash \
     WHERE a.domain = $1";

/// Per breach and document type, the documents holding addresses at domain `$1`.
const DOMAIN_DOCUMENT_TYPES: &str =
    "SELECT b.name, n.doc_type, CAST(COUNT(*) AS BIGINT), CAST(SUM(r.mult) AS BIGINT) \
     FROM (SELECT DISTINCT v.hash FROM account a \
           JOIN node_value v ON v.kind = 'email' AND v.key = a.email WHERE a.domain = $1) h \
     JOIN reach r ON r.hash = h.hash JOIN node n ON n.hash = h.hash \
     JOIN breach b ON b.id = r.breach_id \
     WHERE n.is_document = 1 GROUP BY b.name, n.doc_type";

/// The key of an address in a domain search: its local part, with the subdomain when the
/// address is on one of `domain` (`jane@mail` for `jane@mail.contoso.de`).
fn alias(email: &str, domain: &str) -> String {
    match email.rsplit_once('@') {
        Some((local, host)) if host == domain => local.to_string(),
        Some((local, host)) => match host.strip_suffix(domain).and_then(|s| s.strip_suffix('.')) {
            Some(sub) => format!("{local}@{sub}"),
            None => email.to_string(),
        },
        None => email.to_string(),
    }
}

#[cfg(test)]
mod tests {
    /// SQLite's plan of `sql` (one line per step).
    async fn plan(index: &crate::Index, sql: &str) -> String {
        use sqlx::Row;
        let rows = sqlx::query(&format!("EXPLAIN QUERY PLAN {sql}"))
            .bind("contoso.de")
            .fetch_all(&index.pool)
            .await
            .expect("explain");
        rows.iter()
            .map(|r| r.try_get::<String, _>(3).expect("detail"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn address_lookups_use_the_partial_email_index() {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}", dir.path().join("i.db").display());
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let index = crate::Index::open(&url).await.expect("open");
            for sql in [super::ADDRESS_BLOBS, super::DOMAIN_DOCUMENT_TYPES] {
                let p = plan(&index, sql).await;
                assert!(p.contains("node_value_email"), "{p}");
            }
            index.close().await;
        });
    }

    #[test]
    fn aliases() {
        assert_eq!(super::alias("jane@contoso.de", "contoso.de"), "jane");
        assert_eq!(
            super::alias("jane@mail.contoso.de", "contoso.de"),
            "jane@mail"
        );
        assert_eq!(super::alias("jane@other.de", "contoso.de"), "jane@other.de");
    }
}
