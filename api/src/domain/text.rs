//! Text helpers shared by every rule: Unicode normalisation, whitespace, diacritic folding, and
//! the Vietnamese letter table (twelve vowels × six tones × two cases, plus Đ/đ) that the name,
//! syllable and legacy-encoding modules are built on. Pure functions, no IO; tables are `const`
//! or built once behind `LazyLock`.

use std::borrow::Cow;
use std::sync::LazyLock;

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// Unicode NFC.
pub fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// True for characters that render as (or hide inside) whitespace: NBSP, the Unicode spaces,
/// zero-width characters and the BOM.
pub fn is_odd_space(c: char) -> bool {
    match c as u32 {
        0..=0x7F => matches!(c, ' ' | '\t' | '\n' | '\x0B' | '\x0C' | '\r'),
        // Latin letters up to the first non-ASCII space (U+1680) and again up to U+2000: fast no
        0xA1..=0x167F | 0x1681..=0x1FFF => false,
        _ => c.is_whitespace() || is_zero_width(c) || c == '\u{00A0}',
    }
}

/// Characters that take no room at all and are simply dropped.
pub fn is_zero_width(c: char) -> bool {
    matches!(c, '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// Zero-width characters vanish; every run of other spaces becomes one ASCII space; trimmed.
pub fn collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        if is_zero_width(c) {
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

/// Like [`collapse_whitespace`], but borrows when the text is already clean (the common case).
pub fn collapse_whitespace_cow(s: &str) -> Cow<'_, str> {
    let mut prev_space = true;
    let mut clean = true;
    for c in s.chars() {
        if c == ' ' {
            if prev_space {
                clean = false;
                break;
            }
            prev_space = true;
        } else if is_odd_space(c) {
            clean = false;
            break;
        } else {
            prev_space = false;
        }
    }
    if clean && !s.ends_with(' ') { Cow::Borrowed(s) } else { Cow::Owned(collapse_whitespace(s)) }
}

/// Lower case without any diacritic (đ → d): the key for accent-insensitive search.
pub fn fold_ascii(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else if let Some(v) = vowel_parts(c) {
            out.push(BASE_LETTER[v.vowel as usize]);
        } else if matches!(c, 'đ' | 'Đ' | 'ð' | 'Ð') {
            out.push('d');
        } else {
            for d in c.to_string().nfd().filter(|d| !is_combining_mark(*d)) {
                out.extend(d.to_lowercase());
            }
        }
    }
    out
}

/// The six tones of Vietnamese, in the order of [`TONED`]'s columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tone {
    /// ngang: no mark.
    Level,
    /// huyền: grave accent.
    Grave,
    /// hỏi: hook above.
    Hook,
    /// ngã: tilde.
    Tilde,
    /// sắc: acute accent.
    Acute,
    /// nặng: dot below.
    Dot,
}

impl Tone {
    /// All tones, in table order.
    pub const ALL: [Tone; 6] = [Tone::Level, Tone::Grave, Tone::Hook, Tone::Tilde, Tone::Acute, Tone::Dot];

    /// Column index in the tables.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The combining mark that writes this tone (none for the level tone).
    pub fn combining_mark(self) -> Option<char> {
        match self {
            Tone::Level => None,
            Tone::Grave => Some('\u{0300}'),
            Tone::Hook => Some('\u{0309}'),
            Tone::Tilde => Some('\u{0303}'),
            Tone::Acute => Some('\u{0301}'),
            Tone::Dot => Some('\u{0323}'),
        }
    }
}

/// The twelve Vietnamese vowel letters without tone, lower case, in [`TONED`]'s row order.
pub const VOWELS: [char; 12] = ['a', 'ă', 'â', 'e', 'ê', 'i', 'o', 'ô', 'ơ', 'u', 'ư', 'y'];

/// The ASCII letter under each vowel of [`VOWELS`] (what is left when every mark goes).
const BASE_LETTER: [char; 12] = ['a', 'a', 'a', 'e', 'e', 'i', 'o', 'o', 'o', 'u', 'u', 'y'];

