//! The education sector's organisation: unit kinds, school levels, staff positions, record
//! statuses. Stored as snake_case text.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal / $label:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant,)* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)* }
            }
            /// Vietnamese label.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label,)* }
            }
            pub fn parse(s: &str) -> Option<$name> {
                match s { $($text => Some($name::$variant),)* _ => None }
            }
        }
    };
}

text_enum! {
    /// A node of the unit tree.
    UnitKind {
        /// Sở GDĐT.
        Department = "department" / "Sở Giáo dục và Đào tạo",
        /// Phòng GDĐT or any management unit between the department and schools.
        District = "district" / "Phòng Giáo dục và Đào tạo",
        School = "school" / "Trường",
    }
}

text_enum! {
    /// Level of a school.
    SchoolLevel {
        MamNon = "mam_non" / "Mầm non",
        TieuHoc = "tieu_hoc" / "Tiểu học",
        Thcs = "thcs" / "THCS",
        Thpt = "thpt" / "THPT",
        LienCap = "lien_cap" / "Liên cấp",
        GdnnGdtx = "gdnn_gdtx" / "GDNN-GDTX",
    }
}

text_enum! {
    /// A staff member's position.
    Position {
        Manager = "manager" / "Cán bộ quản lý",
        Teacher = "teacher" / "Giáo viên",
        Employee = "employee" / "Nhân viên",
    }
}

text_enum! {
    /// Where a record stands in verification against the national population database.
    VerificationStatus {
        NotSent = "not_sent" / "Chưa gửi",
        Queued = "queued" / "Đang xác thực",
        Verified = "verified" / "Đã xác thực",
        Mismatched = "mismatched" / "Sai lệch CSDLQG",
        NotFound = "not_found" / "Không có trong CSDLQG",
        AwaitingEvidence = "awaiting_evidence" / "Chờ giấy tờ",
        Error = "error" / "Lỗi khi xác thực",
    }
}

impl SchoolLevel {
    /// The grades a school of this level teaches (0 = preschool; 13 = vocational and
    /// continuing education courses).
    pub fn grades(self) -> std::ops::RangeInclusive<i32> {
        match self {
            SchoolLevel::MamNon => 0..=0,
            SchoolLevel::TieuHoc => 1..=5,
            SchoolLevel::Thcs => 6..=9,
            SchoolLevel::Thpt => 10..=12,
            SchoolLevel::LienCap => 1..=12,
            SchoolLevel::GdnnGdtx => 10..=12,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips() {
        for k in UnitKind::ALL {
            assert_eq!(UnitKind::parse(k.as_str()), Some(*k));
        }
        for s in VerificationStatus::ALL {
            assert_eq!(VerificationStatus::parse(s.as_str()), Some(*s));
            assert_eq!(serde_json::to_value(s).expect("json"), s.as_str());
        }
        assert_eq!(SchoolLevel::parse("thcs"), Some(SchoolLevel::Thcs));
        assert_eq!(Position::parse("boss"), None);
    }
}
