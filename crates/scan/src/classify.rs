//! Document types: what a document *is* — an invoice, a signed contract, a customer list —
//! judged from its structure (an e-mail, a SQL dump, a table of contacts), its file name,
//! and keywords in its first few kilobytes of text in English, German, French, Spanish,
//! Italian, Dutch and Portuguese. Every judgement carries a confidence and its reasons.
//!
//! Scoring: a type's *title* keyword counts 6 in the document's opening (its first 300
//! characters: the title of a letter, the first row of a sheet), 5 in the file name and 2
//! further down; a *supporting* keyword counts 1. Each keyword counts once. Structure adds
//! its own points (a table whose columns are people, addresses and phones is a customer
//! list unless its words say otherwise). The type with most points wins if it has at
//! least 3; else the document is `other`. Confidence is the winner's share of the top
//! two scores. The file name is used only in memory, never stored or logged.

use crate::segment::{FieldClass, Place};
use crate::sniff::BlobType;
use aho_corasick::AhoCorasick;
use leakdex_core::{DocType, DOC_TYPES};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::sync::LazyLock;

/// The classifier's judgement of one document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Classification {
    /// The type.
    pub doc_type: DocType,
    /// For contracts: whether it is signed.
    pub signed: bool,
    /// 0.0–1.0.
    pub confidence: f32,
    /// Why, strongest first (`"title: invoice"`, `"columns: person, email, phone"`).
    pub reasons: Vec<String>,
}

/// How many characters of a document's text the classifier reads.
const HEAD: usize = 8 << 10;
/// The opening, where titles are.
const OPENING: usize = 300;

/// What the classifier gathers while a document is decoded.
#[derive(Debug, Default)]
pub struct Features {
    /// Lower-cased text of the first segments, up to [`HEAD`] bytes.
    head: String,
    /// Column classes seen (cells only).
    person_col: bool,
    org_col: bool,
    phone_col: bool,
    email_cells: u32,
    cells: u32,
    /// Lower-cased column names (cells only), up to 64.
    columns: Vec<String>,
    /// The sheet the last cell came from.
    sheet: String,
    /// Field names already turned into a column name (up to [`FIELDS`]): a dump's cells
    /// repeat a few fields, and `column_name` allocates and lower-cases — it was ~5% of
    /// a scan's time when run on every cell.
    fields: HashSet<String, foldhash::fast::RandomState>,
    /// The fields of the last cells, each in a slot picked by the address of its text:
    /// the SQL and CSV decoders hand every cell of a column the same name, so the address
    /// finds the slot and one comparison of a short name confirms it (the content
    /// decides, never the address). Hashing each cell's field for `fields` was 4% of a
    /// dump's scan. Decoders that build each cell's field in one reused buffer (JSON key
    /// paths, sheet cell references) miss here and go on to `fields`, as before.
    recent: [(usize, String); RECENT],
}

/// Slots of [`Features::recent`].
const RECENT: usize = 32;

/// How many distinct field names [`Features`] remembers (a sheet's cell references are
/// all distinct; past this, each cell's column name is worked out again).
const FIELDS: usize = 1024;

impl Features {
    /// Feeds one segment; `has_at` says whether `text` holds an `@` (the scanner knows
    /// from its trigger pass over a cell's bytes, or its search in a longer segment).
    pub fn segment(
        &mut self,
        text: &str,
        has_at: bool,
        place: Place,
        class: FieldClass,
        field: &str,
    ) {
        if place == Place::Cell {
            // A new sheet's name is a title (`Preisliste!A2 (product)`).
            if let Some(sheet) = memchr::memchr(b'!', field.as_bytes()).map(|i| &field[..i]) {
                if self.sheet != sheet {
                    self.sheet = sheet.to_string();
                    self.push_head(sheet);
                }
            }
            self.cells = self.cells.saturating_add(1);
            match class {
                FieldClass::Person => self.person_col = true,
                FieldClass::Organization => self.org_col = true,
                FieldClass::Phone => self.phone_col = true,
                _ => {}
            }
            if has_at {
                self.email_cells = self.email_cells.saturating_add(1);
            }
            if self.columns.len() < 64 && !self.seen_last(field) && !self.fields.contains(field) {
                if self.fields.len() < FIELDS {
                    self.fields.insert(field.to_string());
                }
                let col = column_name(field);
                if !col.is_empty() && !self.columns.iter().any(|c| c == &col) {
                    // The header row is part of the opening.
                    self.push_head(&col);
                    self.columns.push(col);
                }
            }
        }
        // Document properties (author, company) say who wrote it, not what it lists.
        if place != Place::Property {
            self.push_head(text);
        }
    }

