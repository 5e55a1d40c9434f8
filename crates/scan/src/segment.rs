//! Segments: a piece of text plus the context that lets a detector judge it.

use phonenumber::country::Id;

/// Where in a document a segment comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// One address of an e-mail address header (`From`, `To`, …).
    AddressHeader,
    /// The display name of an address in an e-mail header: only the person detector runs.
    DisplayName,
    /// The `Subject` header.
    Subject,
    /// An e-mail body (the reader's view).
    Body,
    /// A table cell: CSV, SQL value, JSON string value.
    Cell,
    /// Free text: lines of a text or HTML document.
    Text,
    /// A document property (author, last modified by, company, manager, a comment's
    /// author): who wrote the document, not what it lists. Told apart from a cell by its
    /// place, not by its name — a dump's `company` column is a column.
    Property,
}

/// What a column, key or header name says about its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldClass {
    /// Phone, fax, mobile…
    Phone,
    /// A person's name.
    Person,
    /// A company's name.
    Organization,
    /// A country code.
    Country,
    /// Nothing in particular.
    Other,
}

impl FieldClass {
    /// Classifies a column, key or header name (`ContactPhone`, `company_name`,
    /// `contacts[].email`: the last path component counts).
    pub fn of(field: &str) -> FieldClass {
        let last = field
            .rsplit(['.', '/', ']', '['])
            .find(|s| !s.is_empty())
            .unwrap_or(field);
        let norm: String = last
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        const PERSON: &[&str] = &[
            "name",
            "fullname",
            "contactname",
            "contact",
            "contactperson",
            "displayname",
            "personname",
        ];
        const ORG: &[&str] = &[
            "company",
            "companyname",
            "customer",
            "customername",
            "organisation",
            "organization",
            "organisationname",
            "organizationname",
            "firma",
            "societe",
            "société",
            "empresa",
            "accountname",
            "clientname",
        ];
        const COUNTRY: &[&str] = &["country", "countrycode", "land", "pays", "pais", "país"];
        if PERSON.contains(&norm.as_str()) {
            return FieldClass::Person;
        }
        if ORG.contains(&norm.as_str()) {
            return FieldClass::Organization;
        }
        if COUNTRY.contains(&norm.as_str()) {
            return FieldClass::Country;
        }
        const PHONE: &[&str] = &[
            "phone",
            "tel",
            "mobile",
            "fax",
            "cell",
            "handy",
            "telefon",
            "téléphone",
            "telefono",
            "teléfono",
            "movil",
            "móvil",
            "gsm",
        ];
        // Word-wise on the original (camelCase and snake_case), so `hotel` is no phone.
        for word in split_words(last) {
            if PHONE.iter().any(|p| word.starts_with(p)) {
                return FieldClass::Phone;
            }
        }
        FieldClass::Other
    }
}

fn split_words(s: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in s.chars() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_lowercase();
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// The context of a segment.
#[derive(Debug, Clone, Copy)]
pub struct SegCtx<'a> {
    /// Header, column or key name; `body`, `line` or `html` for free text.
    pub field: &'a str,
    /// What the field name says.
    pub class: FieldClass,
    /// Where the segment is.
    pub place: Place,
    /// Region for national phone numbers, from a country cell or the sender's ccTLD.
    pub region: Option<Id>,
}

impl<'a> SegCtx<'a> {
    /// Free text.
    pub fn text(field: &'a str) -> Self {
        SegCtx {
            field,
            class: FieldClass::Other,
            place: Place::Text,
            region: None,
        }
    }

    /// A table cell under `field`.
    pub fn cell(field: &'a str, class: FieldClass, region: Option<Id>) -> Self {
        SegCtx {
            field,
            class,
            place: Place::Cell,
            region,
        }
    }

    /// A document property named `field` (`author`, `company`).
    pub fn property(field: &'a str, class: FieldClass) -> Self {
        SegCtx {
            field,
            class,
            place: Place::Property,
            region: None,
        }
    }
}

