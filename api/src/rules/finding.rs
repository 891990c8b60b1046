//! The one finding type: it feeds API answers, import reports, record badges and statistics.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The identity field a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum Field {
    FullName,
    DateOfBirth,
    Gender,
    PersonalId,
    Residence,
}

impl Field {
    /// The camelCase name, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Field::FullName => "fullName",
            Field::DateOfBirth => "dateOfBirth",
            Field::Gender => "gender",
            Field::PersonalId => "personalId",
            Field::Residence => "residence",
        }
    }
}

/// `error` blocks verification; `warning` is probably wrong and a human decides; `fixed` means a
/// safe automatic repair was applied (the entered value is kept alongside).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
    Fixed,
}

impl Severity {
    /// The snake_case name, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Fixed => "fixed",
        }
    }
}

macro_rules! codes {
    ($($variant:ident = $text:literal, $sev:ident, $msg:literal;)*) => {
        /// Stable snake_case finding codes (the SPA and reports key their text on them).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum Code { $($variant,)* }

        impl Code {
            /// Every code, in declaration order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];
            /// The stable snake_case key.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $text,)* }
            }
            /// The severity the code has unless a rule says otherwise.
            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$sev,)* }
            }
            /// A generic Vietnamese message for the code (rules may give a more precise one).
            pub fn message(self) -> &'static str {
                match self { $(Code::$variant => $msg,)* }
            }
            /// The code with this key.
            pub fn parse(s: &str) -> Option<Code> {
                match s { $($text => Some(Code::$variant),)* _ => None }
            }
        }
    };
}

codes! {
    NameMissing = "name_missing", Error, "Chưa nhập họ và tên.";
    NameInvalidChars = "name_invalid_chars", Error, "Họ tên có ký tự không phải chữ cái tiếng Việt.";
    NameSingleWord = "name_single_word", Warning, "Họ tên chỉ có một từ.";
    NameLegacyEncoding = "name_legacy_encoding", Fixed, "Họ tên gõ bằng bảng mã cũ (TCVN3/VNI) đã được chuyển sang Unicode.";
    NameNotNfc = "name_not_nfc", Fixed, "Họ tên ở dạng Unicode tổ hợp đã được chuẩn hoá.";
    NameWhitespace = "name_whitespace", Fixed, "Đã bỏ khoảng trắng thừa trong họ tên.";
    NameCase = "name_case", Fixed, "Đã viết hoa chữ cái đầu mỗi tiếng trong họ tên.";
    NameLookalikeChars = "name_lookalike_chars", Fixed, "Đã thay ký tự giống chữ Việt (ví dụ Ð) bằng chữ đúng.";
    DobMissing = "dob_missing", Error, "Chưa nhập ngày sinh.";
    DobUnparseable = "dob_unparseable", Error, "Không đọc được ngày sinh; hãy nhập theo dạng ngày/tháng/năm.";
    DobImpossible = "dob_impossible", Error, "Ngày sinh không tồn tại hoặc ở tương lai.";
    DobExcelSerial = "dob_excel_serial", Fixed, "Ngày sinh bị Excel đổi thành số đã được chuyển lại thành ngày.";
    DobTwoDigitYear = "dob_two_digit_year", Fixed, "Năm sinh chỉ có 2 chữ số đã được hiểu thành năm đầy đủ; hãy kiểm tra.";
    DobIncomplete = "dob_incomplete", Error, "Ngày sinh chỉ có năm (hoặc tháng và năm); học sinh cần ngày sinh đầy đủ theo giấy khai sinh.";
    DobAmbiguous = "dob_ambiguous", Warning, "Ngày và tháng có thể bị đảo; hãy kiểm tra lại.";
    DobImplausibleForGrade = "dob_implausible_for_grade", Warning, "Tuổi không phù hợp với khối lớp hoặc độ tuổi lao động.";
    GenderMissing = "gender_missing", Error, "Chưa nhập giới tính.";
    GenderUnrecognized = "gender_unrecognized", Error, "Không nhận ra giới tính; hãy nhập Nam hoặc Nữ.";
    GenderNormalized = "gender_normalized", Fixed, "Giới tính đã được chuẩn hoá thành Nam/Nữ.";
    IdMissing = "id_missing", Error, "Chưa có số định danh cá nhân.";
    IdLegacyCmnd = "id_legacy_cmnd", Error, "Đây là số CMND 9 số đã hết hiệu lực; cần số định danh cá nhân 12 số.";
    IdBadLength = "id_bad_length", Error, "Số định danh cá nhân phải có đúng 12 chữ số.";
    IdNonDigit = "id_non_digit", Error, "Số định danh cá nhân chỉ gồm chữ số.";
    IdSeparatorsRemoved = "id_separators_removed", Fixed, "Đã bỏ dấu cách, dấu chấm, gạch nối trong số định danh.";
    IdLeadingZerosRestored = "id_leading_zeros_restored", Fixed, "Đã khôi phục số 0 ở đầu số định danh bị Excel làm mất.";
    IdScientificNotation = "id_scientific_notation", Error, "Excel đã đổi số định danh sang dạng số mũ (ví dụ 3,1E+11); cần nhập lại số đầy đủ.";
    IdPrefixUnknown = "id_prefix_unknown", Warning, "Ba số đầu không phải mã tỉnh đăng ký khai sinh (có thể đăng ký ở nước ngoài).";
    IdSexMismatch = "id_sex_mismatch", Warning, "Chữ số thứ 4 của số định danh không khớp với giới tính.";
    IdCenturyMismatch = "id_century_mismatch", Warning, "Chữ số thứ 4 của số định danh không khớp với thế kỷ sinh.";
    IdBirthYearMismatch = "id_birth_year_mismatch", Warning, "Chữ số thứ 5–6 của số định danh không khớp với năm sinh.";
    IdDuplicate = "id_duplicate", Error, "Số định danh cá nhân trùng với một hồ sơ khác.";
    AddressMissing = "address_missing", Error, "Chưa nhập nơi thường trú.";
    AddressProvinceUnknown = "address_province_unknown", Error, "Không tìm thấy tỉnh/thành phố thường trú.";
    AddressDistrictUnknown = "address_district_unknown", Error, "Không tìm thấy quận/huyện thường trú.";
    AddressCommuneUnknown = "address_commune_unknown", Error, "Không tìm thấy phường/xã thường trú.";
    AddressHierarchyMismatch = "address_hierarchy_mismatch", Error, "Phường/xã không thuộc quận/huyện hoặc tỉnh đã nhập.";
    AddressOutdatedUnit = "address_outdated_unit", Warning, "Đơn vị hành chính cũ (trước 01/7/2025); nên cập nhật theo đơn vị mới.";
    AddressSplitUnit = "address_split_unit", Warning, "Phường/xã cũ đã được chia cho nhiều đơn vị mới; cần chọn đơn vị đúng.";
    AddressAmbiguous = "address_ambiguous", Error, "Địa chỉ khớp với nhiều đơn vị hành chính cùng tên; cần ghi rõ hơn (đủ dấu, loại đơn vị).";
    AddressIncomplete = "address_incomplete", Error, "Địa chỉ thường trú chưa có phường/xã.";
    AddressUnitInferred = "address_unit_inferred", Fixed, "Đã bổ sung tỉnh/thành phố hoặc quận/huyện suy ra từ phường/xã đã nhập.";
    AddressHistoricalUnit = "address_historical_unit", Fixed, "Đơn vị hành chính của thời kỳ trước (đã đổi tên, chuyển địa giới hoặc sáp nhập) đã được chuyển sang đơn vị tương ứng.";
}

