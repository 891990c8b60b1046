//! The class grade a student record carries, read leniently ("6", "Lớp 6", "6A", "10A1",
//! "Khối 12", "Lá", "Mẫu giáo bé", "Nhà trẻ"), and the birth years that fit it. Vietnamese
//! schools admit by calendar birth year: grade 1 of the school year starting in September Y
//! takes children born in Y − 6, whatever their birthday.

use std::ops::RangeInclusive;

use super::text::fold_ascii;

/// A class grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Grade {
    /// Preschool (grade "0"); `age` is the age group when named: 5 (lá, mẫu giáo lớn),
    /// 4 (chồi, nhỡ), 3 (mầm, bé), 2 (nhà trẻ, 3–36 months).
    Preschool { age: Option<u8> },
    /// Grades 1–12.
    School(u8),
}

impl Grade {
    /// Birth years that are normal for this grade in the school year starting in September of
    /// `school_year`, with room for late starters and repeated years (up to three years older,
    /// the late-entry allowance for disadvantaged areas) and one year early.
    pub fn plausible_birth_years(self, school_year: i32) -> RangeInclusive<i32> {
        match self {
            Grade::School(g) => {
                let expected = school_year - 5 - i32::from(g);
                expected - 3..=expected + 1
            }
            Grade::Preschool { age: Some(2) } => school_year - 3..=school_year,
            Grade::Preschool { age: Some(age) } => {
                let expected = school_year - i32::from(age);
                expected - 1..=expected + 1
            }
            Grade::Preschool { age: None } => school_year - 6..=school_year,
        }
    }

    /// The usual birth year (grade g: school year − 5 − g), for messages.
    pub fn expected_birth_year(self, school_year: i32) -> i32 {
        match self {
            Grade::School(g) => school_year - 5 - i32::from(g),
            Grade::Preschool { age } => school_year - i32::from(age.unwrap_or(4)),
        }
    }

    /// Vietnamese label: "lớp 6", "mầm non".
    pub fn label(self) -> String {
        match self {
            Grade::School(g) => format!("lớp {g}"),
            Grade::Preschool { age: Some(5) } => "mẫu giáo 5 tuổi".to_owned(),
            Grade::Preschool { age: Some(4) } => "mẫu giáo 4 tuổi".to_owned(),
            Grade::Preschool { age: Some(3) } => "mẫu giáo 3 tuổi".to_owned(),
            Grade::Preschool { age: Some(_) } => "nhà trẻ".to_owned(),
            Grade::Preschool { age: None } => "mầm non".to_owned(),
        }
    }
}

/// The usual cell, one or two ASCII digits ("10", " 9 "), read without folding: what
/// [`parse_grade`] gives for it (`Some(None)` for a number that is no grade), or `None` for any
/// other text.
fn plain_number(text: &str) -> Option<Option<Grade>> {
    let s = text.trim();
    if !text.is_ascii() || s.is_empty() || s.len() > 2 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(match s.parse::<u8>().ok()? {
        0 => Some(Grade::Preschool { age: None }),
        g @ 1..=12 => Some(Grade::School(g)),
        _ => None,
    })
}

/// Reads a grade; `None` when the text says no grade 0–12.
pub fn parse_grade(text: &str) -> Option<Grade> {
    if let Some(grade) = plain_number(text) {
        return grade;
    }
    let folded = fold_ascii(text);
    let mut s = folded.trim();
    for prefix in ["lop", "khoi", "grade", "class"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest.trim_start_matches([' ', ':', '.']);
            break;
        }
    }
    // most specific first: "mầm non" is preschool, "mầm" alone the 3-year-old group
    let preschool = [
        ("mau giao lon", Some(5)),
        ("mau giao nho", Some(4)),
        ("mau giao be", Some(3)),
        ("nha tre", Some(2)),
        ("nhom tre", Some(2)),
        ("mam non", None),
        ("mau giao", None),
        ("mn", None),
        ("mg", None),
        ("la", Some(5)),
        ("choi", Some(4)),
        ("mam", Some(3)),
    ];
    for (word, age) in preschool {
        if s == word || s.strip_prefix(word).is_some_and(|r| r.starts_with(' ')) {
            return Some(Grade::Preschool { age });
        }
    }
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() || digits.len() > 2 {
        return None;
    }
    let after = s[digits.len()..].chars().next();
    if after.is_some_and(|c| c.is_ascii_digit()) {
        return None;
    }
    match digits.parse::<u8>().ok()? {
        0 => Some(Grade::Preschool { age: None }),
        g @ 1..=12 => Some(Grade::School(g)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_grades_leniently() {
        let cases = [
            ("6", Some(Grade::School(6))),
            ("Lớp 6", Some(Grade::School(6))),
            ("lop 6", Some(Grade::School(6))),
            ("6A", Some(Grade::School(6))),
            ("6/1", Some(Grade::School(6))),
            ("10A1", Some(Grade::School(10))),
            ("12C3", Some(Grade::School(12))),
            ("Khối 12", Some(Grade::School(12))),
            (" 1 ", Some(Grade::School(1))),
            ("0", Some(Grade::Preschool { age: None })),
            ("Mầm non", Some(Grade::Preschool { age: None })),
            ("Lá", Some(Grade::Preschool { age: Some(5) })),
            ("Lớp Lá 2", Some(Grade::Preschool { age: Some(5) })),
            ("Chồi", Some(Grade::Preschool { age: Some(4) })),
            ("Mẫu giáo bé", Some(Grade::Preschool { age: Some(3) })),
            ("Nhà trẻ", Some(Grade::Preschool { age: Some(2) })),
            ("13", None),
            ("61", None),
            ("", None),
            ("Toán", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_grade(text), want, "{text}");
        }
    }

    #[test]
    fn birth_years_fit_the_grade() {
        // school year 2025–2026: grade 1 born 2019, grade 12 born 2008
        assert_eq!(Grade::School(1).expected_birth_year(2025), 2019);
        assert_eq!(Grade::School(12).expected_birth_year(2025), 2008);
        assert_eq!(Grade::School(6).plausible_birth_years(2025), 2011..=2015);
        assert_eq!(Grade::Preschool { age: Some(5) }.plausible_birth_years(2025), 2019..=2021);
    }
}
