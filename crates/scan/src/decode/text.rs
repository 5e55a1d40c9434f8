//! Plain text: cut into segments of at most `max` bytes at line ends (or white space, for
//! lines longer than that), so a 1 GB line costs linear time and bounded memory.

use super::{bytes_to_text, DecodeError, Sink};
use crate::segment::SegCtx;

/// Emits `data` as text segments with context `ctx`.
pub fn decode(
    data: &[u8],
    max: usize,
    ctx: &SegCtx<'_>,
    sink: &mut dyn Sink,
) -> Result<(), DecodeError> {
    let data = data.strip_prefix(b"\xef\xbb\xbf").unwrap_or(data);
    for chunk in chunks(data, max) {
        sink.segment(&bytes_to_text(chunk), ctx)?;
    }
    Ok(())
}

/// Emits an already decoded string as segments.
pub fn decode_str(
    text: &str,
    max: usize,
    ctx: &SegCtx<'_>,
    sink: &mut dyn Sink,
) -> Result<(), DecodeError> {
    for chunk in chunks(text.as_bytes(), max) {
        // Cuts are at ASCII bytes or before a UTF-8 lead byte, so chunks stay valid.
        sink.segment(&String::from_utf8_lossy(chunk), ctx)?;
    }
    Ok(())
}

/// Splits `data` into pieces of at most `max` bytes, cut after a newline when there is
/// one in the window, else after white space, else before a UTF-8 lead byte.
pub fn chunks(data: &[u8], max: usize) -> impl Iterator<Item = &[u8]> {
    let max = max.max(64);
    let mut rest = data;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        if rest.len() <= max {
            let out = rest;
            rest = &[];
            return Some(out);
        }
        let window = &rest[..max];
        let cut = memchr::memrchr(b'\n', window)
            .or_else(|| {
                window
                    .iter()
                    .rposition(|b| matches!(b, b' ' | b'\t' | b'\r'))
            })
            .map(|p| p + 1)
            .unwrap_or_else(|| {
                let mut c = max;
                while c > 1 && (rest[c] & 0xC0) == 0x80 {
                    c -= 1;
                }
                c
            });
        let (out, tail) = rest.split_at(cut);
        rest = tail;
        Some(out)
    })
}

/// Splits `data` into about `n` parts for parallel scanning, cut after a newline when
/// one is within `max` bytes past the ideal cut, else the way [`chunks`] cuts. Scanning
/// the parts gives the same findings as scanning the whole (for anything that contains
/// no line break — and, on lines longer than `max`, no white space).
pub fn split(data: &[u8], n: usize, max: usize) -> Vec<&[u8]> {
    let n = n.max(1);
    let target = data.len().div_ceil(n).max(1);
    let mut parts = Vec::with_capacity(n);
    let mut rest = data;
    while parts.len() + 1 < n && rest.len() > target + max {
        let window = &rest[target..target + max];
        let cut = match memchr::memchr(b'\n', window) {
            Some(p) => target + p + 1,
            None => {
                // A giant line: reuse the chunk cutter on the window ending at `target`.
                let from = target.saturating_sub(max);
                let first = chunks(&rest[from..], max).next().map_or(0, <[u8]>::len);
                from + first
            }
        };
        let (head, tail) = rest.split_at(cut.max(1));
        parts.push(head);
        rest = tail;
    }
    parts.push(rest);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_parts_cover_the_input_at_safe_cuts() {
        let text = "alpha beta@x.de gamma\n".repeat(10_000);
        let parts = split(text.as_bytes(), 4, 64);
        assert_eq!(parts.len(), 4);
        assert_eq!(parts.concat(), text.as_bytes());
        assert!(parts[..3].iter().all(|p| p.ends_with(b"\n")));
        let line = "word beta@x.de ".repeat(10_000);
        let parts = split(line.as_bytes(), 3, 64);
        assert_eq!(parts.concat(), line.as_bytes());
        assert!(parts[..parts.len() - 1].iter().all(|p| p.ends_with(b" ")));
    }

    #[test]
    fn chunks_cut_at_lines_then_spaces() {
        let data = b"aaaa bbbb\ncccc dddd eeee ffff gggg";
        let c: Vec<&[u8]> = chunks(data, 64).collect();
        assert_eq!(c, [&data[..]]);
        let long = "word ".repeat(100);
        let c: Vec<&[u8]> = chunks(long.as_bytes(), 64).collect();
        assert!(c.iter().all(|p| p.len() <= 64 && p.ends_with(b" ")));
        assert_eq!(c.concat(), long.as_bytes());
        let utf = "é".repeat(100);
        let c: Vec<&[u8]> = chunks(utf.as_bytes(), 65).collect();
        assert!(c.iter().all(|p| std::str::from_utf8(p).is_ok()));
    }
}
