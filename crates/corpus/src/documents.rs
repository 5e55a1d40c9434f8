//! The back office's business documents: invoices, purchase orders, quotes, statements
//! of work, proofs of execution, contracts (signed or not), price lists, installed-base
//! sheets, customer lists, project plans and internal risk assessments — as Word,
//! PowerPoint, Excel, OpenDocument and PDF files in seven languages — and a few Outlook
//! messages. Each is labelled with the type it is written as, and its findings are
//! recorded as it is written: addresses and international phone numbers in free text,
//! people and companies only where the scanner reads them as such (table columns and
//! document properties), as `docs/counting.md` defines.

use crate::model::{fold, Model, Person};
use crate::office::{self, Docx, Msg, MsgAddr, Props};
use crate::out::Out;
use crate::truth::{Kind, Sub};
use crate::Error;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// The languages documents are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lang {
    En,
    De,
    Fr,
    Es,
    It,
    Nl,
    Pt,
}

const LANGS: [Lang; 7] = [
    Lang::En,
    Lang::De,
    Lang::Fr,
    Lang::Es,
    Lang::It,
    Lang::Nl,
    Lang::Pt,
];

/// The types written here, in rotation.
const TYPES: [&str; 11] = [
    "invoice",
    "quote",
    "purchase_order",
    "statement_of_work",
    "proof_of_execution",
    "contract",
    "price_list",
    "customer_stock",
    "customer_list",
    "project_plan",
    "internal_assessment",
];

/// A phrase per language, in `LANGS` order.
type Words = [&'static str; 7];

fn w(words: &Words, l: Lang) -> &'static str {
    words[LANGS.iter().position(|x| *x == l).unwrap_or(0)]
}

const INVOICE: Words = [
    "Invoice", "Rechnung", "Facture", "Factura", "Fattura", "Factuur", "Fatura",
];
const DUE: Words = [
    "Due date",
    "Zahlbar bis",
    "Date d'échéance",
    "Fecha de vencimiento",
    "Data di scadenza",
    "Vervaldatum",
    "Data de vencimento",
];
const QUOTE: Words = [
    "Quotation",
    "Angebot",
    "Devis",
    "Presupuesto",
    "Preventivo",
    "Offerte",
    "Orçamento",
];
const VALID: Words = [
    "Valid until",
    "Gültig bis",
    "Valable jusqu'au",
    "Válido hasta",
    "Valida fino al",
    "Geldig tot",
    "Válido até",
];
const ORDER: Words = [
    "Purchase Order",
    "Bestellung",
    "Bon de commande",
    "Orden de compra",
    "Ordine di acquisto",
    "Inkooporder",
    "Ordem de compra",
];
const DELIVERY: Words = [
    "Delivery date",
    "Liefertermin",
    "Date de livraison",
    "Fecha de entrega",
    "Data di consegna",
    "Leverdatum",
    "Data de entrega",
];
const SOW: Words = [
    "Statement of Work",
    "Leistungsbeschreibung",
    "Cahier des charges",
    "Declaración de trabajo",
    "Capitolato tecnico",
    "Werkomschrijving",
    "Declaração de trabalho",
];
const DELIVERABLES: Words = [
    "Deliverables",
    "Lieferumfang",
    "Livrables",
    "Entregables",
    "Consegne",
    "Opleveringen",
    "Entregáveis",
];
const PROOF: Words = [
    "Certificate of Completion",
    "Abnahmeprotokoll",
    "Procès-verbal de réception",
    "Acta de recepción",
    "Verbale di collaudo",
    "Proces-verbaal van oplevering",
    "Termo de aceitação",
];
const ACCEPTED: Words = [
    "The work was completed and accepted.",
    "Die Leistung wurde abgenommen.",
    "Les travaux ont été réceptionnés.",
    "Trabajo recibido conforme.",
    "Lavori collaudati con esito positivo.",
    "Het werk is opgeleverd.",
    "Serviço executado e aceite.",
];
const CONTRACT: Words = [
    "Service Agreement",
    "Vertrag über Wartung und Support",
    "Contrat de maintenance",
    "Contrato de servicios",
    "Contratto di assistenza",
    "Overeenkomst voor onderhoud",
    "Contrato de prestação de serviços",
];
const PARTIES: Words = [
    "The parties agree to the following terms.",
    "Die Vertragsparteien vereinbaren Folgendes.",
    "Les parties conviennent de ce qui suit.",
    "Las partes acuerdan lo siguiente.",
    "Le parti concordano quanto segue.",
    "De partijen komen het volgende overeen.",
    "As partes acordam o seguinte.",
];
const SIGNED_BY: Words = [
    "Signed by",
    "Unterzeichnet von",
    "Signé par",
    "Firmado por",
    "Firmato da",
    "Ondertekend door",
    "Assinado por",
];
const PRICES: Words = [
    "Price list",
    "Preisliste",
    "Liste de prix",
    "Lista de precios",
    "Listino prezzi",
    "Prijslijst",
    "Tabela de preços",
];
const STOCK: Words = [
    "Installed base",
    "Installierte Basis",
    "Parc installé",
    "Base instalada",
    "Parco installato",
    "Geïnstalleerde basis",
    "Base instalada",
];
const CUSTOMERS: Words = [
    "Customers",
    "Kunden",
    "Clients",
    "Clientes",
    "Clienti",
    "Klanten",
    "Clientes",
];
const PLAN: Words = [
    "Project plan",
    "Projektplan",
    "Plan de projet",
    "Plan de proyecto",
    "Piano di progetto",
    "Projectplan",
    "Plano de projeto",
];
const MILESTONE: Words = [
    "Milestone",
    "Meilenstein",
    "Jalon",
    "Hito",
    "Milestone",
    "Mijlpaal",
    "Marco",
];
const RISK: Words = [
    "Customer risk assessment",
    "Risikobewertung Kunden",
    "Évaluation des risques clients",
    "Evaluación de riesgos de clientes",
    "Valutazione del rischio clienti",
    "Risicobeoordeling klanten",
    "Avaliação de risco de clientes",
];
const HIGH_RISK: Words = [
    "high risk",
    "hohes Risiko",
    "risque élevé",
    "alto riesgo",
    "rischio alto",
    "hoog risico",
    "risco elevado",
];
const CONTACT: Words = [
    "Contact", "Kontakt", "Contact", "Contacto", "Contatto", "Contact", "Contacto",
];

