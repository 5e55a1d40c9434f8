//! Writers for the document formats an exposed back office holds besides mail and dumps:
//! Word (docx), PowerPoint (pptx), Excel (xlsx), OpenDocument spreadsheets (ods), PDF and
//! Outlook messages (msg). Each writes the smallest file the format's readers accept, byte
//! for byte the same for the same input (fixed timestamps). They serve the corpus
//! generator and the decoders' golden tests.

use std::io::{self, Cursor, Write};

/// Document properties (docProps/core.xml, docProps/app.xml, PDF Info, ODF meta.xml).
#[derive(Debug, Clone, Copy, Default)]
pub struct Props<'a> {
    /// The author (`dc:creator`).
    pub author: Option<&'a str>,
    /// Last modified by.
    pub modified_by: Option<&'a str>,
    /// The company (`Company` in app.xml).
    pub company: Option<&'a str>,
}

/// What a Word document holds.
#[derive(Debug, Clone, Default)]
pub struct Docx<'a> {
    /// Body paragraphs, in order.
    pub paragraphs: Vec<String>,
    /// A table after the paragraphs (rows of cells), if any.
    pub table: Vec<Vec<String>>,
    /// Paragraphs after the table.
    pub closing: Vec<String>,
    /// Page header text.
    pub header: Option<String>,
    /// Page footer text.
    pub footer: Option<String>,
    /// A review comment: (author, text).
    pub comment: Option<(String, String)>,
    /// Properties.
    pub props: Props<'a>,
}

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            _ => o.push(c),
        }
    }
    o
}

fn zip_parts(parts: &[(&str, String)], stored_first: bool) -> io::Result<Vec<u8>> {
    let time = zip::DateTime::from_date_and_time(2024, 3, 1, 9, 0, 0)
        .map_err(|_| io::Error::other("zip date out of range"))?;
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(time);
    let stored = deflated.compression_method(zip::CompressionMethod::Stored);
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (i, (name, body)) in parts.iter().enumerate() {
        let opts = if i == 0 && stored_first {
            stored
        } else {
            deflated
        };
        w.start_file(*name, opts).map_err(io::Error::other)?;
        w.write_all(body.as_bytes())?;
    }
    Ok(w.finish().map_err(io::Error::other)?.into_inner())
}

const XML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

fn core_xml(p: &Props<'_>) -> String {
    let mut s = format!("{XML}<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:dcterms=\"http://purl.org/dc/terms/\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">");
    if let Some(a) = p.author {
        s.push_str(&format!("<dc:creator>{}</dc:creator>", esc(a)));
    }
    if let Some(a) = p.modified_by {
        s.push_str(&format!(
            "<cp:lastModifiedBy>{}</cp:lastModifiedBy>",
            esc(a)
        ));
    }
    s.push_str("<dcterms:created xsi:type=\"dcterms:W3CDTF\">2024-03-01T09:00:00Z</dcterms:created></cp:coreProperties>");
    s
}

fn app_xml(p: &Props<'_>) -> String {
    let mut s = format!("{XML}<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\"><Application>Microsoft Office</Application>");
    if let Some(c) = p.company {
        s.push_str(&format!("<Company>{}</Company>", esc(c)));
    }
    s.push_str("</Properties>");
    s
}

fn rels(main: &str, main_type: &str) -> String {
    format!("{XML}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/{main_type}\" Target=\"{main}\"/><Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/><Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties\" Target=\"docProps/app.xml\"/></Relationships>")
}

fn content_types(overrides: &[(&str, &str)]) -> String {
    let mut s = format!("{XML}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/>");
    for (part, ty) in overrides {
        s.push_str(&format!(
            "<Override PartName=\"/{part}\" ContentType=\"{ty}\"/>"
        ));
    }
    s.push_str("<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/><Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/></Types>");
    s
}

const W_NS: &str = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"";

fn w_para(text: &str) -> String {
    // Lines of one paragraph are joined with <w:br/>, runs split at tabs.
    let mut s = String::from("<w:p>");
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            s.push_str("<w:r><w:br/></w:r>");
        }
        s.push_str(&format!(
            "<w:r><w:t xml:space=\"preserve\">{}</w:t></w:r>",
            esc(line)
        ));
    }
    s.push_str("</w:p>");
    s
}

