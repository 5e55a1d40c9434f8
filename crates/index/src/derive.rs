//! The value-based counts of a breach, computed in one pass over its reached blobs'
//! packed values (`node.vals`): raw and unique values per kind, per address
//! (`account_breach`), per domain (`domain_breach`, with its packed kinds and document
//! types).
//!
//! The rules are those of `docs/counting.md`: a blob reached `mult` ways counts `mult`
//! times; the domains a blob names are the registrable domains of its addresses; a
//! domain's documents and messages are the distinct document blobs and Message-IDs naming
//! it; its kinds count every kind in the documents naming the domain.
//!
//! Memory is one entry per reached blob's value (8 + 8 bytes), per distinct value, per
//! address and per domain of the breach.

use crate::bulk::{insert_rows, json_agg, json_error, json_rows, Cell, Col};
use crate::db::Backend;
use crate::Error;
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use leakdex_core::{Kind, KINDS};
use sqlx::{Any, Row, Transaction};

/// Value ids per lookup (one JSON array parameter).
const IDS: usize = 50_000;

#[derive(Default)]
struct AccountAgg {
    occurrences: u64,
    /// Kinds found in the blobs holding the address (bit = position in `KINDS`).
    kinds: u64,
    /// Interned document types of those blobs.
    types: Vec<u16>,
}

#[derive(Default)]
struct DomainAgg {
    accounts: u64,
    occurrences: u64,
    documents: u64,
    messages: HashSet<Vec<u8>>,
    kinds: [u64; KINDS.len()],
    /// Interned document type → (unique documents, raw copies).
    types: HashMap<u16, (u64, u64)>,
}

/// One reached blob.
struct Blob {
    mult: u64,
    document: bool,
    email: bool,
    doc_type: u16,
    /// Message-ID hash, else content hash: what identifies a message.
    message: Vec<u8>,
    /// Range of its pairs in the shared list.
    pairs: std::ops::Range<usize>,
}

/// A value read back: its kind and, for an address, the address and its interned domain
/// (`None` when the host has no registrable domain); other kinds keep no key.
struct Value {
    /// Its kind's position in `KINDS`.
    slot: usize,
    key: String,
    domain: Option<usize>,
}

fn add(sum: &mut u64, n: u64) {
    *sum = sum.saturating_add(n);
}

fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Computes and inserts the value-based counts of `breach_id` (whose `reach` rows are
/// current and whose derived rows were deleted).
pub(crate) async fn derive_values(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    breach_id: i64,
) -> Result<(), Error> {
    let mut type_ids: HashMap<String, u16> = HashMap::new();
    let mut type_names: Vec<String> = Vec::new();
    let mut blobs: Vec<Blob> = Vec::new();
    let mut pairs: Vec<(i64, u64)> = Vec::new();
    let rows = sqlx::query(
        "SELECT r.mult, n.hash, n.is_document, n.doc_type, n.message_key, n.vals \
         FROM reach r JOIN node n ON n.hash = r.hash \
         WHERE r.breach_id = $1 AND n.vals IS NOT NULL",
    )
    .bind(breach_id)
    .fetch_all(&mut **tx)
    .await?;
    for r in rows {
        let doc_type: String = r.try_get(3)?;
        let next = u16::try_from(type_names.len()).unwrap_or(u16::MAX);
        let ty = *type_ids.entry(doc_type.clone()).or_insert_with(|| {
            type_names.push(doc_type.clone());
            next
        });
        let hash: Vec<u8> = r.try_get(1)?;
        let key: Option<Vec<u8>> = r.try_get(4)?;
        let vals: Vec<u8> = r.try_get(5)?;
        let start = pairs.len();
        crate::packed::unpack(&vals, &mut pairs)?;
        blobs.push(Blob {
            mult: crate::breach::u(r.try_get(0)?),
            document: r.try_get::<i64, _>(2)? == 1,
            email: doc_type == "email",
            doc_type: ty,
            message: key.unwrap_or(hash),
            pairs: start..pairs.len(),
        });
    }

    let started = std::time::Instant::now();
    tracing::debug!(
        blobs = blobs.len(),
        pairs = pairs.len(),
        "derive: blobs read"
    );
    // The values those blobs name, with the domains of the addresses.
    let mut ids: Vec<i64> = pairs.iter().map(|p| p.0).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut domain_ids: HashMap<String, usize> = HashMap::new();
    let mut domain_names: Vec<String> = Vec::new();
    let mut values: HashMap<i64, Value> = HashMap::with_capacity(ids.len());
    let sql = format!(
        "SELECT {} FROM value WHERE id IN (SELECT CAST(value AS BIGINT) FROM {})",
        json_agg(backend, "id, kind, key"),
        json_rows(backend, true, "$1")
    );
    for chunk in ids.chunks(IDS) {
        let json = serde_json::to_string(chunk).map_err(|e| json_error("value ids as JSON", &e))?;
        let rows: String = sqlx::query_scalar(&sql)
            .bind(json)
            .fetch_one(&mut **tx)
            .await?;
        let rows: Vec<(i64, String, String)> =
            serde_json::from_str(&rows).map_err(|e| json_error("value rows from JSON", &e))?;
        for (id, kind, mut key) in rows {
            let Some(kind) = crate::kind_of(&kind) else {
                continue;
            };
            let domain = if kind == Kind::Email {
                let d = crate::ingest::account_domain(&key);
                if d.is_empty() {
                    None
                } else {
                    let next = domain_names.len();
                    Some(*domain_ids.entry(d.clone()).or_insert_with(|| {
                        domain_names.push(d);
                        next
                    }))
                }
            } else {
                key = String::new();
                None
            };
            values.insert(
                id,
                Value {
                    slot: crate::kind_index(kind),
                    key,
                    domain,
                },
            );
        }
    }

    tracing::debug!(
        values = values.len(),
        ms = started.elapsed().as_millis() as u64,
        "derive: values read"
    );
    let mut raw = [0u64; KINDS.len()];
    let mut unique: Vec<HashSet<i64>> = (0..KINDS.len()).map(|_| HashSet::new()).collect();
    let (email_slot, domain_slot) = (
        crate::kind_index(Kind::Email),
        crate::kind_index(Kind::Domain),
    );
    let mut domains_unique: HashSet<usize> = HashSet::new();
    let mut accounts: HashMap<i64, AccountAgg> = HashMap::new();
    let mut domains: Vec<DomainAgg> = (0..domain_names.len())
        .map(|_| DomainAgg::default())
        .collect();
    // Per blob: its count of each kind and the domains it names with their counts
    // (`named` lists the domains touched, `per_domain` holds their counts).
    let mut blob_kinds = [0u64; KINDS.len()];
    // Ids a blob holds that `value` lacks: only a value collected while this breach's
    // load was running (docs: never delete a breach during another's ingest).
    let mut missing: u64 = 0;
    let mut named: Vec<usize> = Vec::new();
    let mut emails: Vec<(i64, u64)> = Vec::new();
    let mut per_domain: Vec<u64> = vec![0; domain_names.len()];
    for b in &blobs {
        blob_kinds.fill(0);
        emails.clear();
        for d in named.drain(..) {
            per_domain[d] = 0;
        }
        let mut mask = 0u64;
        for &(id, n) in &pairs[b.pairs.clone()] {
            let Some(v) = values.get(&id) else {
                missing += 1;
                continue;
            };
            let k = v.slot;
            add(&mut blob_kinds[k], n);
            mask |= 1 << k;
            add(&mut raw[k], b.mult.saturating_mul(n));
            unique[k].insert(id);
            if k == email_slot {
                emails.push((id, n));
            }
            if let Some(d) = v.domain {
                if per_domain[d] == 0 {
                    named.push(d);
                }
                add(&mut per_domain[d], n);
            }
        }
        // The blob's kinds are known only now: its addresses get them here.
        for &(id, n) in &emails {
            let a = accounts.entry(id).or_default();
            add(&mut a.occurrences, b.mult.saturating_mul(n));
            a.kinds |= mask;
            if !a.types.contains(&b.doc_type) {
                a.types.push(b.doc_type);
            }
        }
        for &d in &named {
            let n = per_domain[d];
            add(&mut raw[domain_slot], b.mult.saturating_mul(n));
            domains_unique.insert(d);
            let agg = &mut domains[d];
            add(&mut agg.occurrences, b.mult.saturating_mul(n));
            if b.document {
                agg.documents += 1;
                let t = agg.types.entry(b.doc_type).or_default();
                t.0 += 1;
                add(&mut t.1, b.mult);
            }
            if b.email {
                agg.messages.insert(b.message.clone());
            }
            for (sum, per) in agg.kinds.iter_mut().zip(&blob_kinds) {
                add(sum, b.mult.saturating_mul(*per));
            }
        }
    }
    if missing > 0 {
        tracing::warn!(
            pairs = missing,
            "blob values without a value row were left out; re-run the ingest"
        );
    }
    for id in accounts.keys() {
        if let Some(d) = values.get(id).and_then(|v| v.domain) {
            domains[d].accounts += 1;
        }
    }

    tracing::debug!(ms = started.elapsed().as_millis() as u64, "derive: counted");
    // Raw and unique per kind (renamed to the report's plurals by the caller).
    let mut rows = Vec::new();
    for (k, kind) in KINDS.iter().enumerate() {
        let uniq = if *kind == Kind::Domain {
            domains_unique.len()
        } else {
            unique[k].len()
        };
        if uniq > 0 {
            rows.push(vec![
                Cell::I(breach_id),
                Cell::S(format!("kind:{}", kind.as_str())),
                Cell::I(count(raw[k])),
                Cell::I(count(uniq as u64)),
            ]);
        }
    }
    insert_rows(
        tx,
        backend,
        "breach_count",
        &[
            ("breach_id", Col::Int),
            ("what", Col::Text),
            ("raw", Col::Int),
            ("uniq", Col::Int),
        ],
        rows,
    )
    .await?;

    // Interned document types as positions in DOC_LABELS (a type the list lacks counts as
    // `other`: the classifier only writes listed labels).
    let other = leakdex_core::label_position("other").unwrap_or(0);
    let positions: Vec<u64> = type_names
        .iter()
        .map(|t| leakdex_core::label_position(t).unwrap_or(other) as u64)
        .collect();
    let position = |t: u16| {
        positions
            .get(usize::from(t))
            .copied()
            .unwrap_or(other as u64)
    };
    let account_rows = || {
        let mut rows = Vec::with_capacity(accounts.len());
        for (id, a) in &accounts {
            let Some(v) = values.get(id) else { continue };
            let types = a.types.iter().fold(0u64, |m, t| m | 1 << position(*t));
            rows.push(vec![
                Cell::B(crate::account::sha1(&v.key)),
                Cell::I(breach_id),
                Cell::I(count(a.occurrences)),
                Cell::I(i64::try_from(a.kinds).unwrap_or(0)),
                Cell::I(i64::try_from(types).unwrap_or(0)),
            ]);
        }
        rows
    };
    const ACCOUNT_BREACH: [(&str, Col); 5] = [
        ("account_id", Col::AccountOf),
        ("breach_id", Col::Int),
        ("occurrences", Col::Int),
        ("kinds", Col::Int),
        ("doc_types", Col::Int),
    ];
    let rows = account_rows();
    let expected = rows.len() as u64;
    let written = insert_rows(tx, backend, "account_breach", &ACCOUNT_BREACH, rows).await?;
    if written < expected {
        // An address whose account row is gone (a breach deleted or sealed while this one
        // was loading, which the docs warn against): write the accounts again, then the rows.
        tracing::warn!(
            missing = expected - written,
            "addresses without an account row: restoring them"
        );
        let emails: Vec<&str> = accounts
            .keys()
            .filter_map(|id| values.get(id))
            .map(|v| v.key.as_str())
            .collect();
        crate::account::insert_accounts(tx, backend, &emails).await?;
        sqlx::query("DELETE FROM account_breach WHERE breach_id = $1")
            .bind(breach_id)
            .execute(&mut **tx)
            .await?;
        insert_rows(
            tx,
            backend,
            "account_breach",
            &ACCOUNT_BREACH,
            account_rows(),
        )
        .await?;
    }

    tracing::debug!(
        ms = started.elapsed().as_millis() as u64,
        "derive: accounts written"
    );
    let mut domain_rows = Vec::new();
    for (d, agg) in domains.iter().enumerate() {
        if agg.occurrences == 0 {
            continue;
        }
        let mut kinds: Vec<[u64; 2]> = KINDS
            .iter()
            .enumerate()
            .filter(|(k, kind)| **kind != Kind::Domain && agg.kinds[*k] > 0)
            .map(|(k, _)| [k as u64, agg.kinds[k]])
            .collect();
        let mut types: Vec<[u64; 3]> = agg
            .types
            .iter()
            .map(|(t, (uniq, copies))| [position(*t), *uniq, *copies])
            .collect();
        domain_rows.push(vec![
            Cell::S(domain_names[d].clone()),
            Cell::I(breach_id),
            Cell::I(count(agg.accounts)),
            Cell::I(count(agg.occurrences)),
            Cell::I(count(agg.documents)),
            Cell::I(count(agg.messages.len() as u64)),
            Cell::B(crate::packed::pack_rows(&mut kinds)),
            Cell::B(crate::packed::pack_rows(&mut types)),
        ]);
    }
    // Their names are the accounts' (written by the load), unless a `breach delete`
    // collected one since (see above): name them again. (A delete collecting a name
    // between this and the insert below makes the load fail, not lose the row.)
    let named: Vec<String> = domain_rows
        .iter()
        .filter_map(|r| match r.first() {
            Some(Cell::S(d)) => Some(d.clone()),
            _ => None,
        })
        .collect();
    crate::account::insert_domain_names(tx, backend, named).await?;
    insert_rows(
        tx,
        backend,
        "domain_breach",
        &[
            ("domain_id", Col::DomainOf),
            ("breach_id", Col::Int),
            ("accounts", Col::Int),
            ("occurrences", Col::Int),
            ("documents", Col::Int),
            ("messages", Col::Int),
            ("kinds", Col::Bytes),
            ("doc_types", Col::Bytes),
        ],
        domain_rows,
    )
    .await?;
    Ok(())
}
