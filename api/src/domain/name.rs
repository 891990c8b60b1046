//! Person names: from the text a clerk typed or pasted to a clean display form (NFC Unicode,
//! single spaces, real Vietnamese letters, Title Case per syllable), with every repair recorded
//! step by step, plus the keys that compare names: [`match_key`] (case and tone placement
//! ignored, diacritics kept), [`search_key`] (no diacritics at all) and [`variant_key`] (also
//! i/y spelling variants, for "probable match" only). The entered text is never changed here.

use std::borrow::Cow;

use unicode_normalization::char::is_combining_mark;

use super::legacy::{self, LegacyEncoding};
use super::syllable::unify_tone_placement;
use super::text::{
    collapse_whitespace_cow, compose_vowel, fold_ascii, is_vietnamese_letter, normalize_marks, to_lower_char,
    to_upper_char, vowel, vowel_parts,
};

/// One kind of automatic repair to a name, in the order they are applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameRepair {
    /// Stray, doubled, non-breaking or zero-width spaces.
    Whitespace,
    /// Decomposed (NFD) text or combining marks in an odd order.
    Marks,
    /// Text in a legacy font encoding, converted to Unicode.
    Legacy(LegacyEncoding),
    /// Look-alike characters (Ð, Cyrillic/Greek letters, full-width letters, typographic
    /// apostrophes and dashes) replaced by the Vietnamese/ASCII ones.
    Lookalikes,
    /// Letter case changed to Title Case per syllable.
    Case,
}

/// One applied repair: the text before and after it. The first step's `from` is the entered
/// text; the last step's `to` is the normalised name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameStep {
    /// What kind of repair.
    pub repair: NameRepair,
    /// The text before it.
    pub from: String,
    /// The text after it.
    pub to: String,
}

/// A name after normalisation: NFC Unicode, single spaces, Title Case per syllable.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PersonName(String);

impl PersonName {
    /// The display form.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The display form, owned.
    pub fn into_string(self) -> String {
        self.0
    }

    /// See [`match_key`] (the name is already clean, so only case and tone placement remain).
    pub fn match_key(&self) -> String {
        let lower: String = self.0.chars().map(to_lower_char).collect();
        match unify_tone_placement(&lower) {
            Cow::Borrowed(_) => lower,
            Cow::Owned(key) => key,
        }
    }

    /// See [`search_key`].
    pub fn search_key(&self) -> String {
        fold_ascii(&self.0)
    }
}

impl std::fmt::Display for PersonName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What normalising a name gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizedName {
    /// The clean display name.
    pub name: PersonName,
    /// Repairs applied, in order (empty for a clean name).
    pub steps: Vec<NameStep>,
    /// Characters that are no Vietnamese letter, space, apostrophe or hyphen (each once, in
    /// order of appearance, at most [`MAX_LISTED`]). They are kept in `name`: a human must fix them.
    pub invalid_chars: Vec<char>,
    /// Number of space-separated words.
    pub words: usize,
}

/// At most this many distinct invalid characters are listed.
pub const MAX_LISTED: usize = 16;

/// Normalises a name as entered; `None` when it is blank.
pub fn normalize_name(entered: &str) -> Option<NormalizedName> {
    if let Some(words) = clean_name_words(entered) {
        let name = PersonName(entered.to_owned());
        return Some(NormalizedName { name, steps: Vec::new(), invalid_chars: Vec::new(), words });
    }
    normalize_step_by_step(entered)
}

/// The number of words of a name that every repair of [`normalize_step_by_step`] would leave as
/// it is, found in one pass (most names a school holds are clean; the repairs take several):
/// words of Vietnamese letters in Title Case (precomposed, so NFC, and no look-alike among them)
/// separated by single spaces, and no legacy encoding detected. `None` for any other text.
fn clean_name_words(s: &str) -> Option<usize> {
    let mut words = 0;
    let mut at_start = true;
    let (mut beyond_latin1, mut ascii) = (false, true);
    for c in s.chars() {
        if c == ' ' {
            if at_start {
                return None;
            }
            at_start = true;
            continue;
        }
        if !is_vietnamese_letter(c) || c != if at_start { to_upper_char(c) } else { to_lower_char(c) } {
            return None;
        }
        words += usize::from(at_start);
        at_start = false;
        beyond_latin1 |= c as u32 > 0xFF;
        ascii &= c.is_ascii();
    }
    // Empty, or a space at the end.
    if at_start {
        return None;
    }
    // Detection answers at once for ASCII text or a letter beyond Latin-1; it reads the words
    // only for text of Latin-1 letters, which TCVN3 and VNI garbage is made of.
    if !ascii && !beyond_latin1 && legacy::detect(s).is_some() {
        return None;
    }
    Some(words)
}

