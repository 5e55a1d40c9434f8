//! What a blob is, from its bytes first and its name second.

/// The type of a blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlobType {
    /// A zip archive.
    Zip,
    /// A gzip stream (a tar inside is found after decompression).
    Gzip,
    /// An uncompressed tar archive.
    Tar,
    /// An mbox mailbox.
    Mbox,
    /// An RFC 822 message.
    Email,
    /// A SQL dump script.
    Sql,
    /// A JSON document.
    Json,
    /// Newline-delimited JSON.
    Ndjson,
    /// CSV or TSV.
    Csv,
    /// An HTML page.
    Html,
    /// Other text.
    Text,
    /// A Word document (docx, docm).
    Docx,
    /// A PowerPoint presentation (pptx).
    Pptx,
    /// An Excel workbook (xlsx, xlsm).
    Xlsx,
    /// An Excel binary workbook (xlsb).
    Xlsb,
    /// A legacy Excel workbook (xls, BIFF in an OLE file).
    Xls,
    /// An OpenDocument spreadsheet.
    Ods,
    /// A PDF document.
    Pdf,
    /// An Outlook message (msg).
    Msg,
    /// A password-protected Office document (an OLE `EncryptedPackage`).
    EncryptedOffice,
    /// Anything else (images, executables, office formats not yet decoded).
    Binary,
    /// The empty blob (never sniffed; used where blobs are recorded by type).
    Empty,
}

impl BlobType {
    /// Whether the blob holds other blobs rather than being a document itself.
    pub fn is_container(self) -> bool {
        matches!(
            self,
            BlobType::Zip | BlobType::Gzip | BlobType::Tar | BlobType::Mbox
        )
    }

    /// A short name for reports.
    pub fn as_str(self) -> &'static str {
        match self {
            BlobType::Zip => "zip",
            BlobType::Gzip => "gz",
            BlobType::Tar => "tar",
            BlobType::Mbox => "mbox",
            BlobType::Email => "email",
            BlobType::Sql => "sql",
            BlobType::Json => "json",
            BlobType::Ndjson => "ndjson",
            BlobType::Csv => "csv",
            BlobType::Html => "html",
            BlobType::Text => "text",
            BlobType::Docx => "docx",
            BlobType::Pptx => "pptx",
            BlobType::Xlsx => "xlsx",
            BlobType::Xlsb => "xlsb",
            BlobType::Xls => "xls",
            BlobType::Ods => "ods",
            BlobType::Pdf => "pdf",
            BlobType::Msg => "msg",
            BlobType::EncryptedOffice => "encrypted-office",
            BlobType::Binary => "binary",
            BlobType::Empty => "empty",
        }
    }
}

/// Sniffs the type of `data`, named `name` (the last component of its logical path).
pub fn sniff(name: &str, data: &[u8]) -> BlobType {
    if data.starts_with(b"PK\x03\x04") || data.starts_with(b"PK\x05\x06") {
        return office_zip(name, data).unwrap_or(BlobType::Zip);
    }
    if data.starts_with(OLE_MAGIC) {
        return ole(data);
    }
    // The header may follow up to 1 KB of binary junk; after text it is only a mention.
    if let Some(p) = memchr::memmem::find(&data[..data.len().min(1024)], b"%PDF-") {
        if p == 0 || data[..p].iter().any(|&b| b == 0 || b >= 0x80) {
            return BlobType::Pdf;
        }
    }
    if data.starts_with(&[0x1f, 0x8b]) {
        return BlobType::Gzip;
    }
    if data.len() >= 262 && &data[257..262] == b"ustar" {
        return BlobType::Tar;
    }
    const BINARY_MAGIC: &[&[u8]] = &[
        b"\x89PNG",
        b"\xff\xd8\xff",
        b"GIF8",
        b"\xd0\xcf\x11\xe0",
        b"BM",
        b"RIFF",
        b"\x7fELF",
        b"MZ",
    ];
    if BINARY_MAGIC.iter().any(|m| data.starts_with(m)) {
        return BlobType::Binary;
    }
    let head = &data[..data.len().min(8192)];
    if head.contains(&0) {
        return BlobType::Binary;
    }
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let lower_name = name.to_ascii_lowercase();
    let ext = lower_name.rsplit_once('.').map_or("", |(_, e)| e);
    if head.starts_with(b"From ")
        && looks_like_mail(
            &head[head
                .iter()
                .position(|&b| b == b'\n')
                .map_or(head.len(), |p| p + 1)..],
        )
    {
        return BlobType::Mbox;
    }
    if ext == "eml" || looks_like_mail(head) {
        return BlobType::Email;
    }
    match ext {
        "mbox" => return BlobType::Mbox,
        "sql" => return BlobType::Sql,
        "ndjson" | "jsonl" => return BlobType::Ndjson,
        "json" => return BlobType::Json,
        "csv" | "tsv" => return BlobType::Csv,
        "html" | "htm" => return BlobType::Html,
        _ => {}
    }
    let trimmed = trim_ascii_start(head);
    if trimmed.starts_with(b"{") {
        // One object a line, or one document?
        let first_line_end = trimmed.iter().position(|&b| b == b'\n');
        if let Some(p) = first_line_end {
            let rest = trim_ascii_start(&trimmed[p + 1..]);
            if trimmed[..p].trim_ascii_end().ends_with(b"}") && rest.starts_with(b"{") {
                return BlobType::Ndjson;
            }
        }
        return BlobType::Json;
    }
    if trimmed.starts_with(b"[") {
        return BlobType::Json;
    }
    let lower_head: Vec<u8> = trimmed[..trimmed.len().min(1024)].to_ascii_lowercase();
    if lower_head.starts_with(b"<!doctype html") || lower_head.starts_with(b"<html") {
        return BlobType::Html;
    }
    if memchr::memmem::find(head, b"INSERT INTO").is_some()
        || memchr::memmem::find(head, b"INSERT [").is_some()
        || memchr::memmem::find(head, b" FROM stdin;").is_some()
    {
        return BlobType::Sql;
    }
    BlobType::Text
}

