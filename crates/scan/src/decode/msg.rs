//! Outlook messages (`.msg`, MS-OXMSG): an OLE compound file of MAPI properties. Read with
//! the `cfb` crate: sender and recipients (SMTP addresses and display names, To/Cc/Bcc
//! from the recipient's property stream), subject, the body — plain text, else the
//! compressed RTF reduced to text, else HTML — and the attachments as child blobs.
//! Embedded messages (attached `.msg`) are read in place, as part of their parent.
//! Message-ID and date come from the stored transport headers when present.

use super::{bytes_to_text, mail::Decoded, rtf, text, Child, DecodeError, Sink};
use crate::segment::{region_of, FieldClass, Place, SegCtx};
use std::io::{Cursor, Read};

type Cfb<'a> = cfb::CompoundFile<Cursor<&'a [u8]>>;

/// Most bytes read from one property stream (bodies included).
const STREAM_LIMIT: u64 = 64 << 20;
/// Deepest chain of embedded messages read.
const MAX_EMBEDDED: usize = 4;
/// Most attachments taken from one message (embedded ones included), and their bytes:
/// directory entries may share streams, so a small file could claim gigabytes.
const MAX_ATTACHMENTS: usize = 1000;
const MAX_ATTACHMENT_BYTES: usize = 512 << 20;

/// Decodes one message.
pub fn decode(data: &[u8], max: usize, sink: &mut dyn Sink) -> Result<Decoded, DecodeError> {
    let mut comp = cfb::CompoundFile::open(Cursor::new(data))
        .map_err(|_| DecodeError::Unreadable("not a readable Outlook message".into()))?;
    let mut out = Decoded::default();
    if let Some(h) = string_prop(&mut comp, "", 0x007D) {
        let mut raw = h.into_bytes();
        raw.extend_from_slice(b"\r\n\r\n");
        if let Some(m) = mail_parser::MessageParser::default().parse_headers(&raw[..]) {
            out.message_id = m.message_id().map(|s| s.trim().to_string());
            out.month = m
                .date()
                .filter(|d| (1980..=2100).contains(&d.year) && (1..=12).contains(&d.month))
                .map(|d| format!("{:04}-{:02}", d.year, d.month));
        }
    }
    if out.message_id.is_none() {
        out.message_id = string_prop(&mut comp, "", 0x1035)
            .map(|m| m.trim().trim_matches(['<', '>']).to_string())
            .filter(|m| !m.is_empty());
    }
    message(&mut comp, "", max, sink, &mut out.children, 0)?;
    Ok(out)
}

