//! Flat exports and loose files: CSV (`;` with BOM and `,`), JSON, NDJSON, an HTML page,
//! a Latin-1 text file, a log with a line over 1 MB, and configuration with secrets.

use crate::mail::HTML_ONLY_ADDRESS;
use crate::model::Model;
use crate::truth::Sub;
use crate::values;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Map, Value};
use std::io::{self, Write};

/// Quotes a CSV field when it needs it.
pub(crate) fn csv_field(s: &str, sep: char) -> String {
    if s.contains(sep) || s.contains('"') || s.contains('\n') || s.contains('\r') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// `exports/contacts_2024.csv`: UTF-8 BOM, `;`, CRLF, multi-line quoted notes, with a
/// `country` column (so national phone formats are allowed).
pub(crate) fn contacts_semicolon(m: &Model, rng: &mut ChaCha8Rng) -> (Vec<u8>, Sub) {
    let mut sub = Sub::default();
    sub.doc_type("customer_list");
    let mut s = String::from("\u{FEFF}full_name;email;phone;country;company;notes\r\n");
    for (i, p) in m.contacts.iter().enumerate() {
        let b = m.branch_of(p);
        sub.person(&p.display);
        sub.email(&p.email, &p.domain);
        sub.phone(&p.phone.e164);
        sub.org(&b.name);
        let phone = if rng.gen_bool(0.5) {
            &p.phone.national
        } else {
            &p.phone.intl
        };
        let notes = match i % 5 {
            0 => {
                let o = &m.orgs[p.org];
                let other = &m.contacts[o.contacts[(i + 1) % o.contacts.len()]];
                sub.email(&other.email, &other.domain);
                format!(
                    "Assistant: {} \nCall after 3 pm; not on Fridays",
                    other.email
                )
            }
            1 => "Met at the trade fair;\n\"very interested\" in the 2024 bundle".to_string(),
            2 => {
                sub.decoy_email("pkg@1.2.3");
                "Uses our SDK pkg@1.2.3 in production".to_string()
            }
            _ => String::new(),
        };
        s.push_str(&format!(
            "{};{};{};{};{};{}\r\n",
            csv_field(&p.display, ';'),
            csv_field(&p.email, ';'),
            csv_field(phone, ';'),
            p.country,
            csv_field(&b.name, ';'),
            csv_field(&notes, ';'),
        ));
    }
    (s.into_bytes(), sub)
}

/// `exports/customers.csv`: `,`, LF, one row per branch; no `country` column, so
/// phones are international. Cards and IBANs (and their decoys) in some rows.
pub(crate) fn customers_comma(m: &Model, rng: &mut ChaCha8Rng) -> (Vec<u8>, Sub) {
    let mut sub = Sub::default();
    sub.doc_type("customer_list");
    let mut s = String::from("company,domain,email,phone,iban,card_number\n");
    let mut k = 0;
    for (oi, o) in m.orgs.iter().enumerate() {
        for (bi, b) in o.branches.iter().enumerate() {
            k += 1;
            let p = o
                .contacts
                .iter()
                .map(|&c| &m.contacts[c])
                .find(|p| p.branch == bi)
                .unwrap_or(&m.contacts[o.contacts[0]]);
            sub.org(&b.name);
            sub.email(&p.email, &p.domain);
            sub.phone(&p.phone.e164);
            let iban = match (&b.iban, k % 4) {
                (Some(ib), 0 | 1) => {
                    sub.iban(ib);
                    ib.clone()
                }
                (Some(ib), 2) => {
                    sub.iban(ib);
                    values::iban_grouped(ib)
                }
                (Some(ib), _) => {
                    let bad = values::iban_decoy(rng, &ib[..2]);
                    sub.decoy_iban(&bad);
                    bad
                }
                (None, _) => String::new(),
            };
            let card = match k % 5 {
                0 => {
                    let c = &m.cards[oi % m.cards.len()];
                    sub.card(c);
                    values::format_card(c, (k / 5) as u8)
                }
                3 => {
                    let d = values::card_decoy(rng);
                    sub.decoy_card(&d);
                    d
                }
                _ => String::new(),
            };
            s.push_str(&format!(
                "{},{},{},{},{},{}\n",
                csv_field(&b.name, ','),
                b.domain,
                p.email,
                csv_field(&p.phone.intl, ','),
                iban,
                card
            ));
        }
    }
    (s.into_bytes(), sub)
}

/// `exports/crm_export.json`: nested customers with arrays of contacts.
pub(crate) fn crm_json(m: &Model, stamp: &str) -> (Vec<u8>, Sub) {
    let mut sub = Sub::default();
    sub.doc_type("customer_list");
    let mut customers = Vec::new();
    for o in &m.orgs {
        for (bi, b) in o.branches.iter().enumerate() {
            sub.org(&b.name);
            let mut contacts = Vec::new();
            for &ci in &o.contacts {
                let p = &m.contacts[ci];
                if p.branch != bi {
                    continue;
                }
                sub.person(&p.display);
                sub.email(&p.email, &p.domain);
                sub.phone(&p.phone.e164);
                let mut c = Map::new();
                c.insert("full_name".into(), json!(p.display));
                c.insert("email".into(), json!(p.email));
                c.insert("phone".into(), json!(p.phone.intl));
                c.insert("title".into(), json!(p.title));
                if contacts.is_empty() {
                    sub.decoy_email("logo@2x.png");
                    c.insert("avatar".into(), json!("logo@2x.png"));
                }
                contacts.push(Value::Object(c));
            }
            let mut c = Map::new();
            c.insert("company".into(), json!(b.name));
            c.insert("domain".into(), json!(b.domain));
            c.insert("country".into(), json!(b.country));
            c.insert("contacts".into(), Value::Array(contacts));
            c.insert(
                "address".into(),
                json!({"city": "Springfield", "zip": "10115"}),
            );
            c.insert("tags".into(), json!(["customer", "high risk"]));
            customers.push(Value::Object(c));
        }
    }
    let doc = json!({
        "exported_at": stamp,
        "source": "crm",
        "customers": customers,
    });
    let mut bytes = serde_json::to_vec_pretty(&doc).unwrap_or_default();
    bytes.push(b'\n');
    (bytes, sub)
}

/// NDJSON audit events: `actor` (an address), `target.email`, `target.name` (a person),
/// `target.phone`.
pub(crate) fn events_ndjson(
    w: &mut dyn Write,
    sub: &mut Sub,
    m: &Model,
    rng: &mut ChaCha8Rng,
    n: usize,
    day: &str,
) -> io::Result<()> {
    for i in 0..n {
        let s = &m.staff[i % m.staff.len()];
        let p = &m.contacts[rng.gen_range(0..m.contacts.len())];
        sub.email(&s.email, &s.domain);
        sub.email(&p.email, &p.domain);
        sub.person(&p.display);
        sub.phone(&p.phone.e164);
        let event = ["view", "export", "update"][i % 3];
        let ev = json!({
            "ts": format!("{day}T{:02}:{:02}:{:02}Z", 8 + i % 10, i % 60, (i * 7) % 60),
            "event": event,
            "actor": s.email,
            "target": {"email": p.email, "name": p.display, "phone": p.phone.intl},
            "ip": format!("10.0.{}.{}", i % 8, 10 + i % 200),
        });
        serde_json::to_writer(&mut *w, &ev)?;
        w.write_all(b"\n")?;
    }
    Ok(())
}

/// NDJSON of contacts with `contact` and `organization` keys.
pub(crate) fn contacts_ndjson(m: &Model, org_range: std::ops::Range<usize>) -> (Vec<u8>, Sub) {
    let mut sub = Sub::default();
    sub.doc_type("customer_list");
    let mut out = Vec::new();
    for o in &m.orgs[org_range] {
        for &ci in &o.contacts {
            let p = &m.contacts[ci];
            let b = m.branch_of(p);
            sub.person(&p.display);
            sub.email(&p.email, &p.domain);
            sub.phone(&p.phone.e164);
            sub.org(&b.name);
            let v = json!({"contact": p.display, "organization": b.name, "email": p.email, "mobile": p.phone.intl});
            out.extend_from_slice(v.to_string().as_bytes());
            out.push(b'\n');
        }
    }
    (out, sub)
}

/// A standalone HTML price list: only text content counts.
pub(crate) fn pricelist_html(m: &Model) -> (Vec<u8>, Sub) {
    let mut sub = Sub::default();
    sub.doc_type("price_list");
    let s0 = &m.staff[0];
    let s1 = &m.staff[1 % m.staff.len()];
    sub.email(&s0.email, &s0.domain);
    sub.phone(&s0.phone.e164);
    sub.email(&s1.email, &s1.domain);
    sub.decoy_email("logo@2x.png");
    sub.decoy_email(HTML_ONLY_ADDRESS);
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Price list 2024</title>\n</head>\n<body>\n<img src=\"logo@2x.png\" alt=\"Northwind\">\n<h1>Price list 2024</h1>\n<!-- internal: ask {HTML_ONLY_ADDRESS} before sending -->\n<table>\n<tr><td>CRM Basic</td><td>EUR 1,200.00</td></tr>\n<tr><td>CRM Pro</td><td>EUR 4,800.00</td></tr>\n</table>\n<p>\nYour account manager: {} \n</p>\n<p>\nCall us: {} \n</p>\n<p>\nBilling questions go to {} , or <a href=\"mailto:{HTML_ONLY_ADDRESS}\">our sales team</a>.\n</p>\n<p>\nRetina logo file: logo@2x.png \n</p>\n</body>\n</html>\n",
        s0.email, s0.phone.intl, s1.email
    );
    (html.into_bytes(), sub)
}

