//! An account's lookup key: the SHA-1 of its normalised address, stored as 20 bytes and
//! shown as HIBP's upper-case hex.

/// SQL matching the account aliased `a` to the SHA-1 `x`: by the hash's first 4 bytes,
/// which SQLite indexes instead of the whole hash (migration 0011), then by the whole
/// hash, which PostgreSQL's unique index seeks. SQLite uses an index on an expression
/// only where a statement spells that expression.
pub(crate) fn sha1_is(a: &str, x: &str) -> String {
    format!("substr({a}.sha1, 1, 4) = substr({x}, 1, 4) AND {a}.sha1 = {x}")
}

/// SHA-1 of `email` (already normalised: lower-cased, trimmed).
pub(crate) fn sha1(email: &str) -> Vec<u8> {
    use sha1::{Digest, Sha1};
    Sha1::digest(email.as_bytes()).to_vec()
}

/// What `account.stem` holds of `email`: the address up to its registrable `domain`,
/// separator included (`jane@` for jane@contoso.de, `jane@mail.` for jane@mail.contoso.de),
/// or the whole address when it does not end in its domain. No address ends in `@` or
/// `.` (the detector trims them), so [`address`] can tell the two apart.
pub(crate) fn stem<'a>(email: &'a str, domain: &str) -> &'a str {
    match email.strip_suffix(domain) {
        Some(s) if !domain.is_empty() && (s.ends_with('@') || s.ends_with('.')) => s,
        _ => email,
    }
}

/// The address of an account from its `stem` and `domain` (the inverse of [`stem`]).
pub(crate) fn address(stem: &str, domain: &str) -> String {
    if stem.ends_with('@') || stem.ends_with('.') {
        format!("{stem}{domain}")
    } else {
        stem.to_string()
    }
}

/// [`address`] in SQL, for the account table aliased `a` joined to its `domain_name`
/// aliased `dn`.
pub(crate) const ADDRESS_SQL: &str = "CASE WHEN substr(a.stem, length(a.stem), 1) IN ('@', '.') \
     THEN a.stem || dn.name ELSE a.stem END";

/// Adds the domain names not in `domain_name` yet (in name order: concurrent loads take
/// their locks in the same order).
pub(crate) async fn insert_domain_names(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    backend: crate::db::Backend,
    mut names: Vec<String>,
) -> Result<(), crate::Error> {
    use crate::bulk::{insert_rows_or, Cell, Col, Conflict};
    names.sort_unstable();
    names.dedup();
    let rows = names.into_iter().map(|d| vec![Cell::S(d)]).collect();
    insert_rows_or(
        tx,
        backend,
        "domain_name",
        &[("name", Col::Text)],
        rows,
        Conflict::Key("name"),
    )
    .await?;
    Ok(())
}

/// Writes the accounts of `emails` that are new (their domains first), in bulk.
pub(crate) async fn insert_accounts(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    backend: crate::db::Backend,
    emails: &[&str],
) -> Result<(), crate::Error> {
    use crate::bulk::{insert_rows_or, Cell, Col, Conflict};
    let domains: Vec<String> = emails
        .iter()
        .map(|e| crate::ingest::account_domain(e))
        .collect();
    let mut rows: Vec<Vec<Cell>> = emails
        .iter()
        .zip(&domains)
        .map(|(e, d)| {
            vec![
                Cell::B(sha1(e)),
                Cell::S(stem(e, d).to_string()),
                Cell::S(d.clone()),
            ]
        })
        .collect();
    // Each hash once: on SQLite no constraint would stop one statement writing it twice.
    rows.sort_unstable_by(|a, b| a.first().cmp(&b.first()));
    rows.dedup_by(|a, b| a.first() == b.first());
    insert_domain_names(tx, backend, domains).await?;
    insert_rows_or(
        tx,
        backend,
        "account",
        // SHA-1 first: rows go in sorted by it, the key, so concurrent loads lock the
        // same accounts in the same order (a stem like `info@` recurs).
        &[
            ("sha1", Col::Bytes),
            ("stem", Col::Text),
            ("domain_id", Col::DomainOf),
        ],
        rows,
        // Only accounts whose hash is new (SQLite has no unique key to conflict on: see
        // migration 0011); PostgreSQL's unique index settles two loads racing.
        Conflict::NewAccount,
    )
    .await?;
    Ok(())
}

/// The key of an address in a domain search, from its stem: the part before `@`, with
/// the subdomain for an address on one (`jane@mail` for jane@mail.contoso.de); a whole
/// address for one that does not end in its domain.
pub(crate) fn alias(stem: &str) -> &str {
    stem.strip_suffix(['@', '.']).unwrap_or(stem)
}

/// `bytes` as upper-case hex, as HIBP's range API spells hashes.
pub(crate) fn upper_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 15)]));
    }
    out
}

/// The half-open interval `[low, high)` of 20-byte hashes starting with the hex `prefix`
/// (an even number of hex digits, checked by the caller): `low` is the prefix's bytes,
/// which sort before every longer value they begin; `high` the same bytes followed by
/// more `0xFF` bytes than a hash holds, which sorts after every hash they begin.
pub(crate) fn prefix_range(prefix: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let low = prefix.to_vec();
    let mut high = low.clone();
    high.resize(21, 0xFF);
    (low, high)
}

/// The bytes of an even-length hex string; `None` for anything else.
pub(crate) fn from_hex(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha1_is_hibp_style_upper_hex() {
        // SHA-1("test@example.com"), as HIBP's range API expects it.
        assert_eq!(
            upper_hex(&sha1("test@example.com")),
            "567159D622FFBB50B11B0EFD307BE358624A26EE"
        );
    }

    #[test]
    fn stems_give_back_the_address_and_the_alias() {
        for (email, domain, stem_, alias_) in [
            ("jane@contoso.de", "contoso.de", "jane@", "jane"),
            (
                "jane@mail.contoso.de",
                "contoso.de",
                "jane@mail.",
                "jane@mail",
            ),
            (
                "jane@xcontoso.de",
                "contoso.de",
                "jane@xcontoso.de",
                "jane@xcontoso.de",
            ),
            ("jane@localhost", "", "jane@localhost", "jane@localhost"),
        ] {
            assert_eq!(stem(email, domain), stem_);
            assert_eq!(address(stem_, domain), email);
            assert_eq!(alias(stem_), alias_);
        }
    }

    #[test]
    fn a_prefix_range_holds_exactly_the_hashes_it_begins() {
        let (low, high) = prefix_range(&from_hex("567159").expect("hex"));
        let inside = sha1("test@example.com");
        assert!(low.as_slice() <= inside.as_slice() && inside.as_slice() < high.as_slice());
        let mut last = from_hex("567159").expect("hex");
        last.resize(20, 0xFF);
        assert!(last.as_slice() < high.as_slice());
        let mut next = from_hex("56715A").expect("hex");
        next.resize(20, 0);
        assert!(next.as_slice() >= high.as_slice());
        let (_, top) = prefix_range(&[0xFF, 0xFF, 0xFF]);
        assert!([0xFFu8; 20].as_slice() < top.as_slice());
        assert_eq!(from_hex("5G"), None);
        assert_eq!(from_hex("567"), None);
    }
}
