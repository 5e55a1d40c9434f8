//! Looking an address or a domain up in the index.

use crate::breach::u;
use crate::{Error, Index};
use serde::Serialize;
use sqlx::Row;
use std::collections::BTreeMap;

/// A breach an e-mail address is in.
#[derive(Debug, Clone, Serialize)]
pub struct EmailHit {
    /// Breach name.
    pub breach: String,
    /// Breach title.
    pub title: String,
    /// How often the address occurs in it (raw).
    pub occurrences: u64,
    /// The breach's data classes.
    pub data_classes: Vec<String>,
    /// Whether the breach is sensitive (public searches hide it).
    pub is_sensitive: bool,
    /// Whether the breach is retired (searches hide it).
    pub is_retired: bool,
}

/// A breach naming a domain, with counts only (never addresses).
#[derive(Debug, Clone, Serialize)]
pub struct DomainHit {
    /// Breach name.
    pub breach: String,
    /// Breach title.
    pub title: String,
    /// Unique addresses at the domain.
    pub accounts: u64,
    /// Raw occurrences of those addresses.
    pub occurrences: u64,
    /// Unique documents naming the domain.
    pub documents: u64,
    /// Unique messages naming the domain.
    pub messages: u64,
    /// Raw occurrences per kind in the documents naming the domain (`phones`, …).
    pub kinds: BTreeMap<String, u64>,
    /// Data classes of those documents.
    pub data_classes: Vec<String>,
    /// Whether the breach is sensitive.
    pub is_sensitive: bool,
    /// Whether the breach is retired.
    pub is_retired: bool,
}

/// An organisation group in a breach: its branch domains with their counts.
#[derive(Debug, Clone, Serialize)]
pub struct OrgHit {
    /// The organisation key (normalised name).
    pub organization: String,
    /// Breach name.
    pub breach: String,
    /// Whether the breach is sensitive.
    pub is_sensitive: bool,
    /// Unique addresses over all branches.
    pub accounts: u64,
    /// Raw occurrences over all branches.
    pub occurrences: u64,
    /// The branches: one registrable domain each, with its own counts.
    pub branches: Vec<DomainCount>,
}

fn classes(json: &str) -> Vec<String> {
    serde_json::from_str(json).unwrap_or_default()
}

