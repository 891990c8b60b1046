//! Gender as entered: "Nam"/"Nữ" from any common spelling (nam, NAM, nữ, NỮ, nu, NỮ in NFD,
//! M/F, male/female, trai/gái, legacy-font "N÷"/"Nöõ") and 1/0 or 1/2 only when the template
//! says which digit is which.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::legacy;
use super::text::{collapse_whitespace_cow, fold_ascii, normalize_marks};

/// The two values the national database knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum Gender {
    #[serde(rename = "Nam")]
    Male,
    #[serde(rename = "Nữ")]
    Female,
}

impl Gender {
    /// "Nam" or "Nữ".
    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Male => "Nam",
            Gender::Female => "Nữ",
        }
    }
}

/// What digits mean in a template's gender column. Without a convention a digit is
/// unrecognised: templates disagree (1 = Nam in some, 1 = Nữ in "Nữ?"-style columns).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NumericGender {
    /// Digits are not accepted.
    #[default]
    Unspecified,
    /// 1 = Nam, 0 = Nữ.
    OneMaleZeroFemale,
    /// 1 = Nữ, 0 = Nam (a "Nữ" column ticked with 1).
    OneFemaleZeroMale,
    /// 1 = Nam, 2 = Nữ (statistics forms).
    OneMaleTwoFemale,
}

/// How a gender text was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GenderReading {
    /// Empty or only spaces.
    Blank,
    /// Recognised; `exact` when the text was already "Nam"/"Nữ" as stored.
    Known { gender: Gender, exact: bool },
    /// A digit (0, 1, 2) but the context gives no convention for digits.
    DigitWithoutConvention,
    /// Nothing recognisable.
    Unrecognized,
}

/// Reads a gender text.
pub fn read_gender(entered: &str, digits: NumericGender) -> GenderReading {
    match entered {
        "Nam" => {
            return GenderReading::Known { gender: Gender::Male, exact: true };
        }
        "Nữ" => {
            return GenderReading::Known { gender: Gender::Female, exact: true };
        }
        _ => {}
    }
    let collapsed = collapse_whitespace_cow(entered);
    if collapsed.is_empty() {
        return GenderReading::Blank;
    }
    let marks = normalize_marks(&collapsed);
    let text = match legacy::detect(&marks) {
        Some(encoding) => std::borrow::Cow::Owned(legacy::decode(&marks, encoding)),
        None => marks,
    };
    let folded = fold_ascii(&text);
    let key = folded.trim_end_matches('.');
    let known = |gender| GenderReading::Known { gender, exact: false };
    match key {
        "nam" | "m" | "male" | "man" | "boy" | "trai" | "con trai" | "nam gioi" => known(Gender::Male),
        "nu" | "f" | "female" | "woman" | "girl" | "gai" | "con gai" | "nu gioi" => known(Gender::Female),
        "0" | "1" | "2" | "0.0" | "1.0" | "2.0" => {
            let digit = key.as_bytes()[0];
            let gender = match (digits, digit) {
                (NumericGender::OneMaleZeroFemale, b'1') => Gender::Male,
                (NumericGender::OneMaleZeroFemale, b'0') => Gender::Female,
                (NumericGender::OneFemaleZeroMale, b'1') => Gender::Female,
                (NumericGender::OneFemaleZeroMale, b'0') => Gender::Male,
                (NumericGender::OneMaleTwoFemale, b'1') => Gender::Male,
                (NumericGender::OneMaleTwoFemale, b'2') => Gender::Female,
                (NumericGender::Unspecified, _) => return GenderReading::DigitWithoutConvention,
                _ => return GenderReading::Unrecognized,
            };
            known(gender)
        }
        _ => GenderReading::Unrecognized,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(gender: Gender) -> GenderReading {
        GenderReading::Known { gender, exact: false }
    }

    #[test]
    fn reads_common_spellings() {
        let u = NumericGender::Unspecified;
        let cases = [
            ("nam", known(Gender::Male)),
            ("NAM", known(Gender::Male)),
            (" Nam ", known(Gender::Male)),
            ("M", known(Gender::Male)),
            ("male", known(Gender::Male)),
            ("Trai", known(Gender::Male)),
            ("nữ", known(Gender::Female)),
            ("NỮ", known(Gender::Female)),
            ("N\u{1EEE}", known(Gender::Female)),
            ("NU\u{031B}\u{0303}", known(Gender::Female)),
            ("nu", known(Gender::Female)),
            ("Nu", known(Gender::Female)),
            ("F", known(Gender::Female)),
            ("Female", known(Gender::Female)),
            ("gái", known(Gender::Female)),
            ("N÷", known(Gender::Female)),
            ("Nöõ", known(Gender::Female)),
            ("Nam", GenderReading::Known { gender: Gender::Male, exact: true }),
            ("Nữ", GenderReading::Known { gender: Gender::Female, exact: true }),
            ("", GenderReading::Blank),
            ("\u{00A0}", GenderReading::Blank),
            ("1", GenderReading::DigitWithoutConvention),
            ("Khác", GenderReading::Unrecognized),
            ("x", GenderReading::Unrecognized),
            ("Nammm", GenderReading::Unrecognized),
            ("na", GenderReading::Unrecognized),
        ];
        for (text, want) in cases {
            assert_eq!(read_gender(text, u), want, "{text:?}");
        }
    }

    #[test]
    fn digits_follow_the_convention() {
        use NumericGender::*;
        assert_eq!(read_gender("1", OneMaleZeroFemale), known(Gender::Male));
        assert_eq!(read_gender("0", OneMaleZeroFemale), known(Gender::Female));
        assert_eq!(read_gender("1", OneFemaleZeroMale), known(Gender::Female));
        assert_eq!(read_gender("0.0", OneFemaleZeroMale), known(Gender::Male));
        assert_eq!(read_gender("2", OneMaleTwoFemale), known(Gender::Female));
        assert_eq!(read_gender("0", OneMaleTwoFemale), GenderReading::Unrecognized);
        assert_eq!(read_gender("2", OneMaleZeroFemale), GenderReading::Unrecognized);
    }
}
