//! The shared vocabulary of leakdex: the kinds of finding, the HIBP
//! data classes they map to, and the normalisation every crate agrees on.
//!
//! Normalisation lives here, not in the scanner, because the corpus generator (which
//! records ground truth) and the index (which stores it) must agree with the scanner on
//! what "the same value" means. See `docs/counting.md`.
//!
//! ```
//! use leakdex_core::{normalize_email, registrable_domain, normalize_org};
//! assert_eq!(normalize_email("Zoe.Muller@Mail.Contoso.DE").as_deref(), Some("zoe.muller@mail.contoso.de"));
//! assert_eq!(registrable_domain("mail.contoso.co.uk").as_deref(), Some("contoso.co.uk"));
//! assert_eq!(normalize_org("Contoso GmbH"), normalize_org("Contoso S.A.S."));
//! ```
#![deny(missing_docs)]

mod kind;
mod mask;
mod normalize;
mod sensitivity;

pub use kind::{
    label_position, DataClass, DocType, Kind, DATA_CLASSES, DOC_LABELS, DOC_TYPES, KINDS,
};
pub use mask::{mask_card, mask_iban, mask_secret, value_key};
pub use normalize::{
    fold_diacritics, normalize_email, normalize_org, normalize_org_into, normalize_person,
    normalize_person_into, registrable_domain, registrable_domain_len, strip_legal_form,
    LEGAL_FORMS,
};
pub use sensitivity::{sensitivity, Sensitivity};

use serde::{Deserialize, Serialize};

/// A raw and a unique count, the pair every number in leakdex comes as.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    /// Every occurrence, every copy counted.
    pub raw: u64,
    /// Distinct values.
    pub unique: u64,
}