fn message(
    comp: &mut Cfb<'_>,
    root: &str,
    max: usize,
    sink: &mut dyn Sink,
    children: &mut Vec<Child>,
    depth: usize,
) -> Result<(), DecodeError> {
    let sender = string_prop(comp, root, 0x5D01)
        .or_else(|| string_prop(comp, root, 0x0C1F))
        .or_else(|| string_prop(comp, root, 0x0065))
        .filter(|a| a.contains('@'));
    let region = sender
        .as_deref()
        .and_then(|a| a.rsplit_once('.'))
        .and_then(|(_, tld)| region_of(tld));
    let addr = |field, place| SegCtx {
        field,
        class: if place == Place::DisplayName {
            FieldClass::Person
        } else {
            FieldClass::Other
        },
        place,
        region,
    };
    if let Some(a) = &sender {
        sink.segment(a, &addr("From", Place::AddressHeader))?;
    }
    if let Some(n) = string_prop(comp, root, 0x0C1A).filter(|n| !n.contains('@')) {
        sink.segment(&n, &addr("From", Place::DisplayName))?;
    }
    // Recipients.
    for storage in substorages(comp, root, "__recip_version1.0_#") {
        let field = match recipient_type(comp, &storage) {
            2 => "Cc",
            3 => "Bcc",
            _ => "To",
        };
        let address = string_prop(comp, &storage, 0x39FE)
            .or_else(|| string_prop(comp, &storage, 0x3003))
            .filter(|a| a.contains('@'));
        if let Some(a) = address {
            sink.segment(&a, &addr(field, Place::AddressHeader))?;
        }
        if let Some(n) = string_prop(comp, &storage, 0x3001).filter(|n| !n.contains('@')) {
            sink.segment(&n, &addr(field, Place::DisplayName))?;
        }
    }
    if let Some(s) = string_prop(comp, root, 0x0037) {
        sink.segment(&s, &addr("Subject", Place::Subject))?;
    }
    let body_ctx = addr("body", Place::Body);
    if let Some(b) = string_prop(comp, root, 0x1000).filter(|b| !b.trim().is_empty()) {
        text::decode_str(&b, max, &body_ctx, sink)?;
    } else if let Some(r) = binary(comp, &format!("{root}/__substg1.0_10090102")) {
        if let Some(plain) = rtf::decompress(&r, STREAM_LIMIT as usize) {
            text::decode_str(&rtf::to_text(&plain), max, &body_ctx, sink)?;
        }
    } else if let Some(h) = binary(comp, &format!("{root}/__substg1.0_10130102"))
        .map(|b| bytes_to_text(&b).into_owned())
        .or_else(|| string_prop(comp, root, 0x1013))
    {
        let plain = mail_parser::decoders::html::html_to_text(&h);
        text::decode_str(&plain, max, &body_ctx, sink)?;
    }
    // Attachments.
    for (i, storage) in substorages(comp, root, "__attach_version1.0_#")
        .into_iter()
        .enumerate()
    {
        let embedded = format!("{storage}/__substg1.0_3701000D");
        if comp.is_storage(&embedded) {
            if depth < MAX_EMBEDDED {
                message(comp, &embedded, max, sink, children, depth + 1)?;
            }
            continue;
        }
        if children.len() >= MAX_ATTACHMENTS {
            return Err(DecodeError::Unreadable(format!(
                "more than {MAX_ATTACHMENTS} attachments"
            )));
        }
        let Some(data) = binary(comp, &format!("{storage}/__substg1.0_37010102")) else {
            continue;
        };
        let held: usize = children.iter().map(|c| c.data.len()).sum();
        if held.saturating_add(data.len()) > MAX_ATTACHMENT_BYTES {
            return Err(DecodeError::Unreadable(
                "attachments larger than 512 MiB in all".into(),
            ));
        }
        let name = string_prop(comp, &storage, 0x3707)
            .or_else(|| string_prop(comp, &storage, 0x3704))
            .map(|n| sanitize(&n))
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| format!("attachment-{}", i + 1));
        children.push(Child { name, data });
    }
    Ok(())
}

/// Storages under `root` whose names start with `prefix`, in name order.
fn substorages(comp: &Cfb<'_>, root: &str, prefix: &str) -> Vec<String> {
    let dir = if root.is_empty() { "/" } else { root };
    let Ok(entries) = comp.read_storage(dir) else {
        return Vec::new();
    };
    let mut v: Vec<String> = entries
        .filter(|e| e.is_storage() && e.name().starts_with(prefix))
        .map(|e| format!("{root}/{}", e.name()))
        .collect();
    v.sort();
    v
}

/// PR_RECIPIENT_TYPE from a recipient's fixed-size property stream (1 To, 2 Cc, 3 Bcc).
fn recipient_type(comp: &mut Cfb<'_>, storage: &str) -> u32 {
    let Some(props) = binary(comp, &format!("{storage}/__properties_version1.0")) else {
        return 1;
    };
    // An 8-byte header, then 16-byte entries: tag, flags, value.
    props
        .get(8..)
        .unwrap_or_default()
        .chunks_exact(16)
        .find(|e| e[..4] == 0x0C15_0003u32.to_le_bytes())
        .map_or(1, |e| u32::from_le_bytes([e[8], e[9], e[10], e[11]]))
}

fn binary(comp: &mut Cfb<'_>, path: &str) -> Option<Vec<u8>> {
    let mut s = comp.open_stream(path).ok()?;
    let mut v = Vec::new();
    (&mut s).take(STREAM_LIMIT).read_to_end(&mut v).ok()?;
    Some(v)
}

/// A string property: UTF-16LE (`001F`) or 8-bit (`001E`).
fn string_prop(comp: &mut Cfb<'_>, root: &str, id: u16) -> Option<String> {
    if let Some(b) = binary(comp, &format!("{root}/__substg1.0_{id:04X}001F")) {
        let units: Vec<u16> = b
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        let s = String::from_utf16_lossy(&units);
        return Some(s.trim_end_matches('\0').to_string());
    }
    let b = binary(comp, &format!("{root}/__substg1.0_{id:04X}001E"))?;
    Some(bytes_to_text(&b).trim_end_matches('\0').to_string())
}

fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| if c == '!' || c.is_control() { '_' } else { c })
        .collect()
}
