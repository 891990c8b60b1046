//! The 12-digit personal ID number (số định danh cá nhân, DOMAIN.md §2): digits 1–3 the
//! pre-2025 province where the birth was registered (or a country code), digit 4 century and
//! sex, digits 5–6 the birth year, 6 random digits, no check digit. [`PersonalId`] holds exactly
//! 12 ASCII digits and masks itself when shown; [`clean_id_text`] undoes what spreadsheets do
//! to such numbers (separators, apostrophes, ".0", full-width digits) and recognises the damage
//! that cannot be undone (scientific notation).

use std::sync::LazyLock;

use super::admin_units::{ProvinceConversion, old_province};
use super::gender::Gender;
use super::text::is_odd_space;

/// A personal ID number: exactly 12 ASCII digits. `Display` and `Debug` mask it
/// (`0310******56`); the full number comes out only through [`PersonalId::expose`], which the
/// store audits.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PersonalId(String);

impl PersonalId {
    /// Exactly 12 ASCII digits, nothing else (no repairs: see [`clean_id_text`]).
    pub fn parse(s: &str) -> Option<PersonalId> {
        (s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())).then(|| PersonalId(s.to_owned()))
    }

    /// The full number. Callers that show or export it must audit the access.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// First four and last two digits: `0310******56`.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }

    /// Digits 1–3: the birth-registration province code (pre-2025) or a country code.
    pub fn prefix(&self) -> &str {
        &self.0[..3]
    }

    /// True when the prefix is one of the 63 pre-2025 province codes.
    pub fn has_known_prefix(&self) -> bool {
        is_known_prefix(self.prefix())
    }

    /// The pre-2025 province where the birth was registered, with its post-2025 province.
    pub fn birth_province(&self) -> Option<&'static ProvinceConversion> {
        province_of_prefix(self.prefix())
    }

    /// Digit 4: century and sex.
    pub fn century_sex_digit(&self) -> u8 {
        self.0.as_bytes()[3] - b'0'
    }

    /// Sex from digit 4 (even = male, odd = female).
    pub fn sex(&self) -> Gender {
        if self.century_sex_digit().is_multiple_of(2) { Gender::Male } else { Gender::Female }
    }

    /// First year of the birth century from digit 4 (0/1 → 1900, 2/3 → 2000, …, 8/9 → 2300).
    pub fn century(&self) -> i32 {
        1900 + 100 * i32::from(self.century_sex_digit() / 2)
    }

    /// The birth year digits 4–6 say.
    pub fn birth_year(&self) -> i32 {
        let b = self.0.as_bytes();
        self.century() + i32::from(b[4] - b'0') * 10 + i32::from(b[5] - b'0')
    }
}

impl std::fmt::Display for PersonalId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.masked())
    }
}

impl std::fmt::Debug for PersonalId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PersonalId({})", self.masked())
    }
}

/// Masks an identifier for lists and messages: the first four and last two characters stay,
/// the rest become `*` (`031203001234` → `0312******34`); six characters or fewer are all `*`.
/// Surrounding spaces are dropped first.
pub fn mask(s: &str) -> String {
    let chars: Vec<char> = s.trim().chars().collect();
    if chars.len() <= 6 {
        return "*".repeat(chars.len());
    }
    let mut out = String::with_capacity(chars.len());
    out.extend(&chars[..4]);
    out.extend(std::iter::repeat_n('*', chars.len() - 6));
    out.extend(&chars[chars.len() - 2..]);
    out
}

