//! From typed text to [`Part`]s: one part per structured cell, or the segments of a one-cell
//! address ("Số 5 Lê Lợi, P. Máy Tơ, Q. Ngô Quyền, HP").
//!
//! A part keeps its text as typed (for messages), the matching keys of its name with and without
//! a leading type word, the type word as a level hint, a code when it is all digits, and whether
//! it looks like a street-level part (house number, thôn, tổ, ngõ…) that no unit list holds.

use std::borrow::Cow;
use std::sync::LazyLock;

use crate::domain::admin_units::keys::{
    KeyBuffers, Level, NameKey, Token, TypeWord, fold_if_other, tokenize, tokenize_with, type_prefix,
};
use crate::domain::text::collapse_whitespace;

/// One way to read a part's name: with its type word set apart, or whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Variant {
    /// The type word in front of the name, if read that way.
    pub word: Option<TypeWord>,
    /// Keys of the name without that word.
    pub key: NameKey,
    /// Spelling fold of the name (final k = c, a lone y = i), the fallback when the loose key
    /// matches nothing; `None` when it is the loose key itself.
    pub fold: Option<String>,
}

/// A piece of an address that names one unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Part {
    /// As typed, whitespace collapsed.
    pub raw: String,
    /// Readings of the name, the most likely first.
    pub variants: Vec<Variant>,
    /// The leading type word, if any (a hint of the level).
    pub hint: Option<TypeWord>,
    /// The type word was written in full with its diacritics (it cannot start a name).
    pub hint_certain: bool,
    /// The digits, when the part is only digits (a unit code, or a number name like "8").
    pub digits: Option<String>,
    /// Starts like a street-level part ("Số 5", "Thôn 3", "Tổ 12", "Ngõ 4").
    pub street: bool,
    /// Typed without any diacritic (type word included).
    pub ascii: bool,
}

/// Words that start street-level parts. Written without their diacritics (or as an ASCII
/// abbreviation) they count only before a number ("to 5", "kp 3"), since "To", "Thon"… may start
/// a unit name.
static STREET_WORDS: LazyLock<Vec<Vec<Token>>> = LazyLock::new(|| {
    [
        "số",
        "số nhà",
        "sn",
        "thôn",
        "xóm",
        "tổ",
        "tổ dân phố",
        "tdp",
        "khu phố",
        "kp",
        "ngõ",
        "ngách",
        "hẻm",
        "kiệt",
        "đường",
        "ấp",
        "khóm",
        "lô",
        "căn hộ",
        "chung cư",
        "km",
        "quốc lộ",
        "ql",
        "tỉnh lộ",
        "tl",
    ]
    .iter()
    .map(|w| tokenize(w))
    .collect()
});

fn is_street(tokens: &[Token]) -> bool {
    let Some(first) = tokens.first() else {
        return false;
    };
    if first.digits {
        // "5 Lê Lợi", "12/3 Trần Phú": a house number, unless the part is only a number.
        return tokens.len() > 1;
    }
    STREET_WORDS.iter().any(|want| {
        let Some(next) = tokens.get(want.len()) else {
            return false;
        };
        let exact = tokens.iter().zip(want).all(|(t, w)| t.tone() == w.tone());
        if exact && want.iter().any(|w| !w.is_ascii()) {
            return true;
        }
        // Without its marks (or an ASCII abbreviation) only before a number.
        next.digits && (exact || tokens.iter().zip(want).all(|(t, w)| t.loose() == w.loose() && t.is_ascii()))
    })
}

impl Part {
    /// A part from one structured cell; `None` when the cell holds nothing readable.
    pub fn parse(text: &str) -> Option<Part> {
        let raw = collapse_whitespace(text);
        let tokens = tokenize(&raw);
        Part::from_tokens(raw, &tokens)
    }

    /// A part from tokens of `raw`.
    pub fn from_tokens(raw: String, tokens: &[Token]) -> Option<Part> {
        if tokens.is_empty() {
            return None;
        }
        let mut variants = Vec::with_capacity(2);
        let prefix = type_prefix(tokens);
        if let Some(p) = prefix {
            let rest = &tokens[p.len..];
            variants.push(Variant { word: Some(p.word), key: NameKey::of(rest), fold: fold_if_other(rest) });
        }
        if prefix.is_none_or(|p| !p.certain) {
            variants.push(Variant { word: None, key: NameKey::of(tokens), fold: fold_if_other(tokens) });
        }
        let digits = raw.trim().bytes().all(|b| b.is_ascii_digit()).then(|| raw.trim().to_owned());
        Some(Part {
            street: is_street(tokens),
            ascii: tokens.iter().all(Token::is_ascii),
            hint: prefix.map(|p| p.word),
            hint_certain: prefix.is_some_and(|p| p.certain),
            digits,
            raw,
            variants,
        })
    }

