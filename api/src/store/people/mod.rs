//! Students and staff (one table, `kind`): the types a caller hands in and gets back, and the
//! mapping of the identity model onto the table's columns. Every write runs the rule engine,
//! stores the normalised values and findings, keeps the duplicate-ID finding true across all
//! records, resets verification when an identity field changes, and audits each changed field,
//! all in one transaction. One file per question: [`query`] (reading), [`write`] (create,
//! update, delete), [`outcome`] (rule outcomes and findings), [`duplicates`], [`status`]
//! (verification answers), [`maintenance`] (whole-table work).

mod duplicates;
mod maintenance;
mod outcome;
mod query;
mod sealed;
mod status;
mod write;

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Query, SelectStatement};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    JoinType, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, RelationTrait,
};

use super::audit::{self, AuditCtx, Event};
use super::entities::{classes, people, person_findings, units};
use super::{StoreError, StoreResult};
use crate::domain::access::Caller;
pub use crate::domain::identity::{Identity, IdentityField, IdentityPatch, blank_to_none};
use crate::domain::org::{Position, VerificationStatus};
use crate::domain::text::fold_ascii;
use crate::rules::{self, Code, Field, Finding, Outcome, PersonKind, RecordInput, RuleContext, Severity};
pub use duplicates::*;
pub use maintenance::*;
pub use outcome::*;
pub use query::*;
pub use sealed::*;
pub use status::*;
pub use write::*;

/// The identity as stored on a record (its entered columns), the ID number opened.
pub fn identity_of(p: &people::Model) -> StoreResult<Identity> {
    let personal_id = personal_id_of(p)?;
    Ok(Identity::from_fn(|field| match field {
        IdentityField::FullName => p.full_name.clone(),
        IdentityField::DateOfBirth => p.date_of_birth.clone(),
        IdentityField::Gender => p.gender.clone(),
        IdentityField::PersonalId => personal_id.clone(),
        IdentityField::ResidenceProvince => p.res_province.clone(),
        IdentityField::ResidenceDistrict => p.res_district.clone(),
        IdentityField::ResidenceCommune => p.res_commune.clone(),
        IdentityField::ResidenceText => p.res_text.clone(),
    }))
}

/// Writes an identity onto a record's entered columns.
pub fn set_identity(active: &mut people::ActiveModel, identity: &Identity) {
    for (field, value) in identity.fields() {
        let value = Set(value.clone());
        match field {
            IdentityField::FullName => active.full_name = value,
            IdentityField::DateOfBirth => active.date_of_birth = value,
            IdentityField::Gender => active.gender = value,
            IdentityField::PersonalId => active.personal_id = value,
            IdentityField::ResidenceProvince => active.res_province = value,
            IdentityField::ResidenceDistrict => active.res_district = value,
            IdentityField::ResidenceCommune => active.res_commune = value,
            IdentityField::ResidenceText => active.res_text = value,
        }
    }
}

/// Where a new record sits and what it holds (its row is built by [`new_person_row`]).
pub struct NewRow<'a> {
    pub kind: PersonKind,
    pub unit_id: i64,
    pub class_id: Option<i64>,
    pub position: Option<String>,
    pub sector_code: Option<String>,
    pub identity: &'a Identity,
    pub outcome: &'a Outcome,
}

/// The row of a new record: not sent yet, version 1, its identity and the rules' outcome set.
/// One place for every way a record is created (one by one, bulk load).
pub fn new_person_row(new: NewRow<'_>, now: DateTime<Utc>) -> people::ActiveModel {
    let mut active = people::ActiveModel {
        kind: Set(new.kind.as_str().to_owned()),
        unit_id: Set(new.unit_id),
        class_id: Set(new.class_id),
        position: Set(new.position),
        sector_code: Set(new.sector_code),
        status: Set(VerificationStatus::NotSent.as_str().to_owned()),
        mismatch_fields: Set(None),
        registry_values: Set(None),
        status_at: Set(Some(now)),
        verified_at: Set(None),
        version: Set(1),
        identity_changed_at: Set(now),
        created_at: Set(now),
        updated_at: Set(now),
        deleted_at: Set(None),
        ..Default::default()
    };
    set_identity(&mut active, new.identity);
    apply_outcome(&mut active, new.outcome);
    active
}

/// A person to create.
#[derive(Debug, Clone)]
pub struct NewPerson {
    pub kind: PersonKind,
    /// The school (students) or the school/office (staff).
    pub unit_id: i64,
    pub class_id: Option<i64>,
    pub position: Option<Position>,
    pub sector_code: Option<String>,
    pub identity: Identity,
}

/// A partial change: `None` leaves a field alone, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct PersonChanges {
    pub class_id: Option<i64>,
    pub position: Option<Option<Position>>,
    pub sector_code: Option<Option<String>>,
    pub identity: IdentityPatch,
    /// When given, the change applies only if the record is still at this version.
    pub expected_version: Option<i32>,
    /// Write even when the change brings `error` findings the record did not have (audited as
    /// forced); otherwise such a change is refused ([`StoreError::WouldWorsen`]).
    pub allow_worse: bool,
    /// Change what the registry verified on a verified record (audited); otherwise refused
    /// ([`StoreError::VerifiedUnconfirmed`]).
    pub confirm_verified_changes: bool,
}

