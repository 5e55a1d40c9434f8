//! The world the corpus describes: one vendor with its staff, and customer organisations
//! with branches in several countries and contacts with names, titles and phones.

use crate::values::{self, Phone};
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeSet;

/// A country the corpus has customers in.
#[derive(Debug)]
pub(crate) struct Country {
    /// ISO-2 code.
    pub code: &'static str,
    /// Public suffix of company domains.
    pub suffix: &'static str,
    /// Legal forms used there.
    pub forms: &'static [&'static str],
    /// Index into [`NAMES`].
    pub lang: usize,
    /// Whether a sender on this ccTLD may write its phone in national format: only when
    /// the suffix's last label is the ISO code itself (so `.co.uk` → no, `.de` → yes).
    pub national_in_mail: bool,
}

pub(crate) const COUNTRIES: &[Country] = &[
    c("DE", "de", &["GmbH", "AG"], 0, true),
    c("FR", "fr", &["SAS", "SARL"], 1, true),
    c("GB", "co.uk", &["Ltd", "PLC"], 2, false),
    c("ES", "es", &["S.L.", "S.A."], 3, true),
    c("IT", "it", &["S.p.A.", "S.r.l."], 4, true),
    c("NL", "nl", &["B.V.", "N.V."], 5, true),
    c("US", "com", &["Inc.", "LLC"], 2, false),
    c("CH", "ch", &["AG"], 0, true),
    c("AT", "at", &["GmbH"], 0, true),
    c("BE", "be", &["NV"], 5, true),
    c("SE", "se", &["AB"], 6, true),
    c("PL", "pl", &["Sp. z o.o."], 7, true),
    c("JP", "co.jp", &["K.K."], 8, false),
    c("BR", "com.br", &["Ltda."], 9, false),
    c("AU", "com.au", &["Pty Ltd"], 2, false),
];

const fn c(
    code: &'static str,
    suffix: &'static str,
    forms: &'static [&'static str],
    lang: usize,
    national_in_mail: bool,
) -> Country {
    Country {
        code,
        suffix,
        forms,
        lang,
        national_in_mail,
    }
}

pub(crate) fn country(code: &str) -> &'static Country {
    COUNTRIES
        .iter()
        .find(|c| c.code == code)
        .unwrap_or(&COUNTRIES[0])
}

/// First and last names per language.
const NAMES: &[(&[&str], &[&str])] = &[
    (
        &[
            "Anna", "Jonas", "Zoë", "Lukas", "Sophie", "Jürgen", "Käthe", "Felix", "Lea", "Björn",
        ],
        &[
            "Müller",
            "Schmidt",
            "Schröder",
            "Weiß",
            "Becker",
            "Hoffmann",
            "Köhler",
            "Wagner",
        ],
    ),
    (
        &[
            "François",
            "Amélie",
            "Hélène",
            "Jérôme",
            "Céline",
            "Noël",
            "Margaux",
            "Théo",
        ],
        &[
            "Lefèvre",
            "Dubois",
            "Moreau",
            "Girard",
            "Lambert",
            "Fournier",
            "Bérenger",
        ],
    ),
    (
        &[
            "Oliver",
            "Charlotte",
            "Harry",
            "Emily",
            "Siobhan",
            "Liam",
            "Grace",
        ],
        &[
            "O'Brien", "Smith", "Taylor", "Davies", "Clarke", "Walsh", "Hughes",
        ],
    ),
    (
        &["Ana", "José", "María", "Jesús", "Lucía", "Íñigo", "Pilar"],
        &["Peña", "García", "Núñez", "Fernández", "López", "Ibáñez"],
    ),
    (
        &["Giulia", "Luca", "Niccolò", "Chiara", "Matteo", "Sara"],
        &[
            "Rossi", "Bianchi", "Ferrari", "Esposito", "Colombo", "De Luca",
        ],
    ),
    (
        &["Daan", "Sanne", "Bram", "Fleur", "Joëlle", "Sem"],
        &["de Vries", "Jansen", "van Dijk", "Bakker", "Visser"],
    ),
    (
        &["Åsa", "Björn", "Linnea", "Måns", "Elin"],
        &["Lindqvist", "Öberg", "Nyström", "Åkesson", "Berg"],
    ),
    (
        &["Łukasz", "Zofia", "Paweł", "Agnieszka", "Piotr"],
        &["Wójcik", "Kowalski", "Nowak", "Wiśniewska", "Zieliński"],
    ),
    (
        &["Yuki", "Haruto", "Sakura", "Ren", "Aoi"],
        &["Tanaka", "Suzuki", "Takahashi", "Watanabe", "Ito"],
    ),
    (
        &["João", "Ana", "Gonçalo", "Beatriz", "Thiago"],
        &["Silva", "Conceição", "Araújo", "Gonçalves", "Souza"],
    ),
];

