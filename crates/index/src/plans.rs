//! The lookups behind the search service must seek, never scan a table that grows with
//! the accounts or domains: SQLite's query plans of the statements the code runs (an
//! empty index: without `ANALYZE` statistics the planner's choices do not depend on how
//! many rows there are).

use crate::{Error, Index};
use sqlx::Row;

/// The plan of `sql`, its `$n` parameters bound to NULL, as lines of detail.
async fn plan(index: &Index, sql: &str) -> Result<Vec<String>, Error> {
    let params = (1..10).filter(|n| sql.contains(&format!("${n}"))).count();
    let explain = format!("EXPLAIN QUERY PLAN {sql}");
    let mut q = sqlx::query(&explain);
    for _ in 0..params {
        q = q.bind(Option::<String>::None);
    }
    q.fetch_all(&index.pool)
        .await?
        .iter()
        .map(|r| Ok(r.try_get::<String, _>(3)?))
        .collect()
}

#[test]
fn lookups_seek() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(check_lookups());
}

async fn check_lookups() {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("plans.db").display());
    let index = Index::open(&url).await.expect("open");
    let statements = [
        ("range", crate::lookup::RANGE.to_string()),
        ("account breaches", crate::lookup::ACCOUNT_BREACHES.clone()),
        (
            "breached domain",
            crate::lookup::BREACHED_DOMAIN.to_string(),
        ),
        (
            "domain addresses",
            crate::lookup::DOMAIN_ADDRESSES.to_string(),
        ),
        (
            "domain types",
            crate::lookup::DOMAIN_DOCUMENT_TYPES.to_string(),
        ),
        ("search email", crate::search::SEARCH_EMAIL.clone()),
        ("search domain", crate::search::SEARCH_DOMAIN.to_string()),
        (
            "domain pwn count",
            crate::access::DOMAIN_PWN_COUNT.to_string(),
        ),
        (
            "search org",
            crate::search::search_org_sql(crate::Backend::Sqlite),
        ),
    ];
    for (what, sql) in statements {
        let lines = plan(&index, &sql).await.expect("plan");
        assert!(!lines.is_empty(), "{what}: no plan");
        for line in &lines {
            // Tables show under their aliases: the only scans allowed are of the breach
            // catalogue (hundreds of rows, `b` or `breach`) and the organisation trigram
            // index.
            if let Some(rest) = line.strip_prefix("SCAN ") {
                let table = rest.split(' ').next().unwrap_or(rest);
                assert!(
                    matches!(table, "b" | "breach" | "org_search"),
                    "{what} scans {table}: {lines:?}"
                );
                // The trigram index answers the LIKE (`0:L…`), not a pass over every key.
                assert!(
                    table != "org_search" || rest.contains("VIRTUAL TABLE INDEX 0:L"),
                    "{what} reads org_search without its index: {lines:?}"
                );
            }
        }
    }
    index.close().await;
}