const OLE_MAGIC: &[u8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1";

/// An Office Open XML or OpenDocument file, if the zip is one. The central directory is
/// only read when the first member or the name says it may be (office files start with
/// `[Content_Types].xml`, `_rels/`, `docProps/` or, for OpenDocument, `mimetype`).
fn office_zip(name: &str, data: &[u8]) -> Option<BlobType> {
    let first = data
        .get(26..28)
        .map(|n| u16::from_le_bytes([n[0], n[1]]) as usize)
        .and_then(|n| data.get(30..30 + n))
        .unwrap_or_default();
    if first == b"mimetype" {
        let n = data
            .get(26..28)
            .map_or(0, |n| u16::from_le_bytes([n[0], n[1]]) as usize);
        let extra = data
            .get(28..30)
            .map_or(0, |e| u16::from_le_bytes([e[0], e[1]]) as usize);
        let body = data.get(30 + n + extra..).unwrap_or_default();
        return body
            .starts_with(b"application/vnd.oasis.opendocument.spreadsheet")
            .then_some(BlobType::Ods);
    }
    let lower = name.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map_or("", |(_, e)| e);
    let maybe = first == b"[Content_Types].xml"
        || first.starts_with(b"_rels/")
        || first.starts_with(b"docProps/")
        || first.starts_with(b"word/")
        || first.starts_with(b"xl/")
        || first.starts_with(b"ppt/")
        || matches!(
            ext,
            "docx" | "docm" | "dotx" | "xlsx" | "xlsm" | "xlsb" | "pptx" | "pptm" | "ods"
        );
    if !maybe {
        return None;
    }
    let zip = zip::ZipArchive::new(std::io::Cursor::new(data)).ok()?;
    let has = |n: &str| zip.index_for_name(n).is_some();
    if has("word/document.xml") {
        Some(BlobType::Docx)
    } else if has("xl/workbook.xml") {
        Some(BlobType::Xlsx)
    } else if has("xl/workbook.bin") {
        Some(BlobType::Xlsb)
    } else if has("ppt/presentation.xml") {
        Some(BlobType::Pptx)
    } else if has("content.xml") && has("mimetype") && ext == "ods" {
        Some(BlobType::Ods)
    } else {
        None
    }
}

/// What an OLE compound file holds: an Outlook message, a legacy workbook, an encrypted
/// Office Open XML package, or something not decoded (legacy Word and PowerPoint).
fn ole(data: &[u8]) -> BlobType {
    let Ok(c) = cfb::CompoundFile::open(std::io::Cursor::new(data)) else {
        return BlobType::Binary;
    };
    if c.exists("/EncryptedPackage") {
        BlobType::EncryptedOffice
    } else if c.exists("/__properties_version1.0") || c.exists("/__substg1.0_0037001F") {
        BlobType::Msg
    } else if c.exists("/Workbook") || c.exists("/Book") {
        BlobType::Xls
    } else {
        BlobType::Binary
    }
}

fn trim_ascii_start(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &b[n..]
}

/// At least two well-known header fields among the leading header lines.
fn looks_like_mail(head: &[u8]) -> bool {
    const FIELDS: &[&[u8]] = &[
        b"from:",
        b"to:",
        b"subject:",
        b"date:",
        b"message-id:",
        b"received:",
        b"return-path:",
        b"mime-version:",
        b"content-type:",
        b"delivered-to:",
        b"cc:",
    ];
    let mut known = 0;
    for line in head.split(|&b| b == b'\n').take(64) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            break;
        }
        if line[0] == b' ' || line[0] == b'\t' {
            continue; // folded
        }
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            return false;
        };
        let field = &line[..=colon];
        if !field[..colon]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        {
            return false;
        }
        if FIELDS.iter().any(|f| field.eq_ignore_ascii_case(f)) {
            known += 1;
        }
    }
    known >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_from_bytes_before_names() {
        assert_eq!(sniff("x.txt", b"PK\x03\x04rest"), BlobType::Zip);
        assert_eq!(
            sniff(
                "noext",
                b"From: a@b.de\r\nTo: c@d.de\r\nSubject: x\r\n\r\nhi"
            ),
            BlobType::Email
        );
        assert_eq!(
            sniff(
                "box",
                b"From a@b.de Mon Jan 1 00:00:00 2024\nFrom: a@b.de\nTo: c@d.de\n\nx"
            ),
            BlobType::Mbox
        );
        assert_eq!(sniff("d", b"{\"a\":1}\n{\"a\":2}\n"), BlobType::Ndjson);
        assert_eq!(sniff("d", b"{\"a\":\n1}"), BlobType::Json);
        assert_eq!(sniff("x", b"\x89PNG\r\n"), BlobType::Binary);
        assert_eq!(
            sniff("dump", b"SET NAMES utf8;\nINSERT INTO `t` VALUES (1);"),
            BlobType::Sql
        );
        assert_eq!(sniff("a.csv", b"a;b\n1;2\n"), BlobType::Csv);
        assert_eq!(sniff("notes", b"just: some\ntext here"), BlobType::Text);
    }
}
