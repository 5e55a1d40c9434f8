//! Finding digits fast: most text has few, so detectors that need numbers (cards, IBANs)
//! skip eight bytes at a time until one appears, then look only at the digit runs.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Whether any byte of `x` is an ASCII digit (bit-twiddling `hasbetween`; bytes with the
/// high bit set never match).
fn has_digit(x: u64) -> bool {
    const M: u64 = b'0' as u64 - 1;
    const N: u64 = b'9' as u64 + 1;
    let low = x & (ONES * 127);
    ((ONES * (127 + N)).wrapping_sub(low) & !x & (low + ONES * (127 - M)) & HIGH) != 0
}

/// The position of the first ASCII digit at or after `from`.
pub fn next_digit(b: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i + 8 <= b.len() {
        let mut w = [0u8; 8];
        w.copy_from_slice(&b[i..i + 8]);
        if has_digit(u64::from_le_bytes(w)) {
            break;
        }
        i += 8;
    }
    b.get(i..)?
        .iter()
        .position(u8::is_ascii_digit)
        .map(|p| i + p)
}

/// Maximal runs of digits joined by single spaces or dashes (`4111 1111-1111 1111`), as
/// `(start, end, digit count)`.
pub fn digit_spans(b: &[u8]) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        let start = next_digit(b, i)?;
        let mut j = start;
        let mut digits = 0;
        while j < b.len() {
            if b[j].is_ascii_digit() {
                digits += 1;
                j += 1;
            } else if matches!(b[j], b' ' | b'-') && b.get(j + 1).is_some_and(u8::is_ascii_digit) {
                j += 1;
            } else {
                break;
            }
        }
        i = j;
        Some((start, j, digits))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swar_digit_search_matches_the_naive_one() {
        let mut x: u32 = 12345;
        for _ in 0..2000 {
            let mut buf = Vec::new();
            for _ in 0..40 {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                // Mostly letters and UTF-8 bytes, now and then a digit.
                let b = match x % 23 {
                    0 => b'0' + (x % 10) as u8,
                    1 => 0xC3,
                    2 => b'/',
                    3 => b':',
                    _ => b'a' + (x % 26) as u8,
                };
                buf.push(b);
            }
            for from in 0..buf.len() {
                let naive = buf[from..]
                    .iter()
                    .position(u8::is_ascii_digit)
                    .map(|p| p + from);
                assert_eq!(next_digit(&buf, from), naive, "{buf:?} from {from}");
            }
        }
    }

    #[test]
    fn spans_join_single_separators() {
        let t = b"card 4111 1111-1111 1111, 2024-03-12  42";
        let spans: Vec<_> = digit_spans(t).collect();
        assert_eq!(spans, [(5, 24, 16), (26, 36, 8), (38, 40, 2)]);
    }
}
