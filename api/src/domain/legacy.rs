//! Legacy Vietnamese font encodings as they reach us: TCVN3 (ABC, the .VnTime fonts, with the
//! all-caps .VnTimeH variant) and VNI-Windows, whose bytes Excel and calamine read as Windows-1252
//! characters ("NguyÔn V¨n Hïng", "Nguyeãn Vaên Huøng"). Both directions are here: decoders for
//! cleaning, encoders for the demo generator, and a detector that leaves real Unicode text and
//! plain ASCII alone. Pure, table-driven, no allocation beyond the output string.
//!
//! TCVN3 has code points only for lower-case toned vowels: a .VnTime user cannot write "Ễ", and
//! a .VnTimeH user writes lower-case code points that the font draws as capitals. The encoder
//! therefore writes an upper-case toned vowel with its lower-case code, as a real file holds it;
//! the decoder restores capitals inside words whose other letters are all capitals.

use std::sync::LazyLock;

use super::syllable::word_score;
use super::text::{Tone, compose_vowel, is_odd_space, to_lower_char, to_upper_char, vowel, vowel_parts};

/// A legacy font encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LegacyEncoding {
    /// TCVN 5712:1993 VN3 ("ABC"), the .VnTime fonts.
    Tcvn3,
    /// TCVN3 typed in an all-caps font (.VnTimeH): lower-case code points drawn as capitals, so
    /// the decoded text is upper-cased.
    Tcvn3Caps,
    /// VNI-Windows (VNI-Times and friends): base letter followed by a mark character.
    Vni,
}

impl LegacyEncoding {
    /// Stable snake_case name (used in finding params).
    pub fn as_str(self) -> &'static str {
        match self {
            LegacyEncoding::Tcvn3 => "tcvn3",
            LegacyEncoding::Tcvn3Caps => "tcvn3_caps",
            LegacyEncoding::Vni => "vni",
        }
    }

    /// Name for messages shown to clerks.
    pub fn label(self) -> &'static str {
        match self {
            LegacyEncoding::Tcvn3 => "TCVN3 (ABC, phông .VnTime)",
            LegacyEncoding::Tcvn3Caps => "TCVN3 (ABC, phông chữ hoa .VnTimeH)",
            LegacyEncoding::Vni => "VNI-Windows (phông VNI-Times)",
        }
    }
}

use vowel::{A, A_BREVE, A_CIRC, E, E_CIRC, I, O, O_CIRC, O_HORN, U, U_HORN, Y};

/// TCVN3 code of every lower-case vowel, `[vowel][tone]` as in [`super::text::TONED`]; the
/// level-tone plain vowels are their ASCII letters.
const TCVN3_LOWER: [[u8; 6]; 12] = [
    [b'a', 0xB5, 0xB6, 0xB7, 0xB8, 0xB9],
    [0xA8, 0xBB, 0xBC, 0xBD, 0xBE, 0xC6],
    [0xA9, 0xC7, 0xC8, 0xC9, 0xCA, 0xCB],
    [b'e', 0xCC, 0xCE, 0xCF, 0xD0, 0xD1],
    [0xAA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6],
    [b'i', 0xD7, 0xD8, 0xDC, 0xDD, 0xDE],
    [b'o', 0xDF, 0xE1, 0xE2, 0xE3, 0xE4],
    [0xAB, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9],
    [0xAC, 0xEA, 0xEB, 0xEC, 0xED, 0xEE],
    [b'u', 0xEF, 0xF1, 0xF2, 0xF3, 0xF4],
    [0xAD, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9],
    [b'y', 0xFA, 0xFB, 0xFC, 0xFD, 0xFE],
];

/// The only capitals TCVN3 has: Ă Â Ê Ô Ơ Ư (level tone) and Đ.
const TCVN3_UPPER: [(u8, u8); 6] =
    [(A_BREVE, 0xA1), (A_CIRC, 0xA2), (E_CIRC, 0xA3), (O_CIRC, 0xA4), (O_HORN, 0xA5), (U_HORN, 0xA6)];
const TCVN3_D_UPPER: u8 = 0xA7;
const TCVN3_D_LOWER: u8 = 0xAE;

