//! Bulk safe repairs: every `fixed` finding's normalised value written back as the entered
//! value, each as an audited change with source `auto_fix` whose `source_ref` is the batch, and
//! the batch undone as a whole (fields changed again since are kept, and counted).

use std::collections::BTreeMap;

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, TryIntoModel,
};

use super::audit::{AuditCtx, Source};
use super::entities::{audit_events, fix_batches, people};
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

/// Records handled per transaction.
const CHUNK: usize = 200;

/// The changes that write a record's safe repairs back as its entered values. A residence
/// whose province or district was inferred from a unique commune gets the missing parts
/// filled in (only when it was entered as separate parts).
pub fn repairs(outcome: &Outcome, only: Option<Code>, entered: &Identity) -> PersonChanges {
    let mut changes = PersonChanges::default();
    let patch = &mut changes.identity;
    let n = &outcome.normalized;
    for f in outcome.findings.iter().filter(|f| f.severity == Severity::Fixed && only.is_none_or(|c| c == f.code)) {
        match f.field {
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

/// Applies the repairs in scope; returns the batch.
pub async fn apply(
    db: &DatabaseConnection,
    caller: &Caller,
    ctx: &AuditCtx,
    scope: FixScope,
) -> StoreResult<fix_batches::Model> {
    if let Some(code) = scope.finding_code
        && code.severity() != Severity::Fixed
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
    let mut cond = Condition::all()
        .add(people::Column::Kind.eq(scope.kind.as_str()))
        .add(people::Column::DeletedAt.is_null())
        .add(people::Column::FixedCount.gt(0));
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
            let changed = before.fields().zip(identity_of(&after)?.fields()).filter(|(a, b)| a.1 != b.1).count();
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
    Ok(fix_batches::Model { records, changes, ..batch })
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
            for e in fields {
                let Some(field) = e.field.as_deref().and_then(IdentityField::parse) else { continue };
                if *current.get(field) != e.new_value {
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
mod tests {
    use super::*;
    use crate::rules::{Finding, Normalized};

    fn fixed(field: Field, code: Code) -> Finding {
        let mut f = Finding::new(field, code);
        f.severity = Severity::Fixed;
        f
    }

    #[test]
    fn only_fields_with_a_safe_repair_are_written_back() {
        let outcome = Outcome {
            normalized: Normalized {
                full_name: Some("Nguyễn Văn An".into()),
                date_of_birth: chrono::NaiveDate::from_ymd_opt(2014, 3, 5),
                gender: Some("Nam".into()),
                personal_id: Some("031214001234".into()),
                ..Normalized::default()
            },
            findings: vec![
                fixed(Field::FullName, Code::NameCase),
                fixed(Field::DateOfBirth, Code::DobExcelSerial),
                Finding::new(Field::PersonalId, Code::IdSexMismatch),
            ],
        };
        let c = repairs(&outcome, None, &Identity::default()).identity;
        assert_eq!(c.get(IdentityField::FullName), Some(&Some("Nguyễn Văn An".into())));
        assert_eq!(c.get(IdentityField::DateOfBirth), Some(&Some("05/03/2014".into())));
        assert_eq!(c.get(IdentityField::Gender), None, "no repair on gender");
        assert_eq!(c.get(IdentityField::PersonalId), None, "a warning is not a repair");
        let only = repairs(&outcome, Some(Code::DobExcelSerial), &Identity::default()).identity;
        assert_eq!(only.get(IdentityField::FullName), None);
        assert!(only.get(IdentityField::DateOfBirth).is_some());
    }

    #[test]
    fn an_inferred_province_and_district_are_filled_in_only_where_missing() {
        use crate::domain::admin_units::{ResolvedResidence, Scheme};
        let outcome = Outcome {
            normalized: Normalized {
                residence: Some(ResolvedResidence {
                    scheme: Scheme::Pre2025,
                    province_code: Some("31".into()),
                    district_code: Some("304".into()),
                    commune_code: Some("11365".into()),
                    province_name: Some("Thành phố Hải Phòng".into()),
                    district_name: Some("Quận Ngô Quyền".into()),
                    commune_name: Some("Phường Lạch Tray".into()),
                    post2025: None,
                    split_candidates: Vec::new(),
                }),
                ..Normalized::default()
            },
            findings: vec![fixed(Field::Residence, Code::AddressUnitInferred)],
        };
        let entered = Identity {
            res_province: Some("Hải Phòng".into()),
            res_commune: Some("Lạch Tray".into()),
            ..Identity::default()
        };
        let c = repairs(&outcome, None, &entered).identity;
        assert_eq!(c.get(IdentityField::ResidenceProvince), None, "what was entered stays");
        assert_eq!(c.get(IdentityField::ResidenceDistrict), Some(&Some("Quận Ngô Quyền".into())));
        let text_only = Identity { res_text: Some("P. Lạch Tray, HP".into()), ..Identity::default() };
        let c = repairs(&outcome, None, &text_only).identity;
        assert!(c.is_empty(), "a one-cell address is left as typed");
    }

    #[test]
    fn a_unit_of_another_era_becomes_the_unit_of_june_2025() {
        use crate::domain::admin_units::units;
        let residence = units().residence_of_old_commune("18622");
        let outcome = Outcome {
            normalized: Normalized { residence, ..Normalized::default() },
            findings: vec![fixed(Field::Residence, Code::AddressHistoricalUnit)],
        };
        let entered = Identity {
            res_province: Some("Hà Tĩnh".into()),
            res_district: Some("Huyện Thạch Hà".into()),
            res_commune: Some("Xã Thạch Lạc".into()),
            ..Identity::default()
        };
        let c = repairs(&outcome, None, &entered).identity;
        assert_eq!(c.get(IdentityField::ResidenceProvince), Some(&Some("Tỉnh Hà Tĩnh".into())));
        assert_eq!(c.get(IdentityField::ResidenceDistrict), Some(&Some("Thành phố Hà Tĩnh".into())));
        assert_eq!(c.get(IdentityField::ResidenceCommune), Some(&Some("Xã Thạch Lạc".into())));
        let text_only =
            Identity { res_text: Some("Thạch Lạc, Thạch Hà, Hà Tĩnh".into()), ..Identity::default() };
        assert!(repairs(&outcome, None, &text_only).identity.is_empty(), "a one-cell address is left as typed");
    }
}
