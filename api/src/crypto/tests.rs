//! Tables of real-looking values through the key ring: round trips, every way a value must
//! fail to decrypt, rotation, the blind index, JSON documents, key settings and the start rule.

use std::collections::BTreeSet;

use base64ct::{Base64, Encoding};
use serde_json::json;

use super::*;
use crate::config::{Secret, Settings};
use crate::domain::personal_id::{PersonalId, mask};

const K1: [u8; 32] = [0x11; 32];
const K2: [u8; 32] = [0x22; 32];
const K3: [u8; 32] = [0x33; 32];
const IX: [u8; 32] = [0x44; 32];
const IX2: [u8; 32] = [0x55; 32];

fn ring(data: &[[u8; 32]], index: &[u8; 32]) -> KeyRing {
    KeyRing::new(data, index).expect("valid keys")
}

fn b64(key: &[u8; 32]) -> String {
    Base64::encode_string(key)
}

/// Values as they are stored: normalised numbers, and entered text as schools type it.
const VALUES: &[&str] = &[
    "031215000001",
    "001099012345",
    "079305004321",
    "0312 1500 0001",
    "3,12215E+11",
    "'031215000001",
    "",
    "Nguyễn Văn Hòa",
    "dd1:00000000:looks-sealed-but-is-typed",
];

#[test]
fn values_round_trip_with_a_fresh_nonce_each_time() {
    let keys = ring(&[K1], &IX);
    let aad = Aad::new("people", "personal_id", 42);
    for value in VALUES {
        let a = keys.encrypt(&aad, value).expect("encrypts");
        let b = keys.encrypt(&aad, value).expect("encrypts");
        assert_ne!(a, b, "a fresh nonce per value: {value:?}");
        assert!(a.starts_with(format::PREFIX) && is_encrypted(&a), "{a}");
        assert_eq!(key_id_of(&a), Some(keys.current_key_id()));
        assert!(!a.contains(value) || value.is_empty(), "the clear value does not show: {a}");
        assert_eq!(keys.decrypt(&aad, &a).as_deref(), Ok(*value));
        assert_eq!(keys.decrypt(&aad, &b).as_deref(), Ok(*value));
    }
    // A 12-digit number takes 67 characters (what the columns must hold).
    assert_eq!(keys.encrypt(&aad, "031215000001").expect("encrypts").len(), 67);
}

#[test]
fn a_value_moved_to_another_place_does_not_decrypt() {
    let keys = ring(&[K1], &IX);
    let home = Aad::new("people", "personal_id", 42);
    let sealed = keys.encrypt(&home, "031215000001").expect("encrypts");
    let elsewhere = [
        Aad::new("people", "personal_id", 43),
        Aad::new("people", "norm_personal_id", 42),
        Aad::new("audit_events", "personal_id", 42),
        Aad::new("import_rows", "personal_id", 42),
        Aad::new("people", "personal_id", "42 "),
        Aad::new("people", "personal_id", ""),
        // Length prefixes: moving a character between parts changes the associated data.
        Aad::new("peoplep", "ersonal_id", 42),
        Aad::new("people", "personal_id4", 2),
    ];
    for aad in elsewhere {
        assert_eq!(keys.decrypt(&aad, &sealed), Err(CryptoError::Authentication), "{aad:?}");
    }
    assert!(keys.decrypt(&home, &sealed).is_ok());
}

#[test]
fn another_key_does_not_decrypt() {
    let aad = Aad::new("people", "personal_id", 7);
    let sealed = ring(&[K1], &IX).encrypt(&aad, "031215000001").expect("encrypts");
    // A ring without the key says which key is missing.
    let other = ring(&[K2], &IX);
    assert_eq!(other.decrypt(&aad, &sealed), Err(CryptoError::UnknownKey(ring(&[K1], &IX).current_key_id())));
    // A different key under the same id (a forged id) fails authentication.
    let forged =
        sealed.replacen(&ring(&[K1], &IX).current_key_id().to_string(), &other.current_key_id().to_string(), 1);
    assert_eq!(other.decrypt(&aad, &forged), Err(CryptoError::Authentication));
}

