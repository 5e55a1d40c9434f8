//! Kinds of finding and the HIBP data classes they map to.

use serde::{Deserialize, Serialize};

/// The kind of a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// An e-mail address.
    Email,
    /// A registrable domain (of an e-mail address).
    Domain,
    /// A phone number, E.164.
    Phone,
    /// A person's name.
    Person,
    /// An organisation's name.
    Organization,
    /// A payment card number (masked).
    Card,
    /// An IBAN (masked).
    Iban,
    /// A credential: private key, access key, password (masked).
    Secret,
}

/// Every kind, in report order.
pub const KINDS: [Kind; 8] = [
    Kind::Email,
    Kind::Domain,
    Kind::Organization,
    Kind::Person,
    Kind::Phone,
    Kind::Card,
    Kind::Iban,
    Kind::Secret,
];

impl Kind {
    /// The name used in findings (`email`, `phone`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Email => "email",
            Kind::Domain => "domain",
            Kind::Phone => "phone",
            Kind::Person => "person",
            Kind::Organization => "organization",
            Kind::Card => "card",
            Kind::Iban => "iban",
            Kind::Secret => "secret",
        }
    }

    /// The plural used as a key in reports (`emails`, `phones`, …).
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Email => "emails",
            Kind::Domain => "domains",
            Kind::Phone => "phones",
            Kind::Person => "persons",
            Kind::Organization => "organizations",
            Kind::Card => "cards",
            Kind::Iban => "ibans",
            Kind::Secret => "secrets",
        }
    }

    /// Position in [`KINDS`], for array-indexed counters.
    pub fn index(self) -> usize {
        match self {
            Kind::Email => 0,
            Kind::Domain => 1,
            Kind::Organization => 2,
            Kind::Person => 3,
            Kind::Phone => 4,
            Kind::Card => 5,
            Kind::Iban => 6,
            Kind::Secret => 7,
        }
    }

    /// The HIBP data class this kind is evidence of (`None` for domains, which are
    /// a property of an e-mail address rather than a class of their own).
    pub fn data_class(self) -> Option<DataClass> {
        match self {
            Kind::Email => Some(DataClass::EmailAddresses),
            Kind::Domain => None,
            Kind::Phone => Some(DataClass::PhoneNumbers),
            Kind::Person => Some(DataClass::Names),
            Kind::Organization => Some(DataClass::CompanyNames),
            Kind::Card => Some(DataClass::CreditCards),
            Kind::Iban => Some(DataClass::BankAccountNumbers),
            Kind::Secret => Some(DataClass::Passwords),
        }
    }
}

/// Data classes: HIBP's (spelled exactly as in HIBP's `/dataclasses`) where HIBP has one,
/// our own (marked) only where it has none. `docs/data-classes.md` is the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum DataClass {
    /// "Email addresses"
    #[serde(rename = "Email addresses")]
    EmailAddresses,
    /// "Email messages"
    #[serde(rename = "Email messages")]
    EmailMessages,
    /// "Names"
    #[serde(rename = "Names")]
    Names,
    /// "Phone numbers"
    #[serde(rename = "Phone numbers")]
    PhoneNumbers,
    /// "Company names"
    #[serde(rename = "Company names")]
    CompanyNames,
    /// "Credit cards"
    #[serde(rename = "Credit cards")]
    CreditCards,
    /// "Bank account numbers"
    #[serde(rename = "Bank account numbers")]
    BankAccountNumbers,
    /// "Passwords"
    #[serde(rename = "Passwords")]
    Passwords,
    /// "Purchases" (invoices, purchase orders)
    #[serde(rename = "Purchases")]
    Purchases,
    /// Ours: "Invoices"
    #[serde(rename = "Invoices")]
    Invoices,
    /// Ours: "Purchase orders"
    #[serde(rename = "Purchase orders")]
    PurchaseOrders,
    /// Ours: "Quotes"
    #[serde(rename = "Quotes")]
    Quotes,
    /// Ours: "Statements of work"
    #[serde(rename = "Statements of work")]
    StatementsOfWork,
    /// Ours: "Proofs of execution"
    #[serde(rename = "Proofs of execution")]
    ProofsOfExecution,
    /// Ours: "Contracts" (unsigned)
    #[serde(rename = "Contracts")]
    Contracts,
    /// Ours: "Signed contracts"
    #[serde(rename = "Signed contracts")]
    SignedContracts,
    /// Ours: "Price lists"
    #[serde(rename = "Price lists")]
    PriceLists,
    /// Ours: "Customer stock" (installed base: what a customer runs, licences, serials)
    #[serde(rename = "Customer stock")]
    CustomerStock,
    /// Ours: "Customer lists"
    #[serde(rename = "Customer lists")]
    CustomerLists,
    /// Ours: "Project plans"
    #[serde(rename = "Project plans")]
    ProjectPlans,
    /// Ours: "Customer risk assessments"
    #[serde(rename = "Customer risk assessments")]
    CustomerRiskAssessments,
}