impl Index {
    /// The breaches an address (normalised: lower-cased) is in.
    pub async fn search_email(&self, email: &str) -> Result<Vec<EmailHit>, Error> {
        let rows = sqlx::query(SEARCH_EMAIL.as_str())
            .bind(crate::account::sha1(&email.trim().to_lowercase()))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(EmailHit {
                    breach: r.try_get(0)?,
                    title: r.try_get(1)?,
                    occurrences: u(r.try_get(2)?),
                    data_classes: classes(&r.try_get::<String, _>(3)?),
                    is_sensitive: r.try_get::<i64, _>(4)? != 0,
                    is_retired: r.try_get::<i64, _>(5)? != 0,
                })
            })
            .collect()
    }

    /// Organisation groups whose key contains the normalised `name`, per breach, with
    /// their branch domains (counts only, never addresses).
    pub async fn search_org(&self, name: &str) -> Result<Vec<OrgHit>, Error> {
        // Keys come from ASCII domain labels: fold the query's diacritics the same way.
        let key = leakdex_core::normalize_org(&leakdex_core::fold_diacritics(name));
        if key.is_empty() {
            return Ok(Vec::new());
        }
        // Any part of the name, through a trigram index (FTS5 on SQLite, pg_trgm on
        // PostgreSQL): so at least one trigram.
        let key = key.replace(['%', '_', '"'], "");
        if key.chars().count() < 3 {
            return Err(Error::Invalid(
                "give at least 3 letters of the organisation's name".into(),
            ));
        }
        let rows = sqlx::query(&search_org_sql(self.backend))
            .bind(format!("%{key}%"))
            .fetch_all(&self.pool)
            .await?;
        let mut hits: Vec<OrgHit> = Vec::new();
        for r in &rows {
            let org: String = r.try_get(0)?;
            let breach: String = r.try_get(1)?;
            let branch = DomainCount {
                domain: r.try_get(3)?,
                accounts: u(r.try_get(4)?),
                occurrences: u(r.try_get(5)?),
                documents: u(r.try_get(6)?),
                messages: u(r.try_get(7)?),
            };
            match hits.last_mut() {
                Some(h) if h.organization == org && h.breach == breach => {
                    h.accounts += branch.accounts;
                    h.occurrences += branch.occurrences;
                    h.branches.push(branch);
                }
                _ => hits.push(OrgHit {
                    organization: org,
                    breach,
                    is_sensitive: r.try_get::<i64, _>(2)? != 0,
                    accounts: branch.accounts,
                    occurrences: branch.occurrences,
                    branches: vec![branch],
                }),
            }
        }
        Ok(hits)
    }

    /// Per breach, the counts of a registrable domain.
    pub async fn search_domain(&self, domain: &str) -> Result<Vec<DomainHit>, Error> {
        let domain = domain.trim().to_lowercase();
        let domain = leakdex_core::registrable_domain(&domain).unwrap_or(domain);
        let rows = sqlx::query(SEARCH_DOMAIN)
            .bind(&domain)
            .fetch_all(&self.pool)
            .await?;
        let mut hits = Vec::with_capacity(rows.len());
        for r in rows {
            let kinds = r.try_get::<Option<Vec<u8>>, _>(0)?.unwrap_or_default();
            let kinds = crate::packed::unpack_rows::<2>(&kinds)?;
            let mut per_kind = BTreeMap::new();
            let mut data_classes = Vec::new();
            let messages = u(r.try_get(6)?);
            if messages > 0 {
                data_classes.push(leakdex_core::DataClass::EmailMessages.as_str().to_string());
            }
            // The addresses at the domain themselves.
            data_classes.push(leakdex_core::DataClass::EmailAddresses.as_str().to_string());
            for [k, n] in kinds {
                if let Some(kind) = usize::try_from(k)
                    .ok()
                    .and_then(|k| leakdex_core::KINDS.get(k))
                {
                    per_kind.insert(kind.plural().to_string(), n);
                    if let Some(c) = kind.data_class() {
                        data_classes.push(c.as_str().to_string());
                    }
                }
            }
            data_classes.sort();
            data_classes.dedup();
            hits.push(DomainHit {
                breach: r.try_get(1)?,
                title: r.try_get(2)?,
                accounts: u(r.try_get(3)?),
                occurrences: u(r.try_get(4)?),
                documents: u(r.try_get(5)?),
                messages,
                kinds: per_kind,
                data_classes,
                is_sensitive: r.try_get::<i64, _>(7)? != 0,
                is_retired: r.try_get::<i64, _>(8)? != 0,
            });
        }
        Ok(hits)
    }
}

/// A domain's counts in one breach.
#[derive(Debug, Clone, Serialize)]
pub struct DomainCount {
    /// Registrable domain.
    pub domain: String,
    /// Unique addresses.
    pub accounts: u64,
    /// Raw occurrences.
    pub occurrences: u64,
    /// Unique documents naming it.
    pub documents: u64,
    /// Unique messages naming it.
    pub messages: u64,
}

impl Index {
    /// How many domains a breach names, and into how many organisation groups they fall.
    pub async fn org_groups(&self, breach_id: i64) -> Result<(u64, u64), Error> {
        let row = sqlx::query(
            "SELECT CAST(COUNT(*) AS BIGINT), CAST(COUNT(DISTINCT org_key) AS BIGINT) \
             FROM org_branch WHERE breach_id = $1",
        )
        .bind(breach_id)
        .fetch_one(&self.pool)
        .await?;
        Ok((u(row.try_get(0)?), u(row.try_get(1)?)))
    }

