//! Word (docx, docm) and PowerPoint (pptx) documents: the zip is opened and each text part
//! streamed through `quick-xml`, one paragraph a segment — the body, tables, headers,
//! footers, foot- and endnotes, comments (and their authors), slides and speaker notes —
//! then the document properties: author, last modified by, company, manager.
//!
//! Decompression is bounded: a part stops at the container's expansion limit, so a zip bomb
//! dressed as a document is an `unreadable` entry, not an outage.

use super::{DecodeError, Sink};
use crate::segment::{FieldClass, SegCtx};
use quick_xml::events::Event;
use std::io::{BufReader, Cursor, Read};

/// Which application wrote the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// Word: paragraphs `w:p`, text `w:t`.
    Word,
    /// PowerPoint: paragraphs `a:p`, text `a:t`.
    Slides,
}

/// Emits the text and properties of an Office Open XML document. `limit` bounds the bytes
/// all parts may expand to.
pub fn decode(
    data: &[u8],
    flavor: Flavor,
    max: usize,
    limit: u64,
    sink: &mut dyn Sink,
) -> Result<(), DecodeError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(data))
        .map_err(|_| DecodeError::Unreadable("not a readable Office document (zip)".into()))?;
    let mut parts: Vec<(String, String)> = Vec::new();
    for i in 0..zip.len() {
        let Some(name) = zip.name_for_index(i) else {
            continue;
        };
        if let Some(label) = part_label(name, flavor) {
            parts.push((name.to_string(), label));
        }
    }
    // Body first, then the rest in a stable order (slide 2 before slide 10).
    parts.sort_by_key(|(n, l)| (rank(l), natural_key(n)));
    let mut budget = limit;
    for (name, label) in &parts {
        let Ok(file) = zip.by_name(name) else {
            continue;
        };
        if file.encrypted() {
            return Err(DecodeError::Unreadable(
                "encrypted (password-protected document)".into(),
            ));
        }
        let used = text_part(file, budget, flavor, label, max, sink)?;
        budget = budget.saturating_sub(used);
    }
    for (name, props) in [
        (
            "docProps/core.xml",
            &[
                ("creator", "author", FieldClass::Person),
                ("lastModifiedBy", "last modified by", FieldClass::Person),
            ][..],
        ),
        (
            "docProps/app.xml",
            &[
                ("Company", "company", FieldClass::Organization),
                ("Manager", "manager", FieldClass::Person),
            ][..],
        ),
    ] {
        let Ok(file) = zip.by_name(name) else {
            continue;
        };
        properties(file.take(1 << 20), props, sink)?;
    }
    Ok(())
}

/// The context label of a text part, or `None` for parts without prose.
fn part_label(name: &str, flavor: Flavor) -> Option<String> {
    let file = name.rsplit('/').next().unwrap_or(name);
    let stem = file.strip_suffix(".xml")?;
    match flavor {
        Flavor::Word => {
            let dir = name.strip_prefix("word/")?;
            if dir.contains('/') {
                return None;
            }
            let label = match stem {
                "document" => "body",
                "comments" => "comment",
                "footnotes" => "footnote",
                "endnotes" => "endnote",
                s if s.starts_with("header") => "header",
                s if s.starts_with("footer") => "footer",
                _ => return None,
            };
            Some(label.into())
        }
        Flavor::Slides => {
            let digits = |p: &str| {
                stem.strip_prefix(p)
                    .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
            };
            if name.starts_with("ppt/slides/") {
                digits("slide").map(|n| format!("slide {n}"))
            } else if name.starts_with("ppt/notesSlides/") {
                digits("notesSlide").map(|n| format!("notes {n}"))
            } else if name.starts_with("ppt/comments/") {
                Some("comment".into())
            } else {
                None
            }
        }
    }
}

fn rank(label: &str) -> u8 {
    match label {
        "body" => 0,
        "header" | "footer" => 2,
        l if l.starts_with("slide") => 0,
        _ => 1,
    }
}

/// `slide10.xml` after `slide9.xml`.
fn natural_key(name: &str) -> (String, u64) {
    let digits: String = name.chars().filter(|c| c.is_ascii_digit()).collect();
    let stem: String = name.chars().filter(|c| !c.is_ascii_digit()).collect();
    (stem, digits.parse().unwrap_or(0))
}

