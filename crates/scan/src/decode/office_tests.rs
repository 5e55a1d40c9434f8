//! Golden tests of the document decoders (docx, pptx, xlsx, ods, pdf, msg) on files written
//! by the corpus generator's writers, and of their sniffing.

use crate::decode::{msg, ooxml, pdf, sheet, Collect};
use crate::isolate::{Decoder, Format, Isolation};
use crate::sniff::{sniff, BlobType};
use leakdex_corpus::office::{self, Docx, Msg, MsgAddr, Props};
use std::time::Duration;

fn props() -> Props<'static> {
    Props {
        author: Some("Zoë Müller"),
        modified_by: Some("Jan de Vries"),
        company: Some("Northwind Systems GmbH"),
    }
}

fn pairs(c: &Collect) -> Vec<(&str, &str)> {
    c.0.iter().map(|(f, t)| (f.as_str(), t.as_str())).collect()
}

#[test]
fn docx_text_tables_header_footer_comments_and_properties() {
    let d = Docx {
        paragraphs: vec![
            "Rechnung Nr. 2024-17".into(),
            "Tel. +49 30 1234567 & mehr".into(),
        ],
        table: vec![vec!["Kontakt".into(), "anna@contoso.de".into()]],
        closing: vec!["Line one\nline two".into()],
        header: Some("Contoso GmbH – vertraulich".into()),
        footer: Some("Seite 1".into()),
        comment: Some(("Pat O'Brien".into(), "check with bob@fabrikam.fr".into())),
        props: props(),
    };
    let bytes = office::docx(&d).unwrap();
    assert_eq!(sniff("x.bin", &bytes), BlobType::Docx);
    let mut c = Collect::default();
    ooxml::decode(&bytes, ooxml::Flavor::Word, 1 << 16, 1 << 30, &mut c).unwrap();
    assert_eq!(
        pairs(&c),
        [
            ("body", "Rechnung Nr. 2024-17"),
            ("body", "Tel. +49 30 1234567 & mehr"),
            ("body table", "Kontakt"),
            ("body table", "anna@contoso.de"),
            ("body", "Line one\nline two"),
            ("comment author", "Pat O'Brien"),
            ("comment", "check with bob@fabrikam.fr"),
            ("footer", "Seite 1"),
            ("header", "Contoso GmbH – vertraulich"),
            ("author", "Zoë Müller"),
            ("last modified by", "Jan de Vries"),
            ("company", "Northwind Systems GmbH"),
        ]
    );
}

#[test]
fn docx_bomb_stops_at_the_limit() {
    let d = Docx {
        paragraphs: vec!["x ".repeat(200_000)],
        ..Docx::default()
    };
    let bytes = office::docx(&d).unwrap();
    let mut c = Collect::default();
    let e = ooxml::decode(&bytes, ooxml::Flavor::Word, 1 << 16, 10_000, &mut c).unwrap_err();
    assert!(e.to_string().contains("archive limit"), "{e}");
}

#[test]
fn pptx_slides_in_order() {
    let slides: Vec<Vec<String>> = (1..=11)
        .map(|i| vec![format!("Slide {i} title"), format!("owner{i}@contoso.de")])
        .collect();
    let bytes = office::pptx(&slides, &props()).unwrap();
    assert_eq!(sniff("deck", &bytes), BlobType::Pptx);
    let mut c = Collect::default();
    ooxml::decode(&bytes, ooxml::Flavor::Slides, 1 << 16, 1 << 30, &mut c).unwrap();
    let p = pairs(&c);
    assert_eq!(p[0], ("slide 1", "Slide 1 title"));
    assert_eq!(p[18], ("slide 10", "Slide 10 title"));
    assert_eq!(p[21], ("slide 11", "owner11@contoso.de"));
    assert!(p.contains(&("author", "Zoë Müller")));
}

