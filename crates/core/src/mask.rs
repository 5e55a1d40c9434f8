//! Masking of values that must never leave a detector in clear.

/// The unique key of a masked value: a BLAKE3 hash of the full value, domain-separated by
/// kind. Kept in memory for counting; never written to a report, finding or index.
pub fn value_key(kind: &str, clear: &str) -> String {
    let mut h = blake3::Hasher::new();
    h.update(kind.as_bytes());
    h.update(&[0]);
    h.update(clear.as_bytes());
    h.finalize().to_hex()[..32].to_string()
}

/// `4111111111111111` → `****1111`.
pub fn mask_card(digits: &str) -> String {
    format!("****{}", last(digits, 4))
}

/// `DE89370400440532013000` → `DE89****3000`.
pub fn mask_iban(iban: &str) -> String {
    let head: String = iban.chars().take(4).collect();
    format!("{head}****{}", last(iban, 4))
}

/// `("aws_access_key", "AKIA…WXYZ")` → `aws_access_key:****WXYZ`.
pub fn mask_secret(rule: &str, value: &str) -> String {
    if value.chars().count() < 12 {
        return format!("{rule}:****");
    }
    format!("{rule}:****{}", last(value, 4))
}

fn last(s: &str, n: usize) -> &str {
    let count = s.chars().count();
    match s.char_indices().nth(count.saturating_sub(n)) {
        Some((i, _)) => &s[i..],
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_only_the_tail() {
        assert_eq!(mask_card("4111111111111111"), "****1111");
        assert_eq!(mask_iban("DE89370400440532013000"), "DE89****3000");
        assert_eq!(
            mask_secret("aws_access_key", "AKIAIOSFODNN7EXAMPLE"),
            "aws_access_key:****MPLE"
        );
        assert_eq!(mask_secret("password", "hunter2"), "password:****");
        assert_ne!(value_key("card", "1"), value_key("iban", "1"));
    }
}
