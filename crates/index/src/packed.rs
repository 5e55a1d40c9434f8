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
    let mut at = 0;
    let mut id: u64 = 0;
    while at < data.len() {
        let (Some(delta), Some(count)) = (get(data, &mut at), get(data, &mut at)) else {
            return Err(crate::Error::Invalid(
                "a blob's packed values are damaged".into(),
            ));
        };
        id = id.saturating_add(delta);
        out.push((i64::try_from(id).unwrap_or(i64::MAX), count));
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
}
