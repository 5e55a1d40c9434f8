//! E-mail (RFC 822, `.eml`, mbox members) with `mail-parser`: every address of the address
//! headers, the display names, the subject, the reader's text body in UTF-8 whatever its
//! charset, and the attachments as child blobs. Trace and ID headers are never scanned.

use super::{text, Child, DecodeError, Sink};
use crate::segment::{region_of, FieldClass, Place, SegCtx};
use mail_parser::{HeaderName, MessageParser, MimeHeaders};

/// What a message yields besides its segments.
#[derive(Debug, Default)]
pub struct Decoded {
    /// `Message-ID` without angle brackets, if any.
    pub message_id: Option<String>,
    /// The month of its `Date` header (`2024-03`), if it has a plausible one.
    pub month: Option<String>,
    /// Attachments (inline images and attached messages included), in MIME order.
    pub children: Vec<Child>,
}

/// Decodes one message.
pub fn decode(data: &[u8], max: usize, sink: &mut dyn Sink) -> Result<Decoded, DecodeError> {
    let msg = MessageParser::default()
        .parse(data)
        .ok_or_else(|| DecodeError::Unreadable("not a parseable e-mail message".into()))?;
    let region = msg
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .and_then(|a| a.rsplit_once('.'))
        .and_then(|(_, tld)| region_of(tld));
    for h in msg.headers() {
        let field = match h.name {
            HeaderName::From => "From",
            HeaderName::Sender => "Sender",
            HeaderName::ReplyTo => "Reply-To",
            HeaderName::To => "To",
            HeaderName::Cc => "Cc",
            HeaderName::Bcc => "Bcc",
            HeaderName::Subject => {
                if let Some(s) = h.value.as_text() {
                    let ctx = SegCtx {
                        field: "Subject",
                        class: FieldClass::Other,
                        place: Place::Subject,
                        region,
                    };
                    sink.segment(s, &ctx)?;
                }
                continue;
            }
            _ => continue,
        };
        let Some(list) = h.value.as_address() else {
            continue;
        };
        for addr in list.iter() {
            if let Some(a) = addr.address() {
                let ctx = SegCtx {
                    field,
                    class: FieldClass::Other,
                    place: Place::AddressHeader,
                    region,
                };
                sink.segment(a, &ctx)?;
            }
            if let Some(n) = addr.name() {
                let ctx = SegCtx {
                    field,
                    class: FieldClass::Person,
                    place: Place::DisplayName,
                    region,
                };
                sink.segment(n, &ctx)?;
            }
        }
    }
    let body = SegCtx {
        field: "body",
        class: FieldClass::Other,
        place: Place::Body,
        region,
    };
    for i in 0..msg.text_body_count() {
        if let Some(t) = msg.body_text(i) {
            text::decode_str(&t, max, &body, sink)?;
        }
    }
    let children = msg
        .attachments()
        .enumerate()
        .map(|(i, part)| Child {
            name: part
                .attachment_name()
                .map(sanitize_name)
                .unwrap_or_else(|| format!("part-{}", i + 1)),
            data: part.contents().to_vec(),
        })
        .collect();
    Ok(Decoded {
        message_id: msg.message_id().map(|m| m.trim().to_string()),
        month: msg
            .date()
            .filter(|d| (1980..=2100).contains(&d.year) && (1..=12).contains(&d.month))
            .map(|d| format!("{:04}-{:02}", d.year, d.month)),
        children,
    })
}

/// Attachment names become path components: no `!` (our separator) and no control bytes.
fn sanitize_name(name: &str) -> String {
    name.chars()
        .map(|c| if c == '!' || c.is_control() { '_' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::Collect;

    #[test]
    fn headers_body_and_attachments() {
        let raw = b"From: =?UTF-8?B?Wm/DqyBNw7xsbGVy?= <zoe@contoso.de>\r\n\
To: a@b.fr, Group: c@d.it, e@f.es;\r\n\
Message-ID: <123.abc@mail.contoso.de>\r\n\
Received: from x by y for <hidden@trace.de>\r\n\
Subject: Offer\r\n\
Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
Gr=FC=DFe, see sales@contoso=\r\n.de\r\n\
--b\r\nContent-Type: text/csv\r\nContent-Disposition: attachment; filename=\"c.csv\"\r\n\r\nemail\r\nx@y.de\r\n\
--b--\r\n";
        let mut c = Collect::default();
        let d = decode(raw, 4096, &mut c).unwrap();
        assert_eq!(d.message_id.as_deref(), Some("123.abc@mail.contoso.de"));
        assert!(d
            .month
            .as_deref()
            .is_none_or(|m| m.len() == 7 && &m[4..5] == "-"));
        assert_eq!(d.children.len(), 1);
        assert_eq!(d.children[0].name, "c.csv");
        let fields: Vec<&str> = c.0.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(
            fields,
            ["From", "From", "To", "To", "To", "Subject", "body"]
        );
        assert_eq!(c.0[1].1, "Zoë Müller");
        assert!(c.0[6].1.contains("Grüße, see sales@contoso.de"));
        assert!(!c.0.iter().any(|(_, t)| t.contains("hidden")));
    }
}
