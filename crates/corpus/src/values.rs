//! Planted values: phone numbers, payment cards, IBANs and secrets, with the checksums
//! that make them valid (and the decoys that deliberately fail them).
//!
//! Every number made here respects two global rules of the corpus: a phone has at most
//! 12 digits, and no digit run of 13–19 digits (contiguous or in groups) exists except a
//! planted card or card decoy.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// A phone number in the three spellings the corpus uses.
#[derive(Debug, Clone)]
pub(crate) struct Phone {
    /// `+493012345678`.
    pub e164: String,
    /// `+49 30 12345678`.
    pub intl: String,
    /// `030 12345678` (valid only with the region known).
    pub national: String,
}

fn digits(rng: &mut ChaCha8Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
        .collect()
}

fn digit_in(rng: &mut ChaCha8Rng, lo: u8, hi: u8) -> char {
    char::from(b'0' + rng.gen_range(lo..=hi))
}

/// The ISO-2 country codes [`phone`] knows.
#[cfg(test)]
pub(crate) const PHONE_COUNTRIES: &[&str] = &[
    "DE", "FR", "GB", "US", "ES", "IT", "NL", "CH", "AT", "BE", "SE", "PL", "JP", "BR", "AU",
];

/// A fixed-line number valid for libphonenumber in `country` (ISO-2), from ranges of a
/// capital city. `mobile` asks for a mobile number where the country has one here.
pub(crate) fn phone(rng: &mut ChaCha8Rng, country: &str, mobile: bool) -> Phone {
    let (cc, nsn, intl, national) = match (country, mobile) {
        ("DE", true) => {
            let s = format!("17{}{}", digit_in(rng, 0, 9), digits(rng, 7));
            (
                "49",
                s.clone(),
                format!("{} {}", &s[..3], &s[3..]),
                format!("0{} {}", &s[..3], &s[3..]),
            )
        }
        ("DE", false) => {
            let s = format!("30{}{}", digit_in(rng, 2, 9), digits(rng, 7));
            (
                "49",
                s.clone(),
                format!("30 {}", &s[2..]),
                format!("030 {}", &s[2..]),
            )
        }
        ("FR", m) => {
            let lead = if m { '6' } else { '1' };
            let s = format!("{lead}{}{}", digit_in(rng, 4, 5), digits(rng, 7));
            let p = |i: usize| &s[i..i + 2];
            (
                "33",
                s.clone(),
                format!("{} {} {} {} {}", &s[..1], p(1), p(3), p(5), p(7)),
                format!("0{} {} {} {} {}", &s[..1], p(1), p(3), p(5), p(7)),
            )
        }
        ("GB", _) => {
            let s = format!("207{}{}", digit_in(rng, 0, 9), digits(rng, 6));
            (
                "44",
                s.clone(),
                format!("20 {} {}", &s[2..6], &s[6..]),
                format!("020 {} {}", &s[2..6], &s[6..]),
            )
        }
        ("US", _) => {
            let ex = loop {
                let e = format!("{}{}", digit_in(rng, 2, 9), digits(rng, 2));
                if e != "555" && !e.ends_with("11") {
                    break e;
                }
            };
            let line = digits(rng, 4);
            (
                "1",
                format!("212{ex}{line}"),
                format!("212 {ex} {line}"),
                format!("(212) {ex}-{line}"),
            )
        }
        ("ES", _) => {
            let s = format!("91{}{}", digit_in(rng, 2, 7), digits(rng, 6));
            (
                "34",
                s.clone(),
                format!("{} {} {} {}", &s[..2], &s[2..5], &s[5..7], &s[7..]),
                format!("{} {} {}", &s[..3], &s[3..6], &s[6..]),
            )
        }
        ("IT", _) => {
            let s = format!("06{}{}", digit_in(rng, 4, 9), digits(rng, 7));
            (
                "39",
                s.clone(),
                format!("06 {} {}", &s[2..6], &s[6..]),
                format!("06 {} {}", &s[2..6], &s[6..]),
            )
        }
        ("NL", _) => {
            let s = format!("20{}{}", digit_in(rng, 2, 9), digits(rng, 6));
            (
                "31",
                s.clone(),
                format!("20 {} {}", &s[2..5], &s[5..]),
                format!("020 {} {}", &s[2..5], &s[5..]),
            )
        }
        ("CH", _) => {
            let s = format!("44{}{}", digit_in(rng, 2, 9), digits(rng, 6));
            (
                "41",
                s.clone(),
                format!("44 {} {} {}", &s[2..5], &s[5..7], &s[7..]),
                format!("044 {} {} {}", &s[2..5], &s[5..7], &s[7..]),
            )
        }
        ("AT", _) => {
            let s = format!("15{}{}", digit_in(rng, 0, 9), digits(rng, 5));
            (
                "43",
                s.clone(),
                format!("1 {}", &s[1..]),
                format!("01 {}", &s[1..]),
            )
        }
        ("BE", _) => {
            let s = format!("2{}{}", digit_in(rng, 2, 7), digits(rng, 6));
            (
                "32",
                s.clone(),
                format!("2 {} {} {}", &s[1..4], &s[4..6], &s[6..]),
                format!("02 {} {} {}", &s[1..4], &s[4..6], &s[6..]),
            )
        }
        ("SE", _) => {
            let s = format!("8{}{}", digit_in(rng, 4, 7), digits(rng, 7));
            (
                "46",
                s.clone(),
                format!("8 {} {} {}", &s[1..4], &s[4..7], &s[7..]),
                format!("08-{} {} {}", &s[1..4], &s[4..7], &s[7..]),
            )
        }
        ("PL", _) => {
            let s = format!("22{}{}", digit_in(rng, 5, 8), digits(rng, 6));
            (
                "48",
                s.clone(),
                format!("22 {} {} {}", &s[2..5], &s[5..7], &s[7..]),
                format!("22 {} {} {}", &s[2..5], &s[5..7], &s[7..]),
            )
        }
        ("JP", _) => {
            let s = format!("3{}{}", digit_in(rng, 3, 6), digits(rng, 7));
            (
                "81",
                s.clone(),
                format!("3 {} {}", &s[1..5], &s[5..]),
                format!("03-{}-{}", &s[1..5], &s[5..]),
            )
        }
        ("BR", _) => {
            let s = format!("113{}{}", digit_in(rng, 0, 9), digits(rng, 6));
            (
                "55",
                s.clone(),
                format!("11 {} {}", &s[2..6], &s[6..]),
                format!("(11) {}-{}", &s[2..6], &s[6..]),
            )
        }
        ("AU", _) => {
            let s = format!("29{}{}", digit_in(rng, 2, 8), digits(rng, 6));
            (
                "61",
                s.clone(),
                format!("2 {} {}", &s[1..5], &s[5..]),
                format!("(02) {} {}", &s[1..5], &s[5..]),
            )
        }
        (other, _) => panic!("no phone plan for country {other}"),
    };
    Phone {
        e164: format!("+{cc}{nsn}"),
        intl: format!("+{cc} {intl}"),
        national,
    }
}