fn contacts() -> Vec<Vec<String>> {
    [
        ["contact_name", "email", "mobile", "country", "customer"],
        [
            "Anna Schmidt",
            "anna@contoso.de",
            "030 1234567",
            "DE",
            "Contoso GmbH",
        ],
        ["", "", "", "", ""],
        [
            "Luc Martin",
            "luc@contoso.fr",
            "01 23 45 67 89",
            "FR",
            "Contoso SAS",
        ],
    ]
    .iter()
    .map(|r| r.iter().map(|s| s.to_string()).collect())
    .collect()
}

#[test]
fn xlsx_cells_carry_sheet_cell_and_header() {
    let bytes = office::xlsx(&[("Kunden", contacts())], &props()).unwrap();
    assert_eq!(sniff("k", &bytes), BlobType::Xlsx);
    let mut c = Collect::default();
    sheet::decode(&bytes, 1 << 16, &mut c).unwrap();
    let p = pairs(&c);
    assert_eq!(p[0], ("Kunden!A2 (contact_name)", "Anna Schmidt"));
    assert_eq!(p[2], ("Kunden!C2 (mobile)", "030 1234567"));
    assert_eq!(p[5], ("Kunden!A4 (contact_name)", "Luc Martin"));
    assert_eq!(p.len(), 10 + 3);
    assert!(p.contains(&("company", "Northwind Systems GmbH")));
}

#[test]
fn xlsb_like_xlsx() {
    let bytes = office::xlsb(&[("Kunden", contacts())], &props()).unwrap();
    assert_eq!(sniff("k", &bytes), BlobType::Xlsb);
    let mut c = Collect::default();
    sheet::decode(&bytes, 1 << 16, &mut c).unwrap();
    let p = pairs(&c);
    assert_eq!(p[0], ("Kunden!A2 (contact_name)", "Anna Schmidt"));
    assert_eq!(p[2], ("Kunden!C2 (mobile)", "030 1234567"));
    assert!(
        p.contains(&("Kunden!E4 (customer)", "Contoso SAS")),
        "{p:?}"
    );
    assert!(p.contains(&("company", "Northwind Systems GmbH")), "{p:?}");
    assert!(p.contains(&("author", "Zoë Müller")), "{p:?}");
}

#[test]
fn ods_like_xlsx() {
    let bytes = office::ods(&[("Contacts", contacts())], &props()).unwrap();
    assert_eq!(sniff("c", &bytes), BlobType::Ods);
    let mut c = Collect::default();
    sheet::decode(&bytes, 1 << 16, &mut c).unwrap();
    let p = pairs(&c);
    assert_eq!(p[1], ("Contacts!B2 (email)", "anna@contoso.de"));
    assert!(p.contains(&("Contacts!E4 (customer)", "Contoso SAS")));
}

#[test]
fn spreadsheet_region_comes_from_the_country_column() {
    struct Regions(Vec<Option<phonenumber::country::Id>>);
    impl crate::decode::Sink for Regions {
        fn segment(&mut self, _: &str, ctx: &crate::SegCtx<'_>) -> Result<(), crate::decode::Stop> {
            if ctx.class == crate::FieldClass::Phone {
                self.0.push(ctx.region);
            }
            Ok(())
        }
    }
    let bytes = office::xlsx(&[("S", contacts())], &Props::default()).unwrap();
    let mut r = Regions(Vec::new());
    // Through a decode worker (a thread here): regions survive the wire format.
    Decoder::new(Isolation::Thread)
        .run(
            Format::Spreadsheet,
            &bytes,
            1 << 16,
            Duration::from_secs(20),
            &mut r,
        )
        .unwrap();
    use phonenumber::country::Id;
    assert_eq!(r.0, [Some(Id::DE), Some(Id::FR)]);
}

#[test]
fn pdf_pages_and_author() {
    let bytes = office::pdf(
        &[
            vec![
                "Invoice 2024-0042".into(),
                "Contact: anna@contoso.de".into(),
            ],
            vec!["Phone +49 30 1234567, Grüße".into()],
        ],
        Some("Zoë Müller"),
    );
    assert_eq!(sniff("x", &bytes), BlobType::Pdf);
    let mut c = Collect::default();
    pdf::decode(&bytes, 1 << 16, &mut c).unwrap();
    let all: String = c.0.iter().map(|(f, t)| format!("{f}: {t}\n")).collect();
    assert!(
        all.contains("page 1: ") && all.contains("anna@contoso.de"),
        "{all}"
    );
    assert!(
        all.contains("page 2: ") && all.contains("+49 30 1234567"),
        "{all}"
    );
    assert!(all.contains("Grüße"), "{all}");
    assert!(all.contains("author: Zoë Müller"), "{all}");
}

