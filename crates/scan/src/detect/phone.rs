//! Phone numbers: cheap candidates (a phone-named field, a leading `+`, or a phone label
//! before the number) validated and normalised to E.164 by libphonenumber's rules.

use super::is_word_byte;
use super::Findings;
use crate::segment::{FieldClass, SegCtx};
use leakdex_core::Kind;
use phonenumber::{country::Id, Mode};
use std::collections::HashMap;
use std::sync::LazyLock;

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
pub fn detect(text: &str, ctx: &SegCtx<'_>, cfg: &DetectConfig, out: &mut Findings) {
    let region = ctx.region.unwrap_or(cfg.default_region);
    if ctx.class == FieldClass::Phone {
        let t = text.trim();
        let digits = t.bytes().filter(u8::is_ascii_digit).count();
        if t.len() <= 40 && (7..=15).contains(&digits) {
            validate(t, region, out);
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
        if validate(cand, region, out) {
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

/// Readies libphonenumber for a scan, on a thread of its own (a one-line scan, metadata
/// load included, takes ~18 ms). Its patterns are parsed and compiled on first use and kept — our patched
/// `regex-cache` (`vendor/regex-cache`) holds each compiled pattern in the metadata
/// itself, where upstream parsed every country's patterns at load (~60 ms) and looked
/// each up in a 100-entry LRU behind one global mutex held during the match: numbers
/// from more than a handful of countries recompiled regexes on nearly every parse (a 1 GB
/// corpus of 15 countries scanned at 5 MB/s), and threads validating numbers ran one at a
/// time. Memory follows the countries seen.
pub fn prepare() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::thread::spawn(|| drop(phonenumber::parse(None, "+1 202 555 0100")));
    });
}

/// (region of a national number, its digits) → E.164 if valid.
type Verdicts = HashMap<(Option<Id>, NumberKey), Option<E164>, foldhash::fast::RandomState>;

/// A valid number's E.164 digits as one integer, inline in its verdict: an answer kept as
/// a string on the heap was a second cache miss on every lookup (its copy into the
/// findings 3% of a corpus scan's samples). Up to 15 digits, the first never `0`, so the
/// integer gives the digits back exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct E164(std::num::NonZeroU64);

impl E164 {
    /// `+` and 1–19 digits, the first not `0`.
    fn parse(e164: &str) -> Option<E164> {
        let digits = e164.strip_prefix('+')?;
        if digits.is_empty()
            || digits.len() > 19
            || digits.starts_with('0')
            || !digits.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        digits
            .parse()
            .ok()
            .and_then(std::num::NonZeroU64::new)
            .map(E164)
    }

    /// The number as written: `+` and the digits, in `buf`.
    fn write(self, buf: &mut [u8; 20]) -> &str {
        let mut v = self.0.get();
        let mut i = buf.len();
        while v > 0 {
            i -= 1;
            buf[i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
        i -= 1;
        buf[i] = b'+';
        // ASCII only.
        std::str::from_utf8(&buf[i..]).unwrap_or_default()
    }
}

/// A number's digits, `+` and `(0)` as written, inline: looking a verdict up allocates
/// nothing (an owned key and a cloned answer per lookup were a tenth of a text scan).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct NumberKey {
    len: u8,
    bytes: [u8; 30],
}

impl NumberKey {
    /// Separators do not change what libphonenumber makes of a number, so `030 1234567`
    /// and `030-1234567` share a key; a `(0)` trunk prefix is kept as written. `None`
    /// when the key would not fit (such a number is validated uncached).
    fn of(cand: &str) -> Option<NumberKey> {
        let mut k = NumberKey {
            len: 0,
            bytes: [0; 30],
        };
        let b = cand.as_bytes();
        let mut i = 0;
        while i < b.len() {
            let part: &[u8] = if b[i..].starts_with(b"(0)") {
                b"(0)"
            } else if b[i].is_ascii_digit() || b[i] == b'+' {
                &b[i..=i]
            } else {
                i += 1;
                continue;
            };
            let at = usize::from(k.len);
            k.bytes.get_mut(at..at + part.len())?.copy_from_slice(part);
            k.len += part.len() as u8;
            i += part.len();
        }
        Some(k)
    }

    fn international(&self) -> bool {
        self.len > 0 && self.bytes[0] == b'+'
    }
}

thread_local! {
    /// Answers already computed by this thread: a leak repeats the same numbers
    /// endlessly and a new libphonenumber verdict costs a few µs (more for a country's
    /// first numbers, whose patterns compile then). Each thread keeps its own, touching
    /// no memory another thread writes. A map shared by all threads behind a lock, asked
    /// on every miss here and written with every new number, cost more than it saved:
    /// without it text with a distinct phone on every line scans 14% faster, the 1 GB
    /// corpus and the text benchmark are level (docs/PERFORMANCE.md); a number is at
    /// worst validated once per thread.
    static LOCAL: std::cell::RefCell<Verdicts> = std::cell::RefCell::default();
}

/// Verdicts a thread keeps before it clears them: the table's 262,144 slots at 7/8
/// (41 bytes a slot, ~11 MB).
const LOCAL_MAX: usize = 229_376;

/// Verdict caches of threads that ended, for the next ones: a big text file is scanned
/// by threads started for it ([`borrow_verdicts`]), which would otherwise begin with
/// nothing learnt.
static STASH: std::sync::Mutex<Vec<Verdicts>> = std::sync::Mutex::new(Vec::new());

/// Caches kept in [`STASH`] at most.
const STASH_MAX: usize = 8;

/// Gives this thread a stashed verdict cache until the returned guard drops, when the
/// thread's cache goes back to the stash.
pub(crate) fn borrow_verdicts() -> VerdictLoan {
    if let Some(m) = STASH.lock().ok().and_then(|mut s| s.pop()) {
        LOCAL.with_borrow_mut(|local| *local = m);
    }
    VerdictLoan(())
}

/// See [`borrow_verdicts`].
pub(crate) struct VerdictLoan(());

impl Drop for VerdictLoan {
    fn drop(&mut self) {
        let m = LOCAL.with_borrow_mut(std::mem::take);
        if let Ok(mut s) = STASH.lock() {
            if s.len() < STASH_MAX {
                s.push(m);
            }
        }
    }
}

/// Pushes the E.164 form of `cand` when it is a valid number; says whether it was.
fn validate(cand: &str, region: Id, out: &mut Findings) -> bool {
    // An international number does not depend on the region.
    let Some(k) = NumberKey::of(cand) else {
        return push(out, validate_uncached(cand, region).as_deref());
    };
    let key = ((!k.international()).then_some(region), k);
    let local = LOCAL.with_borrow(|m| m.get(&key).copied());
    if let Some(verdict) = local {
        let mut buf = [0; 20];
        return push(out, verdict.map(|e| e.write(&mut buf)));
    }
    let answer = validate_uncached(cand, region);
    let valid = push(out, answer.as_deref());
    // An answer the integer cannot hold (none: E.164 has at most 15 digits) stays
    // uncached.
    let verdict = match answer.as_deref() {
        Some(e) => match E164::parse(e) {
            Some(v) => Some(v),
            None => return valid,
        },
        None => None,
    };
    LOCAL.with_borrow_mut(|m| {
        if m.len() >= LOCAL_MAX {
            m.clear();
        }
        m.insert(key, verdict);
    });
    valid
}

fn push(out: &mut Findings, e164: Option<&str>) -> bool {
    if let Some(e) = e164 {
        out.push(Kind::Phone, e);
    }
    e164.is_some()
}

fn validate_uncached(cand: &str, region: Id) -> Option<String> {
    if let Some(answer) = international(cand) {
        return answer;
    }
    // An international number must be parsed without a region: phonenumber 0.3 strips
    // the *given* region's national prefix even from `+…` numbers (`+49 170…` with
    // region US lost its `1`).
    let region = (!cand.trim_start().starts_with('+')).then_some(region);
    let number = phonenumber::parse(region, cand).ok()?;
    if !is_valid(&number) {
        return None;
    }
    Some(number.format().mode(Mode::E164).to_string())
}

/// The answer of [`validate_uncached`] for a plain international number — `+`, then
/// digits with spaces or hyphens between them — without the crate's
/// parser, whose grammar, normalisation and allocations cost more than the validation
/// itself (42% of a scan of distinct numbers, session 11's profile). `None`
/// when the crate must decide: anything else, and every number the crate would change
/// beyond taking its country code off — a national part starting with `0`, or with a
/// national prefix of a region of its code (which the crate strips, even after a `+`).
/// What is left is what the crate does to such a number: the country code is the
/// shortest run of 1–3 leading digits that is one (codes are prefix-free), the rest is
/// the national number. Test `international_numbers_answer_as_the_crate_does`.
fn international(cand: &str) -> Option<Option<String>> {
    use phonenumber::metadata::DATABASE;
    let rest = cand.strip_prefix('+')?;
    // Without a space the crate reads `+` and digits with hyphens as an RFC 3966 number,
    // whose country code is all the digits before the first hyphen (`+4209001-23456` is
    // no number; `+420 9001-23456` is one).
    if rest.contains('-') && !rest.contains(' ') {
        return None;
    }
    let mut digits = [0u8; 32];
    let mut n = 0;
    for &c in rest.as_bytes() {
        match c {
            b'0'..=b'9' => {
                *digits.get_mut(n)? = c;
                n += 1;
            }
            // Not `.` or `/`: the crate reads `+96892/1254.5.6` as no number at all.
            b' ' | b'-' => {}
            _ => return None,
        }
    }
    // ASCII digits, so the conversion cannot fail.
    let digits = std::str::from_utf8(digits.get(..n)?).ok()?;
    if digits.starts_with('0') {
        return None;
    }
    let (code, national, metas) = (1..=3.min(n)).find_map(|len| {
        let code: u16 = digits.get(..len)?.parse().ok()?;
        Some((code, digits.get(len..)?, DATABASE.by_code(&code)?))
    })?;
    if !(3..=17).contains(&national.len()) || national.starts_with('0') {
        return None;
    }
    for meta in metas {
        if meta
            .national_prefix()
            .is_some_and(|p| national.starts_with(p))
            || meta
                .national_prefix_for_parsing()
                .is_some_and(|re| re.matches_at_start(national))
        {
            return None;
        }
    }
    Some(is_valid_parts(code, national).then(|| format!("+{code}{national}")))
}

/// `phonenumber::is_valid`, answered faster: a number is valid when its region's general
/// pattern and at least one typed pattern match its national number. The crate computes
/// the number's type to answer that, trying the rare types first (premium rate, toll
/// free, shared cost, VoIP, personal, pager, UAN, voicemail) and fixed line and mobile —
/// what nearly every real number is — last, each a regex search; here the common types
/// go first and the first match ends the search. The same predicate, so the same answer
/// for every number (test `validity_matches_the_crates`); on text with a phone in 1% of
/// the lines it was a third of the validation time.
fn is_valid(number: &phonenumber::PhoneNumber) -> bool {
    is_valid_parts(number.code().value(), &number.national().to_string())
}

/// [`is_valid`] of the number with country code `code` and national number `national`.
fn is_valid_parts(code: u16, national: &str) -> bool {
    use phonenumber::metadata::DATABASE;
    let Some(regions) = DATABASE.region(&code) else {
        return false;
    };
    // The region whose rules apply, as `phonenumber::validator::source_for` picks it.
    let meta = if regions.len() == 1 {
        if regions[0] == "001" {
            DATABASE.by_code(&code).and_then(|m| m.into_iter().next())
        } else {
            let id: Option<Id> = regions[0].parse().ok();
            id.and_then(|id| DATABASE.by_id(id.as_ref()))
        }
    } else {
        regions
            .iter()
            .filter_map(|r| DATABASE.by_id(*r))
            .find(|meta| match meta.leading_digits() {
                Some(pattern) => pattern.matches_at_start(national),
                None => has_a_type(meta, national),
            })
    };
    meta.is_some_and(|meta| has_a_type(meta, national))
}

/// Whether `national` is a number of some type in `meta`'s region (the crate's
/// `number_type(meta, national) != Type::Unknown`).
fn has_a_type(meta: &phonenumber::metadata::Metadata, national: &str) -> bool {
    let d = meta.descriptors();
    is_match(d.general(), national)
        && typed(d)
            .into_iter()
            .flatten()
            .any(|desc| is_match(desc, national))
}

/// The crate's `Descriptor::is_match` (a possible length, then a match of the pattern
/// starting at 0), with the pattern run anchored (`matches_at_start` of the patched
/// `regex-cache`): an unanchored search finds where the leftmost match ends, then searches
/// backwards for its start — twice the work, all of it in lazy-DFA states of its own.
fn is_match(desc: &phonenumber::metadata::Descriptor, national: &str) -> bool {
    let lengths = desc.possible_length();
    (lengths.is_empty() || u16::try_from(national.len()).is_ok_and(|n| lengths.contains(&n)))
        && desc.national_number().matches_at_start(national)
}

/// The typed patterns of a region that make a number valid, the common types first.
fn typed(
    d: &phonenumber::metadata::Descriptors,
) -> [Option<&phonenumber::metadata::Descriptor>; 10] {
    [
        d.fixed_line(),
        d.mobile(),
        d.toll_free(),
        d.premium_rate(),
        d.shared_cost(),
        d.voip(),
        d.personal_number(),
        d.pager(),
        d.uan(),
        d.voicemail(),
    ]
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{values, xorshift};
    use crate::segment::{FieldClass, SegCtx};
    use leakdex_core::Kind;
    use phonenumber::{country::Id, Mode};

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

    /// A region's example numbers of every pattern its metadata has (not the list
    /// `is_valid` tries: a type left out there must show in the tests).
    fn examples(meta: &phonenumber::metadata::Metadata) -> impl Iterator<Item = &str> {
        use phonenumber::Type::*;
        let d = meta.descriptors();
        [
            FixedLine,
            Mobile,
            TollFree,
            PremiumRate,
            SharedCost,
            PersonalNumber,
            Voip,
            Pager,
            Uan,
            Emergency,
            Voicemail,
            ShortCode,
            StandardRate,
            Carrier,
            NoInternational,
        ]
        .into_iter()
        .filter_map(move |t| d.get(t)?.example())
    }

    /// The fast validity check answers as `phonenumber::is_valid` does: every region's
    /// example numbers of every type, each with a digit changed, dropped and added, and
    /// pseudo-random numbers behind every country code.
    #[test]
    fn validity_matches_the_crates() {
        use phonenumber::metadata::DATABASE;
        let mut numbers: Vec<String> = Vec::new();
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
        for meta in DATABASE.iter() {
            let code = meta.country_code();
            for ex in examples(meta) {
                numbers.push(format!("+{code}{ex}"));
                for i in 0..ex.len() {
                    let (a, b) = ex.split_at(i);
                    let digit = (next() % 10).to_string();
                    numbers.push(format!("+{code}{a}{}", &b[1..]));
                    numbers.push(format!("+{code}{a}{digit}{b}"));
                    numbers.push(format!("+{code}{a}{digit}{}", &b[1..]));
                }
            }
            for _ in 0..200 {
                let len = 4 + next() % 11;
                let digits: String = (0..len)
                    .map(|_| char::from(b'0' + (next() % 10) as u8))
                    .collect();
                numbers.push(format!("+{code}{digits}"));
            }
        }
        let (mut parsed, mut valid) = (0, 0);
        for n in &numbers {
            let Ok(number) = phonenumber::parse(None, n) else {
                continue;
            };
            parsed += 1;
            let expected = phonenumber::is_valid(&number);
            valid += usize::from(expected);
            assert_eq!(super::is_valid(&number), expected, "{n}");
        }
        // Enough of both answers that the comparison means something.
        assert!(
            parsed > 50_000 && valid > 5_000,
            "{parsed} parsed, {valid} valid"
        );
    }

    /// A verdict kept as an integer gives back the E.164 text it was made of, and what
    /// is not E.164 is not kept.
    #[test]
    fn cached_answers_give_the_number_back_exactly() {
        use super::E164;
        for e in [
            "+493012345678",
            "+12025550100",
            "+1",
            "+999999999999999",
            "+4930120",
        ] {
            let mut buf = [0; 20];
            assert_eq!(
                E164::parse(e)
                    .map(|v| v.write(&mut buf).to_string())
                    .as_deref(),
                Some(e)
            );
        }
        for not in [
            "+",
            "+0301234",
            "493012345678",
            "+49 30",
            "+12345678901234567890",
            "",
        ] {
            assert_eq!(E164::parse(not), None, "{not}");
        }
        // A verdict is read from the cache as it was computed.
        let ctx = SegCtx::cell("phone", FieldClass::Phone, Some(Id::DE));
        for _ in 0..3 {
            assert_eq!(values("030 12345678", &ctx, Kind::Phone), ["+493012345678"]);
        }
    }

    /// Every international number the parser-free path answers, it answers as the crate
    /// does ([`super::validate_uncached`] without it): every region's example numbers of
    /// every type behind its code — as written, with a digit changed, with a national
    /// prefix or a `0` before them, cut short and made long — and pseudo-random digits
    /// behind every code, each with spaces, hyphens, dots or slashes between digits.
    #[test]
    fn international_numbers_answer_as_the_crate_does() {
        use phonenumber::metadata::DATABASE;
        let mut next = xorshift(0x2545_f491_4f6c_dd1d);
        let mut nationals: Vec<(u16, String)> = Vec::new();
        for meta in DATABASE.iter() {
            let code = meta.country_code();
            for ex in examples(meta) {
                let changed: String = ex
                    .chars()
                    .enumerate()
                    .map(|(i, c)| {
                        if i == ex.len() / 2 {
                            char::from(b'0' + (next() % 10) as u8)
                        } else {
                            c
                        }
                    })
                    .collect();
                nationals.push((code, ex.to_string()));
                nationals.push((code, changed));
                nationals.push((code, format!("0{ex}")));
                nationals.push((
                    code,
                    format!("{}{ex}", meta.national_prefix().unwrap_or("1")),
                ));
                nationals.push((code, ex[..ex.len().saturating_sub(2)].to_string()));
                nationals.push((code, format!("{ex}{}", next() % 1000)));
            }
            for _ in 0..100 {
                let len = 5 + next() % 10;
                nationals.push((
                    code,
                    (0..len)
                        .map(|_| char::from(b'0' + (next() % 10) as u8))
                        .collect(),
                ));
            }
        }
        let (mut answered, mut valid) = (0, 0);
        for (code, national) in nationals {
            let digits = format!("{code}{national}");
            // As one run of digits, with spaces, with spaces and hyphens, with any of the
            // four separators.
            for separators in [&[][..], &[' '], &[' ', ' ', '-'], &[' ', '-', '.', '/']] {
                let mut cand = String::from("+");
                for (i, c) in digits.chars().enumerate() {
                    if i > 0 && !separators.is_empty() && next().is_multiple_of(3) {
                        cand.push(separators[(next() % separators.len() as u64) as usize]);
                    }
                    cand.push(c);
                }
                let Some(fast) = super::international(&cand) else {
                    continue;
                };
                let number = phonenumber::parse(None, &cand).ok();
                let crate_answer = number
                    .filter(phonenumber::is_valid)
                    .map(|n| n.format().mode(Mode::E164).to_string());
                assert_eq!(fast, crate_answer, "{cand}");
                answered += 1;
                valid += usize::from(fast.is_some());
            }
        }
        // Enough of both answers that the comparison means something.
        assert!(
            answered > 20_000 && valid > 3_000,
            "{answered} answered, {valid} valid"
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
