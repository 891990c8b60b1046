//! Vietnamese syllable structure: onset, vowel nucleus, coda and the one tone mark. Used to put
//! the tone mark in one canonical place (so "Hoà" and "Hòa" compare equal) and to tell a real
//! Vietnamese word from legacy-font garbage. Only the spelling rules of standard Vietnamese are
//! encoded; words outside them (foreign and many ethnic-minority names) are left alone.

use std::borrow::Cow;

use super::text::{Tone, VowelParts, compose_vowel, is_vietnamese_letter, vowel, vowel_parts};

/// Consonant clusters that may start a syllable, longest first (`qu` and `gi` are handled apart).
const ONSETS: [&str; 25] = [
    "ngh", "ng", "nh", "ch", "gh", "kh", "ph", "th", "tr", "b", "c", "d", "đ", "g", "h", "k", "l",
    "m", "n", "p", "r", "s", "t", "v", "x",
];

/// Consonants that may end a syllable.
const CODAS: [&str; 9] = ["", "c", "ch", "m", "n", "ng", "nh", "p", "t"];

use vowel::{
    A, A_BREVE as AB, A_CIRC as AC, E, E_CIRC as EC, I, O, O_CIRC as OC, O_HORN as OH, U,
    U_HORN as UH, Y,
};

/// How a nucleus combines with a final consonant.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CodaRule {
    Optional,
    Required,
    Forbidden,
}

/// Every vowel nucleus of standard Vietnamese (toneless), with its coda rule.
const NUCLEI: &[(&[u8], CodaRule)] = {
    use CodaRule::{Forbidden as F, Optional as O_, Required as R};
    &[
        (&[A], O_),
        (&[AB], R),
        (&[AC], R),
        (&[E], O_),
        (&[EC], O_),
        (&[I], O_),
        (&[O], O_),
        (&[OC], O_),
        (&[OH], O_),
        (&[U], O_),
        (&[UH], O_),
        (&[Y], O_),
        (&[A, I], F),
        (&[A, O], F),
        (&[A, U], F),
        (&[A, Y], F),
        (&[AC, U], F),
        (&[AC, Y], F),
        (&[E, O], F),
        (&[EC, U], F),
        (&[I, A], F),
        (&[I, EC], R),
        (&[I, U], F),
        (&[O, A], O_),
        (&[O, AB], R),
        (&[O, E], O_),
        (&[O, I], F),
        (&[OC, I], F),
        (&[OH, I], F),
        (&[O, O], R),
        (&[U, A], F),
        (&[U, AC], R),
        (&[U, EC], O_),
        (&[U, I], F),
        (&[U, OC], R),
        (&[U, OH], F),
        (&[U, Y], O_),
        (&[UH, A], F),
        (&[UH, I], F),
        (&[UH, OH], R),
        (&[UH, U], F),
        (&[Y, EC], R),
        (&[I, EC, U], F),
        (&[Y, EC, U], F),
        (&[O, A, I], F),
        (&[O, A, Y], F),
        (&[O, E, O], F),
        (&[U, AC, Y], F),
        (&[U, OC, I], F),
        (&[UH, OH, I], F),
        (&[UH, OH, U], F),
        (&[U, Y, A], F),
        (&[U, Y, EC], R),
        (&[U, Y, U], F),
    ]
};

fn nucleus_rule(nucleus: &[u8]) -> Option<CodaRule> {
    NUCLEI
        .iter()
        .find(|(n, _)| *n == nucleus)
        .map(|(_, rule)| *rule)
}

/// One letter of a word, split into its parts.
#[derive(Clone, Copy)]
struct Letter {
    /// Lower case, toneless.
    base: char,
    /// For vowels: the vowel index and tone.
    vowel: Option<VowelParts>,
}

fn letter(c: char) -> Letter {
    match vowel_parts(c) {
        Some(v) => Letter {
            base: compose_vowel(v.vowel, Tone::Level, false),
            vowel: Some(v),
        },
        None => Letter {
            base: super::text::to_lower_char(c),
            vowel: None,
        },
    }
}

/// The structure of one syllable (indices are letter positions in the word).
struct Analysis {
    nucleus_start: usize,
    nucleus_end: usize,
    has_coda: bool,
    stop_coda: bool,
    rule: CodaRule,
    tone: Tone,
    tone_count: usize,
}

const MAX_LETTERS: usize = 12;