const TITLES: &[&str] = &[
    "Head of Procurement",
    "IT Manager",
    "Chief Financial Officer",
    "Purchasing Lead",
    "Office Manager",
    "Project Lead",
    "Leiter Einkauf",
    "Responsable Achats",
    "Responsabile IT",
    "Finance Controller",
    "Operations Director",
];

/// Named customers; the rest are composed from [`PREFIXES`] × [`SUFFIXES`].
const FIXED: &[(&str, Option<&str>)] = &[
    ("Contoso", Some("DE")),
    ("Fabrikam", Some("FR")),
    ("O'Brien", Some("GB")),
    ("Müller & Söhne", Some("DE")),
    ("Lefèvre Conseil", Some("FR")),
    ("Ibérica Datos", Some("ES")),
    ("Rossi Meccanica", Some("IT")),
    ("Van Dijk Logistiek", Some("NL")),
    ("Tailspin Toys", Some("US")),
    ("Helvetia Präzision", Some("CH")),
    ("Donau Data", Some("AT")),
    ("Brabant Print", Some("BE")),
    ("Åkesson Bygg", Some("SE")),
    ("Kowalski Systemy", Some("PL")),
    ("Tanaka Seiki", Some("JP")),
    ("Araújo Engenharia", Some("BR")),
    ("Koala Freight", Some("AU")),
    ("Litware", None),
    ("Adatum", None),
    ("Proseware", None),
    ("Wingtip", None),
    ("Lucerne Publishing", None),
    ("Margie Travel", None),
    ("Trey Research", None),
    ("Coho Winery", None),
    ("Alpine Ski House", None),
    ("Blue Yonder", None),
    ("Humongous Insurance", None),
    ("Woodgrove", None),
    ("Fourth Coffee", None),
    ("Wide World Importers", None),
    ("Relecloud", None),
    ("VanArsdel", None),
];

const PREFIXES: &[&str] = &[
    "Aster",
    "Birch",
    "Cobalt",
    "Delta",
    "Ember",
    "Fjord",
    "Granite",
    "Harbor",
    "Iris",
    "Juniper",
    "Kestrel",
    "Lumen",
    "Meridian",
    "Nimbus",
    "Orion",
    "Pioneer",
    "Quartz",
    "Riverbend",
    "Summit",
    "Tundra",
    "Vertex",
    "Willow",
    "Zephyr",
];
const SUFFIXES: &[&str] = &[
    "Analytics",
    "Dynamics",
    "Labs",
    "Logistics",
    "Networks",
    "Robotics",
    "Solutions",
    "Works",
    "Medical",
    "Foods",
    "Energy",
];

/// A person with an address.
#[derive(Debug, Clone)]
pub(crate) struct Person {
    pub first: String,
    /// `First Last`.
    pub display: String,
    /// The address as written (may contain upper case).
    pub email: String,
    /// Registrable domain of the address.
    pub domain: String,
    pub title: &'static str,
    pub phone: Phone,
    /// ISO-2 country of the phone and the branch.
    pub country: &'static str,
    /// Index of the organisation (`usize::MAX` = the vendor).
    pub org: usize,
    /// Index of the branch within the organisation.
    pub branch: usize,
}

/// One legal entity of an organisation.
#[derive(Debug, Clone)]
pub(crate) struct Branch {
    /// `Contoso GmbH`.
    pub name: String,
    /// `contoso.de`.
    pub domain: String,
    pub country: &'static str,
    /// Host of the addresses: the domain or a subdomain of it.
    pub mail_host: String,
    pub iban: Option<String>,
}

/// A customer organisation.
#[derive(Debug, Clone)]
pub(crate) struct Org {
    pub base: String,
    pub branches: Vec<Branch>,
    /// Indices into [`Model::contacts`].
    pub contacts: Vec<usize>,
}

/// Everything the documents talk about.
#[derive(Debug)]
pub(crate) struct Model {
    pub vendor: Branch,
    pub staff: Vec<Person>,
    pub orgs: Vec<Org>,
    pub contacts: Vec<Person>,
    /// The vendor's own bank account.
    pub vendor_iban: String,
    /// Planted card numbers (clear digits), assigned to orgs round-robin.
    pub cards: Vec<String>,
}

