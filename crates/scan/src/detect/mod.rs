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

use crate::segment::{Place, SegCtx};
pub use findings::{Findings, Found};

/// Settings the detectors share.
#[derive(Debug, Clone, Copy)]
pub struct DetectConfig {
    /// Region for national phone numbers without other evidence.
    pub default_region: phonenumber::country::Id,
}

/// Runs every detector that applies to `ctx.place` over `text`, appending findings.
pub fn detect(text: &str, ctx: &SegCtx<'_>, cfg: &DetectConfig, out: &mut Findings) {
    if ctx.place == Place::DisplayName {
        names::display_name(text, out);
        return;
    }
    email::detect(text, out);
    phone::detect(text, ctx, cfg, out);
    if text.len() >= 13 {
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
    if text.len() >= 8 {
        secret::detect(text, out);
    }
    names::detect(text, ctx, out);
}

/// Whether `b` may not stand right before or after a number or code.
pub(crate) fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80
}

#[cfg(test)]
pub(crate) mod testutil {
    use super::*;
    use leakdex_core::Kind;

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