/// A text file in Latin-1 (invalid UTF-8), read as Windows-1252: ASCII addresses.
pub(crate) fn latin1_notes(m: &Model) -> (Vec<u8>, Sub) {
    let mut sub = Sub::default();
    let o = &m.orgs[0];
    let p = &m.contacts[o.contacts[0]];
    let s = &m.staff[0];
    sub.email(&p.email, &p.domain);
    sub.phone(&p.phone.e164);
    sub.email(&s.email, &s.domain);
    let text = format!(
        "Notizen zum Kunden {base} (Gespräch am Montag)\nAnsprechpartner: {} \nRückruf unter {} \nIntern: {} übernimmt die Verlängerung, Société Générale zahlt nicht.\n",
        p.email,
        p.phone.intl,
        s.email,
        base = o.base
    );
    let bytes = crate::text::cp1252(&text).unwrap_or_else(|| text.into_bytes());
    (bytes, sub)
}

const WORDS: &[&str] = &[
    "sync",
    "ok",
    "batch",
    "retry",
    "queue",
    "chunk",
    "upd",
    "del",
    "ins",
    "skip",
    "crm",
    "delta",
    "ack",
    "node=db01",
    "state=done",
    "lag=3ms",
    "rows=17",
];

/// A log whose second line is over 1 MB of space-separated tokens, with addresses and
/// compact international phones planted (no spaces inside, so a cut at white space
/// never splits one).
pub(crate) fn big_log(
    w: &mut dyn Write,
    sub: &mut Sub,
    m: &Model,
    rng: &mut ChaCha8Rng,
    day: &str,
) -> io::Result<()> {
    let s = &m.staff[0];
    sub.email(&s.email, &s.domain);
    writeln!(w, "{day} 02:00:01 INFO sync started by {}", s.email)?;
    let mut written = 0usize;
    let mut line = String::with_capacity(1 << 16);
    let (mut countdown, mut planted) = (97u32, 0u32);
    while written < 1_150_000 {
        countdown -= 1;
        if countdown == 0 {
            countdown = 97;
            planted += 1;
            let p = &m.contacts[rng.gen_range(0..m.contacts.len())];
            match planted % 5 {
                0 | 1 => {
                    sub.email(&p.email, &p.domain);
                    line.push_str(&p.email);
                }
                2 => {
                    sub.phone(&p.phone.e164);
                    line.push_str(&p.phone.e164);
                }
                3 => {
                    sub.decoy_email("user@localhost");
                    line.push_str("user@localhost");
                }
                _ => {
                    sub.decoy_email("logo@2x.png");
                    line.push_str("logo@2x.png");
                }
            }
        } else {
            line.push_str(WORDS[rng.gen_range(0..WORDS.len())]);
        }
        line.push(' ');
        if line.len() > 60_000 {
            w.write_all(line.as_bytes())?;
            written += line.len();
            line.clear();
        }
    }
    line.push_str("end\n");
    w.write_all(line.as_bytes())?;
    writeln!(w, "{day} 02:14:09 INFO sync finished")?;
    Ok(())
}

