//! The counts of a breach other than its path counts (`reach`), computed in one pass over
//! its reached blobs: documents, messages (also per month), types, empty and unreadable
//! blobs, and from their packed values (`node.vals`) raw and unique values per kind, per
//! address (`account_breach`), per domain (`domain_breach`, with its packed kinds and
//! document types). The blobs are read as one JSON string per hash range (sqlx's `Any`
//! driver costs microseconds a row).
//!
//! The rules are those of `docs/counting.md`: a blob reached `mult` ways counts `mult`
//! times; the domains a blob names are the registrable domains of its addresses; a
//! domain's documents and messages are the distinct document blobs and Message-IDs naming
//! it; its kinds count every kind in the documents naming the domain.
//!
//! Memory is one entry per reached blob's value (8 + 8 bytes), per distinct value, per
//! address, per domain and per distinct message (36 bytes, plus 4 in each set naming
//! it) of the breach, plus one range's JSON string.

use crate::bulk::{insert_rows, json_agg, json_error, json_rows, Cell, Col};
use crate::db::Backend;
use crate::Error;
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use leakdex_core::{Kind, KINDS};
use sqlx::{Any, Transaction};

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
    /// Distinct messages (interned identities).
    messages: HashSet<u32>,
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
    /// Message-ID hash, else content hash, interned: what identifies a message (e-mails
    /// only).
    message: u32,
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

/// A count of blobs: `raw` copies (reach multiplicities added up) of `uniq` blobs.
#[derive(Default)]
struct Tally {
    raw: u64,
    uniq: u64,
}

impl Tally {
    fn add(&mut self, mult: u64) {
        add(&mut self.raw, mult);
        self.uniq += 1;
    }
}

/// Messages: raw copies, and the distinct messages (Message-ID hash, else content hash).
#[derive(Default)]
struct Messages {
    raw: u64,
    distinct: HashSet<u32>,
}

/// The blob-based counts of a breach (`docs/counting.md`): documents, messages (also per
/// month of their Date header), empty and unreadable blobs, documents per type.
#[derive(Default)]
struct BlobCounts {
    documents: Tally,
    messages: Messages,
    months: HashMap<String, Messages>,
    empty: Tally,
    unreadable: Tally,
    types: HashMap<String, Tally>,
}

impl BlobCounts {
    /// Its `breach_count` rows: documents, messages, empty and unreadable always (zeros
    /// included), a month or a type only when some blob has it.
    fn rows(self, breach_id: i64) -> Vec<Vec<Cell>> {
        let row = |what: String, raw: u64, uniq: u64| {
            vec![
                Cell::I(breach_id),
                Cell::S(what),
                Cell::I(count(raw)),
                Cell::I(count(uniq)),
            ]
        };
        let mut rows = vec![
            row("documents".into(), self.documents.raw, self.documents.uniq),
            row(
                "messages".into(),
                self.messages.raw,
                self.messages.distinct.len() as u64,
            ),
            row("empty".into(), self.empty.raw, self.empty.uniq),
            row(
                "unreadable".into(),
                self.unreadable.raw,
                self.unreadable.uniq,
            ),
        ];
        for (month, m) in self.months {
            rows.push(row(
                format!("month:{month}"),
                m.raw,
                m.distinct.len() as u64,
            ));
        }
        for (ty, t) in self.types {
            rows.push(row(format!("type:{ty}"), t.raw, t.uniq));
        }
        rows
    }
}

/// Reached blobs per read: each read is one JSON string, which neither back end lets grow
/// past 1 GB.
const BLOBS_PER_READ: u64 = 20_000;

/// Packed values per read, at most (on average): as hex, a quarter of the 1 GB a JSON
/// string may hold.
const PACKED_PER_READ: u64 = 128 << 20;

/// A reached blob as the read returns it: reach multiplicity, is_document, doc_type, its
/// message identity (e-mails only, hex), its month, unreadable, its packed values (hex;
/// `None` or empty when it has none).
/// Its text borrows from the JSON (hex digits and labels: nothing to unescape).
type BlobJson<'a> = (
    i64,
    i64,
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    i64,
    Option<&'a str>,
);

/// Reads every blob `breach_id` reaches, in hash ranges of about [`BLOBS_PER_READ`] blobs,
/// each range as one JSON string built by the database: sqlx's `Any` driver costs ~8 µs
/// a row, which was most of the time of a serial step at the end of every ingest
/// (63,000 blobs: 570 ms as rows where the database's own work took 70 ms), and the
/// six statements that counted documents, messages, months, types, empty and unreadable
/// blobs each joined the same rows again.
async fn read_blobs(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    breach_id: i64,
    mut each: impl FnMut(BlobJson<'_>) -> Result<(), Error>,
) -> Result<(), Error> {
    let (reached, packed): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(LENGTH(n.vals)), 0) AS BIGINT) \
         FROM reach r JOIN node n ON n.hash = r.hash WHERE r.breach_id = $1",
    )
    .bind(breach_id)
    .fetch_one(&mut **tx)
    .await?;
    // Hashes are BLAKE3, so equal ranges of their first two bytes hold about equal shares
    // of the blobs and of their packed values (twice their size as hex).
    let ranges = (crate::breach::u(reached).div_ceil(BLOBS_PER_READ))
        .max(crate::breach::u(packed).div_ceil(PACKED_PER_READ))
        .clamp(1, 65_536);
    let hex = |col: &str| crate::bulk::hex(backend, col);
    let sql = format!(
        "SELECT {} FROM reach r JOIN node n ON n.hash = r.hash \
         WHERE r.breach_id = $1 AND r.hash >= $2 AND r.hash < $3",
        json_agg(
            backend,
            &format!(
                "r.mult, n.is_document, n.doc_type, \
                 CASE WHEN n.doc_type = 'email' THEN {} END, \
                 n.message_month, n.unreadable, {}",
                hex("COALESCE(n.message_key, n.hash)"),
                hex("n.vals")
            )
        )
    );
    let bound = |i: u64| -> Vec<u8> {
        if i >= ranges {
            // Sorts after every 32-byte hash.
            vec![0xFF; 33]
        } else {
            let prefix = (i * 65_536 / ranges) as u16;
            prefix.to_be_bytes().to_vec()
        }
    };
    for i in 0..ranges {
        let json: String = sqlx::query_scalar(&sql)
            .bind(breach_id)
            .bind(bound(i))
            .bind(bound(i + 1))
            .fetch_one(&mut **tx)
            .await?;
        let blobs: Vec<BlobJson> =
            serde_json::from_str(&json).map_err(|e| json_error("reached blobs from JSON", &e))?;
        for b in blobs {
            each(b)?;
        }
    }
    Ok(())
}

