//! Vietnamese labels of what statistics count: finding codes (from the rules' own messages, so
//! new codes get a label without a change here), mismatch fields and report headers.

use crate::rules::Code;

/// Label of a finding code: the rules' message without its final period; the code itself when
/// the rules no longer know it.
pub fn finding_label(code: &str) -> String {
    match Code::parse(code) {
        Some(c) => c.message().trim_end_matches('.').to_owned(),
        None => code.to_owned(),
    }
}

/// Label of an identity field.
pub fn field_label(field: &str) -> &str {
    match field {
        "fullName" => "Họ và tên",
        "dateOfBirth" => "Ngày sinh",
        "gender" => "Giới tính",
        "personalId" => "Số định danh cá nhân",
        "residence" => "Nơi thường trú",
        other => other,
    }
}

/// Label of a mismatch field as a failure reason.
pub fn mismatch_label(field: &str) -> String {
    format!("Sai {} so với CSDL quốc gia về dân cư", field_label(field).to_lowercase())
}

/// Label of a status counted as a failure reason.
pub fn status_label(status: &str) -> String {
    match status {
        "not_found" => "Không có trong CSDLQG".to_owned(),
        "awaiting_evidence" => "Chờ giấy tờ".to_owned(),
        other => other.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_vietnamese_and_total() {
        let cases = [
            (finding_label("dob_missing"), "Chưa nhập ngày sinh"),
            (finding_label("no_such_code"), "no_such_code"),
            (mismatch_label("dateOfBirth"), "Sai ngày sinh so với CSDL quốc gia về dân cư"),
            (field_label("residence").to_owned(), "Nơi thường trú"),
            (status_label("not_found"), "Không có trong CSDLQG"),
            (status_label("awaiting_evidence"), "Chờ giấy tờ"),
        ];
        for (got, want) in cases {
            assert_eq!(got, want);
        }
        for code in Code::ALL {
            assert!(!finding_label(code.as_str()).ends_with('.'), "{code:?}");
        }
    }
}
