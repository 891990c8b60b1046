//! Bulk safe repairs: every `fixed` finding's normalised value written back as the entered
//! value, each as an audited change with source `auto_fix` whose `source_ref` is the batch, and
//! the batch undone as a whole (fields changed again since are kept, and counted). Asked for by
//! its code, the one conversion the rule engine proposes without a choice is a repair too: a
//! pre-2025 residence whose commune became exactly one new commune (`address_outdated_unit`).

use std::collections::BTreeMap;

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, TryIntoModel,
};

use super::audit::{AuditCtx, Source};
use super::entities::{audit_events, fix_batches, people, person_findings};
use super::people::{Identity, IdentityField, PersonChanges, identity_of};
use super::{StoreError, StoreResult};
use crate::domain::access::Caller;
use crate::rules::{Code, Field, Outcome, PersonKind, Severity};

/// Which records a batch repairs. Without a class, the unit's records (the caller's own unit
/// by default); `person_ids` narrows further; `finding_code` applies one kind of repair only.
#[derive(Debug, Clone)]
pub struct FixScope {
    pub kind: PersonKind,
    pub unit_id: Option<i64>,
    pub class_id: Option<i64>,
    pub person_ids: Option<Vec<i64>>,
    pub finding_code: Option<Code>,
    /// Count what would be repaired, write nothing (the batch answered is not stored).
    pub dry_run: bool,
}

/// One record's repair, for a preview: the changed values before and after (an address as one
/// line, commune first; an ID number masked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixSample {
    pub person_id: i64,
    pub full_name: Option<String>,
    pub before: String,
    pub after: String,
}

/// A batch and the first records it repaired (or would repair, on a dry run).
#[derive(Debug, Clone)]
pub struct Applied {
    pub batch: fix_batches::Model,
    pub samples: Vec<FixSample>,
}

/// Samples kept per batch.
const SAMPLES: usize = 5;

/// A code a bulk repair applies: a `fixed` one, or a conversion asked for by its code.
pub fn is_repairable(code: Code) -> bool {
    code.severity() == Severity::Fixed || code == Code::AddressOutdatedUnit
}

const RESIDENCE: [IdentityField; 3] =
    [IdentityField::ResidenceCommune, IdentityField::ResidenceDistrict, IdentityField::ResidenceProvince];

/// What a repair changed, as the preview shows it.
pub fn sample(person_id: i64, before: &Identity, after: &Identity) -> Option<FixSample> {
    let changed: Vec<IdentityField> =
        before.fields().zip(after.fields()).filter(|(a, b)| a.1 != b.1).map(|(a, _)| a.0).collect();
    if changed.is_empty() {
        return None;
    }
    let show = |identity: &Identity| {
        let mut parts: Vec<String> = Vec::new();
        for field in changed.iter().filter(|f| !RESIDENCE.contains(f)) {
            let value = identity.get(*field).clone().unwrap_or_default();
            parts.push(if *field == IdentityField::PersonalId {
                crate::domain::personal_id::mask(&value)
            } else {
                value
            });
        }
        if changed.iter().any(|f| RESIDENCE.contains(f)) {
            let line: Vec<&str> = RESIDENCE.iter().filter_map(|f| identity.get(*f).as_deref()).collect();
            parts.push(line.join(", "));
        }
        parts.join("; ")
    };
    Some(FixSample { person_id, full_name: after.full_name.clone(), before: show(before), after: show(after) })
}

const CHUNK: usize = 200;

/// The changes that write a record's safe repairs back as its entered values. A residence
/// whose province or district was inferred from a unique commune gets the missing parts
/// filled in (only when it was entered as separate parts).
pub fn repairs(outcome: &Outcome, only: Option<Code>, entered: &Identity) -> PersonChanges {
    let mut changes = PersonChanges::default();
    let patch = &mut changes.identity;
    let n = &outcome.normalized;
    // a conversion applies only when asked for by its code; the `fixed` repairs by default too
    let wanted = |f: &&crate::rules::Finding| match only {
        Some(code) => code == f.code && is_repairable(code),
        None => f.severity == Severity::Fixed,
    };
    for f in outcome.findings.iter().filter(wanted) {
        match f.field {
            Field::Residence if f.code == Code::AddressOutdatedUnit => {
                // the one new commune the old one became; a split commune is the clerk's choice
                let text = |key: &str| f.params.get(key).and_then(serde_json::Value::as_str).map(str::to_owned);
                let split = f.params.get("split").and_then(serde_json::Value::as_bool).unwrap_or(true);
                if let (Some(_), false, Some(province), Some(commune)) =
                    (&entered.res_commune, split, text("newProvinceName"), text("newCommuneName"))
                {
                    patch.set(IdentityField::ResidenceProvince, Some(province));
                    patch.set(IdentityField::ResidenceDistrict, None);
                    patch.set(IdentityField::ResidenceCommune, Some(commune));
                }
            }
            Field::FullName => patch.set_if(IdentityField::FullName, n.full_name.clone().map(Some)),
            Field::DateOfBirth => patch
                .set_if(IdentityField::DateOfBirth, n.date_of_birth.map(|d| Some(crate::domain::date::format_vi(d)))),
            Field::Gender => patch.set_if(IdentityField::Gender, n.gender.clone().map(Some)),
            Field::PersonalId => patch.set_if(IdentityField::PersonalId, n.personal_id.clone().map(Some)),
            Field::Residence if f.code == Code::AddressHistoricalUnit => {
                // A unit of another era: the parts become the units of 30 June 2025 it leads to.
                let structured =
                    entered.res_province.is_some() || entered.res_district.is_some() || entered.res_commune.is_some();
                if let (true, Some(r)) = (structured, n.residence.as_ref()) {
                    patch.set_if(IdentityField::ResidenceProvince, r.province_name.clone().map(Some));
                    patch.set_if(IdentityField::ResidenceDistrict, r.district_name.clone().map(Some));
                    patch.set_if(IdentityField::ResidenceCommune, r.commune_name.clone().map(Some));
                }
            }
            Field::Residence => {
                let structured = entered.res_commune.is_some();
                if let (Code::AddressUnitInferred, true, Some(r)) = (f.code, structured, n.residence.as_ref()) {
                    if entered.res_province.is_none() {
                        patch.set_if(IdentityField::ResidenceProvince, r.province_name.clone().map(Some));
                    }
                    if entered.res_district.is_none() {
                        patch.set_if(IdentityField::ResidenceDistrict, r.district_name.clone().map(Some));
                    }
                }
            }
        }
    }
    changes
}