/// What a TCVN3 code point means.
#[derive(Clone, Copy)]
struct Tcvn3Code {
    letter: char,
    /// The code is one of the capitals (A1–A7).
    upper: bool,
    /// A lower-case letter that has a capital code (ă … đ at A8–AE): evidence of lower case.
    lower_with_capital: bool,
}

/// Decoding table for U+00A0..=U+00FF.
static TCVN3_DECODE: LazyLock<[Option<Tcvn3Code>; 96]> = LazyLock::new(|| {
    let mut table = [None; 96];
    let mut set = |code: u8, letter: char, upper: bool, lower_with_capital: bool| {
        table[usize::from(code - 0xA0)] = Some(Tcvn3Code { letter, upper, lower_with_capital });
    };
    for (v, row) in TCVN3_LOWER.iter().enumerate() {
        for tone in Tone::ALL {
            let code = row[tone.index()];
            if code >= 0xA0 {
                set(code, compose_vowel(v as u8, tone, false), false, tone == Tone::Level);
            }
        }
    }
    for (v, code) in TCVN3_UPPER {
        set(code, compose_vowel(v, Tone::Level, true), true, false);
    }
    set(TCVN3_D_UPPER, 'Đ', true, false);
    set(TCVN3_D_LOWER, 'đ', false, true);
    table
});

fn tcvn3_code(c: char) -> Option<Tcvn3Code> {
    let cp = c as u32;
    if (0xA0..=0xFF).contains(&cp) { TCVN3_DECODE[(cp - 0xA0) as usize] } else { None }
}

/// Encodes Unicode text as a TCVN3 (.VnTime) file holds it, read as Windows-1252 characters:
/// "Nguyễn Văn Hùng" → "NguyÔn V¨n Hïng". Capital toned vowels, which the font cannot write,
/// get their lower-case codes ("NGUYỄN" → "NGUYÔN"). Characters outside Vietnamese pass through.
pub fn encode_tcvn3(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        out.push(encode_tcvn3_char(c));
    }
    out
}

/// Encodes text as typed in the all-caps .VnTimeH font: every letter with its lower-case code
/// ("NGUYỄN VĂN HÙNG" → "nguyÔn v¨n hïng", drawn as capitals by the font).
pub fn encode_tcvn3_caps(s: &str) -> String {
    s.chars().map(|c| encode_tcvn3_char(to_lower_char(c))).collect()
}

fn encode_tcvn3_char(c: char) -> char {
    if c.is_ascii() {
        return c;
    }
    let code = match c {
        'đ' => TCVN3_D_LOWER,
        'Đ' => TCVN3_D_UPPER,
        _ => match vowel_parts(c) {
            Some(v) => {
                let capital = TCVN3_UPPER.iter().find(|(vv, _)| *vv == v.vowel);
                match capital {
                    Some((_, code)) if v.upper && v.tone == Tone::Level => *code,
                    _ => TCVN3_LOWER[usize::from(v.vowel)][v.tone.index()],
                }
            }
            None => return c,
        },
    };
    char::from(code)
}

/// Decodes TCVN3 text read as Windows-1252 characters ("NguyÔn V¨n Hïng" → "Nguyễn Văn Hùng").
/// Inside a word whose other letters are all capitals, toned vowels become capitals too
/// ("NGUYÔN" → "NGUYỄN"). Characters that are no TCVN3 code pass through.
pub fn decode_tcvn3(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let all_caps = tcvn3_all_caps(s);
    for_each_word(s, |word, is_word| {
        if is_word {
            decode_tcvn3_word(word, &mut out, false, all_caps);
        } else {
            out.push_str(word);
        }
    });
    out
}

/// True when the text has capitals and no lower-case letter that TCVN3 could have written as a
/// capital: then every toned vowel in it was meant as a capital too.
fn tcvn3_all_caps(s: &str) -> bool {
    let mut upper = false;
    for c in s.chars() {
        if c.is_ascii_lowercase() || tcvn3_code(c).is_some_and(|code| code.lower_with_capital) {
            return false;
        }
        upper |= c.is_ascii_uppercase() || tcvn3_code(c).is_some_and(|code| code.upper);
    }
    upper
}

