//! PDF text, page by page, with `pdf-extract` (on `lopdf`). PDF parsers panic, hang and
//! over-allocate on hostile files, so this decoder only ever runs in a decode worker
//! (see [`crate::isolate`]): a panic is caught there, a hang or a crash costs the worker,
//! never the scan. An encrypted PDF is read if its user password is empty (as for files
//! that only restrict copying) and reported as `encrypted` otherwise. The document's
//! author (its info dictionary) is a finding too.

use super::{text, DecodeError, Sink};
use crate::segment::{FieldClass, SegCtx};

/// Emits each page's text as `page N` and the document's author.
pub fn decode(data: &[u8], max: usize, sink: &mut dyn Sink) -> Result<(), DecodeError> {
    let doc = lopdf::Document::load_mem(data)
        .map_err(|_| DecodeError::Unreadable("not a readable PDF".into()))?;
    let encrypted = doc.is_encrypted();
    let author = info_string(&doc, b"Author");
    drop(doc);
    let pages = pdf_extract::extract_text_from_mem_by_pages(data).map_err(|_| {
        DecodeError::Unreadable(if encrypted {
            "encrypted (password-protected PDF)".into()
        } else {
            "the PDF's text could not be extracted".into()
        })
    })?;
    for (i, page) in pages.iter().enumerate() {
        let field = format!("page {}", i + 1);
        text::decode_str(page, max, &SegCtx::text(&field), sink)?;
    }
    if let Some(a) = author.filter(|a| !a.trim().is_empty()) {
        sink.segment(a.trim(), &SegCtx::property("author", FieldClass::Person))?;
    }
    Ok(())
}

fn info_string(doc: &lopdf::Document, key: &[u8]) -> Option<String> {
    let info = doc.trailer.get(b"Info").ok()?;
    let dict = match info {
        lopdf::Object::Reference(id) => doc.get_dictionary(*id).ok()?,
        lopdf::Object::Dictionary(d) => d,
        _ => return None,
    };
    match dict.get(key).ok()? {
        lopdf::Object::String(bytes, _) => Some(pdf_string(bytes)),
        _ => None,
    }
}

/// A PDF text string: UTF-16BE with a BOM, else PDFDocEncoding (Latin-1 for our needs).
fn pdf_string(b: &[u8]) -> String {
    if let Some(rest) = b.strip_prefix(&[0xfe, 0xff]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    b.iter().map(|&c| c as char).collect()
}
