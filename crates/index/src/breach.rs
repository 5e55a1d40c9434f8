//! The breach catalogue: HIBP v3 Breach fields plus leakdex's raw and unique counts.

use crate::{Error, Index};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::BTreeMap;

/// A raw and a unique count (docs/counting.md).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Count {
    /// Every occurrence in every copy.
    pub raw: u64,
    /// Distinct values (documents by content hash, messages by Message-ID).
    pub unique: u64,
}

/// A breach as HIBP v3 describes one (field names as in its JSON), with our counts.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Breach {
    /// Internal id.
    #[serde(skip)]
    pub id: i64,
    /// Stable name, used in URLs.
    pub name: String,
    /// Title for people.
    pub title: String,
    /// The domain of the breached service or organisation, if any.
    pub domain: String,
    /// When it happened, `YYYY-MM-DD`.
    pub breach_date: String,
    /// When it was first loaded.
    pub added_date: String,
    /// Last change of its data or description.
    pub modified_date: String,
    /// Unique e-mail addresses.
    pub pwn_count: u64,
    /// Description (HTML as in HIBP).
    pub description: String,
    /// Logo URL.
    pub logo_path: String,
    /// HIBP data classes present.
    pub data_classes: Vec<String>,
    /// HIBP IsVerified.
    pub is_verified: bool,
    /// HIBP IsFabricated.
    pub is_fabricated: bool,
    /// HIBP IsSensitive: never returned by public account searches.
    pub is_sensitive: bool,
    /// HIBP IsRetired: never returned by account searches.
    pub is_retired: bool,
    /// HIBP IsSpamList.
    pub is_spam_list: bool,
    /// HIBP IsMalware.
    pub is_malware: bool,
    /// HIBP IsSubscriptionFree.
    pub is_subscription_free: bool,
    /// HIBP IsStealerLog.
    pub is_stealer_log: bool,
    /// leakdex: what the breach was loaded from (`files`).
    pub source_kind: String,
    /// leakdex: whether the counts reflect every loaded blob (false while an ingest is
    /// unfinished or was interrupted: re-run it).
    pub counts_complete: bool,
    /// leakdex: sealed with `leakdex breach seal` — its blob graph was dropped, its counts
    /// are final, further loads into it are refused.
    pub sealed: bool,
    /// leakdex: raw and unique counts — `documents`, `messages`, `empty`, `unreadable`
    /// and one per kind (`emails`, `domains`, …).
    pub counts: BTreeMap<String, Count>,
    /// leakdex: documents per type (`csv`, `email`, …), raw and unique.
    pub document_types: BTreeMap<String, Count>,
    /// leakdex: messages per month of their Date header (`2024-03`), raw and unique.
    pub messages_by_month: BTreeMap<String, Count>,
}

/// Catalogue fields given when a breach is created by an ingest.
#[derive(Debug, Clone, Default)]
pub struct NewBreach {
    /// Name (letters, digits, `-`, `_`, `.`).
    pub name: String,
    /// Title (default: the name).
    pub title: Option<String>,
    /// `YYYY-MM-DD` (default: today).
    pub breach_date: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Domain.
    pub domain: Option<String>,
}

/// Changes to a breach's catalogue entry; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
#[allow(missing_docs)]
pub struct BreachUpdate {
    pub title: Option<String>,
    pub domain: Option<String>,
    pub breach_date: Option<String>,
    pub description: Option<String>,
    pub logo_path: Option<String>,
    pub is_verified: Option<bool>,
    pub is_fabricated: Option<bool>,
    pub is_sensitive: Option<bool>,
    pub is_retired: Option<bool>,
    pub is_spam_list: Option<bool>,
    pub is_malware: Option<bool>,
    pub is_subscription_free: Option<bool>,
    pub is_stealer_log: Option<bool>,
}

/// Checks a breach name: 1–64 of `A-Z a-z 0-9 - _ .`, as it appears in URLs.
pub fn check_name(name: &str) -> Result<(), Error> {
    if name.is_empty()
        || name.len() > 64
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return Err(Error::Invalid(format!(
            "breach name {name:?}: use 1–64 letters, digits, '-', '_' or '.' (e.g. ContosoCrm2024)"
        )));
    }
    Ok(())
}

fn check_date(d: &str) -> Result<(), Error> {
    if crate::time::is_date(d) {
        Ok(())
    } else {
        Err(Error::Invalid(format!(
            "date {d:?}: use YYYY-MM-DD, e.g. 2024-03-01"
        )))
    }
}