/// Phone-looking strings libphonenumber rejects (too short for their region).
pub(crate) fn phone_decoy(rng: &mut ChaCha8Rng) -> String {
    match rng.gen_range(0..3) {
        0 => format!("+49 30 {}", digits(rng, 2)),
        1 => format!("+33 1 {}", digits(rng, 3)),
        _ => format!("+44 20 {}", digits(rng, 3)),
    }
}

/// The Luhn check digit that completes `partial`.
pub(crate) fn luhn_digit(partial: &str) -> char {
    let mut sum = 0u32;
    for (i, c) in partial.bytes().rev().enumerate() {
        let mut d = u32::from(c - b'0');
        if i % 2 == 0 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    char::from(b'0' + ((10 - sum % 10) % 10) as u8)
}

/// Whether a digit string passes the Luhn check.
pub(crate) fn luhn_valid(digits: &str) -> bool {
    if digits.len() < 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    luhn_digit(&digits[..digits.len() - 1]) == char::from(digits.as_bytes()[digits.len() - 1])
}

/// Whether a digit string has a card length for a known IIN range (a superset of what
/// the scanner accepts: Visa, Mastercard, Amex, Discover, JCB, Diners).
pub(crate) fn iin_plausible(d: &str) -> bool {
    let n = d.len();
    let p = |k: usize| d.get(..k).and_then(|s| s.parse::<u32>().ok()).unwrap_or(0);
    (d.starts_with('4') && matches!(n, 13 | 16 | 19))
        || ((51..=55).contains(&p(2)) && n == 16)
        || ((2221..=2720).contains(&p(4)) && n == 16)
        || (matches!(p(2), 34 | 37) && n == 15)
        || ((p(4) == 6011 || p(2) == 65 || (644..=649).contains(&p(3)) || p(3) == 622)
            && (16..=19).contains(&n))
        || (p(2) == 35 && (16..=19).contains(&n))
        || ((p(2) == 36 || p(2) == 38 || p(2) == 39 || (300..=305).contains(&p(3)))
            && (14..=19).contains(&n))
}

/// Whether any window of 13–19 digits of `digits` would pass as a card.
pub(crate) fn has_card_window(digits: &str) -> bool {
    let n = digits.len();
    (13..=19.min(n)).any(|len| {
        (0..=n - len).any(|i| {
            let w = &digits[i..i + len];
            luhn_valid(w) && iin_plausible(w)
        })
    })
}

/// Which network a planted card belongs to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Network {
    Visa,
    Mastercard,
    Amex,
}

