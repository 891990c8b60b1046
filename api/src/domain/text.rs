//! Text helpers shared by every rule: Unicode normalisation, whitespace, diacritic folding.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Unicode NFC.
pub fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// True for characters that render as (or hide inside) whitespace: NBSP, the Unicode spaces,
/// zero-width characters and the BOM.
pub fn is_odd_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00A0}')
}

/// Zero-width characters vanish; every run of other spaces becomes one ASCII space; trimmed.
pub fn collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        if matches!(c, '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}') {
            continue;
        }
        if is_odd_space(c) {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c);
    }
    out
}

/// Lower case without any diacritic (đ → d): the key for accent-insensitive search.
pub fn fold_ascii(s: &str) -> String {
    s.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'đ' | 'ð' => 'd',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_vietnamese_to_ascii() {
        let cases = [
            ("Nguyễn Văn Đức", "nguyen van duc"),
            ("ĐẶNG THỊ HOÀ", "dang thi hoa"),
            ("Ngô\u{0301}", "ngo"),
            ("Ðoàn", "doan"),
        ];
        for (input, want) in cases {
            assert_eq!(fold_ascii(input), want, "{input}");
        }
    }

    #[test]
    fn collapses_odd_spaces() {
        let cases = [
            ("  Nguyễn  Văn\u{00A0}An ", "Nguyễn Văn An"),
            ("Lê\u{200B}Na", "LêNa"),
            ("\u{FEFF}Trần\tBình", "Trần Bình"),
            ("", ""),
        ];
        for (input, want) in cases {
            assert_eq!(collapse_whitespace(input), want, "{input:?}");
        }
    }
}
