//! Opening the index: URL → back end, pool, migrations, the per-index key.

use crate::keyed::Key;
use crate::Error;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor, Row};
use std::collections::BTreeMap;
use std::str::FromStr;

static SQLITE: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Which database holds the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// One SQLite file (WAL), the embedded default.
    Sqlite,
    /// A PostgreSQL database, for shared deployments.
    Postgres,
}

impl Backend {
    /// The back end a URL names.
    pub fn of(url: &str) -> Result<Backend, Error> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(Error::Url)
        }
    }
}

/// An open exposure index.
#[derive(Debug, Clone)]
pub struct Index {
    pub(crate) pool: AnyPool,
    pub(crate) backend: Backend,
    pub(crate) key: Key,
}

impl Index {
    /// Opens (creating if needed) the index at `url` and applies pending migrations.
    /// `sqlite://FILE` creates the file; `postgres://…` needs an existing database.
    pub async fn open(url: &str) -> Result<Index, Error> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of(url)?;
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode=rwc")
            }
            _ => url.to_string(),
        };
        // Statements are never logged: they could be long and carry nothing useful.
        let opts = AnyConnectOptions::from_str(&url)?.disable_statement_logging();
        let pool = match backend {
            // One writer at a time is SQLite's nature; one connection avoids SQLITE_BUSY.
            Backend::Sqlite => {
                AnyPoolOptions::new()
                    .max_connections(1)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            conn.execute("PRAGMA journal_mode = WAL").await?;
                            conn.execute("PRAGMA synchronous = NORMAL").await?;
                            conn.execute("PRAGMA foreign_keys = ON").await?;
                            // Deleted rows are zeroed, not left in free pages: a deleted
                            // breach's addresses must not stay readable in the file.
                            conn.execute("PRAGMA secure_delete = ON").await?;
                            conn.execute("PRAGMA busy_timeout = 30000").await?;
                            // Derived counts join millions of rows in random order: the
                            // default 2 MB page cache turned that into a read syscall per
                            // page (a 1 M-account materialize ran for over 20 minutes).
                            conn.execute("PRAGMA cache_size = -262144").await?;
                            conn.execute("PRAGMA mmap_size = 4294967296").await?;
                            conn.execute("PRAGMA temp_store = MEMORY").await?;
                            conn.execute("PRAGMA wal_autocheckpoint = 16384").await?;
                            Ok(())
                        })
                    })
                    .connect_with(opts)
                    .await?
            }
            Backend::Postgres => {
                let n = std::thread::available_parallelism().map_or(2, |n| n.get()) as u32;
                AnyPoolOptions::new()
                    .max_connections(n.clamp(2, 16))
                    .connect_with(opts)
                    .await?
            }
        };
        match backend {
            // sqlx takes no lock around SQLite migrations: two processes opening an index
            // that needs some both try them, and the later fails inside its own (rolled
            // back) transaction once the other's has committed. Trying again resumes after
            // what the other applied; each failure of this kind means one more migration
            // applied, so as many tries as there are migrations suffice.
            Backend::Sqlite => {
                let mut tries = SQLITE.iter().count() + 1;
                loop {
                    match SQLITE.run(&pool).await {
                        Ok(()) => break,
                        Err(e) if tries <= 1 => return Err(e.into()),
                        Err(_) => tries -= 1,
                    }
                }
            }
            // PostgreSQL migrations run under sqlx's advisory lock.
            Backend::Postgres => POSTGRES.run(&pool).await?,
        }
        let key = load_key(&pool).await?;
        let index = Index { pool, backend, key };
        index.upgrade().await?;
        Ok(index)
    }

    /// The back end in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes every connection. SQLite's WAL is folded back into the file first, here:
    /// the checkpoint SQLite runs when its last connection closes happens on sqlx's
    /// worker thread after `close` has returned, and a process exiting right away cut
    /// it off (a 1 GB-corpus ingest left a 67 MB WAL beside a 19 MB file).
    pub async fn close(self) {
        if self.backend == Backend::Sqlite {
            if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&self.pool)
                .await
            {
                tracing::debug!(error = %e, "WAL checkpoint at close");
            }
        }
        self.pool.close().await;
    }
}

