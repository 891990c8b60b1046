//! Creating, changing and deleting one record: rules run, derived columns and findings stored,
//! counters kept in step (their deltas written once, at the end of the transaction) and each
//! changed field audited, in the caller's transaction.

use super::*;
use crate::store::counters::Deltas;

async fn writable_class<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    class_id: i64,
) -> StoreResult<(classes::Model, units::Model)> {
    let (class, school) = crate::store::classes::get_scoped(conn, caller, class_id)
        .await
        .map_err(|_| StoreError::missing("/classId", "Không tìm thấy lớp này trong phạm vi của tài khoản."))?;
    if !caller.writes_unit(school.id, &school.path) {
        return Err(StoreError::Forbidden(
            "Chỉ trường quản lý lớp này mới được thêm hoặc sửa học sinh của lớp.".to_owned(),
        ));
    }
    Ok((class, school))
}

/// Creates a person; audits every field entered.
pub async fn create(
    db: &DatabaseConnection,
    caller: &Caller,
    ctx: &AuditCtx,
    new: NewPerson,
) -> StoreResult<PersonRow> {
    let txn = crate::store::begin_write(db).await?;
    let kind = new.kind;
    let person = create_in(&txn, caller, ctx, new).await?;
    txn.commit().await?;
    get(db, caller, kind, person.id).await
}

/// The body of [`create`], inside the caller's transaction.
pub async fn create_in<C: ConnectionTrait>(
    txn: &C,
    caller: &Caller,
    ctx: &AuditCtx,
    new: NewPerson,
) -> StoreResult<people::Model> {
    let mut deltas = Deltas::default();
    let person = create_counted(txn, caller, ctx, new, &mut deltas).await?;
    deltas.write(txn).await?;
    Ok(person)
}

/// [`create_in`] adding the counters' deltas to the caller's, for it to write once at the end
/// of its transaction.
pub async fn create_counted<C: ConnectionTrait>(
    txn: &C,
    caller: &Caller,
    ctx: &AuditCtx,
    new: NewPerson,
    deltas: &mut Deltas,
) -> StoreResult<people::Model> {
    let (unit_id, class) = match new.kind {
        PersonKind::Student => {
            let class_id = new
                .class_id
                .ok_or_else(|| StoreError::invalid("/classId", "required", "Hãy chọn lớp của học sinh."))?;
            let (class, school) = writable_class(txn, caller, class_id).await?;
            deltas.know_class(&class);
            (school.id, Some(class))
        }
        PersonKind::Staff => {
            let unit = crate::store::units::get_scoped(txn, caller, new.unit_id).await.map_err(|_| {
                StoreError::missing("/unitId", "Không tìm thấy đơn vị này trong phạm vi của tài khoản.")
            })?;
            if !caller.writes_unit(unit.id, &unit.path) {
                return Err(StoreError::Forbidden(
                    "Chỉ đơn vị quản lý cán bộ này mới được thêm hoặc sửa hồ sơ.".to_owned(),
                ));
            }
            (unit.id, None)
        }
    };
    let identity = new.identity.cleaned();
    let position = new.position.map(|p| p.as_str());
    let outcome = evaluate(&identity, new.kind, class.as_ref().map(|c| c.grade), position, ctx.today());
    let now = ctx.at;
    let mut active = new_person_row(
        NewRow {
            kind: new.kind,
            unit_id,
            class_id: class.as_ref().map(|c| c.id),
            position: position.map(str::to_owned),
            sector_code: blank_to_none(new.sector_code.map(|s| s.trim().to_owned())),
            identity: &identity,
            outcome: &outcome,
        },
        now,
    );
    // the id first: the sealed ID numbers name their row
    active.id = Set(reserve_id(txn).await?);
    let person = active.insert(txn).await.map_err(sector_code_conflict)?;
    write_finding_rows(txn, person.id, &outcome).await?;
    deltas.change(txn, None, Some(&person)).await?;
    let mut events = vec![Event {
        action: "create",
        entity: "person",
        entity_id: Some(person.id),
        field: None,
        old_value: None,
        new_value: Some(new.kind.as_str().to_owned()),
    }];
    for (field, value) in identity.fields() {
        if value.is_some() {
            events.push(field_event("create", person.id, field.name(), None, value.clone()));
        }
    }
    if let Some(code) = &person.sector_code {
        events.push(field_event("create", person.id, "sectorCode", None, Some(code.clone())));
    }
    audit::record(txn, ctx, events).await?;
    if let Some(key) = &person.personal_id_index {
        sync_duplicates_counted(txn, std::slice::from_ref(key), deltas).await?;
    }
    Ok(person)
}

fn sector_code_conflict(err: sea_orm::DbErr) -> StoreError {
    match StoreError::from(err) {
        StoreError::Conflict { .. } => StoreError::Conflict {
            pointer: Some("/sectorCode".to_owned()),
            message: "Mã định danh ngành này đã được dùng cho một hồ sơ khác.".to_owned(),
        },
        other => other,
    }
}