/// Lower-case ASCII folding for addresses and domains: `Müller` → `muller`.
pub(crate) fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.to_lowercase().chars() {
        let r = match ch {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ą' => "a",
            'æ' => "ae",
            'ç' | 'ć' => "c",
            'è' | 'é' | 'ê' | 'ë' | 'ę' => "e",
            'ì' | 'í' | 'î' | 'ï' => "i",
            'ñ' | 'ń' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => "o",
            'ù' | 'ú' | 'û' | 'ü' => "u",
            'ý' | 'ÿ' => "y",
            'ß' => "ss",
            'ł' => "l",
            'ś' => "s",
            'ź' | 'ż' => "z",
            c if c.is_ascii_alphanumeric() => {
                out.push(c);
                continue;
            }
            ' ' | '-' | '&' => "-",
            _ => "",
        };
        out.push_str(r);
    }
    let mut label = String::with_capacity(out.len());
    for part in out.split('-').filter(|p| !p.is_empty()) {
        if !label.is_empty() {
            label.push('-');
        }
        label.push_str(part);
    }
    label
}

fn pick<'a, T>(rng: &mut ChaCha8Rng, xs: &'a [T]) -> &'a T {
    &xs[rng.gen_range(0..xs.len())]
}

fn org_names(rng: &mut ChaCha8Rng, n: usize) -> Vec<(String, Option<&'static str>)> {
    let mut names: Vec<(String, Option<&'static str>)> =
        FIXED.iter().map(|(b, c)| (b.to_string(), *c)).collect();
    let mut composed = Vec::new();
    for p in PREFIXES {
        for s in SUFFIXES {
            composed.push(format!("{p} {s}"));
        }
    }
    composed.shuffle(rng);
    let mut round = 1;
    while names.len() < n {
        for base in &composed {
            if names.len() >= n {
                break;
            }
            let name = if round == 1 {
                base.clone()
            } else {
                format!("{base} {round}")
            };
            names.push((name, None));
        }
        round += 1;
    }
    names.truncate(n);
    names
}

struct Namer<'a> {
    rng: &'a mut ChaCha8Rng,
    used: BTreeSet<String>,
}

impl Namer<'_> {
    fn person(&mut self, lang: usize, host: &str, domain: &str) -> (String, String, String) {
        let (firsts, lasts) = NAMES[lang % NAMES.len()];
        let first = pick(self.rng, firsts).to_string();
        let last = pick(self.rng, lasts).to_string();
        let (f, l) = (fold(&first), fold(&last).replace('-', ""));
        let style = self.rng.gen_range(0..4);
        let base = match style {
            0 | 1 => format!("{f}.{l}"),
            2 => format!("{}.{l}", &f[..1]),
            _ => format!("{f}{}", &l[..1]),
        };
        let mut local = base.clone();
        let mut k = 2;
        while !self.used.insert(format!("{local}@{domain}")) {
            local = format!("{base}{k}");
            k += 1;
        }
        // Some mail systems write addresses with capitals; truth is lower-case.
        if self.rng.gen_ratio(1, 8) {
            let mut cs = local.chars();
            let cap: String = cs
                .next()
                .map(|c| c.to_ascii_uppercase())
                .into_iter()
                .chain(cs)
                .collect();
            local = cap;
        }
        (first, last, format!("{local}@{host}"))
    }
}