/// A Luhn-valid card number with a real IIN.
pub(crate) fn card(rng: &mut ChaCha8Rng, net: Network) -> String {
    let partial = match net {
        Network::Visa => format!("4{}", digits(rng, 14)),
        Network::Mastercard => format!("5{}{}", digit_in(rng, 1, 5), digits(rng, 13)),
        Network::Amex => format!(
            "3{}{}",
            if rng.gen_bool(0.5) { '4' } else { '7' },
            digits(rng, 12)
        ),
    };
    let c = luhn_digit(&partial);
    format!("{partial}{c}")
}

/// A 16-digit Visa-looking number that fails Luhn.
pub(crate) fn card_decoy(rng: &mut ChaCha8Rng) -> String {
    let partial = format!("4{}", digits(rng, 14));
    let good = luhn_digit(&partial);
    let bad = char::from(b'0' + ((good as u8 - b'0' + 1 + rng.gen_range(0..8)) % 10));
    format!("{partial}{bad}")
}

/// A card as printed: contiguous, or 4-4-4-4 (Amex 4-6-5) with spaces or dashes.
pub(crate) fn format_card(digits: &str, style: u8) -> String {
    let sep = match style % 3 {
        0 => return digits.to_string(),
        1 => " ",
        _ => "-",
    };
    if digits.len() == 15 {
        format!(
            "{}{sep}{}{sep}{}",
            &digits[..4],
            &digits[4..10],
            &digits[10..]
        )
    } else {
        digits
            .as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).unwrap_or_default())
            .collect::<Vec<_>>()
            .join(sep)
    }
}

/// The IBAN countries the corpus plants, with their BBAN shapes
/// (`n` = digit, `a` = upper-case letter).
pub(crate) const IBAN_COUNTRIES: &[(&str, &str)] = &[
    ("DE", "nnnnnnnnnnnnnnnnnn"),
    ("FR", "nnnnnnnnnnnnnnnnnnnnnnn"),
    ("GB", "aaaannnnnnnnnnnnnn"),
    ("NL", "aaaannnnnnnnnn"),
    ("ES", "nnnnnnnnnnnnnnnnnnnn"),
    ("IT", "annnnnnnnnnnnnnnnnnnnnn"),
];

