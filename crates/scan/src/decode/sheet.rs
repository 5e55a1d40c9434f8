//! Workbooks with `calamine`: xlsx/xlsm, xlsb, xls and ods. Every non-empty cell is a
//! segment whose context is `Sheet!B7 (Header)`: the first non-empty row of a sheet is its
//! header, and the header says what the column holds (phone, name, company, country), as
//! in a CSV file. The workbook's properties (author, last modified by, company) are
//! findings too.
//!
//! calamine holds shared strings and (for xls and ods) whole sheets in memory, so this
//! decoder runs in a decode worker (see [`crate::isolate`]) where a hostile workbook can
//! only exhaust the worker.

use super::{DecodeError, Sink};
use crate::segment::{region_of, FieldClass, SegCtx};
use calamine::{open_workbook_auto_from_rs, Data, DataRef, Reader, Sheets};
use std::io::Cursor;

/// Feeds a calamine cell reader (xlsx and xlsb have one each, of different types) into a
/// table; `Err(())` when the sheet turns out malformed.
macro_rules! stream_cells {
    ($cells:ident, $table:ident, $max:ident, $sink:ident) => {
        loop {
            match $cells.next_cell() {
                Ok(Some(c)) => {
                    let (r, col) = c.get_position();
                    $table.cell(r, col, &data_ref_text(c.get_value()), $max, $sink)?;
                }
                Ok(None) => break Ok(()),
                Err(_) => break Err(()),
            }
        }
    };
}

/// Emits every cell of every sheet, then the workbook's properties.
pub fn decode(data: &[u8], max: usize, sink: &mut dyn Sink) -> Result<(), DecodeError> {
    let mut wb = open_workbook_auto_from_rs(Cursor::new(data)).map_err(|e| {
        DecodeError::Unreadable(if is_password(&e.to_string()) {
            "encrypted (password-protected workbook)".into()
        } else {
            "not a readable workbook".into()
        })
    })?;
    let names = wb.sheet_names();
    // A chart or dialog sheet, or one malformed sheet, costs that sheet, not the workbook.
    let mut failed = 0usize;
    for name in &names {
        let mut table = Table::new(name);
        let r = match &mut wb {
            // Streamed cell by cell: a sparse sheet never becomes a dense grid.
            Sheets::Xlsx(x) => match x.worksheet_cells_reader(name) {
                Ok(mut cells) => stream_cells!(cells, table, max, sink),
                Err(_) => Err(()),
            },
            Sheets::Xlsb(x) => match x.worksheet_cells_reader(name) {
                Ok(mut cells) => stream_cells!(cells, table, max, sink),
                Err(_) => Err(()),
            },
            other => match other.worksheet_range(name) {
                Ok(range) => {
                    let (r0, c0) = range.start().unwrap_or((0, 0));
                    for (r, col, v) in range.used_cells() {
                        let (r, col) = (r0.saturating_add(r as u32), c0.saturating_add(col as u32));
                        table.cell(r, col, &data_text(v), max, sink)?;
                    }
                    Ok(())
                }
                Err(_) => Err(()),
            },
        };
        table.flush(sink)?;
        if r.is_err() {
            failed += 1;
        }
    }
    if failed > 0 && failed == names.len() {
        return Err(sheet_error());
    }
    if let Ok(p) = wb.workbook_properties() {
        for (field, class, value) in [
            ("author", FieldClass::Person, p.creator),
            ("last modified by", FieldClass::Person, p.last_modified_by),
            ("company", FieldClass::Organization, p.company),
            ("manager", FieldClass::Person, p.manager),
        ] {
            if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
                sink.segment(&v, &SegCtx::property(field, class))?;
            }
        }
    }
    Ok(())
}

fn is_password(msg: &str) -> bool {
    let m = msg.to_ascii_lowercase();
    m.contains("password") || m.contains("encrypt")
}

fn sheet_error() -> DecodeError {
    DecodeError::Unreadable("a worksheet is malformed".into())
}

/// One sheet: its header row and the country column, as cells arrive in row order.
struct Table<'a> {
    sheet: &'a str,
    header_row: Option<u32>,
    header: Vec<(u32, String, FieldClass)>,
    country_col: Option<u32>,
    row: u32,
    region: Option<phonenumber::country::Id>,
    /// Cells of the current row, held until its country (if any) is known.
    pending: Vec<(u32, String)>,
}

impl<'a> Table<'a> {
    fn new(sheet: &'a str) -> Self {
        Table {
            sheet,
            header_row: None,
            header: Vec::new(),
            country_col: None,
            row: 0,
            region: None,
            pending: Vec::new(),
        }
    }

    fn cell(
        &mut self,
        row: u32,
        col: u32,
        text: &str,
        max: usize,
        sink: &mut dyn Sink,
    ) -> Result<(), DecodeError> {
        if text.trim().is_empty() {
            return Ok(());
        }
        if row != self.row {
            self.flush(sink)?;
            self.row = row;
        }
        match self.header_row {
            None => {
                self.header_row = Some(row);
                self.push_header(col, text);
                return Ok(());
            }
            Some(h) if h == row => {
                self.push_header(col, text);
                return Ok(());
            }
            _ => {}
        }
        if Some(col) == self.country_col {
            self.region = region_of(text);
        }
        // Bounded: a row is at most 16,384 columns, each cell cut to `max`.
        let text = if text.len() > max {
            let mut end = max;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            &text[..end]
        } else {
            text
        };
        self.pending.push((col, text.to_string()));
        Ok(())
    }

    fn push_header(&mut self, col: u32, text: &str) {
        let name = text.trim().to_string();
        let class = FieldClass::of(&name);
        if class == FieldClass::Country {
            self.country_col = Some(col);
        }
        self.header.push((col, name, class));
    }

    fn flush(&mut self, sink: &mut dyn Sink) -> Result<(), DecodeError> {
        let region = self.region.take();
        for (col, text) in std::mem::take(&mut self.pending) {
            let (name, class) = self
                .header
                .iter()
                .find(|(c, _, _)| *c == col)
                .map_or(("", FieldClass::Other), |(_, n, c)| (n.as_str(), *c));
            let at = cell_name(self.sheet, self.row, col);
            let field = if name.is_empty() {
                at
            } else {
                format!("{at} ({name})")
            };
            sink.segment(&text, &SegCtx::cell(&field, class, region))?;
        }
        Ok(())
    }
}

/// `Sheet1!B7` for zero-based (row, col).
pub fn cell_name(sheet: &str, row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut c = col + 1;
    while c > 0 {
        let rem = (c - 1) % 26;
        letters.push(b'A' + rem as u8);
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!(
        "{sheet}!{}{}",
        String::from_utf8_lossy(&letters),
        row as u64 + 1
    )
}

fn data_ref_text(v: &DataRef<'_>) -> String {
    match v {
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => float_text(*f),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        _ => String::new(),
    }
}

fn data_text(v: &Data) -> String {
    match v {
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => float_text(*f),
        _ => String::new(),
    }
}

/// Whole numbers without a decimal point: phone numbers typed into a numeric cell.
fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}
