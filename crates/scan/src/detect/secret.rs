//! Credentials: private keys, cloud access keys, connection strings and `password=`
//! values. A keyword prefilter decides whether any rule runs. Leaves the detector masked.

use super::is_word_byte;
use super::Findings;
use leakdex_core::{mask_secret, value_key, Kind};
use regex::Regex;
use std::sync::LazyLock;

struct Rules {
    private_key: Regex,
    access_key: Regex,
    password: Regex,
    account_key: Regex,
}

/// Keywords one of which every rule needs: `-----BEGIN`, `AKIA`, `ASIA`, `tKey=` (of
/// `AccountKey=`), and `ssw` (of `password`, `passwd`) and `pwd` in every case, as the
/// password rule ignores case. Teddy finds candidates by each keyword's first three
/// bytes, so those are chosen rare in prose: `ssw` rather than `assw` (`class`, `pass`,
/// `assist`), `tKey=` rather than `ccountKey` (every `account`) — on business text those
/// two made the keyword search verify a candidate every few lines.
const KEYWORDS: [&str; 20] = [
    "-----BEGIN",
    "AKIA",
    "ASIA",
    "tKey=",
    "ssw",
    "ssW",
    "sSw",
    "sSW",
    "Ssw",
    "SsW",
    "SSw",
    "SSW",
    "pwd",
    "pwD",
    "pWd",
    "pWD",
    "Pwd",
    "PwD",
    "PWd",
    "PWD",
];

