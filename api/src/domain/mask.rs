//! Masking of personal ID numbers for lists, exports of lists and anything else that does not
//! need the full number: the first four and the last two characters stay (`0310******56`).

/// Masks an ID number as entered. Short values are masked entirely but for their length.
pub fn mask_personal_id(value: &str) -> String {
    let chars: Vec<char> = value.trim().chars().collect();
    let n = chars.len();
    if n < 8 {
        return "*".repeat(n);
    }
    chars.iter().enumerate().map(|(i, c)| if i < 4 || i >= n - 2 { *c } else { '*' }).collect()
}

#[cfg(test)]
mod tests {
    use super::mask_personal_id;

    #[test]
    fn masks_all_but_four_and_two() {
        let cases = [
            ("031012345656", "0310******56"),
            ("  031012345656 ", "0310******56"),
            ("123456789", "1234***89"),
            ("3.1E+11", "*******"),
            ("", ""),
        ];
        for (input, want) in cases {
            assert_eq!(mask_personal_id(input), want, "{input:?}");
        }
    }
}
