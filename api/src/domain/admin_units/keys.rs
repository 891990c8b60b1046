//! Matching keys for administrative-unit names and the type words written in front of them.
//!
//! A unit name as typed by a clerk ("P.8", "Thị trấn Đạ M’ri", "QUẬN NGÔ QUYỀN", "tx phu my",
//! "Phường 08") is cut into [`Token`]s, each carrying two keys:
//! - the **tone key**: lower case, diacritics kept, but the tone mark moved to the end of the
//!   syllable, so the old and new tone placements ("Hoà"/"Hòa", "Thuỷ"/"Thủy") give the same key
//!   while "Hòa", "Hoa" and "Hóa" stay different;
//! - the **loose key**: lower case without any diacritic (đ → d), for input typed without accents.
//!
//! Apostrophes of any shape vanish ("M’ri" = "M'ri" = "Mri"), every other punctuation mark
//! separates tokens, a run of letters followed by digits is split ("P8" → "p", "8") and numbers
//! lose their leading zeros ("08" → "8"). A [`NameKey`] is the concatenation of token keys without
//! spaces, so "Kon Tum" = "Kontum" and "Đắk Lắk" = "Daklak" (loosely).
//!
//! [`TypeWord`] recognises the words that announce a unit's type ("Thành phố", "Quận", "TX.", "F",
//! …) at the start of a token run. Written with their diacritics they are certain; written in
//! ASCII they might also be the start of a name ("Phương Liên" typed as "phuong lien", "Thị trấn
//! P Rao"), and callers then try the name with and without the word.
//!
//! These keys are specific to unit names; person names use `domain::text`.

use std::sync::LazyLock;

use unicode_normalization::char::{decompose_canonical, is_combining_mark};

use super::tables::UnitType;

/// One word of a unit name with its two keys.
///
/// Both keys live in one string (one allocation per token): the tone key, then the loose key
/// unless the token carries no diacritic (then the two keys are equal and stored once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The tone key, then the loose key unless `ascii`.
    keys: String,
    /// Length of the tone key in `keys`.
    tone_len: usize,
    /// No diacritic: the loose key is the tone key.
    ascii: bool,
    /// A full stop followed the token in the text ("P.", "TP.").
    pub dot_after: bool,
    /// The token is a number (leading zeros removed).
    pub digits: bool,
    /// The token was cut off the digits that followed it ("P" of "P8").
    pub before_digits: bool,
    /// Byte offset of the token's first character in the text given to [`tokenize`].
    pub start: usize,
    /// Byte offset just after the token's last character.
    pub end: usize,
}

impl Token {
    /// Lower case, diacritics kept, tone mark moved to the end (see the module documentation).
    pub fn tone(&self) -> &str {
        &self.keys[..self.tone_len]
    }

    /// Lower case, no diacritics, đ → d.
    pub fn loose(&self) -> &str {
        if self.ascii { &self.keys } else { &self.keys[self.tone_len..] }
    }

    /// True when the token carries no diacritic at all (then its two keys are equal).
    pub fn is_ascii(&self) -> bool {
        self.ascii
    }
}

/// The matching keys of a whole name (or of the name part after its type word), without spaces.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct NameKey {
    /// Concatenated tone keys.
    pub tone: String,
    /// Concatenated loose keys.
    pub loose: String,
}

impl NameKey {
    /// The keys of a run of tokens.
    pub fn of(tokens: &[Token]) -> NameKey {
        let tone_len = tokens.iter().map(|t| t.tone_len).sum();
        let loose_len = tokens.iter().map(|t| t.loose().len()).sum();
        let mut key = NameKey { tone: String::with_capacity(tone_len), loose: String::with_capacity(loose_len) };
        for t in tokens {
            key.tone.push_str(t.tone());
            key.loose.push_str(t.loose());
        }
        key
    }

    /// True when nothing is left (e.g. the text was only a type word).
    pub fn is_empty(&self) -> bool {
        self.loose.is_empty()
    }
}

fn is_tone_mark(c: char) -> bool {
    matches!(c, '\u{0300}' | '\u{0301}' | '\u{0303}' | '\u{0309}' | '\u{0323}')
}

/// The Latin blocks whose characters [`for_each_folded`] reads from a table: Latin-1 Supplement
/// to Latin Extended-B (U+0080..U+0250) and Latin Extended Additional (U+1E00..U+1F00), where
/// every Vietnamese letter lives.
const FOLD_LOW: std::ops::Range<u32> = 0x80..0x250;
const FOLD_HIGH: std::ops::Range<u32> = 0x1E00..0x1F00;

