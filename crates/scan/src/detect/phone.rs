//! Phone numbers: cheap candidates (a phone-named field, a leading `+`, or a phone label
//! before the number) validated and normalised to E.164 by libphonenumber's rules.

use super::{is_word_byte, plain};
use crate::segment::{FieldClass, SegCtx};
use aho_corasick::AhoCorasick;
use leakdex_core::{Finding, Kind};
use phonenumber::{country::Id, Mode};
use std::sync::LazyLock;

use super::DetectConfig;

/// Labels that announce a phone number on the same line.
const LABELS: &[&str] = &[
    "tel:",
    "tel.:",
    "tel.",
    "phone:",
    "mobile:",
    "mob:",
    "mobil:",
    "fax:",
    "cell:",
    "t:",
    "m:",
    "f:",
    "telefon:",
    "tél:",
    "tél.:",
    "tfno:",
    "teléfono:",
    "telefono:",
    "téléphone:",
    "handy:",
];

static LABEL_FINDER: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(LABELS)
        .ok()
});

/// Appends a `phone` finding for each valid number in `text`.
pub fn detect(text: &str, ctx: &SegCtx<'_>, cfg: &DetectConfig, out: &mut Vec<Finding>) {
    let region = ctx.region.unwrap_or(cfg.default_region);
    if ctx.class == FieldClass::Phone {
        let t = text.trim();
        let digits = t.bytes().filter(u8::is_ascii_digit).count();
        if t.len() <= 40 && (7..=15).contains(&digits) {
            if let Some(e164) = validate(t, region) {
                out.push(plain(Kind::Phone, e164, ctx));
            }
        }
        return;
    }
    let b = text.as_bytes();
    let mut starts: Vec<usize> = Vec::new();
    for plus in memchr::memchr_iter(b'+', b) {
        if b.get(plus + 1).is_some_and(u8::is_ascii_digit)
            && (plus == 0 || !is_word_byte(b[plus - 1]))
        {
            starts.push(plus);
        }
    }
    if let Some(finder) = LABEL_FINDER.as_ref() {
        for m in finder.find_iter(b) {
            if m.start() > 0 && is_word_byte(b[m.start() - 1]) {
                continue;
            }
            let mut i = m.end();
            while i < b.len() && b[i] == b' ' {
                i += 1;
            }
            if i < b.len() && (b[i].is_ascii_digit() || b[i] == b'(' || b[i] == b'+') {
                starts.push(i);
            }
        }
    }
    if starts.is_empty() {
        return;
    }
    starts.sort_unstable();
    starts.dedup();
    let mut covered = 0;
    for s in starts {
        if s < covered {
            continue;
        }
        let e = candidate_end(b, s);
        // `s` and `e` sit on ASCII bytes, so the slice is on char boundaries.
        let cand = &text[s..e];
        let digits = cand.bytes().filter(u8::is_ascii_digit).count();
        if !(7..=15).contains(&digits) {
            continue;
        }
        if let Some(e164) = validate(cand, region) {
            out.push(plain(Kind::Phone, e164, ctx));
            covered = e;
        }
    }
}

/// The end of a number starting at `s`: digits and single separators, on one line.
fn candidate_end(b: &[u8], s: usize) -> usize {
    let mut i = s;
    if b.get(i) == Some(&b'+') {
        i += 1;
    }
    let mut end = i;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() || c == b')' {
            i += 1;
            end = i;
        } else if matches!(c, b' ' | b'-' | b'.' | b'/' | b'(') {
            if b.get(i + 1) == Some(&b' ') {
                break;
            }
            i += 1;
        } else {
            break;
        }
    }
    if end < b.len() && is_word_byte(b[end]) {
        // `12345678abc` is an identifier, not a number.
        return s;
    }
    end
}

fn validate(cand: &str, region: Id) -> Option<String> {
    let number = phonenumber::parse(Some(region), cand).ok()?;
    if !phonenumber::is_valid(&number) {
        return None;
    }
    Some(number.format().mode(Mode::E164).to_string())
}

#[cfg(test)]
mod tests {
    use super::super::testutil::values;
    use crate::segment::{FieldClass, SegCtx};
    use leakdex_core::Kind;
    use phonenumber::country::Id;

    fn phones(t: &str) -> Vec<String> {
        values(t, &SegCtx::text("body"), Kind::Phone)
    }

    #[test]
    fn finds_labelled_and_international_numbers() {
        assert_eq!(phones("Tel: +49 30 12345678"), ["+493012345678"]);
        assert_eq!(phones("call +44 20 7946 0321 today"), ["+442079460321"]);
        let ctx = SegCtx {
            region: Some(Id::DE),
            ..SegCtx::text("body")
        };
        assert_eq!(
            values("Telefon: 030 12345678", &ctx, Kind::Phone),
            ["+493012345678"]
        );
    }

    #[test]
    fn phone_columns_take_national_numbers_in_the_rows_region() {
        let ctx = SegCtx::cell("Phone", FieldClass::Phone, Some(Id::FR));
        assert_eq!(
            values("01 42 68 53 00", &ctx, Kind::Phone),
            ["+33142685300"]
        );
    }

    #[test]
    fn dates_and_order_numbers_are_not_phones() {
        for t in [
            "2024-03-12",
            "Order 2024-004512 of 12.03.2024",
            "INV-2024-000123",
            "Invoice 30123456 dated 2024-03-12",
            "amount +100.00 EUR",
            "ticket 4930123456789",
        ] {
            assert!(phones(t).is_empty(), "{t}");
        }
    }
}