/// A Word document.
pub fn docx(d: &Docx<'_>) -> io::Result<Vec<u8>> {
    let mut body = format!("{XML}<w:document {W_NS}><w:body>");
    for p in &d.paragraphs {
        body.push_str(&w_para(p));
    }
    if !d.table.is_empty() {
        body.push_str("<w:tbl>");
        for row in &d.table {
            body.push_str("<w:tr>");
            for cell in row {
                body.push_str(&format!("<w:tc>{}</w:tc>", w_para(cell)));
            }
            body.push_str("</w:tr>");
        }
        body.push_str("</w:tbl>");
    }
    for p in &d.closing {
        body.push_str(&w_para(p));
    }
    body.push_str("</w:body></w:document>");
    let main = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml";
    let mut parts: Vec<(&str, String)> = vec![
        (
            "[Content_Types].xml",
            content_types(&[("word/document.xml", main)]),
        ),
        ("_rels/.rels", rels("word/document.xml", "officeDocument")),
        ("word/document.xml", body),
    ];
    if let Some(h) = &d.header {
        parts.push((
            "word/header1.xml",
            format!("{XML}<w:hdr {W_NS}>{}</w:hdr>", w_para(h)),
        ));
    }
    if let Some(f) = &d.footer {
        parts.push((
            "word/footer1.xml",
            format!("{XML}<w:ftr {W_NS}>{}</w:ftr>", w_para(f)),
        ));
    }
    if let Some((author, text)) = &d.comment {
        parts.push((
            "word/comments.xml",
            format!(
                "{XML}<w:comments {W_NS}><w:comment w:id=\"0\" w:author=\"{}\" w:initials=\"X\">{}</w:comment></w:comments>",
                esc(author),
                w_para(text)
            ),
        ));
    }
    parts.push(("docProps/core.xml", core_xml(&d.props)));
    parts.push(("docProps/app.xml", app_xml(&d.props)));
    zip_parts(&parts, false)
}

/// A PowerPoint presentation: one text box a slide, one paragraph a line.
pub fn pptx(slides: &[Vec<String>], props: &Props<'_>) -> io::Result<Vec<u8>> {
    let a_ns = "xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" xmlns:p=\"http://schemas.openxmlformats.org/presentationml/2006/main\"";
    let main = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml";
    let mut names: Vec<String> = Vec::new();
    let mut bodies: Vec<String> = Vec::new();
    let mut list = String::new();
    for (i, lines) in slides.iter().enumerate() {
        let mut paras = String::new();
        for l in lines {
            paras.push_str(&format!("<a:p><a:r><a:t>{}</a:t></a:r></a:p>", esc(l)));
        }
        names.push(format!("ppt/slides/slide{}.xml", i + 1));
        bodies.push(format!("{XML}<p:sld {a_ns}><p:cSld><p:spTree><p:sp><p:txBody>{paras}</p:txBody></p:sp></p:spTree></p:cSld></p:sld>"));
        list.push_str(&format!("<p:sldId id=\"{}\"/>", 256 + i));
    }
    let mut parts: Vec<(&str, String)> = vec![
        (
            "[Content_Types].xml",
            content_types(&[("ppt/presentation.xml", main)]),
        ),
        (
            "_rels/.rels",
            rels("ppt/presentation.xml", "officeDocument"),
        ),
        (
            "ppt/presentation.xml",
            format!("{XML}<p:presentation {a_ns}><p:sldIdLst>{list}</p:sldIdLst></p:presentation>"),
        ),
    ];
    for (n, b) in names.iter().zip(bodies) {
        parts.push((n.as_str(), b));
    }
    parts.push(("docProps/core.xml", core_xml(props)));
    parts.push(("docProps/app.xml", app_xml(props)));
    zip_parts(&parts, false)
}