/// `config/app.env`: an access key, a connection string and a `password=` line.
pub(crate) fn app_env(rng: &mut ChaCha8Rng) -> (Vec<u8>, Sub) {
    let mut sub = Sub::default();
    let key = values::aws_key(rng);
    let pw = format!(
        "Nw-{}",
        values::random_from(rng, b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ", 10)
    );
    sub.secret("aws_access_key", &key);
    sub.secret("password", "S3cr3t!");
    sub.secret("password", &pw);
    let s = format!(
        "# CRM production settings\nAPP_ENV=production\nAPP_URL=https://crm.northwind-systems.de\nAWS_ACCESS_KEY_ID={key}\nAWS_DEFAULT_REGION=eu-central-1\nDB_CONNECTION=Server=sql01.northwind.local;Database=CRM;User Id=sa;Password=S3cr3t!;\nSMTP_HOST=smtp.northwind-systems.de\npassword={pw}\n"
    );
    (s.into_bytes(), sub)
}

/// `config/deploy_key.pem`: an RSA private key block.
pub(crate) fn private_key(rng: &mut ChaCha8Rng) -> (Vec<u8>, Sub) {
    let mut sub = Sub::default();
    let lines = values::pem_body(rng, 12);
    // Unique by the first 256 characters of key material (docs/counting.md).
    let material = lines.concat();
    sub.secret("private_key", &material[..256]);
    let s = format!(
        "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----\n",
        lines.join("\n")
    );
    (s.into_bytes(), sub)
}
