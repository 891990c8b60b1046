//! The identity model: the fields that say who a person is, kept exactly as entered. Every layer
//! goes through it: API bodies convert into an [`Identity`] or an [`IdentityPatch`], the store
//! maps it onto its columns, the import plan compares and fills it field by field, the audit
//! names each field by [`IdentityField::name`]. Adding an identity field means a variant here
//! (with its name and slot), its column in the store, and its place in the API body.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Whether the record is a student's or a staff member's (age plausibility differs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum PersonKind {
    #[default]
    Student,
    Staff,
}

impl PersonKind {
    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            PersonKind::Student => "student",
            PersonKind::Staff => "staff",
        }
    }

    /// The kind a stored or wire name names.
    pub fn parse(s: &str) -> Option<PersonKind> {
        match s {
            "student" => Some(PersonKind::Student),
            "staff" => Some(PersonKind::Staff),
            _ => None,
        }
    }
}

/// One identity field. Its [`name`](IdentityField::name) is the wire name (JSON, import plans)
/// and the audit trail's field name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum IdentityField {
    FullName,
    DateOfBirth,
    Gender,
    PersonalId,
    ResidenceProvince,
    ResidenceDistrict,
    ResidenceCommune,
    ResidenceText,
}

impl IdentityField {
    /// Every identity field, in display order.
    pub const ALL: [IdentityField; 8] = [
        IdentityField::FullName,
        IdentityField::DateOfBirth,
        IdentityField::Gender,
        IdentityField::PersonalId,
        IdentityField::ResidenceProvince,
        IdentityField::ResidenceDistrict,
        IdentityField::ResidenceCommune,
        IdentityField::ResidenceText,
    ];

    /// The wire and audit name (`fullName`, `residenceProvince`, …).
    pub const fn name(self) -> &'static str {
        match self {
            IdentityField::FullName => "fullName",
            IdentityField::DateOfBirth => "dateOfBirth",
            IdentityField::Gender => "gender",
            IdentityField::PersonalId => "personalId",
            IdentityField::ResidenceProvince => "residenceProvince",
            IdentityField::ResidenceDistrict => "residenceDistrict",
            IdentityField::ResidenceCommune => "residenceCommune",
            IdentityField::ResidenceText => "residenceText",
        }
    }

    /// The field a wire or audit name names.
    pub fn parse(name: &str) -> Option<IdentityField> {
        IdentityField::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// The identity fields exactly as entered (`None`: not given). Serialised in camelCase where it is
/// kept as JSON (the values a template carried, `template_snapshots.data`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Identity {
    pub full_name: Option<String>,
    pub date_of_birth: Option<String>,
    pub gender: Option<String>,
    pub personal_id: Option<String>,
    pub res_province: Option<String>,
    pub res_district: Option<String>,
    pub res_commune: Option<String>,
    pub res_text: Option<String>,
}

/// Empty strings count as absent; everything else is kept exactly as given.
pub fn blank_to_none(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.trim().is_empty())
}

impl Identity {
    /// The value of one field.
    pub fn get(&self, field: IdentityField) -> &Option<String> {
        match field {
            IdentityField::FullName => &self.full_name,
            IdentityField::DateOfBirth => &self.date_of_birth,
            IdentityField::Gender => &self.gender,
            IdentityField::PersonalId => &self.personal_id,
            IdentityField::ResidenceProvince => &self.res_province,
            IdentityField::ResidenceDistrict => &self.res_district,
            IdentityField::ResidenceCommune => &self.res_commune,
            IdentityField::ResidenceText => &self.res_text,
        }
    }

    /// The slot of one field.
    pub fn slot(&mut self, field: IdentityField) -> &mut Option<String> {
        match field {
            IdentityField::FullName => &mut self.full_name,
            IdentityField::DateOfBirth => &mut self.date_of_birth,
            IdentityField::Gender => &mut self.gender,
            IdentityField::PersonalId => &mut self.personal_id,
            IdentityField::ResidenceProvince => &mut self.res_province,
            IdentityField::ResidenceDistrict => &mut self.res_district,
            IdentityField::ResidenceCommune => &mut self.res_commune,
            IdentityField::ResidenceText => &mut self.res_text,
        }
    }