/// Splits a word of letters into onset, nucleus and coda; `None` when it is no Vietnamese
/// syllable (unknown onset, nucleus or coda, more than one tone mark, too long).
fn analyse(letters: &[Letter]) -> Option<Analysis> {
    if letters.is_empty() || letters.len() > MAX_LETTERS {
        return None;
    }
    let is_vowel = |i: usize| letters.get(i).is_some_and(|l| l.vowel.is_some());
    let base_at = |i: usize| letters.get(i).map(|l| l.base);
    // onset
    let onset_len = if base_at(0) == Some('q') {
        if base_at(1) == Some('u') && is_vowel(2) {
            2
        } else {
            return None;
        }
    } else if base_at(0) == Some('g') && base_at(1) == Some('i') && is_vowel(2) {
        2
    } else {
        let mut len = 0;
        for onset in ONSETS {
            let n = onset.chars().count();
            if letters.len() >= n
                && onset
                    .chars()
                    .zip(letters.iter())
                    .all(|(o, l)| l.vowel.is_none() && l.base == o)
            {
                len = n;
                break;
            }
        }
        len
    };
    // nucleus
    let mut end = onset_len;
    let mut nucleus = [0u8; 4];
    let mut tone = Tone::Level;
    let mut tone_count = 0;
    while let Some(Letter { vowel: Some(v), .. }) = letters.get(end) {
        if end - onset_len >= nucleus.len() {
            return None;
        }
        nucleus[end - onset_len] = v.vowel;
        if v.tone != Tone::Level {
            tone = v.tone;
            tone_count += 1;
        }
        end += 1;
    }
    if end == onset_len {
        return None;
    }
    let rule = nucleus_rule(&nucleus[..end - onset_len])?;
    // coda
    let coda_letters = &letters[end..];
    if coda_letters.iter().any(|l| l.vowel.is_some()) {
        return None;
    }
    let coda_len = coda_letters.len();
    let coda_ok = CODAS.iter().any(|c| {
        c.chars().count() == coda_len && c.chars().zip(coda_letters).all(|(a, l)| a == l.base)
    });
    if !coda_ok || tone_count > 1 {
        return None;
    }
    let stop_coda = matches!(coda_letters.last().map(|l| l.base), Some('c' | 'p' | 't'))
        || (coda_len == 2 && coda_letters[1].base == 'h' && coda_letters[0].base == 'c');
    Some(Analysis {
        nucleus_start: onset_len,
        nucleus_end: end,
        has_coda: coda_len > 0,
        stop_coda,
        rule,
        tone,
        tone_count,
    })
}

/// Where the tone mark goes in a nucleus (index into the word's letters), traditional style:
/// on the vowel with a shape mark (ơ of ươ); else on the last vowel before a final consonant;
/// else the only vowel, the first of two ("hòa", "thủy", "khỏe", "của") or the middle of three.
fn tone_position(letters: &[Letter], a: &Analysis) -> usize {
    let nucleus = &letters[a.nucleus_start..a.nucleus_end];
    let shaped = |i: &usize| {
        nucleus[*i]
            .vowel
            .is_some_and(|v| matches!(v.vowel, AB | AC | EC | OC | OH | UH))
    };
    let shaped_positions: Vec<usize> = (0..nucleus.len()).filter(shaped).collect();
    let offset = if let Some(&last) = shaped_positions.last() {
        last
    } else if a.has_coda {
        nucleus.len() - 1
    } else {
        match nucleus.len() {
            1 | 2 => 0,
            _ => 1,
        }
    };
    a.nucleus_start + offset
}

/// Puts each syllable's tone mark where the traditional style puts it ("Hoà" → "Hòa",
/// "Thuỷ" → "Thủy", "Khoẻ" → "Khỏe", "cuả" → "của"; "Quý" and "Giả" stay: `qu` and `gi` are
/// consonants there). Case and everything that is not a Vietnamese syllable are kept as they are.
/// The registry simulator and the matching key both use this, so one spelling of a tone
/// placement never meets another.
pub fn unify_tone_placement(s: &str) -> Cow<'_, str> {
    if s.is_ascii() {
        return Cow::Borrowed(s);
    }
    let mut out: Option<String> = None;
    let mut buf: Vec<char> = Vec::with_capacity(MAX_LETTERS);
    let mut word_start = 0;
    // a sentinel boundary at the end closes the last word
    for (i, c) in s.char_indices().chain(std::iter::once((s.len(), ' '))) {
        if i < s.len() && is_vietnamese_letter(c) {
            buf.push(c);
            continue;
        }
        if let Some(fixed) = replace_tone(&buf) {
            out.get_or_insert_with(|| s[..word_start].to_owned())
                .extend(fixed);
        } else if let Some(o) = out.as_mut() {
            o.push_str(&s[word_start..i]);
        }
        if i < s.len()
            && let Some(o) = out.as_mut()
        {
            o.push(c);
        }
        buf.clear();
        word_start = i + c.len_utf8();
    }
    match out {
        Some(o) => Cow::Owned(o),
        None => Cow::Borrowed(s),
    }
}

/// The word with its tone mark moved to the canonical place, or `None` when nothing moves.
fn replace_tone(word: &[char]) -> Option<Vec<char>> {
    if word.len() < 2 || word.len() > MAX_LETTERS {
        return None;
    }
    let mut letters = [Letter {
        base: ' ',
        vowel: None,
    }; MAX_LETTERS];
    for (slot, &c) in letters.iter_mut().zip(word) {
        *slot = letter(c);
    }
    let letters = &letters[..word.len()];
    let a = analyse(letters)?;
    if a.tone_count != 1 {
        return None;
    }
    let want = tone_position(letters, &a);
    let current = letters
        .iter()
        .position(|l| l.vowel.is_some_and(|v| v.tone != Tone::Level))?;
    if want == current {
        return None;
    }
    let mut fixed = word.to_vec();
    let strip = letters[current].vowel?;
    fixed[current] = compose_vowel(strip.vowel, Tone::Level, strip.upper);
    let target = letters[want].vowel?;
    fixed[want] = compose_vowel(target.vowel, a.tone, target.upper);
    Some(fixed)
}