impl Model {
    /// Builds the world for `orgs` customer organisations.
    pub(crate) fn new(rng: &mut ChaCha8Rng, orgs: usize) -> Model {
        let vendor = Branch {
            name: "Northwind Systems GmbH".into(),
            domain: "northwind-systems.de".into(),
            country: "DE",
            mail_host: "northwind-systems.de".into(),
            iban: None,
        };
        let vendor_iban = values::iban(rng, "DE");
        let mut namer = Namer {
            rng,
            used: BTreeSet::new(),
        };
        let mut staff = Vec::new();
        let staff_titles = [
            "Account Manager",
            "Sales Director",
            "Key Account Manager",
            "Inside Sales",
            "Customer Success Manager",
            "Head of Sales",
            "Solutions Architect",
            "Billing Specialist",
        ];
        for (i, title) in staff_titles.iter().enumerate() {
            let lang = if i % 3 == 2 { 2 } else { 0 };
            let (first, last, _) = namer.person(lang, "x", "northwind-systems.de");
            let login = format!("{}.{}", fold(&first), fold(&last).replace('-', ""));
            if staff
                .iter()
                .any(|p: &Person| p.email.starts_with(&format!("{login}@")))
            {
                continue;
            }
            let phone = values::phone(namer.rng, "DE", false);
            staff.push(Person {
                display: format!("{first} {last}"),
                first,
                email: format!("{login}@northwind-systems.de"),
                domain: "northwind-systems.de".into(),
                title,
                phone,
                country: "DE",
                org: usize::MAX,
                branch: 0,
            });
        }

        let mut out_orgs = Vec::new();
        let mut contacts = Vec::new();
        for (oi, (base, pref)) in org_names(namer.rng, orgs).into_iter().enumerate() {
            let home = match pref {
                Some(code) => country(code),
                None => pick(namer.rng, COUNTRIES),
            };
            let mut cs: Vec<&'static Country> = vec![home];
            if namer.rng.gen_ratio(1, 4) || oi == 0 {
                let extra = if oi == 0 {
                    2
                } else {
                    namer.rng.gen_range(1..=2)
                };
                while cs.len() < 1 + extra {
                    let c = pick(namer.rng, COUNTRIES);
                    if !cs.iter().any(|x| x.code == c.code) {
                        cs.push(c);
                    }
                }
            }
            let label = fold(&base);
            let branches: Vec<Branch> = cs
                .iter()
                .map(|c| {
                    let domain = format!("{label}.{}", c.suffix);
                    let mail_host = match namer.rng.gen_range(0..10) {
                        0..=1 => format!("mail.{domain}"),
                        2 => format!("eu.{domain}"),
                        _ => domain.clone(),
                    };
                    let iban = values::IBAN_COUNTRIES
                        .iter()
                        .any(|(ic, _)| *ic == c.code)
                        .then(|| values::iban(namer.rng, c.code));
                    Branch {
                        name: format!("{base} {}", pick(namer.rng, c.forms)),
                        domain,
                        country: c.code,
                        mail_host,
                        iban,
                    }
                })
                .collect();
            let n_contacts = namer.rng.gen_range(2..=4).max(branches.len());
            let mut ids = Vec::new();
            for k in 0..n_contacts {
                let bi = k % branches.len();
                let b = &branches[bi];
                let ctry = country(b.country);
                let (first, last, email) = namer.person(ctry.lang, &b.mail_host, &b.domain);
                let mobile = namer.rng.gen_ratio(1, 4);
                let phone = values::phone(namer.rng, b.country, mobile);
                ids.push(contacts.len());
                contacts.push(Person {
                    display: format!("{first} {last}"),
                    first,
                    email,
                    domain: b.domain.clone(),
                    title: TITLES[namer.rng.gen_range(0..TITLES.len())],
                    phone,
                    country: b.country,
                    org: oi,
                    branch: bi,
                });
            }
            out_orgs.push(Org {
                base,
                branches,
                contacts: ids,
            });
        }
        let rng = namer.rng;
        let cards = (0..orgs.max(6))
            .map(|i| {
                let net = [
                    values::Network::Visa,
                    values::Network::Mastercard,
                    values::Network::Amex,
                ][i % 3];
                values::card(rng, net)
            })
            .collect();
        Model {
            vendor,
            staff,
            orgs: out_orgs,
            contacts,
            vendor_iban,
            cards,
        }
    }

    /// The branch a contact works for.
    pub(crate) fn branch_of(&self, p: &Person) -> &Branch {
        if p.org == usize::MAX {
            &self.vendor
        } else {
            &self.orgs[p.org].branches[p.branch]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn org_names_are_distinct_after_normalisation() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let m = Model::new(&mut rng, 400);
        let mut seen = BTreeSet::new();
        assert!(seen.insert(crate::normalize_org(&m.vendor.name)));
        for o in &m.orgs {
            let n = crate::normalize_org(&o.base);
            for b in &o.branches {
                assert_eq!(crate::normalize_org(&b.name), n, "{}", b.name);
            }
            assert!(seen.insert(n.clone()), "{n}");
        }
        let mut domains = BTreeSet::new();
        for o in &m.orgs {
            for b in &o.branches {
                assert!(domains.insert(b.domain.clone()));
                assert_eq!(
                    leakdex_core::registrable_domain(&b.mail_host).as_deref(),
                    Some(b.domain.as_str())
                );
            }
        }
        assert!(m.staff.len() >= 6);
    }
}
