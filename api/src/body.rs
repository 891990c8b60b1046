//! JSON request bodies read as the OpenAPI document describes them (JSON Schema's data model):
//! a number with no fractional part is an integer (`29399.0` fills an `int64` field, as it
//! satisfies `"type": "integer"`), and an object field takes only a JSON object (serde would
//! otherwise fill a struct from an array of its fields in order, so `[null, null]` passed for
//! a job's scope). Handlers take [`Json<T>`] instead of `web::Json<T>`.

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};
use serde::forward_to_deserialize_any;
use serde_json::{Map, Number, Value};

use crate::error::{ApiError, ErrorCode};

/// A JSON body of type `T`. The body limit, the content type check and syntax errors are
/// `web::JsonConfig`'s (400/413/415); a body of the wrong shape answers 422 `validation_failed`.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let raw = web::Json::<Value>::from_request(req, payload);
        Box::pin(async move {
            let value = raw.await?.into_inner();
            from_value(value).map(Json).map_err(|e| {
                ApiError::with_detail(ErrorCode::ValidationFailed, format!("Dữ liệu không đúng kiểu: {e}")).into()
            })
        })
    }
}

/// `T` from a parsed body, by the rules of this module.
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, serde_json::Error> {
    T::deserialize(Strict(value))
}

/// A [`Value`] deserialized by JSON Schema's rules.
struct Strict(Value);

type E = serde_json::Error;

impl<'de> de::Deserializer<'de> for Strict {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::Number(n) => visit_number(&n, visitor),
            Value::String(s) => visitor.visit_string(s),
            Value::Array(items) => visit_array(items, visitor),
            Value::Object(map) => visit_object(map, visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            other => visitor.visit_some(Strict(other)),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, E> {
        match self.0 {
            Value::Object(map) => visit_object(map, visitor),
            other => Err(de::Error::invalid_type(unexpected(&other), &"an object")),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, E> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, E> {
        self.0.deserialize_enum(name, variants, visitor)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map identifier ignored_any
    }
}

fn visit_number<'de, V: Visitor<'de>>(n: &Number, visitor: V) -> Result<V::Value, E> {
    if let Some(u) = n.as_u64() {
        return visitor.visit_u64(u);
    }
    if let Some(i) = n.as_i64() {
        return visitor.visit_i64(i);
    }
    let f = n.as_f64().unwrap_or(f64::NAN);
    // an integral number written with a fraction or an exponent (29399.0, 1e3) is an integer;
    // -2^63 as a float may stand for a number below i64's range (-9223372036854775809 reads as
    // -2^63), so only integers written as such reach the very ends of the range
    const END: f64 = 9_223_372_036_854_775_808.0;
    if f.fract() == 0.0 && f > -END && f < END {
        return visitor.visit_i64(f as i64);
    }
    visitor.visit_f64(f)
}

fn visit_array<'de, V: Visitor<'de>>(items: Vec<Value>, visitor: V) -> Result<V::Value, E> {
    let len = items.len();
    let mut seq = de::value::SeqDeserializer::new(items.into_iter().map(Strict));
    let out = visitor.visit_seq(&mut seq)?;
    seq.end().map_err(|_| de::Error::invalid_length(len, &"fewer elements"))?;
    Ok(out)
}

fn visit_object<'de, V: Visitor<'de>>(map: Map<String, Value>, visitor: V) -> Result<V::Value, E> {
    let mut access = de::value::MapDeserializer::new(map.into_iter().map(|(k, v)| (k, Strict(v))));
    let out = visitor.visit_map(&mut access)?;
    access.end()?;
    Ok(out)
}

impl<'de> IntoDeserializer<'de, E> for Strict {
    type Deserializer = Strict;
    fn into_deserializer(self) -> Strict {
        self
    }
}

fn unexpected(value: &Value) -> de::Unexpected<'_> {
    match value {
        Value::Null => de::Unexpected::Unit,
        Value::Bool(b) => de::Unexpected::Bool(*b),
        Value::Number(_) => de::Unexpected::Other("a number"),
        Value::String(s) => de::Unexpected::Str(s),
        Value::Array(_) => de::Unexpected::Seq,
        Value::Object(_) => de::Unexpected::Map,
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    use super::from_value;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "camelCase")]
    struct Scope {
        unit_id: Option<i64>,
        #[serde(default)]
        person_ids: Vec<i64>,
        kind: Option<Kind>,
        inner: Option<Inner>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "lowercase")]
    enum Kind {
        Student,
        Staff,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Inner {
        share: f64,
    }

    #[test]
    fn integral_numbers_fill_integer_fields() {
        let cases = [
            (json!({"unitId": 29399.0}), Some(29399)),
            (json!({"unitId": -274.0}), Some(-274)),
            (json!({"unitId": 1e3}), Some(1000)),
            (json!({"unitId": 16}), Some(16)),
            (json!({"unitId": null}), None),
            (json!({}), None),
        ];
        for (body, want) in cases {
            let got: Scope = from_value(body.clone()).unwrap_or_else(|e| panic!("{body}: {e}"));
            assert_eq!(got.unit_id, want, "{body}");
        }
        let got: Scope = from_value(json!({"personIds": [-43729.0, 8496, 4.6e16]})).expect("ids");
        assert_eq!(got.person_ids, vec![-43729, 8496, 46_000_000_000_000_000]);
        let ends: Scope = from_value(
            serde_json::from_str(r#"{"personIds": [-9223372036854775808, 9223372036854775807]}"#).expect("json"),
        )
        .expect("ends");
        assert_eq!(ends.person_ids, vec![i64::MIN, i64::MAX]);
    }

    #[test]
    fn fractions_and_out_of_range_numbers_are_refused() {
        let below: serde_json::Value = serde_json::from_str(r#"{"unitId": -9223372036854775809}"#).expect("json");
        let above: serde_json::Value = serde_json::from_str(r#"{"unitId": 9223372036854775808}"#).expect("json");
        for body in [json!({"unitId": 2.5}), json!({"unitId": 1e300}), json!({"unitId": "16"}), below, above] {
            assert!(from_value::<Scope>(body.clone()).is_err(), "{body}");
        }
    }

    #[test]
    fn an_object_field_takes_only_an_object() {
        for body in [json!([null, null]), json!([16, [], "student", null]), json!({"inner": [0.5]}), json!(null)] {
            assert!(from_value::<Scope>(body.clone()).is_err(), "{body}");
        }
        let got: Scope = from_value(json!({"kind": "staff", "inner": {"share": 1}})).expect("object");
        assert_eq!(got.kind, Some(Kind::Staff));
        assert_eq!(got.inner, Some(Inner { share: 1.0 }));
    }

    #[test]
    fn unknown_fields_are_ignored_unless_the_type_denies_them() {
        let got: Scope = from_value(json!({"unitId": 3, "extra": [1, {"a": 2.0}]})).expect("extra");
        assert_eq!(got.unit_id, Some(3));
    }
}
