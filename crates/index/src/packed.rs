//! A blob's values as one BLOB (`node.vals`): `(id delta, count)` pairs as LEB128 varints,
//! value ids ascending, the first delta from 0.
//!
//! ~22 values a blob on the 1 GB benchmark corpus take ~3 bytes each this way, where a row
//! of the former `node_value` table took ~86 bytes plus its index entry.

/// Appends `v` as an unsigned LEB128 varint.
fn put(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Reads one varint at `*at`, advancing it; `None` on a truncated or overlong varint.
fn get(data: &[u8], at: &mut usize) -> Option<u64> {
    let mut v: u64 = 0;
    for shift in (0..64).step_by(7) {
        let b = *data.get(*at)?;
        *at += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

/// Packs `(value id, count)` pairs. Ids must be positive; pairs are sorted here and a
/// repeated id keeps its first count.
pub(crate) fn pack(pairs: &mut Vec<(i64, u64)>) -> Vec<u8> {
    pairs.sort_unstable_by_key(|p| p.0);
    pairs.dedup_by_key(|p| p.0);
    let mut out = Vec::with_capacity(pairs.len() * 3);
    let mut prev: u64 = 0;
    for &(id, count) in pairs.iter() {
        let id = u64::try_from(id).unwrap_or(0);
        put(&mut out, id.saturating_sub(prev));
        put(&mut out, count);
        prev = id;
    }
    out
}

/// Unpacks what [`pack`] wrote, appending to `out`. A damaged BLOB is an error, never a
/// panic: the pairs read before the damage are kept in `out`.
pub(crate) fn unpack(data: &[u8], out: &mut Vec<(i64, u64)>) -> Result<(), crate::Error> {
    read_rows::<2>(data, |[id, count]| {
        out.push((i64::try_from(id).unwrap_or(i64::MAX), count))
    })
}

/// Packs rows of `N` numbers, the first delta-coded: rows are sorted by it here, and rows
/// with the same first number are added up. `domain_breach.kinds` holds (kind position,
/// occurrences) rows this way, `domain_breach.doc_types` (label position, unique, raw).
pub(crate) fn pack_rows<const N: usize>(rows: &mut Vec<[u64; N]>) -> Vec<u8> {
    rows.sort_unstable_by_key(|r| r[0]);
    rows.dedup_by(|next, kept| {
        if next[0] != kept[0] {
            return false;
        }
        for (k, n) in kept.iter_mut().zip(next.iter()).skip(1) {
            *k = k.saturating_add(*n);
        }
        true
    });
    let mut out = Vec::with_capacity(rows.len() * N * 2);
    let mut prev: u64 = 0;
    for row in rows.iter() {
        put(&mut out, row[0].saturating_sub(prev));
        prev = row[0];
        for &v in &row[1..] {
            put(&mut out, v);
        }
    }
    out
}

/// Unpacks what [`pack_rows`] wrote; a damaged BLOB is an error, never a panic.
pub(crate) fn unpack_rows<const N: usize>(data: &[u8]) -> Result<Vec<[u64; N]>, crate::Error> {
    let mut out = Vec::new();
    read_rows::<N>(data, |row| out.push(row))?;
    Ok(out)
}

/// Calls `each` with every row of `N` varints in `data`, the first delta-decoded.
fn read_rows<const N: usize>(
    data: &[u8],
    mut each: impl FnMut([u64; N]),
) -> Result<(), crate::Error> {
    let mut at = 0;
    let mut first: u64 = 0;
    while at < data.len() {
        let mut row = [0u64; N];
        for (i, slot) in row.iter_mut().enumerate() {
            let Some(v) = get(data, &mut at) else {
                return Err(crate::Error::Internal(
                    "packed counts in the index are damaged".into(),
                ));
            };
            *slot = if i == 0 {
                first = first.saturating_add(v);
                first
            } else {
                v
            };
        }
        each(row);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_sorts_and_dedups() {
        let mut pairs = vec![
            (300, 1),
            (5, 70_000),
            (1, 2),
            (300, 9),
            (u32::MAX as i64 * 4, 1),
        ];
        let data = pack(&mut pairs);
        let mut back = Vec::new();
        unpack(&data, &mut back).expect("unpack");
        assert_eq!(
            back,
            vec![(1, 2), (5, 70_000), (300, 1), (u32::MAX as i64 * 4, 1)]
        );
        // 1,2 | 4,70000 (3 bytes) | 295 (2 bytes),1 | big delta (5 bytes),1
        assert_eq!(data.len(), 2 + 4 + 3 + 6);
    }

    #[test]
    fn empty_and_damaged() {
        let mut out = Vec::new();
        unpack(&[], &mut out).expect("empty");
        assert!(out.is_empty());
        // A count missing, then a varint that never ends.
        assert!(unpack(&[1], &mut out).is_err());
        assert!(unpack(&[0xff; 11], &mut out).is_err());
        let mut pairs = vec![(7, 3), (9, 1)];
        let data = pack(&mut pairs);
        let mut out = Vec::new();
        assert!(unpack(&data[..data.len() - 1], &mut out).is_err());
        assert_eq!(out, vec![(7, 3)]);
    }

    #[test]
    fn rows_round_trip_and_damage_is_an_error() {
        let mut rows = vec![[14, 2, 5], [0, 300, 301], [3, 1, 1], [14, 9, 9]];
        let data = pack_rows(&mut rows);
        assert_eq!(
            unpack_rows::<3>(&data).expect("unpack"),
            vec![[0, 300, 301], [3, 1, 1], [14, 11, 14]]
        );
        assert!(unpack_rows::<3>(&data[..data.len() - 1]).is_err());
        assert!(unpack_rows::<2>(&[]).expect("empty").is_empty());
    }
}
