//! Detectors: pure functions from a segment and its context to findings, one file per
//! kind. [`detect`] runs the ones a segment's place calls for.

pub mod card;
pub mod email;
mod findings;
pub mod iban;
pub mod names;
pub mod numbers;
pub mod phone;
pub mod secret;

use crate::segment::{FieldClass, Place, SegCtx};
pub use findings::{Findings, Found};

/// Settings the detectors share.
#[derive(Debug, Clone, Copy)]
pub struct DetectConfig {
    /// Region for national phone numbers without other evidence.
    pub default_region: phonenumber::country::Id,
}

/// Runs every detector that applies to `ctx.place` over `text`, appending findings.
pub fn detect(text: &str, ctx: &SegCtx<'_>, cfg: &DetectConfig, out: &mut Findings) {
    detect_with(text, ctx, cfg, out, Triggers::of(text));
}

/// [`detect`] with the segment's [`Triggers`] already taken.
pub fn detect_with(
    text: &str,
    ctx: &SegCtx<'_>,
    cfg: &DetectConfig,
    out: &mut Findings,
    t: Triggers,
) {
    detect_if(text, ctx, cfg, out, t.0);
}

/// [`detect`], running only the detectors whose [`TRIGGER`] bits are in `t`.
fn detect_if(text: &str, ctx: &SegCtx<'_>, cfg: &DetectConfig, out: &mut Findings, t: u8) {
    if ctx.place == Place::DisplayName {
        names::display_name(text, out);
        return;
    }
    if t & AT != 0 {
        email::detect(text, out);
    }
    if ctx.class == FieldClass::Phone || t & PHONE != 0 {
        phone::detect(text, ctx, cfg, out);
    }
    if text.len() >= 13 && t & DIGIT != 0 {
        // One pass over the digits serves both number detectors: card candidates have
        // 13+ digits, IBAN candidates two capitals before their first digit.
        let b = text.as_bytes();
        let spans: Vec<_> = numbers::digit_spans(b)
            .filter(|&(s, _, digits)| {
                digits >= 13
                    || (s >= 2 && b[s - 2].is_ascii_uppercase() && b[s - 1].is_ascii_uppercase())
            })
            .collect();
        if !spans.is_empty() {
            card::detect_in(text, &spans, out);
            iban::detect_in(text, &spans, out);
        }
    }
    // The shortest credential (`pwd=abcd`) has eight characters.
    if text.len() >= 8 && t & SECRET != 0 {
        secret::detect(text, out);
    }
    names::detect(text, ctx, out);
}

/// A bit for each byte some detector needs to find anything: an address has `@`; a phone
/// outside a phone field starts at `+`, after a label's `:`, or after `Tel.`; cards and
/// IBANs have digits; whatever a credential rule matches holds `A` (`AKIA`, `ASIA`,
/// `AccountKey=`), `P` (`PRIVATE KEY`) or a `p`/`P` (`password`, `passwd`, `pwd` in any
/// case). These follow from what the rules match, not from the keyword prefilter, so
/// they hold whichever path `secret::detect` takes.
const AT: u8 = 1;
const PHONE: u8 = 2;
const DIGIT: u8 = 4;
const SECRET: u8 = 8;

static TRIGGER: [u8; 256] = {
    let mut t = [0u8; 256];
    t[b'@' as usize] = AT;
    t[b'+' as usize] = PHONE;
    t[b':' as usize] = PHONE;
    t[b'.' as usize] = PHONE;
    let mut d = b'0';
    while d <= b'9' {
        t[d as usize] = DIGIT;
        d += 1;
    }
    t[b'A' as usize] = SECRET;
    t[b'p' as usize] = SECRET;
    t[b'P' as usize] = SECRET;
    t
};

/// Segments shorter than this (table cells, header values) are summarised by
/// [`TRIGGER`] in one pass, and a detector runs only when its bytes are there: on a
/// dump's cells the detectors' own searches (a `memchr` for `@`, three for phone labels,
/// the digit and keyword passes) were set up for every few-byte value. Longer segments
/// go to every detector, whose SIMD searches are the faster pass there.
const SHORT: usize = 256;

/// The [`TRIGGER`] bits of a segment: which detectors can find something in it (all of
/// them for segments of [`SHORT`] bytes or more).
#[derive(Debug, Clone, Copy)]
pub struct Triggers(u8);