/// Every lower-case Vietnamese vowel: `TONED[vowel][tone]`, rows as [`VOWELS`], columns as
/// [`Tone::ALL`]. Checked against Unicode decomposition in the tests.
pub const TONED: [[char; 6]; 12] = [
    ['a', 'à', 'ả', 'ã', 'á', 'ạ'],
    ['ă', 'ằ', 'ẳ', 'ẵ', 'ắ', 'ặ'],
    ['â', 'ầ', 'ẩ', 'ẫ', 'ấ', 'ậ'],
    ['e', 'è', 'ẻ', 'ẽ', 'é', 'ẹ'],
    ['ê', 'ề', 'ể', 'ễ', 'ế', 'ệ'],
    ['i', 'ì', 'ỉ', 'ĩ', 'í', 'ị'],
    ['o', 'ò', 'ỏ', 'õ', 'ó', 'ọ'],
    ['ô', 'ồ', 'ổ', 'ỗ', 'ố', 'ộ'],
    ['ơ', 'ờ', 'ở', 'ỡ', 'ớ', 'ợ'],
    ['u', 'ù', 'ủ', 'ũ', 'ú', 'ụ'],
    ['ư', 'ừ', 'ử', 'ữ', 'ứ', 'ự'],
    ['y', 'ỳ', 'ỷ', 'ỹ', 'ý', 'ỵ'],
];

/// Index of each vowel in [`VOWELS`]: plain letters, circumflex (`CIRC`), breve and horn.
pub mod vowel {
    pub const A: u8 = 0;
    pub const A_BREVE: u8 = 1;
    pub const A_CIRC: u8 = 2;
    pub const E: u8 = 3;
    pub const E_CIRC: u8 = 4;
    pub const I: u8 = 5;
    pub const O: u8 = 6;
    pub const O_CIRC: u8 = 7;
    pub const O_HORN: u8 = 8;
    pub const U: u8 = 9;
    pub const U_HORN: u8 = 10;
    pub const Y: u8 = 11;
}

/// What a Vietnamese vowel character is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VowelParts {
    /// Index into [`VOWELS`] (see [`vowel`]).
    pub vowel: u8,
    /// The tone mark it carries.
    pub tone: Tone,
    /// Capital letter.
    pub upper: bool,
}

impl VowelParts {
    /// The character these parts write.
    pub fn to_char(self) -> char {
        compose_vowel(self.vowel, self.tone, self.upper)
    }
}

/// The character for a vowel, tone and case.
pub fn compose_vowel(vowel: u8, tone: Tone, upper: bool) -> char {
    let (v, t) = (vowel as usize % 12, tone.index());
    if upper { TONED_UPPER[v][t] } else { TONED[v][t] }
}

/// [`TONED`] in capitals.
static TONED_UPPER: LazyLock<[[char; 6]; 12]> =
    LazyLock::new(|| TONED.map(|row| row.map(|c| single_char(c.to_uppercase()).unwrap_or(c))));

fn single_char(mut it: impl Iterator<Item = char>) -> Option<char> {
    match (it.next(), it.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

/// Upper case of one character when it is a single character (true for every Vietnamese
/// letter; Vietnamese letters take a table lookup, not Unicode's case tables).
pub fn to_upper_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_uppercase();
    }
    if let Some(v) = vowel_parts(c) {
        return compose_vowel(v.vowel, v.tone, true);
    }
    match c {
        'đ' => 'Đ',
        _ => single_char(c.to_uppercase()).unwrap_or(c),
    }
}

/// Lower case of one character when it is a single character.
pub fn to_lower_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    if let Some(v) = vowel_parts(c) {
        return compose_vowel(v.vowel, v.tone, false);
    }
    match c {
        'Đ' => 'đ',
        _ => single_char(c.to_lowercase()).unwrap_or(c),
    }
}

const NONE: u8 = u8::MAX;
const LATIN1_START: u32 = 0x00C0;
const LATIN_EXT_END: u32 = 0x01B1;
const LATIN_ADD_START: u32 = 0x1EA0;
const LATIN_ADD_END: u32 = 0x1EFA;

/// Packed vowel parts (`vowel * 12 + tone * 2 + upper`) for the two code point ranges that hold
/// every precomposed Vietnamese vowel.
struct VowelIndex {
    latin: [u8; (LATIN_EXT_END - LATIN1_START) as usize],
    additional: [u8; (LATIN_ADD_END - LATIN_ADD_START) as usize],
}

