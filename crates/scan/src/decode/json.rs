//! JSON and NDJSON, streamed with serde: no tree is built. Every string value is a
//! segment whose context is its key path (`contacts[].email`). The string values of one
//! object are emitted together, so a `country` key can give the region of its phones.

use super::{text, DecodeError, Sink, Stop};
use crate::segment::{region_of, FieldClass, SegCtx};
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// Emits every string value of one JSON document.
pub fn decode(data: &[u8], sink: &mut dyn Sink) -> Result<(), DecodeError> {
    let mut de = serde_json::Deserializer::from_slice(data);
    let mut stop = None;
    let r = Walk {
        path: String::new(),
        sink,
        stop: &mut stop,
    }
    .deserialize(&mut de)
    .and_then(|()| de.end());
    finish(r, stop)
}

/// Emits every string value of each line; a line that is not JSON is scanned as text.
pub fn decode_lines(data: &[u8], max: usize, sink: &mut dyn Sink) -> Result<(), DecodeError> {
    for line in data.split(|&b| b == b'\n') {
        let line = line.trim_ascii();
        if line.is_empty() {
            continue;
        }
        match decode(line, sink) {
            Ok(()) => {}
            Err(DecodeError::Unreadable(_)) => {
                text::decode(line, max, &SegCtx::text("line"), sink)?;
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

fn finish(r: Result<(), serde_json::Error>, stop: Option<Stop>) -> Result<(), DecodeError> {
    if let Some(s) = stop {
        return Err(s.into());
    }
    r.map_err(|e| {
        let what = match e.classify() {
            serde_json::error::Category::Eof => "truncated",
            serde_json::error::Category::Syntax => "syntax error",
            serde_json::error::Category::Data => "unexpected data",
            serde_json::error::Category::Io => "read error",
        };
        DecodeError::Unreadable(format!("json: {what} at line {}", e.line()))
    })
}

struct Walk<'p, 's> {
    path: String,
    sink: &'s mut dyn Sink,
    stop: &'p mut Option<Stop>,
}

impl<'de> DeserializeSeed<'de> for Walk<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl Walk<'_, '_> {
    fn emit<E: serde::de::Error>(
        &mut self,
        v: &str,
        region: Option<phonenumber::country::Id>,
    ) -> Result<(), E> {
        let class = FieldClass::of(&self.path);
        if let Err(s) = self
            .sink
            .segment(v, &SegCtx::cell(&self.path, class, region))
        {
            *self.stop = Some(s);
            return Err(E::custom("stopped"));
        }
        Ok(())
    }
}

impl<'de> Visitor<'de> for Walk<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_str<E: serde::de::Error>(mut self, v: &str) -> Result<(), E> {
        self.emit(v, None)
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let path = format!("{}[]", self.path);
        while seq
            .next_element_seed(Walk {
                path: path.clone(),
                sink: &mut *self.sink,
                stop: &mut *self.stop,
            })?
            .is_some()
        {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        let base = self.path.clone();
        let mut strings: Vec<(String, String)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = if base.is_empty() {
                key.clone()
            } else {
                format!("{base}.{key}")
            };
            if let Some(s) = map.next_value_seed(Scalar {
                path: path.clone(),
                sink: &mut *self.sink,
                stop: &mut *self.stop,
            })? {
                strings.push((path, s));
            }
        }
        let region = strings
            .iter()
            .find(|(p, _)| FieldClass::of(p) == FieldClass::Country)
            .and_then(|(_, v)| region_of(v));
        for (path, v) in strings {
            self.path = path;
            self.emit::<A::Error>(&v, region)?;
        }
        Ok(())
    }
}

/// A map value: a string is returned to be emitted with its siblings; anything else is
/// walked at once.
struct Scalar<'p, 's> {
    path: String,
    sink: &'s mut dyn Sink,
    stop: &'p mut Option<Stop>,
}

impl<'de> DeserializeSeed<'de> for Scalar<'_, '_> {
    type Value = Option<String>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<String>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Scalar<'_, '_> {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(v.to_string()))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        Walk {
            path: self.path,
            sink: self.sink,
            stop: self.stop,
        }
        .visit_seq(seq)
        .map(|()| None)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Walk {
            path: self.path,
            sink: self.sink,
            stop: self.stop,
        }
        .visit_map(map)
        .map(|()| None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::Collect;

    #[test]
    fn key_paths_are_context() {
        let mut c = Collect::default();
        decode(
            br#"{"contacts":[{"email":"a@b.de","age":3,"tags":["x"]}],"company":"C GmbH"}"#,
            &mut c,
        )
        .unwrap();
        assert_eq!(
            c.0,
            [
                ("contacts[].tags[]".to_string(), "x".to_string()),
                ("contacts[].email".to_string(), "a@b.de".to_string()),
                ("company".to_string(), "C GmbH".to_string()),
            ]
        );
    }

    #[test]
    fn truncated_json_is_unreadable_after_what_it_yielded() {
        let mut c = Collect::default();
        let e = decode(br#"[{"email":"a@b.de"},{"email":"#, &mut c).unwrap_err();
        assert!(matches!(e, DecodeError::Unreadable(_)));
        assert_eq!(c.0.len(), 1);
    }

    #[test]
    fn ndjson_lines() {
        let mut c = Collect::default();
        decode_lines(b"{\"e\":\"a@b.de\"}\nnot json a@c.de\n", 1024, &mut c).unwrap();
        assert_eq!(c.0.len(), 2);
        assert_eq!(c.0[1].0, "line");
    }
}