impl Triggers {
    /// The triggers of `text`.
    pub fn of(text: &str) -> Triggers {
        Triggers(triggers(text.as_bytes()))
    }

    /// Whether `text`, the segment these triggers were taken of, holds an `@`.
    pub fn has_at(self, text: &str) -> bool {
        if text.len() < SHORT {
            self.0 & AT != 0
        } else {
            memchr::memchr(b'@', text.as_bytes()).is_some()
        }
    }
}

fn triggers(b: &[u8]) -> u8 {
    if b.len() >= SHORT {
        return !0;
    }
    b.iter().fold(0, |acc, &c| acc | TRIGGER[usize::from(c)])
}

/// Whether `b` may not stand right before or after a number or code.
pub(crate) fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80
}

#[cfg(test)]
mod tests {
    use super::*;
    use leakdex_core::Kind;

    /// The classifier's `@` of a segment, short or long.
    #[test]
    fn triggers_tell_whether_a_segment_holds_an_at() {
        for n in [0, 1, SHORT - 1, SHORT, 4 * SHORT] {
            let plain = "x".repeat(n);
            assert!(!Triggers::of(&plain).has_at(&plain), "{n}");
            let with = format!("{plain}@");
            assert!(Triggers::of(&with).has_at(&with), "{n}");
        }
    }

    /// Short segments skip the detectors whose bytes they lack; every finding is the
    /// same as with all detectors run.
    #[test]
    fn skipped_detectors_would_have_found_nothing() {
        let cfg = DetectConfig {
            default_region: phonenumber::country::Id::DE,
        };
        let pieces = [
            "x@contoso.de",
            "+49 30 12345678",
            "Tel: 030 1234567",
            "Tel. 0301234567",
            "4111 1111 1111 1111",
            "DE89370400440532013000",
            "password=hunter22",
            "AKIAIOSFODNN7EXAMPLE",
            "AccountKey=abcdefghijklmnopqrstuv",
            "PWD: s3cret!",
            "-----BEGIN PRIVATE KEY-----",
            "Contoso GmbH",
            "Zoë Müller",
            "2024-03-12",
            "order 12345",
            " ",
            "; ",
            "0049 30 1234567",
            "+1 202-555-0100",
        ];
        let ctxs = [
            SegCtx::text("line"),
            SegCtx::cell("phone", FieldClass::Phone, None),
            SegCtx::cell("company", FieldClass::Organization, None),
            SegCtx::cell("name", FieldClass::Person, None),
            SegCtx::cell("note", FieldClass::Other, None),
        ];
        let mut next = testutil::xorshift(7);
        let mut found = 0;
        for _ in 0..3000 {
            let mut text = String::new();
            for _ in 0..3 {
                let x = next();
                text.push_str(pieces[x as usize % pieces.len()]);
                if x.is_multiple_of(3) {
                    text.push(' ');
                }
            }
            for ctx in &ctxs {
                let (mut all, mut some) = (Findings::default(), Findings::default());
                detect_if(&text, ctx, &cfg, &mut all, !0);
                detect(&text, ctx, &cfg, &mut some);
                let list = |f: &Findings| -> Vec<(Kind, String)> {
                    f.iter().map(|f| (f.kind, f.value.to_string())).collect()
                };
                assert_eq!(list(&some), list(&all), "{text:?}");
                found += all.iter().count();
            }
        }
        assert!(found > 10_000, "{found}");
    }
}

#[cfg(test)]
pub(crate) mod testutil {
    use super::*;
    use leakdex_core::Kind;

    /// A deterministic pseudo-random sequence (xorshift64), for tests that draw inputs.
    pub fn xorshift(mut seed: u64) -> impl FnMut() -> u64 {
        move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        }
    }

    pub fn values(text: &str, ctx: &SegCtx<'_>, kind: Kind) -> Vec<String> {
        let mut out = Findings::default();
        detect(
            text,
            ctx,
            &DetectConfig {
                default_region: phonenumber::country::Id::US,
            },
            &mut out,
        );
        out.iter()
            .filter(|f| f.kind == kind)
            .map(|f| f.value.to_string())
            .collect()
    }
}
