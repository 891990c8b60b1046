//! ID numbers inside JSON documents (the rule outcome, audit values, import rows): the values
//! at known paths are replaced by sealed strings, and restored on reading. Everything else in
//! the document stays readable (codes, counts, field names), so the structure can still be
//! queried and shown.
//!
//! A path is a JSON pointer whose segments may also be `*` (every element of an array, or every
//! value of an object) or `*[key=value]` (those elements that are objects whose `key` member is
//! the string `value`): `/findings/*[field=personalId]/fix/from`. The value found there, of any
//! JSON type, is sealed whole (its JSON text is encrypted), so `/cells` seals a whole array and a
//! number comes back as a number. Missing members and `null` are left alone. The associated
//! data adds the path pattern (not the array index) to the table, column and row, so findings
//! may be reordered but a value moved to another path does not decrypt.

use std::sync::LazyLock;

use serde_json::Value;

use super::{Aad, CryptoError, KeyRing};

/// A parsed path (see the module header for the syntax).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonPath {
    pattern: String,
    segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Each,
    EachWhere { key: String, value: String },
}

impl JsonPath {
    /// Parses `/a/*/b`, `/a/*[k=v]/b`; `~1` and `~0` escape `/` and `~` as in JSON pointers.
    pub fn parse(pattern: &str) -> Result<JsonPath, String> {
        let Some(rest) = pattern.strip_prefix('/') else {
            return Err(format!("a JSON path starts with '/': {pattern:?}"));
        };
        let mut segments = Vec::new();
        for raw in rest.split('/') {
            let segment = if raw == "*" {
                Segment::Each
            } else if let Some(filter) = raw.strip_prefix("*[") {
                let inner = filter.strip_suffix(']').ok_or_else(|| format!("unclosed filter in {pattern:?}"))?;
                let (key, value) = inner.split_once('=').ok_or_else(|| format!("filter without '=' in {pattern:?}"))?;
                Segment::EachWhere { key: unescape(key), value: unescape(value) }
            } else if raw.is_empty() {
                return Err(format!("empty segment in {pattern:?}"));
            } else {
                Segment::Key(unescape(raw))
            };
            segments.push(segment);
        }
        Ok(JsonPath { pattern: pattern.to_owned(), segments })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.pattern
    }
}

fn unescape(s: &str) -> String {
    s.replace("~1", "/").replace("~0", "~")
}

/// Parses a fixed list of paths (for statics).
fn paths(patterns: &[&str]) -> Vec<JsonPath> {
    patterns.iter().filter_map(|p| JsonPath::parse(p).ok()).collect()
}

/// The rule outcome's normalised number (one of [`OUTCOME_ID_PATHS`]).
pub const OUTCOME_NORMALIZED_ID: &str = "/normalized/personalId";
/// The value an ID number's repair started from (one of [`OUTCOME_ID_PATHS`]).
pub const OUTCOME_ID_FIX_FROM: &str = "/findings/*[field=personalId]/fix/from";
/// The value an ID number's repair gave (one of [`OUTCOME_ID_PATHS`]).
pub const OUTCOME_ID_FIX_TO: &str = "/findings/*[field=personalId]/fix/to";

/// Where the stored rule outcome (`people.outcome`, [`crate::rules::Outcome`]) holds ID numbers:
/// the normalised number and the before/after of the ID number's repairs.
pub static OUTCOME_ID_PATHS: LazyLock<Vec<JsonPath>> =
    LazyLock::new(|| paths(&[OUTCOME_NORMALIZED_ID, OUTCOME_ID_FIX_FROM, OUTCOME_ID_FIX_TO]));

