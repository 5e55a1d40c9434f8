//! Deriving a breach's counts from the blob graph, in one transaction (delete and
//! recompute: running it twice changes nothing).
//!
//! `reach` is the number of paths from the breach's top-level occurrences to each blob
//! (the product of edge multiplicities along a path, summed over paths): a blob reached
//! k ways counts k times, which is the duplicate rule of docs/counting.md.

use crate::breach::u;
use crate::{Alerts, Error, Index};
use leakdex_core::{DataClass, Kind, KINDS};
use sqlx::Row;

const DERIVED: [&str; 5] = [
    "reach",
    "org_branch",
    "account_breach",
    "domain_breach",
    "breach_count",
];

/// Path counts from the top-level occurrences. The other counts are `derive_values`',
/// in Rust, in one pass over the reached blobs.
const REACH: &str = "WITH RECURSIVE paths (hash, mult) AS ( \
        SELECT hash, COUNT(*) FROM occurrence WHERE breach_id = $1 GROUP BY hash \
        UNION ALL \
        SELECT e.child, p.mult * e.n FROM paths p JOIN edge e ON e.parent = p.hash) \
     INSERT INTO reach (breach_id, hash, mult) \
     SELECT $1, hash, CAST(SUM(mult) AS BIGINT) FROM paths GROUP BY hash";

/// The organisation key of a registrable domain: its name label, normalised like an
/// organisation name (`northwind-systems.de` → `northwind systems`, `contoso.co.uk` →
/// `contoso`), so branches under other ccTLDs group together and match the normalised
/// company names found in documents.
pub fn org_key_of_domain(domain: &str) -> String {
    leakdex_core::normalize_org(domain.split('.').next().unwrap_or(domain))
}

/// The names of the domains a breach names (`$1`), from its per-domain rows.
const BREACH_DOMAINS: &str = "SELECT dn.name FROM domain_breach d \
     JOIN domain_name dn ON dn.id = d.domain_id WHERE d.breach_id = $1";

/// Keeps SQLite's trigram index of organisation keys (`org_search`) equal to the distinct
/// keys of `org_branch`. PostgreSQL indexes `org_branch` itself.
pub(crate) async fn sync_org_search(
    backend: crate::db::Backend,
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
) -> Result<(), Error> {
    if backend != crate::db::Backend::Sqlite {
        return Ok(());
    }
    for sql in [
        "DELETE FROM org_search WHERE org_key NOT IN (SELECT org_key FROM org_branch)",
        "INSERT INTO org_search (org_key) SELECT DISTINCT org_key FROM org_branch \
         WHERE org_key NOT IN (SELECT org_key FROM org_search)",
    ] {
        sqlx::query(sql).execute(&mut **tx).await?;
    }
    Ok(())
}

/// What [`lock_breach`] read of the breach row it locked.
pub(crate) struct BreachState {
    /// Whether its counts reflect every loaded blob.
    pub(crate) materialized: bool,
    /// Whether it was sealed.
    pub(crate) sealed: bool,
}

/// Locks a breach's row for the rest of `tx` (`None`: no such breach). Several `ingest`
/// processes may load one breach at once and each recomputes it when it ends; the lock
/// makes recomputations (and sealing) take turns, so the last one sees every committed
/// blob. On SQLite the first statement writes, so the transaction takes the write lock at
/// once (waiting on busy_timeout) instead of failing with SQLITE_BUSY_SNAPSHOT when a
/// read snapshot taken first turns stale under another process's commit.
pub(crate) async fn lock_breach(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    backend: crate::db::Backend,
    id: i64,
) -> Result<Option<BreachState>, Error> {
    let lock = match backend {
        crate::db::Backend::Postgres => {
            "SELECT materialized, sealed FROM breach WHERE id = $1 FOR UPDATE"
        }
        crate::db::Backend::Sqlite => {
            "UPDATE breach SET materialized = materialized WHERE id = $1 \
             RETURNING materialized, sealed"
        }
    };
    let row: Option<(i64, i64)> = sqlx::query_as(lock)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.map(|(m, s)| BreachState {
        materialized: m == 1,
        sealed: s == 1,
    }))
}