pub(crate) const COLUMNS: &str =
    "id, name, title, domain, breach_date, added_date, modified_date, \
    pwn_count, description, logo_path, data_classes, is_verified, is_fabricated, \
    is_sensitive, is_retired, is_spam_list, is_malware, is_subscription_free, \
    is_stealer_log, source_kind, materialized, sealed";

fn flag(row: &AnyRow, col: &str) -> Result<bool, sqlx::Error> {
    Ok(row.try_get::<i64, _>(col)? != 0)
}

pub(crate) fn from_row(row: &AnyRow) -> Result<Breach, Error> {
    let classes: String = row.try_get("data_classes")?;
    Ok(Breach {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        title: row.try_get("title")?,
        domain: row.try_get("domain")?,
        breach_date: row.try_get("breach_date")?,
        added_date: row.try_get("added_date")?,
        modified_date: row.try_get("modified_date")?,
        pwn_count: u64::try_from(row.try_get::<i64, _>("pwn_count")?).unwrap_or(0),
        description: row.try_get("description")?,
        logo_path: row.try_get("logo_path")?,
        data_classes: serde_json::from_str(&classes).unwrap_or_default(),
        is_verified: flag(row, "is_verified")?,
        is_fabricated: flag(row, "is_fabricated")?,
        is_sensitive: flag(row, "is_sensitive")?,
        is_retired: flag(row, "is_retired")?,
        is_spam_list: flag(row, "is_spam_list")?,
        is_malware: flag(row, "is_malware")?,
        is_subscription_free: flag(row, "is_subscription_free")?,
        is_stealer_log: flag(row, "is_stealer_log")?,
        source_kind: row.try_get("source_kind")?,
        counts_complete: flag(row, "materialized")?,
        sealed: flag(row, "sealed")?,
        counts: BTreeMap::new(),
        document_types: BTreeMap::new(),
        messages_by_month: BTreeMap::new(),
    })
}

