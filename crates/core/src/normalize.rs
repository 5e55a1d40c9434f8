//! Normalisation: the definition of "the same value" for each kind.

/// Legal-form suffixes recognised in organisation names, longest first within a family so
/// that `GmbH & Co. KG` wins over `KG`.
pub const LEGAL_FORMS: &[&str] = &[
    "GmbH & Co. KG",
    "Sp. z o.o.",
    "Co., Ltd.",
    "Pty Ltd",
    "S.p.A.",
    "S.r.l.",
    "S.A.S.",
    "S.A.R.L.",
    "S.L.U.",
    "S.L.",
    "S.A.",
    "B.V.",
    "N.V.",
    "K.K.",
    "Ltda.",
    "Ltda",
    "Inc.",
    "Inc",
    "Ltd.",
    "Ltd",
    "LLC",
    "LLP",
    "PLC",
    "plc",
    "GmbH",
    "AG",
    "KG",
    "SE",
    "SAS",
    "SARL",
    "SA",
    "SL",
    "SpA",
    "Srl",
    "BV",
    "NV",
    "AB",
    "ASA",
    "AS",
    "A/S",
    "ApS",
    "Oy",
    "Oyj",
    "Corp.",
    "Corp",
    "Corporation",
    "Limited",
];

/// The last word of each legal form (`KG` of `GmbH & Co. KG`) in ASCII lower case as a
/// [`word_key`], worked out once and sorted for a binary search: splitting all fifty forms
/// for every name looked at was a tenth of a corpus scan, comparing a name's last word
/// with each of them still 3% of it.
static LEGAL_FORM_LAST_WORDS: std::sync::LazyLock<Vec<u128>> = std::sync::LazyLock::new(|| {
    let mut w: Vec<u128> = LEGAL_FORMS
        .iter()
        .filter_map(|f| f.rsplit([' ', ',']).next())
        .filter_map(|w| word_key(w.as_bytes()))
        .collect();
    w.sort_unstable();
    w.dedup();
    w
});

/// A word of at most [`LAST_WORD_MAX`] bytes in ASCII lower case, as one integer that
/// orders as the words do: compared inline, where comparing byte strings called
/// `memcmp` at every step of the search. `None` for longer words.
fn word_key(word: &[u8]) -> Option<u128> {
    if word.len() > LAST_WORD_MAX {
        return None;
    }
    let mut b = [0u8; 16];
    b[..word.len()].copy_from_slice(word);
    b.make_ascii_lowercase();
    Some(u128::from_be_bytes(b))
}

/// [`LEGAL_FORMS`] by their last byte in ASCII lower case, each list in the order of
/// [`LEGAL_FORMS`]: a name can only end in a form that ends as it does, so a name looks
/// at the few forms of its own last byte (going through all fifty and skipping the others
/// was most of this function's time, 5% of a corpus scan).
static LEGAL_FORMS_BY_LAST_BYTE: std::sync::LazyLock<Vec<Vec<&'static str>>> =
    std::sync::LazyLock::new(|| {
        let mut by = vec![Vec::new(); 256];
        for form in LEGAL_FORMS {
            if let Some(&last) = form.as_bytes().last() {
                by[usize::from(last.to_ascii_lowercase())].push(*form);
            }
        }
        by
    });

/// The longest last word of a legal form (`Corporation`).
const LAST_WORD_MAX: usize = 11;

/// Whether `s` (trimmed) may end in a legal form: its last word is that of one. The cheap
/// tests first — this runs on every line of every e-mail body: a legal form's last word
/// is short, starts with a capital, `o` or `p`, and ends in a letter or a dot.
fn may_end_in_legal_form(s: &str) -> bool {
    let b = s.as_bytes();
    let start = b
        .iter()
        .rposition(|&c| c == b' ' || c == b',')
        .map_or(0, |i| i + 1);
    let word = &b[start..];
    if !word
        .first()
        .is_some_and(|&c| c.is_ascii_uppercase() || c == b'o' || c == b'p')
        || !b
            .last()
            .is_some_and(|&c| c.is_ascii_alphabetic() || c == b'.')
    {
        return false;
    }
    word_key(word).is_some_and(|k| LEGAL_FORM_LAST_WORDS.binary_search(&k).is_ok())
}