/// [`normalize_name`] by applying every repair in turn.
fn normalize_step_by_step(entered: &str) -> Option<NormalizedName> {
    let mut steps = Vec::new();
    let mut current = entered.to_owned();
    apply(&mut steps, &mut current, NameRepair::Whitespace, collapse_whitespace_cow);
    if current.is_empty() {
        return None;
    }
    apply(&mut steps, &mut current, NameRepair::Marks, normalize_marks);
    if let Some(encoding) = legacy::detect(&current) {
        let decoded = legacy::decode(&current, encoding);
        apply(&mut steps, &mut current, NameRepair::Legacy(encoding), |_| Cow::Owned(decoded));
    }
    apply(&mut steps, &mut current, NameRepair::Lookalikes, replace_lookalikes);
    apply(&mut steps, &mut current, NameRepair::Case, title_case);

    let mut invalid_chars = Vec::new();
    for c in current.chars() {
        if invalid_chars.len() < MAX_LISTED
            && !(is_vietnamese_letter(c) || matches!(c, ' ' | '\'' | '-') || invalid_chars.contains(&c))
        {
            invalid_chars.push(c);
        }
    }
    let words = current.split(' ').filter(|w| !w.is_empty()).count();
    Some(NormalizedName { name: PersonName(current), steps, invalid_chars, words })
}

/// Runs one repair on `current` and records it when it changed anything.
fn apply(steps: &mut Vec<NameStep>, current: &mut String, repair: NameRepair, f: impl FnOnce(&str) -> Cow<'_, str>) {
    let next = match f(current) {
        Cow::Borrowed(_) => return,
        Cow::Owned(next) => next,
    };
    if next == *current {
        return;
    }
    let from = std::mem::replace(current, next);
    steps.push(NameStep { repair, from, to: current.clone() });
}

/// A look-alike that is always replaced (it has no business in a Vietnamese name).
fn always_lookalike(c: char) -> Option<char> {
    Some(match c {
        // Windows-1258 Đ/đ read as Windows-1252, and the African D
        'Ð' | 'Ɖ' => 'Đ',
        'ð' => 'đ',
        '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{0060}' | '\u{00B4}' | '\u{2032}' | '\u{02B9}' => '\'',
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2212}' => '-',
        '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' => char::from_u32(c as u32 - 0xFF21 + 0x41).unwrap_or(c),
        _ => return None,
    })
}

/// A Cyrillic or Greek letter that looks like a Latin one (replaced only inside Latin text).
fn script_lookalike(c: char) -> Option<char> {
    Some(match c {
        'А' | 'Α' => 'A',
        'В' | 'Β' => 'B',
        'Е' | 'Ε' => 'E',
        'Ζ' => 'Z',
        'Н' | 'Η' => 'H',
        'І' | 'Ι' => 'I',
        'Ј' => 'J',
        'К' | 'Κ' => 'K',
        'М' | 'Μ' => 'M',
        'Ν' => 'N',
        'О' | 'Ο' => 'O',
        'Р' | 'Ρ' => 'P',
        'С' => 'C',
        'Ѕ' => 'S',
        'Т' | 'Τ' => 'T',
        'У' | 'Υ' => 'Y',
        'Х' | 'Χ' => 'X',
        'а' => 'a',
        'с' => 'c',
        'е' => 'e',
        'һ' => 'h',
        'і' => 'i',
        'ј' => 'j',
        'о' | 'ο' => 'o',
        'р' | 'ρ' => 'p',
        'ѕ' => 's',
        'у' => 'y',
        'х' => 'x',
        _ => return None,
    })
}