#[test]
fn an_altered_value_does_not_decrypt() {
    let keys = ring(&[K1], &IX);
    let aad = Aad::new("people", "personal_id", 9);
    let sealed = keys.encrypt(&aad, "031215000001").expect("encrypts");
    let (head, body) = sealed.rsplit_once(':').expect("format");
    let bytes = base64ct::Base64UrlUnpadded::decode_vec(body).expect("base64");
    let reseal = |b: &[u8]| format!("{head}:{}", base64ct::Base64UrlUnpadded::encode_string(b));
    let mut cases = Vec::new();
    for position in [0, NONCE_LEN - 1, NONCE_LEN, NONCE_LEN + 5, bytes.len() - TAG_LEN, bytes.len() - 1] {
        let mut b = bytes.clone();
        b[position] ^= 0x01;
        cases.push((format!("bit flipped at byte {position}"), reseal(&b), CryptoError::Authentication));
    }
    cases.push(("last byte cut".into(), reseal(&bytes[..bytes.len() - 1]), CryptoError::Authentication));
    cases.push(("byte appended".into(), reseal(&[bytes.as_slice(), &[0]].concat()), CryptoError::Authentication));
    cases.push(("too short".into(), reseal(&bytes[..NONCE_LEN + TAG_LEN - 1]), CryptoError::Malformed));
    cases.push(("clear value".into(), "031215000001".into(), CryptoError::NotEncrypted));
    cases.push(("newer version".into(), sealed.replacen("dd1:", "dd2:", 1), CryptoError::UnknownVersion("dd2".into())));
    cases.push(("not base64".into(), format!("{head}:{body}*"), CryptoError::Malformed));
    for (what, text, error) in cases {
        assert_eq!(keys.decrypt(&aad, &text), Err(error), "{what}");
    }
}

#[test]
fn rotation_keeps_old_values_readable_and_encrypts_with_the_new_key() {
    let aad = Aad::new("people", "personal_id", 1);
    let old = ring(&[K1], &IX);
    let sealed_old = old.encrypt(&aad, "031215000001").expect("encrypts");
    // The new key is listed first: it encrypts; the old one still decrypts.
    let rotating = ring(&[K2, K1], &IX);
    assert_eq!(rotating.data_key_ids(), vec![ring(&[K2], &IX).current_key_id(), old.current_key_id()]);
    assert_eq!(rotating.decrypt(&aad, &sealed_old).as_deref(), Ok("031215000001"));
    let sealed_new = rotating.encrypt(&aad, "031215000001").expect("encrypts");
    assert_eq!(key_id_of(&sealed_new), Some(rotating.current_key_id()));
    assert!(!rotating.is_current(&sealed_old));
    assert!(rotating.is_current(&sealed_new));
    // Re-encryption moves old values to the new key and leaves current ones alone.
    let moved = rotating.reencrypt(&aad, &sealed_old).expect("reencrypts").expect("was old");
    assert_eq!(key_id_of(&moved), Some(rotating.current_key_id()));
    assert_eq!(rotating.reencrypt(&aad, &sealed_new), Ok(None));
    // After the rotation the old key can go: every value is readable with the new one alone.
    let after = ring(&[K2], &IX);
    for value in [&moved, &sealed_new] {
        assert_eq!(after.decrypt(&aad, value).as_deref(), Ok("031215000001"));
    }
    assert_eq!(after.decrypt(&aad, &sealed_old), Err(CryptoError::UnknownKey(old.current_key_id())));
    // Re-encryption checks the value it moves.
    assert_eq!(
        rotating.reencrypt(&Aad::new("people", "personal_id", 2), &sealed_old),
        Err(CryptoError::Authentication)
    );
}