/// For each character of [`FOLD_LOW`] then [`FOLD_HIGH`]: its canonical decomposition in lower
/// case, padded with NUL (which no decomposition yields); `None` when longer than four.
static FOLD_TABLE: LazyLock<Vec<Option<[char; 4]>>> = LazyLock::new(|| {
    FOLD_LOW
        .chain(FOLD_HIGH)
        .map(|u| {
            let mut out = ['\0'; 4];
            let mut n = 0;
            let mut fits = true;
            decompose_canonical(char::from_u32(u).unwrap_or('\0'), |d| {
                for c in d.to_lowercase() {
                    match out.get_mut(n) {
                        Some(slot) => *slot = c,
                        None => fits = false,
                    }
                    n += 1;
                }
            });
            fits.then_some(out)
        })
        .collect()
});

/// Calls `f` with each character of `c`'s canonical decomposition, in lower case (what
/// `decompose_canonical` then `to_lowercase` give), from a table for the Latin letters: the key
/// builders run this on every character they read.
pub fn for_each_folded(c: char, mut f: impl FnMut(char)) {
    let u = c as u32;
    if u < 0x80 {
        return f(c.to_ascii_lowercase());
    }
    let at = if FOLD_LOW.contains(&u) {
        Some((u - FOLD_LOW.start) as usize)
    } else if FOLD_HIGH.contains(&u) {
        Some((u - FOLD_HIGH.start) as usize + FOLD_LOW.len())
    } else {
        None
    };
    if let Some(Some(chars)) = at.and_then(|i| FOLD_TABLE.get(i)) {
        chars.iter().take_while(|&&x| x != '\0').for_each(|&x| f(x));
        return;
    }
    decompose_canonical(c, |d| d.to_lowercase().for_each(&mut f));
}

/// `is_combining_mark` without its table lookup for the blocks Vietnamese text uses: the
/// Combining Diacritical Marks block (U+0300..U+0370) holds only marks, the Latin blocks none.
pub fn is_mark(c: char) -> bool {
    let u = c as u32;
    if u < 0x300 || FOLD_HIGH.contains(&u) {
        return false;
    }
    u < 0x370 || is_combining_mark(c)
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '`' | '\u{00B4}' | '\u{2032}')
}

#[derive(Default)]
struct TokenBuilder {
    tone: String,
    loose: String,
    tone_mark: Option<char>,
    last_is_letter: bool,
    all_digits: bool,
    start: usize,
    end: usize,
}

impl TokenBuilder {
    fn is_empty(&self) -> bool {
        self.loose.is_empty() && self.tone.is_empty()
    }

    fn finish(&mut self, out: &mut Vec<Token>, before_digits: bool) {
        if self.is_empty() {
            self.tone_mark = None;
            return;
        }
        if let Some(mark) = self.tone_mark.take() {
            self.tone.push(mark);
        }
        let digits = self.all_digits;
        if digits {
            // Leading zeros go ("07" = "7"), a zero stays a zero; in place.
            let loose = &mut self.loose;
            let zeros = loose.bytes().take_while(|&b| b == b'0').count().min(loose.len().saturating_sub(1));
            loose.drain(..zeros);
            self.tone.clear();
            self.tone.push_str(&self.loose);
        }
        // The builder's buffers stay for the next token; the token gets one string of both keys.
        let ascii = self.tone == self.loose;
        let mut keys = String::with_capacity(self.tone.len() + if ascii { 0 } else { self.loose.len() });
        keys.push_str(&self.tone);
        if !ascii {
            keys.push_str(&self.loose);
        }
        out.push(Token {
            keys,
            tone_len: self.tone.len(),
            ascii,
            dot_after: false,
            digits,
            before_digits,
            start: self.start,
            end: self.end,
        });
        self.tone.clear();
        self.loose.clear();
        self.last_is_letter = false;
        self.all_digits = false;
    }

    fn push_base(&mut self, c: char, at: usize) {
        if self.is_empty() {
            self.all_digits = true;
            self.start = at;
        }
        self.all_digits &= c.is_ascii_digit();
        self.last_is_letter = !c.is_ascii_digit();
        let c = if c == 'ð' { 'đ' } else { c };
        self.tone.push(c);
        self.loose.push(if c == 'đ' { 'd' } else { c });
    }
}

/// The buffers [`tokenize_with`] builds each token's keys in, kept by a caller that cuts several
/// texts (the pieces of an address).
pub struct KeyBuffers {
    tone: String,
    loose: String,
}