static VOWEL_INDEX: LazyLock<VowelIndex> = LazyLock::new(|| {
    let mut index = VowelIndex {
        latin: [NONE; (LATIN_EXT_END - LATIN1_START) as usize],
        additional: [NONE; (LATIN_ADD_END - LATIN_ADD_START) as usize],
    };
    for (v, row) in TONED.iter().enumerate() {
        for (t, &lower) in row.iter().enumerate() {
            for (upper, c) in [(false, lower), (true, TONED_UPPER[v][t])] {
                let packed = (v * 12 + t * 2 + usize::from(upper)) as u8;
                let cp = c as u32;
                if (LATIN1_START..LATIN_EXT_END).contains(&cp) {
                    index.latin[(cp - LATIN1_START) as usize] = packed;
                } else if (LATIN_ADD_START..LATIN_ADD_END).contains(&cp) {
                    index.additional[(cp - LATIN_ADD_START) as usize] = packed;
                }
            }
        }
    }
    index
});

/// Vowel, tone and case of a Vietnamese vowel character (ASCII vowels included), or `None`.
pub fn vowel_parts(c: char) -> Option<VowelParts> {
    let (vowel, upper) = match c {
        'a' => (vowel::A, false),
        'e' => (vowel::E, false),
        'i' => (vowel::I, false),
        'o' => (vowel::O, false),
        'u' => (vowel::U, false),
        'y' => (vowel::Y, false),
        'A' => (vowel::A, true),
        'E' => (vowel::E, true),
        'I' => (vowel::I, true),
        'O' => (vowel::O, true),
        'U' => (vowel::U, true),
        'Y' => (vowel::Y, true),
        _ => {
            let cp = c as u32;
            let packed = if (LATIN1_START..LATIN_EXT_END).contains(&cp) {
                VOWEL_INDEX.latin[(cp - LATIN1_START) as usize]
            } else if (LATIN_ADD_START..LATIN_ADD_END).contains(&cp) {
                VOWEL_INDEX.additional[(cp - LATIN_ADD_START) as usize]
            } else {
                NONE
            };
            if packed == NONE {
                return None;
            }
            return Some(VowelParts {
                vowel: packed / 12,
                tone: Tone::ALL[((packed % 12) / 2) as usize],
                upper: packed % 2 == 1,
            });
        }
    };
    Some(VowelParts { vowel, tone: Tone::Level, upper })
}

/// True for every letter a Vietnamese name may use: ASCII letters (f, j, w, z appear in
/// ethnic-minority and foreign names), every vowel with every tone, and Đ/đ.
pub fn is_vietnamese_letter(c: char) -> bool {
    c.is_ascii_alphabetic() || matches!(c, 'đ' | 'Đ') || vowel_parts(c).is_some()
}

/// The tone a character carries (level for consonants and non-letters).
pub fn tone_of(c: char) -> Tone {
    vowel_parts(c).map_or(Tone::Level, |v| v.tone)
}

/// The same character without its tone mark (vowel shape and case kept).
pub fn strip_tone(c: char) -> char {
    match vowel_parts(c) {
        Some(v) if v.tone != Tone::Level => compose_vowel(v.vowel, Tone::Level, v.upper),
        _ => c,
    }
}

/// True when the text is already NFC (a fast check; most text answers without allocating).
pub fn is_nfc(s: &str) -> bool {
    match is_nfc_quick(s.chars()) {
        IsNormalized::Yes => true,
        IsNormalized::No => false,
        IsNormalized::Maybe => s.nfc().eq(s.chars()),
    }
}

/// Shape marks (circumflex, breve, horn) go before tone marks when they sit on one letter.
fn mark_rank(c: char) -> u8 {
    match c {
        '\u{0302}' | '\u{0306}' | '\u{031B}' => 0,
        '\u{0300}' | '\u{0301}' | '\u{0303}' | '\u{0309}' | '\u{0323}' => 1,
        _ => 2,
    }
}