    /// True when the part's type word does not rule out this level.
    pub fn may_be(&self, level: Level) -> bool {
        self.hint.is_none_or(|w| w.fits(level))
    }
}

/// One segment of a free-text address.
#[derive(Debug, Clone)]
pub(super) struct Segment {
    /// The segment as a part.
    pub part: Part,
    /// The tokens of the segment (offsets into the cleaned text).
    pub tokens: Vec<Token>,
    /// Separated from the previous segment by a hyphen only ("Bà Rịa - Vũng Tàu").
    pub joined_by_hyphen: bool,
}

/// The cleaned text of a free-text address and its segments, left to right.
#[derive(Debug, Clone)]
pub(super) struct FreeText {
    /// Whitespace-collapsed text; segment offsets point into it.
    pub text: String,
    /// Segments, left to right, country names dropped.
    pub segments: Vec<Segment>,
}

fn is_strong_separator(c: char) -> bool {
    matches!(c, ',' | ';' | '|' | '\n' | '\r' | '\t' | '(' | ')' | ':' | '[' | ']')
}

fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '–' | '—' | '‐' | '−')
}

/// Where a type word starts a new segment inside a comma-free run: a certain type word, or an
/// abbreviation written with a dot or glued to a number ("P.", "Q10", "F4"), or (when
/// `ascii_types`) a type word written in full in ASCII ("phuong", "quan").
fn split_at_type_words(tokens: &[Token], ascii_types: bool) -> Vec<std::ops::Range<usize>> {
    let mut cuts = vec![0];
    let mut i = 1;
    while i < tokens.len() {
        let starts_here = type_prefix(&tokens[i..]).filter(|p| {
            let last = &tokens[i + p.len - 1];
            p.certain || last.dot_after || last.before_digits || ascii_types
        });
        let Some(prefix) = starts_here else {
            i += 1;
            continue;
        };
        // The run since the previous cut must hold more than a type word of its own.
        let since = *cuts.last().unwrap_or(&0);
        let only_type = type_prefix(&tokens[since..]).is_some_and(|p| since + p.len >= i);
        if !only_type {
            cuts.push(i);
        }
        i += prefix.len;
    }
    let mut ranges: Vec<_> = cuts.windows(2).map(|w| w[0]..w[1]).collect();
    if let Some(&last) = cuts.last() {
        ranges.push(last..tokens.len());
    }
    ranges
}

/// The text without what is in parentheses or brackets (landmarks, notes: "(gần chợ)") and with
/// colons as spaces (labels: "Phường: Cô Giang") and line breaks as commas; borrowed when it has none.
fn clean_noise(text: &str) -> Cow<'_, str> {
    if !text.contains(['(', '[', ')', ']', ':', '\n', '\r']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut depth = 0u32;
    for c in text.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            ':' if depth == 0 => out.push(' '),
            '\n' | '\r' if depth == 0 => out.push(','),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    Cow::Owned(out)
}

/// A piece that names no place: a phone number or postal code alone, or with its label
/// ("ĐT: 0987 654 321", "SĐT 0912345678", "Tel").
fn is_noise(tokens: &[Token]) -> bool {
    const LABELS: &[&str] = &["dt", "sdt", "dtdd", "tel", "phone", "mobile", "dienthoai", "zip", "mabuuchinh", "email"];
    let rest = match tokens.first() {
        Some(t) if LABELS.contains(&t.loose()) => &tokens[1..],
        _ => tokens,
    };
    rest.iter().all(|t| t.digits) && (rest.len() > 1 || rest.first().is_none_or(|t| t.loose().len() >= 5))
}

/// Drops a postal code glued to the end of a piece ("Hà Nội 100000").
fn trim_postal_code(mut tokens: Vec<Token>) -> Vec<Token> {
    while tokens.len() > 1 && tokens.last().is_some_and(|t| t.digits && t.loose().len() >= 5) {
        tokens.pop();
    }
    tokens
}

static ENGLISH_WORDS: LazyLock<[(&str, Option<Token>); 8]> = LazyLock::new(|| {
    let word = |w: &str| tokenize(w).into_iter().next();
    [
        ("ward", word("phường")),
        ("commune", word("xã")),
        ("village", None),
        ("district", None),
        ("town", None),
        ("city", None),
        ("province", word("tỉnh")),
        ("dist", None),
    ]
});