impl Default for KeyBuffers {
    fn default() -> KeyBuffers {
        // Most syllables fit: one allocation per buffer, not a growth per letter.
        KeyBuffers { tone: String::with_capacity(24), loose: String::with_capacity(24) }
    }
}

/// Cuts a text into tokens (see the module documentation). Never fails; an empty or
/// punctuation-only text gives no token.
pub fn tokenize(text: &str) -> Vec<Token> {
    tokenize_with(text, &mut KeyBuffers::default())
}

/// [`tokenize`] with the key buffers of the caller.
pub fn tokenize_with(text: &str, buffers: &mut KeyBuffers) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::with_capacity(8);
    let mut cur = TokenBuilder {
        tone: std::mem::take(&mut buffers.tone),
        loose: std::mem::take(&mut buffers.loose),
        ..TokenBuilder::default()
    };
    for (at, original) in text.char_indices() {
        let next = at + original.len_utf8();
        // Character-wise canonical decomposition: the marks of one letter stay with it, and
        // their order does not matter below (tone marks are set apart, a Vietnamese letter
        // carries at most one other mark).
        for_each_folded(original, |c| {
            if is_mark(c) {
                if cur.is_empty() {
                    return;
                }
                if is_tone_mark(c) {
                    cur.tone_mark = Some(c);
                } else {
                    // Quality marks (circumflex, breve, horn) and any other mark.
                    cur.tone.push(c);
                }
                cur.end = next;
            } else if c.is_alphanumeric() {
                if c.is_ascii_digit() && cur.last_is_letter {
                    cur.finish(&mut out, true);
                } else if !c.is_ascii_digit() && !cur.is_empty() && cur.all_digits {
                    // "8Q10": a number ends where letters start.
                    cur.finish(&mut out, false);
                }
                cur.push_base(c, at);
                cur.end = next;
            } else if is_apostrophe(c) {
                // "M'ri", "M’ri" and "Mri" are the same name.
            } else {
                cur.finish(&mut out, false);
                if c == '.'
                    && let Some(last) = out.last_mut()
                {
                    last.dot_after = true;
                }
            }
        });
    }
    cur.finish(&mut out, false);
    // Empty again (`finish` clears them): back to the caller for the next text.
    buffers.tone = cur.tone;
    buffers.loose = cur.loose;
    out
}

/// The keys of a whole text (all its tokens).
pub fn name_key(text: &str) -> NameKey {
    NameKey::of(&tokenize(text))
}

/// A word announcing a unit's type, as typed ("Thành phố" may be a province or a district).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TypeWord {
    /// "Tỉnh".
    Tinh,
    /// "Thành phố", "TP", "T.P": a centrally governed city or a provincial city.
    ThanhPho,
    /// "Quận", "Q".
    Quan,
    /// "Huyện", "H".
    Huyen,
    /// "Thị xã", "TX".
    ThiXa,
    /// "Phường", "P", "F" (Hồ Chí Minh City usage).
    Phuong,
    /// "Xã", "X".
    Xa,
    /// "Thị trấn", "TT".
    ThiTran,
    /// "Đặc khu" (post-2025 special zones).
    DacKhu,
}

/// The administrative level a word or unit belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// Tỉnh / thành phố trực thuộc trung ương.
    Province,
    /// Quận / huyện / thị xã / thành phố thuộc tỉnh (pre-2025 only).
    District,
    /// Phường / xã / thị trấn / đặc khu.
    Commune,
}

impl TypeWord {
    /// True when a unit of this type may be announced by this word.
    pub fn matches(self, unit: UnitType) -> bool {
        matches!(
            (self, unit),
            (TypeWord::Tinh, UnitType::Tinh)
                | (TypeWord::ThanhPho, UnitType::ThanhPhoTrungUong | UnitType::ThanhPho)
                | (TypeWord::Quan, UnitType::Quan)
                | (TypeWord::Huyen, UnitType::Huyen)
                | (TypeWord::ThiXa, UnitType::ThiXa)
                | (TypeWord::Phuong, UnitType::Phuong)
                | (TypeWord::Xa, UnitType::Xa)
                | (TypeWord::ThiTran, UnitType::ThiTran)
                | (TypeWord::DacKhu, UnitType::DacKhu)
        )
    }