/// One generated document: where, its bytes, its truth.
struct Doc {
    name: String,
    kind: Kind,
    bytes: Vec<u8>,
    sub: Sub,
}

/// Writes the business documents for every organisation (three each, types and
/// languages in rotation) and a few Outlook messages.
pub(crate) fn write(
    out: &mut Out,
    m: &Model,
    rng: &mut ChaCha8Rng,
    year: i32,
) -> Result<(), Error> {
    let mut k = 0usize;
    for (i, o) in m.orgs.iter().enumerate() {
        let slug = fold(&o.base).replace(|c: char| !c.is_ascii_alphanumeric(), "-");
        for j in 0..3 {
            let ty = TYPES[k % TYPES.len()];
            let lang = LANGS[(i * 3 + j) % LANGS.len()];
            k += 1;
            let d = document(m, rng, i, ty, lang, k, year)
                .map_err(|e| Error::io(std::path::Path::new(&slug), e))?;
            let mut sub = d.sub;
            sub.doc_type(if ty == "contract" && signed(k) {
                "signed_contract"
            } else {
                ty
            });
            let rel = format!("documents/{slug}/{}", d.name);
            out.write_doc(&rel, d.kind, &d.bytes, sub)?;
        }
    }
    for (i, o) in m.orgs.iter().enumerate().take(4) {
        let d = outlook_message(m, i, o.contacts[0], year)
            .map_err(|e| Error::io(std::path::Path::new("outlook"), e))?;
        out.write_doc(
            &format!("mailboxes/outlook/{:04}.msg", i + 1),
            Kind::Msg,
            &d.bytes,
            d.sub,
        )?;
    }
    Ok(())
}

/// Whether the contract written as document `seq` is signed.
fn signed(seq: usize) -> bool {
    seq % 2 == 1
}

fn contact(m: &Model, org: usize, n: usize) -> &Person {
    let o = &m.orgs[org];
    &m.contacts[o.contacts[n % o.contacts.len()]]
}

