//! Keyed hashes: how values that must not be stored in clear are still counted.
//!
//! Phones, person names, message IDs and the (already hashed) keys of cards, IBANs and
//! secrets are stored as BLAKE3 keyed by a secret generated once per index and kept in
//! its `settings` table. Equal values give equal hashes inside one index (so unique
//! counts and an exact-match lookup by a verified owner work), while a copy of the
//! database alone cannot be reversed by enumerating, say, all phone numbers of a country
//! without also taking the key. E-mail addresses, registrable domains and normalised
//! organisation names are stored in clear: they are what the index is searched by.

use leakdex_core::Kind;

/// The per-index secret.
#[derive(Clone)]
pub struct Key(pub(crate) [u8; 32]);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(…)")
    }
}

impl Key {
    /// A keyed hash of `value` in the domain `label`, 128 bits as hex.
    pub fn hash(&self, label: &str, value: &str) -> String {
        let mut h = blake3::Hasher::new_keyed(&self.0);
        h.update(label.as_bytes());
        h.update(&[0]);
        h.update(value.as_bytes());
        h.finalize().to_hex()[..32].to_string()
    }

    /// The key under which a value of `kind` is stored: in clear for e-mails, domains and
    /// organisations, a keyed hash for everything else.
    pub fn stored(&self, kind: Kind, key: &str) -> String {
        match kind {
            Kind::Email | Kind::Domain | Kind::Organization => key.to_string(),
            _ => self.hash(kind.as_str(), key),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clear_only_for_searchable_kinds() {
        let k = Key([7; 32]);
        assert_eq!(k.stored(Kind::Email, "a@b.de"), "a@b.de");
        let p = k.stored(Kind::Phone, "+493012345678");
        assert_eq!(p.len(), 32);
        assert!(!p.contains("3012345678"));
        assert_eq!(p, k.stored(Kind::Phone, "+493012345678"));
        assert_ne!(p, Key([8; 32]).stored(Kind::Phone, "+493012345678"));
        assert_ne!(k.stored(Kind::Person, "x"), k.stored(Kind::Phone, "x"));
    }
}
