//! The body of `PATCH /students/{id}` and `PATCH /staff/{id}`: one type read by both
//! ([`PersonPatch`]), documented as two (`StudentPatch` with `classId`, `StaffPatch` with
//! `position`), each closed to other fields, so the document says what each route takes: a
//! student's patch with `position`, or a staff member's with `classId`, answers 422.

use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::people::double_option;
use crate::domain::identity::{IdentityField, IdentityPatch};
use crate::domain::org::Position;
use crate::store::people::PersonChanges;

/// Residence changes: an absent part stays, `null` clears it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema, Validate)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResidencePatch {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable, max_length = 255, pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
    #[validate(length(max = 255))]
    pub province: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable, max_length = 255, pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
    #[validate(length(max = 255))]
    pub district: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, nullable, max_length = 255, pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
    #[validate(length(max = 255))]
    pub commune: Option<Option<String>>,
}

/// One patch type: the fields both kinds take, plus the given ones.
macro_rules! person_patch {
    ($(#[$meta:meta])* $name:ident { $($(#[$fmeta:meta])* $field:ident : $ty:ty,)* }) => {
        $(#[$meta])*
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        pub struct $name {
            $($(#[$fmeta])* pub $field: $ty,)*
            #[serde(default, deserialize_with = "double_option")]
            #[schema(value_type = Option<String>, nullable, max_length = 32, pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
            #[validate(length(max = 32, message = "Mã định danh ngành tối đa 32 ký tự."))]
            pub sector_code: Option<Option<String>>,
            #[serde(default, deserialize_with = "double_option")]
            #[schema(value_type = Option<String>, nullable, max_length = 255, pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
            #[validate(length(max = 255, message = "Họ tên tối đa 255 ký tự."))]
            pub full_name: Option<Option<String>>,
            #[serde(default, deserialize_with = "double_option")]
            #[schema(value_type = Option<String>, nullable, max_length = 64, pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
            #[validate(length(max = 64, message = "Ngày sinh tối đa 64 ký tự."))]
            pub date_of_birth: Option<Option<String>>,
            #[serde(default, deserialize_with = "double_option")]
            #[schema(value_type = Option<String>, nullable, max_length = 32, pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
            #[validate(length(max = 32, message = "Giới tính tối đa 32 ký tự."))]
            pub gender: Option<Option<String>>,
            #[serde(default, deserialize_with = "double_option")]
            #[schema(value_type = Option<String>, nullable, max_length = 64, pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
            #[validate(length(max = 64, message = "Số định danh tối đa 64 ký tự."))]
            pub personal_id: Option<Option<String>>,
            #[validate(nested)]
            pub residence: Option<ResidencePatch>,
            #[serde(default, deserialize_with = "double_option")]
            #[schema(value_type = Option<String>, nullable, max_length = 500, pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
            #[validate(length(max = 500, message = "Địa chỉ tối đa 500 ký tự."))]
            pub residence_text: Option<Option<String>>,
            /// The `version` the change is based on; a newer stored version answers 409.
            pub version: Option<i32>,
            /// Save even when the change brings `error` findings the record did not have (audited as
            /// forced); without it such a change answers 422 `would_worsen` naming the findings.
            #[serde(default)]
            pub allow_worse: bool,
            /// Change what the national registry verified on a verified record: the record then shows
            /// "đã sửa sau xác thực" and needs sending again; without it such a change answers 422
            /// `confirm_verified_changes`.
            #[serde(default)]
            pub confirm_verified_changes: bool,
        }
    };
}

person_patch! {
    /// A partial change of a record of either kind, as both routes read it (`classId` is then
    /// refused for staff, `position` for students).
    #[derive(Debug, Clone, Default, Deserialize, ToSchema, Validate)]
    PersonPatch {
        class_id: Option<i64>,
        #[serde(default, deserialize_with = "double_option")]
        #[schema(value_type = Option<Position>, nullable)]
        position: Option<Option<Position>>,
    }
}

person_patch! {
    /// A partial change of a student (JSON merge semantics: absent = unchanged, `null` = cleared).
    #[derive(Deserialize, ToSchema, Validate)]
    #[allow(dead_code)]
    StudentPatch {
        /// Move to another class of the same school.
        class_id: Option<i64>,
    }
}

person_patch! {
    /// A partial change of a staff member (JSON merge semantics: absent = unchanged, `null` =
    /// cleared).
    #[derive(Deserialize, ToSchema, Validate)]
    #[allow(dead_code)]
    StaffPatch {
        #[serde(default, deserialize_with = "double_option")]
        #[schema(value_type = Option<Position>, nullable)]
        position: Option<Option<Position>>,
    }
}
impl PersonPatch {
    pub(super) fn changes(&self) -> PersonChanges {
        let r = self.residence.clone().unwrap_or_default();
        let mut identity = IdentityPatch::default();
        for field in IdentityField::ALL {
            let change = match field {
                IdentityField::FullName => self.full_name.clone(),
                IdentityField::DateOfBirth => self.date_of_birth.clone(),
                IdentityField::Gender => self.gender.clone(),
                IdentityField::PersonalId => self.personal_id.clone(),
                IdentityField::ResidenceProvince => r.province.clone(),
                IdentityField::ResidenceDistrict => r.district.clone(),
                IdentityField::ResidenceCommune => r.commune.clone(),
                IdentityField::ResidenceText => self.residence_text.clone(),
            };
            identity.set_if(field, change);
        }
        PersonChanges {
            class_id: self.class_id,
            position: self.position,
            sector_code: self.sector_code.clone(),
            identity,
            expected_version: self.version,
            allow_worse: self.allow_worse,
            confirm_verified_changes: self.confirm_verified_changes,
        }
    }
}