/// All keywords in one SIMD pass (Teddy, from aho-corasick's packed searchers) where the
/// CPU has it; else a `memmem` search per keyword. One `memmem` per keyword read each
/// segment ten times (8% of a text scan); an aho-corasick automaton ran byte by byte and
/// cost a quarter of it.
enum Keywords {
    Packed(aho_corasick::packed::Searcher),
    Each(Vec<memchr::memmem::Finder<'static>>),
}

static KEYWORD_SEARCH: LazyLock<Keywords> =
    LazyLock::new(
        || match aho_corasick::packed::Searcher::new(KEYWORDS.iter()) {
            Some(s) => Keywords::Packed(s),
            None => Keywords::Each(
                KEYWORDS
                    .iter()
                    .map(|k| memchr::memmem::Finder::new(k.as_bytes()))
                    .collect(),
            ),
        },
    );

fn has_keyword(b: &[u8]) -> bool {
    match &*KEYWORD_SEARCH {
        Keywords::Packed(s) => s.find(b).is_some(),
        Keywords::Each(f) => f.iter().any(|k| k.find(b).is_some()),
    }
}

/// The keyword check for short segments (table cells): one pass, no searcher set-up —
/// which would cost more than the search itself.
fn short_has_keyword(b: &[u8]) -> bool {
    (0..b.len()).any(|i| {
        let w = &b[i..];
        match b[i] {
            b'-' => w.starts_with(b"-----BEGIN"),
            b'A' => {
                w.starts_with(b"AKIA") || w.starts_with(b"ASIA") || w.starts_with(b"AccountKey")
            }
            b'p' | b'P' => {
                w.get(..5).is_some_and(|x| x.eq_ignore_ascii_case(b"passw"))
                    || w.get(..3).is_some_and(|x| x.eq_ignore_ascii_case(b"pwd"))
            }
            _ => false,
        }
    })
}

static RULES: LazyLock<Option<Rules>> = LazyLock::new(|| {
    Some(Rules {
        private_key: Regex::new(
            r"-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?)-----([A-Za-z0-9+/=\s]*)",
        )
        .ok()?,
        access_key: Regex::new(r"(?:AKIA|ASIA)[0-9A-Z]{16}").ok()?,
        password: Regex::new(
            r#"(?i)(?:password|passwd|pwd)\s*[=:]\s*("[^"\r\n]+"|'[^'\r\n]+'|[^\s;,&'"<>]+)"#,
        )
        .ok()?,
        account_key: Regex::new(r"AccountKey=([A-Za-z0-9+/=]{20,})").ok()?,
    })
});

/// Appends a masked `secret` finding for each credential in `text`.
pub fn detect(text: &str, out: &mut Findings) {
    let b = text.as_bytes();
    let hit = if b.len() < 256 {
        short_has_keyword(b)
    } else {
        has_keyword(b)
    };
    if !hit {
        return;
    }
    let Some(rules) = RULES.as_ref() else { return };
    let mut push = |rule: &str, clear: &str| {
        out.push_keyed(
            Kind::Secret,
            &mask_secret(rule, clear),
            &value_key(rule, clear),
        );
    };
    for c in rules.private_key.captures_iter(text) {
        let body: String = c
            .get(2)
            .map(|m| {
                m.as_str()
                    .split_whitespace()
                    .flat_map(str::chars)
                    .take(256)
                    .collect()
            })
            .unwrap_or_default();
        let kind = c.get(1).map_or("PRIVATE KEY", |m| m.as_str());
        push("private_key", &format!("{kind}:{body}"));
    }
    for m in rules.access_key.find_iter(text) {
        let before = m.start() > 0 && is_word_byte(b[m.start() - 1]);
        let after = m.end() < b.len() && is_word_byte(b[m.end()]);
        if !before && !after {
            push("aws_access_key", m.as_str());
        }
    }
    for c in rules.password.captures_iter(text) {
        let (Some(all), Some(v)) = (c.get(0), c.get(1)) else {
            continue;
        };
        if all.start() > 0 && b[all.start() - 1].is_ascii_alphabetic() {
            continue; // `db_password_hash=` and friends: a different key
        }
        let v = v.as_str().trim_matches(['"', '\'']);
        if v.len() >= 4 && v.len() <= 200 && !v.starts_with(['$', '<', '{', '%', '*']) {
            push("password", v);
        }
    }
    for c in rules.account_key.captures_iter(text) {
        if let Some(v) = c.get(1) {
            push("azure_account_key", v.as_str());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::values;
    use super::*;
    use crate::segment::SegCtx;
    use leakdex_core::Kind;

    fn secrets(t: &str) -> Vec<String> {
        values(t, &SegCtx::text("line"), Kind::Secret)
    }

    #[test]
    fn keyword_searches_agree() {
        let each = Keywords::Each(
            KEYWORDS
                .iter()
                .map(|k| memchr::memmem::Finder::new(k.as_bytes()))
                .collect(),
        );
        let found = |k: &Keywords, b: &[u8]| match k {
            Keywords::Packed(s) => s.find(b).is_some(),
            Keywords::Each(f) => f.iter().any(|x| x.find(b).is_some()),
        };
        let pad = "lorem ipsum user@contoso.de 2024-03-12 ".repeat(10);
        for at in [0, 1, 7, 31, 200, pad.len()] {
            // What the rules look for, as people write it; then words that are not.
            let words = [
                "-----BEGIN RSA",
                "AKIA",
                "ASIA",
                "AccountKey=",
                "password",
                "Passwd",
                "PASSWORD",
                "pwd",
                "Pwd",
                "PWD",
                "PASSword",
                "pWd",
                "nothing",
                "PASS",
                "pw d",
                "account",
                "class",
            ];
            for (i, kw) in words.iter().enumerate() {
                let text = format!("{}{kw}{}", &pad[..at], &pad[at..]);
                let want = i < 12;
                assert_eq!(has_keyword(text.as_bytes()), want, "{kw} at {at}");
                assert_eq!(found(&each, text.as_bytes()), want, "{kw} at {at}");
                assert_eq!(short_has_keyword(text.as_bytes()), want, "{kw} at {at}");
            }
        }
    }

    #[test]
    fn finds_credentials_masked() {
        assert_eq!(
            secrets("aws_key=AKIAIOSFODNN7EXAMPLE"),
            ["aws_access_key:****MPLE"]
        );
        assert_eq!(
            secrets("Server=db;User Id=sa;Password=S3cr3t!Passw0rd;"),
            ["password:****w0rd"]
        );
        assert_eq!(
            secrets("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\n").len(),
            1
        );
    }

    /// The password rule ignores case, so a long segment (the keyword search's path)
    /// finds a mixed-case key as a short one (the byte loop's path) does.
    #[test]
    fn mixed_case_keys_are_found_in_long_and_short_segments() {
        let pad = "lorem ipsum dolor sit amet ".repeat(12);
        for key in ["PASSword=hunter22", "pWd=hunter22", "PassWD: hunter22"] {
            let short = secrets(key);
            assert_eq!(short.len(), 1, "{key}");
            assert_eq!(secrets(&format!("{pad}{key} {pad}")), short, "{key}");
        }
    }

    #[test]
    fn ignores_placeholders_and_hash_columns() {
        assert!(secrets("password=${DB_PASSWORD}").is_empty());
        assert!(secrets("password: ****").is_empty());
        assert!(secrets("user_password_hash=abc").is_empty());
        assert!(secrets("nothing to see").is_empty());
    }
}
