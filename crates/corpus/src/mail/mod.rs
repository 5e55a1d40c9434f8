//! E-mail: message bodies built from planted pieces, MIME rendering (encoded words,
//! quoted-printable and base64, Latin-1 and Windows-1252, alternatives, inline images,
//! attachments, forwarded messages), and the mailbox folders and mbox archives.
//!
//! A body is a list of [`Piece`]s; rendering it as the text a reader sees records every
//! planted value in the message's [`Sub`], rendering it as the HTML alternative records
//! nothing (the scanner does not read an HTML part that has a plain-text alternative).

mod compose;
mod mbox;
mod mime;

pub(crate) use compose::{archive_messages, mailboxes, Mailer};
pub(crate) use mbox::mbox_bytes;
pub(crate) use mime::{Attachment, Charset, Cte, Msg, Rendered, Style};

use crate::model::Person;
use crate::text;
use crate::truth::Sub;

/// A 1×1 transparent PNG.
pub(crate) const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

/// An address that appears only in HTML alternatives, which are never scanned.
pub(crate) const HTML_ONLY_ADDRESS: &str = "sales@northwind-systems.de";

/// One piece of body text.
#[derive(Debug, Clone)]
pub(crate) enum Piece {
    /// Plain text without findings.
    T(String),
    /// An address as written, with its registrable domain.
    Email(String, String),
    /// A phone as shown, with its E.164.
    Phone(String, String),
    /// An IBAN as shown, compact.
    Iban(String, String),
    /// A card as shown, clear digits.
    Card(String, String),
    /// A line ending in a legal form (the signature's company line), without newline.
    OrgLine(String),
    /// An address-looking decoy: shown text and the recorded value.
    DecoyEmail(String, String),
    /// A phone-looking decoy.
    DecoyPhone(String),
    /// A card-looking decoy.
    DecoyCard(String),
    /// An IBAN-looking decoy: shown, compact.
    DecoyIban(String, String),
}

/// Text made of pieces.
#[derive(Debug, Clone, Default)]
pub(crate) struct Body(pub Vec<Piece>);

impl Body {
    pub(crate) fn t(&mut self, s: impl Into<String>) -> &mut Self {
        self.0.push(Piece::T(s.into()));
        self
    }
    pub(crate) fn line(&mut self, s: impl Into<String>) -> &mut Self {
        let mut s = s.into();
        s.push('\n');
        self.t(s)
    }
    pub(crate) fn email(&mut self, p: &Person) -> &mut Self {
        self.0.push(Piece::Email(p.email.clone(), p.domain.clone()));
        self
    }
    pub(crate) fn phone(&mut self, shown: &str, e164: &str) -> &mut Self {
        self.0.push(Piece::Phone(shown.into(), e164.into()));
        self
    }
    pub(crate) fn push(&mut self, p: Piece) -> &mut Self {
        self.0.push(p);
        self
    }

    fn has_org_line(&self) -> bool {
        self.0.iter().any(|p| matches!(p, Piece::OrgLine(_)))
    }

    /// The text a reader sees, recording findings into `sub` when given.
    pub(crate) fn plain(&self, mut sub: Option<&mut Sub>) -> String {
        let mut s = String::new();
        for p in &self.0 {
            let (shown, _) = piece(p, sub.as_deref_mut());
            s.push_str(shown);
            if matches!(p, Piece::OrgLine(_)) {
                s.push('\n');
            }
        }
        s
    }

    /// HTML: one `<p>` per line. With `sub`, the text content is what counts (HTML-only
    /// message); without, addresses become `mailto:` links as an HTML alternative would.
    pub(crate) fn html(&self, mut sub: Option<&mut Sub>, image_cid: Option<&str>) -> String {
        let counted = sub.is_some();
        let mut out = String::from(
            "<html>\n<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">\n</head>\n<body>\n",
        );
        let mut line = String::new();
        let flush = |line: &mut String, out: &mut String| {
            if !line.trim().is_empty() {
                out.push_str("<p class=\"MsoNormal\">");
                out.push_str(line);
                out.push_str("</p>\n");
            }
            line.clear();
        };
        for p in &self.0 {
            let (shown, is_email) = piece(p, sub.as_deref_mut());
            let mut parts = shown.split('\n').peekable();
            while let Some(part) = parts.next() {
                if is_email && !counted {
                    line.push_str(&format!(
                        "<a href=\"mailto:{part}\">{}</a>",
                        text::html_escape(part)
                    ));
                } else {
                    line.push_str(&text::html_escape(part));
                }
                if parts.peek().is_some() {
                    flush(&mut line, &mut out);
                }
            }
            if matches!(p, Piece::OrgLine(_)) {
                flush(&mut line, &mut out);
            }
        }
        flush(&mut line, &mut out);
        if !counted {
            out.push_str(&format!(
                "<p class=\"MsoNormal\"><a href=\"mailto:{HTML_ONLY_ADDRESS}\">Sales team</a></p>\n"
            ));
        }
        if let Some(cid) = image_cid {
            out.push_str(&format!(
                "<p><img width=\"120\" height=\"40\" src=\"cid:{cid}\" alt=\"Logo\"></p>\n"
            ));
        }
        out.push_str("</body>\n</html>\n");
        out
    }
}

/// The text of a piece, recording it when `sub` is given; and whether it is an address.
fn piece<'p>(p: &'p Piece, sub: Option<&mut Sub>) -> (&'p str, bool) {
    match p {
        Piece::T(s) => (s, false),
        Piece::Email(w, d) => {
            if let Some(sub) = sub {
                sub.email(w, d);
            }
            (w, true)
        }
        Piece::Phone(s, e) => {
            if let Some(sub) = sub {
                sub.phone(e);
            }
            (s, false)
        }
        Piece::Iban(s, c) => {
            if let Some(sub) = sub {
                sub.iban(c);
            }
            (s, false)
        }
        Piece::Card(s, d) => {
            if let Some(sub) = sub {
                sub.card(d);
            }
            (s, false)
        }
        Piece::OrgLine(s) => {
            if let Some(sub) = sub {
                sub.org(s);
            }
            (s, false)
        }
        Piece::DecoyEmail(s, v) => {
            if let Some(sub) = sub {
                sub.decoy_email(v);
            }
            (s, false)
        }
        Piece::DecoyPhone(s) => {
            if let Some(sub) = sub {
                sub.decoy_phone(s);
            }
            (s, false)
        }
        Piece::DecoyCard(s) => {
            if let Some(sub) = sub {
                sub.decoy_card(s);
            }
            (s, false)
        }
        Piece::DecoyIban(s, c) => {
            if let Some(sub) = sub {
                sub.decoy_iban(c);
            }
            (s, false)
        }
    }
}