fn mod97(s: &str) -> u32 {
    let rearranged = format!("{}{}", &s[4..], &s[..4]);
    let mut m = 0u32;
    for c in rearranged.chars() {
        if let Some(d) = c.to_digit(10) {
            m = (m * 10 + d) % 97;
        } else {
            let v = u32::from(c as u8 - b'A') + 10;
            m = (m * 100 + v) % 97;
        }
    }
    m
}

/// Whether a compact IBAN passes mod-97.
pub(crate) fn iban_valid(compact: &str) -> bool {
    compact.len() > 4 && compact.is_ascii() && mod97(compact) == 1
}

fn bban(rng: &mut ChaCha8Rng, shape: &str) -> String {
    shape
        .chars()
        .map(|c| {
            if c == 'n' {
                digit_in(rng, 0, 9)
            } else {
                char::from(b'A' + rng.gen_range(0..26u8))
            }
        })
        .collect()
}

fn check_digits(country: &str, bban: &str) -> u32 {
    98 - mod97(&format!("{country}00{bban}"))
}

/// Whether the printed forms of an IBAN could be mistaken for a card.
fn iban_card_safe(compact: &str) -> bool {
    // Digit runs between letters, spaces ignored: conservative for both spellings.
    compact
        .split(|c: char| c.is_ascii_alphabetic())
        .all(|run| !has_card_window(run))
}

/// A valid IBAN of `country` (one of [`IBAN_COUNTRIES`]), compact and upper-case.
pub(crate) fn iban(rng: &mut ChaCha8Rng, country: &str) -> String {
    let shape = IBAN_COUNTRIES
        .iter()
        .find(|(c, _)| *c == country)
        .map_or("nnnnnnnnnnnnnnnnnn", |(_, s)| s);
    loop {
        let b = bban(rng, shape);
        let s = format!("{country}{:02}{b}", check_digits(country, &b));
        if iban_card_safe(&s) {
            return s;
        }
    }
}

/// An IBAN-shaped string whose check digits are wrong.
pub(crate) fn iban_decoy(rng: &mut ChaCha8Rng, country: &str) -> String {
    loop {
        let good = iban(rng, country);
        let c: u32 = good[2..4].parse().unwrap_or(50);
        let bad = if c < 50 { c + 11 } else { c - 11 };
        let s = format!("{}{bad:02}{}", &good[..2], &good[4..]);
        if iban_card_safe(&s) && !iban_valid(&s) {
            return s;
        }
    }
}