/// A file name: the localised title half of the time, a neutral scan name otherwise.
fn file_name(title: &str, seq: usize, ext: &str) -> String {
    if seq.is_multiple_of(2) {
        let t: String = title
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { '_' })
            .collect();
        format!("{t}_{year_seq:04}.{ext}", year_seq = seq)
    } else {
        format!("scan_{seq:04}.{ext}")
    }
}

/// Text lines that name a contact and a staff member: two addresses and two phones.
fn contact_lines(sub: &mut Sub, lang: Lang, p: &Person, s: &Person) -> Vec<String> {
    sub.email(&p.email, &p.domain);
    sub.phone(&p.phone.e164);
    sub.email(&s.email, &s.domain);
    sub.phone(&s.phone.e164);
    vec![
        format!("{}: {} {} ", w(&CONTACT, lang), p.email, p.phone.intl),
        format!("Northwind Systems: {} {} ", s.email, s.phone.intl),
    ]
}

/// A PDF's author: staff member `s`.
fn pdf_author<'a>(sub: &mut Sub, s: &'a Person) -> Option<&'a str> {
    sub.person(&s.display);
    Some(&s.display)
}

/// The properties of a document written by staff member `s`: author and company.
fn props<'a>(sub: &mut Sub, m: &'a Model, s: &'a Person) -> Props<'a> {
    sub.person(&s.display);
    sub.org(&m.vendor.name);
    Props {
        author: Some(&s.display),
        modified_by: None,
        company: Some(&m.vendor.name),
    }
}

