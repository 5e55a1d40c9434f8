//! Person and organisation names — from structure, not a language model: address display
//! names, name-like and company-like columns, and signature lines ending in a legal form.

use super::Findings;
use crate::segment::{FieldClass, Place, SegCtx};
use leakdex_core::{
    normalize_org, normalize_org_into, normalize_person_into, strip_legal_form, Kind,
};

/// A value of a name or company column, or a signature line in an e-mail body.
pub fn detect(text: &str, ctx: &SegCtx<'_>, out: &mut Findings) {
    match (ctx.place, ctx.class) {
        (Place::Cell | Place::Property, FieldClass::Person) => name_value(text, out, false),
        (Place::Cell | Place::Property, FieldClass::Organization) => name_value(text, out, true),
        (Place::Body, _) => {
            for line in text.lines() {
                if let Some(org) = signature_org(line) {
                    out.push(Kind::Organization, &org);
                }
            }
        }
        _ => {}
    }
}

/// An address display name: a person when it has two or more words.
pub fn display_name(text: &str, out: &mut Findings) {
    let t = text.trim().trim_matches(['"', '\'']).trim();
    if t.split_whitespace().count() >= 2 && !t.contains('@') && t.chars().any(char::is_alphabetic) {
        person(t, out);
    }
}

fn person(t: &str, out: &mut Findings) {
    out.push_with(Kind::Person, |buf| {
        normalize_person_into(t, buf);
        true
    });
}

fn name_value(text: &str, out: &mut Findings, org: bool) {
    let t = text.trim();
    if t.is_empty() || t.len() > 200 || !t.chars().any(char::is_alphabetic) || t.contains('@') {
        return;
    }
    // A company in a `Name` column (`[dbo].[Customers].[Name] = 'O''Brien Ltd'`). `t` is
    // trimmed, so the name has a legal form when stripping shortens it.
    if org || strip_legal_form(t).len() != t.len() {
        out.push_with(Kind::Organization, |buf| {
            normalize_org_into(t, buf);
            true
        });
    } else {
        person(t, out);
    }
}

/// `Contoso GmbH` on a line of its own → `contoso`.
pub fn signature_org(line: &str) -> Option<String> {
    let l = line.trim();
    // The cheapest tests first: this runs on every line of every message body.
    if l.len() > 80
        || !l.chars().next().is_some_and(char::is_uppercase)
        || l.contains(['@', ':'])
        || l.split_whitespace().nth(1).is_none()
    {
        return None;
    }
    if strip_legal_form(l) == l {
        return None;
    }
    let n = normalize_org(l);
    (!n.is_empty()).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::values;
    use crate::segment::{FieldClass, Place, SegCtx};
    use leakdex_core::Kind;

    #[test]
    fn columns_and_signatures() {
        let c = SegCtx::cell("company", FieldClass::Organization, None);
        assert_eq!(values("Contoso GmbH", &c, Kind::Organization), ["contoso"]);
        let n = SegCtx::cell("Name", FieldClass::Person, None);
        assert_eq!(values("O'Brien Ltd", &n, Kind::Organization), ["obrien"]);
        assert_eq!(values("Zoë  Müller", &n, Kind::Person), ["zoë müller"]);
        let body = SegCtx {
            place: Place::Body,
            ..SegCtx::text("body")
        };
        let sig = "Best regards\nZoë Müller\nHead of Sales\nContoso GmbH\nTel: +49 30 12345678";
        assert_eq!(values(sig, &body, Kind::Organization), ["contoso"]);
    }

    #[test]
    fn display_names_need_two_words() {
        let d = SegCtx {
            place: Place::DisplayName,
            ..SegCtx::text("From")
        };
        assert_eq!(values("Zoë Müller", &d, Kind::Person), ["zoë müller"]);
        assert!(values("sales", &d, Kind::Person).is_empty());
        assert!(values("a@b.com c", &d, Kind::Person).is_empty());
    }
}