    /// True when the word can announce a unit of this level.
    pub fn fits(self, level: Level) -> bool {
        match self {
            TypeWord::Tinh => level == Level::Province,
            TypeWord::ThanhPho => matches!(level, Level::Province | Level::District),
            TypeWord::Quan | TypeWord::Huyen | TypeWord::ThiXa => level == Level::District,
            TypeWord::Phuong | TypeWord::Xa | TypeWord::ThiTran | TypeWord::DacKhu => level == Level::Commune,
        }
    }

    /// The word in ASCII without spaces, as in the `ascii_key` aliases ("thixa", "quan").
    pub fn ascii(self) -> &'static str {
        match self {
            TypeWord::Tinh => "tinh",
            TypeWord::ThanhPho => "thanhpho",
            TypeWord::Quan => "quan",
            TypeWord::Huyen => "huyen",
            TypeWord::ThiXa => "thixa",
            TypeWord::Phuong => "phuong",
            TypeWord::Xa => "xa",
            TypeWord::ThiTran => "thitran",
            TypeWord::DacKhu => "dackhu",
        }
    }
}

/// A type word found at the start of a token run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TypePrefix {
    /// The word.
    pub word: TypeWord,
    /// How many tokens it spans ("thành phố" = 2).
    pub len: usize,
    /// Written in full with its diacritics, so it cannot be the start of a name.
    pub certain: bool,
}

struct TypeSpelling {
    tones: Vec<String>,
    word: TypeWord,
    certain: bool,
}

static TYPE_SPELLINGS: LazyLock<Vec<TypeSpelling>> = LazyLock::new(|| {
    use TypeWord::*;
    let table: &[(&str, TypeWord, bool)] = &[
        ("thành phố", ThanhPho, true),
        ("thị xã", ThiXa, true),
        ("thị trấn", ThiTran, true),
        ("đặc khu", DacKhu, true),
        ("tỉnh", Tinh, true),
        ("quận", Quan, true),
        ("huyện", Huyen, true),
        ("phường", Phuong, true),
        ("xã", Xa, true),
        ("thanh pho", ThanhPho, false),
        ("thi xa", ThiXa, false),
        ("thi tran", ThiTran, false),
        ("dac khu", DacKhu, false),
        ("tinh", Tinh, false),
        ("quan", Quan, false),
        ("huyen", Huyen, false),
        ("phuong", Phuong, false),
        ("xa", Xa, false),
        ("tp", ThanhPho, false),
        ("t p", ThanhPho, false),
        ("tx", ThiXa, false),
        ("t x", ThiXa, false),
        ("tt", ThiTran, false),
        ("t t", ThiTran, false),
        ("q", Quan, false),
        ("h", Huyen, false),
        ("p", Phuong, false),
        ("f", Phuong, false),
        ("x", Xa, false),
    ];
    let mut spellings: Vec<TypeSpelling> = table
        .iter()
        .map(|&(text, word, certain)| TypeSpelling {
            tones: tokenize(text).iter().map(|t| t.tone().to_owned()).collect(),
            word,
            certain,
        })
        .collect();
    // Longest first, so "thị xã" wins over "xã" would-be matches further on.
    spellings.sort_by_key(|s| std::cmp::Reverse(s.tones.len()));
    spellings
});

/// The loose keys that start a type word's spelling ("thanh", "tp", "q"…): a token with
/// another loose key starts none (equal tone keys have equal loose keys).
static TYPE_FIRST_WORDS: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut words: Vec<String> =
        TYPE_SPELLINGS.iter().filter_map(|s| s.tones.first()).map(|t| name_key(t).loose).collect();
    words.sort();
    words.dedup();
    words
});

/// The longest word [`TYPE_FIRST_BYTES`] tells apart by its length.
const SHORT_WORD: usize = 7;

/// For each first byte and length up to [`SHORT_WORD`] (`byte * 8 + length`): whether some word of
/// [`TYPE_FIRST_WORDS`] has them. Most tokens are ruled out here without comparing words.
static TYPE_FIRST_BYTES: LazyLock<Vec<bool>> = LazyLock::new(|| {
    let mut set = vec![false; 256 * (SHORT_WORD + 1)];
    for w in TYPE_FIRST_WORDS.iter() {
        if let Some(&b) = w.as_bytes().first()
            && w.len() <= SHORT_WORD
        {
            set[usize::from(b) * (SHORT_WORD + 1) + w.len()] = true;
        }
    }
    set
});

/// False when no type word starts with this loose key (by its first byte and length); a longer
/// key is left to the full comparison.
fn may_start_type_word(first: &str) -> bool {
    match first.as_bytes().first() {
        None => false,
        Some(_) if first.len() > SHORT_WORD => true,
        Some(&b) => TYPE_FIRST_BYTES[usize::from(b) * (SHORT_WORD + 1) + first.len()],
    }
}