/// Decodes text typed in the all-caps .VnTimeH font: TCVN3, then everything upper-cased.
pub fn decode_tcvn3_caps(s: &str) -> String {
    decode_tcvn3(s).chars().map(to_upper_char).collect()
}

/// Decodes one word into `out`; `strict` makes any non-ASCII character that is no TCVN3 code
/// fail the word. Toned vowels become capitals when the whole text is in capitals or the word
/// has at least two capitals and no lower-case letter ("HïNG", but "Vò" is "Vũ"). Returns false
/// when it failed.
fn decode_tcvn3_word(word: &str, out: &mut String, strict: bool, all_caps: bool) -> bool {
    let mut capitals_in_word = 0;
    let mut has_lower = false;
    for c in word.chars() {
        if c.is_ascii_uppercase() {
            capitals_in_word += 1;
        } else if c.is_ascii_lowercase() {
            has_lower = true;
        } else if let Some(code) = tcvn3_code(c) {
            capitals_in_word += usize::from(code.upper);
            has_lower |= code.lower_with_capital;
        }
    }
    let capitals = all_caps || (capitals_in_word >= 2 && !has_lower);
    for c in word.chars() {
        if c.is_ascii() {
            out.push(c);
        } else if let Some(code) = tcvn3_code(c) {
            out.push(if capitals { to_upper_char(code.letter) } else { code.letter });
        } else if strict {
            return false;
        } else {
            out.push(c);
        }
    }
    true
}

/// VNI mark characters after a plain vowel: level (none), grave, hook, tilde, acute, dot.
const VNI_PLAIN: [u8; 6] = [0, 0xF8, 0xFB, 0xF5, 0xF9, 0xEF];
/// After a, e, o: circumflex with each tone.
const VNI_CIRC: [u8; 6] = [0xE2, 0xE0, 0xE5, 0xE3, 0xE1, 0xE4];
/// After a: breve with each tone.
const VNI_BREVE: [u8; 6] = [0xEA, 0xE8, 0xFA, 0xFC, 0xE9, 0xEB];
/// The i vowel is one character per tone.
const VNI_I: [u8; 6] = [b'i', 0xEC, 0xE6, 0xF3, 0xED, 0xF2];
const VNI_Y_DOT: u8 = 0xEE;
const VNI_O_HORN: u8 = 0xF4;
const VNI_U_HORN: u8 = 0xF6;
const VNI_D: u8 = 0xF1;

/// The capital form of a VNI code: ASCII upper case, or the Windows-1252 capital 0x20 lower.
fn vni_upper(code: u8) -> char {
    if code.is_ascii() { char::from(code.to_ascii_uppercase()) } else { char::from(code - 0x20) }
}

/// Encodes Unicode text as a VNI-Windows file holds it, read as Windows-1252 characters:
/// "Nguyễn Văn Hùng" → "Nguyeãn Vaên Huøng", "ĐỖ" → "ÑOÃ". Other characters pass through.
pub fn encode_vni(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c);
            continue;
        }
        let (first, mark): (u8, u8) = match c {
            'đ' | 'Đ' => (VNI_D, 0),
            _ => match vowel_parts(c) {
                Some(v) => {
                    let t = v.tone.index();
                    match v.vowel {
                        A => (b'a', VNI_PLAIN[t]),
                        A_BREVE => (b'a', VNI_BREVE[t]),
                        A_CIRC => (b'a', VNI_CIRC[t]),
                        E => (b'e', VNI_PLAIN[t]),
                        E_CIRC => (b'e', VNI_CIRC[t]),
                        I => (VNI_I[t], 0),
                        O => (b'o', VNI_PLAIN[t]),
                        O_CIRC => (b'o', VNI_CIRC[t]),
                        O_HORN => (VNI_O_HORN, VNI_PLAIN[t]),
                        U => (b'u', VNI_PLAIN[t]),
                        U_HORN => (VNI_U_HORN, VNI_PLAIN[t]),
                        _ if v.tone == Tone::Dot => (VNI_Y_DOT, 0),
                        _ => (b'y', VNI_PLAIN[t]),
                    }
                }
                None => {
                    out.push(c);
                    continue;
                }
            },
        };
        let upper = c.is_uppercase();
        for code in [first, mark] {
            if code != 0 {
                out.push(if upper { vni_upper(code) } else { char::from(code) });
            }
        }
    }
    out
}