/// NFC that also repairs combining marks typed in an odd order: "e" + acute + circumflex has
/// both marks in the same canonical class, so plain NFC leaves "é" + circumflex; Vietnamese
/// always puts the vowel's shape mark first, so this gives "ế". Borrows when nothing changes.
pub fn normalize_marks(s: &str) -> Cow<'_, str> {
    // every mark Vietnamese uses may compose, so NFC-quick-check "yes" means none is present
    if s.is_ascii() || is_nfc_quick(s.chars()) == IsNormalized::Yes {
        return Cow::Borrowed(s);
    }
    let has_marks = s.chars().any(is_combining_mark);
    if !has_marks && is_nfc(s) {
        return Cow::Borrowed(s);
    }
    if !has_marks {
        return Cow::Owned(s.nfc().collect());
    }
    let decomposed: Vec<char> = s.nfd().collect();
    let mut reordered = Vec::with_capacity(decomposed.len());
    let mut i = 0;
    while i < decomposed.len() {
        let c = decomposed[i];
        if is_combining_mark(c) {
            let start = i;
            while i < decomposed.len() && is_combining_mark(decomposed[i]) {
                i += 1;
            }
            let mut run = decomposed[start..i].to_vec();
            run.sort_by_key(|&m| mark_rank(m));
            reordered.extend(run);
        } else {
            reordered.push(c);
            i += 1;
        }
    }
    let out: String = reordered.into_iter().nfc().collect();
    if out == s { Cow::Borrowed(s) } else { Cow::Owned(out) }
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
            ("Trương Thị Ửng", "truong thi ung"),
            ("H'Hen Niê", "h'hen nie"),
        ];
        for (input, want) in cases {
            assert_eq!(fold_ascii(input), want, "{input}");
        }
    }

    #[test]
    fn fast_space_test_agrees_with_unicode() {
        for cp in 0..0x3_0000u32 {
            if let Some(c) = char::from_u32(cp) {
                let slow = c.is_whitespace() || is_zero_width(c) || c == '\u{00A0}';
                assert_eq!(is_odd_space(c), slow, "U+{cp:04X}");
            }
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
            assert_eq!(collapse_whitespace_cow(input), want, "{input:?}");
        }
        assert!(matches!(collapse_whitespace_cow("Nguyễn Văn An"), Cow::Borrowed(_)));
    }

    #[test]
    fn toned_table_agrees_with_unicode_decomposition() {
        for (v, row) in TONED.iter().enumerate() {
            for tone in Tone::ALL {
                let c = row[tone.index()];
                let mut composed = VOWELS[v].to_string();
                composed.extend(tone.combining_mark());
                let want: String = composed.nfd().collect();
                let got: String = c.to_string().nfd().collect();
                assert_eq!(got, want, "{c}");
                for upper in [false, true] {
                    let ch = compose_vowel(v as u8, tone, upper);
                    assert_eq!(vowel_parts(ch), Some(VowelParts { vowel: v as u8, tone, upper }), "{ch}");
                    assert!(is_vietnamese_letter(ch));
                }
            }
        }
        assert_eq!(vowel_parts('b'), None);
        assert_eq!(vowel_parts('Ð'), None);
        assert_eq!(vowel_parts('ö'), None);
        assert!(!is_vietnamese_letter('ö'));
        assert!(is_vietnamese_letter('Đ'));
    }

    #[test]
    fn strips_tones_keeping_shape_and_case() {
        assert_eq!(strip_tone('Ệ'), 'Ê');
        assert_eq!(strip_tone('ợ'), 'ơ');
        assert_eq!(strip_tone('d'), 'd');
        assert_eq!(tone_of('ỹ'), Tone::Tilde);
    }

    #[test]
    fn repairs_odd_mark_order() {
        // e + acute + circumflex (same canonical class, wrong order) → ế
        assert_eq!(normalize_marks("Nguye\u{0301}\u{0302}n"), "Nguyến");
        // o + acute + horn: canonical reordering alone fixes it
        assert_eq!(normalize_marks("Mo\u{0301}\u{031B}i"), "Mới");
        // NFD text
        assert_eq!(normalize_marks("Nguye\u{0302}\u{0303}n"), "Nguyễn");
        // deprecated tone marks U+0340/U+0341
        assert_eq!(normalize_marks("Ha\u{0340}"), "Hà");
        assert!(matches!(normalize_marks("Nguyễn"), Cow::Borrowed(_)));
        assert!(is_nfc("Nguyễn"));
        assert!(!is_nfc("Nguye\u{0302}\u{0303}n"));
    }
}