fn field_event(
    action: &'static str,
    id: i64,
    field: &'static str,
    old: Option<String>,
    new: Option<String>,
) -> Event<'static> {
    Event { action, entity: "person", entity_id: Some(id), field: Some(field), old_value: old, new_value: new }
}

/// Applies a change; audits each field whose value changed. Returns the updated row.
pub async fn update(
    db: &DatabaseConnection,
    caller: &Caller,
    ctx: &AuditCtx,
    kind: PersonKind,
    id: i64,
    changes: PersonChanges,
) -> StoreResult<PersonRow> {
    let txn = crate::store::begin_write(db).await?;
    let row = get(&txn, caller, kind, id).await?;
    if !can_write(caller, &row.unit) {
        return Err(StoreError::Forbidden("Tài khoản chỉ xem được hồ sơ này, không sửa được.".to_owned()));
    }
    let mut deltas = Deltas::default();
    // the answer is the row as written (with its class and school as read), not read again
    let updated = update_counted(&txn, caller, ctx, row, changes, &mut deltas).await?;
    deltas.write(&txn).await?;
    txn.commit().await?;
    Ok(updated)
}

/// The body of [`update`], inside the caller's transaction (bulk fixes reuse it).
pub async fn update_in<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    ctx: &AuditCtx,
    row: PersonRow,
    changes: PersonChanges,
) -> StoreResult<people::Model> {
    let mut deltas = Deltas::default();
    let updated = update_counted(conn, caller, ctx, row, changes, &mut deltas).await?;
    deltas.write(conn).await?;
    Ok(updated.person)
}

/// [`update_in`] adding the counters' deltas to the caller's, for it to write once at the end
/// of its transaction (an import commit sums those of all its rows); answers the record as
/// written with its class and school.
pub async fn update_counted<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    ctx: &AuditCtx,
    row: PersonRow,
    changes: PersonChanges,
    deltas: &mut Deltas,
) -> StoreResult<PersonRow> {
    let PersonRow { person, class, unit } = row;
    if let Some(class) = &class {
        deltas.know_class(class);
    }
    if let Some(expected) = changes.expected_version
        && expected != person.version
    {
        return Err(StoreError::VersionConflict { current: person.version });
    }
    let kind = kind_of(&person)?;
    let mut events = Vec::new();
    let old_grade = class.as_ref().map(|c| c.grade);
    let mut class = class;
    if let Some(new_class_id) = changes.class_id
        && Some(new_class_id) != person.class_id
    {
        if kind == PersonKind::Staff {
            return Err(StoreError::invalid(
                "/classId",
                "not_allowed",
                "Cán bộ, giáo viên, nhân viên không thuộc lớp.",
            ));
        }
        let (new_class, school) = writable_class(conn, caller, new_class_id).await?;
        if school.id != unit.id {
            return Err(StoreError::invalid(
                "/classId",
                "other_school",
                "Chỉ chuyển được sang lớp cùng trường; học sinh chuyển trường cần làm thủ tục chuyển trường.",
            ));
        }
        events.push(field_event(
            "update",
            person.id,
            "classId",
            person.class_id.map(|c| c.to_string()),
            Some(new_class_id.to_string()),
        ));
        deltas.know_class(&new_class);
        class = Some(new_class);
    }
    let old_identity = identity_of(&person)?;
    let new_identity = changes.identity.apply(old_identity.clone());
    for ((field, old), (_, new)) in old_identity.fields().zip(new_identity.fields()) {
        if old != new {
            events.push(field_event("update", person.id, field.name(), old.clone(), new.clone()));
        }
    }
    let identity_changed = old_identity != new_identity;
    let new_position = match &changes.position {
        Some(p) => p.map(|p| p.as_str().to_owned()),
        None => person.position.clone(),
    };
    if new_position != person.position {
        events.push(field_event("update", person.id, "position", person.position.clone(), new_position.clone()));
    }
    let new_sector = match &changes.sector_code {
        Some(s) => blank_to_none(s.as_ref().map(|s| s.trim().to_owned())),
        None => person.sector_code.clone(),
    };
    if new_sector != person.sector_code {
        events.push(field_event("update", person.id, "sectorCode", person.sector_code.clone(), new_sector.clone()));
    }
    if events.is_empty() {
        return Ok(PersonRow { person, class, unit });
    }
    let grade_changed = class.as_ref().map(|c| c.id) != person.class_id;
    let old_key = person.personal_id_index.clone();
    let now = ctx.at;
    let mut active: people::ActiveModel = person.clone().into();
    active.class_id = Set(class.as_ref().map(|c| c.id));
    active.position = Set(new_position.clone());
    active.sector_code = Set(new_sector);
    active.updated_at = Set(now);
    let mut verified_values_changed = false;
    let mut new_outcome = None;
    if identity_changed || grade_changed {
        let outcome =
            evaluate(&new_identity, kind, class.as_ref().map(|c| c.grade), new_position.as_deref(), ctx.today());
        verified_values_changed =
            identity_changed && VerifiedValues::of_outcome(&outcome) != VerifiedValues::of(&person)?;
        // never worse: the findings of the values before, under the same rules today
        let before = evaluate(&old_identity, kind, old_grade, person.position.as_deref(), ctx.today());
        let worse = crate::domain::worsen::new_errors(&before.findings, &outcome.findings);
        if !worse.is_empty() {
            if !changes.allow_worse {
                return Err(StoreError::WouldWorsen(worse));
            }
            for f in &worse {
                events.push(Event {
                    action: "force",
                    entity: "person",
                    entity_id: Some(person.id),
                    field: Some(f.field.as_str()),
                    old_value: None,
                    new_value: Some(f.code.as_str().to_owned()),
                });
            }
        }
        new_outcome = Some(outcome);
    }
    let was_verified = person.status == VerificationStatus::Verified.as_str();
    if was_verified && verified_values_changed {
        if !changes.confirm_verified_changes {
            let fields = old_identity
                .fields()
                .zip(new_identity.fields())
                .filter(|((_, o), (_, n))| o != n)
                .map(|((f, _), _)| f.name().to_owned())
                .collect();
            return Err(StoreError::VerifiedUnconfirmed { fields });
        }
        events.push(Event {
            action: "confirm_verified_change",
            entity: "person",
            entity_id: Some(person.id),
            field: None,
            old_value: Some(VerificationStatus::Verified.as_str().to_owned()),
            new_value: None,
        });
    }
    if let Some(outcome) = &new_outcome {
        apply_outcome(&mut active, outcome);
        write_finding_rows(conn, person.id, outcome).await?;
    }
    if identity_changed {
        set_identity(&mut active, &new_identity);
    }
    // Only a change of what the registry compares (the normalised values) makes the record a
    // different request: a repaired spelling of the same values keeps its verification.
    if verified_values_changed {
        active.version = Set(person.version + 1);
        active.identity_changed_at = Set(now);
        if person.status != VerificationStatus::NotSent.as_str() {
            events.push(field_event(
                "update",
                person.id,
                "status",
                Some(person.status.clone()),
                Some(VerificationStatus::NotSent.as_str().to_owned()),
            ));
            active.status = Set(VerificationStatus::NotSent.as_str().to_owned());
            active.mismatch_fields = Set(None);
            active.status_at = Set(Some(now));
        }
    }
    let mut updated = active.update(conn).await.map_err(sector_code_conflict)?;
    deltas.change(conn, Some(&person), Some(&updated)).await?;
    audit::record(conn, ctx, events).await?;
    if identity_changed {
        let mut ids: Vec<String> = old_key.into_iter().collect();
        ids.extend(updated.personal_id_index.clone());
        ids.dedup();
        // the record's own `id_duplicate` finding may change with the others'
        let synced = sync_duplicates_counted(conn, &ids, deltas).await?;
        if let Some(own) = synced.into_iter().find(|p| p.id == updated.id) {
            updated = own;
        }
    }
    Ok(PersonRow { person: updated, class, unit })
}

