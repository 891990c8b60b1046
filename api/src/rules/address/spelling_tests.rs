//! Spelling variants seen in real data, each beside the official spelling it must read as: the
//! same residence, the same findings. Final c/k, lone i/y, old and new tone placement, the ways
//! of writing "Thị trấn" and "Thành phố", numbered wards with a leading zero, a province without
//! its type word or with another one. Folding must not merge two real units (`index` tests the
//! lists; here, the units whose names differ only so stay apart).

use super::*;
use crate::rules::ResidenceInput;

fn structured(p: &str, d: &str, c: &str) -> ResidenceOutcome {
    let cell = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    resolve_residence(Some(&ResidenceInput { province: cell(p), district: cell(d), commune: cell(c) }), None)
}

fn codes(o: &ResidenceOutcome) -> Vec<&'static str> {
    o.findings.iter().map(|f| f.code.as_str()).collect()
}

fn commune_code(o: &ResidenceOutcome) -> Option<&str> {
    o.residence.as_ref().and_then(|r| r.commune_code.as_deref())
}

type Triple = (&'static str, &'static str, &'static str);

/// (as typed, official spelling, pre-2025 commune code of the official spelling).
const VARIANTS: &[(Triple, Triple, &str)] = &[
    // Final c/k.
    (("Tỉnh Đắk Lắk", "Huyện Krông Pắk", "Xã Ea Kly"), ("Tỉnh Đắk Lắk", "Huyện Krông Pắc", "Xã Ea Kly"), ""),
    (("Đắc Lắc", "Krông Pắc", "Ea Kly"), ("Tỉnh Đắk Lắk", "Huyện Krông Pắc", "Xã Ea Kly"), ""),
    (("Dac Lac", "Krong Pak", "Ea Kly"), ("Tỉnh Đắk Lắk", "Huyện Krông Pắc", "Xã Ea Kly"), ""),
    (("Quảng Nam", "Huyện Nam Giang", "Xã Đắk Pring"), ("Tỉnh Quảng Nam", "Huyện Nam Giang", "Xã Đắc Pring"), ""),
    // Lone i/y.
    (("Hà Tĩnh", "Huyện Kì Anh", "Xã Kì Xuân"), ("Tỉnh Hà Tĩnh", "Huyện Kỳ Anh", "Xã Kỳ Xuân"), "18757"),
    (
        ("Hưng Yên", "Thị xã Mĩ Hào", "Phường Bần Yên Nhân"),
        ("Tỉnh Hưng Yên", "Thị xã Mỹ Hào", "Phường Bần Yên Nhân"),
        "12103",
    ),
    (("Hà Nam", "Huyện Lí Nhân", "Xã Nguyên Lí"), ("Tỉnh Hà Nam", "Huyện Lý Nhân", "Xã Nguyên Lý"), "13570"),
    (("Thừa Thiên Huế", "Thuận Hóa", "Phường Vĩ Dạ"), ("Thành phố Huế", "Quận Thuận Hóa", "Phường Vỹ Dạ"), "19777"),
    (("Hà Nội", "Huyện Sóc Sơn", "Xã Hồng Kì"), ("Thành phố Hà Nội", "Huyện Sóc Sơn", "Xã Hồng Kỳ"), "00385"),
    (("Ha Noi", "Soc Son", "Hong Ki"), ("Thành phố Hà Nội", "Huyện Sóc Sơn", "Xã Hồng Kỳ"), "00385"),
    // Old and new tone placement.
    (("Hà Nội", "Huyện Ba Vì", "Xã Thái Hoà"), ("Thành phố Hà Nội", "Huyện Ba Vì", "Xã Thái Hòa"), "09652"),
    (("Hà Nội", "Huyện Quốc Oai", "Xã Cộng Hoà"), ("Thành phố Hà Nội", "Huyện Quốc Oai", "Xã Cộng Hòa"), "09931"),
    (
        ("Tỉnh Thanh Hoá", "Thành phố Thanh Hoá", "Phường Điện Biên"),
        ("Tỉnh Thanh Hóa", "Thành phố Thanh Hóa", "Phường Điện Biên"),
        "",
    ),
    // "Thị trấn" however written.
    (
        ("Hải Phòng", "Huyện An Lão", "Thị Trấn An Lão"),
        ("Thành phố Hải Phòng", "Huyện An Lão", "Thị trấn An Lão"),
        "11629",
    ),
    (("Hải Phòng", "Huyện An Lão", "TT An Lão"), ("Thành phố Hải Phòng", "Huyện An Lão", "Thị trấn An Lão"), "11629"),
    (("Hải Phòng", "Huyện An Lão", "TT. An Lão"), ("Thành phố Hải Phòng", "Huyện An Lão", "Thị trấn An Lão"), "11629"),
    (
        ("Hải Phòng", "Huyện An Lão", "thị trấn an lão"),
        ("Thành phố Hải Phòng", "Huyện An Lão", "Thị trấn An Lão"),
        "11629",
    ),
    (("Hải Phòng", "H. An Lão", "T.T An Lão"), ("Thành phố Hải Phòng", "Huyện An Lão", "Thị trấn An Lão"), "11629"),
    // "Thành phố" however written.
    (
        ("Tp Hải Phòng", "Quận Ngô Quyền", "Phường Lạch Tray"),
        ("Thành phố Hải Phòng", "Quận Ngô Quyền", "Phường Lạch Tray"),
        "11365",
    ),
    (
        ("TP. Hải Phòng", "Quận Ngô Quyền", "Phường Lạch Tray"),
        ("Thành phố Hải Phòng", "Quận Ngô Quyền", "Phường Lạch Tray"),
        "11365",
    ),
    (
        ("TP.Hải Phòng", "Q. Ngô Quyền", "P. Lạch Tray"),
        ("Thành phố Hải Phòng", "Quận Ngô Quyền", "Phường Lạch Tray"),
        "11365",
    ),
    (
        ("Thành Phố Hải Phòng", "Quận Ngô Quyền", "Phường Lạch Tray"),
        ("Thành phố Hải Phòng", "Quận Ngô Quyền", "Phường Lạch Tray"),
        "11365",
    ),
    (
        ("THÀNH PHỐ HẢI PHÒNG", "QUẬN NGÔ QUYỀN", "PHƯỜNG LẠCH TRAY"),
        ("Thành phố Hải Phòng", "Quận Ngô Quyền", "Phường Lạch Tray"),
        "11365",
    ),
    (
        ("Tỉnh Thanh Hóa", "Tp Thanh Hóa", "Phường Điện Biên"),
        ("Tỉnh Thanh Hóa", "Thành phố Thanh Hóa", "Phường Điện Biên"),
        "",
    ),
    // Numbered wards and districts with or without a leading zero.
    (("TP. Hồ Chí Minh", "Quận 3", "Phường 09"), ("Thành phố Hồ Chí Minh", "Quận 3", "Phường 9"), "27142"),
    (("TP.HCM", "Quận 03", "Phường 04"), ("Thành phố Hồ Chí Minh", "Quận 3", "Phường 4"), "27148"),
    (("Hồ Chí Minh", "Q.3", "P.05"), ("Thành phố Hồ Chí Minh", "Quận 3", "Phường 5"), "27151"),
    (("Hồ Chí Minh", "Quận 3", "Phường 012"), ("Thành phố Hồ Chí Minh", "Quận 3", "Phường 12"), "27130"),
    // A province without its type word, or with another one.
    (
        ("Hải Phòng", "Quận Ngô Quyền", "Phường Lạch Tray"),
        ("Thành phố Hải Phòng", "Quận Ngô Quyền", "Phường Lạch Tray"),
        "11365",
    ),
    (
        ("Tỉnh Hải Phòng", "Quận Ngô Quyền", "Phường Lạch Tray"),
        ("Thành phố Hải Phòng", "Quận Ngô Quyền", "Phường Lạch Tray"),
        "11365",
    ),
    (
        ("Tỉnh Thừa Thiên Huế", "Quận Thuận Hóa", "Phường Vỹ Dạ"),
        ("Thành phố Huế", "Quận Thuận Hóa", "Phường Vỹ Dạ"),
        "19777",
    ),
    (("Tỉnh Huế", "Quận Thuận Hóa", "Phường Vỹ Dạ"), ("Thành phố Huế", "Quận Thuận Hóa", "Phường Vỹ Dạ"), "19777"),
    (("Thành phố Hà Tĩnh", "Huyện Kỳ Anh", "Xã Kỳ Xuân"), ("Tỉnh Hà Tĩnh", "Huyện Kỳ Anh", "Xã Kỳ Xuân"), "18757"),
    (("Hà Tĩnh", "Huyện Kỳ Anh", "Xã Kỳ Xuân"), ("Tỉnh Hà Tĩnh", "Huyện Kỳ Anh", "Xã Kỳ Xuân"), "18757"),
];

#[test]
fn spelling_variants_read_as_the_official_spelling() {
    for &(typed, official, code) in VARIANTS {
        let want = structured(official.0, official.1, official.2);
        assert!(want.residence.as_ref().is_some_and(|r| r.commune_code.is_some()), "{official:?}: {want:?}");
        if !code.is_empty() {
            assert_eq!(commune_code(&want), Some(code), "{official:?}");
        }
        let got = structured(typed.0, typed.1, typed.2);
        assert_eq!(got.residence, want.residence, "{typed:?} should read as {official:?}");
        assert_eq!(codes(&got), codes(&want), "{typed:?}: {:?}", got.findings);
    }
}

#[test]
fn spelling_variants_in_post2025_addresses() {
    let cases: &[(Triple, Triple)] = &[
        (("Tỉnh Đắc Lắc", "", "Xã Krông Pắk"), ("Tỉnh Đắk Lắk", "", "Xã Krông Pắc")),
        (("Tp Hải Phòng", "", "Phường Gia Viên"), ("Thành phố Hải Phòng", "", "Phường Gia Viên")),
        (("Thành Phố Hồ Chí Minh", "", "Phường Bàn Cờ"), ("Thành phố Hồ Chí Minh", "", "Phường Bàn Cờ")),
        (("Hà Tĩnh", "", "Xã Kì Hoa"), ("Tỉnh Hà Tĩnh", "", "Xã Kỳ Hoa")),
        (("Tỉnh Thừa Thiên Huế", "", "Phường Thuận Hoá"), ("Thành phố Huế", "", "Phường Thuận Hóa")),
    ];
    for &(typed, official) in cases {
        let want = structured(official.0, official.1, official.2);
        assert!(
            want.residence.as_ref().is_some_and(|r| r.scheme == Scheme::Post2025 && r.commune_code.is_some()),
            "{official:?}: {want:?}"
        );
        let got = structured(typed.0, typed.1, typed.2);
        assert_eq!(got.residence, want.residence, "{typed:?} should read as {official:?}");
    }
}

/// Units whose names differ only by a final c/k or a lone i/y stay apart: each spelling reads as
/// its own unit, and a spelling shared by two (the fold left out) reads as neither of the others.
#[test]
fn folding_never_merges_two_real_units() {
    let apart: &[(Triple, &str)] = &[
        (("Tỉnh Tuyên Quang", "", "Xã Quí Quân"), "Xã Quí Quân"),
        (("", "", "Xã Quý Quân"), "Xã Quý Quân"),
        (("", "", "Xã An Quí"), "Xã An Quí"),
        (("", "", "Xã An Quy"), "Xã An Quy"),
        (("", "", "Xã Mi Hòa"), "Xã Mi Hòa"),
    ];
    for &((p, d, c), name) in apart {
        let out = structured(p, d, c);
        let got = out.residence.as_ref().and_then(|r| r.commune_name.as_deref());
        if got.is_some() && !codes(&out).contains(&"address_ambiguous") {
            assert_eq!(got, Some(name), "{c}: {:?}", out.findings);
        }
        assert!(!codes(&out).contains(&"address_commune_unknown"), "{c}: {:?}", codes(&out));
    }
    // A unit that exists with one spelling only is not found through a spelling its name does
    // not fold to: "Thủi" is not "Thủy", "Tai" is not "Tây".
    let out = structured("Thành phố Hải Phòng", "Thành phố Thủi Nguyên", "");
    assert!(codes(&out).contains(&"address_district_unknown"), "{:?}", codes(&out));
}