/// The type word at the start of `tokens`, if any. Only a word followed by at least one more
/// token counts ("Xã Tân Xã" has one type word; "Phường" alone has none).
pub fn type_prefix(tokens: &[Token]) -> Option<TypePrefix> {
    let first = tokens.first()?.loose();
    if !may_start_type_word(first) || !TYPE_FIRST_WORDS.iter().any(|w| w == first) {
        return None;
    }
    TYPE_SPELLINGS.iter().find_map(|s| {
        let n = s.tones.len();
        if tokens.len() <= n {
            return None;
        }
        let hit = tokens[..n]
            .iter()
            .zip(&s.tones)
            .all(|(t, want)| if s.certain { t.tone() == want } else { t.loose() == want && t.is_ascii() });
        hit.then_some(TypePrefix { word: s.word, len: n, certain: s.certain })
    })
}

/// Splits an official name ("Thị trấn Đạ M'ri") into its type word and the keys of the rest.
pub fn split_official(name: &str) -> (Option<TypeWord>, NameKey) {
    let tokens = tokenize(name);
    match type_prefix(&tokens) {
        Some(p) => (Some(p.word), NameKey::of(&tokens[p.len..])),
        None => (None, NameKey::of(&tokens)),
    }
}

/// Appends the spelling fold of one token's loose key to `out`: the spellings that real data
/// mixes up for one syllable give one fold.
/// - a final k after a vowel is a c ("Pắk" = "Pắc", "Đắk" = "Đắc");
/// - a y that is the syllable's only vowel, after consonants or "qu", is an i ("Kỳ" = "Kì",
///   "Mỹ" = "Mĩ", "Quý" = "Quí"), while "uy", "ay", "ây" and a lone "y" stay ("Thủy", "Tây").
///
/// Only a fallback: callers try the loose key first, and the name index leaves out every fold
/// that two units of one list with different loose keys share ("Mi Hòa" / "Mỹ Hòa").
pub fn fold_token(loose: &str, out: &mut String) {
    match fold_rule(loose) {
        Some((head, last)) => {
            out.push_str(head);
            out.push(last);
        }
        None => out.push_str(loose),
    }
}

/// The rule of [`fold_token`] that applies to a loose key: the key without its last letter and
/// the letter to put instead; `None` when the fold is the key itself.
fn fold_rule(loose: &str) -> Option<(&str, char)> {
    let is_vowel = |b: u8| matches!(b, b'a' | b'e' | b'i' | b'o' | b'u' | b'y');
    let b = loose.as_bytes();
    let n = b.len();
    if n >= 2 && b[n - 1] == b'k' && is_vowel(b[n - 2]) {
        return Some((&loose[..n - 1], 'c'));
    }
    if n >= 2 && b[n - 1] == b'y' {
        let head = &b[..n - 1];
        let onset = head.strip_suffix(b"qu").unwrap_or(head);
        if onset.iter().all(|&c| c.is_ascii_alphabetic() && !is_vowel(c)) {
            return Some((&loose[..n - 1], 'i'));
        }
    }
    None
}

/// [`fold_of`] when it differs from the tokens' loose key; `None` when it is that key (most
/// names have no final k or lone y), without building it.
pub fn fold_if_other(tokens: &[Token]) -> Option<String> {
    tokens.iter().any(|t| fold_rule(t.loose()).is_some()).then(|| fold_of(tokens))
}

/// The spelling fold of a run of tokens (see [`fold_token`]), without spaces like a [`NameKey`].
pub fn fold_of(tokens: &[Token]) -> String {
    let mut out = String::with_capacity(tokens.iter().map(|t| t.loose().len()).sum());
    for t in tokens {
        fold_token(t.loose(), &mut out);
    }
    out
}