/// Streams one part, a segment per paragraph; returns the bytes read.
fn text_part(
    r: impl Read,
    cap: u64,
    flavor: Flavor,
    field: &str,
    max: usize,
    sink: &mut dyn Sink,
) -> Result<u64, DecodeError> {
    let mut counting = Counting {
        inner: r.take(cap),
        n: 0,
    };
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(&mut counting));
    reader.config_mut().check_end_names = false;
    let mut buf = Vec::new();
    let mut para = String::new();
    let mut in_text = false;
    let mut table_depth = 0usize;
    let table_field = format!("{field} table");
    loop {
        let ev = match reader.read_event_into(&mut buf) {
            Ok(ev) => ev,
            Err(_) => {
                drop(reader);
                return Err(DecodeError::Unreadable(if counting.n >= cap {
                    TOO_BIG.into()
                } else {
                    "malformed XML in a document part".into()
                }));
            }
        };
        match ev {
            Event::Start(e) => match e.local_name().as_ref() {
                b"t" => in_text = true,
                b"tbl" => table_depth += 1,
                b"comment" if flavor == Flavor::Word => {
                    comment_author(&e, sink)?;
                }
                _ => {}
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                b"tab" => para.push('\t'),
                b"br" | b"cr" => para.push('\n'),
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                b"t" => in_text = false,
                b"p" => {
                    let f = if table_depth > 0 { &table_field } else { field };
                    emit(&mut para, f, sink)?;
                }
                b"tbl" => table_depth = table_depth.saturating_sub(1),
                _ => {}
            },
            Event::Text(t) if in_text => {
                if let Ok(s) = t.decode() {
                    para.push_str(&s);
                }
            }
            Event::CData(t) if in_text => para.push_str(&String::from_utf8_lossy(&t)),
            Event::GeneralRef(r) if in_text => {
                if let Some(c) = entity(&r) {
                    para.push(c);
                }
            }
            Event::Eof => break,
            _ => {}
        }
        if para.len() > max {
            let f = if table_depth > 0 { &table_field } else { field };
            emit(&mut para, f, sink)?;
        }
        buf.clear();
    }
    emit(&mut para, field, sink)?;
    drop(reader);
    if counting.n >= cap {
        return Err(DecodeError::Unreadable(TOO_BIG.into()));
    }
    Ok(counting.n)
}

const TOO_BIG: &str = "expands beyond the archive limit (--max-archive-bytes / --max-ratio)";

fn emit(para: &mut String, field: &str, sink: &mut dyn Sink) -> Result<(), DecodeError> {
    if !para.trim().is_empty() {
        sink.segment(para, &SegCtx::text(field))?;
    }
    para.clear();
    Ok(())
}

fn comment_author(
    e: &quick_xml::events::BytesStart<'_>,
    sink: &mut dyn Sink,
) -> Result<(), DecodeError> {
    for a in e.attributes().flatten() {
        if a.key.local_name().as_ref() == b"author" {
            let v = String::from_utf8_lossy(&a.value).into_owned();
            if !v.trim().is_empty() {
                sink.segment(&v, &SegCtx::property("comment author", FieldClass::Person))?;
            }
        }
    }
    Ok(())
}

fn entity(r: &quick_xml::events::BytesRef<'_>) -> Option<char> {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        return Some(c);
    }
    let name: &[u8] = r;
    match name {
        b"amp" => Some('&'),
        b"lt" => Some('<'),
        b"gt" => Some('>'),
        b"quot" => Some('"'),
        b"apos" => Some('\''),
        _ => None,
    }
}

/// Reads the simple text elements `wanted` (local name, field, class) of a properties part.
fn properties(
    r: impl Read,
    wanted: &[(&str, &str, FieldClass)],
    sink: &mut dyn Sink,
) -> Result<(), DecodeError> {
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(r));
    let mut buf = Vec::new();
    let mut current: Option<(&str, FieldClass)> = None;
    let mut value = String::new();
    loop {
        let Ok(ev) = reader.read_event_into(&mut buf) else {
            // Properties are a bonus: a malformed part loses them, not the document.
            return Ok(());
        };
        match ev {
            Event::Start(e) => {
                let local = e.local_name();
                current = wanted
                    .iter()
                    .find(|(n, _, _)| n.as_bytes() == local.as_ref())
                    .map(|(_, f, c)| (*f, *c));
                value.clear();
            }
            Event::Text(t) if current.is_some() => {
                if let Ok(s) = t.decode() {
                    value.push_str(&s);
                }
            }
            Event::GeneralRef(r) if current.is_some() => value.extend(entity(&r)),
            Event::End(_) => {
                if let Some((field, class)) = current.take() {
                    if !value.trim().is_empty() {
                        sink.segment(value.trim(), &SegCtx::property(field, class))?;
                    }
                }
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
        buf.clear();
    }
}

struct Counting<R> {
    inner: R,
    n: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.n += n as u64;
        Ok(n)
    }
}
