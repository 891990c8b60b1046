//! The fast path folds a cell exactly as `keys::tokenize` does, and gives the outcome of the full
//! resolution for every spelling it holds and for the damage clerks add to them.

use super::fast::{KeyBuf, push_cell};
use super::*;
use crate::domain::admin_units::keys::tokenize;
use crate::domain::text::fold_ascii;
use crate::rules::ResidenceInput;

fn slow_key(text: &str) -> Vec<u8> {
    let tokens: Vec<String> =
        tokenize(&crate::domain::text::collapse_whitespace(text)).iter().map(|t| t.tone().to_owned()).collect();
    let mut key = tokens.join(" ").into_bytes();
    key.push(0x1F);
    key
}

fn fast_key(text: &str) -> Option<Vec<u8>> {
    let mut buf = KeyBuf::new();
    push_cell(&mut buf, text).map(|()| buf.as_bytes().to_vec())
}

#[test]
fn a_cell_folds_as_tokenize_reads_it() {
    let u = units();
    let mut texts: Vec<String> = [
        "Phường 07",
        "P8",
        "P.08",
        "Q10",
        "8Q10",
        "Phường 0",
        "  THỊ TRẤN   ĐẠ M’RI ",
        "Thị trấn Đạ M'ri",
        "Ða M'ri",
        "Thuận Hoà",
        "KHOẺ",
        "x\u{0301}a",
        "\u{0301}a",
        "Lạch\u{200B}Tray",
        "Lạch\u{00A0}Tray",
        "TP.Hải Phòng",
        "Hải-Phòng/VN",
        "Ｈà Nội",
        "",
        " ",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let nfd: String = unicode_normalization::UnicodeNormalization::nfd("Phường Lạch Tray").collect();
    texts.push(nfd);
    for c in u.old_communes() {
        texts.push(c.name.to_owned());
    }
    for d in u.old_districts() {
        texts.push(d.name.to_owned());
        texts.push(d.name.to_uppercase());
        texts.push(fold_ascii(d.name));
    }
    for c in u.new_communes() {
        texts.push(c.name.to_owned());
    }
    for t in &texts {
        assert_eq!(fast_key(t), Some(slow_key(t)), "{t:?}");
    }
    // Codes and pasted addresses are left to the full resolution.
    assert_eq!(fast_key("11365"), None);
    assert_eq!(fast_key(" 01 "), None);
    assert_eq!(fast_key("Lạch Tray, Ngô Quyền"), None);
    assert_eq!(fast_key(&"Phường ".repeat(60)), None);
}

fn input(p: &str, d: &str, c: &str) -> ResidenceInput {
    let cell = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    ResidenceInput { province: cell(p), district: cell(d), commune: cell(c) }
}

/// Every commune of both lists, as the lists spell it and as clerks damage it: the fast path gives
/// what the full resolution gives (and serves most of them from the table).
#[test]
fn the_fast_path_gives_the_full_resolution() {
    let u = units();
    let check = |i: ResidenceInput| {
        let fast = resolve_residence_ref(Some(&i), None);
        assert_eq!(*fast, resolve_in_full(Some(&i), None), "{i:?}");
        matches!(fast, OutcomeRef::Table(_))
    };
    let mut official = 0;
    let mut served = 0;
    for (k, c) in u.old_communes().iter().enumerate() {
        let (Some(d), Some(p)) = (u.old_district(c.district_code), u.old_province(c.province_code)) else { continue };
        official += 1;
        served += usize::from(check(input(p.name, d.name, c.name)));
        if k % 7 == 0 {
            check(input(&fold_ascii(p.name), &fold_ascii(d.name), &fold_ascii(c.name)));
            check(input(&fold_ascii(p.name), &d.name.to_uppercase(), &fold_ascii(c.name)));
            let nfd: String = unicode_normalization::UnicodeNormalization::nfd(c.name).collect();
            check(input(p.name, d.name, &nfd));
        }
        if k % 13 == 0 {
            // The wrong district, a commune of another list's name: not in the table, or failing alike.
            check(input(p.name, "Quận Ngô Quyền", c.name));
        }
    }
    for c in u.new_communes() {
        let Some(p) = u.new_province(c.province_code) else { continue };
        official += 1;
        served += usize::from(check(input(p.name, "", c.name)));
    }
    // Every address spelled as the lists spell it is served from the table.
    assert_eq!(served, official);
}