/// [`split_official`] with the spelling fold of the name after its type word.
pub fn split_official_folded(name: &str) -> (Option<TypeWord>, NameKey, String) {
    let tokens = tokenize(name);
    let rest = match type_prefix(&tokens) {
        Some(p) => &tokens[p.len..],
        None => &tokens[..],
    };
    (type_prefix(&tokens).map(|p| p.word), NameKey::of(rest), fold_of(rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tones(s: &str) -> Vec<String> {
        tokenize(s).iter().map(|t| t.tone().to_owned()).collect()
    }

    #[test]
    fn tone_placement_does_not_matter_but_tones_do() {
        assert_eq!(name_key("Thuận Hoà"), name_key("Thuận Hòa"));
        assert_eq!(name_key("Thuỷ"), name_key("Thủy"));
        assert_eq!(name_key("KHOẺ"), name_key("khỏe"));
        assert_ne!(name_key("Hòa").tone, name_key("Hoa").tone);
        assert_ne!(name_key("Hòa").tone, name_key("Hóa").tone);
        assert_eq!(name_key("Hòa").loose, name_key("Hoa").loose);
        assert_ne!(name_key("Phường").tone, name_key("Phương").tone);
    }

    #[test]
    fn nfd_case_apostrophes_and_lookalikes() {
        let nfc = name_key("Đạ M'ri");
        assert_eq!(name_key("Ða M’ri").loose, nfc.loose);
        assert_eq!(name_key("ĐẠ MRI"), nfc);
        let nfd: String = unicode_normalization::UnicodeNormalization::nfd("Nguyễn").collect();
        assert_eq!(name_key(&nfd), name_key("nguyễn"));
        assert_eq!(name_key("Đắk Lắk").loose, name_key("Daklak").loose);
    }

    #[test]
    fn numbers_and_abbreviations() {
        assert_eq!(tones("P8"), ["p", "8"]);
        assert_eq!(tones("P.08"), ["p", "8"]);
        assert_eq!(tones("Q10"), ["q", "10"]);
        assert_eq!(tones("P8Q10"), ["p", "8", "q", "10"]);
        assert_eq!(tones("Phường 0"), tones("phường 00"));
        let t = tokenize("TP. Hải Phòng");
        assert!(t[0].dot_after);
        assert!(tokenize("F4")[0].before_digits);
        let text = "Số 5, P. Máy Tơ";
        let t = tokenize(text);
        assert_eq!(&text[t[3].start..t[4].end], "Máy Tơ");
    }

    #[test]
    fn spelling_folds() {
        let fold = |s: &str| fold_of(&tokenize(s));
        let same: &[(&str, &str)] = &[
            ("Krông Pắc", "Krông Pắk"),
            ("Đắk Lắk", "Đắc Lắc"),
            ("Đắk Lắk", "dak lak"),
            ("Kỳ Anh", "Kì Anh"),
            ("Mỹ Hào", "Mĩ Hào"),
            ("Lý Nhân", "Lí Nhân"),
            ("Quy Nhơn", "Qui Nhơn"),
            ("Sỹ Bình", "Sĩ Bình"),
            ("Bảo Lý", "Bảo Lí"),
        ];
        for &(a, b) in same {
            assert_eq!(fold(a), fold(b), "{a} / {b}");
        }
        let different: &[(&str, &str)] = &[
            ("Thủy", "Thủi"),
            ("Tây", "Tai"),
            ("Hay", "Hai"),
            ("Y Tý", "I Tí"),
            ("Thuỵ", "Thụi"),
            ("Kim", "Kym"),
            ("Lắk", "Lắ"),
        ];
        for &(a, b) in different {
            assert_ne!(fold(a), fold(b), "{a} / {b}");
        }
        assert_eq!(fold("Phường 07"), "phuong7");
        let (word, key, folded) = split_official_folded("Huyện Krông Pắk");
        assert_eq!((word, key.loose.as_str(), folded.as_str()), (Some(TypeWord::Huyen), "krongpak", "krongpac"));
    }

    #[test]
    fn type_prefixes() {
        let p = |s: &str| type_prefix(&tokenize(s)).map(|p| (p.word, p.len, p.certain));
        assert_eq!(p("Thành phố Hải Phòng"), Some((TypeWord::ThanhPho, 2, true)));
        assert_eq!(p("T.P Hải Phòng"), Some((TypeWord::ThanhPho, 2, false)));
        assert_eq!(p("thi xa Phu My"), Some((TypeWord::ThiXa, 2, false)));
        assert_eq!(p("Phương Liên"), None);
        assert_eq!(p("phuong lien"), Some((TypeWord::Phuong, 1, false)));
        assert_eq!(p("Phường"), None);
        assert_eq!(p("F4"), Some((TypeWord::Phuong, 1, false)));
        assert_eq!(p("Xã Tân Xã"), Some((TypeWord::Xa, 1, true)));
        let (word, key) = split_official("Phường Phường Đúc");
        assert_eq!(word, Some(TypeWord::Phuong));
        assert_eq!(key, name_key("Phường Đúc"));
    }
}
