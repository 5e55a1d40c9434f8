//! MIME rendering of a message: headers with encoded words, text parts in several
//! charsets and transfer encodings, alternatives, inline images and attachments.

use super::{Body, PNG};
use crate::model::Person;
use crate::text::{self, Stamp};
use crate::truth::{Kind, Sub};
use crate::values;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// How the reader's text is carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    Plain,
    Alternative,
    HtmlOnly,
}

/// Body charset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Charset {
    Utf8,
    Latin1,
    Cp1252,
}

/// Content-Transfer-Encoding of text parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cte {
    Eight,
    Qp,
    B64,
}

/// A file attached to a message.
pub(crate) struct Attachment {
    pub name: String,
    pub ctype: &'static str,
    pub bytes: Vec<u8>,
    /// Sealed truth of the attachment.
    pub sub: Sub,
    /// A `message/rfc822` part (written unencoded).
    pub rfc822: bool,
}

/// A message before rendering.
pub(crate) struct Msg<'a> {
    pub from: &'a Person,
    pub to: Vec<&'a Person>,
    pub cc: Vec<&'a Person>,
    pub subject: Body,
    pub date: Stamp,
    pub id: String,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    pub body: Body,
    pub style: Style,
    pub charset: Charset,
    pub cte: Cte,
    /// Content-ID of an inline logo.
    pub image: Option<String>,
    pub attachments: Vec<Attachment>,
}

/// A rendered message: header lines (without the copy-specific ones), MIME body, truth.
pub(crate) struct Rendered {
    pub headers: Vec<String>,
    pub body: Vec<u8>,
    /// Findings and children, not sealed.
    pub sub: Sub,
    pub id: String,
    /// The decoded `From` display name, if shown.
    pub from_name: Option<String>,
    pub from_email: String,
    pub date: Stamp,
}

impl Rendered {
    /// The bytes of one stored copy: an optional `Received` line on top and an optional
    /// `Bcc` header (already rendered) after the others.
    pub(crate) fn bytes(&self, received: Option<&str>, bcc: Option<&str>) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.body.len() + 1024);
        if let Some(r) = received {
            v.extend_from_slice(r.as_bytes());
            v.extend_from_slice(b"\r\n");
        }
        for h in &self.headers {
            v.extend_from_slice(h.as_bytes());
            v.extend_from_slice(b"\r\n");
            if let (Some(b), true) = (bcc, h.starts_with("Subject:")) {
                v.extend_from_slice(b.as_bytes());
                v.extend_from_slice(b"\r\n");
            }
        }
        v.extend_from_slice(b"\r\n");
        v.extend_from_slice(&self.body);
        v
    }

    /// The sealed truth of a copy with these bytes (`extra` = findings of copy-specific
    /// headers).
    /// The unsealed truth of a copy: the message's findings and children, and the
    /// message itself.
    pub(crate) fn member_sub(&self) -> Sub {
        let mut s = self.sub.clone();
        s.message(&self.id);
        s
    }

    /// The sealed truth of a copy with these bytes.
    pub(crate) fn copy_sub(&self, bytes: &[u8], extra: Option<&Sub>) -> Sub {
        let mut s = self.sub.clone();
        if let Some(e) = extra {
            s.raw += &e.raw;
            for p in &e.vals.persons {
                s.vals.persons.insert(p.clone());
            }
            for p in &e.vals.emails {
                s.vals.emails.insert(p.clone());
            }
            for p in &e.vals.domains {
                s.vals.domains.insert(p.clone());
            }
        }
        s.message(&self.id);
        s.seal(Kind::Eml, bytes);
        s
    }
}

enum Part {
    Leaf {
        headers: Vec<String>,
        body: String,
    },
    Multi {
        sub: &'static str,
        boundary: String,
        parts: Vec<Part>,
    },
}

impl Part {
    fn headers(&self) -> Vec<String> {
        match self {
            Part::Leaf { headers, .. } => headers.clone(),
            Part::Multi { sub, boundary, .. } => {
                vec![format!(
                    "Content-Type: multipart/{sub};\r\n\tboundary=\"{boundary}\""
                )]
            }
        }
    }
    fn write_body(&self, out: &mut String) {
        match self {
            Part::Leaf { body, .. } => out.push_str(body),
            Part::Multi {
                boundary, parts, ..
            } => {
                out.push_str("This is a multi-part message in MIME format.\r\n\r\n");
                for p in parts {
                    out.push_str(&format!("--{boundary}\r\n"));
                    for h in p.headers() {
                        out.push_str(&h);
                        out.push_str("\r\n");
                    }
                    out.push_str("\r\n");
                    p.write_body(out);
                    if !out.ends_with("\r\n") {
                        out.push_str("\r\n");
                    }
                }
                out.push_str(&format!("--{boundary}--\r\n"));
            }
        }
    }
}