/// Lower case of a Windows-1252 letter as a byte (None outside Latin-1).
fn latin1_lower(c: char) -> Option<u8> {
    let cp = c as u32;
    match cp {
        0x41..=0x5A | 0xC0..=0xD6 | 0xD8..=0xDE => Some((cp + 0x20) as u8),
        0..=0xFF => Some(cp as u8),
        _ => None,
    }
}

/// A set of VNI mark characters (one per tone) and the vowel they make after a base letter.
type MarkSet = (&'static [u8; 6], u8);

/// The vowel a VNI base character starts, and which mark sets may follow it.
fn vni_base(lower: u8) -> Option<(u8, &'static [MarkSet])> {
    const PLAIN_A: &[MarkSet] = &[(&VNI_PLAIN, A), (&VNI_CIRC, A_CIRC), (&VNI_BREVE, A_BREVE)];
    const PLAIN_E: &[MarkSet] = &[(&VNI_PLAIN, E), (&VNI_CIRC, E_CIRC)];
    const PLAIN_O: &[MarkSet] = &[(&VNI_PLAIN, O), (&VNI_CIRC, O_CIRC)];
    const PLAIN_U: &[MarkSet] = &[(&VNI_PLAIN, U)];
    const PLAIN_Y: &[MarkSet] = &[(&VNI_PLAIN, Y)];
    const HORN_O: &[MarkSet] = &[(&VNI_PLAIN, O_HORN)];
    const HORN_U: &[MarkSet] = &[(&VNI_PLAIN, U_HORN)];
    match lower {
        b'a' => Some((A, PLAIN_A)),
        b'e' => Some((E, PLAIN_E)),
        b'o' => Some((O, PLAIN_O)),
        b'u' => Some((U, PLAIN_U)),
        b'y' => Some((Y, PLAIN_Y)),
        VNI_O_HORN => Some((O_HORN, HORN_O)),
        VNI_U_HORN => Some((U_HORN, HORN_U)),
        _ => None,
    }
}

/// A VNI character that is a whole letter by itself (the i tones, ỵ, đ).
fn vni_standalone(lower: u8) -> Option<char> {
    if lower == VNI_Y_DOT {
        return Some('ỵ');
    }
    if lower == VNI_D {
        return Some('đ');
    }
    VNI_I.iter().position(|&code| code == lower && !code.is_ascii()).map(|t| compose_vowel(I, Tone::ALL[t], false))
}

/// Decodes VNI-Windows text read as Windows-1252 characters ("Nguyeãn Vaên Huøng" → "Nguyễn
/// Văn Hùng"). The case of a letter is its base character's. Characters that are no VNI code
/// pass through.
pub fn decode_vni(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    decode_vni_into(s, &mut out, false);
    out
}

/// Decodes into `out`; with `strict`, any non-ASCII character that is no VNI code fails.
fn decode_vni_into(s: &str, out: &mut String, strict: bool) -> bool {
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        let Some(lower) = latin1_lower(c) else {
            if strict && !is_odd_space(c) {
                return false;
            }
            out.push(c);
            continue;
        };
        let upper = c.is_uppercase();
        if let Some((base_vowel, marks)) = vni_base(lower) {
            let next = chars.get(i).copied().and_then(latin1_lower);
            let found = next.and_then(|m| {
                marks.iter().find_map(|(set, v)| {
                    set.iter().position(|&code| code == m && code != 0).map(|t| (*v, Tone::ALL[t]))
                })
            });
            match found {
                Some((v, tone)) => {
                    out.push(compose_vowel(v, tone, upper));
                    i += 1;
                }
                None => out.push(compose_vowel(base_vowel, Tone::Level, upper)),
            }
        } else if let Some(letter) = vni_standalone(lower) {
            out.push(if upper { to_upper_char(letter) } else { letter });
        } else if strict && !c.is_ascii() && !is_odd_space(c) {
            return false;
        } else {
            out.push(c);
        }
    }
    true
}

/// Decodes with the given encoding.
pub fn decode(s: &str, encoding: LegacyEncoding) -> String {
    match encoding {
        LegacyEncoding::Tcvn3 => decode_tcvn3(s),
        LegacyEncoding::Tcvn3Caps => decode_tcvn3_caps(s),
        LegacyEncoding::Vni => decode_vni(s),
    }
}