/// `DE89370400440532013000` → `DE89 3704 0044 0532 0130 00`.
pub(crate) fn iban_grouped(compact: &str) -> String {
    compact
        .as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Random characters from `alphabet`.
pub(crate) fn random_from(rng: &mut ChaCha8Rng, alphabet: &[u8], n: usize) -> String {
    (0..n)
        .map(|_| char::from(alphabet[rng.gen_range(0..alphabet.len())]))
        .collect()
}

/// Whether random text could accidentally look like a secret or a long number.
pub(crate) fn looks_sensitive(s: &str) -> bool {
    let mut run = 0;
    for b in s.bytes() {
        run = if b.is_ascii_digit() { run + 1 } else { 0 };
        if run >= 6 {
            return true;
        }
    }
    let up = s.to_ascii_uppercase();
    up.contains("AKIA") || up.contains("ASIA") || up.contains("PASSWORD") || up.contains("PWD")
}

/// An AWS-style access key id: `AKIA` and 16 upper-case letters or digits 2–7.
pub(crate) fn aws_key(rng: &mut ChaCha8Rng) -> String {
    format!(
        "AKIA{}",
        random_from(rng, b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
    )
}

/// A bcrypt-looking hash (not a secret by the counting rules).
pub(crate) fn bcrypt_hash(rng: &mut ChaCha8Rng) -> String {
    const A: &[u8] = b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    loop {
        let s = random_from(rng, A, 53);
        if !looks_sensitive(&s) {
            return format!("$2b$12${s}");
        }
    }
}

/// Base64 body lines of a fake RSA private key (64 characters a line).
pub(crate) fn pem_body(rng: &mut ChaCha8Rng, lines: usize) -> Vec<String> {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::with_capacity(lines);
    let mut first = true;
    while out.len() < lines {
        let mut s = random_from(rng, A, 64);
        if first {
            // A real PKCS#1 key starts like this.
            s.replace_range(..4, "MIIE");
            first = false;
        }
        if !looks_sensitive(&s) {
            out.push(s);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn luhn_and_mod97_known_values() {
        assert!(luhn_valid("4111111111111111"));
        assert!(!luhn_valid("4111111111111112"));
        assert!(luhn_valid("378282246310005"));
        assert!(iban_valid("DE89370400440532013000"));
        assert!(iban_valid("GB29NWBK60161331926819"));
        assert!(!iban_valid("DE88370400440532013000"));
    }

    #[test]
    fn planted_cards_and_ibans_are_valid_and_decoys_are_not() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for i in 0..2000 {
            let net = [Network::Visa, Network::Mastercard, Network::Amex][i % 3];
            let c = card(&mut rng, net);
            assert!(luhn_valid(&c) && iin_plausible(&c), "{c}");
            let d = card_decoy(&mut rng);
            assert_eq!(d.len(), 16);
            assert!(!luhn_valid(&d), "{d}");
            for (cc, shape) in IBAN_COUNTRIES {
                let ib = iban(&mut rng, cc);
                assert_eq!(ib.len(), 4 + shape.len());
                assert!(iban_valid(&ib), "{ib}");
                assert!(iban_card_safe(&ib));
                let bad = iban_decoy(&mut rng, cc);
                assert!(!iban_valid(&bad), "{bad}");
            }
        }
        assert_eq!(
            [
                ("DE", 22),
                ("FR", 27),
                ("GB", 22),
                ("NL", 18),
                ("ES", 24),
                ("IT", 27)
            ]
            .iter()
            .filter(|(c, n)| iban(&mut rng, c).len() == *n)
            .count(),
            6
        );
    }

    #[test]
    fn card_formats() {
        assert_eq!(format_card("4111111111111111", 1), "4111 1111 1111 1111");
        assert_eq!(format_card("4111111111111111", 2), "4111-1111-1111-1111");
        assert_eq!(format_card("378282246310005", 1), "3782 822463 10005");
        assert_eq!(
            iban_grouped("DE89370400440532013000"),
            "DE89 3704 0044 0532 0130 00"
        );
    }

    #[test]
    fn every_phone_plan_is_valid_for_libphonenumber() {
        use phonenumber::{country::Id, Mode};
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        for cc in PHONE_COUNTRIES {
            let id: Id = cc.parse().expect("country id");
            for i in 0..400 {
                let p = phone(&mut rng, cc, i % 2 == 0);
                let digits = p.e164.bytes().filter(u8::is_ascii_digit).count();
                assert!(digits <= 12, "{}", p.e164);
                let intl = phonenumber::parse(None, &p.intl).expect(&p.intl);
                assert!(phonenumber::is_valid(&intl), "{cc} {}", p.intl);
                assert_eq!(intl.format().mode(Mode::E164).to_string(), p.e164);
                let nat = phonenumber::parse(Some(id), &p.national).expect(&p.national);
                assert!(phonenumber::is_valid(&nat), "{cc} {}", p.national);
                assert_eq!(nat.format().mode(Mode::E164).to_string(), p.e164);
            }
        }
        for _ in 0..300 {
            let d = phone_decoy(&mut rng);
            if let Ok(n) = phonenumber::parse(None, &d) {
                assert!(!phonenumber::is_valid(&n), "{d}");
            }
        }
    }
}