pub(crate) fn u(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

impl Index {
    /// Creates the breach if it does not exist (returning its id); for an existing one,
    /// applies the given title, date, description and domain.
    pub async fn ensure_breach(&self, new: &NewBreach) -> Result<i64, Error> {
        check_name(&new.name)?;
        if let Some(d) = &new.breach_date {
            check_date(d)?;
        }
        let now = crate::now_rfc3339();
        sqlx::query(
            "INSERT INTO breach (name, title, domain, breach_date, added_date, modified_date, description) \
             VALUES ($1, $2, $3, $4, $5, $5, $6) ON CONFLICT (name) DO NOTHING",
        )
        .bind(&new.name)
        .bind(new.title.clone().unwrap_or_else(|| new.name.clone()))
        .bind(new.domain.clone().unwrap_or_default())
        .bind(new.breach_date.clone().unwrap_or_else(crate::today))
        .bind(&now)
        .bind(new.description.clone().unwrap_or_default())
        .execute(&self.pool)
        .await?;
        let update = BreachUpdate {
            title: new.title.clone(),
            domain: new.domain.clone(),
            breach_date: new.breach_date.clone(),
            description: new.description.clone(),
            ..BreachUpdate::default()
        };
        self.update_breach(&new.name, &update).await?;
        self.breach_id(&new.name)
            .await?
            .ok_or_else(|| Error::NoBreach(new.name.clone()))
    }

    /// The id of the breach called `name`.
    pub async fn breach_id(&self, name: &str) -> Result<Option<i64>, Error> {
        let row = sqlx::query("SELECT id FROM breach WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => Some(r.try_get(0)?),
            None => None,
        })
    }

    /// Every breach, by name, without their detailed counts.
    pub async fn breaches(&self) -> Result<Vec<Breach>, Error> {
        let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM breach ORDER BY name"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// One breach with its counts.
    pub async fn breach(&self, name: &str) -> Result<Option<Breach>, Error> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM breach WHERE name = $1"))
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let mut b = from_row(&row)?;
        let rows = sqlx::query("SELECT what, raw, uniq FROM breach_count WHERE breach_id = $1")
            .bind(b.id)
            .fetch_all(&self.pool)
            .await?;
        for r in rows {
            let what: String = r.try_get(0)?;
            let c = Count {
                raw: u(r.try_get(1)?),
                unique: u(r.try_get(2)?),
            };
            if let Some(t) = what.strip_prefix("type:") {
                b.document_types.insert(t.to_string(), c);
            } else if let Some(m) = what.strip_prefix("month:") {
                b.messages_by_month.insert(m.to_string(), c);
            } else {
                b.counts.insert(what, c);
            }
        }
        Ok(Some(b))
    }

    /// Applies `update` to the breach called `name`.
    pub async fn update_breach(&self, name: &str, update: &BreachUpdate) -> Result<(), Error> {
        if let Some(d) = &update.breach_date {
            check_date(d)?;
        }
        let mut tx = self.pool.begin().await?;
        let exists = sqlx::query("SELECT id FROM breach WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(Error::NoBreach(name.to_string()));
        }
        let texts = [
            ("title", &update.title),
            ("domain", &update.domain),
            ("breach_date", &update.breach_date),
            ("description", &update.description),
            ("logo_path", &update.logo_path),
        ];
        let flags = [
            ("is_verified", update.is_verified),
            ("is_fabricated", update.is_fabricated),
            ("is_sensitive", update.is_sensitive),
            ("is_retired", update.is_retired),
            ("is_spam_list", update.is_spam_list),
            ("is_malware", update.is_malware),
            ("is_subscription_free", update.is_subscription_free),
            ("is_stealer_log", update.is_stealer_log),
        ];
        let mut changed = false;
        for (col, v) in texts {
            if let Some(v) = v {
                // Column names come from the fixed list above, never from input.
                let r = sqlx::query(&format!(
                    "UPDATE breach SET {col} = $1 WHERE name = $2 AND {col} <> $1"
                ))
                .bind(v)
                .bind(name)
                .execute(&mut *tx)
                .await?;
                changed |= r.rows_affected() > 0;
            }
        }
        let mut unretired = false;
        for (col, v) in flags {
            if let Some(v) = v {
                let r = sqlx::query(&format!(
                    "UPDATE breach SET {col} = $1 WHERE name = $2 AND {col} <> $1"
                ))
                .bind(i64::from(v))
                .bind(name)
                .execute(&mut *tx)
                .await?;
                changed |= r.rows_affected() > 0;
                unretired |= col == "is_retired" && !v && r.rows_affected() > 0;
            }
        }
        if changed {
            sqlx::query("UPDATE breach SET modified_date = $1 WHERE name = $2")
                .bind(crate::now_rfc3339())
                .bind(name)
                .execute(&mut *tx)
                .await?;
        }
        if unretired {
            // Out of retirement, the breach shows again to its domains: alerts it never
            // sent are written now (those it sent before are not sent again).
            let id: i64 = sqlx::query_scalar("SELECT id FROM breach WHERE name = $1")
                .bind(name)
                .fetch_one(&mut *tx)
                .await?;
            crate::outbox::enqueue(&mut tx, &self.key, id, crate::Alerts::Queue, None).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Seals a breach whose last load finished: drops its top-level checkpoints, its path
    /// counts and every blob, edge and value no other breach reaches, keeping its counts,
    /// accounts, domains and organisation groups as they are. Further loads into it are
    /// refused (without the graph a load could not tell what is already counted). Returns
    /// the number of blobs dropped, or `None` if there is no such breach. Like
    /// [`Index::delete_breach`], not while a load into another breach is unfinished.
    pub async fn seal_breach(&self, name: &str) -> Result<Option<u64>, Error> {
        let Some(id) = self.breach_id(name).await? else {
            return Ok(None);
        };
        let mut tx = self.pool.begin().await?;
        // The breach row first (the lock materialize takes), so no load of this breach
        // commits its recomputation in between.
        let complete = crate::materialize::lock_breach(&mut tx, self.backend, id)
            .await?
            .is_some_and(|b| b.materialized);
        if !complete {
            return Err(Error::Invalid(format!(
                "breach {name}: its last load did not finish; run that ingest again, then seal"
            )));
        }
        for table in ["occurrence", "reach"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE breach_id = $1"))
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        let dropped = collect_graph(&mut tx, self.backend).await?;
        sqlx::query("UPDATE breach SET sealed = 1 WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        // Give the freed pages back (they are zeroed already: secure_delete).
        if self.backend == crate::db::Backend::Sqlite {
            sqlx::query("VACUUM").execute(&self.pool).await?;
        }
        Ok(Some(dropped))
    }

    /// Deletes a breach, its derived tables, and every blob, value and account no other
    /// breach reaches. Returns false if there was no such breach. Do not run it while an
    /// ingest into another breach is unfinished: that ingest's blobs are not reached yet
    /// and would be collected (re-running the ingest repairs it).
    pub async fn delete_breach(&self, name: &str) -> Result<bool, Error> {
        let Some(id) = self.breach_id(name).await? else {
            return Ok(false);
        };
        let mut tx = self.pool.begin().await?;
        for table in [
            "occurrence",
            "reach",
            "org_branch",
            "account_breach",
            "domain_breach",
            "breach_count",
            "ingest_run",
            "notification",
        ] {
            sqlx::query(&format!("DELETE FROM {table} WHERE breach_id = $1"))
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("DELETE FROM breach WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        crate::materialize::sync_org_search(self.backend, &mut tx).await?;
        collect_graph(&mut tx, self.backend).await?;
        tx.commit().await?;
        Ok(true)
    }
}

/// Deletes the blobs and edges no breach reaches any more, then the values no remaining
/// blob holds and the accounts neither a breach nor a blob names. Returns how many blobs
/// it deleted.
async fn collect_graph(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    backend: crate::Backend,
) -> Result<u64, Error> {
    // `reach` has no index by hash (it was a tenth of an open breach's file), so each
    // statement is one pass: SQLite turns `NOT IN` into a transient index of the reached
    // hashes, PostgreSQL plans `NOT EXISTS` as an anti-join (sorted or hashed).
    let unreached = |table: &str, col: &str| match backend {
        crate::Backend::Sqlite => {
            format!("DELETE FROM {table} WHERE {col} NOT IN (SELECT hash FROM reach)")
        }
        crate::Backend::Postgres => format!(
            "DELETE FROM {table} WHERE NOT EXISTS \
             (SELECT 1 FROM reach r WHERE r.hash = {table}.{col})"
        ),
    };
    sqlx::query(&unreached("edge", "parent"))
        .execute(&mut **tx)
        .await?;
    let blobs = sqlx::query(&unreached("node", "hash"))
        .execute(&mut **tx)
        .await?
        .rows_affected();
    collect_values(tx, backend).await?;
    sqlx::query(&format!(
        "DELETE FROM account WHERE id IN (SELECT a.id FROM account a \
         LEFT JOIN domain_name dn ON dn.id = a.domain_id \
         WHERE NOT EXISTS (SELECT 1 FROM account_breach ab WHERE ab.account_id = a.id) \
         AND NOT EXISTS (SELECT 1 FROM value v WHERE v.kind = 'email' AND v.key = {}))",
        crate::account::ADDRESS_SQL
    ))
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "DELETE FROM domain_name WHERE NOT EXISTS \
         (SELECT 1 FROM account a WHERE a.domain_id = domain_name.id) \
         AND NOT EXISTS (SELECT 1 FROM domain_breach d WHERE d.domain_id = domain_name.id)",
    )
    .execute(&mut **tx)
    .await?;
    Ok(blobs)
}

/// Deletes the values no remaining blob holds (a deleted breach's addresses and keyed
/// hashes must not stay in the index). Reads every remaining blob's packed values: a
/// deletion costs a pass over the blob table.
async fn collect_values(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    backend: crate::Backend,
) -> Result<(), Error> {
    let mut live: Vec<(i64, u64)> = Vec::new();
    for r in sqlx::query("SELECT vals FROM node WHERE vals IS NOT NULL")
        .fetch_all(&mut **tx)
        .await?
    {
        let vals: Vec<u8> = r.try_get(0)?;
        crate::packed::unpack(&vals, &mut live)?;
    }
    let mut ids: Vec<i64> = live.into_iter().map(|p| p.0).collect();
    ids.sort_unstable();
    ids.dedup();
    sqlx::query("DROP TABLE IF EXISTS live_value")
        .execute(&mut **tx)
        .await?;
    sqlx::query("CREATE TEMP TABLE live_value (id BIGINT PRIMARY KEY)")
        .execute(&mut **tx)
        .await?;
    for chunk in ids.chunks(crate::ingest::ROWS) {
        let sql = format!(
            "INSERT INTO live_value (id) VALUES {}",
            crate::ingest::placeholders(backend, chunk.len(), 1)
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(*id);
        }
        q.execute(&mut **tx).await?;
    }
    // NOT EXISTS, not NOT IN: PostgreSQL hashes a NOT IN list only while it fits in
    // work_mem, and otherwise scans it once per value.
    if backend == crate::Backend::Postgres {
        sqlx::query("ANALYZE live_value").execute(&mut **tx).await?;
    }
    sqlx::query(
        "DELETE FROM value WHERE NOT EXISTS (SELECT 1 FROM live_value l WHERE l.id = value.id)",
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query("DROP TABLE live_value")
        .execute(&mut **tx)
        .await?;
    Ok(())
}
