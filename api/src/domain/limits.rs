//! Length and character limits of the identity fields, the same on every way in: the JSON
//! API (`IdentityBody`, `PersonPatch`) and the spreadsheet import (a row breaking one is
//! rejected with the reason). Lengths count characters.

use super::identity::IdentityField;

pub const MAX_SECTOR_CODE: usize = 32;
pub const MAX_FULL_NAME: usize = 255;
pub const MAX_DATE_OF_BIRTH: usize = 64;
pub const MAX_GENDER: usize = 32;
pub const MAX_PERSONAL_ID: usize = 64;
pub const MAX_RESIDENCE_PART: usize = 255;
pub const MAX_RESIDENCE_TEXT: usize = 500;

/// The most characters a field holds.
pub const fn max_chars(field: IdentityField) -> usize {
    match field {
        IdentityField::FullName => MAX_FULL_NAME,
        IdentityField::DateOfBirth => MAX_DATE_OF_BIRTH,
        IdentityField::Gender => MAX_GENDER,
        IdentityField::PersonalId => MAX_PERSONAL_ID,
        IdentityField::ResidenceProvince | IdentityField::ResidenceDistrict | IdentityField::ResidenceCommune => {
            MAX_RESIDENCE_PART
        }
        IdentityField::ResidenceText => MAX_RESIDENCE_TEXT,
    }
}

/// What is wrong with a text against its limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextProblem {
    /// Longer than this many characters.
    TooLong(usize),
    /// Holds a control character (a tab or a line break excepted).
    ControlCharacter,
}

impl TextProblem {
    /// The stable code (`too_long`, `invalid_characters`).
    pub fn code(self) -> &'static str {
        match self {
            TextProblem::TooLong(_) => "too_long",
            TextProblem::ControlCharacter => "invalid_characters",
        }
    }

    /// A Vietnamese sentence naming the field by its label.
    pub fn message(self, label: &str) -> String {
        match self {
            TextProblem::TooLong(max) => format!("{label} dài quá {max} ký tự; hãy rút gọn."),
            TextProblem::ControlCharacter => {
                format!("{label} chứa ký tự điều khiển (ký tự ẩn không gõ được); hãy gõ lại ô này.")
            }
        }
    }
}

/// The first problem of a text against a length limit and the character rule.
pub fn check(text: &str, max: usize) -> Option<TextProblem> {
    if text.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')) {
        return Some(TextProblem::ControlCharacter);
    }
    (text.chars().nth(max).is_some()).then_some(TextProblem::TooLong(max))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_count_characters_and_control_characters_are_refused() {
        for (text, max, want) in [
            ("Nguyễn Văn An", MAX_FULL_NAME, None),
            (&*"ễ".repeat(255), MAX_FULL_NAME, None),
            (&*"ễ".repeat(256), MAX_FULL_NAME, Some(TextProblem::TooLong(255))),
            (&*"a".repeat(40_000), MAX_FULL_NAME, Some(TextProblem::TooLong(255))),
            ("Nguyễn\u{0}Văn An", MAX_FULL_NAME, Some(TextProblem::ControlCharacter)),
            ("\u{1}", MAX_GENDER, Some(TextProblem::ControlCharacter)),
            ("Thôn 3,\nxã Yên Bình", MAX_RESIDENCE_TEXT, None),
            ("031214001234", MAX_PERSONAL_ID, None),
        ] {
            assert_eq!(check(text, max), want, "{text:?}");
        }
        assert_eq!(max_chars(IdentityField::ResidenceText), 500);
        assert!(TextProblem::TooLong(255).message("Họ tên").contains("255"));
    }
}