#[allow(clippy::too_many_arguments)]
fn document(
    m: &Model,
    rng: &mut ChaCha8Rng,
    org: usize,
    ty: &str,
    lang: Lang,
    seq: usize,
    year: i32,
) -> std::io::Result<Doc> {
    let mut sub = Sub::default();
    let p = contact(m, org, seq);
    let s = &m.staff[seq % m.staff.len()];
    let b = m.branch_of(p);
    let number = format!("{year}-{:04}", rng.gen_range(1..10_000));
    let amount = format!(
        "EUR {}.{:02}",
        rng.gen_range(800..90_000),
        rng.gen_range(0..100)
    );
    let text = |title: &str, body: Vec<String>, sub: &mut Sub| {
        let mut lines = vec![format!("{title} {number}"), b.name.clone()];
        lines.extend(body);
        lines.extend(contact_lines(sub, lang, p, s));
        lines
    };
    let doc = |name: String, kind: Kind, bytes: Vec<u8>, sub: Sub| Doc {
        name,
        kind,
        bytes,
        sub,
    };
    Ok(match ty {
        "invoice" => {
            sub.iban(&m.vendor_iban);
            let lines = text(
                w(&INVOICE, lang),
                vec![
                    format!("{}: {year}-12-31", w(&DUE, lang)),
                    format!("Total: {amount}"),
                    format!("IBAN: {}", m.vendor_iban),
                ],
                &mut sub,
            );
            let author = pdf_author(&mut sub, s);
            doc(
                file_name(w(&INVOICE, lang), seq, "pdf"),
                Kind::Pdf,
                office::pdf(&[lines], author),
                sub,
            )
        }
        "purchase_order" | "proof_of_execution" => {
            let (title, extra) = if ty == "purchase_order" {
                (
                    w(&ORDER, lang),
                    format!("{}: {year}-06-30", w(&DELIVERY, lang)),
                )
            } else {
                (w(&PROOF, lang), w(&ACCEPTED, lang).to_string())
            };
            let lines = text(title, vec![extra, format!("Total: {amount}")], &mut sub);
            letter(m, s, sub, title, lines, seq, seq.is_multiple_of(3))?
        }
        "quote" | "statement_of_work" | "internal_assessment" => {
            let (title, table): (&str, Vec<Vec<String>>) = match ty {
                "quote" => (
                    w(&QUOTE, lang),
                    vec![
                        vec!["CRM Pro".into(), amount.clone()],
                        vec![w(&VALID, lang).into(), format!("{year}-09-30")],
                    ],
                ),
                "statement_of_work" => (
                    w(&SOW, lang),
                    vec![
                        vec![w(&DELIVERABLES, lang).into(), "CRM migration".into()],
                        vec!["Phase 2".into(), "Data import and training".into()],
                    ],
                ),
                _ => {
                    let other = m.branch_of(contact(m, (org + 1) % m.orgs.len(), 0));
                    (
                        w(&RISK, lang),
                        vec![
                            vec![b.name.clone(), w(&HIGH_RISK, lang).into()],
                            vec![other.name.clone(), "ok".into()],
                        ],
                    )
                }
            };
            let lines = text(title, Vec::new(), &mut sub);
            let pr = props(&mut sub, m, s);
            let (head, rest) = lines.split_at(2);
            let d = Docx {
                paragraphs: head.to_vec(),
                table,
                closing: rest.to_vec(),
                footer: Some(format!("{} – {}", m.vendor.name, number)),
                props: pr,
                ..Docx::default()
            };
            doc(
                file_name(title, seq, "docx"),
                Kind::Docx,
                office::docx(&d)?,
                sub,
            )
        }
        "contract" => {
            let title = w(&CONTRACT, lang);
            let mut body = vec![w(&PARTIES, lang).to_string()];
            if signed(seq) {
                body.push(format!("{} {}", w(&SIGNED_BY, lang), p.display));
            }
            let lines = text(title, body, &mut sub);
            letter(m, s, sub, title, lines, seq, seq % 4 < 2)?
        }
        "price_list" => {
            let title = w(&PRICES, lang);
            let mut rows = vec![vec!["product".into(), "unit price".into()]];
            for (prod, price) in [
                ("CRM Basic", "1200.00"),
                ("CRM Pro", "4800.00"),
                ("Support", "950.00"),
            ] {
                rows.push(vec![prod.into(), price.into()]);
            }
            sub.email(&s.email, &s.domain);
            rows.push(vec![
                format!("{}: {}", w(&CONTACT, lang), s.email),
                String::new(),
            ]);
            sheet_doc(&mut sub, m, s, title, rows, seq, false)?.finish(sub)
        }
        "customer_stock" => {
            let title = w(&STOCK, lang);
            let mut rows = vec![vec![
                "customer".into(),
                "product".into(),
                "licenses".into(),
                "serial".into(),
                "email".into(),
            ]];
            for n in 0..3 {
                let c = contact(m, org, n);
                let cb = m.branch_of(c);
                sub.org(&cb.name);
                sub.email(&c.email, &c.domain);
                rows.push(vec![
                    cb.name.clone(),
                    ["CRM Pro", "CRM Basic", "Analytics"][n].into(),
                    format!("{}", 5 + rng.gen_range(0..200)),
                    format!("SN-{:X}", rng.gen_range(0x1000_0000u32..0xffff_ffff)),
                    c.email.clone(),
                ]);
            }
            sheet_doc(&mut sub, m, s, title, rows, seq, seq.is_multiple_of(2))?.finish(sub)
        }
        "customer_list" => {
            let title = w(&CUSTOMERS, lang);
            let mut rows = vec![vec![
                "contact_name".into(),
                "email".into(),
                "mobile".into(),
                "country".into(),
                "customer".into(),
            ]];
            let o = &m.orgs[org];
            for &ci in &o.contacts {
                let c = &m.contacts[ci];
                let cb = m.branch_of(c);
                sub.person(&c.display);
                sub.email(&c.email, &c.domain);
                sub.phone(&c.phone.e164);
                sub.org(&cb.name);
                rows.push(vec![
                    c.display.clone(),
                    c.email.clone(),
                    c.phone.national.clone(),
                    c.country.into(),
                    cb.name.clone(),
                ]);
            }
            sheet_doc(&mut sub, m, s, title, rows, seq, seq % 2 == 1)?.finish(sub)
        }
        "project_plan" => {
            let title = w(&PLAN, lang);
            let mut slides = vec![vec![format!("{title} {number}"), b.name.clone()]];
            let mut milestones = Vec::new();
            for (n, what) in ["Kick-off", "Data migration", "Go-live"].iter().enumerate() {
                milestones.push(format!(
                    "{} {}: {what} – {year}-{:02}-15",
                    w(&MILESTONE, lang),
                    n + 1,
                    3 + 2 * n
                ));
            }
            slides.push(milestones);
            slides.push(contact_lines(&mut sub, lang, p, s));
            let pr = props(&mut sub, m, s);
            doc(
                file_name(title, seq, "pptx"),
                Kind::Pptx,
                office::pptx(&slides, &pr)?,
                sub,
            )
        }
        _ => {
            return Err(std::io::Error::other("unknown document type"));
        }
    })
}

