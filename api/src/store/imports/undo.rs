//! Undoing a committed import field by field (a value changed since is kept), and discarding a
//! preview.

use super::*;

/// Undoes a committed import as a whole: each field it changed goes back unless it was changed
/// again since (then it is kept, and counted); each record it created is removed unless it
/// was changed since. Undoing twice is refused.
pub async fn undo(
    db: &DatabaseConnection,
    clock: &Clock,
    caller: &Caller,
    request_id: Option<String>,
    id: &str,
) -> StoreResult<imports::Model> {
    let record = get(db, caller, id).await?;
    writable(db, caller, &record).await?;
    match record.status.as_str() {
        status::COMMITTED => {}
        status::UNDONE => {
            return Err(StoreError::Conflict {
                pointer: None, message: "Lần nhập này đã được hoàn tác.".to_owned()
            });
        }
        _ => {
            return Err(StoreError::Conflict {
                pointer: None,
                message: "Lần nhập này chưa được ghi nên không có gì để hoàn tác.".to_owned(),
            });
        }
    }
    let kind = kind_of(&record.kind);
    let txn = crate::store::begin_write(db).await?;
    let events = audit_events::Entity::find()
        .filter(audit_events::Column::SourceRef.eq(id))
        .filter(audit_events::Column::Source.eq(Source::Import.as_str()))
        .filter(audit_events::Column::Entity.eq("person"))
        .order_by_asc(audit_events::Column::Id)
        .all(&txn)
        .await?;
    let events = crate::store::audit::open_all(events)?;
    let last_import_event = events.iter().map(|e| e.id).max().unwrap_or(0);
    let mut per_person: BTreeMap<i64, Vec<audit_events::Model>> = BTreeMap::new();
    for e in events {
        if let Some(pid) = e.entity_id {
            per_person.entry(pid).or_default().push(e);
        }
    }
    let ctx = AuditCtx::manual(caller, request_id, clock.now()).with_source(Source::Import, Some(format!("{id}:undo")));
    let (mut reverted, mut kept) = (0i32, 0i32);
    // the counters' deltas of every record, written once at the end
    let mut deltas = crate::store::counters::Deltas::default();
    for (pid, fields) in per_person {
        let Ok(row) = crate::store::people::get(&txn, caller, kind, pid).await else {
            kept += 1;
            continue;
        };
        let created = fields.iter().any(|e| e.action == "create" && e.field.is_none());
        if created {
            // changed by anything after the import? then it stays
            let later = audit_events::Entity::find()
                .filter(audit_events::Column::Entity.eq("person"))
                .filter(audit_events::Column::EntityId.eq(pid))
                .filter(audit_events::Column::Id.gt(last_import_event))
                .filter(
                    Condition::any()
                        .add(audit_events::Column::SourceRef.is_null())
                        .add(audit_events::Column::SourceRef.ne(id)),
                )
                .filter(audit_events::Column::Action.ne("view_personal_id"))
                .count(&txn)
                .await?;
            if later == 0 {
                crate::store::people::delete_counted(&txn, &ctx, row, &mut deltas).await?;
                reverted += 1;
            } else {
                kept += 1;
            }
            continue;
        }
        let current = crate::store::people::identity_of(&row.person)?;
        // undoing puts back what the records held: explicit, whatever the findings or verification
        let mut changes =
            PersonChanges { allow_worse: true, confirm_verified_changes: true, ..PersonChanges::default() };
        let mut any = false;
        for e in fields.iter().filter(|e| e.action == "update") {
            let field = e.field.as_deref().unwrap_or("");
            let now: Option<String> = match field {
                "sectorCode" => row.person.sector_code.clone(),
                "position" => row.person.position.clone(),
                "classId" => row.person.class_id.map(|c| c.to_string()),
                "status" => continue,
                f => match IdentityField::parse(f) {
                    Some(field) => current.get(field).clone(),
                    None => continue,
                },
            };
            if now != e.new_value {
                kept += 1;
                continue;
            }
            let back = Some(e.old_value.clone());
            match field {
                "sectorCode" => changes.sector_code = back,
                "position" => {
                    changes.position = Some(e.old_value.as_deref().and_then(crate::domain::org::Position::parse))
                }
                "classId" => match e.old_value.as_deref().and_then(|v| v.parse().ok()) {
                    Some(c) => changes.class_id = Some(c),
                    None => continue,
                },
                name => match IdentityField::parse(name) {
                    Some(f) => changes.identity.set(f, e.old_value.clone()),
                    None => continue,
                },
            }
            any = true;
            reverted += 1;
        }
        if any {
            crate::store::people::update_counted(&txn, caller, &ctx, row, changes, &mut deltas).await?;
        }
    }
    let mut active: imports::ActiveModel = record.into();
    active.status = Set(status::UNDONE.to_owned());
    active.undone_at = Set(Some(ctx.at));
    active.updated_at = Set(ctx.at);
    active.reverted = Set(reverted);
    active.kept = Set(kept);
    let out = active.update(&txn).await?;
    // last: the shared counter rows stay locked only until the commit
    deltas.write(&txn).await?;
    txn.commit().await?;
    Ok(out)
}

/// Discards an import that was not committed.
pub async fn discard(db: &DatabaseConnection, caller: &Caller, id: &str) -> StoreResult<()> {
    let record = get(db, caller, id).await?;
    writable(db, caller, &record).await?;
    if record.status == status::COMMITTED || record.status == status::UNDONE {
        return Err(StoreError::Conflict {
            pointer: None,
            message: "Lần nhập đã được ghi; dùng hoàn tác thay vì huỷ.".to_owned(),
        });
    }
    let txn = crate::store::begin_write(db).await?;
    import_rows::Entity::delete_many().filter(import_rows::Column::ImportId.eq(id)).exec(&txn).await?;
    imports::Entity::delete_by_id(id.to_owned()).exec(&txn).await?;
    txn.commit().await?;
    Ok(())
}