#[test]
fn broken_pdf_is_unreadable_not_a_panic() {
    let mut bytes = office::pdf(&[vec!["hello".into()]], None);
    bytes.truncate(bytes.len() / 2);
    bytes.extend_from_slice(b"garbage");
    let mut c = Collect::default();
    let r = Decoder::new(Isolation::Thread).run(
        Format::Pdf,
        &bytes,
        1 << 16,
        Duration::from_secs(20),
        &mut c,
    );
    // lopdf may recover a truncated file; either it reads or it is unreadable, never a panic.
    if let Err(e) = r {
        assert!(
            e.to_string().contains("PDF") || e.to_string().contains("pdf"),
            "{e}"
        );
    }
}

fn addr(name: &str, address: &str) -> MsgAddr {
    MsgAddr {
        name: name.into(),
        address: address.into(),
    }
}

#[test]
fn msg_headers_recipients_body_and_attachments() {
    let m = Msg {
        from: Some(addr("Zoë Müller", "zoe@northwind.de")),
        to: vec![addr("Anna Schmidt", "anna@contoso.de")],
        cc: vec![addr("Luc Martin", "luc@contoso.fr")],
        subject: "Angebot 2024".into(),
        body: Some("Hallo Anna,\nTel. +49 30 1234567".into()),
        rtf: None,
        headers: "Message-ID: <abc.1@northwind.de>\r\nDate: Fri, 1 Mar 2024 09:00:00 +0100\r\n"
            .into(),
        attachments: vec![("liste.csv".into(), b"email\nx@y.de\n".to_vec())],
    };
    let bytes = office::msg(&m).unwrap();
    assert_eq!(bytes, office::msg(&m).unwrap(), "same input, same bytes");
    assert_eq!(sniff("m", &bytes), BlobType::Msg);
    let mut c = Collect::default();
    let d = msg::decode(&bytes, 1 << 16, &mut c).unwrap();
    assert_eq!(d.message_id.as_deref(), Some("abc.1@northwind.de"));
    assert_eq!(d.month.as_deref(), Some("2024-03"));
    assert_eq!(d.children.len(), 1);
    assert_eq!(d.children[0].name, "liste.csv");
    assert_eq!(
        pairs(&c),
        [
            ("From", "zoe@northwind.de"),
            ("From", "Zoë Müller"),
            ("To", "anna@contoso.de"),
            ("To", "Anna Schmidt"),
            ("Cc", "luc@contoso.fr"),
            ("Cc", "Luc Martin"),
            ("Subject", "Angebot 2024"),
            ("body", "Hallo Anna,\nTel. +49 30 1234567"),
        ]
    );
}

#[test]
fn msg_rtf_body_is_reduced_to_text() {
    let m = Msg {
        from: Some(addr("Zoë Müller", "zoe@northwind.de")),
        subject: "RTF".into(),
        rtf: Some(office::rtf_of("Grüße von Zoë\nMobil: +49 170 1234567")),
        ..Msg::default()
    };
    let bytes = office::msg(&m).unwrap();
    let mut c = Collect::default();
    msg::decode(&bytes, 1 << 16, &mut c).unwrap();
    let body: Vec<&str> =
        c.0.iter()
            .filter(|(f, _)| f == "body")
            .map(|(_, t)| t.as_str())
            .collect();
    assert_eq!(body, ["Grüße von Zoë\nMobil: +49 170 1234567"]);
}