/// English type words ("Ward 12", "Hoa Thang Commune", "Binh Thanh District", "Ho Chi Minh
/// City"): a ward, commune or province word becomes the Vietnamese type word in front of the
/// name; the others are dropped (a district may be a quận or a huyện).
fn english_types(mut tokens: Vec<Token>) -> Vec<Token> {
    if tokens.len() < 2 {
        return tokens;
    }
    let english =
        |t: &Token| ENGLISH_WORDS.iter().find(|(w, _)| t.loose() == *w && t.is_ascii()).map(|(_, v)| v.clone());
    let at = |t: &Token, mut word: Token| {
        word.start = t.start;
        word.end = t.start;
        word.dot_after = false;
        word
    };
    if let Some(last) = tokens.last()
        && let Some(word) = english(last)
    {
        tokens.pop();
        if let (Some(word), Some(first)) = (word, tokens.first()) {
            let w = at(first, word);
            tokens.insert(0, w);
        }
    } else if let Some(first) = tokens.first()
        && let Some(word) = english(first)
    {
        let replaced = word.map(|w| at(first, w));
        tokens.remove(0);
        if let Some(w) = replaced {
            tokens.insert(0, w);
        } else if first_is_district(&tokens) {
            // "District 1": a quận (only quận have numbers).
            if let Some(q) = tokenize("quận").into_iter().next() {
                let w = at(&tokens[0], q);
                tokens.insert(0, w);
            }
        }
    }
    tokens
}

fn first_is_district(tokens: &[Token]) -> bool {
    tokens.len() == 1 && tokens[0].digits
}

impl FreeText {
    /// Splits a one-cell address into segments at commas and the like, at hyphens (weakly),
    /// and before type words; trailing country names ("Việt Nam", "VN") are dropped.
    pub fn parse(text: &str, ascii_types: bool) -> FreeText {
        let text = collapse_whitespace(&clean_noise(text));
        let mut segments: Vec<Segment> = Vec::new();
        let mut start = 0;
        let mut hyphen_before = false;
        let bytes_end = text.len();
        let mut pieces: Vec<(usize, usize, bool)> = Vec::new();
        for (at, c) in text.char_indices() {
            if is_strong_separator(c) || is_hyphen(c) {
                pieces.push((start, at, hyphen_before));
                hyphen_before = is_hyphen(c);
                start = at + c.len_utf8();
            }
        }
        pieces.push((start, bytes_end, hyphen_before));
        let mut buffers = KeyBuffers::default();
        for (from, to, hyphen) in pieces {
            let piece = &text[from..to];
            let tokens = english_types(trim_postal_code(tokenize_with(piece, &mut buffers)));
            if tokens.is_empty() || is_noise(&tokens) {
                continue;
            }
            // The ranges cut the tokens in order: each segment takes the next ones, the last
            // one (most often the only one) what is left, without a copy.
            let ranges = split_at_type_words(&tokens, ascii_types);
            let mut left = tokens;
            for t in &mut left {
                t.start += from;
                t.end += from;
            }
            let total = left.len();
            for (k, range) in ranges.into_iter().enumerate() {
                let toks = if range.end >= total {
                    std::mem::take(&mut left)
                } else {
                    let tail = left.split_off(range.len().min(left.len()));
                    std::mem::replace(&mut left, tail)
                };
                let (Some(first), Some(last)) = (toks.first(), toks.last()) else {
                    continue;
                };
                let raw = text[first.start..last.end].to_owned();
                let Some(part) = Part::from_tokens(raw, &toks) else {
                    continue;
                };
                segments.push(Segment { part, tokens: toks, joined_by_hyphen: hyphen && k == 0 });
            }
        }
        while segments.last().is_some_and(|s| {
            let loose = &s.part.variants[s.part.variants.len() - 1].key.loose;
            loose == "vietnam" || loose == "vn" || is_noise(&s.tokens)
        }) {
            segments.pop();
        }
        FreeText { text, segments }
    }

    /// A part made of tokens `from..to` of segment `seg` (a province glued to the end of a
    /// district, "Quận Ngô Quyền Hải Phòng").
    pub fn sub_part(&self, seg: usize, range: std::ops::Range<usize>) -> Option<Part> {
        let toks = self.segments.get(seg)?.tokens.get(range)?;
        let (first, last) = (toks.first()?, toks.last()?);
        Part::from_tokens(self.text[first.start..last.end].to_owned(), toks)
    }