fn text_part(ctype: &str, text: &str, cs: Charset, cte: Cte) -> Part {
    let (bytes, label) = match cs {
        Charset::Latin1 if text::is_latin1(text) => (text::cp1252(text), "iso-8859-1"),
        Charset::Cp1252 => (text::cp1252(text), "windows-1252"),
        _ => (None, "utf-8"),
    };
    let (bytes, label) = match bytes {
        Some(b) => (b, label),
        None => (text.as_bytes().to_vec(), "utf-8"),
    };
    let (cte_name, body) = match cte {
        Cte::Qp => ("quoted-printable", text::quoted_printable(&bytes)),
        Cte::B64 => ("base64", text::base64_lines(&bytes)),
        Cte::Eight if label == "utf-8" => (
            if text.is_ascii() { "7bit" } else { "8bit" },
            text.replace('\n', "\r\n"),
        ),
        // Latin-1 bytes cannot live in a Rust string: use quoted-printable.
        Cte::Eight => ("quoted-printable", text::quoted_printable(&bytes)),
    };
    Part::Leaf {
        headers: vec![
            format!("Content-Type: {ctype}; charset=\"{label}\""),
            format!("Content-Transfer-Encoding: {cte_name}"),
        ],
        body,
    }
}

fn fold_list(name: &str, items: &[String]) -> String {
    format!("{name}: {}", items.join(",\r\n\t"))
}