/// A one-page letter: a Word document (author and company as properties) or a PDF (the
/// author in its Info dictionary).
fn letter(
    m: &Model,
    s: &Person,
    mut sub: Sub,
    title: &str,
    lines: Vec<String>,
    seq: usize,
    word: bool,
) -> std::io::Result<Doc> {
    Ok(if word {
        let props = props(&mut sub, m, s);
        let d = Docx {
            paragraphs: lines,
            props,
            ..Docx::default()
        };
        Doc {
            name: file_name(title, seq, "docx"),
            kind: Kind::Docx,
            bytes: office::docx(&d)?,
            sub,
        }
    } else {
        let author = pdf_author(&mut sub, s);
        Doc {
            name: file_name(title, seq, "pdf"),
            kind: Kind::Pdf,
            bytes: office::pdf(&[lines], author),
            sub,
        }
    })
}

struct SheetDoc {
    name: String,
    kind: Kind,
    bytes: Vec<u8>,
}

impl SheetDoc {
    fn finish(self, sub: Sub) -> Doc {
        Doc {
            name: self.name,
            kind: self.kind,
            bytes: self.bytes,
            sub,
        }
    }
}

/// A one-sheet workbook named `title`: xlsx or xlsb (with author and company) or ods
/// (without properties).
fn sheet_doc(
    sub: &mut Sub,
    m: &Model,
    s: &Person,
    title: &str,
    rows: Vec<Vec<String>>,
    seq: usize,
    ods: bool,
) -> std::io::Result<SheetDoc> {
    if ods {
        return Ok(SheetDoc {
            name: file_name(title, seq, "ods"),
            kind: Kind::Ods,
            bytes: office::ods(&[(title, rows)], &Props::default())?,
        });
    }
    let pr = props(sub, m, s);
    // Every third Excel workbook is binary (xlsb).
    Ok(if seq.is_multiple_of(3) {
        SheetDoc {
            name: file_name(title, seq, "xlsb"),
            kind: Kind::Xlsb,
            bytes: office::xlsb(&[(title, rows)], &pr)?,
        }
    } else {
        SheetDoc {
            name: file_name(title, seq, "xlsx"),
            kind: Kind::Xlsx,
            bytes: office::xlsx(&[(title, rows)], &pr)?,
        }
    })
}

/// An Outlook message from a staff member to a contact; every other one has only an RTF
/// body.
fn outlook_message(m: &Model, i: usize, contact: usize, year: i32) -> std::io::Result<Doc> {
    let s = &m.staff[i % m.staff.len()];
    let p = &m.contacts[contact];
    let mut sub = Sub::default();
    sub.email(&s.email, &s.domain);
    sub.person(&s.display);
    sub.email(&p.email, &p.domain);
    sub.person(&p.display);
    sub.phone(&s.phone.e164);
    let id = format!("outlook.{i}.{year}@{}", m.vendor.domain);
    sub.message(&id);
    let body = format!(
        "Hello {},\nplease find the renewal attached.\n\n{}\nMobile: {}",
        p.first, s.display, s.phone.intl
    );
    let rtf = i % 2 == 1;
    let msg = Msg {
        from: Some(MsgAddr {
            name: s.display.clone(),
            address: s.email.clone(),
        }),
        to: vec![MsgAddr {
            name: p.display.clone(),
            address: p.email.clone(),
        }],
        cc: Vec::new(),
        subject: "Renewal".into(),
        body: (!rtf).then(|| body.clone()),
        rtf: rtf.then(|| office::rtf_of(&body)),
        headers: format!(
            "Message-ID: <{id}>\r\nDate: Mon, 4 Mar {year} 10:{:02}:00 +0100\r\n",
            i % 60
        ),
        attachments: Vec::new(),
    };
    Ok(Doc {
        name: String::new(),
        kind: Kind::Msg,
        bytes: office::msg(&msg)?,
        sub,
    })
}