/// Encodes with the given encoding (for the demo generator).
pub fn encode(s: &str, encoding: LegacyEncoding) -> String {
    match encoding {
        LegacyEncoding::Tcvn3 => encode_tcvn3(s),
        LegacyEncoding::Tcvn3Caps => encode_tcvn3_caps(s),
        LegacyEncoding::Vni => encode_vni(s),
    }
}

/// Calls `f` with each run of whitespace (`false`) and each word (`true`), in order.
fn for_each_word(s: &str, mut f: impl FnMut(&str, bool)) {
    let mut start = 0;
    let mut in_word = None;
    for (i, c) in s.char_indices() {
        let word_char = !is_odd_space(c);
        match in_word {
            Some(w) if w != word_char => {
                f(&s[start..i], w);
                start = i;
            }
            _ => {}
        }
        in_word = Some(word_char);
    }
    if let Some(w) = in_word {
        f(&s[start..], w);
    }
}

/// How much better a text reads under one encoding than as it stands.
struct Evidence {
    gain: i32,
    capitals_seen: bool,
}

/// Scores a text under one encoding: `None` when some word is no valid code sequence, or reads
/// worse decoded than as it stands, or nothing improves into a real Vietnamese syllable.
fn evidence(s: &str, encoding: LegacyEncoding) -> Option<Evidence> {
    let mut gain = 0i32;
    let mut improved = false;
    let mut capitals_seen = false;
    let mut ok = true;
    let mut decoded = String::new();
    let all_caps = tcvn3_all_caps(s);
    for_each_word(s, |word, is_word| {
        if !ok || !is_word {
            return;
        }
        capitals_seen |= word.chars().any(|c| c.is_ascii_uppercase() || tcvn3_code(c).is_some_and(|code| code.upper));
        if word.is_ascii() {
            return;
        }
        decoded.clear();
        let valid = match encoding {
            LegacyEncoding::Tcvn3 | LegacyEncoding::Tcvn3Caps => decode_tcvn3_word(word, &mut decoded, true, all_caps),
            LegacyEncoding::Vni => decode_vni_into(word, &mut decoded, true),
        };
        if !valid {
            ok = false;
            return;
        }
        let before = word_score(word);
        let after = word_score(&decoded);
        if after < before {
            ok = false;
            return;
        }
        gain += i32::from(after) - i32::from(before);
        improved |= after >= 2 && after > before;
    });
    (ok && improved && gain > 0).then_some(Evidence { gain, capitals_seen })
}

/// True when every word with a non-ASCII character already scores the most a word can
/// ([`word_score`] 3: syllables of Vietnamese names, "Lê Hà"). Decoding can then improve no word,
/// so neither encoding can give [`evidence`]: the cheap check before gathering it.
fn reads_as_name_syllables(s: &str) -> bool {
    let mut all = true;
    for_each_word(s, |word, is_word| {
        all = all && (!is_word || word.is_ascii() || word_score(word) == 3);
    });
    all
}