/// Applies the repairs in scope; returns the batch and its first records.
pub async fn apply(db: &DatabaseConnection, caller: &Caller, ctx: &AuditCtx, scope: FixScope) -> StoreResult<Applied> {
    if let Some(code) = scope.finding_code
        && !is_repairable(code)
    {
        return Err(StoreError::invalid(
            "/findingCode",
            "not_fixable",
            format!("{} không phải lỗi sửa tự động được.", code.as_str()),
        ));
    }
    let (unit, class_id) = match scope.class_id {
        Some(class_id) => {
            let (class, school) = super::classes::get_scoped(db, caller, class_id).await?;
            (school, Some(class.id))
        }
        None => (super::units::get_scoped(db, caller, scope.unit_id.unwrap_or(caller.unit_id)).await?, None),
    };
    if !caller.writes_unit(unit.id, &unit.path) {
        return Err(StoreError::Forbidden(
            "Chỉ đơn vị quản lý hồ sơ mới được áp dụng sửa tự động; tài khoản này chỉ xem được.".to_owned(),
        ));
    }
    let batch_id = uuid::Uuid::new_v4().to_string();
    let mut cond =
        Condition::all().add(people::Column::Kind.eq(scope.kind.as_str())).add(people::Column::DeletedAt.is_null());
    cond = match scope.finding_code {
        Some(code) => cond.add(
            people::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(person_findings::Column::PersonId)
                    .from(person_findings::Entity)
                    .and_where(person_findings::Column::Code.eq(code.as_str()))
                    .to_owned(),
            ),
        ),
        None => cond.add(people::Column::FixedCount.gt(0)),
    };
    // people are repaired by the unit that holds them (its own unit only, whatever the role)
    cond = cond.add(people::Column::UnitId.eq(unit.id));
    if let Some(class_id) = class_id {
        cond = cond.add(people::Column::ClassId.eq(class_id));
    }
    let candidates = super::ids_matching(db, cond, scope.person_ids.as_deref()).await?;
    let ctx = ctx.clone().with_source(Source::AutoFix, Some(batch_id.clone()));
    // The batch row first: the repairs are committed in chunks, and one that stops part-way
    // (a crash, a failing record) must leave a batch that undo finds.
    let new_batch = fix_batches::ActiveModel {
        id: Set(batch_id),
        actor_id: Set(caller.user_id),
        actor: Set(caller.username.clone()),
        unit_id: Set(unit.id),
        class_id: Set(class_id),
        kind: Set(scope.kind.as_str().to_owned()),
        finding_code: Set(scope.finding_code.map(|c| c.as_str().to_owned())),
        records: Set(0),
        changes: Set(0),
        created_at: Set(ctx.at),
        undone_at: Set(None),
        reverted: Set(0),
        kept: Set(0),
    };
    // a dry run stores nothing, the batch included
    let batch = if scope.dry_run { new_batch.try_into_model()? } else { new_batch.insert(db).await? };
    let (mut records, mut changes) = (0i32, 0i32);
    let mut samples = Vec::new();
    for chunk in candidates.chunks(CHUNK) {
        let txn = super::begin_write(db).await?;
        for id in chunk {
            let row = super::people::get(&txn, caller, scope.kind, *id).await?;
            let wanted = repairs(&row.outcome()?, scope.finding_code, &identity_of(&row.person)?);
            if wanted.identity.is_empty() {
                continue;
            }
            let before = identity_of(&row.person)?;
            let after = match super::people::update_in(&txn, caller, &ctx, row, wanted).await {
                Ok(after) => after,
                // a repair never makes a record worse nor changes what the registry verified;
                // should one, the record is left as it is
                Err(StoreError::WouldWorsen(_) | StoreError::VerifiedUnconfirmed { .. }) => continue,
                Err(e) => return Err(e),
            };
            let after = identity_of(&after)?;
            let changed = before.fields().zip(after.fields()).filter(|(a, b)| a.1 != b.1).count();
            if samples.len() < SAMPLES {
                samples.extend(sample(*id, &before, &after));
            }
            if changed > 0 {
                records += 1;
                changes += i32::try_from(changed).unwrap_or(i32::MAX);
            }
        }
        if scope.dry_run {
            txn.rollback().await?;
            continue;
        }
        // the counts travel with the repairs they count
        let mut counts: fix_batches::ActiveModel = batch.clone().into();
        counts.records = Set(records);
        counts.changes = Set(changes);
        counts.update(&txn).await?;
        txn.commit().await?;
    }
    Ok(Applied { batch: fix_batches::Model { records, changes, ..batch }, samples })
}