impl Index {
    /// Recomputes every derived table of a breach, its PwnCount and DataClasses, and — in
    /// the same transaction — writes the alerts it newly owes subscribed domains
    /// (queued, or held for `leakdex notify release`). Returns how many were written.
    pub async fn materialize(&self, breach_id: i64, alerts: Alerts) -> Result<u64, Error> {
        let mut tx = self.pool.begin().await?;
        let Some(state) = lock_breach(&mut tx, self.backend, breach_id).await? else {
            return Ok(0);
        };
        // A sealed breach has no graph left to derive from: its counts are final.
        if state.sealed {
            return Ok(0);
        }
        let before = counts(&mut tx, breach_id).await?;
        // The domains the breach named before this run: only newly named ones are owed an
        // alert (a subscription never back-fills a breach loaded before it).
        let named_before: std::collections::HashSet<String> = sqlx::query_scalar(BREACH_DOMAINS)
            .bind(breach_id)
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .collect();
        for table in DERIVED {
            sqlx::query(&format!("DELETE FROM {table} WHERE breach_id = $1"))
                .bind(breach_id)
                .execute(&mut *tx)
                .await?;
        }
        let started = std::time::Instant::now();
        sqlx::query(REACH).bind(breach_id).execute(&mut *tx).await?;
        tracing::debug!(ms = started.elapsed().as_millis() as u64, "paths counted");
        let started = std::time::Instant::now();
        crate::derive::derive_values(&mut tx, self.backend, breach_id).await?;
        tracing::debug!(ms = started.elapsed().as_millis() as u64, "values derived");
        // Organisation groups: domains grouped by their normalised name label.
        let domains: Vec<(String, i64)> = sqlx::query_as(
            "SELECT dn.name, d.domain_id FROM domain_breach d \
             JOIN domain_name dn ON dn.id = d.domain_id WHERE d.breach_id = $1",
        )
        .bind(breach_id)
        .fetch_all(&mut *tx)
        .await?;
        // One JSON array per 20,000 rows: a statement per domain took ~10 s for the
        // 307,000 domains of the 1 M-account index.
        let rows: Vec<Vec<crate::bulk::Cell>> = domains
            .into_iter()
            .filter_map(|(domain, id)| {
                let key = org_key_of_domain(&domain);
                (!key.is_empty()).then(|| {
                    vec![
                        crate::bulk::Cell::S(key),
                        crate::bulk::Cell::I(id),
                        crate::bulk::Cell::I(breach_id),
                    ]
                })
            })
            .collect();
        crate::bulk::insert_rows(
            &mut tx,
            self.backend,
            "org_branch",
            &[
                ("org_key", crate::bulk::Col::Text),
                ("domain_id", crate::bulk::Col::Int),
                ("breach_id", crate::bulk::Col::Int),
            ],
            rows,
        )
        .await?;
        sync_org_search(self.backend, &mut tx).await?;
        // Kinds get the report's names; kinds with no value get explicit zeros.
        for kind in KINDS {
            sqlx::query("UPDATE breach_count SET what = $1 WHERE breach_id = $2 AND what = $3")
                .bind(kind.plural())
                .bind(breach_id)
                .bind(format!("kind:{}", kind.as_str()))
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO breach_count (breach_id, what, raw, uniq) VALUES ($1, $2, 0, 0) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(breach_id)
            .bind(kind.plural())
            .execute(&mut *tx)
            .await?;
        }
        let after = counts(&mut tx, breach_id).await?;
        let mut classes: Vec<&str> = Vec::new();
        for (what, raw, _) in &after {
            let what = what.as_str();
            if *raw == 0 {
                continue;
            }
            if what == "messages" {
                classes.push(DataClass::EmailMessages.as_str());
            }
            if let Some((t, signed)) = what
                .strip_prefix("type:")
                .and_then(leakdex_core::DocType::from_label)
            {
                classes.extend(t.data_classes(signed).iter().map(|c| c.as_str()));
            }
            if let Some(c) = KINDS
                .iter()
                .find(|k| k.plural() == what)
                .and_then(|k| Kind::data_class(*k))
            {
                classes.push(c.as_str());
            }
        }
        classes.sort_unstable();
        classes.dedup();
        let classes = serde_json::to_string(&classes).unwrap_or_else(|_| "[]".into());
        sqlx::query(
            "UPDATE breach SET pwn_count = (SELECT COUNT(*) FROM account_breach WHERE breach_id = $1), \
             data_classes = $2, materialized = 1 WHERE id = $1",
        )
        .bind(breach_id)
        .bind(classes)
        .execute(&mut *tx)
        .await?;
        // ModifiedDate moves only when the data did: a re-run that adds nothing leaves
        // the breach exactly as it was.
        if before != after {
            sqlx::query("UPDATE breach SET modified_date = $1 WHERE id = $2")
                .bind(crate::now_rfc3339())
                .bind(breach_id)
                .execute(&mut *tx)
                .await?;
        }
        let named_now: std::collections::HashSet<String> = sqlx::query_scalar(BREACH_DOMAINS)
            .bind(breach_id)
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .filter(|d| !named_before.contains(d))
            .collect();
        let queued =
            crate::outbox::enqueue(&mut tx, &self.key, breach_id, alerts, Some(&named_now)).await?;
        tx.commit().await?;
        Ok(queued)
    }
}

async fn counts(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    breach_id: i64,
) -> Result<Vec<(String, u64, u64)>, Error> {
    let rows =
        sqlx::query("SELECT what, raw, uniq FROM breach_count WHERE breach_id = $1 ORDER BY what")
            .bind(breach_id)
            .fetch_all(&mut **tx)
            .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, u(r.try_get(1)?), u(r.try_get(2)?))))
        .collect()
}
