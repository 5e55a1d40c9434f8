//! IBANs: country code, check digits and the country's BBAN length, passing mod-97.
//! Leaves the detector masked.

use super::is_word_byte;
use super::numbers::digit_spans;
use super::Findings;
use leakdex_core::{mask_iban, value_key, Kind};
use regex::Regex;
use std::sync::LazyLock;

static IBAN: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?").ok()
});

/// IBAN length per country (SWIFT IBAN registry).
const LENGTHS: &[(&str, usize)] = &[
    ("AD", 24),
    ("AE", 23),
    ("AL", 28),
    ("AT", 20),
    ("AZ", 28),
    ("BA", 20),
    ("BE", 16),
    ("BG", 22),
    ("BH", 22),
    ("BR", 29),
    ("BY", 28),
    ("CH", 21),
    ("CR", 22),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DK", 18),
    ("DO", 28),
    ("EE", 20),
    ("EG", 29),
    ("ES", 24),
    ("FI", 18),
    ("FO", 18),
    ("FR", 27),
    ("GB", 22),
    ("GE", 22),
    ("GI", 23),
    ("GL", 18),
    ("GR", 27),
    ("GT", 28),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IL", 23),
    ("IQ", 23),
    ("IS", 26),
    ("IT", 27),
    ("JO", 30),
    ("KW", 30),
    ("KZ", 20),
    ("LB", 28),
    ("LC", 32),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("MC", 27),
    ("MD", 24),
    ("ME", 22),
    ("MK", 19),
    ("MR", 27),
    ("MT", 31),
    ("MU", 30),
    ("NL", 18),
    ("NO", 15),
    ("PK", 24),
    ("PL", 28),
    ("PS", 29),
    ("PT", 25),
    ("QA", 29),
    ("RO", 24),
    ("RS", 22),
    ("SA", 24),
    ("SC", 31),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("ST", 25),
    ("SV", 28),
    ("TL", 23),
    ("TN", 24),
    ("TR", 26),
    ("UA", 29),
    ("VA", 22),
    ("VG", 24),
    ("XK", 20),
];

/// Appends a masked `iban` finding for each valid IBAN in `text`.
pub fn detect(text: &str, out: &mut Findings) {
    let spans: Vec<_> = digit_spans(text.as_bytes()).collect();
    detect_in(text, &spans, out);
}

/// [`detect`] over digit spans already found (shared with the card detector).
pub fn detect_in(text: &str, spans: &[(usize, usize, usize)], out: &mut Findings) {
    let b = text.as_bytes();
    let Some(re) = IBAN.as_ref() else { return };
    // Candidates: a digit run preceded by two capital letters (`DE|89 3704…`).
    for &(run, _, _) in spans {
        if run < 2 || !b[run - 2].is_ascii_uppercase() || !b[run - 1].is_ascii_uppercase() {
            continue;
        }
        let start = run - 2;
        if start > 0 && is_word_byte(b[start - 1]) {
            continue;
        }
        let mut wend = (start + 48).min(b.len());
        while !text.is_char_boundary(wend) {
            wend -= 1;
        }
        let window = &text[start..wend];
        let Some(m) = re.find(window) else { continue };
        let Some(len) = LENGTHS
            .iter()
            .find(|(cc, _)| cc.as_bytes() == &b[start..start + 2])
            .map(|&(_, l)| l)
        else {
            continue;
        };
        // Take exactly `len` characters; what follows must be a word boundary.
        let mut compact = String::with_capacity(len);
        let mut end = start;
        for (i, c) in m.as_str().char_indices() {
            if compact.len() == len {
                break;
            }
            if c != ' ' {
                compact.push(c);
            }
            end = start + i + 1;
        }
        if compact.len() != len || (end < b.len() && is_word_byte(b[end])) {
            continue;
        }
        if is_iban(&compact) {
            out.push_keyed(
                Kind::Iban,
                &mask_iban(&compact),
                &value_key("iban", &compact),
            );
        }
    }
}

/// The mod-97 check of a compact, upper-case IBAN.
pub fn is_iban(iban: &str) -> bool {
    if iban.len() < 15 || !iban.is_ascii() {
        return false;
    }
    let (head, tail) = iban.split_at(4);
    let mut rem = 0u32;
    for c in tail.chars().chain(head.chars()) {
        let v = match c {
            '0'..='9' => c as u32 - '0' as u32,
            'A'..='Z' => c as u32 - 'A' as u32 + 10,
            _ => return false,
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}

#[cfg(test)]
mod tests {
    use super::super::testutil::values;
    use crate::segment::SegCtx;
    use leakdex_core::Kind;

    fn ibans(t: &str) -> Vec<String> {
        values(t, &SegCtx::text("line"), Kind::Iban)
    }

    #[test]
    fn finds_compact_and_grouped_ibans() {
        assert_eq!(ibans("IBAN DE89370400440532013000."), ["DE89****3000"]);
        assert_eq!(ibans("DE89 3704 0044 0532 0130 00 BIC X"), ["DE89****3000"]);
        assert_eq!(ibans("GB29 NWBK 6016 1331 9268 19"), ["GB29****6819"]);
        assert_eq!(ibans("FR76 3000 6000 0112 3456 7890 189"), ["FR76****0189"]);
    }

    #[test]
    fn rejects_wrong_check_digits() {
        assert!(ibans("DE88370400440532013000").is_empty());
        assert!(ibans("XX89370400440532013000").is_empty());
        assert!(ibans("DE8937040044053201300").is_empty());
    }
}