/// Set while the breaches of an upgraded index still need re-deriving (a crash between
/// packing and re-deriving resumes at the next open).
const REDERIVE: &str = "rederive_0008";

/// Blobs packed per round of the upgrade (their rows in memory at once).
const UPGRADE_BLOBS: i64 = 5_000;

impl Index {
    /// Upgrades an index written by an earlier version. Before migration 0009: packs the
    /// per-domain kind and document-type rows into `domain_breach`
    /// ([`Index::pack_domain_counts`]). Before migration 0008: packs its per-row values
    /// (`node_value`) into `value` and `node.vals`, then re-derives every complete
    /// breach (the per-address kinds and document types are new). Packing is one
    /// transaction that also leaves a marker in `settings`; the marker goes when every
    /// breach is re-derived, so an interrupted upgrade finishes at the next open.
    async fn upgrade(&self) -> Result<(), Error> {
        let compacted = self.pack_domain_counts().await?;
        let old: Option<i64> = sqlx::query_scalar("SELECT 1 FROM node_value LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        if old.is_some() {
            self.pack_old_values().await?;
        }
        let pending: Option<i64> = sqlx::query_scalar("SELECT 1 FROM settings WHERE name = $1")
            .bind(REDERIVE)
            .fetch_optional(&self.pool)
            .await?;
        if pending.is_none() {
            // Migration 0009 rebuilt the account tables: give their old pages back.
            if compacted && self.backend == Backend::Sqlite {
                sqlx::query("VACUUM").execute(&self.pool).await?;
            }
            return Ok(());
        }
        let unfinished: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM breach WHERE materialized = 0")
                .fetch_one(&self.pool)
                .await?;
        if unfinished > 0 {
            tracing::info!(
                breaches = unfinished,
                "breaches whose last load did not finish get their per-address data classes at their next ingest"
            );
        }
        let done: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM breach WHERE materialized = 1 AND sealed = 0")
                .fetch_all(&self.pool)
                .await?;
        for id in done {
            self.materialize(id, crate::Alerts::Hold).await?;
        }
        sqlx::query("DELETE FROM settings WHERE name = $1")
            .bind(REDERIVE)
            .execute(&self.pool)
            .await?;
        // The rows' pages are free now (and zeroed: secure_delete); give them back.
        if self.backend == Backend::Sqlite {
            sqlx::query("VACUUM").execute(&self.pool).await?;
        }
        Ok(())
    }

