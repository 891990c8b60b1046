//! The committed OpenAPI document must equal the one the code generates (`make openapi`).

#[test]
fn committed_openapi_matches_the_code() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/openapi.json");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let generated = format!("{}\n", dinhdanh::routes::openapi().to_pretty_json().expect("json"));
    assert!(
        committed == generated,
        "openapi/openapi.json is out of date with the code: run `make openapi` and commit the result"
    );
}

/// Every `$ref` of the generated document names a schema it defines (a type used only in a
/// query parameter is easy to forget in `components`, and the web app's generator then fails).
#[test]
fn every_schema_reference_resolves() {
    fn walk(v: &serde_json::Value, at: &str, refs: &mut Vec<(String, String)>) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, child) in map {
                    if k == "$ref" {
                        refs.push((at.to_owned(), child.as_str().unwrap_or_default().to_owned()));
                    } else {
                        walk(child, &format!("{at}/{k}"), refs);
                    }
                }
            }
            serde_json::Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    walk(child, &format!("{at}/{i}"), refs);
                }
            }
            _ => {}
        }
    }
    let doc = serde_json::to_value(dinhdanh::routes::openapi()).expect("json");
    let mut refs = Vec::new();
    walk(&doc, "", &mut refs);
    assert!(!refs.is_empty());
    let missing: Vec<_> = refs
        .iter()
        .filter(|(_, r)| {
            let name = r.strip_prefix("#/components/schemas/").unwrap_or(r);
            doc["components"]["schemas"].get(name).is_none()
        })
        .collect();
    assert!(missing.is_empty(), "unresolved $ref (add the type to `components(schemas(...))`): {missing:?}");
}
