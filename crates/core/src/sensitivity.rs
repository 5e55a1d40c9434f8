//! How sensitive a document is: a score from 0 to 100 with the reasons, from what it
//! holds (the data classes of its findings, how many) and what it is (its type).
//!
//! The weights are a policy, written down in one place (`docs/data-classes.md` explains
//! them): credentials and payment data weigh most, then documents that expose a business
//! relationship (risk assessments, signed contracts, customer lists, database backups),
//! then plain contact data. People together with payment data rank higher than either
//! alone, and volume adds up to 15 points.

use crate::{DocType, Kind, KINDS};
use serde::{Deserialize, Serialize};

/// A sensitivity score and why.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sensitivity {
    /// 0 (nothing sensitive) to 100.
    pub score: u8,
    /// The reasons, heaviest first (`"Credit cards ×3"`, `"signed contract"`).
    pub reasons: Vec<String>,
}

fn kind_weight(k: Kind) -> u32 {
    match k {
        Kind::Secret => 35,
        Kind::Card => 35,
        Kind::Iban => 25,
        Kind::Phone => 8,
        Kind::Email => 8,
        Kind::Person => 6,
        Kind::Organization => 4,
        Kind::Domain => 0,
    }
}

fn type_weight(t: DocType, signed: bool) -> u32 {
    match t {
        DocType::InternalAssessment => 30,
        DocType::Contract if signed => 25,
        DocType::DatabaseBackup => 25,
        DocType::CustomerList => 20,
        DocType::Invoice | DocType::ProofOfExecution | DocType::CustomerStock => 15,
        DocType::Contract => 15,
        DocType::PurchaseOrder | DocType::StatementOfWork | DocType::PriceList => 10,
        DocType::Quote => 8,
        DocType::Email | DocType::ProjectPlan => 5,
        DocType::Other => 0,
    }
}

/// The sensitivity of a document of type `doc_type` whose findings occur `raw[kind]`
/// times (indexed as [`KINDS`]), `people` of them distinct people or addresses.
pub fn sensitivity(
    doc_type: DocType,
    signed: bool,
    raw: &[u64; KINDS.len()],
    people: u64,
) -> Sensitivity {
    let mut parts: Vec<(u32, String)> = Vec::new();
    for k in KINDS {
        let n = raw[k.index()];
        let Some(class) = k.data_class() else {
            continue;
        };
        if n > 0 && kind_weight(k) > 0 {
            parts.push((kind_weight(k), format!("{} ×{n}", class.as_str())));
        }
    }
    let w = type_weight(doc_type, signed);
    if w > 0 {
        let name = match doc_type {
            DocType::Contract if signed => "signed contract".to_string(),
            t => t.as_str().replace('_', " "),
        };
        parts.push((w, name));
    }
    let has = |k: Kind| raw[k.index()] > 0;
    if (has(Kind::Person) || has(Kind::Email)) && (has(Kind::Card) || has(Kind::Iban)) {
        parts.push((15, "people together with payment data".into()));
    }
    if people >= 10 {
        let bonus = ((people as f64).log10() * 5.0).min(15.0) as u32;
        parts.push((bonus, format!("{people} people or addresses")));
    }
    parts.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let score = parts.iter().map(|p| p.0).sum::<u32>().min(100) as u8;
    Sensitivity {
        score,
        reasons: parts.into_iter().map(|p| p.1).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(pairs: &[(Kind, u64)]) -> [u64; KINDS.len()] {
        let mut r = [0; KINDS.len()];
        for (k, n) in pairs {
            r[k.index()] = *n;
        }
        r
    }

    #[test]
    fn names_with_cards_rank_above_either_alone() {
        let both = sensitivity(
            DocType::Other,
            false,
            &raw(&[(Kind::Person, 3), (Kind::Card, 2)]),
            3,
        );
        let names = sensitivity(DocType::Other, false, &raw(&[(Kind::Person, 3)]), 3);
        let cards = sensitivity(DocType::Other, false, &raw(&[(Kind::Card, 2)]), 0);
        assert!(both.score > names.score && both.score > cards.score);
        assert_eq!(both.reasons[0], "Credit cards ×2");
        assert!(both
            .reasons
            .contains(&"people together with payment data".to_string()));
        assert_eq!(sensitivity(DocType::Other, false, &raw(&[]), 0).score, 0);
    }

    #[test]
    fn type_volume_and_cap() {
        let signed = sensitivity(DocType::Contract, true, &raw(&[]), 0);
        let unsigned = sensitivity(DocType::Contract, false, &raw(&[]), 0);
        assert!(signed.score > unsigned.score);
        assert_eq!(signed.reasons, ["signed contract"]);
        let many = sensitivity(
            DocType::DatabaseBackup,
            false,
            &raw(&[
                (Kind::Email, 10_000),
                (Kind::Card, 50),
                (Kind::Iban, 50),
                (Kind::Secret, 2),
            ]),
            10_000,
        );
        assert_eq!(many.score, 100);
        assert!(many
            .reasons
            .contains(&"10000 people or addresses".to_string()));
    }
}