fn encode_words(s: &str, latin1_q: bool) -> String {
    if s.is_ascii() {
        return s.to_string();
    }
    if latin1_q && text::is_latin1(s) {
        return text::word_q(s);
    }
    // Encoded words of at most ~30 bytes of text each, folded.
    let mut words = Vec::new();
    let mut cur = String::new();
    for c in s.chars() {
        if cur.len() + c.len_utf8() > 30 {
            words.push(text::word_b(&cur));
            cur.clear();
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        words.push(text::word_b(&cur));
    }
    words.join("\r\n ")
}

/// Renders one address and records it: `(header text, decoded display name)`.
pub(crate) fn address(
    p: &Person,
    rng: &mut ChaCha8Rng,
    sub: &mut Sub,
    always_named: bool,
) -> (String, Option<String>) {
    sub.email(&p.email, &p.domain);
    if !always_named && rng.gen_ratio(1, 10) {
        return (p.email.clone(), None);
    }
    sub.person(&p.display);
    let shown = if p.display.is_ascii() {
        if rng.gen_ratio(1, 3) {
            format!("\"{}\"", p.display)
        } else {
            p.display.clone()
        }
    } else {
        encode_words(&p.display, rng.gen_bool(0.5))
    };
    (format!("{shown} <{}>", p.email), Some(p.display.clone()))
}

pub(super) fn hex(rng: &mut ChaCha8Rng, n: usize) -> String {
    values::random_from(rng, b"0123456789ABCDEF", n)
}

/// A Content-ID in Outlook's style: `image001.png@01D8C7A2.3F4E5A60`.
pub(crate) fn content_id(rng: &mut ChaCha8Rng) -> String {
    format!("image001.png@{}.{}", hex(rng, 8), hex(rng, 8))
}

/// Renders a message. Findings of the reader's text, the address headers and the
/// subject, and the attachments' subtrees, go into the returned sub.
pub(crate) fn render(msg: Msg<'_>, rng: &mut ChaCha8Rng, serial: u64) -> Rendered {
    let mut sub = Sub::default();
    let mut headers = Vec::new();
    headers.push(format!(
        "Return-Path: <{}>",
        msg.from.email.to_ascii_lowercase()
    ));
    let (from, from_name) = address(msg.from, rng, &mut sub, false);
    headers.push(format!("From: {from}"));
    let to: Vec<String> = msg
        .to
        .iter()
        .map(|p| address(p, rng, &mut sub, false).0)
        .collect();
    headers.push(fold_list("To", &to));
    if !msg.cc.is_empty() {
        let cc: Vec<String> = msg
            .cc
            .iter()
            .map(|p| address(p, rng, &mut sub, false).0)
            .collect();
        headers.push(fold_list("Cc", &cc));
    }
    let subject = msg.subject.plain(Some(&mut sub));
    headers.push(format!(
        "Subject: {}",
        encode_words(subject.trim_end(), rng.gen_bool(0.5))
    ));
    headers.push(format!("Date: {}", msg.date.rfc2822()));
    headers.push(format!("Message-ID: <{}>", msg.id));
    sub.decoy_email(&msg.id);
    if let Some(r) = &msg.in_reply_to {
        headers.push(format!("In-Reply-To: <{r}>"));
    }
    if !msg.references.is_empty() {
        let refs: Vec<String> = msg.references.iter().map(|r| format!("<{r}>")).collect();
        headers.push(format!("References: {}", refs.join("\r\n ")));
    }
    headers.push("MIME-Version: 1.0".into());

    let boundary = |kind: &str, k: u32, rng: &mut ChaCha8Rng| {
        format!(
            "----=_{kind}_{k:03}_{:04X}_{}.{}",
            serial % 0xFFFF,
            hex(rng, 8),
            hex(rng, 8)
        )
    };
    let plain_for = |sub: Option<&mut Sub>| msg.body.plain(sub);
    let mut core = match msg.style {
        Style::Plain => text_part(
            "text/plain",
            &plain_for(Some(&mut sub)),
            msg.charset,
            msg.cte,
        ),
        Style::Alternative => {
            let plain = plain_for(Some(&mut sub));
            let html = msg.body.html(None, msg.image.as_deref());
            Part::Multi {
                sub: "alternative",
                boundary: boundary("NextPart", 1, rng),
                parts: vec![
                    text_part("text/plain", &plain, msg.charset, msg.cte),
                    text_part("text/html", &html, Charset::Utf8, Cte::Qp),
                ],
            }
        }
        Style::HtmlOnly => {
            assert!(
                !msg.body.has_org_line(),
                "HTML-only bodies carry no org line"
            );
            let html = msg.body.html(Some(&mut sub), msg.image.as_deref());
            let cte = if msg.cte == Cte::B64 {
                Cte::B64
            } else {
                Cte::Qp
            };
            text_part("text/html", &html, Charset::Utf8, cte)
        }
    };
    if let Some(cid) = &msg.image {
        sub.decoy_email(cid);
        let name = cid.split('@').next().unwrap_or("image001.png");
        let mut img = Sub::default();
        img.seal(Kind::Png, PNG);
        sub.nest(name, &img);
        core = Part::Multi {
            sub: "related",
            boundary: boundary("NextPart", 2, rng),
            parts: vec![
                core,
                Part::Leaf {
                    headers: vec![
                        format!("Content-Type: image/png; name=\"{name}\""),
                        format!("Content-Description: {name}"),
                        format!(
                            "Content-Disposition: inline; filename=\"{name}\"; size={}",
                            PNG.len()
                        ),
                        format!("Content-ID: <{cid}>"),
                        "Content-Transfer-Encoding: base64".into(),
                    ],
                    body: text::base64_lines(PNG),
                },
            ],
        };
    }
    if !msg.attachments.is_empty() {
        let mut parts = vec![core];
        for a in &msg.attachments {
            sub.nest(&a.name, &a.sub);
            let (cte, body) = if a.rfc822 {
                // The CRLF before the next boundary belongs to the boundary: add one so
                // the part's content is exactly the attached message's bytes.
                ("7bit", format!("{}\r\n", String::from_utf8_lossy(&a.bytes)))
            } else {
                ("base64", text::base64_lines(&a.bytes))
            };
            parts.push(Part::Leaf {
                headers: vec![
                    format!("Content-Type: {}; name=\"{}\"", a.ctype, a.name),
                    format!("Content-Disposition: attachment; filename=\"{}\"", a.name),
                    format!("Content-Transfer-Encoding: {cte}"),
                ],
                body,
            });
        }
        core = Part::Multi {
            sub: "mixed",
            boundary: boundary("NextPart", 0, rng),
            parts,
        };
    }
    headers.extend(core.headers());
    headers.push("X-Mailer: Microsoft Outlook 16.0".into());
    headers.push(format!("X-MS-Exchange-Organization-Serial: {serial}"));
    let mut body = String::new();
    core.write_body(&mut body);
    if !body.ends_with("\r\n") {
        body.push_str("\r\n");
    }
    Rendered {
        headers,
        body: body.into_bytes(),
        sub,
        id: msg.id,
        from_name,
        from_email: msg.from.email.to_ascii_lowercase(),
        date: msg.date,
    }
}