/// Every data class, in declaration order.
pub const DATA_CLASSES: [DataClass; 21] = [
    DataClass::EmailAddresses,
    DataClass::EmailMessages,
    DataClass::Names,
    DataClass::PhoneNumbers,
    DataClass::CompanyNames,
    DataClass::CreditCards,
    DataClass::BankAccountNumbers,
    DataClass::Passwords,
    DataClass::Purchases,
    DataClass::Invoices,
    DataClass::PurchaseOrders,
    DataClass::Quotes,
    DataClass::StatementsOfWork,
    DataClass::ProofsOfExecution,
    DataClass::Contracts,
    DataClass::SignedContracts,
    DataClass::PriceLists,
    DataClass::CustomerStock,
    DataClass::CustomerLists,
    DataClass::ProjectPlans,
    DataClass::CustomerRiskAssessments,
];

impl DataClass {
    /// The spelling (HIBP's where HIBP has the class).
    pub fn as_str(self) -> &'static str {
        match self {
            DataClass::EmailAddresses => "Email addresses",
            DataClass::EmailMessages => "Email messages",
            DataClass::Names => "Names",
            DataClass::PhoneNumbers => "Phone numbers",
            DataClass::CompanyNames => "Company names",
            DataClass::CreditCards => "Credit cards",
            DataClass::BankAccountNumbers => "Bank account numbers",
            DataClass::Passwords => "Passwords",
            DataClass::Purchases => "Purchases",
            DataClass::Invoices => "Invoices",
            DataClass::PurchaseOrders => "Purchase orders",
            DataClass::Quotes => "Quotes",
            DataClass::StatementsOfWork => "Statements of work",
            DataClass::ProofsOfExecution => "Proofs of execution",
            DataClass::Contracts => "Contracts",
            DataClass::SignedContracts => "Signed contracts",
            DataClass::PriceLists => "Price lists",
            DataClass::CustomerStock => "Customer stock",
            DataClass::CustomerLists => "Customer lists",
            DataClass::ProjectPlans => "Project plans",
            DataClass::CustomerRiskAssessments => "Customer risk assessments",
        }
    }

    /// Whether HIBP's own vocabulary has this class (else it is ours).
    pub fn is_hibp(self) -> bool {
        matches!(
            self,
            DataClass::EmailAddresses
                | DataClass::EmailMessages
                | DataClass::Names
                | DataClass::PhoneNumbers
                | DataClass::CompanyNames
                | DataClass::CreditCards
                | DataClass::BankAccountNumbers
                | DataClass::Passwords
                | DataClass::Purchases
        )
    }
}

/// What a document is, as the classifier judges it (see `docs/document-types.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocType {
    /// An e-mail message.
    Email,
    /// An invoice.
    Invoice,
    /// A purchase order.
    PurchaseOrder,
    /// A quote or offer.
    Quote,
    /// A statement of work.
    StatementOfWork,
    /// A proof of execution: acceptance certificate, completion report.
    ProofOfExecution,
    /// A contract or agreement (signed or not).
    Contract,
    /// A price list.
    PriceList,
    /// A customer's installed base (products, licences, serial numbers).
    CustomerStock,
    /// A list of customers or contacts.
    CustomerList,
    /// A database dump.
    DatabaseBackup,
    /// A project plan.
    ProjectPlan,
    /// An internal assessment, e.g. customer risk comments.
    InternalAssessment,
    /// Anything else.
    Other,
}

/// Every document type, in report order.
pub const DOC_TYPES: [DocType; 14] = [
    DocType::Email,
    DocType::Invoice,
    DocType::PurchaseOrder,
    DocType::Quote,
    DocType::StatementOfWork,
    DocType::ProofOfExecution,
    DocType::Contract,
    DocType::PriceList,
    DocType::CustomerStock,
    DocType::CustomerList,
    DocType::DatabaseBackup,
    DocType::ProjectPlan,
    DocType::InternalAssessment,
    DocType::Other,
];

/// Every document-type label ([`DocType::label`]) in a fixed order. The index stores a
/// label's position (a bit of `account_breach.doc_types`, a key of
/// `domain_breach.doc_types`), so this list only ever grows at its end.
pub const DOC_LABELS: [&str; 15] = [
    "email",
    "invoice",
    "purchase_order",
    "quote",
    "statement_of_work",
    "proof_of_execution",
    "contract",
    "price_list",
    "customer_stock",
    "customer_list",
    "database_backup",
    "project_plan",
    "internal_assessment",
    "other",
    "signed_contract",
];

/// The position of a document-type label in [`DOC_LABELS`].
pub fn label_position(label: &str) -> Option<usize> {
    DOC_LABELS.iter().position(|l| *l == label)
}