/// Calls `f` on every non-null value the path reaches.
fn visit(
    value: &mut Value,
    segments: &[Segment],
    f: &mut dyn FnMut(&mut Value) -> Result<(), CryptoError>,
) -> Result<(), CryptoError> {
    let Some((first, rest)) = segments.split_first() else {
        return if value.is_null() { Ok(()) } else { f(value) };
    };
    match first {
        Segment::Key(key) => match value {
            Value::Object(map) => map.get_mut(key).map_or(Ok(()), |v| visit(v, rest, f)),
            Value::Array(items) => {
                key.parse::<usize>().ok().and_then(|i| items.get_mut(i)).map_or(Ok(()), |v| visit(v, rest, f))
            }
            _ => Ok(()),
        },
        Segment::Each | Segment::EachWhere { .. } => {
            let keep = |item: &Value| match first {
                Segment::EachWhere { key, value } => item.get(key).and_then(Value::as_str) == Some(value.as_str()),
                _ => true,
            };
            match value {
                Value::Array(items) => items.iter_mut().filter(|v| keep(v)).try_for_each(|v| visit(v, rest, f)),
                Value::Object(map) => map.values_mut().filter(|v| keep(v)).try_for_each(|v| visit(v, rest, f)),
                _ => Ok(()),
            }
        }
    }
}

impl KeyRing {
    /// Seals every value the paths reach (see the module header); returns how many. Whatever
    /// the value is (even text that looks sealed, as a user may type anything), decrypting
    /// gives it back exactly.
    pub fn encrypt_json(&self, doc: &mut Value, aad: &Aad<'_>, paths: &[JsonPath]) -> Result<usize, CryptoError> {
        let mut count = 0;
        for path in paths {
            visit(doc, &path.segments, &mut |v| {
                let text = serde_json::to_string(v).map_err(|_| CryptoError::Malformed)?;
                *v = Value::String(self.seal(aad, &path.pattern, text.as_bytes())?);
                count += 1;
                Ok(())
            })?;
        }
        Ok(count)
    }

    /// Restores every value the paths reach; returns how many. A clear value where a sealed
    /// one belongs is [`CryptoError::NotEncrypted`].
    pub fn decrypt_json(&self, doc: &mut Value, aad: &Aad<'_>, paths: &[JsonPath]) -> Result<usize, CryptoError> {
        let mut count = 0;
        for path in paths {
            visit(doc, &path.segments, &mut |v| {
                let sealed = v.as_str().ok_or(CryptoError::NotEncrypted)?;
                let clear = self.open(aad, &path.pattern, sealed)?;
                *v = serde_json::from_slice(&clear).map_err(|_| CryptoError::Malformed)?;
                count += 1;
                Ok(())
            })?;
        }
        Ok(count)
    }
}

impl KeyRing {
    /// Seals one string of a document, found at `path` (one of the document's path patterns),
    /// exactly as [`KeyRing::encrypt_json`] seals it there: for callers that hold the document
    /// as a typed value and so need no JSON tree of it.
    pub fn encrypt_json_str(&self, aad: &Aad<'_>, path: &str, clear: &str) -> Result<String, CryptoError> {
        let text = serde_json::to_string(clear).map_err(|_| CryptoError::Malformed)?;
        self.seal(aad, path, text.as_bytes())
    }

    /// Opens one string sealed at `path` by [`KeyRing::encrypt_json`] or
    /// [`KeyRing::encrypt_json_str`]; a sealed value that is not a string is
    /// [`CryptoError::Malformed`].
    pub fn decrypt_json_str(&self, aad: &Aad<'_>, path: &str, stored: &str) -> Result<String, CryptoError> {
        let clear = self.open(aad, path, stored)?;
        serde_json::from_slice(&clear).map_err(|_| CryptoError::Malformed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse() {
        let p = JsonPath::parse("/findings/*[field=personalId]/fix/from").expect("parses");
        assert_eq!(
            p.segments,
            vec![
                Segment::Key("findings".into()),
                Segment::EachWhere { key: "field".into(), value: "personalId".into() },
                Segment::Key("fix".into()),
                Segment::Key("from".into()),
            ]
        );
        assert_eq!(
            JsonPath::parse("/a~1b/~0c/*").expect("parses").segments,
            vec![Segment::Key("a/b".into()), Segment::Key("~c".into()), Segment::Each]
        );
        for bad in ["", "a/b", "/a//b", "/a/*[field", "/a/*[field]"] {
            assert!(JsonPath::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(OUTCOME_ID_PATHS.len(), 3, "every outcome path parses");
    }
}