/// Masks every run of at least `min_run` ASCII digits in a text with [`mask`] (files and
/// messages shown to a role that sees ID numbers masked).
pub fn mask_digit_runs(s: &str, min_run: usize) -> String {
    let mut out = String::with_capacity(s.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() >= min_run {
            out.push_str(&mask(run));
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in s.chars() {
        if c.is_ascii_digit() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// `[n]` is true when "0" + two-digit `n` is a pre-2025 province code.
static KNOWN_PREFIX: LazyLock<[bool; 100]> = LazyLock::new(|| {
    let mut known = [false; 100];
    for (n, slot) in known.iter_mut().enumerate() {
        *slot = old_province(&format!("{n:02}")).is_some();
    }
    known
});

/// True for the 63 prefixes "001" … "096" that are pre-2025 province codes.
pub fn is_known_prefix(prefix: &str) -> bool {
    let b = prefix.as_bytes();
    b.len() == 3
        && b[0] == b'0'
        && b[1].is_ascii_digit()
        && b[2].is_ascii_digit()
        && KNOWN_PREFIX[usize::from((b[1] - b'0') * 10 + (b[2] - b'0'))]
}

fn province_of_prefix(prefix: &str) -> Option<&'static ProvinceConversion> {
    if is_known_prefix(prefix) { old_province(&prefix[1..]) } else { None }
}

/// "Tỉnh Yên Bái" → "Yên Bái".
fn short_name(name: &str) -> &str {
    name.strip_prefix("Thành phố ").or_else(|| name.strip_prefix("Tỉnh ")).unwrap_or(name)
}

/// A prefix as clerks read it: "015 — Yên Bái (cũ), nay thuộc Lào Cai", "001 — Hà Nội".
pub fn describe_prefix(prefix: &str) -> Option<String> {
    let p = province_of_prefix(prefix)?;
    let old = short_name(&p.old_name);
    let new = short_name(&p.new_name);
    Some(if p.old_code == p.new_code && old == new {
        format!("{prefix} — {old}")
    } else {
        format!("{prefix} — {old} (cũ), nay thuộc {new}")
    })
}

/// What an ID cell holds once the harmless damage is removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdText {
    /// Empty or only spaces.
    Blank,
    /// Excel's scientific notation ("3.12E+11", "3,1E+11"): the digits are gone.
    Scientific,
    /// The text without separators, apostrophes, wrappers or a ".0" float tail.
    Cleaned {
        value: String,
        /// Something was removed or mapped (spaces, dots, dashes, apostrophe, `="…"`, ".0",
        /// full-width digits).
        repaired: bool,
        /// Characters other than ASCII digits left in `value`, each once (at most 16).
        non_digits: Vec<char>,
    },
}

fn is_separator(c: char) -> bool {
    is_odd_space(c) || matches!(c, '.' | '-' | '_' | '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}')
}

fn is_quote(c: char) -> bool {
    matches!(c, '\'' | '’' | '‘' | '`' | '"' | '“' | '”')
}

/// Cleans an ID cell. Scientific notation is recognised before anything is removed (so "3.1E+11"
/// is not read as digits "31" and "11").
pub fn clean_id_text(entered: &str) -> IdText {
    let trimmed = entered.trim_matches(is_odd_space);
    if trimmed.is_empty() {
        return IdText::Blank;
    }
    let mut s = trimmed;
    // ="031203001234" (a CSV trick to keep zeros) and quotes or a leading apostrophe
    if let Some(inner) = s.strip_prefix('=') {
        s = inner;
    }
    s = s.trim_start_matches(is_quote).trim_end_matches(is_quote);
    s = s.trim_matches(is_odd_space);
    if is_scientific(s) {
        return IdText::Scientific;
    }
    let mut value = String::with_capacity(s.len());
    // a float cell's ".0" tail
    let body = match s.rsplit_once(['.', ',']) {
        Some((int, frac))
            if !frac.is_empty()
                && frac.bytes().all(|b| b == b'0')
                && !int.is_empty()
                && int.bytes().all(|b| b.is_ascii_digit()) =>
        {
            int
        }
        _ => s,
    };
    let mut non_digits = Vec::new();
    for c in body.chars() {
        if c.is_ascii_digit() {
            value.push(c);
        } else if ('０'..='９').contains(&c) {
            value.push(char::from(b'0' + (c as u32 - '０' as u32) as u8));
        } else if !is_separator(c) {
            value.push(c);
            if non_digits.len() < 16 && !non_digits.contains(&c) {
                non_digits.push(c);
            }
        }
    }
    let repaired = value != entered;
    IdText::Cleaned { value, repaired, non_digits }
}

/// "3.12E+11", "3,1E+11", "3E11", "3.12e+011".
fn is_scientific(s: &str) -> bool {
    let Some(e) = s.find(['e', 'E']) else {
        return false;
    };
    let (mantissa, exponent) = (&s[..e], &s[e + 1..]);
    let exponent = exponent.trim_start_matches('+').trim();
    let mantissa = mantissa.trim();
    let mut seps = 0;
    let mantissa_ok = !mantissa.is_empty()
        && mantissa.bytes().next().is_some_and(|b| b.is_ascii_digit())
        && mantissa.bytes().all(|b| {
            if b == b'.' || b == b',' {
                seps += 1;
                true
            } else {
                b.is_ascii_digit()
            }
        })
        && seps <= 1;
    mantissa_ok && !exponent.is_empty() && exponent.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digit_runs_of_a_length_are_masked_and_shorter_ones_kept() {
        for (text, min, want) in [
            ("031214001234", 9, "0312******34"),
            ("Số 031214001234 trùng với 025123456", 9, "Số 0312******34 trùng với 0251***56"),
            ("05/03/2014, lớp 6A, 0912345678", 9, "05/03/2014, lớp 6A, 0912****78"),
            ("20140305", 9, "20140305"),
            ("mã 123456", 6, "mã ******"),
            ("", 6, ""),
        ] {
            assert_eq!(mask_digit_runs(text, min), want, "{text:?}");
        }
    }

    #[test]
    fn holds_exactly_twelve_digits_and_masks_itself() {
        let id = PersonalId::parse("031203001234").expect("id");
        assert_eq!(id.to_string(), "0312******34");
        assert_eq!(format!("{id:?}"), "PersonalId(0312******34)");
        assert_eq!(id.expose(), "031203001234");
        assert_eq!(id.prefix(), "031");
        assert_eq!(id.century_sex_digit(), 2);
        assert_eq!(id.sex(), Gender::Male);
        assert_eq!(id.birth_year(), 2003);
        let id = PersonalId::parse("001185012345").expect("id");
        assert_eq!((id.sex(), id.birth_year()), (Gender::Female, 1985));
        for bad in ["", "03120300123", "0312030012345", "03120300123a", "０31203001234"] {
            assert!(PersonalId::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn knows_the_sixty_three_prefixes() {
        let domain_list = "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 \
            030 031 033 034 035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 \
            062 064 066 067 068 070 072 074 075 077 079 080 082 083 084 086 087 089 091 092 093 \
            094 095 096";
        let listed: Vec<&str> = domain_list.split_whitespace().collect();
        assert_eq!(listed.len(), 63);
        for n in 0..1000 {
            let prefix = format!("{n:03}");
            assert_eq!(is_known_prefix(&prefix), listed.contains(&prefix.as_str()), "{prefix}");
        }
        assert_eq!(describe_prefix("015").as_deref(), Some("015 — Yên Bái (cũ), nay thuộc Lào Cai"));
        assert_eq!(describe_prefix("001").as_deref(), Some("001 — Hà Nội"));
        assert_eq!(describe_prefix("003"), None);
    }

    #[test]
    fn cleans_spreadsheet_damage() {
        let cleaned =
            |value: &str, repaired: bool| IdText::Cleaned { value: value.to_owned(), repaired, non_digits: vec![] };
        let cases = [
            ("031203001234", cleaned("031203001234", false)),
            (" 031 203 001 234 ", cleaned("031203001234", true)),
            ("031.203.001.234", cleaned("031203001234", true)),
            ("031-203-001234", cleaned("031203001234", true)),
            ("'031203001234", cleaned("031203001234", true)),
            ("031203001234\u{00A0}", cleaned("031203001234", true)),
            ("031\u{200B}203001234", cleaned("031203001234", true)),
            ("=\"031203001234\"", cleaned("031203001234", true)),
            ("31203001234.0", cleaned("31203001234", true)),
            ("０３１２０３００１２３４", cleaned("031203001234", true)),
            ("123456789", cleaned("123456789", false)),
            ("", IdText::Blank),
            (" \u{00A0}", IdText::Blank),
            ("3.12E+11", IdText::Scientific),
            ("3,12E+11", IdText::Scientific),
            ("3.1203E+10", IdText::Scientific),
            ("3E11", IdText::Scientific),
        ];
        for (text, want) in cases {
            assert_eq!(clean_id_text(text), want, "{text:?}");
        }
        match clean_id_text("O31203001234") {
            IdText::Cleaned { non_digits, .. } => assert_eq!(non_digits, ['O']),
            other => panic!("{other:?}"),
        }
        match clean_id_text("CCCD 031203001234") {
            IdText::Cleaned { non_digits, .. } => assert_eq!(non_digits, ['C', 'D']),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn masks_any_length() {
        assert_eq!(mask("031203001234"), "0312******34");
        assert_eq!(mask("123456789"), "1234***89");
        assert_eq!(mask("12345"), "*****");
    }
}
