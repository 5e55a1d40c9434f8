//! Finding digits fast: most text has few, so detectors that need numbers (cards, IBANs)
//! skip 32 bytes at a time until one appears, then look only at the digit runs.

/// The bytes looked at in one step.
const BLOCK: usize = 32;

/// A bit per byte of `block` that is an ASCII digit: two SSE2 compares and a movemask
/// per 16 bytes (SSE2 is part of every x86-64), four times the bytes of the 64-bit SWAR
/// test it replaced; the compiler does not find `pmovmskb` in the portable loop.
#[cfg(target_arch = "x86_64")]
#[inline]
fn digit_mask(block: &[u8; BLOCK]) -> u32 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_set1_epi8,
        _mm_sub_epi8,
    };
    // SAFETY: SSE2 is in the x86-64 baseline, and each unaligned load reads 16 bytes
    // that lie inside `block` (offsets 0 and 16 of 32).
    unsafe {
        let digits = |v: __m128i| {
            // A byte is a digit when (byte - '0') wraps to at most 9.
            let t = _mm_sub_epi8(v, _mm_set1_epi8(b'0' as i8));
            _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(t, _mm_set1_epi8(9)), t)) as u32
        };
        let lo = _mm_loadu_si128(block.as_ptr().cast());
        let hi = _mm_loadu_si128(block.as_ptr().add(16).cast());
        (digits(lo) & 0xffff) | (digits(hi) << 16)
    }
}

/// A bit per byte of `block` that is an ASCII digit (portable).
#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn digit_mask(block: &[u8; BLOCK]) -> u32 {
    let mut m = 0u32;
    for (k, &x) in block.iter().enumerate() {
        m |= u32::from(x.is_ascii_digit()) << k;
    }
    m
}

/// The position of the first ASCII digit at or after `from`.
pub fn next_digit(b: &[u8], from: usize) -> Option<usize> {
    let tail = b.get(from..)?;
    let mut blocks = tail.chunks_exact(BLOCK);
    let mut i = from;
    for block in &mut blocks {
        let m = block.try_into().map_or(0, digit_mask);
        if m != 0 {
            return Some(i + m.trailing_zeros() as usize);
        }
        i += BLOCK;
    }
    blocks
        .remainder()
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
    fn block_digit_search_matches_the_naive_one() {
        let mut x: u32 = 12345;
        for _ in 0..2000 {
            let mut buf = Vec::new();
            for _ in 0..100 {
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