    /// The `limit` domains of a breach with the most accounts.
    pub async fn top_domains(&self, breach_id: i64, limit: i64) -> Result<Vec<DomainCount>, Error> {
        let rows = sqlx::query(
            "SELECT dn.name, d.accounts, d.occurrences, d.documents, d.messages \
             FROM domain_breach d JOIN domain_name dn ON dn.id = d.domain_id \
             WHERE d.breach_id = $1 \
             ORDER BY d.accounts DESC, d.occurrences DESC, dn.name LIMIT $2",
        )
        .bind(breach_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DomainCount {
                    domain: r.try_get(0)?,
                    accounts: u(r.try_get(1)?),
                    occurrences: u(r.try_get(2)?),
                    documents: u(r.try_get(3)?),
                    messages: u(r.try_get(4)?),
                })
            })
            .collect()
    }
}

impl Index {
    /// How many of a breach's domains fall under each country: the two-letter top-level
    /// label upper-cased (`contoso.co.uk` → `UK`), `generic` for the others; most first.
    /// Grouped in the database: a breach can name hundreds of thousands of domains.
    pub async fn domains_by_country(&self, breach_id: i64) -> Result<Vec<(String, u64)>, Error> {
        let rows = sqlx::query(
            "SELECT c, CAST(COUNT(*) AS BIGINT) AS n FROM ( \
                SELECT CASE WHEN substr(name, length(name) - 2, 1) = '.' \
                            THEN upper(substr(name, length(name) - 1)) ELSE 'generic' END AS c \
                FROM domain_breach d JOIN domain_name ON domain_name.id = d.domain_id \
                WHERE d.breach_id = $1) x \
             GROUP BY c ORDER BY n DESC, c",
        )
        .bind(breach_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, u(r.try_get(1)?))))
            .collect()
    }
}

/// An account's breaches, by the SHA-1 of its address.
pub(crate) static SEARCH_EMAIL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "SELECT b.name, b.title, ab.occurrences, b.data_classes, b.is_sensitive, b.is_retired \
         FROM account a JOIN account_breach ab ON ab.account_id = a.id \
         JOIN breach b ON b.id = ab.breach_id WHERE {} ORDER BY b.name",
        crate::account::sha1_is("a", "$1")
    )
});

/// A domain's counts per breach, its kinds packed.
pub(crate) const SEARCH_DOMAIN: &str =
    "SELECT d.kinds, b.name, b.title, d.accounts, d.occurrences, d.documents, d.messages, \
                    b.is_sensitive, b.is_retired \
             FROM domain_breach d JOIN breach b ON b.id = d.breach_id \
             WHERE d.domain_id = (SELECT id FROM domain_name WHERE name = $1) ORDER BY b.name";

/// The organisation groups whose key is `LIKE` `$1` (`%part%`: served by the FTS5 trigram
/// index `org_search` on SQLite, by pg_trgm on PostgreSQL), with their branch domains'
/// counts.
pub(crate) fn search_org_sql(backend: crate::db::Backend) -> String {
    let filter = match backend {
        crate::db::Backend::Sqlite => {
            "o.org_key IN (SELECT org_key FROM org_search WHERE org_key LIKE $1)"
        }
        crate::db::Backend::Postgres => "o.org_key LIKE $1",
    };
    format!(
        "SELECT o.org_key, b.name, b.is_sensitive, dn.name, d.accounts, d.occurrences, \
                d.documents, d.messages \
         FROM org_branch o JOIN breach b ON b.id = o.breach_id \
         JOIN domain_breach d ON d.domain_id = o.domain_id AND d.breach_id = o.breach_id \
         JOIN domain_name dn ON dn.id = o.domain_id \
         WHERE o.breach_id IN (SELECT id FROM breach) AND {filter} AND b.is_retired = 0 \
         ORDER BY o.org_key, b.name, dn.name"
    )
}
