//! mbox archives (mboxrd escaping).

use super::Rendered;
use crate::truth::{Kind, Sub};

/// Writes an mbox of rendered messages: `From ` separators, mboxrd `>From ` escaping,
/// LF line endings, a blank line after each message. Member `N` (from 1) is what
/// mail-parser's mbox reader yields: every line after the separator up to the next one
/// (the trailing blank line included), with one `>` removed from `>…>From ` lines.
pub(crate) fn mbox_bytes(msgs: &[Rendered]) -> (Vec<u8>, Sub) {
    let mut out = Vec::new();
    let mut sub = Sub::default();
    for (i, r) in msgs.iter().enumerate() {
        let crlf = r.bytes(None, None);
        let lf = String::from_utf8_lossy(&crlf)
            .replace("\r\n", "\n")
            .into_bytes();
        let mut blob = lf.clone();
        blob.push(b'\n');
        let member = r.copy_sub(&blob, None);
        sub.nest(&(i + 1).to_string(), &member);
        out.extend_from_slice(format!("From {} {}\n", r.from_email, r.date.asctime()).as_bytes());
        for line in lf.split_inclusive(|&b| b == b'\n') {
            let stripped = line.iter().position(|&b| b != b'>').unwrap_or(line.len());
            if line[stripped..].starts_with(b"From ") {
                out.push(b'>');
            }
            out.extend_from_slice(line);
        }
        out.push(b'\n');
    }
    sub.seal(Kind::Mbox, &out);
    (out, sub)
}