/// Removes trailing legal forms (and the punctuation before them) from a name:
/// `"O'Brien Ltd"` → `"O'Brien"`, `"Contoso S.p.A."` → `"Contoso"`.
pub fn strip_legal_form(name: &str) -> &str {
    let mut s = name.trim();
    if !may_end_in_legal_form(s) {
        return s;
    }
    loop {
        let before = s;
        let last = s.as_bytes().last().map_or(0, u8::to_ascii_lowercase);
        for form in &LEGAL_FORMS_BY_LAST_BYTE[usize::from(last)] {
            if s.len() > form.len() {
                let cut = s.len() - form.len();
                if s.is_char_boundary(cut) && s[cut..].eq_ignore_ascii_case(form) {
                    let head = &s[..cut];
                    // The form must be a separate word.
                    if head.ends_with([' ', ',']) {
                        s = head.trim_end_matches([' ', ',']);
                        break;
                    }
                }
            }
        }
        if s == before || s.is_empty() {
            return if s.is_empty() { before } else { s };
        }
    }
}

/// The grouping key of an organisation: legal form removed, then lower-cased, with
/// everything but letters and digits removed and white space collapsed.
/// `"Contoso GmbH"`, `"Contoso SAS"` and `"CONTOSO Ltd."` all give `"contoso"`.
pub fn normalize_org(name: &str) -> String {
    let mut out = String::new();
    normalize_org_into(name, &mut out);
    out
}

/// [`normalize_org`], appended to `out` (the scanner writes every name it finds into one
/// reused buffer).
pub fn normalize_org_into(name: &str, out: &mut String) {
    let base = strip_legal_form(name);
    let start = out.len();
    out.reserve(base.len());
    let mut space = false;
    for c in base.chars() {
        if c.is_alphanumeric() {
            if space && out.len() > start {
                out.push(' ');
            }
            space = false;
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
            } else {
                out.extend(c.to_lowercase());
            }
        } else if c.is_whitespace() || c == '-' || c == '&' || c == '/' {
            space = true;
        }
        // Other punctuation (`'`, `.`, `,`) is dropped without a word break.
    }
}

/// Latin letters without their diacritics (`Åkesson` → `Akesson`, `Straße` → `Strasse`),
/// for matching names against domain labels, which are ASCII. Other characters are kept.
pub fn fold_diacritics(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let r: &str = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ą' => "a",
            'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ā' | 'Ą' => "A",
            'æ' => "ae",
            'Æ' => "AE",
            'ç' | 'ć' | 'č' => "c",
            'Ç' | 'Ć' | 'Č' => "C",
            'ď' | 'đ' => "d",
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => "e",
            'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ę' | 'Ě' => "E",
            'ì' | 'í' | 'î' | 'ï' | 'ī' => "i",
            'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' => "I",
            'ł' => "l",
            'Ł' => "L",
            'ñ' | 'ń' | 'ň' => "n",
            'Ñ' | 'Ń' | 'Ň' => "N",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
            'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō' | 'Ő' => "O",
            'œ' => "oe",
            'Œ' => "OE",
            'ř' => "r",
            'Ř' => "R",
            'ś' | 'š' | 'ş' => "s",
            'Ś' | 'Š' | 'Ş' => "S",
            'ß' => "ss",
            'ť' | 'ţ' => "t",
            'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => "u",
            'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ū' | 'Ů' | 'Ű' => "U",
            'ý' | 'ÿ' => "y",
            'Ý' => "Y",
            'ź' | 'ż' | 'ž' => "z",
            'Ź' | 'Ż' | 'Ž' => "Z",
            _ => {
                out.push(c);
                continue;
            }
        };
        out.push_str(r);
    }
    out
}

/// A person's name: white space collapsed, lower-cased.
pub fn normalize_person(name: &str) -> String {
    let mut out = String::new();
    normalize_person_into(name, &mut out);
    out
}

