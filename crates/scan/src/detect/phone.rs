//! Phone numbers: cheap candidates (a phone-named field, a leading `+`, or a phone label
//! before the number) validated and normalised to E.164 by libphonenumber's rules.

use super::is_word_byte;
use crate::segment::{FieldClass, SegCtx};
use leakdex_core::{Finding, Kind};
use phonenumber::{country::Id, Mode};
use std::collections::HashMap;
use std::sync::{LazyLock, RwLock};

use super::DetectConfig;

/// Words that announce a phone number when a colon follows (`Tel:`, `Tél.:`, `M:`);
/// `Tel.` announces one without a colon too.
const LABELS: &[&str] = &[
    "tel",
    "tel.",
    "phone",
    "mobile",
    "mob",
    "mobil",
    "fax",
    "cell",
    "t",
    "m",
    "f",
    "telefon",
    "tél",
    "tél.",
    "tfno",
    "teléfono",
    "telefono",
    "téléphone",
    "handy",
];

static TEL_DOT: LazyLock<memchr::memmem::Finder<'static>> =
    LazyLock::new(|| memchr::memmem::Finder::new(b"el."));

/// Where the number after each phone label starts.
fn labelled_starts(b: &[u8], starts: &mut Vec<usize>) {
    let mut push_after = |mut i: usize| {
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
        if i < b.len() && (b[i].is_ascii_digit() || b[i] == b'(' || b[i] == b'+') {
            starts.push(i);
        }
    };
    for colon in memchr::memchr_iter(b':', b) {
        let mut w = colon;
        while w > 0 && (b[w - 1].is_ascii_alphabetic() || b[w - 1] >= 0x80 || b[w - 1] == b'.') {
            w -= 1;
        }
        if w == colon || colon - w > 12 || (w > 0 && is_word_byte(b[w - 1])) {
            continue;
        }
        let word = &b[w..colon];
        if LABELS
            .iter()
            .any(|l| l.as_bytes().eq_ignore_ascii_case(word))
        {
            push_after(colon + 1);
        }
    }
    for p in TEL_DOT.find_iter(b) {
        // `Tel.` / `tel.` / `TEL.` as a word, not followed by a colon (handled above).
        if p >= 1
            && b[p - 1].eq_ignore_ascii_case(&b't')
            && (p < 2 || !is_word_byte(b[p - 2]))
            && b.get(p + 3) != Some(&b':')
        {
            push_after(p + 3);
        }
    }
}

/// Appends a `phone` finding for each valid number in `text`.
pub fn detect(text: &str, ctx: &SegCtx<'_>, cfg: &DetectConfig, out: &mut Vec<Finding>) {
    let region = ctx.region.unwrap_or(cfg.default_region);
    if ctx.class == FieldClass::Phone {
        let t = text.trim();
        let digits = t.bytes().filter(u8::is_ascii_digit).count();
        if t.len() <= 40 && (7..=15).contains(&digits) {
            if let Some(e164) = validate(t, region) {
                out.push(Finding::plain(Kind::Phone, e164));
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
    labelled_starts(b, &mut starts);
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
            out.push(Finding::plain(Kind::Phone, e164));
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

/// Readies libphonenumber for a scan, on a thread of its own (its metadata takes ~0.4 s
/// to load), and enlarges its regex cache: phonenumber 0.3 keeps only 100 compiled
/// patterns, so numbers from more than a handful of countries recompiled regexes on
/// nearly every parse — a 1 GB corpus of 3000 organisations in 15 countries scanned at
/// 5 MB/s. Patterns are compiled on first use only, so memory follows the countries seen.
pub fn prepare() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::thread::spawn(|| {
            let db = &*phonenumber::metadata::DATABASE;
            if let Ok(mut cache) = db.cache().lock() {
                *cache = regex_cache::RegexCache::new(REGEX_CACHE);
            }
            drop(phonenumber::parse(None, "+1 202 555 0100"));
        });
    });
}

/// Compiled libphonenumber patterns kept (about 15 a country).
const REGEX_CACHE: usize = 2048;

/// Answers already computed, shared by all threads: a leak repeats the same numbers
/// endlessly and each libphonenumber verdict costs ~0.1 ms. Bounded: cleared when full.
static VERDICTS: LazyLock<RwLock<Verdicts>> = LazyLock::new(RwLock::default);

/// (region of a national number, its digits) → E.164 if valid.
type Verdicts = HashMap<(Option<Id>, String), Option<String>>;

fn validate(cand: &str, region: Id) -> Option<String> {
    // Separators do not change what libphonenumber makes of a number, so `030 1234567`
    // and `030-1234567` share an entry; a `(0)` trunk prefix is kept as written. An
    // international number does not depend on the region.
    let mut norm = String::with_capacity(cand.len());
    let mut rest = cand;
    while let Some(c) = rest.chars().next() {
        if rest.starts_with("(0)") {
            norm.push_str("(0)");
            rest = &rest[3..];
            continue;
        }
        if c.is_ascii_digit() || c == '+' {
            norm.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    let key = ((!norm.starts_with('+')).then_some(region), norm);
    if let Some(hit) = VERDICTS.read().ok().and_then(|m| m.get(&key).cloned()) {
        return hit;
    }
    let answer = validate_uncached(cand, region);
    if let Ok(mut m) = VERDICTS.write() {
        if m.len() >= 1_000_000 {
            m.clear();
        }
        m.insert(key, answer.clone());
    }
    answer
}

fn validate_uncached(cand: &str, region: Id) -> Option<String> {
    // An international number must be parsed without a region: phonenumber 0.3 strips
    // the *given* region's national prefix even from `+…` numbers (`+49 170…` with
    // region US lost its `1`).
    let region = (!cand.trim_start().starts_with('+')).then_some(region);
    let number = phonenumber::parse(region, cand).ok()?;
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
    fn international_numbers_keep_digits_that_look_like_a_national_prefix() {
        // With the default region US (national prefix 1), phonenumber 0.3 used to turn
        // this German mobile number into +49703139568.
        assert_eq!(phones("Mobile: +49 170 3139568"), ["+491703139568"]);
        assert_eq!(phones("+43 1 5933470"), ["+4315933470"]);
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