/// Says whether a text is TCVN3 or VNI garbage rather than Unicode, or `None`. Real Unicode
/// Vietnamese (any character beyond U+00FF), plain ASCII and foreign Latin-1 names ("Müller",
/// "José") answer `None`: a text counts as legacy only when every word with a non-ASCII
/// character is a valid code sequence of the encoding, no word reads worse decoded (see
/// [`word_score`]), and at least one word turns into a better Vietnamese syllable than it was
/// ("Hïng" → "Hùng", "Thò" → "Thị"). When both encodings fit, the one that improves more wins;
/// a tie answers `None`. All-lower-case TCVN3
/// text answers [`LegacyEncoding::Tcvn3Caps`] (the .VnTimeH font draws it as capitals).
pub fn detect(s: &str) -> Option<LegacyEncoding> {
    let mut latin1 = false;
    for c in s.chars() {
        match c as u32 {
            0..=0x7F | 0xA0 => {}
            0xA1..=0xFF => latin1 = true,
            _ if is_odd_space(c) => {}
            _ => return None,
        }
    }
    if !latin1 || reads_as_name_syllables(s) {
        return None;
    }
    let tcvn3 = evidence(s, LegacyEncoding::Tcvn3);
    let vni = evidence(s, LegacyEncoding::Vni);
    let tcvn3_kind = |e: &Evidence| {
        if e.capitals_seen { LegacyEncoding::Tcvn3 } else { LegacyEncoding::Tcvn3Caps }
    };
    match (tcvn3, vni) {
        (Some(t), Some(v)) if t.gain > v.gain => Some(tcvn3_kind(&t)),
        (Some(t), Some(v)) if v.gain > t.gain => Some(LegacyEncoding::Vni),
        (Some(_), Some(_)) => None,
        (Some(t), None) => Some(tcvn3_kind(&t)),
        (None, Some(_)) => Some(LegacyEncoding::Vni),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::text::{TONED, VOWELS, compose_vowel};

    fn every_letter() -> Vec<(char, bool)> {
        let mut letters = Vec::new();
        for v in 0..VOWELS.len() {
            for tone in Tone::ALL {
                for upper in [false, true] {
                    letters.push((compose_vowel(v as u8, tone, upper), upper));
                }
            }
        }
        letters.extend([('đ', false), ('Đ', true)]);
        letters
    }

    #[test]
    fn known_samples() {
        assert_eq!(encode_tcvn3("Nguyễn Văn Hùng"), "NguyÔn V¨n Hïng");
        assert_eq!(encode_vni("Nguyễn Văn Hùng"), "Nguyeãn Vaên Huøng");
        assert_eq!(decode_tcvn3("NguyÔn V¨n Hïng"), "Nguyễn Văn Hùng");
        assert_eq!(decode_vni("Nguyeãn Vaên Huøng"), "Nguyễn Văn Hùng");
        assert_eq!(encode_tcvn3("Trương Thị Đào"), "Tr\u{AD}¬ng ThÞ §µo");
        assert_eq!(encode_vni("Trương Thị Đào"), "Tröông Thò Ñaøo");
        assert_eq!(encode_vni("ĐỖ THỊ HƯƠNG"), "ÑOÃ THÒ HÖÔNG");
        assert_eq!(encode_tcvn3("NGUYỄN VĂN HÙNG"), "NGUYÔN V¡N HïNG");
        assert_eq!(decode_tcvn3("NGUYÔN V¡N HïNG"), "NGUYỄN VĂN HÙNG");
        assert_eq!(encode_tcvn3_caps("NGUYỄN VĂN HÙNG"), "nguyÔn v¨n hïng");
        assert_eq!(decode_tcvn3_caps("nguyÔn v¨n hïng"), "NGUYỄN VĂN HÙNG");
        assert_eq!(encode_vni("Huỳnh Thị Ỵ"), "Huyønh Thò Î");
    }

    #[test]
    fn every_letter_round_trips_in_vni() {
        for (c, _) in every_letter() {
            let s = c.to_string();
            assert_eq!(decode_vni(&encode_vni(&s)), s, "{c}");
            let word = format!("Ng{c}n");
            assert_eq!(decode_vni(&encode_vni(&word)), word, "{word}");
        }
    }

    #[test]
    fn every_letter_round_trips_in_tcvn3() {
        for (c, upper) in every_letter() {
            let s = c.to_string();
            let lower_word = format!("ng{}n", to_lower_char(c));
            assert_eq!(decode_tcvn3(&encode_tcvn3(&lower_word)), lower_word);
            if upper {
                // a capital survives inside a capital word; alone, only TCVN3's own capitals do
                let word = format!("NG{c}N");
                assert_eq!(decode_tcvn3(&encode_tcvn3(&word)), word, "{word}");
                assert_eq!(decode_tcvn3_caps(&encode_tcvn3_caps(&word)), word, "{word}");
                let alone = decode_tcvn3(&encode_tcvn3(&s));
                assert_eq!(to_upper_char(alone.chars().next().unwrap_or(' ')), c);
            } else {
                assert_eq!(decode_tcvn3(&encode_tcvn3(&s)), s, "{c}");
            }
        }
    }

    #[test]
    fn tcvn3_codes_are_distinct_and_latin1() {
        let mut seen = std::collections::HashSet::new();
        for row in TCVN3_LOWER {
            for code in row {
                assert!(code.is_ascii() || code >= 0xA1, "{code:x}");
                if !code.is_ascii() {
                    assert!(seen.insert(code), "{code:x} twice");
                }
            }
        }
        for (_, code) in TCVN3_UPPER {
            assert!(seen.insert(code));
        }
        assert!(seen.insert(TCVN3_D_UPPER) && seen.insert(TCVN3_D_LOWER));
        assert_eq!(seen.len(), 12 * 5 + 6 + 6 + 2);
        assert_eq!(TONED.len(), 12);
    }

    #[test]
    fn detects_legacy_text() {
        let cases = [
            ("NguyÔn V¨n Hïng", Some(LegacyEncoding::Tcvn3)),
            ("Lª ThÞ Thu Thñy", Some(LegacyEncoding::Tcvn3)),
            ("Tr\u{AD}¬ng V¨n §øc", Some(LegacyEncoding::Tcvn3)),
            ("NGUYÔN V¡N HïNG", Some(LegacyEncoding::Tcvn3)),
            ("nguyÔn v¨n hïng", Some(LegacyEncoding::Tcvn3Caps)),
            ("Hïng", Some(LegacyEncoding::Tcvn3)),
            ("N÷", Some(LegacyEncoding::Tcvn3)),
            ("Nguyeãn Vaên Huøng", Some(LegacyEncoding::Vni)),
            ("Nguyeãn Thò Só", Some(LegacyEncoding::Vni)),
            ("NGUYEÃN THÒ HÖÔNG", Some(LegacyEncoding::Vni)),
            ("Ñoã Ñình Phuùc", Some(LegacyEncoding::Vni)),
            ("Nöõ", Some(LegacyEncoding::Vni)),
            // real Unicode and ASCII
            ("Nguyễn Văn Hùng", None),
            ("Ngô Lê Tâm", None),
            ("Lê Hà", None),
            ("LÊ HÀ", None),
            ("Lý Bá Tú", None),
            ("Ý Nhi", None),
            ("Hoàng Toàn", None),
            ("Ly", None),
            ("Ba", None),
            ("Nguyen Van Hung", None),
            ("Ksor H'Bia", None),
            // foreign Latin-1 names
            ("Müller", None),
            ("José María", None),
            ("François", None),
            ("Nguyễn Hïng", None),
        ];
        for (text, want) in cases {
            assert_eq!(detect(text), want, "{text}");
        }
    }

    #[test]
    fn no_unicode_name_syllable_is_taken_for_legacy_text() {
        use crate::domain::name::title_case;
        use crate::domain::syllable::NAME_WORDS;
        let latin1: Vec<String> = NAME_WORDS
            .split_whitespace()
            .filter(|w| w.chars().all(|c| (c as u32) < 0x100) && !w.is_ascii())
            .flat_map(|w| [w.to_owned(), title_case(w).into_owned(), w.to_uppercase()])
            .collect();
        assert!(latin1.len() > 50);
        for a in &latin1 {
            assert_eq!(detect(a), None, "{a}");
        }
        // pairs, in title case (capitals change nothing for words without TCVN3 capitals)
        for a in latin1.iter().skip(1).step_by(3) {
            for b in latin1.iter().skip(1).step_by(3) {
                let text = format!("{a} {b}");
                assert_eq!(detect(&text), None, "{text}");
            }
        }
    }

    #[test]
    fn every_name_syllable_is_detected_when_encoded_if_it_can_be() {
        use crate::domain::name::title_case;
        use crate::domain::syllable::{NAME_WORDS, word_score};
        let mut missed = Vec::new();
        for w in NAME_WORDS.split_whitespace() {
            let text = format!("{} Thị {}", title_case(w), title_case(w));
            for (encoding, encoded) in
                [(LegacyEncoding::Tcvn3, encode_tcvn3(&text)), (LegacyEncoding::Vni, encode_vni(&text))]
            {
                let plausible_as_is = encoded.split(' ').all(|w| word_score(w) == 3);
                if encoded != text && !plausible_as_is && detect(&encoded) != Some(encoding) {
                    missed.push(encoded);
                }
            }
        }
        assert!(missed.is_empty(), "{missed:?}");
    }
}