/// [`normalize_person`], appended to `out`. Word by word, which lower-cases as the whole
/// string would: a space ends the context of a final sigma.
pub fn normalize_person_into(name: &str, out: &mut String) {
    for (i, w) in name.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if w.is_ascii() {
            let start = out.len();
            out.push_str(w);
            out[start..].make_ascii_lowercase();
        } else {
            out.push_str(&w.to_lowercase());
        }
    }
}

/// An e-mail address, lower-cased, if its host has a registrable domain under a known
/// public suffix.
pub fn normalize_email(addr: &str) -> Option<String> {
    let (local, host) = addr.rsplit_once('@')?;
    if local.is_empty() {
        return None;
    }
    registrable_domain(host)?;
    Some(addr.to_ascii_lowercase())
}

/// The registrable domain of a host by the Public Suffix List (`mail.contoso.co.uk` →
/// `contoso.co.uk`); `None` when the host has no known public suffix (`localhost`,
/// `1.2.3`, `2x.png`) or is itself a public suffix.
pub fn registrable_domain(host: &str) -> Option<String> {
    let host = host.trim_end_matches('.');
    let n = registrable_domain_len(host)?;
    Some(host.get(host.len() - n..)?.to_ascii_lowercase())
}

/// The length of the registrable domain that ends `host` (`mail.contoso.co.uk` → 13,
/// for `contoso.co.uk`), by the same rule as [`registrable_domain`] but without
/// allocating: the scanner asks this of every address it sees. `host` is taken as
/// written (a trailing dot is part of it).
pub fn registrable_domain_len(host: &str) -> Option<usize> {
    let mut stack = [0u8; 256];
    let heap;
    let lower: &[u8] = if !host.bytes().any(|b| b.is_ascii_uppercase()) {
        host.as_bytes()
    } else if let Some(dst) = stack.get_mut(..host.len()) {
        dst.copy_from_slice(host.as_bytes());
        dst.make_ascii_lowercase();
        dst
    } else {
        heap = host.to_ascii_lowercase();
        heap.as_bytes()
    };
    let d = psl::domain(lower)?;
    if !d.suffix().is_known() {
        return None;
    }
    let n = d.as_bytes().len();
    // The domain is a run of whole labels at the end of the host.
    (n <= host.len() && host.is_char_boundary(host.len() - n)).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registrable_domains_are_suffixes_of_the_host() {
        for (host, domain) in [
            ("mail.contoso.co.uk", Some("contoso.co.uk")),
            ("Mail.Contoso.DE", Some("contoso.de")),
            ("contoso.de.", Some("contoso.de")),
            ("co.uk", None),
            ("localhost", None),
            ("2x.png", None),
            ("1.2.3", None),
        ] {
            assert_eq!(registrable_domain(host).as_deref(), domain, "{host}");
        }
        assert_eq!(registrable_domain_len("Mail.Contoso.DE"), Some(10));
        let long = format!("{}.contoso.de", "a".repeat(300));
        assert_eq!(registrable_domain_len(&long), Some(10));
    }

    #[test]
    fn every_legal_form_is_stripped_as_written_or_in_capitals() {
        for form in LEGAL_FORMS {
            for written in [form.to_string(), form.to_ascii_uppercase()] {
                for name in [format!("Contoso {written}"), format!("Contoso, {written}")] {
                    assert_eq!(strip_legal_form(&name), "Contoso", "{name}");
                }
            }
        }
        for kept in ["Contoso", "Contoso Foods", "Contoso Ltdx", "Contoso ZZ"] {
            assert_eq!(strip_legal_form(kept), kept);
        }
    }

    /// The definition `strip_legal_form` answers faster: a last word starting with a
    /// capital, `o` or `p`, then every form in list order, as a separate word, in any
    /// case, again until none is left.
    fn strip_reference(name: &str) -> &str {
        let mut s = name.trim();
        let last_word = s.rsplit([' ', ',']).next().unwrap_or(s);
        if !last_word
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_uppercase() || b == b'o' || b == b'p')
        {
            return s;
        }
        loop {
            let before = s;
            for form in LEGAL_FORMS {
                let Some(cut) = s.len().checked_sub(form.len()).filter(|&c| c > 0) else {
                    continue;
                };
                if s.is_char_boundary(cut)
                    && s[cut..].eq_ignore_ascii_case(form)
                    && s[..cut].ends_with([' ', ','])
                {
                    s = s[..cut].trim_end_matches([' ', ',']);
                    break;
                }
            }
            if s == before || s.is_empty() {
                return if s.is_empty() { before } else { s };
            }
        }
    }

    #[test]
    fn legal_forms_strip_as_the_plain_definition_does() {
        let bases = [
            "Contoso",
            "O'Brien & Sons",
            "Zoë Müller",
            "AG",
            "A",
            "Ltd",
            "",
        ];
        let mut n = 0;
        for form in LEGAL_FORMS {
            let cases = [
                form.to_string(),
                form.to_ascii_uppercase(),
                form.to_ascii_lowercase(),
            ];
            for written in &cases {
                for base in bases {
                    for name in [
                        format!("{base} {written}"),
                        format!("{base}, {written}"),
                        format!("{base} {written} GmbH"),
                        format!("{base} Ltd {written}"),
                        format!("{base}{written}"),
                        format!(" {base} {written} "),
                        format!("{base} {written}x"),
                    ] {
                        assert_eq!(strip_legal_form(&name), strip_reference(&name), "{name}");
                        n += 1;
                    }
                }
            }
        }
        assert!(n > 1000);
    }

    #[test]
    fn person_names_lower_case_word_by_word_as_a_whole() {
        for name in [
            "  Zoë   SCHMIDT ",
            "ΟΔΥΣΣΕΥΣ Παπαδόπουλος",
            "Jean-Luc\tPicard",
            "İlker Çelik",
            "",
        ] {
            let whole = name
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase();
            assert_eq!(normalize_person(name), whole, "{name}");
        }
        let mut buf = String::from("x");
        normalize_org_into("Contoso GmbH", &mut buf);
        assert_eq!(buf, "xcontoso");
    }

    #[test]
    fn diacritics_fold_to_ascii() {
        assert_eq!(fold_diacritics("Åkesson Bygg"), "Akesson Bygg");
        assert_eq!(fold_diacritics("Araújo Straße Łódź"), "Araujo Strasse Lodz");
        assert_eq!(fold_diacritics("東京 K.K."), "東京 K.K.");
    }

    #[test]
    fn org_names_group_across_legal_forms() {
        for n in [
            "Contoso GmbH",
            "Contoso SAS",
            "Contoso Ltd.",
            "CONTOSO S.p.A.",
            "Contoso, Inc.",
            "Contoso Sp. z o.o.",
            "Contoso Pty Ltd",
            "Contoso K.K.",
        ] {
            assert_eq!(normalize_org(n), "contoso", "{n}");
        }
        assert_eq!(normalize_org("O'Brien Ltd"), "obrien");
        assert_eq!(
            normalize_org("Müller & Söhne GmbH & Co. KG"),
            "müller söhne"
        );
        assert_eq!(normalize_org("AG"), "ag");
    }

    #[test]
    fn registrable_domains_use_the_psl() {
        assert_eq!(
            registrable_domain("mail.contoso.de").as_deref(),
            Some("contoso.de")
        );
        assert_eq!(
            registrable_domain("a.b.contoso.com.br").as_deref(),
            Some("contoso.com.br")
        );
        assert_eq!(registrable_domain("localhost"), None);
        assert_eq!(registrable_domain("1.2.3"), None);
        assert_eq!(registrable_domain("2x.png"), None);
        assert_eq!(registrable_domain("co.uk"), None);
        assert_eq!(normalize_email("user@localhost"), None);
        assert_eq!(
            normalize_email("J.Doe@Mail.Contoso.DE").as_deref(),
            Some("j.doe@mail.contoso.de")
        );
    }
}