/// A batch the caller may see (its unit is in the caller's subtree).
pub async fn get(db: &DatabaseConnection, caller: &Caller, id: &str) -> StoreResult<fix_batches::Model> {
    let batch = fix_batches::Entity::find_by_id(id.to_owned()).one(db).await?.ok_or(StoreError::NotFound)?;
    super::units::get_scoped(db, caller, batch.unit_id).await?;
    Ok(batch)
}

/// Reverts a batch: each repaired field goes back to its entered value unless it was changed
/// again since (then it is kept). Undoing twice is refused.
pub async fn undo(
    db: &DatabaseConnection,
    caller: &Caller,
    ctx: &AuditCtx,
    id: &str,
) -> StoreResult<fix_batches::Model> {
    let batch = get(db, caller, id).await?;
    let unit = super::units::get(db, batch.unit_id).await?;
    if !caller.writes_unit(unit.id, &unit.path) {
        return Err(StoreError::Forbidden("Chỉ đơn vị đã sửa mới hoàn tác được.".to_owned()));
    }
    if batch.undone_at.is_some() {
        return Err(StoreError::Conflict {
            pointer: None,
            message: "Lần sửa tự động này đã được hoàn tác.".to_owned(),
        });
    }
    let kind = super::read_stored(format_args!("fix_batches.kind of {}", batch.id), &batch.kind, PersonKind::parse)?;
    let events = audit_events::Entity::find()
        .filter(audit_events::Column::SourceRef.eq(batch.id.as_str()))
        .filter(audit_events::Column::Source.eq(Source::AutoFix.as_str()))
        .filter(audit_events::Column::Action.eq("update"))
        .order_by_asc(audit_events::Column::Id)
        .all(db)
        .await?;
    let events = super::audit::open_all(events)?;
    let mut per_person: BTreeMap<i64, Vec<audit_events::Model>> = BTreeMap::new();
    for e in events {
        if let Some(pid) = e.entity_id {
            per_person.entry(pid).or_default().push(e);
        }
    }
    let ctx = ctx.clone().with_source(Source::AutoFix, Some(format!("{}:undo", batch.id)));
    let (mut reverted, mut kept) = (0i32, 0i32);
    let people_ids: Vec<i64> = per_person.keys().copied().collect();
    for chunk in people_ids.chunks(CHUNK) {
        let txn = super::begin_write(db).await?;
        for pid in chunk {
            let fields = &per_person[pid];
            let Ok(row) = super::people::get(&txn, caller, kind, *pid).await else {
                kept += i32::try_from(fields.len()).unwrap_or(0);
                continue;
            };
            let current = identity_of(&row.person)?;
            // undoing puts back what the records held: explicit, whatever the findings or verification
            let mut changes =
                PersonChanges { allow_worse: true, confirm_verified_changes: true, ..PersonChanges::default() };
            // an address is put back whole or not at all: one of its parts changed since keeps them all
            let parsed = |e: &audit_events::Model| e.field.as_deref().and_then(IdentityField::parse);
            let address_changed = fields
                .iter()
                .any(|e| parsed(e).is_some_and(|f| RESIDENCE.contains(&f) && *current.get(f) != e.new_value));
            for e in fields {
                let Some(field) = parsed(e) else { continue };
                if *current.get(field) != e.new_value || (address_changed && RESIDENCE.contains(&field)) {
                    kept += 1;
                    continue;
                }
                changes.identity.set(field, e.old_value.clone());
                reverted += 1;
            }
            if !changes.identity.is_empty() {
                super::people::update_in(&txn, caller, &ctx, row, changes).await?;
            }
        }
        txn.commit().await?;
    }
    let mut active: fix_batches::ActiveModel = batch.into();
    active.undone_at = Set(Some(ctx.at));
    active.reverted = Set(reverted);
    active.kept = Set(kept);
    Ok(active.update(db).await?)
}

#[cfg(test)]
#[path = "fixes_tests.rs"]
mod tests;