    /// An identity built field by field.
    pub fn from_fn(mut value: impl FnMut(IdentityField) -> Option<String>) -> Identity {
        let mut out = Identity::default();
        for field in IdentityField::ALL {
            *out.slot(field) = value(field);
        }
        out
    }

    /// `(field, value)` pairs in display order.
    pub fn fields(&self) -> impl Iterator<Item = (IdentityField, &Option<String>)> {
        IdentityField::ALL.into_iter().map(|f| (f, self.get(f)))
    }

    /// Blank values made absent.
    pub fn cleaned(self) -> Identity {
        let mut this = self;
        for field in IdentityField::ALL {
            let slot = this.slot(field);
            *slot = blank_to_none(slot.take());
        }
        this
    }

    /// Whether any part of the structured residence is filled.
    pub fn has_structured_residence(&self) -> bool {
        let any = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
        any(&self.res_province) || any(&self.res_district) || any(&self.res_commune)
    }
}

/// A partial change of identity fields: a field absent from the patch stays as it is; present
/// with `None` (or a blank value) it is cleared.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdentityPatch {
    changes: Vec<(IdentityField, Option<String>)>,
}

impl IdentityPatch {
    /// Sets (or, with `None`, clears) a field; a later set of the same field wins.
    pub fn set(&mut self, field: IdentityField, value: Option<String>) {
        self.changes.retain(|(f, _)| *f != field);
        self.changes.push((field, value));
    }

    /// [`IdentityPatch::set`] when `change` is given (`Some(None)` clears).
    pub fn set_if(&mut self, field: IdentityField, change: Option<Option<String>>) {
        if let Some(value) = change {
            self.set(field, value);
        }
    }

    /// The change of one field, if any.
    pub fn get(&self, field: IdentityField) -> Option<&Option<String>> {
        self.changes.iter().find(|(f, _)| *f == field).map(|(_, v)| v)
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The changed fields with their new values, in the order they were set.
    pub fn iter(&self) -> impl Iterator<Item = (IdentityField, &Option<String>)> {
        self.changes.iter().map(|(f, v)| (*f, v))
    }

    /// The identity with the patch applied (blank values become absent).
    pub fn apply(&self, mut identity: Identity) -> Identity {
        for (field, value) in &self.changes {
            *identity.slot(*field) = blank_to_none(value.clone());
        }
        identity
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_wire_names_and_parse_back() {
        let names: Vec<&str> = IdentityField::ALL.iter().map(|f| f.name()).collect();
        assert_eq!(
            names,
            [
                "fullName",
                "dateOfBirth",
                "gender",
                "personalId",
                "residenceProvince",
                "residenceDistrict",
                "residenceCommune",
                "residenceText"
            ]
        );
        for f in IdentityField::ALL {
            assert_eq!(IdentityField::parse(f.name()), Some(f));
            assert_eq!(serde_json::to_value(f).expect("json"), f.name());
        }
        assert_eq!(IdentityField::parse("residence"), None);
    }

    #[test]
    fn every_field_has_its_own_slot() {
        let identity = Identity::from_fn(|f| Some(f.name().to_owned()));
        for (field, value) in identity.fields() {
            assert_eq!(value.as_deref(), Some(field.name()));
        }
    }

    #[test]
    fn a_patch_sets_clears_and_leaves_fields_alone() {
        let before = Identity {
            full_name: Some("Nguyễn Văn An".into()),
            gender: Some("Nam".into()),
            res_text: Some("Số 5 Lê Lợi".into()),
            ..Identity::default()
        };
        let mut patch = IdentityPatch::default();
        patch.set(IdentityField::FullName, Some("Nguyễn Văn Bình".into()));
        patch.set_if(IdentityField::Gender, Some(None));
        patch.set_if(IdentityField::ResidenceText, None);
        patch.set(IdentityField::PersonalId, Some("  ".into()));
        let after = patch.apply(before);
        assert_eq!(after.full_name.as_deref(), Some("Nguyễn Văn Bình"));
        assert_eq!(after.gender, None);
        assert_eq!(after.res_text.as_deref(), Some("Số 5 Lê Lợi"));
        assert_eq!(after.personal_id, None, "a blank value clears");
        assert_eq!(patch.iter().count(), 3);
    }

    #[test]
    fn kinds_round_trip_their_names() {
        for kind in [PersonKind::Student, PersonKind::Staff] {
            assert_eq!(PersonKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(PersonKind::parse("parent"), None);
    }
}
