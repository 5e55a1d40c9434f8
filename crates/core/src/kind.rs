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

/// HIBP data classes (spelled exactly as in HIBP's `/dataclasses`) that the scanner can
/// establish today.
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
}

impl DataClass {
    /// The HIBP spelling.
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
        }
    }
}