impl DocType {
    /// The snake_case name used in reports, the index and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            DocType::Email => "email",
            DocType::Invoice => "invoice",
            DocType::PurchaseOrder => "purchase_order",
            DocType::Quote => "quote",
            DocType::StatementOfWork => "statement_of_work",
            DocType::ProofOfExecution => "proof_of_execution",
            DocType::Contract => "contract",
            DocType::PriceList => "price_list",
            DocType::CustomerStock => "customer_stock",
            DocType::CustomerList => "customer_list",
            DocType::DatabaseBackup => "database_backup",
            DocType::ProjectPlan => "project_plan",
            DocType::InternalAssessment => "internal_assessment",
            DocType::Other => "other",
        }
    }

    /// The type named `s` (as [`DocType::as_str`] spells it).
    pub fn parse(s: &str) -> Option<DocType> {
        DOC_TYPES.into_iter().find(|t| t.as_str() == s)
    }

    /// The name stored in the index and shown in document-type counts: the type's name,
    /// and `signed_contract` for a signed contract.
    pub fn label(self, signed: bool) -> &'static str {
        if self == DocType::Contract && signed {
            "signed_contract"
        } else {
            self.as_str()
        }
    }

    /// The inverse of [`DocType::label`]: type and whether signed.
    pub fn from_label(s: &str) -> Option<(DocType, bool)> {
        if s == "signed_contract" {
            return Some((DocType::Contract, true));
        }
        DocType::parse(s).map(|t| (t, false))
    }

    /// Position in [`DOC_TYPES`], for array-indexed counters.
    pub fn index(self) -> usize {
        DOC_TYPES
            .iter()
            .position(|t| *t == self)
            .unwrap_or(DOC_TYPES.len() - 1)
    }

    /// The data classes a document of this type is evidence of. `signed` tells a signed
    /// contract from an unsigned one. Database backups and other documents add none of
    /// their own: their findings speak for them.
    pub fn data_classes(self, signed: bool) -> &'static [DataClass] {
        match self {
            DocType::Email => &[DataClass::EmailMessages],
            DocType::Invoice => &[DataClass::Invoices, DataClass::Purchases],
            DocType::PurchaseOrder => &[DataClass::PurchaseOrders, DataClass::Purchases],
            DocType::Quote => &[DataClass::Quotes],
            DocType::StatementOfWork => &[DataClass::StatementsOfWork],
            DocType::ProofOfExecution => &[DataClass::ProofsOfExecution],
            DocType::Contract if signed => &[DataClass::SignedContracts],
            DocType::Contract => &[DataClass::Contracts],
            DocType::PriceList => &[DataClass::PriceLists],
            DocType::CustomerStock => &[DataClass::CustomerStock],
            DocType::CustomerList => &[DataClass::CustomerLists],
            DocType::ProjectPlan => &[DataClass::ProjectPlans],
            DocType::InternalAssessment => &[DataClass::CustomerRiskAssessments],
            DocType::DatabaseBackup | DocType::Other => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_label_has_its_fixed_position() {
        // Positions are stored in the index: the first fifteen never move.
        assert_eq!(DOC_LABELS[0], "email");
        assert_eq!(DOC_LABELS[14], "signed_contract");
        for t in DOC_TYPES {
            for signed in [false, true] {
                let label = t.label(signed);
                let at = label_position(label).expect("every label is listed");
                assert_eq!(
                    DocType::from_label(DOC_LABELS[at]),
                    Some((t, signed && t == DocType::Contract))
                );
            }
        }
        assert_eq!(label_position("no_such_type"), None);
    }

    /// HIBP's data-class list as its `/dataclasses` serves it (`shared/hibp-v3/`).
    fn hibp() -> Vec<String> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/hibp-v3/dataclasses.txt"
        );
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
            panic!("{path}: {e} (the shared/ folder sits beside the repository)")
        });
        serde_json::from_str(&text).expect("a JSON array of names")
    }

    #[test]
    fn every_kind_and_document_type_maps_and_hibp_spellings_hold() {
        for k in KINDS {
            // Domains are a property of an address, not a class.
            assert_eq!(k.data_class().is_none(), k == Kind::Domain, "{k:?}");
        }
        for t in DOC_TYPES {
            let classes = t.data_classes(false);
            let none = matches!(t, DocType::DatabaseBackup | DocType::Other);
            assert_eq!(classes.is_empty(), none, "{t:?}");
            assert_eq!(DocType::parse(t.as_str()), Some(t));
            assert_eq!(DOC_TYPES[t.index()], t);
        }
        assert_eq!(
            DocType::Contract.data_classes(true),
            [DataClass::SignedContracts]
        );
        assert_eq!(
            DocType::from_label(DocType::Contract.label(true)),
            Some((DocType::Contract, true))
        );
        let hibp = hibp();
        for c in DATA_CLASSES {
            assert_eq!(c.is_hibp(), hibp.iter().any(|h| h == c.as_str()), "{c:?}");
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
        }
    }
}
