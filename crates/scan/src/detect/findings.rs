//! The findings of one segment, their values written into one reused buffer.
//!
//! A scan finds millions of values and keeps almost none of them as strings (a digest
//! is what counts a distinct value), so a detector must not allocate per finding: an
//! owned `String` per address and per domain, freed right after counting, was a fifth of
//! a text scan's CPU time (`malloc`/`free`). Detectors append values here; the scanner
//! reads them back as `&str` and clears the buffer for the next segment, keeping its
//! capacity.

use leakdex_core::Kind;
use std::ops::Range;

/// What detectors found in one segment: kind, normalised value (cards, IBANs and
/// secrets masked) and, for masked kinds, the key under which the value counts as
/// unique (a hash of the full value, never written anywhere).
#[derive(Debug, Default)]
pub struct Findings {
    buf: String,
    items: Vec<Item>,
}

#[derive(Debug, Clone)]
struct Item {
    kind: Kind,
    value: Range<usize>,
    /// Empty when the value is its own key.
    key: Range<usize>,
}

/// One finding, borrowed from [`Findings`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found<'a> {
    /// What was found.
    pub kind: Kind,
    /// The normalised (for masked kinds: masked) value.
    pub value: &'a str,
    /// The value's unique key: the value itself unless the kind is masked.
    pub key: &'a str,
}

impl Findings {
    /// A finding whose value is its own key.
    pub fn push(&mut self, kind: Kind, value: &str) {
        let value = self.write(value);
        self.items.push(Item {
            kind,
            value,
            key: 0..0,
        });
    }

    /// A finding of a masked kind: shown as `value`, counted by `key`.
    pub fn push_keyed(&mut self, kind: Kind, value: &str, key: &str) {
        let value = self.write(value);
        let key = self.write(key);
        self.items.push(Item { kind, value, key });
    }

    /// A finding whose value is `value` in ASCII lower case; returns where it was
    /// written, so that a part of it can serve as a finding of its own ([`Self::push_part`]).
    pub fn push_lowercase(&mut self, kind: Kind, value: &str) -> Range<usize> {
        let start = self.buf.len();
        self.buf.push_str(value);
        self.buf[start..].make_ascii_lowercase();
        let value = start..self.buf.len();
        self.items.push(Item {
            kind,
            value: value.clone(),
            key: 0..0,
        });
        value
    }

    /// A finding whose value was written already, as (part of) another's: `range` must
    /// come from [`Self::push_lowercase`] (narrowed at char boundaries) since the last clear.
    pub fn push_part(&mut self, kind: Kind, range: Range<usize>) {
        debug_assert!(self.buf.get(range.clone()).is_some());
        self.items.push(Item {
            kind,
            value: range,
            key: 0..0,
        });
    }

    /// A finding whose value `write` appends to the buffer it is given; dropped when
    /// `write` returns false or writes nothing.
    pub fn push_with(&mut self, kind: Kind, write: impl FnOnce(&mut String) -> bool) {
        let start = self.buf.len();
        if write(&mut self.buf) && self.buf.len() > start {
            self.items.push(Item {
                kind,
                value: start..self.buf.len(),
                key: 0..0,
            });
        } else {
            self.buf.truncate(start);
        }
    }

    fn write(&mut self, s: &str) -> Range<usize> {
        let start = self.buf.len();
        self.buf.push_str(s);
        start..self.buf.len()
    }

    /// The findings in the order they were pushed.
    pub fn iter(&self) -> impl Iterator<Item = Found<'_>> + '_ {
        self.items.iter().map(|it| {
            let value = self.buf.get(it.value.clone()).unwrap_or_default();
            let key = if it.key.is_empty() {
                value
            } else {
                self.buf.get(it.key.clone()).unwrap_or_default()
            };
            Found {
                kind: it.kind,
                value,
                key,
            }
        })
    }

    /// How many findings there are.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Forgets every finding, keeping the buffers' capacity.
    pub fn clear(&mut self) {
        self.buf.clear();
        self.items.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keys_and_parts_read_back_in_order() {
        let mut f = Findings::default();
        let r = f.push_lowercase(Kind::Email, "J.Doe@Mail.Contoso.DE");
        f.push_part(Kind::Domain, r.end - "contoso.de".len()..r.end);
        f.push_keyed(Kind::Card, "**** 1111", "k1");
        f.push(Kind::Person, "jane doe");
        f.push_with(Kind::Person, |b| {
            b.push_str("dropped");
            false
        });
        f.push_with(Kind::Person, |_| true);
        let got: Vec<_> = f.iter().map(|x| (x.kind, x.value, x.key)).collect();
        assert_eq!(
            got,
            [
                (
                    Kind::Email,
                    "j.doe@mail.contoso.de",
                    "j.doe@mail.contoso.de"
                ),
                (Kind::Domain, "contoso.de", "contoso.de"),
                (Kind::Card, "**** 1111", "k1"),
                (Kind::Person, "jane doe", "jane doe"),
            ]
        );
        assert_eq!(f.len(), 4);
        f.clear();
        assert!(f.is_empty());
        assert_eq!(f.iter().count(), 0);
    }
}