/// The bytes of the hex text `hex` (either case: packed values, message identities),
/// appended to `out`; an error for anything else.
fn unhex_into(hex: &str, out: &mut Vec<u8>) -> Result<(), Error> {
    fn digit(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    let bad = || Error::Internal("a blob read back from the index is not hex".into());
    let bytes = hex.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return Err(bad());
    }
    out.reserve(bytes.len() / 2);
    for pair in bytes.chunks_exact(2) {
        let (Some(hi), Some(lo)) = (digit(pair[0]), digit(pair[1])) else {
            return Err(bad());
        };
        out.push(hi << 4 | lo);
    }
    Ok(())
}

/// Computes and inserts the counts of `breach_id` that are not path counts (whose `reach`
/// rows are current and whose derived rows were deleted): blobs by what they are
/// (documents, messages, types, …) and, from the blobs' packed values, values per kind,
/// per address (`account_breach`) and per domain (`domain_breach`). One pass over the
/// reached blobs.
pub(crate) async fn derive_values(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    breach_id: i64,
) -> Result<(), Error> {
    let mut type_ids: HashMap<String, u16> = HashMap::new();
    let mut type_names: Vec<String> = Vec::new();
    let mut blobs: Vec<Blob> = Vec::new();
    let mut pairs: Vec<(i64, u64)> = Vec::new();
    let mut counts = BlobCounts::default();
    let mut packed: Vec<u8> = Vec::new();
    // Message identities (32 bytes) interned: a set entry is then 4 bytes, not a string.
    let mut message_ids: HashMap<[u8; 32], u32> = HashMap::new();
    let mut identity: Vec<u8> = Vec::new();
    read_blobs(tx, backend, breach_id, |b| {
        let (mult, document, doc_type, message_hex, month, unreadable, vals) = b;
        let mult = crate::breach::u(mult);
        let document = document == 1;
        let email = doc_type == "email";
        if document {
            counts.documents.add(mult);
            match counts.types.get_mut(doc_type) {
                Some(t) => t.add(mult),
                None => counts.types.entry(doc_type.into()).or_default().add(mult),
            }
        }
        if doc_type == "empty" {
            counts.empty.add(mult);
        }
        if unreadable == 1 {
            counts.unreadable.add(mult);
        }
        // Only e-mails carry a message identity.
        let mut message = 0;
        if email {
            identity.clear();
            unhex_into(message_hex.unwrap_or_default(), &mut identity)?;
            // Always 32 bytes (a blob hash, or a keyed hash's 32 hex digits); anything
            // else by its hash, so no two identities share a key.
            let key = <[u8; 32]>::try_from(identity.as_slice())
                .unwrap_or_else(|_| *blake3::hash(&identity).as_bytes());
            let next = u32::try_from(message_ids.len()).unwrap_or(u32::MAX);
            message = *message_ids.entry(key).or_insert(next);
            add(&mut counts.messages.raw, mult);
            counts.messages.distinct.insert(message);
            if let Some(month) = month {
                let m = match counts.months.get_mut(month) {
                    Some(m) => m,
                    None => counts.months.entry(month.into()).or_default(),
                };
                add(&mut m.raw, mult);
                m.distinct.insert(message);
            }
        }
        let Some(vals) = vals.filter(|v| !v.is_empty()) else {
            return Ok(());
        };
        let next = u16::try_from(type_names.len()).unwrap_or(u16::MAX);
        let ty = match type_ids.get(doc_type) {
            Some(t) => *t,
            None => {
                type_names.push(doc_type.into());
                type_ids.insert(doc_type.into(), next);
                next
            }
        };
        packed.clear();
        unhex_into(vals, &mut packed)?;
        let start = pairs.len();
        crate::packed::unpack(&packed, &mut pairs)?;
        blobs.push(Blob {
            mult,
            document,
            email,
            doc_type: ty,
            message,
            pairs: start..pairs.len(),
        });
        Ok(())
    })
    .await?;

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
                agg.messages.insert(b.message);
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
    // The blob counts, then raw and unique per kind (renamed to the report's plurals by
    // the caller).
    let mut rows = counts.rows(breach_id);
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

#[cfg(test)]
mod tests {
    use super::unhex_into;

    #[test]
    fn hex_of_either_case_is_read_and_anything_else_refused() {
        let mut out = vec![7];
        unhex_into("00ff7Fa0", &mut out).unwrap();
        // Appended to what was there.
        assert_eq!(out, [7, 0x00, 0xFF, 0x7F, 0xA0]);
        for bad in ["0", "0g", "é0", " 00"] {
            assert!(unhex_into(bad, &mut Vec::new()).is_err(), "{bad:?}");
        }
    }
}
