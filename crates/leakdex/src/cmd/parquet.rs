//! Parquet output of `leakdex export --format parquet`: the same rows as JSON lines and
//! CSV, one typed column per field (text as UTF-8 byte arrays, counts as INT64), Snappy
//! compressed, in row groups of [`ROW_GROUP`] rows so memory stays bounded on an export of
//! millions of rows.

use parquet::basic::Compression;
use parquet::data_type::{ByteArray, ByteArrayType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;
use std::io::Write;
use std::sync::Arc;

/// Rows buffered per row group.
pub const ROW_GROUP: usize = 65_536;

/// The type of one column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Col {
    /// UTF-8 text.
    Text,
    /// A count.
    Count,
}

enum Buffer {
    Text(Vec<ByteArray>),
    Count(Vec<i64>),
}

/// Writes rows (any `Serialize` struct whose fields are the named columns) to a
/// Parquet file.
pub struct Writer<W: Write + Send> {
    columns: &'static [(&'static str, Col)],
    buffers: Vec<Buffer>,
    rows: usize,
    file: SerializedFileWriter<W>,
}

fn io(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(format!("parquet: {e}"))
}

impl<W: Write + Send> Writer<W> {
    /// A writer of a table named `table` with `columns`, in order.
    pub fn new(
        out: W,
        table: &str,
        columns: &'static [(&'static str, Col)],
    ) -> std::io::Result<Self> {
        use parquet::basic::{ConvertedType, LogicalType, Repetition, Type as Physical};
        let fields = columns
            .iter()
            .map(|(name, col)| {
                let b = match col {
                    Col::Text => Type::primitive_type_builder(name, Physical::BYTE_ARRAY)
                        .with_logical_type(Some(LogicalType::String))
                        .with_converted_type(ConvertedType::UTF8),
                    Col::Count => Type::primitive_type_builder(name, Physical::INT64),
                };
                b.with_repetition(Repetition::REQUIRED)
                    .build()
                    .map(Arc::new)
                    .map_err(io)
            })
            .collect::<std::io::Result<Vec<_>>>()?;
        let schema = Type::group_type_builder(table)
            .with_fields(fields)
            .build()
            .map_err(io)?;
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_created_by(format!("leakdex {}", env!("CARGO_PKG_VERSION")))
            .build();
        let file = SerializedFileWriter::new(out, Arc::new(schema), Arc::new(props)).map_err(io)?;
        Ok(Writer {
            columns,
            buffers: Self::empty(columns),
            rows: 0,
            file,
        })
    }

    fn empty(columns: &[(&str, Col)]) -> Vec<Buffer> {
        columns
            .iter()
            .map(|(_, c)| match c {
                Col::Text => Buffer::Text(Vec::with_capacity(1024)),
                Col::Count => Buffer::Count(Vec::with_capacity(1024)),
            })
            .collect()
    }

    /// Adds one row.
    pub fn push<T: serde::Serialize>(&mut self, row: &T) -> std::io::Result<()> {
        let value = serde_json::to_value(row).map_err(io)?;
        for ((name, _), buf) in self.columns.iter().zip(&mut self.buffers) {
            let field = value.get(name);
            match buf {
                Buffer::Text(v) => {
                    let s = field
                        .and_then(|f| f.as_str())
                        .ok_or_else(|| io(format!("column {name} is not text in this row type")))?;
                    v.push(ByteArray::from(s));
                }
                Buffer::Count(v) => {
                    let n = field.and_then(|f| f.as_u64()).ok_or_else(|| {
                        io(format!("column {name} is not a count in this row type"))
                    })?;
                    v.push(i64::try_from(n).unwrap_or(i64::MAX));
                }
            }
        }
        self.rows += 1;
        if self.rows >= ROW_GROUP {
            self.flush_group()?;
        }
        Ok(())
    }

    fn flush_group(&mut self) -> std::io::Result<()> {
        if self.rows == 0 {
            return Ok(());
        }
        let buffers = std::mem::replace(&mut self.buffers, Self::empty(self.columns));
        self.rows = 0;
        let mut group = self.file.next_row_group().map_err(io)?;
        for buf in &buffers {
            let Some(mut col) = group.next_column().map_err(io)? else {
                return Err(io("fewer columns in the schema than in the rows"));
            };
            match buf {
                Buffer::Text(v) => {
                    col.typed::<ByteArrayType>()
                        .write_batch(v, None, None)
                        .map_err(io)?;
                }
                Buffer::Count(v) => {
                    col.typed::<Int64Type>()
                        .write_batch(v, None, None)
                        .map_err(io)?;
                }
            }
            col.close().map_err(io)?;
        }
        group.close().map_err(io)?;
        Ok(())
    }

    /// Writes the last row group and the footer; returns the output.
    pub fn finish(mut self) -> std::io::Result<W> {
        self.flush_group()?;
        self.file.into_inner().map_err(io)
    }
}

/// The columns of `leakdex export --table accounts`.
pub const ACCOUNTS: &[(&str, Col)] = &[
    ("email", Col::Text),
    ("sha1", Col::Text),
    ("domain", Col::Text),
    ("breach", Col::Text),
    ("occurrences", Col::Count),
];
/// The columns of `leakdex export --table domains`.
pub const DOMAINS: &[(&str, Col)] = &[
    ("domain", Col::Text),
    ("breach", Col::Text),
    ("accounts", Col::Count),
    ("occurrences", Col::Count),
    ("documents", Col::Count),
    ("messages", Col::Count),
];
/// The columns of `leakdex export --table organizations`.
pub const ORGANIZATIONS: &[(&str, Col)] = &[
    ("organization", Col::Text),
    ("breach", Col::Text),
    ("branches", Col::Count),
    ("domains", Col::Text),
    ("accounts", Col::Count),
    ("occurrences", Col::Count),
];

#[cfg(test)]
mod tests {
    use super::*;
    use parquet::file::reader::{FileReader, SerializedFileReader};

    #[test]
    fn rows_read_back_with_their_types() {
        let rows: Vec<leakdex_index::DomainRow> = (0..(ROW_GROUP as u64 + 10))
            .map(|i| leakdex_index::DomainRow {
                domain: format!("d{i}.example"),
                breach: "B".into(),
                accounts: i,
                occurrences: 2 * i,
                documents: 3,
                messages: 4,
            })
            .collect();
        let mut w = Writer::new(Vec::new(), "domains", DOMAINS).expect("writer");
        for r in &rows {
            w.push(r).expect("row");
        }
        let bytes = w.finish().expect("finished");
        let reader = SerializedFileReader::new(bytes::Bytes::from(bytes)).expect("parquet");
        assert_eq!(reader.metadata().num_row_groups(), 2, "bounded row groups");
        let mut n = 0u64;
        for row in reader.get_row_iter(None).expect("rows") {
            let row = row.expect("row");
            use parquet::record::RowAccessor;
            assert_eq!(row.get_string(0).expect("domain"), &format!("d{n}.example"));
            assert_eq!(row.get_long(3).expect("occurrences"), 2 * n as i64);
            n += 1;
        }
        assert_eq!(n, rows.len() as u64);
    }

    #[test]
    fn a_row_type_that_does_not_match_is_an_error() {
        let mut w = Writer::new(Vec::new(), "accounts", ACCOUNTS).expect("writer");
        let e = w.push(&serde_json::json!({"email": 1})).unwrap_err();
        assert!(e.to_string().contains("email"), "{e}");
    }
}