/// A sheet: name and rows of cells (all written as text).
pub type Sheet<'a> = (&'a str, Vec<Vec<String>>);

fn col_letters(mut c: usize) -> String {
    let mut v = Vec::new();
    c += 1;
    while c > 0 {
        v.push(b'A' + ((c - 1) % 26) as u8);
        c = (c - 1) / 26;
    }
    v.reverse();
    String::from_utf8_lossy(&v).into_owned()
}

/// An Excel workbook with inline-string cells.
pub fn xlsx(sheets: &[Sheet<'_>], props: &Props<'_>) -> io::Result<Vec<u8>> {
    let main = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml";
    let ws = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml";
    let mut overrides: Vec<(String, &str)> = vec![("xl/workbook.xml".into(), main)];
    let mut wb = format!("{XML}<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets>");
    let mut wb_rels = format!("{XML}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">");
    let mut sheet_parts: Vec<(String, String)> = Vec::new();
    for (i, (name, rows)) in sheets.iter().enumerate() {
        let n = i + 1;
        wb.push_str(&format!(
            "<sheet name=\"{}\" sheetId=\"{n}\" r:id=\"rId{n}\"/>",
            esc(name)
        ));
        wb_rels.push_str(&format!("<Relationship Id=\"rId{n}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet{n}.xml\"/>"));
        let mut data = String::new();
        for (r, row) in rows.iter().enumerate() {
            data.push_str(&format!("<row r=\"{}\">", r + 1));
            for (c, v) in row.iter().enumerate() {
                if v.is_empty() {
                    continue;
                }
                data.push_str(&format!(
                    "<c r=\"{}{}\" t=\"inlineStr\"><is><t xml:space=\"preserve\">{}</t></is></c>",
                    col_letters(c),
                    r + 1,
                    esc(v)
                ));
            }
            data.push_str("</row>");
        }
        let path = format!("xl/worksheets/sheet{n}.xml");
        overrides.push((path.clone(), ws));
        sheet_parts.push((path, format!("{XML}<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>{data}</sheetData></worksheet>")));
    }
    wb.push_str("</sheets></workbook>");
    wb_rels.push_str("</Relationships>");
    let ov: Vec<(&str, &str)> = overrides.iter().map(|(p, t)| (p.as_str(), *t)).collect();
    let mut parts: Vec<(&str, String)> = vec![
        ("[Content_Types].xml", content_types(&ov)),
        ("_rels/.rels", rels("xl/workbook.xml", "officeDocument")),
        ("xl/workbook.xml", wb),
        ("xl/_rels/workbook.xml.rels", wb_rels),
    ];
    for (p, b) in &sheet_parts {
        parts.push((p.as_str(), b.clone()));
    }
    parts.push(("docProps/core.xml", core_xml(props)));
    parts.push(("docProps/app.xml", app_xml(props)));
    zip_parts(&parts, false)
}

/// One BIFF12 record (MS-XLSB 2.1.4): a 1–2 byte type and a 1–4 byte size, 7 bits each.
fn record(out: &mut Vec<u8>, typ: u16, data: &[u8]) {
    if typ < 0x80 {
        out.push(typ as u8);
    } else {
        out.push((typ & 0x7F) as u8 | 0x80);
        out.push(((typ >> 7) & 0x7F) as u8);
    }
    let mut n = data.len();
    loop {
        let b = (n & 0x7F) as u8;
        n >>= 7;
        if n == 0 {
            out.push(b);
            break;
        }
        out.push(b | 0x80);
    }
    out.extend_from_slice(data);
}

/// An XLWideString: a u32 count of UTF-16 units, then the units.
fn wide(s: &str) -> Vec<u8> {
    let units: Vec<u16> = s.encode_utf16().collect();
    let mut v = (units.len() as u32).to_le_bytes().to_vec();
    for u in units {
        v.extend_from_slice(&u.to_le_bytes());
    }
    v
}

/// An Excel binary workbook (xlsb): every cell an inline string (`BrtCellSt`).
pub fn xlsb(sheets: &[Sheet<'_>], props: &Props<'_>) -> io::Result<Vec<u8>> {
    let main = "application/vnd.ms-excel.sheet.binary.macroEnabled.main";
    let ws = "application/vnd.ms-excel.worksheet";
    let mut wb = Vec::new();
    record(&mut wb, 0x0083, &[]); // BrtBeginBook
    record(&mut wb, 0x008F, &[]); // BrtBeginBundleShs
    let mut rels = format!("{XML}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">");
    let mut overrides: Vec<(String, &str)> = vec![("xl/workbook.bin".into(), main)];
    let mut parts: Vec<(String, Vec<u8>)> = Vec::new();
    for (i, (name, rows)) in sheets.iter().enumerate() {
        let n = i + 1;
        let mut sh = 0u32.to_le_bytes().to_vec(); // hsState: visible
        sh.extend_from_slice(&(n as u32).to_le_bytes());
        sh.extend(wide(&format!("rId{n}")));
        sh.extend(wide(name));
        record(&mut wb, 0x009C, &sh); // BrtBundleSh
        rels.push_str(&format!("<Relationship Id=\"rId{n}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet{n}.bin\"/>"));
        let mut b = Vec::new();
        record(&mut b, 0x0081, &[]); // BrtBeginSheet
        let cols = rows.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let mut dim = Vec::new();
        for v in [0u32, rows.len().max(1) as u32 - 1, 0, cols as u32 - 1] {
            dim.extend_from_slice(&v.to_le_bytes());
        }
        record(&mut b, 0x0094, &dim); // BrtWsDim
        record(&mut b, 0x0091, &[]); // BrtBeginSheetData
        for (r, row) in rows.iter().enumerate() {
            let mut hdr = (r as u32).to_le_bytes().to_vec();
            hdr.extend_from_slice(&[0u8; 13]);
            record(&mut b, 0x0000, &hdr); // BrtRowHdr
            for (c, v) in row.iter().enumerate() {
                if v.is_empty() {
                    continue;
                }
                let mut cell = (c as u32).to_le_bytes().to_vec();
                cell.extend_from_slice(&0u32.to_le_bytes()); // style 0, no flags
                cell.extend(wide(v));
                record(&mut b, 0x0006, &cell); // BrtCellSt
            }
        }
        record(&mut b, 0x0092, &[]); // BrtEndSheetData
        record(&mut b, 0x0082, &[]); // BrtEndSheet
        let path = format!("xl/worksheets/sheet{n}.bin");
        overrides.push((path.clone(), ws));
        parts.push((path, b));
    }
    record(&mut wb, 0x0090, &[]); // BrtEndBundleShs
    record(&mut wb, 0x0084, &[]); // BrtEndBook
    rels.push_str("</Relationships>");
    let ov: Vec<(&str, &str)> = overrides.iter().map(|(p, t)| (p.as_str(), *t)).collect();
    let time = zip::DateTime::from_date_and_time(2024, 3, 1, 9, 0, 0)
        .map_err(|_| io::Error::other("zip date out of range"))?;
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(time);
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let text_parts: Vec<(&str, String)> = vec![
        ("[Content_Types].xml", content_types(&ov)),
        ("_rels/.rels", rels_xml("xl/workbook.bin")),
        ("xl/_rels/workbook.bin.rels", rels),
        ("docProps/core.xml", core_xml(props)),
        ("docProps/app.xml", app_xml(props)),
    ];
    for (name, body) in &text_parts[..3] {
        w.start_file(*name, opts).map_err(io::Error::other)?;
        w.write_all(body.as_bytes())?;
    }
    w.start_file("xl/workbook.bin", opts)
        .map_err(io::Error::other)?;
    w.write_all(&wb)?;
    for (p, b) in &parts {
        w.start_file(p.as_str(), opts).map_err(io::Error::other)?;
        w.write_all(b)?;
    }
    for (name, body) in &text_parts[3..] {
        w.start_file(*name, opts).map_err(io::Error::other)?;
        w.write_all(body.as_bytes())?;
    }
    Ok(w.finish().map_err(io::Error::other)?.into_inner())
}

fn rels_xml(main: &str) -> String {
    rels(main, "officeDocument")
}

/// An OpenDocument spreadsheet with string cells.
pub fn ods(sheets: &[Sheet<'_>], props: &Props<'_>) -> io::Result<Vec<u8>> {
    let ns = "xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" xmlns:meta=\"urn:oasis:names:tc:opendocument:xmlns:meta:1.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" office:version=\"1.2\"";
    let mut content =
        format!("{XML}<office:document-content {ns}><office:body><office:spreadsheet>");
    for (name, rows) in sheets {
        content.push_str(&format!("<table:table table:name=\"{}\">", esc(name)));
        for row in rows {
            content.push_str("<table:table-row>");
            for v in row {
                if v.is_empty() {
                    content.push_str("<table:table-cell/>");
                } else {
                    content.push_str(&format!("<table:table-cell office:value-type=\"string\"><text:p>{}</text:p></table:table-cell>", esc(v)));
                }
            }
            content.push_str("</table:table-row>");
        }
        content.push_str("</table:table>");
    }
    content.push_str("</office:spreadsheet></office:body></office:document-content>");
    let mut meta = format!("{XML}<office:document-meta {ns}><office:meta>");
    if let Some(a) = props.author {
        meta.push_str(&format!(
            "<meta:initial-creator>{}</meta:initial-creator>",
            esc(a)
        ));
    }
    meta.push_str("</office:meta></office:document-meta>");
    let manifest = format!("{XML}<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" manifest:version=\"1.2\"><manifest:file-entry manifest:full-path=\"/\" manifest:media-type=\"application/vnd.oasis.opendocument.spreadsheet\"/><manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/><manifest:file-entry manifest:full-path=\"meta.xml\" manifest:media-type=\"text/xml\"/></manifest:manifest>");
    zip_parts(
        &[
            (
                "mimetype",
                "application/vnd.oasis.opendocument.spreadsheet".into(),
            ),
            ("META-INF/manifest.xml", manifest),
            ("content.xml", content),
            ("meta.xml", meta),
        ],
        true,
    )
}

/// A PDF: one page per entry, one line of Helvetica text per string (Windows-1252;
/// characters outside it become `?`), and an `/Author` if given.
pub fn pdf(pages: &[Vec<String>], author: Option<&str>) -> Vec<u8> {
    let mut objects: Vec<Vec<u8>> = Vec::new();
    // 1: catalog, 2: pages, 3: font, then per page: page object and content stream.
    let n = pages.len();
    let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 4 + 2 * i)).collect();
    objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    objects.push(format!("<< /Type /Pages /Kids [{}] /Count {n} >>", kids.join(" ")).into_bytes());
    objects.push(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_vec(),
    );
    for (i, lines) in pages.iter().enumerate() {
        let mut content = b"BT /F1 11 Tf 14 TL 56 790 Td\n".to_vec();
        for l in lines {
            content.push(b'(');
            content.extend(pdf_literal(l));
            content.extend_from_slice(b") Tj T*\n");
        }
        content.extend_from_slice(b"ET\n");
        objects.push(format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>", 5 + 2 * i).into_bytes());
        let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
        stream.extend(content);
        stream.extend_from_slice(b"endstream");
        objects.push(stream);
    }
    let info = author.map(|a| {
        let mut d = b"<< /Author (".to_vec();
        d.extend(pdf_literal(a));
        d.extend_from_slice(b") /Producer (leakdex-corpus) >>");
        d
    });
    if let Some(i) = &info {
        objects.push(i.clone());
    }
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n", i + 1).into_bytes());
        out.extend(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).into_bytes());
    for o in offsets {
        out.extend(format!("{o:010} 00000 n \n").into_bytes());
    }
    let info_ref = if info.is_some() {
        format!(" /Info {} 0 R", objects.len())
    } else {
        String::new()
    };
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R{info_ref} >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .into_bytes(),
    );
    out
}

/// A one-page PDF whose content stream is `content` (compressed with zlib when
/// `deflated`) and whose font F1 is the dictionary `font`: for tests of hostile PDFs
/// (fonts without metrics, operator floods).
pub fn pdf_page(content: &[u8], deflated: bool, font: &str) -> Vec<u8> {
    let filter = if deflated {
        " /Filter /FlateDecode"
    } else {
        ""
    };
    let mut stream = format!("<< /Length {}{filter} >>\nstream\n", content.len()).into_bytes();
    stream.extend_from_slice(content);
    stream.extend_from_slice(b"\nendstream");
    let objs: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>".to_vec(),
        stream,
        font.as_bytes().to_vec(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offs = Vec::new();
    for (i, o) in objs.iter().enumerate() {
        offs.push(out.len());
        out.extend(format!("{} 0 obj\n", i + 1).into_bytes());
        out.extend(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let x = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1).into_bytes());
    for o in offs {
        out.extend(format!("{o:010} 00000 n \n").into_bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{x}\n%%EOF\n",
            objs.len() + 1
        )
        .into_bytes(),
    );
    out
}

/// A PDF literal string's bytes (without the parentheses), Windows-1252.
fn pdf_literal(s: &str) -> Vec<u8> {
    let mut o = Vec::new();
    for c in s.chars() {
        let mut buf = [0u8; 4];
        let b = crate::text::cp1252(c.encode_utf8(&mut buf)).unwrap_or_else(|| b"?".to_vec());
        for byte in b {
            match byte {
                b'(' | b')' | b'\\' => {
                    o.push(b'\\');
                    o.push(byte);
                }
                0x80..=0xff => o.extend(format!("\\{byte:03o}").into_bytes()),
                _ => o.push(byte),
            }
        }
    }
    o
}

/// An address on a message: display name and SMTP address.
#[derive(Debug, Clone)]
pub struct MsgAddr {
    /// Display name.
    pub name: String,
    /// SMTP address.
    pub address: String,
}

/// What an Outlook message holds.
#[derive(Debug, Clone, Default)]
pub struct Msg {
    /// Sender.
    pub from: Option<MsgAddr>,
    /// To recipients.
    pub to: Vec<MsgAddr>,
    /// Cc recipients.
    pub cc: Vec<MsgAddr>,
    /// Subject.
    pub subject: String,
    /// Plain-text body (if `None`, `rtf` must be set).
    pub body: Option<String>,
    /// An RTF body (stored uncompressed, "MELA").
    pub rtf: Option<String>,
    /// Transport headers (Message-ID, Date…).
    pub headers: String,
    /// Attachments: file name and bytes.
    pub attachments: Vec<(String, Vec<u8>)>,
}

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect()
}

/// An Outlook message (MS-OXMSG) in an OLE compound file.
pub fn msg(m: &Msg) -> io::Result<Vec<u8>> {
    let mut c = cfb::CompoundFile::create(Cursor::new(Vec::new()))?;
    let put = |c: &mut cfb::CompoundFile<Cursor<Vec<u8>>>, path: &str, data: &[u8]| {
        c.create_stream(path)?.write_all(data)
    };
    // Top-level property stream: 32-byte header, no fixed-size properties needed.
    let mut top = vec![0u8; 32];
    top[16..20].copy_from_slice(&(m.to.len() + m.cc.len()).to_le_bytes()[..4]);
    top[20..24].copy_from_slice(&(m.attachments.len() as u32).to_le_bytes());
    put(&mut c, "/__properties_version1.0", &top)?;
    put(&mut c, "/__substg1.0_001A001F", &utf16("IPM.Note"))?;
    put(&mut c, "/__substg1.0_0037001F", &utf16(&m.subject))?;
    if !m.headers.is_empty() {
        put(&mut c, "/__substg1.0_007D001F", &utf16(&m.headers))?;
    }
    if let Some(f) = &m.from {
        put(&mut c, "/__substg1.0_0C1A001F", &utf16(&f.name))?;
        put(&mut c, "/__substg1.0_5D01001F", &utf16(&f.address))?;
    }
    if let Some(b) = &m.body {
        put(&mut c, "/__substg1.0_1000001F", &utf16(b))?;
    }
    if let Some(r) = &m.rtf {
        put(
            &mut c,
            "/__substg1.0_10090102",
            &crate::office::rtf_mela(r.as_bytes()),
        )?;
    }
    let recips =
        m.to.iter()
            .map(|a| (a, 1u32))
            .chain(m.cc.iter().map(|a| (a, 2u32)));
    for (i, (a, ty)) in recips.enumerate() {
        let dir = format!("/__recip_version1.0_#{i:08X}");
        c.create_storage(&dir)?;
        let mut props = vec![0u8; 8];
        props.extend_from_slice(&0x0C15_0003u32.to_le_bytes());
        props.extend_from_slice(&2u32.to_le_bytes());
        props.extend_from_slice(&ty.to_le_bytes());
        props.extend_from_slice(&0u32.to_le_bytes());
        put(&mut c, &format!("{dir}/__properties_version1.0"), &props)?;
        put(
            &mut c,
            &format!("{dir}/__substg1.0_3001001F"),
            &utf16(&a.name),
        )?;
        put(
            &mut c,
            &format!("{dir}/__substg1.0_39FE001F"),
            &utf16(&a.address),
        )?;
    }
    for (i, (name, data)) in m.attachments.iter().enumerate() {
        let dir = format!("/__attach_version1.0_#{i:08X}");
        c.create_storage(&dir)?;
        put(&mut c, &format!("{dir}/__properties_version1.0"), &[0u8; 8])?;
        put(&mut c, &format!("{dir}/__substg1.0_3707001F"), &utf16(name))?;
        put(&mut c, &format!("{dir}/__substg1.0_37010102"), data)?;
    }
    // Fixed timestamps on the root and every storage: same input, same bytes.
    let at = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_709_283_600);
    let storages: Vec<std::path::PathBuf> = c
        .walk()
        .filter(|e| !e.is_stream())
        .map(|e| e.path().to_path_buf())
        .collect();
    for p in storages {
        c.set_created_time(&p, at)?;
        c.set_modified_time(&p, at)?;
    }
    c.flush()?;
    Ok(c.into_inner().into_inner())
}

/// RTF in the uncompressed ("MELA") form of MS-OXRTFCP.
pub fn rtf_mela(rtf: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(rtf.len() + 16);
    v.extend_from_slice(&((rtf.len() + 12) as u32).to_le_bytes());
    v.extend_from_slice(&(rtf.len() as u32).to_le_bytes());
    v.extend_from_slice(&0x414c_454du32.to_le_bytes());
    v.extend_from_slice(&0u32.to_le_bytes());
    v.extend_from_slice(rtf);
    v
}

/// Plain text as an RTF document: `\par` per line, non-ASCII as `\uN?`.
pub fn rtf_of(text: &str) -> String {
    let mut s = String::from("{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0\\fswiss Arial;}}{\\colortbl;\\red0\\green0\\blue0;}\\f0\\fs20 ");
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            s.push_str("\\par\n");
        }
        for c in line.chars() {
            match c {
                '\\' | '{' | '}' => {
                    s.push('\\');
                    s.push(c);
                }
                c if c.is_ascii() => s.push(c),
                c => {
                    let u = c as u32;
                    if u <= 0x7fff {
                        s.push_str(&format!("\\u{u}?"));
                    } else if u <= 0xffff {
                        s.push_str(&format!("\\u{}?", u as i64 - 65536));
                    } else {
                        s.push('?');
                    }
                }
            }
        }
    }
    s.push('}');
    s
}