/// Soft-deletes a person: it leaves lists; the audit keeps it.
pub async fn delete(
    db: &DatabaseConnection,
    caller: &Caller,
    ctx: &AuditCtx,
    kind: PersonKind,
    id: i64,
) -> StoreResult<()> {
    let txn = crate::store::begin_write(db).await?;
    let row = get(&txn, caller, kind, id).await?;
    if !can_write(caller, &row.unit) {
        return Err(StoreError::Forbidden("Tài khoản chỉ xem được hồ sơ này, không xoá được.".to_owned()));
    }
    delete_in(&txn, ctx, row).await?;
    txn.commit().await?;
    Ok(())
}

/// The body of [`delete`], inside the caller's transaction (undoing an import reuses it).
pub async fn delete_in<C: ConnectionTrait>(txn: &C, ctx: &AuditCtx, row: PersonRow) -> StoreResult<()> {
    let mut deltas = Deltas::default();
    delete_counted(txn, ctx, row, &mut deltas).await?;
    deltas.write(txn).await
}

/// [`delete_in`] adding the counters' deltas to the caller's, for it to write once at the end
/// of its transaction (undoing an import sums those of all its records).
pub async fn delete_counted<C: ConnectionTrait>(
    txn: &C,
    ctx: &AuditCtx,
    row: PersonRow,
    deltas: &mut Deltas,
) -> StoreResult<()> {
    let id = row.person.id;
    let pid = row.person.personal_id_index.clone();
    let before = row.person.clone();
    let mut active: people::ActiveModel = row.person.into();
    active.deleted_at = Set(Some(ctx.at));
    active.update(txn).await?;
    deltas.change(txn, Some(&before), None).await?;
    audit::record(
        txn,
        ctx,
        vec![Event {
            action: "delete",
            entity: "person",
            entity_id: Some(id),
            field: None,
            old_value: None,
            new_value: None,
        }],
    )
    .await?;
    if let Some(pid) = pid {
        sync_duplicates_counted(txn, &[pid], deltas).await?;
    }
    Ok(())
}