impl Place {
    /// A byte for the isolated-decoder wire format.
    pub(crate) fn to_u8(self) -> u8 {
        match self {
            Place::AddressHeader => 0,
            Place::DisplayName => 1,
            Place::Subject => 2,
            Place::Body => 3,
            Place::Cell => 4,
            Place::Text => 5,
            Place::Property => 6,
        }
    }

    /// The inverse of [`Place::to_u8`]; unknown bytes are free text.
    pub(crate) fn from_u8(b: u8) -> Place {
        match b {
            0 => Place::AddressHeader,
            1 => Place::DisplayName,
            2 => Place::Subject,
            3 => Place::Body,
            4 => Place::Cell,
            6 => Place::Property,
            _ => Place::Text,
        }
    }
}

impl FieldClass {
    /// A byte for the isolated-decoder wire format.
    pub(crate) fn to_u8(self) -> u8 {
        match self {
            FieldClass::Phone => 0,
            FieldClass::Person => 1,
            FieldClass::Organization => 2,
            FieldClass::Country => 3,
            FieldClass::Other => 4,
        }
    }

    /// The inverse of [`FieldClass::to_u8`]; unknown bytes are `Other`.
    pub(crate) fn from_u8(b: u8) -> FieldClass {
        match b {
            0 => FieldClass::Phone,
            1 => FieldClass::Person,
            2 => FieldClass::Organization,
            3 => FieldClass::Country,
            _ => FieldClass::Other,
        }
    }
}

/// A region from an ISO 3166 alpha-2 code or a ccTLD (`uk` → GB), in any case.
pub fn region_of(code: &str) -> Option<Id> {
    let &[a, b] = code.trim().as_bytes() else {
        return None;
    };
    let letter = |c: u8| {
        c.is_ascii_alphabetic()
            .then(|| usize::from(c.to_ascii_uppercase() - b'A'))
    };
    REGIONS[letter(a)? * 26 + letter(b)?]
}

/// The region of every pair of capitals: the country column of a dump is looked up on
/// every row, where an upper-cased copy parsed by the crate's `FromStr` (a comparison
/// with each code in turn) was 5% of a corpus scan.
static REGIONS: std::sync::LazyLock<[Option<Id>; 26 * 26]> = std::sync::LazyLock::new(|| {
    std::array::from_fn(|i| {
        let code = [b'A' + (i / 26) as u8, b'A' + (i % 26) as u8];
        let code = if &code == b"UK" { *b"GB" } else { code };
        std::str::from_utf8(&code).ok()?.parse().ok()
    })
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_classified_by_their_words() {
        assert_eq!(FieldClass::of("ContactPhone"), FieldClass::Phone);
        assert_eq!(FieldClass::of("mobile_number"), FieldClass::Phone);
        assert_eq!(FieldClass::of("Telefon"), FieldClass::Phone);
        assert_eq!(FieldClass::of("hotel"), FieldClass::Other);
        assert_eq!(FieldClass::of("company_name"), FieldClass::Organization);
        assert_eq!(FieldClass::of("contacts[].full_name"), FieldClass::Person);
        assert_eq!(FieldClass::of("[Name]"), FieldClass::Person);
        assert_eq!(FieldClass::of("country"), FieldClass::Country);
        assert_eq!(region_of("uk"), Some(Id::GB));
        assert_eq!(region_of(" De "), Some(Id::DE));
        assert_eq!(region_of("dé"), None);
        // Every pair of ASCII bytes answers as the crate's parser of the upper-cased code.
        for a in 0..128u8 {
            for b in 0..128u8 {
                let code = String::from_utf8(vec![a, b]).unwrap();
                let upper = code.trim().to_ascii_uppercase();
                let upper = if upper == "UK" {
                    "GB".to_string()
                } else {
                    upper
                };
                let expected: Option<Id> = if upper.len() == 2 {
                    upper.parse().ok()
                } else {
                    None
                };
                assert_eq!(region_of(&code), expected, "{code:?}");
            }
        }
        assert_eq!(region_of("de"), Some(Id::DE));
        assert_eq!(region_of("com"), None);
    }
}