#[test]
fn the_blind_index_is_stable_per_key_and_unrelated_across_keys() {
    let a = ring(&[K1], &IX);
    let a_rotated = ring(&[K2, K1], &IX);
    let b = ring(&[K1], &IX2);
    let numbers = ["031215000001", "031215000002", "001099012345", "079305004321", "310215000001"];
    let mut seen = BTreeSet::new();
    for n in numbers {
        let ix = a.blind_index(n);
        assert_eq!(ix, a.blind_index(n), "stable: {n}");
        assert_eq!(ix, a_rotated.blind_index(n), "data keys do not change it: {n}");
        assert_ne!(ix, b.blind_index(n), "another index key gives another index: {n}");
        assert_eq!(ix.as_str().len(), 31, "{ix}");
        assert!(!ix.as_str().contains(n) && !ix.as_str().contains(&n[..6]), "{ix}");
        assert_eq!(BlindIndex::key_id(ix.as_str()), Some(a.index_key_id()));
        assert_eq!(BlindIndex::key_id(b.blind_index(n).as_str()), Some(b.index_key_id()));
        assert!(seen.insert(ix.into_string()), "distinct numbers, distinct indexes: {n}");
    }
    // Exact: a number and its typing variants are different inputs (callers normalise first).
    assert_ne!(a.blind_index("031215000001"), a.blind_index("0312 1500 0001"));
    assert_eq!(BlindIndex::key_id("031215000001"), None);
}

#[test]
fn masking_works_on_the_decrypted_value_as_before() {
    let keys = ring(&[K1], &IX);
    let aad = Aad::new("people", "norm_personal_id", 5);
    for n in ["031215000001", "001099012345", "079305004321"] {
        let sealed = keys.encrypt(&aad, n).expect("encrypts");
        let clear = keys.decrypt(&aad, &sealed).expect("decrypts");
        let id = PersonalId::parse(&clear).expect("12 digits");
        assert_eq!(id.masked(), mask(n));
        assert_eq!(format!("{id}"), mask(n));
        assert!(!sealed.contains(&mask(n)));
    }
}

#[test]
fn the_outcome_json_keeps_its_shape_and_hides_its_numbers() {
    let keys = ring(&[K1], &IX);
    let aad = Aad::new("people", "outcome", 42);
    let original = json!({
        "normalized": {"fullName": "Nguyễn Văn Hòa", "dateOfBirth": "2015-03-15", "gender": "Nam",
                       "personalId": "031215000001", "residence": null},
        "findings": [
            {"field": "fullName", "code": "name_case", "severity": "fixed", "message": "…",
             "params": {}, "fix": {"from": "nguyễn văn hòa", "to": "Nguyễn Văn Hòa"}},
            {"field": "personalId", "code": "id_separators", "severity": "fixed", "message": "…",
             "params": {}, "fix": {"from": "0312 1500 0001", "to": "031215000001"}},
            {"field": "personalId", "code": "id_duplicate", "severity": "warning", "message": "…",
             "params": {"others": [17, 18]}}
        ]
    });
    let mut doc = original.clone();
    let sealed = keys.encrypt_json(&mut doc, &aad, &json::OUTCOME_ID_PATHS).expect("encrypts");
    assert_eq!(sealed, 3, "the normalised number and one repair's from and to");
    let text = doc.to_string();
    for hidden in ["031215000001", "0312 1500 0001"] {
        assert!(!text.contains(hidden), "{text}");
    }
    // What is not an ID number stays readable, in place.
    assert_eq!(doc["normalized"]["fullName"], "Nguyễn Văn Hòa");
    assert_eq!(doc["findings"][0]["fix"]["from"], "nguyễn văn hòa");
    assert_eq!(doc["findings"][1]["code"], "id_separators");
    assert_eq!(doc["findings"][2]["params"]["others"], json!([17, 18]));
    assert!(doc["normalized"]["personalId"].as_str().is_some_and(is_encrypted));

    let mut back = doc.clone();
    assert_eq!(keys.decrypt_json(&mut back, &aad, &json::OUTCOME_ID_PATHS), Ok(3));
    assert_eq!(back, original);

    // Reordered findings still decrypt (the path pattern, not the index, is authenticated)…
    let mut reordered = doc.clone();
    if let Some(items) = reordered["findings"].as_array_mut() {
        items.reverse();
    }
    assert_eq!(keys.decrypt_json(&mut reordered, &aad, &json::OUTCOME_ID_PATHS), Ok(3));
    // …but a value moved to another path, another row or a clear value does not.
    let mut moved = doc.clone();
    moved["findings"][1]["fix"]["to"] = doc["findings"][1]["fix"]["from"].clone();
    assert_eq!(keys.decrypt_json(&mut moved, &aad, &json::OUTCOME_ID_PATHS), Err(CryptoError::Authentication));
    let mut other_row = doc.clone();
    assert_eq!(
        keys.decrypt_json(&mut other_row, &Aad::new("people", "outcome", 43), &json::OUTCOME_ID_PATHS),
        Err(CryptoError::Authentication)
    );
    let mut clear = original.clone();
    assert_eq!(keys.decrypt_json(&mut clear, &aad, &json::OUTCOME_ID_PATHS), Err(CryptoError::NotEncrypted));
}