    /// Whether `field` is the field its slot of [`Features::recent`] holds — it was seen
    /// before; if not, the slot takes it.
    fn seen_last(&mut self, field: &str) -> bool {
        let addr = field.as_ptr() as usize;
        let slot = &mut self.recent[(addr >> 4 ^ addr >> 10) % RECENT];
        if slot.0 == addr && slot.1 == field {
            return true;
        }
        slot.0 = addr;
        slot.1.clear();
        slot.1.push_str(field);
        false
    }

    fn push_head(&mut self, text: &str) {
        if self.head.len() < HEAD {
            let room = HEAD - self.head.len();
            let mut end = text.len().min(room);
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            self.head.push_str(&text[..end].to_lowercase());
            self.head.push('\n');
        }
    }
}

/// `Kunden!B7 (E-Mail)` → `e-mail`; `contacts[].email` → `email`.
fn column_name(field: &str) -> String {
    let f = match (field.rfind('('), field.ends_with(')')) {
        (Some(i), true) => &field[i + 1..field.len() - 1],
        _ => field,
    };
    let last = f
        .rsplit(['.', '/', ']', '['])
        .find(|s| !s.is_empty())
        .unwrap_or(f);
    last.trim().to_lowercase()
}

/// Keywords: (type, title?, word). Lower case; matched at the start of a word, and for
/// words of five letters or fewer also at its end.
const KEYWORDS: &[(DocType, bool, &str)] = {
    use DocType::*;
    &[
        // Invoice
        (Invoice, true, "invoice"),
        (Invoice, true, "rechnung"),
        (Invoice, true, "facture"),
        (Invoice, true, "factura"),
        (Invoice, true, "fattura"),
        (Invoice, true, "factuur"),
        (Invoice, true, "fatura"),
        (Invoice, false, "amount due"),
        (Invoice, false, "due date"),
        (Invoice, false, "zahlbar bis"),
        (Invoice, false, "date d'échéance"),
        (Invoice, false, "fecha de vencimiento"),
        (Invoice, false, "data di scadenza"),
        (Invoice, false, "vervaldatum"),
        (Invoice, false, "data de vencimento"),
        (Invoice, false, "total due"),
        // Purchase order
        (PurchaseOrder, true, "purchase order"),
        (PurchaseOrder, true, "bestellung"),
        (PurchaseOrder, true, "bon de commande"),
        (PurchaseOrder, true, "orden de compra"),
        (PurchaseOrder, true, "ordine d'acquisto"),
        (PurchaseOrder, true, "ordine di acquisto"),
        (PurchaseOrder, true, "inkooporder"),
        (PurchaseOrder, true, "bestelbon"),
        (PurchaseOrder, true, "ordem de compra"),
        (PurchaseOrder, true, "pedido de compra"),
        (PurchaseOrder, false, "delivery date"),
        (PurchaseOrder, false, "liefertermin"),
        (PurchaseOrder, false, "date de livraison"),
        (PurchaseOrder, false, "fecha de entrega"),
        (PurchaseOrder, false, "data di consegna"),
        (PurchaseOrder, false, "leverdatum"),
        (PurchaseOrder, false, "data de entrega"),
        // Quote
        (Quote, true, "quotation"),
        (Quote, true, "quote"),
        (Quote, true, "angebot"),
        (Quote, true, "devis"),
        (Quote, true, "presupuesto"),
        (Quote, true, "cotización"),
        (Quote, true, "preventivo"),
        (Quote, true, "offerte"),
        (Quote, true, "orçamento"),
        (Quote, true, "cotação"),
        (Quote, false, "valid until"),
        (Quote, false, "gültig bis"),
        (Quote, false, "valable jusqu"),
        (Quote, false, "válido hasta"),
        (Quote, false, "valida fino"),
        (Quote, false, "geldig tot"),
        (Quote, false, "válido até"),
        // Statement of work
        (StatementOfWork, true, "statement of work"),
        (StatementOfWork, true, "leistungsbeschreibung"),
        (StatementOfWork, true, "énoncé des travaux"),
        (StatementOfWork, true, "cahier des charges"),
        (StatementOfWork, true, "declaración de trabajo"),
        (StatementOfWork, true, "pliego de condiciones"),
        (StatementOfWork, true, "capitolato"),
        (StatementOfWork, true, "descrizione dei lavori"),
        (StatementOfWork, true, "werkomschrijving"),
        (StatementOfWork, true, "declaração de trabalho"),
        (StatementOfWork, true, "escopo do trabalho"),
        (StatementOfWork, false, "deliverables"),
        (StatementOfWork, false, "lieferumfang"),
        (StatementOfWork, false, "livrables"),
        (StatementOfWork, false, "entregables"),
        (StatementOfWork, false, "consegne"),
        (StatementOfWork, false, "opleveringen"),
        (StatementOfWork, false, "entregáveis"),
        // Proof of execution
        (ProofOfExecution, true, "proof of execution"),
        (ProofOfExecution, true, "certificate of completion"),
        (ProofOfExecution, true, "acceptance certificate"),
        (ProofOfExecution, true, "abnahmeprotokoll"),
        (ProofOfExecution, true, "leistungsnachweis"),
        (ProofOfExecution, true, "procès-verbal de réception"),
        (ProofOfExecution, true, "pv de recette"),
        (ProofOfExecution, true, "acta de recepción"),
        (ProofOfExecution, true, "acta de conformidad"),
        (ProofOfExecution, true, "verbale di collaudo"),
        (ProofOfExecution, true, "proces-verbaal van oplevering"),
        (ProofOfExecution, true, "opleveringsrapport"),
        (ProofOfExecution, true, "termo de aceitação"),
        (ProofOfExecution, true, "auto de receção"),
        (ProofOfExecution, false, "work was completed"),
        (ProofOfExecution, false, "abgenommen"),
        (ProofOfExecution, false, "réceptionné"),
        (ProofOfExecution, false, "recibido conforme"),
        (ProofOfExecution, false, "collaudato"),
        (ProofOfExecution, false, "opgeleverd"),
        (ProofOfExecution, false, "executado"),
        // Contract
        (Contract, true, "agreement"),
        (Contract, true, "contract"),
        (Contract, true, "vertrag"),
        (Contract, true, "contrat"),
        (Contract, true, "contrato"),
        (Contract, true, "contratto"),
        (Contract, true, "overeenkomst"),
        (Contract, false, "the parties"),
        (Contract, false, "vertragsparteien"),
        (Contract, false, "les parties"),
        (Contract, false, "las partes"),
        (Contract, false, "le parti"),
        (Contract, false, "partijen"),
        (Contract, false, "as partes"),
        (Contract, false, "governing law"),
        (Contract, false, "gerichtsstand"),
        // Price list
        (PriceList, true, "price list"),
        (PriceList, true, "pricelist"),
        (PriceList, true, "preisliste"),
        (PriceList, true, "liste de prix"),
        (PriceList, true, "grille tarifaire"),
        (PriceList, true, "lista de precios"),
        (PriceList, true, "listino prezzi"),
        (PriceList, true, "prijslijst"),
        (PriceList, true, "tabela de preços"),
        (PriceList, true, "lista de preços"),
        (PriceList, false, "unit price"),
        (PriceList, false, "stückpreis"),
        (PriceList, false, "prix unitaire"),
        (PriceList, false, "precio unitario"),
        (PriceList, false, "prezzo unitario"),
        (PriceList, false, "stukprijs"),
        (PriceList, false, "preço unitário"),
        (PriceList, false, "list price"),
        // Customer stock (installed base)
        (CustomerStock, true, "installed base"),
        (CustomerStock, true, "customer stock"),
        (CustomerStock, true, "kundenbestand"),
        (CustomerStock, true, "installierte basis"),
        (CustomerStock, true, "parc installé"),
        (CustomerStock, true, "base instalada"),
        (CustomerStock, true, "parco installato"),
        (CustomerStock, true, "geïnstalleerde basis"),
        (CustomerStock, false, "serial"),
        (CustomerStock, false, "seriennummer"),
        (CustomerStock, false, "numéro de série"),
        (CustomerStock, false, "número de serie"),
        (CustomerStock, false, "numero di serie"),
        (CustomerStock, false, "serienummer"),
        (CustomerStock, false, "número de série"),
        (CustomerStock, false, "licenses"),
        (CustomerStock, false, "lizenzen"),
        (CustomerStock, false, "licences"),
        (CustomerStock, false, "licencias"),
        (CustomerStock, false, "licenze"),
        (CustomerStock, false, "licenties"),
        (CustomerStock, false, "licenças"),
        // Customer list
        (CustomerList, true, "customer list"),
        (CustomerList, true, "kundenliste"),
        (CustomerList, true, "liste des clients"),
        (CustomerList, true, "lista de clientes"),
        (CustomerList, true, "elenco clienti"),
        (CustomerList, true, "klantenlijst"),
        // Project plan
        (ProjectPlan, true, "project plan"),
        (ProjectPlan, true, "projektplan"),
        (ProjectPlan, true, "plan de projet"),
        (ProjectPlan, true, "plan de proyecto"),
        (ProjectPlan, true, "piano di progetto"),
        (ProjectPlan, true, "projectplan"),
        (ProjectPlan, true, "plano de projeto"),
        (ProjectPlan, false, "milestone"),
        (ProjectPlan, false, "meilenstein"),
        (ProjectPlan, false, "jalon"),
        (ProjectPlan, false, "hito"),
        (ProjectPlan, false, "mijlpaal"),
        (ProjectPlan, false, "marco"),
        (ProjectPlan, false, "go-live"),
        (ProjectPlan, false, "kick-off"),
        // Internal assessment
        (InternalAssessment, true, "risk assessment"),
        (InternalAssessment, true, "risikobewertung"),
        (InternalAssessment, true, "évaluation des risques"),
        (InternalAssessment, true, "evaluación de riesgos"),
        (InternalAssessment, true, "valutazione del rischio"),
        (InternalAssessment, true, "risicobeoordeling"),
        (InternalAssessment, true, "avaliação de risco"),
        (InternalAssessment, true, "internal assessment"),
        (InternalAssessment, false, "high risk"),
        (InternalAssessment, false, "hohes risiko"),
        (InternalAssessment, false, "risque élevé"),
        (InternalAssessment, false, "alto riesgo"),
        (InternalAssessment, false, "rischio alto"),
        (InternalAssessment, false, "hoog risico"),
        (InternalAssessment, false, "risco elevado"),
        (InternalAssessment, false, "internal only"),
        (InternalAssessment, false, "nur intern"),
    ]
};

