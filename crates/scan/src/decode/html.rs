//! HTML: the text content only (tags, attributes, comments, scripts and styles dropped),
//! using the same HTML-to-text conversion as e-mail bodies.

use super::{bytes_to_text, text, DecodeError, Sink};
use crate::segment::SegCtx;

/// Emits the text content of an HTML document.
pub fn decode(data: &[u8], max: usize, sink: &mut dyn Sink) -> Result<(), DecodeError> {
    let html = bytes_to_text(data);
    let plain = mail_parser::decoders::html::html_to_text(&html);
    text::decode_str(&plain, max, &SegCtx::text("html"), sink)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::Collect;

    #[test]
    fn attributes_are_not_text() {
        let mut c = Collect::default();
        decode(
            b"<html><body><a href=\"mailto:x@hidden.de\">y@shown.de</a><img src=\"logo@2x.png\"></body></html>",
            1024,
            &mut c,
        )
        .unwrap();
        let all: String = c.0.iter().map(|(_, t)| t.as_str()).collect();
        assert!(all.contains("y@shown.de"));
        assert!(!all.contains("hidden"));
    }
}
