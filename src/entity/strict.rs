//! What serde leaves to the reader of a snapshot: duplicate object keys. serde_json
//! keeps the last of two equal keys, so a repeated `"CloudTrail": [...]` would silently
//! drop the first list (and a failing trail with it); a repeated property inside an
//! entity would hide one of its values. This pass walks the text once, without
//! building the document, and finds the first key repeated in any object.

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use std::collections::HashSet;
use std::fmt;

/// One step of the path to a duplicate key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Step {
    /// A member of an object.
    Key(String),
    /// An element of an array.
    Index(usize),
}

/// The first key that appears twice in one object.
#[derive(Debug)]
pub(super) struct Duplicate {
    /// The path to the object holding the key.
    pub path: Vec<Step>,
    /// The key.
    pub key: String,
    /// 1-based line and column (bytes) just after the second occurrence of the key.
    pub line: usize,
    /// See `line`.
    pub column: usize,
}

/// `accounts[0].entities` for a path.
pub(super) fn path_text(path: &[Step]) -> String {
    let mut s = String::new();
    for step in path {
        match step {
            Step::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            Step::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    if s.is_empty() {
        "the top level".to_string()
    } else {
        s
    }
}

/// The first duplicate key of (syntactically valid) JSON `text`, if any. Text that is not
/// JSON has none past its syntax error (which is reported elsewhere).
pub(super) fn first_duplicate_key(text: &str) -> Option<Duplicate> {
    let mut found = None;
    let mut path = Vec::new();
    let mut de = serde_json::Deserializer::from_str(text);
    let walk = Walk {
        path: &mut path,
        found: &mut found,
    };
    match walk.deserialize(&mut de) {
        Ok(()) => None,
        Err(e) => found.map(|(path, key)| Duplicate {
            path,
            key,
            line: e.line(),
            column: e.column(),
        }),
    }
}

struct Walk<'a> {
    path: &'a mut Vec<Step>,
    found: &'a mut Option<(Vec<Step>, String)>,
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
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
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        loop {
            self.path.push(Step::Index(i));
            let more = seq.next_element_seed(Walk {
                path: self.path,
                found: self.found,
            })?;
            self.path.pop();
            if more.is_none() {
                return Ok(());
            }
            i += 1;
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if seen.contains(&key) {
                *self.found = Some((self.path.clone(), key));
                return Err(de::Error::custom("duplicate key"));
            }
            self.path.push(Step::Key(key.clone()));
            map.next_value_seed(Walk {
                path: self.path,
                found: self.found,
            })?;
            self.path.pop();
            seen.insert(key);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_duplicates_at_any_depth() {
        assert!(first_duplicate_key(r#"{"a": 1, "b": [{"a": 1}, {"a": 2}]}"#).is_none());
        let d = first_duplicate_key(r#"{"a": 1, "b": [{"c": 1}, {"c": 2, "c": 3}]}"#).unwrap();
        assert_eq!(d.key, "c");
        assert_eq!(path_text(&d.path), "b[1]");
        let d = first_duplicate_key("{\"x\": 1,\n \"x\": 2}").unwrap();
        assert_eq!(path_text(&d.path), "the top level");
        assert_eq!(d.line, 2);
        // An escaped spelling of the same key is the same key.
        assert!(first_duplicate_key(r#"{"k": 1, "\u006b": 2}"#).is_some());
        // Not JSON: no answer here.
        assert!(first_duplicate_key(r#"{"k": 1, "j""#).is_none());
    }
}