/// Replaces look-alike characters: Ð (U+00D0) and ð by Đ/đ, "d" + a combining stroke by đ,
/// typographic apostrophes and dashes by ' and -, full-width letters by ASCII, and — only when
/// the text also holds Latin letters — Cyrillic and Greek letters that look Latin. Marks that
/// then combine are composed (NFC). Borrows when nothing changes.
pub fn replace_lookalikes(s: &str) -> Cow<'_, str> {
    if s.is_ascii() && !s.contains('`') {
        return Cow::Borrowed(s);
    }
    let candidate = |c: char| {
        !c.is_ascii()
            && (always_lookalike(c).is_some() || matches!(c, '\u{0335}' | '\u{0336}') || script_lookalike(c).is_some())
    };
    if !s.chars().any(|c| c == '`' || candidate(c)) {
        return Cow::Borrowed(s);
    }
    let latin =
        s.chars().any(|c| c.is_ascii_alphabetic() || (is_vietnamese_letter(c) && script_lookalike(c).is_none()));
    let needs = s.chars().any(|c| {
        always_lookalike(c).is_some()
            || matches!(c, '\u{0335}' | '\u{0336}')
            || (latin && script_lookalike(c).is_some())
    });
    if !needs {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if matches!(c, 'd' | 'D') && matches!(chars.peek(), Some('\u{0335}' | '\u{0336}')) {
            chars.next();
            out.push(if c == 'd' { 'đ' } else { 'Đ' });
            continue;
        }
        let mapped = always_lookalike(c).or_else(|| if latin { script_lookalike(c) } else { None }).unwrap_or(c);
        out.push(mapped);
    }
    Cow::Owned(normalize_marks(&out).into_owned())
}