#[test]
fn encrypted_office_files_are_recognised() {
    let mut c = cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).unwrap();
    std::io::Write::write_all(
        &mut c.create_stream("/EncryptionInfo").unwrap(),
        &[4, 0, 4, 0],
    )
    .unwrap();
    std::io::Write::write_all(&mut c.create_stream("/EncryptedPackage").unwrap(), &[0; 64])
        .unwrap();
    c.flush().unwrap();
    let bytes = c.into_inner().into_inner();
    assert_eq!(sniff("secret.docx", &bytes), BlobType::EncryptedOffice);
}

#[test]
fn a_hanging_parser_is_abandoned_after_its_budget() {
    // A valid PDF whose one content stream is 5 million text operators: the parser works
    // far longer than the budget; the decoder walks away and says why.
    let mut ops = Vec::with_capacity(8 << 20);
    while ops.len() < 64 << 20 {
        ops.extend_from_slice(b"(x) Tj 1 0 Td\n");
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut z, &ops).unwrap();
    let packed = z.finish().unwrap();
    drop(ops);
    let bytes = hostile_pdf(&packed);
    let mut c = Collect::default();
    let started = std::time::Instant::now();
    let e = Decoder::new(Isolation::Thread)
        .run(
            Format::Pdf,
            &bytes,
            1 << 16,
            Duration::from_millis(300),
            &mut c,
        )
        .unwrap_err();
    assert!(e.to_string().contains("gave up"), "{e}");
    assert!(started.elapsed() < Duration::from_secs(60));
}

/// A one-page PDF whose content stream is `packed` (zlib).
pub(crate) fn hostile_pdf(packed: &[u8]) -> Vec<u8> {
    office::pdf_page(
        packed,
        true,
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    )
}

/// `plain` encrypted with RC4-128 and `user` as the user password.
fn encrypted_pdf(plain: &[u8], user: &str) -> Vec<u8> {
    let mut doc = lopdf::Document::load_mem(plain).unwrap();
    let id = lopdf::Object::string_literal(b"0123456789abcdef".to_vec());
    doc.trailer
        .set("ID", lopdf::Object::Array(vec![id.clone(), id]));
    let state = lopdf::EncryptionState::try_from(lopdf::EncryptionVersion::V2 {
        document: &doc,
        owner_password: "owner",
        user_password: user,
        key_length: 128,
        permissions: lopdf::Permissions::default(),
    })
    .unwrap();
    doc.encrypt(&state).unwrap();
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

#[test]
fn encrypted_pdfs_are_reported_unless_their_user_password_is_empty() {
    let plain = office::pdf(&[vec!["Contact anna@contoso.de".into()]], None);
    let locked = encrypted_pdf(&plain, "s3cret");
    assert!(
        !locked.windows(6).any(|w| w == b"contos"),
        "the text is encrypted"
    );
    let mut c = Collect::default();
    let e = pdf::decode(&locked, 1 << 16, &mut c).unwrap_err();
    assert_eq!(e.to_string(), "encrypted (password-protected PDF)");
    // Encrypted only against copying (empty user password): read as usual.
    let open = encrypted_pdf(&plain, "");
    let mut c = Collect::default();
    pdf::decode(&open, 1 << 16, &mut c).unwrap();
    assert!(
        c.0.iter().any(|(_, t)| t.contains("anna@contoso.de")),
        "{:?}",
        c.0
    );
}

#[test]
fn legacy_xls_cells_carry_sheet_cell_and_header() {
    // Written by tests/fixtures/make_xls.py (xlwt, BIFF8) with the rows of `contacts()`.
    let bytes = include_bytes!("../../tests/fixtures/contacts.xls");
    assert_eq!(sniff("k", bytes), BlobType::Xls);
    let mut c = Collect::default();
    sheet::decode(bytes, 1 << 16, &mut c).unwrap();
    let p = pairs(&c);
    assert_eq!(p[0], ("Kunden!A2 (contact_name)", "Anna Schmidt"));
    assert_eq!(p[2], ("Kunden!C2 (mobile)", "030 1234567"));
    assert!(
        p.contains(&("Kunden!E4 (customer)", "Contoso SAS")),
        "{p:?}"
    );
    assert_eq!(
        p.iter().filter(|(f, _)| f.starts_with("Kunden!")).count(),
        10
    );
}