    /// Segments `a` and `a + 1` read as one part ("Bà Rịa" + "Vũng Tàu").
    pub fn joined_part(&self, a: usize) -> Option<Part> {
        let (x, y) = (self.segments.get(a)?, self.segments.get(a + 1)?);
        let first = x.tokens.first()?;
        let last = y.tokens.last()?;
        let toks: Vec<Token> = x.tokens.iter().chain(&y.tokens).cloned().collect();
        Part::from_tokens(self.text[first.start..last.end].to_owned(), &toks)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raws(text: &str) -> Vec<String> {
        FreeText::parse(text, false).segments.into_iter().map(|s| s.part.raw).collect()
    }

    #[test]
    fn parts_carry_type_words_and_readings() {
        let p = Part::parse("  P.08 ").expect("part");
        assert_eq!(p.hint, Some(TypeWord::Phuong));
        assert_eq!(p.variants[0].key.loose, "8");
        assert_eq!(p.variants.len(), 2, "an abbreviation may also start a name");
        let p = Part::parse("Phường Phương Liên").expect("part");
        assert_eq!(p.variants.len(), 1);
        assert_eq!(p.variants[0].key.loose, "phuonglien");
        let p = Part::parse("11311").expect("part");
        assert_eq!(p.digits.as_deref(), Some("11311"));
        assert!(Part::parse(" , ").is_none());
    }

    #[test]
    fn street_parts() {
        for s in ["Số 5 Lê Lợi", "thôn 3", "Tổ 12", "so 5 le loi", "12/3 Trần Phú", "Ngõ 4"] {
            assert!(Part::parse(s).is_some_and(|p| p.street), "{s}");
        }
        for s in ["Tô Hiệu", "8", "Phường 8", "Buôn Hồ", "Xã Đường 10", "thon hai", "Số"] {
            assert!(!Part::parse(s).is_some_and(|p| p.street), "{s}");
        }
    }

    #[test]
    fn free_text_segments() {
        assert_eq!(
            raws("Số 5 Lê Lợi, P. Máy Tơ, Q. Ngô Quyền, HP"),
            ["Số 5 Lê Lợi", "P. Máy Tơ", "Q. Ngô Quyền", "HP"]
        );
        assert_eq!(
            raws("Phường Máy Tơ - Ngô Quyền - Hải Phòng, Việt Nam"),
            ["Phường Máy Tơ", "Ngô Quyền", "Hải Phòng"]
        );
        assert_eq!(raws("P14 Q.Bình Thạnh TP.HCM"), ["P14", "Q.Bình Thạnh", "TP.HCM"]);
        assert_eq!(raws("Xã Tân Xã, Huyện Thạch Thất"), ["Xã Tân Xã", "Huyện Thạch Thất"]);
        assert_eq!(raws("Phường Phường Đúc Thành phố Huế"), ["Phường Phường Đúc", "Thành phố Huế"]);
        // Labels, landmarks, phone numbers, postal codes, line breaks and English words.
        assert_eq!(
            raws("Phường: Cô Giang - Quận: 1 - TP: Hồ Chí Minh"),
            ["Phường Cô Giang", "Quận 1", "TP Hồ Chí Minh"]
        );
        assert_eq!(
            raws("23 Lê Lợi (gần chợ), P. Bến Thành, Q.1, ĐT: 0987 654 321"),
            ["23 Lê Lợi", "P. Bến Thành", "Q.1"]
        );
        assert_eq!(
            raws("Phường Minh Khai - Hai Bà Trưng - Hà Nội 100000"),
            ["Phường Minh Khai", "Hai Bà Trưng", "Hà Nội"]
        );
        assert_eq!(raws("Tổ 5\nxã An Thọ\nhuyện An Lão"), ["Tổ 5", "xã An Thọ", "huyện An Lão"]);
        let english = FreeText::parse("Hoa Thang Commune, Huu Lung District, Lang Son Province, Vietnam", false);
        let words: Vec<_> = english.segments.iter().map(|s| s.part.hint).collect();
        assert_eq!(words, [Some(TypeWord::Xa), None, Some(TypeWord::Tinh)]);
        let ft = FreeText::parse("Thôn 1, Bà Rịa - Vũng Tàu", false);
        assert!(ft.segments[2].joined_by_hyphen);
        assert_eq!(ft.joined_part(1).map(|p| p.raw).as_deref(), Some("Bà Rịa - Vũng Tàu"));
    }
}