    /// Packs the rows of `domain_kind` and `domain_doc_type` (indexes before migration
    /// 0009) into `domain_breach.kinds` and `.doc_types`, then drops both tables, in one
    /// transaction, 20,000 domains a round. Returns whether the tables were there (a new
    /// index has them, empty, from the migrations before 0009, and they are dropped all
    /// the same). Sealed breaches keep these counts only here: they are converted, never
    /// re-derived. Two processes opening an old index at once take turns (a lock first,
    /// then the check again): the second finds the tables gone.
    async fn pack_domain_counts(&self) -> Result<bool, Error> {
        let exists = match self.backend {
            Backend::Sqlite => {
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'domain_kind'"
            }
            Backend::Postgres => {
                "SELECT COUNT(*) FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_name = 'domain_kind'"
            }
        };
        let n: i64 = sqlx::query_scalar(exists).fetch_one(&self.pool).await?;
        if n == 0 {
            return Ok(false);
        }
        let mut tx = self.pool.begin().await?;
        sqlx::query(match self.backend {
            Backend::Postgres => "SELECT pg_advisory_xact_lock(9009)",
            Backend::Sqlite => "UPDATE settings SET value = value WHERE name = 'value_key'",
        })
        .execute(&mut *tx)
        .await?;
        let n: i64 = sqlx::query_scalar(exists).fetch_one(&mut *tx).await?;
        if n == 0 {
            tx.commit().await?;
            return Ok(false);
        }
        // A new index has both tables too (the migrations before 0009 create them), empty:
        // they are dropped without a word.
        let mut announced = false;
        let hex = |i: usize| crate::bulk::unhex(self.backend, &format!("j.value ->> {i}"));
        let update = format!(
            "UPDATE domain_breach SET kinds = {}, doc_types = {} FROM {} j \
             WHERE domain_breach.domain_id = (SELECT id FROM domain_name WHERE name = j.value ->> 0) \
             AND domain_breach.breach_id = CAST(j.value ->> 1 AS BIGINT)",
            hex(2),
            hex(3),
            crate::bulk::json_rows(self.backend, false, "$1")
        );
        let other = leakdex_core::label_position("other").unwrap_or(0);
        let mut after = String::new();
        loop {
            let domains: Vec<String> = sqlx::query_scalar(
                "SELECT domain FROM domain_kind WHERE domain > $1 \
                 UNION SELECT domain FROM domain_doc_type WHERE domain > $1 \
                 ORDER BY 1 LIMIT $2",
            )
            .bind(&after)
            .bind(crate::bulk::JSON_ROWS as i64)
            .fetch_all(&mut *tx)
            .await?;
            let (Some(first), Some(last)) = (domains.first(), domains.last()) else {
                break;
            };
            if !announced {
                tracing::info!(
                    "packing the per-domain counts of an index written by an earlier version (once)"
                );
                announced = true;
            }
            type Packed = (Vec<[u64; 2]>, Vec<[u64; 3]>);
            let mut per_domain: BTreeMap<(String, i64), Packed> = BTreeMap::new();
            for r in sqlx::query(
                "SELECT domain, breach_id, kind, occurrences FROM domain_kind \
                 WHERE domain >= $1 AND domain <= $2",
            )
            .bind(first)
            .bind(last)
            .fetch_all(&mut *tx)
            .await?
            {
                let Some(kind) = crate::kind_of(&r.try_get::<String, _>(2)?) else {
                    continue;
                };
                let n: i64 = r.try_get(3)?;
                per_domain
                    .entry((r.try_get(0)?, r.try_get(1)?))
                    .or_default()
                    .0
                    .push([crate::kind_index(kind) as u64, crate::breach::u(n)]);
            }
            for r in sqlx::query(
                "SELECT domain, breach_id, doc_type, uniq, raw FROM domain_doc_type \
                 WHERE domain >= $1 AND domain <= $2",
            )
            .bind(first)
            .bind(last)
            .fetch_all(&mut *tx)
            .await?
            {
                let label =
                    leakdex_core::label_position(&r.try_get::<String, _>(2)?).unwrap_or(other);
                let (uniq, raw): (i64, i64) = (r.try_get(3)?, r.try_get(4)?);
                per_domain
                    .entry((r.try_get(0)?, r.try_get(1)?))
                    .or_default()
                    .1
                    .push([label as u64, crate::breach::u(uniq), crate::breach::u(raw)]);
            }
            let rows: Vec<serde_json::Value> = per_domain
                .into_iter()
                .map(|((domain, breach), (mut kinds, mut types))| {
                    serde_json::json!([
                        domain,
                        breach,
                        crate::account::upper_hex(&crate::packed::pack_rows(&mut kinds)),
                        crate::account::upper_hex(&crate::packed::pack_rows(&mut types)),
                    ])
                })
                .collect();
            let json = serde_json::to_string(&rows)
                .map_err(|e| crate::bulk::json_error("packed domain counts as JSON", &e))?;
            sqlx::query(&update).bind(json).execute(&mut *tx).await?;
            after = last.clone();
        }
        for sql in [
            "DROP TABLE IF EXISTS domain_kind",
            "DROP TABLE IF EXISTS domain_doc_type",
        ] {
            sqlx::query(sql).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Packs `node_value` into `value` and `node.vals`, a few thousand blobs at a time, in
    /// one transaction that empties `node_value` and sets the re-derive marker.
    async fn pack_old_values(&self) -> Result<(), Error> {
        tracing::info!("packing the values of an index written by an earlier version (once)");
        let mut tx = self.pool.begin().await?;
        // Domains were never needed per blob (materialize derives them from addresses).
        sqlx::query(
            "INSERT INTO value (kind, key) SELECT DISTINCT kind, key FROM node_value \
             WHERE kind <> 'domain' ON CONFLICT (kind, key) DO NOTHING",
        )
        .execute(&mut *tx)
        .await?;
        let mut after: Vec<u8> = Vec::new();
        loop {
            let hashes: Vec<Vec<u8>> = sqlx::query_scalar(
                "SELECT DISTINCT hash FROM node_value WHERE hash > $1 ORDER BY hash LIMIT $2",
            )
            .bind(after.clone())
            .bind(UPGRADE_BLOBS)
            .fetch_all(&mut *tx)
            .await?;
            let (Some(first), Some(last)) = (hashes.first(), hashes.last()) else {
                break;
            };
            let rows = sqlx::query(
                "SELECT v.hash, x.id, v.count FROM node_value v \
                 JOIN value x ON x.kind = v.kind AND x.key = v.key \
                 WHERE v.hash >= $1 AND v.hash <= $2 ORDER BY v.hash",
            )
            .bind(first.clone())
            .bind(last.clone())
            .fetch_all(&mut *tx)
            .await?;
            let mut pairs: Vec<(i64, u64)> = Vec::new();
            let mut current: Option<Vec<u8>> = None;
            for r in rows.iter().map(Some).chain(std::iter::once(None)) {
                let hash: Option<Vec<u8>> = r.map(|r| r.try_get(0)).transpose()?;
                if current.is_some() && current != hash {
                    sqlx::query("UPDATE node SET vals = $1 WHERE hash = $2")
                        .bind(crate::packed::pack(&mut pairs))
                        .bind(current.take())
                        .execute(&mut *tx)
                        .await?;
                    pairs.clear();
                }
                if let Some(r) = r {
                    current = hash;
                    let n: i64 = r.try_get(2)?;
                    pairs.push((r.try_get(1)?, crate::breach::u(n)));
                }
            }
            after = last.clone();
        }
        sqlx::query("DELETE FROM node_value")
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        )
        .bind(REDERIVE)
        .bind(Vec::<u8>::new())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

async fn load_key(pool: &AnyPool) -> Result<Key, Error> {
    let fresh: [u8; 32] = rand::random();
    sqlx::query(
        "INSERT INTO settings (name, value) VALUES ('value_key', $1) ON CONFLICT (name) DO NOTHING",
    )
    .bind(fresh.to_vec())
    .execute(pool)
    .await?;
    let row = sqlx::query("SELECT value FROM settings WHERE name = 'value_key'")
        .fetch_one(pool)
        .await?;
    let v: Vec<u8> = row.try_get(0)?;
    let key: [u8; 32] = v
        .try_into()
        .map_err(|_| Error::Invalid("the index's value key is damaged".into()))?;
    Ok(Key(key))
}

/// Creating and dropping PostgreSQL databases (for tests and first set-up).
pub mod admin {
    use crate::Error;
    use sqlx::any::AnyConnectOptions;
    use sqlx::{ConnectOptions, Connection, Executor};
    use std::str::FromStr;

    fn check(name: &str) -> Result<(), Error> {
        if name.is_empty()
            || name.len() > 60
            || !name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(Error::Invalid(format!(
                "database name {name:?}: use a-z, 0-9 and _"
            )));
        }
        Ok(())
    }

    async fn exec(admin_url: &str, sql: &str) -> Result<(), Error> {
        sqlx::any::install_default_drivers();
        let opts = AnyConnectOptions::from_str(admin_url)?.disable_statement_logging();
        let mut conn = opts.connect().await?;
        conn.execute(sql).await?;
        conn.close().await?;
        Ok(())
    }

    /// `CREATE DATABASE name` on the server of `admin_url` (a postgres:// URL).
    pub async fn create_database(admin_url: &str, name: &str) -> Result<(), Error> {
        check(name)?;
        exec(admin_url, &format!("CREATE DATABASE {name}")).await
    }

    /// `DROP DATABASE IF EXISTS name … WITH (FORCE)`.
    pub async fn drop_database(admin_url: &str, name: &str) -> Result<(), Error> {
        check(name)?;
        exec(
            admin_url,
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        )
        .await
    }
}