/// List filters; scoping to the caller is applied on top.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub unit_id: Option<i64>,
    pub class_id: Option<i64>,
    pub status: Option<VerificationStatus>,
    pub q: Option<String>,
    pub finding_code: Option<Code>,
    pub severity: Option<Severity>,
    /// 1-based.
    pub page: u64,
    pub page_size: u64,
}

/// The columns a record's view shows (the API's `Person`): what a list reads instead of the
/// whole row (not the lookup and sort keys, the derived codes, the normalised values the
/// outcome also holds). Sealed values are as stored, as on [`people::Model`].
#[derive(Debug, Clone, sea_orm::DerivePartialModel)]
#[sea_orm(entity = "people::Entity")]
pub struct PersonView {
    pub id: i64,
    pub kind: String,
    pub unit_id: i64,
    pub class_id: Option<i64>,
    pub position: Option<String>,
    pub sector_code: Option<String>,
    pub full_name: Option<String>,
    pub date_of_birth: Option<String>,
    pub gender: Option<String>,
    pub personal_id: Option<String>,
    pub res_province: Option<String>,
    pub res_district: Option<String>,
    pub res_commune: Option<String>,
    pub res_text: Option<String>,
    pub outcome: String,
    pub error_count: i32,
    pub warning_count: i32,
    pub fixed_count: i32,
    pub status: String,
    pub mismatch_fields: Option<String>,
    pub registry_values: Option<String>,
    pub verified_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub identity_changed_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<people::Model> for PersonView {
    fn from(p: people::Model) -> PersonView {
        PersonView {
            id: p.id,
            kind: p.kind,
            unit_id: p.unit_id,
            class_id: p.class_id,
            position: p.position,
            sector_code: p.sector_code,
            full_name: p.full_name,
            date_of_birth: p.date_of_birth,
            gender: p.gender,
            personal_id: p.personal_id,
            res_province: p.res_province,
            res_district: p.res_district,
            res_commune: p.res_commune,
            res_text: p.res_text,
            outcome: p.outcome,
            error_count: p.error_count,
            warning_count: p.warning_count,
            fixed_count: p.fixed_count,
            status: p.status,
            mismatch_fields: p.mismatch_fields,
            registry_values: p.registry_values,
            verified_at: p.verified_at,
            version: p.version,
            identity_changed_at: p.identity_changed_at,
            updated_at: p.updated_at,
        }
    }
}

impl PersonView {
    /// The entered ID number, in clear.
    pub fn personal_id(&self) -> StoreResult<Option<String>> {
        open_column(self.id, PERSONAL_ID, self.personal_id.as_deref())
    }

    /// The record's kind; an unknown stored kind is an error.
    pub fn kind(&self) -> StoreResult<PersonKind> {
        read_kind(self.id, &self.kind)
    }
}

/// A record's view with the class and unit it belongs to (a list's item).
#[derive(Debug, Clone)]
pub struct ViewRow {
    pub person: PersonView,
    pub class: Option<classes::Model>,
    pub unit: units::Model,
}

impl From<PersonRow> for ViewRow {
    fn from(row: PersonRow) -> ViewRow {
        ViewRow { person: row.person.into(), class: row.class, unit: row.unit }
    }
}

/// A person with the class and unit it belongs to.
#[derive(Debug, Clone)]
pub struct PersonRow {
    pub person: people::Model,
    pub class: Option<classes::Model>,
    pub unit: units::Model,
}

impl PersonRow {
    /// The stored rule outcome (normalised values and findings).
    pub fn outcome(&self) -> StoreResult<Outcome> {
        parse_outcome(&self.person)
    }
}

/// A record's kind; an unknown stored kind is an error.
pub fn kind_of(p: &people::Model) -> StoreResult<PersonKind> {
    read_kind(p.id, &p.kind)
}

fn read_kind(id: i64, stored: &str) -> StoreResult<PersonKind> {
    super::read_stored(format_args!("people.kind of {id}"), stored, PersonKind::parse)
}

/// The sort key of a name: given name first (the last word), as Vietnamese class lists sort.
pub fn sort_key(search_key: &str) -> String {
    let given = search_key.rsplit(' ').next().unwrap_or(search_key);
    format!("{given} {search_key}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_key_puts_the_given_name_first() {
        assert_eq!(sort_key("nguyen van an"), "an nguyen van an");
        assert_eq!(sort_key("an"), "an an");
    }

    #[test]
    fn changes_apply_and_clear() {
        let id = Identity { full_name: Some("A".into()), gender: Some("Nam".into()), ..Identity::default() };
        let mut changes = PersonChanges::default();
        changes.identity.set(IdentityField::FullName, Some("Nguyễn An".into()));
        changes.identity.set(IdentityField::Gender, None);
        changes.identity.set(IdentityField::DateOfBirth, Some("   ".into()));
        let out = changes.identity.apply(id);
        assert_eq!(out.full_name.as_deref(), Some("Nguyễn An"));
        assert_eq!(out.gender, None);
        assert_eq!(out.date_of_birth, None, "blank counts as absent");
    }
}
