//! Payment cards: 13–19 digits (contiguous, in fours, or Amex 4-6-5) passing Luhn and a
//! known IIN range. Leaves the detector masked.

use super::is_word_byte;
use super::numbers::digit_spans;
use super::Findings;
use leakdex_core::{mask_card, value_key, Kind};
use regex::Regex;
use std::sync::LazyLock;

static CARD: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"[0-9]{4}[ -][0-9]{4}[ -][0-9]{4}[ -][0-9]{4}(?:[ -][0-9]{1,3})?|[0-9]{4}[ -][0-9]{6}[ -][0-9]{5}|[0-9]{13,19}",
    )
    .ok()
});

/// Appends a masked `card` finding for each valid card number in `text`.
pub fn detect(text: &str, out: &mut Findings) {
    let spans: Vec<_> = digit_spans(text.as_bytes()).collect();
    detect_in(text, &spans, out);
}

/// [`detect`] over digit spans already found (shared with the IBAN detector).
pub fn detect_in(text: &str, spans: &[(usize, usize, usize)], out: &mut Findings) {
    let b = text.as_bytes();
    let Some(re) = CARD.as_ref() else { return };
    for &(s, e, digits) in spans {
        if digits < 13 {
            continue;
        }
        // Spans start and end at ASCII digits: char boundaries.
        for m in re.find_iter(&text[s..e]) {
            let (ms, me) = (s + m.start(), s + m.end());
            if (ms > 0 && (is_word_byte(b[ms - 1]) || b[ms - 1] == b'-'))
                || (me < b.len() && (is_word_byte(b[me]) || b[me] == b'-'))
            {
                continue;
            }
            let digits: String = m.as_str().chars().filter(char::is_ascii_digit).collect();
            if is_card(&digits) {
                out.push_keyed(Kind::Card, &mask_card(&digits), &value_key("card", &digits));
            }
        }
    }
}

/// Luhn and IIN check of a digit string.
pub fn is_card(digits: &str) -> bool {
    let len = digits.len();
    if !(13..=19).contains(&len) || !luhn(digits) {
        return false;
    }
    let p = |n: usize| digits[..n].parse::<u32>().unwrap_or(0);
    match digits.as_bytes()[0] {
        b'4' => matches!(len, 13 | 16 | 19),
        b'5' => (51..=55).contains(&p(2)) && len == 16,
        b'2' => (2221..=2720).contains(&p(4)) && len == 16,
        b'3' => {
            (matches!(p(2), 34 | 37) && len == 15)
                || ((3528..=3589).contains(&p(4)) && len >= 16)
                || (((300..=305).contains(&p(3)) || matches!(p(2), 36 | 38 | 39)) && len >= 14)
        }
        b'6' => (p(4) == 6011 || (644..=649).contains(&p(3)) || p(2) == 65) && len >= 16,
        _ => false,
    }
}

/// The Luhn checksum.
pub fn luhn(digits: &str) -> bool {
    let mut sum = 0u32;
    for (i, c) in digits.bytes().rev().enumerate() {
        let mut d = u32::from(c.wrapping_sub(b'0'));
        if d > 9 {
            return false;
        }
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::values;
    use crate::segment::SegCtx;
    use leakdex_core::Kind;

    fn cards(t: &str) -> Vec<String> {
        values(t, &SegCtx::text("line"), Kind::Card)
    }

    #[test]
    fn finds_valid_cards_in_their_formats() {
        assert_eq!(cards("card 4111111111111111 exp"), ["****1111"]);
        assert_eq!(cards("4111 1111 1111 1111"), ["****1111"]);
        assert_eq!(cards("5500-0000-0000-0004"), ["****0004"]);
        assert_eq!(cards("Amex 3782 822463 10005"), ["****0005"]);
    }

    #[test]
    fn rejects_luhn_failures_and_long_runs() {
        assert!(cards("4111111111111112").is_empty());
        assert!(cards("94111111111111111").is_empty()); // no IIN match
        assert!(cards("12345678901234567890123").is_empty());
        assert!(cards("ID-4111111111111111").is_empty());
        assert!(cards("9999 1111 1111 1111").is_empty());
    }
}