#[test]
fn one_string_sealed_alone_reads_as_in_the_document_and_back() {
    let keys = ring(&[K1], &IX);
    let aad = Aad::new("people", "outcome", 42);
    let original = json!({"normalized": {"personalId": "031215000001"}, "findings": []});
    // sealed alone, opened with the document…
    let mut doc = original.clone();
    doc["normalized"]["personalId"] =
        json!(keys.encrypt_json_str(&aad, json::OUTCOME_NORMALIZED_ID, "031215000001").expect("encrypts"));
    let sealed = doc.clone();
    assert_eq!(keys.decrypt_json(&mut doc, &aad, &json::OUTCOME_ID_PATHS), Ok(1));
    assert_eq!(doc, original);
    // …and sealed with the document, opened alone
    let mut doc = original.clone();
    keys.encrypt_json(&mut doc, &aad, &json::OUTCOME_ID_PATHS).expect("encrypts");
    let stored = doc["normalized"]["personalId"].as_str().expect("sealed");
    assert_eq!(keys.decrypt_json_str(&aad, json::OUTCOME_NORMALIZED_ID, stored).as_deref(), Ok("031215000001"));
    // the place is still authenticated: another path, another row
    assert_eq!(keys.decrypt_json_str(&aad, json::OUTCOME_ID_FIX_TO, stored), Err(CryptoError::Authentication));
    let other_row = Aad::new("people", "outcome", 43);
    assert_eq!(
        keys.decrypt_json_str(&other_row, json::OUTCOME_NORMALIZED_ID, stored),
        Err(CryptoError::Authentication)
    );
    // a fresh nonce every time, and a sealed value that is no string is no string
    let again = sealed["normalized"]["personalId"].as_str().expect("sealed");
    assert_ne!(again, stored);
    let number = keys.seal(&aad, json::OUTCOME_NORMALIZED_ID, b"17").expect("encrypts");
    assert_eq!(keys.decrypt_json_str(&aad, json::OUTCOME_NORMALIZED_ID, &number), Err(CryptoError::Malformed));
}

#[test]
fn json_values_of_any_type_round_trip() {
    let keys = ring(&[K1], &IX);
    let aad = Aad::new("import_rows", "data", "3f2a9c1e-0000-4000-8000-000000000001:12");
    let paths: Vec<JsonPath> =
        ["/cells", "/values/personalId", "/changes/*[field=personalId]/old", "/changes/*[field=personalId]/new"]
            .iter()
            .map(|p| JsonPath::parse(p).expect("parses"))
            .collect();
    let original = json!({
        "sheet": "6A", "row": 12, "action": "update",
        "cells": ["Nguyễn Văn Hòa", "15/03/2015", "Nam", "031215000001", 31215000001_u64],
        "values": {"personalId": "031215000001", "fullName": "Nguyễn Văn Hòa"},
        "changes": [
            {"field": "personalId", "column": "D", "old": "031215000009", "new": "031215000001"},
            {"field": "gender", "column": "C", "old": null, "new": "Nam"},
            {"field": "personalId", "column": "E", "old": null, "new": "031215000001"}
        ]
    });
    let mut doc = original.clone();
    assert_eq!(keys.encrypt_json(&mut doc, &aad, &paths), Ok(5), "nulls are left alone");
    assert!(doc["cells"].as_str().is_some_and(is_encrypted), "the whole array is sealed");
    assert_eq!(doc["changes"][1]["new"], "Nam");
    assert!(doc["changes"][2]["old"].is_null());
    assert!(!doc.to_string().contains("31215000001"));
    assert_eq!(keys.decrypt_json(&mut doc, &aad, &paths), Ok(5));
    assert_eq!(doc, original, "numbers come back as numbers, arrays as arrays");
    // A document without the paths is left as it is.
    let mut none = json!({"sheet": "6A"});
    assert_eq!(keys.encrypt_json(&mut none, &aad, &paths), Ok(0));
    assert_eq!(none, json!({"sheet": "6A"}));
}