/// How Vietnamese a word looks: 2 = a syllable of standard Vietnamese with a sane case pattern;
/// 1 = only Vietnamese letters (plus apostrophe and hyphen), at most one tone mark per part and a
/// sane case pattern (ethnic-minority and foreign names); 0 = anything else (symbols, letters
/// Vietnamese lacks, "NguyÔn"-style case, two tone marks).
pub fn word_score(word: &str) -> u8 {
    let word = word.trim_matches(|c: char| c.is_ascii_punctuation() && c != '\'' && c != '-');
    if word.is_empty() {
        return 0;
    }
    let mut letters = [Letter {
        base: ' ',
        vowel: None,
    }; MAX_LETTERS];
    let mut n = 0;
    let mut simple = true;
    let mut tones_in_part = 0;
    // case pattern per part: first letter any case; the rest all lower or all upper
    let mut part_pos = 0;
    let mut rest_upper: Option<bool> = None;
    let mut first_upper = false;
    for c in word.chars() {
        if c == '\'' || c == '-' {
            simple = false;
            part_pos = 0;
            tones_in_part = 0;
            continue;
        }
        if !is_vietnamese_letter(c) {
            return 0;
        }
        let upper = c.is_uppercase();
        if part_pos == 0 {
            first_upper = upper;
        } else {
            match rest_upper {
                None => rest_upper = Some(upper),
                Some(u) if u != upper => return 0,
                Some(_) => {}
            }
            if upper && !first_upper {
                return 0;
            }
        }
        part_pos += 1;
        let l = letter(c);
        if l.vowel.is_some_and(|v| v.tone != Tone::Level) {
            tones_in_part += 1;
            if tones_in_part > 1 {
                return 0;
            }
        }
        if n < MAX_LETTERS {
            letters[n] = l;
        } else {
            simple = false;
        }
        n += 1;
    }
    if !simple {
        return 1;
    }
    match analyse(&letters[..n]) {
        Some(a) => {
            let coda_ok = match a.rule {
                CodaRule::Optional => true,
                CodaRule::Required => a.has_coda,
                CodaRule::Forbidden => !a.has_coda,
            };
            let tone_ok = !a.stop_coda || matches!(a.tone, Tone::Acute | Tone::Dot);
            if coda_ok && tone_ok { 2 } else { 1 }
        }
        None => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unifies_tone_placement_to_traditional_style() {
        let cases = [
            ("Hoà", "Hòa"),
            ("Thuỷ", "Thủy"),
            ("Khoẻ", "Khỏe"),
            ("HOÀ", "HÒA"),
            ("Nguyễn Thị Hoà", "Nguyễn Thị Hòa"),
            ("Thuý Kiều", "Thúy Kiều"),
            ("uỷ ban", "ủy ban"),
            ("cuả", "của"),
            ("hoài", "hoài"),
            ("ngoại", "ngoại"),
            ("khuỷu", "khuỷu"),
            ("Hoàng", "Hoàng"),
            ("Toàn", "Toàn"),
            ("Quý", "Quý"),
            ("Quỳnh", "Quỳnh"),
            ("Giả", "Giả"),
            ("giữa", "giữa"),
            ("gì", "gì"),
            ("nghĩa", "nghĩa"),
            ("người", "người"),
            ("rượu", "rượu"),
            ("Nguyễn", "Nguyễn"),
            ("Tuấn", "Tuấn"),
            ("Huỳnh", "Huỳnh"),
            ("Thụy", "Thụy"),
            ("Thuỵ", "Thụy"),
            ("H'Hen Niê", "H'Hen Niê"),
            ("Hòa-Bình", "Hòa-Bình"),
            ("Hoà-Bình", "Hòa-Bình"),
            ("Müller", "Müller"),
        ];
        for (input, want) in cases {
            assert_eq!(unify_tone_placement(input), want, "{input}");
        }
        assert!(matches!(unify_tone_placement("Hòa"), Cow::Borrowed(_)));
    }

    #[test]
    fn scores_words() {
        let cases = [
            ("Nguyễn", 2),
            ("NGUYỄN", 2),
            ("nguyễn", 2),
            ("Hùng", 2),
            ("Quý", 2),
            ("Học", 2),
            ("Hoc", 1), // a stop final needs a sharp or heavy tone
            ("Văn", 2),
            ("Vă", 1),
            ("Ksor", 1),
            ("H'Hen", 1),
            ("Niê", 1),
            ("NguyÔn", 0),
            ("V¨n", 0),
            ("Hïng", 0),
            ("Nguyeãn", 1),
            ("Huøng", 0),
            ("Müller", 0),
            ("Hóà", 0),
            ("Nguyễn,", 2),
        ];
        for (word, want) in cases {
            assert_eq!(word_score(word), want, "{word}");
        }
    }
}