/// Title Case per syllable: the first letter of every part (after a space, hyphen or
/// apostrophe: "H'Hen", "Y-Moan") upper case, the others lower case. Borrows when unchanged.
pub fn title_case(s: &str) -> Cow<'_, str> {
    let want = |c: char, start: bool| {
        if start { to_upper_char(c) } else { to_lower_char(c) }
    };
    let mut start = true;
    let mut changed = false;
    let is_letter = |c: char| is_vietnamese_letter(c) || c.is_alphabetic();
    for c in s.chars() {
        if is_letter(c) {
            if want(c, start) != c {
                changed = true;
                break;
            }
            start = false;
        } else if !is_combining_mark(c) {
            start = !c.is_alphanumeric();
        }
    }
    if !changed {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if is_letter(c) {
            out.push(want(c, start));
            start = false;
        } else {
            if !is_combining_mark(c) {
                start = !c.is_alphanumeric();
            }
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The key two spellings of one name share: whitespace collapsed, NFC, look-alikes replaced,
/// lower case, tone marks in one place ([`unify_tone_placement`]). Diacritics stay: "Hòa",
/// "hoà" and "HOÀ" share a key; "Hoa" and "Hóa" do not. Legacy encodings are not decoded here
/// (that needs [`normalize_name`]'s detection).
pub fn match_key(s: &str) -> String {
    let s = collapse_whitespace_cow(s);
    let s = normalize_marks(&s);
    let s = replace_lookalikes(&s);
    let lower: String = s.chars().map(to_lower_char).collect();
    unify_tone_placement(&lower).into_owned()
}

/// The accent-free key for search boxes: lower case, no diacritics, đ → d, single spaces.
pub fn search_key(s: &str) -> String {
    let s = collapse_whitespace_cow(s);
    fold_ascii(&replace_lookalikes(&s))
}

/// [`match_key`] that also merges the i/y spelling variants of a syllable ending in a lone y or
/// i after a consonant ("Quý"/"Quí", "Mỹ"/"Mĩ", "Sỹ"/"Sĩ", "Vy"/"Vi"). A shared variant key is
/// only a *probable* match: never a reason to change a name automatically.
pub fn variant_key(s: &str) -> String {
    let key = match_key(s);
    let chars: Vec<char> = key.chars().collect();
    let mut out = String::with_capacity(key.len());
    let mut word_start = 0;
    for (i, &c) in chars.iter().enumerate() {
        if !is_vietnamese_letter(c) {
            word_start = i + 1;
            out.push(c);
            continue;
        }
        let at_word_end = chars.get(i + 1).is_none_or(|n| !is_vietnamese_letter(*n));
        let after_consonant = match &chars[word_start..i] {
            [] | ['q', 'u'] => true,
            [.., prev] => vowel_parts(*prev).is_none(),
        };
        match vowel_parts(c).filter(|v| v.vowel == vowel::Y) {
            Some(v) if at_word_end && after_consonant => {
                out.push(compose_vowel(vowel::I, v.tone, v.upper));
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clean_name_is_taken_in_one_pass_and_normalises_as_every_repair_would() {
        use rand::{Rng, SeedableRng, rngs::StdRng};
        use unicode_normalization::UnicodeNormalization;
        let sampler = crate::demo::names::NameSampler::default();
        let mut rng = StdRng::seed_from_u64(20261207);
        let mut names: Vec<String> = [
            "Nguyễn Văn An",
            "Lê Hà",
            "Võ Tú Anh",
            "Đặng Thị Ửng",
            "Hồ Thị Thò",
            "NguyÔn V¨n Hïng",
            "Huyeân",
            "José Müller",
            "An",
            "H'Hen Niê",
            "Y-Moan",
            "Nguyễn văn An",
            "NGUYỄN VĂN AN",
            "Nguyễn  Văn An",
            " Nguyễn Văn An",
            "Nguyễn Văn An ",
            "Nguyễn\u{00A0}Văn An",
            "Nguyễn Văn Аn",
            "Ðặng Văn An",
            "Nguyễn Văn An2",
            "",
            " ",
        ]
        .map(str::to_owned)
        .to_vec();
        for _ in 0..3_000 {
            let (male, child) = (rng.random_bool(0.5), rng.random_bool(0.8));
            let name = sampler.full_name(&mut rng, male, child);
            names.extend([
                name.to_uppercase(),
                name.to_lowercase(),
                name.nfd().collect(),
                legacy::encode_tcvn3(&name),
                legacy::encode_tcvn3_caps(&name.to_uppercase()),
                legacy::encode_vni(&name),
                name.replace(' ', "  "),
                format!("{name} "),
                name.clone(),
            ]);
        }
        let mut fast = 0;
        for name in &names {
            assert_eq!(normalize_name(name), normalize_step_by_step(name), "{name:?}");
            fast += usize::from(clean_name_words(name).is_some());
        }
        // The sampled names themselves (one in nine) and a few of the table's.
        assert!(fast >= 3_000, "{fast} names took the one-pass way");
        assert_eq!(clean_name_words("Nguyễn Văn An"), Some(3));
        assert_eq!(clean_name_words("Lê Hà"), Some(2));
        assert_eq!(clean_name_words("NguyÔn V¨n Hïng"), None);
    }

    fn norm(s: &str) -> NormalizedName {
        normalize_name(s).expect("not blank")
    }

    fn repairs(s: &str) -> Vec<NameRepair> {
        norm(s).steps.iter().map(|s| s.repair).collect()
    }

    #[test]
    fn clean_names_need_nothing() {
        for name in [
            "Nguyễn Văn An",
            "Trần Thị Thu Hà",
            "Lê Hoàng Hòa",
            "Đặng Thị Hoà",
            "H'Hen Niê",
            "Ksor H'Bia",
            "Y-Moan Ênuôl",
            "Lý Bá Tú",
            "Ngô Lê Tâm",
            "Thạch Thị Sa Phol",
        ] {
            let n = norm(name);
            assert!(n.steps.is_empty(), "{name}: {:?}", n.steps);
            assert!(n.invalid_chars.is_empty(), "{name}");
            assert_eq!(n.name.as_str(), name);
        }
    }

    #[test]
    fn repairs_in_order_and_chains_them() {
        let n = norm("  NGUYÔN\u{00A0}V¡N HïNG ");
        let kinds: Vec<_> = n.steps.iter().map(|s| s.repair).collect();
        assert_eq!(kinds, [NameRepair::Whitespace, NameRepair::Legacy(LegacyEncoding::Tcvn3), NameRepair::Case]);
        assert_eq!(n.steps[0].from, "  NGUYÔN\u{00A0}V¡N HïNG ");
        assert_eq!(n.steps[1].from, n.steps[0].to);
        assert_eq!(n.steps[2].to, "Nguyễn Văn Hùng");
        assert_eq!(n.name.as_str(), "Nguyễn Văn Hùng");
    }

    #[test]
    fn each_repair_fires_alone() {
        let cases = [
            ("Nguyễn  Văn An", NameRepair::Whitespace),
            ("Nguyễn Văn\u{200B} An", NameRepair::Whitespace),
            ("Nguye\u{0302}\u{0303}n Văn An", NameRepair::Marks),
            ("Nguye\u{0301}\u{0302}n Văn An", NameRepair::Marks),
            ("NguyÔn V¨n Hïng", NameRepair::Legacy(LegacyEncoding::Tcvn3)),
            ("Nguyeãn Vaên Huøng", NameRepair::Legacy(LegacyEncoding::Vni)),
            ("Ðặng Văn Hải", NameRepair::Lookalikes),
            ("Nguyễn Vаn An", NameRepair::Lookalikes),  // Cyrillic а
            ("Nguyễn Văn Ａn", NameRepair::Lookalikes), // full-width A
            ("H’Hen Niê", NameRepair::Lookalikes),
            ("d\u{0335}ặng Văn Hải", NameRepair::Lookalikes),
            ("nguyễn văn an", NameRepair::Case),
            ("NGUYỄN VĂN AN", NameRepair::Case),
            ("Nguyễn văn An", NameRepair::Case),
        ];
        for (input, want) in cases {
            let got = repairs(input);
            let expected_extra = matches!(input, "d\u{0335}ặng Văn Hải");
            if expected_extra {
                assert_eq!(got, [want, NameRepair::Case], "{input}");
            } else {
                assert_eq!(got, [want], "{input}");
            }
        }
        assert_eq!(norm("Ðặng Văn Hải").name.as_str(), "Đặng Văn Hải");
        assert_eq!(norm("Nguyễn Vаn An").name.as_str(), "Nguyễn Van An");
        assert_eq!(norm("d\u{0335}ặng Văn Hải").name.as_str(), "Đặng Văn Hải");
        assert_eq!(norm("H’Hen Niê").name.as_str(), "H'Hen Niê");
    }

    #[test]
    fn cyrillic_names_stay_cyrillic() {
        let n = norm("Иван Петров");
        assert!(n.steps.is_empty());
        assert!(!n.invalid_chars.is_empty());
    }

    #[test]
    fn invalid_characters_are_listed_once() {
        let n = norm("Nguyễn Văn An 2");
        assert_eq!(n.invalid_chars, ['2']);
        let n = norm("Nguyễn T. B. Hà");
        assert_eq!(n.invalid_chars, ['.']);
        let n = norm("Nguyễn Văn Müller");
        assert_eq!(n.invalid_chars, ['ü']);
        assert!(norm("Ka'Ly-Sa").invalid_chars.is_empty());
    }

    #[test]
    fn counts_words_and_rejects_blank() {
        assert_eq!(norm("Hùng").words, 1);
        assert_eq!(norm("Nguyễn Văn Hùng").words, 3);
        assert!(normalize_name("   \u{00A0}\u{200B}").is_none());
        assert!(normalize_name("").is_none());
    }

    #[test]
    fn title_cases_per_syllable() {
        let cases = [
            ("nguyễn văn an", "Nguyễn Văn An"),
            ("ĐẶNG THỊ ỬNG", "Đặng Thị Ửng"),
            ("h'hen niê", "H'Hen Niê"),
            ("y-moan", "Y-Moan"),
        ];
        for (input, want) in cases {
            assert_eq!(title_case(input), want);
        }
        assert!(matches!(title_case("Nguyễn Văn An"), Cow::Borrowed(_)));
    }

    #[test]
    fn match_key_ignores_case_and_tone_style_but_not_diacritics() {
        let same = [
            ("Nguyễn Thị Hoà", "NGUYỄN THỊ HÒA"),
            ("Lê Thuỷ", "lê thủy"),
            ("Khoẻ", "Khỏe"),
            ("Nguye\u{0302}\u{0303}n  An", "Nguyễn An"),
            ("Ðặng", "Đặng"),
        ];
        for (a, b) in same {
            assert_eq!(match_key(a), match_key(b), "{a} / {b}");
        }
        let different = [("Hòa", "Hoa"), ("Hòa", "Hóa"), ("Quý", "Quí"), ("Đức", "Dức")];
        for (a, b) in different {
            assert_ne!(match_key(a), match_key(b), "{a} / {b}");
        }
        assert_eq!(match_key("Nguyễn Thị Hoà"), "nguyễn thị hòa");
    }

    #[test]
    fn search_key_drops_all_diacritics() {
        assert_eq!(search_key("Đặng  Thị Hoà"), "dang thi hoa");
        assert_eq!(search_key("Ðoàn"), "doan");
    }

    #[test]
    fn variant_key_merges_i_and_y() {
        let same = [("Quý", "Quí"), ("Mỹ", "Mĩ"), ("Sỹ", "Sĩ"), ("Tường Vy", "Tường Vi"), ("Lý", "Lí")];
        for (a, b) in same {
            assert_eq!(variant_key(a), variant_key(b), "{a} / {b}");
        }
        for (a, b) in [("Thủy", "Thủi"), ("Huy", "Hui"), ("Hay", "Hai")] {
            assert_ne!(variant_key(a), variant_key(b), "{a} / {b}");
        }
        assert_eq!(variant_key("Quý"), "quí");
    }
}