#[test]
fn keys_never_show_in_debug_or_display() {
    let keys = ring(&[K1, K2], &IX);
    let shown = format!("{keys} {keys:?}");
    for key in [K1, K2, IX] {
        assert!(!shown.contains(&b64(&key)), "{shown}");
    }
    assert!(shown.contains(&keys.current_key_id().to_string()), "{shown}");
    let secret = Secret::new(b64(&K1));
    assert_eq!(format!("{secret} {secret:?}"), "*** Secret(***)");
    let settings = Settings { data_keys: Some(Secret::new(b64(&K1))), ..Settings::default() };
    assert!(!format!("{settings:?}").contains(&b64(&K1)));
}

#[test]
fn key_settings_are_read_and_bad_ones_named() {
    let with = |data: Option<String>, index: Option<String>| Settings {
        data_keys: data.map(Secret::new),
        index_key: index.map(Secret::new),
        ..Settings::default()
    };
    assert!(KeyRing::from_settings(&Settings::default()).expect("no keys is allowed").is_none());
    let good = KeyRing::from_settings(&with(Some(format!("{}, {}", b64(&K2), b64(&K1))), Some(b64(&IX))))
        .expect("valid")
        .expect("configured");
    assert_eq!(good.data_key_ids(), ring(&[K2, K1], &IX).data_key_ids());
    assert_eq!(good.index_key_id(), ring(&[K1], &IX).index_key_id());

    let short = Base64::encode_string(&[1u8; 16]);
    let cases: Vec<(Settings, &str, &str)> = vec![
        (with(Some("pas de base64!".into()), Some(b64(&IX))), "data_keys", "not base64"),
        (with(Some(short.clone()), Some(b64(&IX))), "data_keys", "16 bytes long, not 32"),
        (with(Some(format!("{},{short}", b64(&K1))), Some(b64(&IX))), "data_keys", "key 2"),
        (with(Some(" , ".into()), Some(b64(&IX))), "data_keys", "holds no key"),
        (with(Some(format!("{},{}", b64(&K1), b64(&K1))), Some(b64(&IX))), "data_keys", "the same key"),
        (with(Some(b64(&K1)), Some(b64(&K1))), "index_key", "the same as data key 1"),
        (with(Some(b64(&K1)), Some(format!("{},{}", b64(&IX), b64(&IX2)))), "index_key", "more than one key"),
        (with(Some(b64(&K1)), None), "index_key", "APP_INDEX_KEY"),
        (with(None, Some(b64(&IX))), "data_keys", "APP_DATA_KEYS"),
        (
            Settings { data_keys_file: Some("/nonexistent/dinhdanh/data-keys".into()), ..with(None, Some(b64(&IX))) },
            "data_keys_file (/nonexistent/dinhdanh/data-keys)",
            "cannot read",
        ),
        (
            Settings { data_keys_file: Some("/tmp/x".into()), ..with(Some(b64(&K1)), Some(b64(&IX))) },
            "data_keys",
            "not both",
        ),
    ];
    for (settings, setting, needle) in cases {
        let err = KeyRing::from_settings(&settings).expect_err(needle);
        assert_eq!(err.setting, setting, "{err}");
        assert!(err.to_string().contains(needle), "{needle}: {err}");
    }
}