/// Words that say a contract is signed.
const SIGNED: &[&str] = &[
    "signed by",
    "signed:",
    "digitally signed",
    "unterschrieben",
    "unterzeichnet",
    "signé par",
    "signé électroniquement",
    "firmado por",
    "firmato da",
    "getekend door",
    "ondertekend door",
    "assinado por",
];

static MATCHER: LazyLock<Option<AhoCorasick>> =
    LazyLock::new(|| AhoCorasick::new(KEYWORDS.iter().map(|k| k.2)).ok());
static SIGNED_MATCHER: LazyLock<Option<AhoCorasick>> =
    LazyLock::new(|| AhoCorasick::new(SIGNED).ok());

fn word_hit(hay: &str, start: usize, end: usize, word: &str) -> bool {
    let before = hay[..start].chars().next_back();
    let after = hay[end..].chars().next();
    let left = before.is_none_or(|c| !c.is_alphanumeric());
    let right = word.chars().count() > 5 || after.is_none_or(|c| !c.is_alphanumeric());
    left && right
}

/// Classifies a document of blob type `ty` named `name` from what was gathered.
pub fn classify(ty: BlobType, name: &str, f: &Features) -> Classification {
    let fixed = |t: DocType, why: &str| Classification {
        doc_type: t,
        signed: false,
        confidence: 0.99,
        reasons: vec![why.to_string()],
    };
    match ty {
        BlobType::Email | BlobType::Msg => return fixed(DocType::Email, "an e-mail message"),
        BlobType::Sql => return fixed(DocType::DatabaseBackup, "a SQL dump"),
        _ => {}
    }
    let n = DOC_TYPES.len();
    let mut score = vec![0u32; n];
    let mut reasons: Vec<Vec<String>> = vec![Vec::new(); n];
    let mut seen = vec![false; KEYWORDS.len()];
    let lname = name.to_lowercase().replace(['_', '-', '.'], " ");
    let Some(m) = MATCHER.as_ref() else {
        return fixed(DocType::Other, "no keyword table");
    };
    for (hay, place) in [(&lname, 0u8), (&f.head, 1u8)] {
        for hit in m.find_overlapping_iter(hay.as_str()) {
            let k = hit.pattern().as_usize();
            let (t, title, word) = KEYWORDS[k];
            if seen[k] || !word_hit(hay, hit.start(), hit.end(), word) {
                continue;
            }
            seen[k] = true;
            let (pts, why) = match (title, place) {
                (true, 0) => (5, "file name"),
                (true, _) if hit.start() < OPENING => (6, "title"),
                (true, _) => (2, "text"),
                (false, _) => (1, "text"),
            };
            score[t.index()] += pts;
            reasons[t.index()].push(format!("{why}: {word}"));
        }
    }
    let tabular = matches!(
        ty,
        BlobType::Csv
            | BlobType::Json
            | BlobType::Ndjson
            | BlobType::Xlsx
            | BlobType::Xlsb
            | BlobType::Xls
            | BlobType::Ods
    );
    if tabular && f.cells > 0 {
        let contact_cols = [f.person_col, f.email_cells > 0, f.phone_col, f.org_col]
            .iter()
            .filter(|b| **b)
            .count();
        let is_log = f.columns.iter().any(|c| {
            matches!(
                c.as_str(),
                "ts" | "timestamp" | "time" | "datetime" | "@timestamp"
            )
        }) && f
            .columns
            .iter()
            .any(|c| matches!(c.as_str(), "event" | "action" | "level" | "ip" | "message"));
        if is_log {
            reasons[DocType::Other.index()].push("columns: a log of events".into());
        } else if contact_cols >= 2 {
            let i = DocType::CustomerList.index();
            score[i] += 4;
            reasons[i].push(format!(
                "columns: {}",
                [
                    (f.person_col, "person"),
                    (f.email_cells > 0, "email"),
                    (f.phone_col, "phone"),
                    (f.org_col, "company")
                ]
                .iter()
                .filter(|(b, _)| *b)
                .map(|(_, s)| *s)
                .collect::<Vec<_>>()
                .join(", ")
            ));
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    // Highest score first; ties go to the earlier type in DOC_TYPES order.
    order.sort_by(|&a, &b| score[b].cmp(&score[a]).then(a.cmp(&b)));
    let (best, second) = (order[0], order[1]);
    if score[best] < 3 {
        let mut why = reasons[DocType::Other.index()].clone();
        if why.is_empty() {
            why.push("no document-type evidence".into());
        }
        return Classification {
            doc_type: DocType::Other,
            signed: false,
            confidence: if score[best] == 0 { 0.9 } else { 0.6 },
            reasons: why,
        };
    }
    let doc_type = DOC_TYPES[best];
    let mut why = std::mem::take(&mut reasons[best]);
    // "Signed by" at the start of a word: not "unsigned", "countersigned".
    let signed = doc_type == DocType::Contract
        && SIGNED_MATCHER
            .as_ref()
            .and_then(|m| {
                m.find_iter(f.head.as_str()).find(|h| {
                    f.head[..h.start()]
                        .chars()
                        .next_back()
                        .is_none_or(|c| !c.is_alphanumeric())
                })
            })
            .inspect(|h| why.push(format!("signed: {}", &f.head[h.start()..h.end()])))
            .is_some();
    let confidence = score[best] as f32 / (score[best] + score[second]).max(1) as f32;
    Classification {
        doc_type,
        signed,
        confidence: (confidence * 100.0).round() / 100.0,
        reasons: why,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(lines: &[&str]) -> Features {
        let mut f = Features::default();
        for l in lines {
            f.segment(l, l.contains('@'), Place::Text, FieldClass::Other, "body");
        }
        f
    }

    #[test]
    fn titles_in_seven_languages() {
        for (title, t) in [
            ("Invoice INV-2024-0042", DocType::Invoice),
            ("Rechnung Nr. 2024-17", DocType::Invoice),
            ("Bon de commande BC-88", DocType::PurchaseOrder),
            ("Presupuesto 2024-3", DocType::Quote),
            ("Verbale di collaudo", DocType::ProofOfExecution),
            ("Overeenkomst van dienstverlening", DocType::Contract),
            ("Tabela de preços 2024", DocType::PriceList),
            ("Projektplan Migration", DocType::ProjectPlan),
            (
                "Évaluation des risques clients",
                DocType::InternalAssessment,
            ),
            (
                "Leistungsbeschreibung CRM-Einführung",
                DocType::StatementOfWork,
            ),
            ("Installed base – Contoso", DocType::CustomerStock),
        ] {
            let c = classify(
                BlobType::Docx,
                "document.docx",
                &text(&[title, "Some text."]),
            );
            assert_eq!(c.doc_type, t, "{title}: {c:?}");
            assert!(c.reasons.iter().any(|r| r.starts_with("title")), "{c:?}");
        }
    }

    #[test]
    fn structure_name_signature_and_other() {
        assert_eq!(
            classify(BlobType::Email, "x", &Features::default()).doc_type,
            DocType::Email
        );
        assert_eq!(
            classify(BlobType::Sql, "x", &Features::default()).doc_type,
            DocType::DatabaseBackup
        );
        let mut t = Features::default();
        for (field, class, v) in [
            ("name", FieldClass::Person, "Anna Schmidt"),
            ("email", FieldClass::Other, "anna@contoso.de"),
            ("phone", FieldClass::Phone, "+49 30 1234567"),
        ] {
            t.segment(v, v.contains('@'), Place::Cell, class, field);
        }
        let c = classify(BlobType::Csv, "export.csv", &t);
        assert_eq!(c.doc_type, DocType::CustomerList, "{c:?}");
        // A column named like a document property is a column; a property is not a cell.
        let mut t = Features::default();
        for (field, class, v) in [
            ("email", FieldClass::Other, "anna@contoso.de"),
            ("company", FieldClass::Organization, "Contoso GmbH"),
        ] {
            t.segment(v, v.contains('@'), Place::Cell, class, field);
        }
        t.segment(
            "Zoë Müller",
            false,
            Place::Property,
            FieldClass::Person,
            "author",
        );
        let c = classify(BlobType::Csv, "export.csv", &t);
        assert_eq!(c.doc_type, DocType::CustomerList, "{c:?}");
        assert_eq!(c.reasons, ["columns: email, company"], "{c:?}");
        assert!(!t.head.contains("müller"), "{}", t.head);
        let c = classify(BlobType::Pdf, "Rechnung_2024-17.pdf", &text(&["Seite 1"]));
        assert_eq!(c.doc_type, DocType::Invoice);
        assert_eq!(c.reasons, ["file name: rechnung"]);
        let c = classify(
            BlobType::Pdf,
            "x.pdf",
            &text(&[
                "Service Agreement",
                "The parties agree.",
                "Signed by Anna Schmidt",
            ]),
        );
        assert_eq!((c.doc_type, c.signed), (DocType::Contract, true), "{c:?}");
        let c = classify(
            BlobType::Pdf,
            "x.pdf",
            &text(&[
                "Service Agreement",
                "Unsigned draft: to be countersigned by the parties",
            ]),
        );
        assert_eq!((c.doc_type, c.signed), (DocType::Contract, false), "{c:?}");
        let c = classify(
            BlobType::Text,
            "notes.txt",
            &text(&["Call back on Monday."]),
        );
        assert_eq!(c.doc_type, DocType::Other);
        // "quote" must not match "quoted"; "contract" may match "contractor" (prefix).
        let c = classify(BlobType::Text, "a.txt", &text(&["as quoted before"]));
        assert_eq!(c.doc_type, DocType::Other, "{c:?}");
    }
}
