//! CSV and TSV: delimiter sniffed from the first line, quoted fields with newlines, a BOM,
//! and the header row as the context of every cell. Streams record by record.

use super::{bytes_to_text, DecodeError, Sink};
use crate::segment::{region_of, FieldClass, SegCtx};

/// Emits every data cell of a CSV document.
pub fn decode(data: &[u8], sink: &mut dyn Sink) -> Result<(), DecodeError> {
    let data = data.strip_prefix(b"\xef\xbb\xbf").unwrap_or(data);
    let delimiter = sniff_delimiter(data);
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(data);
    let mut header: Vec<(String, FieldClass)> = Vec::new();
    let mut country_col: Option<usize> = None;
    let mut record = ::csv::ByteRecord::new();
    let mut first = true;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(DecodeError::Unreadable(format!("csv: {}", e.kind_name()))),
        }
        if first {
            first = false;
            header = record
                .iter()
                .map(|f| {
                    let name = bytes_to_text(f).trim().to_string();
                    let class = FieldClass::of(&name);
                    (name, class)
                })
                .collect();
            country_col = header.iter().position(|(_, c)| *c == FieldClass::Country);
            continue;
        }
        let region = country_col
            .and_then(|i| record.get(i))
            .and_then(|c| region_of(&bytes_to_text(c)));
        for (i, field) in record.iter().enumerate() {
            if field.is_empty() {
                continue;
            }
            let (name, class) = match header.get(i) {
                Some((n, c)) => (n.as_str(), *c),
                None => ("", FieldClass::Other),
            };
            let ctx = SegCtx::cell(name, class, region);
            sink.segment(&bytes_to_text(field), &ctx)?;
        }
    }
    Ok(())
}

trait KindName {
    fn kind_name(&self) -> &'static str;
}

impl KindName for ::csv::Error {
    fn kind_name(&self) -> &'static str {
        match self.kind() {
            ::csv::ErrorKind::Io(_) => "read error",
            ::csv::ErrorKind::Utf8 { .. } => "invalid UTF-8",
            ::csv::ErrorKind::UnequalLengths { .. } => "unequal record lengths",
            _ => "malformed record",
        }
    }
}

/// The most frequent of `, ; \t |` on the first line (outside quotes); `,` by default.
pub fn sniff_delimiter(data: &[u8]) -> u8 {
    let mut counts = [0usize; 4];
    const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];
    let mut quoted = false;
    for &b in data.iter().take(64 * 1024) {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => break,
            _ if !quoted => {
                if let Some(i) = CANDIDATES.iter().position(|&c| c == b) {
                    counts[i] += 1;
                }
            }
            _ => {}
        }
    }
    let (best, n) = counts
        .iter()
        .enumerate()
        .max_by_key(|&(i, n)| (*n, std::cmp::Reverse(i)))
        .unwrap_or((0, &0));
    if *n == 0 {
        b','
    } else {
        CANDIDATES[best]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::Collect;

    #[test]
    fn header_is_context_and_quoted_newlines_survive() {
        let data =
            "\u{feff}Name;Email;Notes\n\"O'Brien, Pat\";pat@obrien.ie;\"line one\nline two\"\n";
        let mut c = Collect::default();
        decode(data.as_bytes(), &mut c).unwrap();
        assert_eq!(
            c.0,
            [
                ("Name".to_string(), "O'Brien, Pat".to_string()),
                ("Email".to_string(), "pat@obrien.ie".to_string()),
                ("Notes".to_string(), "line one\nline two".to_string()),
            ]
        );
        assert_eq!(sniff_delimiter(b"a\tb\tc\n"), b'\t');
        assert_eq!(sniff_delimiter(b"\"a;b\",c\n"), b',');
    }
}