#[test]
fn key_files_hold_one_key_per_line() {
    let dir = scratch_dir();
    let data = dir.join("data-keys");
    let index = dir.join("index-key");
    std::fs::write(&data, format!("# new key first\n{}\n\n  {}  \n", b64(&K3), b64(&K1))).expect("write");
    std::fs::write(&index, format!("{}\n", b64(&IX))).expect("write");
    let settings =
        Settings { data_keys_file: Some(data.clone()), index_key_file: Some(index.clone()), ..Settings::default() };
    let keys = KeyRing::from_settings(&settings).expect("valid").expect("configured");
    assert_eq!(keys.data_key_ids(), ring(&[K3, K1], &IX).data_key_ids());
    std::fs::write(&data, "# nothing here\n").expect("write");
    let err = KeyRing::from_settings(&settings).expect_err("empty file");
    assert!(err.to_string().contains("data_keys_file") && err.to_string().contains("holds no key"), "{err}");
    std::fs::write(&data, format!("{}\nnot-a-key\n", b64(&K3))).expect("write");
    let err = KeyRing::from_settings(&settings).expect_err("bad line");
    assert!(err.to_string().contains("key 2: is not base64"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_demo_generates_its_keys_once_owner_readable_and_reuses_them() {
    let dir = scratch_dir();
    let mut first = Settings { demo: true, ..Settings::default() };
    let generated = keys::prepare_demo_keys(&mut first, &dir).expect("generates");
    assert_eq!(generated, vec![dir.join(keys::DEMO_DATA_KEYS_FILE), dir.join(keys::DEMO_INDEX_KEY_FILE)]);
    #[cfg(unix)]
    for file in &generated {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(file).expect("exists").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", file.display());
    }
    let ring_one = KeyRing::from_settings(&first).expect("valid").expect("configured");
    let aad = Aad::new("people", "personal_id", 1);
    let sealed = ring_one.encrypt(&aad, "031215000001").expect("encrypts");

    // The second start finds the files and generates nothing.
    let mut second = Settings { demo: true, ..Settings::default() };
    assert_eq!(keys::prepare_demo_keys(&mut second, &dir), Ok(vec![]));
    let ring_two = KeyRing::from_settings(&second).expect("valid").expect("configured");
    assert_eq!(ring_two.decrypt(&aad, &sealed).as_deref(), Ok("031215000001"));
    assert_eq!(ring_two.blind_index("031215000001"), ring_one.blind_index("031215000001"));

    // A key given inline is left alone.
    let mut inline = Settings { demo: true, data_keys: Some(Secret::new(b64(&K1))), ..Settings::default() };
    keys::prepare_demo_keys(&mut inline, &dir).expect("ok");
    assert!(inline.data_keys_file.is_none());
    assert_eq!(inline.index_key_file, Some(dir.join(keys::DEMO_INDEX_KEY_FILE)));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_start_rule() {
    let keys = ring(&[K2, K1], &IX);
    let ids = |rings: &[&KeyRing]| rings.iter().map(|r| r.current_key_id()).collect::<BTreeSet<_>>();
    let k1 = ring(&[K1], &IX);
    let k3 = ring(&[K3], &IX);
    let other_index = ring(&[K1], &IX2);
    let stored =
        |data: BTreeSet<KeyId>, index: BTreeSet<KeyId>| StoredKeys { data_key_ids: data, index_key_ids: index };
    let index_of = |r: &KeyRing| BTreeSet::from([r.index_key_id()]);
    let k3_id = k3.current_key_id().to_string();
    let cases: Vec<(&str, StoredKeys, Option<&KeyRing>, Option<&str>)> = vec![
        ("empty database, no keys", StoredKeys::default(), None, None),
        ("empty database, keys", StoredKeys::default(), Some(&keys), None),
        ("encrypted values, no keys", stored(ids(&[&k1]), index_of(&k1)), None, Some("APP_DATA_KEYS")),
        ("blind indexes only, no keys", stored(BTreeSet::new(), index_of(&k1)), None, Some("APP_INDEX_KEY")),
        ("values under the old key while rotating", stored(ids(&[&k1]), index_of(&k1)), Some(&keys), None),
        ("values under both keys", stored(ids(&[&k1, &keys]), index_of(&k1)), Some(&keys), None),
        ("a data key is missing", stored(ids(&[&k1, &k3]), index_of(&k1)), Some(&keys), Some(&k3_id)),
        ("another index key", stored(ids(&[&k1]), index_of(&other_index)), Some(&keys), Some("index key")),
        (
            "index rebuild half done",
            stored(ids(&[&k1]), [keys.index_key_id(), other_index.index_key_id()].into()),
            Some(&keys),
            None,
        ),
    ];
    for (what, stored, ring, refusal) in cases {
        let result = check_start(&stored, ring);
        match refusal {
            None => assert_eq!(result, Ok(()), "{what}"),
            Some(needle) => {
                let message = result.expect_err(what).to_string();
                assert!(message.contains(needle), "{what}: {message}");
            }
        }
    }
}

/// A fresh folder under the system's temporary folder.
fn scratch_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("dinhdanh-crypto-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}