/// A safe repair: the value as entered and the value after the repair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Fix {
    /// The value before the repair.
    pub from: String,
    /// The value after the repair.
    pub to: String,
}

/// One thing a rule found about one field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// The field the finding is about.
    pub field: Field,
    /// Stable snake_case key.
    pub code: Code,
    /// `error`, `warning` or `fixed`.
    pub severity: Severity,
    /// Vietnamese, for the UI.
    pub message: String,
    /// Values the message refers to (e.g. `expected`, `candidates`).
    #[schema(value_type = Object)]
    pub params: BTreeMap<String, serde_json::Value>,
    /// For `fixed` findings: the value before and after the repair.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
}

impl Finding {
    /// A finding with the code's default severity and message, no params.
    pub fn new(field: Field, code: Code) -> Finding {
        Finding {
            field,
            code,
            severity: code.severity(),
            message: code.message().to_owned(),
            params: BTreeMap::new(),
            fix: None,
        }
    }

    /// Replaces the generic message with a precise one.
    pub fn with_message(mut self, message: impl Into<String>) -> Finding {
        self.message = message.into();
        self
    }

    /// Adds a value the message refers to.
    pub fn with_param(mut self, key: &str, value: impl Into<serde_json::Value>) -> Finding {
        self.params.insert(key.to_owned(), value.into());
        self
    }

    /// Records the repair: the value before and after it.
    pub fn with_fix(mut self, from: impl Into<String>, to: impl Into<String>) -> Finding {
        self.fix = Some(Fix { from: from.into(), to: to.into() });
        self
    }

    /// Overrides the code's default severity.
    pub fn with_severity(mut self, severity: Severity) -> Finding {
        self.severity = severity;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_snake_case_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for &code in Code::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "{s} twice");
            assert!(s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{s}");
            assert_eq!(Code::parse(s), Some(code));
            assert_eq!(serde_json::to_value(code).ok(), Some(serde_json::Value::String(s.to_owned())));
            assert!(!code.message().is_empty());
        }
    }
}
