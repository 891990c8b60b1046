//! Three-way import: what a file's cell means for a field, given what the template carried when
//! it was exported (the base), what the file says now and what the record holds now. A stale
//! template never reverts a newer value, and when both sides changed the clerk decides.
//! Pure; `store::imports` finds the base (the export's snapshot) and `plan` calls [`classify`].

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::identity::{Identity, IdentityField};

/// What an import does with one field.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldStatus {
    /// The file changed the field and the record has not changed since the export: written.
    #[default]
    Update,
    /// The file holds what was exported but the record changed since: the newer value is kept.
    Stale,
    /// Both the file and the record changed: written only when the clerk picks the file's value
    /// (`take: "file"` in the commit's choices).
    Conflict,
    /// Nothing to do.
    Unchanged,
}

impl FieldStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FieldStatus::Update => "update",
            FieldStatus::Stale => "stale",
            FieldStatus::Conflict => "conflict",
            FieldStatus::Unchanged => "unchanged",
        }
    }

    /// Vietnamese, for the preview and the error workbook.
    pub fn label(self) -> &'static str {
        match self {
            FieldStatus::Update => "Cập nhật",
            FieldStatus::Stale => "giữ giá trị mới hơn",
            FieldStatus::Conflict => "cả tệp và hồ sơ đều đã sửa: cần chọn giá trị",
            FieldStatus::Unchanged => "Không đổi",
        }
    }

    /// Whether the commit writes the field without a choice.
    pub fn written_by_default(self) -> bool {
        self == FieldStatus::Update
    }
}

/// What the server knows of a record as the file's template carried it.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Base {
    /// Not our template (or a record it did not carry): the file is compared with the record.
    #[default]
    Unknown,
    /// The values the template carried.
    Exported(Identity),
    /// The template carried the record, what it carried is no longer kept, and the record's
    /// version differs from the one in the file: it changed since, so every difference needs a
    /// decision.
    ChangedSince,
}

/// The text of an optional value, trimmed, `None` when empty.
pub fn blank(v: Option<&str>) -> Option<String> {
    v.map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// Same value, spaces around it ignored.
pub fn same(a: &Option<String>, b: &Option<String>) -> bool {
    blank(a.as_deref()) == blank(b.as_deref())
}

/// Same, for a field: an ID number read from a numeric cell (leading zeros lost) is the same
/// number as the stored one when padding it back gives it.
pub fn same_field(field: IdentityField, stored: &Option<String>, read: &Option<String>) -> bool {
    if same(stored, read) {
        return true;
    }
    match (field, blank(stored.as_deref()), blank(read.as_deref())) {
        (IdentityField::PersonalId, Some(o), Some(n)) => {
            n.len() < 12 && n.bytes().all(|b| b.is_ascii_digit()) && format!("{n:0>12}") == o
        }
        _ => false,
    }
}

/// The status of one field: `file` is the value the row leaves on the field (the current value
/// when its cell is empty), `current` the record's value now.
pub fn classify(field: IdentityField, base: &Base, file: &Option<String>, current: &Option<String>) -> FieldStatus {
    if same_field(field, current, file) {
        return FieldStatus::Unchanged;
    }
    match base {
        Base::Unknown => FieldStatus::Update,
        Base::ChangedSince => FieldStatus::Conflict,
        Base::Exported(exported) => {
            let exported = exported.get(field);
            if same_field(field, exported, file) {
                FieldStatus::Stale
            } else if same_field(field, exported, current) {
                FieldStatus::Update
            } else {
                FieldStatus::Conflict
            }
        }
    }
}

/// The base of a record the file names, from what the server kept of the export (`snapshot`),
/// the version the file says the record had (`file_version`) and its version now.
pub fn base_of(snapshot: Option<Identity>, file_version: Option<i32>, version: i32) -> Base {
    match (snapshot, file_version) {
        (Some(values), _) => Base::Exported(values),
        (None, Some(v)) if v != version => Base::ChangedSince,
        _ => Base::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use FieldStatus::*;

    fn s(v: &str) -> Option<String> {
        (!v.is_empty()).then(|| v.to_owned())
    }

    fn exported(dob: &str, pid: &str) -> Base {
        Base::Exported(Identity { date_of_birth: s(dob), personal_id: s(pid), ..Identity::default() })
    }

    #[test]
    fn each_field_is_update_stale_conflict_or_unchanged() {
        use IdentityField::{DateOfBirth as Dob, PersonalId as Pid};
        let base = exported("17/07/2015", "031215001234");
        // (field, base, file, current, expected)
        let cases = [
            // the clerk changed the cell, nobody touched the record: written
            (Dob, &base, "18/07/2015", "17/07/2015", Update),
            // the record was edited in the web app after the export, the cell is as exported
            (Dob, &base, "17/07/2015", "19/07/2015", Stale),
            // both changed, differently: the clerk decides
            (Dob, &base, "18/07/2015", "19/07/2015", Conflict),
            // both changed the same way, or nothing changed
            (Dob, &base, "19/07/2015", "19/07/2015", Unchanged),
            (Dob, &base, "17/07/2015", "17/07/2015", Unchanged),
            // a cleared cell (the `(xoá)` marker) against a record changed since
            (Dob, &base, "", "19/07/2015", Conflict),
            (Dob, &base, "", "17/07/2015", Update),
            // an ID number read from a numeric cell, its leading zero lost, is the exported one
            (Pid, &base, "31215001234", "031215009999", Stale),
            (Pid, &base, "31215001234", "031215001234", Unchanged),
            // no metadata: compared with the record, as before
            (Dob, &Base::Unknown, "18/07/2015", "19/07/2015", Update),
            // the record changed since an export whose values are no longer kept
            (Dob, &Base::ChangedSince, "18/07/2015", "19/07/2015", Conflict),
            (Dob, &Base::ChangedSince, "19/07/2015", "19/07/2015", Unchanged),
        ];
        for (field, base, file, current, expected) in cases {
            assert_eq!(classify(field, base, &s(file), &s(current)), expected, "{field:?} {base:?} {file} {current}");
        }
    }

    #[test]
    fn the_base_comes_from_the_snapshot_else_from_the_version() {
        let values = Identity { full_name: s("Lê Tuệ Hân"), ..Identity::default() };
        assert_eq!(base_of(Some(values.clone()), Some(3), 4), Base::Exported(values));
        assert_eq!(base_of(None, Some(3), 4), Base::ChangedSince);
        assert_eq!(base_of(None, Some(4), 4), Base::Unknown);
        assert_eq!(base_of(None, None, 4), Base::Unknown);
    }

    #[test]
    fn only_an_update_is_written_without_a_choice() {
        assert!(Update.written_by_default());
        assert!(!Stale.written_by_default() && !Conflict.written_by_default() && !Unchanged.written_by_default());
        assert_eq!(Stale.label(), "giữ giá trị mới hơn");
    }
}
