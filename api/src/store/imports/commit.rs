//! Committing an import: every accepted row applied in one transaction (all or nothing), the
//! creations inserted in multi-row statements with the same audit rows as one-by-one creation
//! and added to the statistics counters as summed deltas. A change held
//! back because it would bring an error is written only when a choice forces it; a change of
//! what the registry verified only with `confirm_verified_changes`; a `stale` field never (the
//! record's newer value stays); a `conflict` only when a choice takes the file's value. The
//! choices that decided a written row are audited (`import_choice`).

use super::*;
use crate::import::threeway::FieldStatus;

/// Which side of a field the clerk takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Take {
    /// The file's value.
    File,
    /// The record's current value (the change is not written).
    Current,
}

/// The clerk's decision on one field of one row.
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Choice {
    /// 1-based row number in the sheet (a sheet has at most 1,048,576 rows).
    #[schema(minimum = 1, maximum = 1_048_576)]
    pub row: u32,
    /// The sheet, when the file has several with the same row numbers (default: any).
    #[serde(default)]
    pub sheet: Option<String>,
    /// `fullName`, `dateOfBirth`, … as in the preview's changes.
    pub field: String,
    /// Whose value the field keeps (default: the file's for an `update`, the record's for a
    /// `conflict`; a `stale` field always keeps the record's newer value).
    #[serde(default)]
    pub take: Option<Take>,
    /// Write the file's value even though it brings an `error` finding (audited as forced).
    #[serde(default)]
    pub force: bool,
}

/// What the clerk decided when committing.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CommitOptions {
    /// Write changes of verified records (they then need sending again); without it they are
    /// left alone and counted in `kept`.
    #[serde(default)]
    pub confirm_verified_changes: bool,
    #[serde(default)]
    pub choices: Vec<Choice>,
}

impl CommitOptions {
    fn choice(&self, row: &CommitRow, field: &str) -> Option<&Choice> {
        self.choices
            .iter()
            .find(|c| c.row == row.row && c.field == field && c.sheet.as_deref().is_none_or(|s| s == row.sheet))
    }
}

fn changes_of(row: &CommitRow, opts: &CommitOptions) -> PersonChanges {
    let mut c = PersonChanges {
        expected_version: row.version,
        confirm_verified_changes: opts.confirm_verified_changes,
        ..PersonChanges::default()
    };
    let v = &row.values;
    for change in &row.changes {
        let choice = opts.choice(row, &change.field);
        if !taken(change, choice) {
            continue;
        }
        let forced = choice.is_some_and(|c| c.force);
        if !change.would_worsen.is_empty() {
            if !forced {
                continue;
            }
            c.allow_worse = true;
        }
        match change.field.as_str() {
            "sectorCode" => c.sector_code = Some(v.sector_code.clone()),
            "position" => c.position = Some(v.position.as_deref().and_then(crate::domain::org::Position::parse)),
            "classId" => c.class_id = row.class_id,
            name => {
                if let Some(field) = IdentityField::parse(name) {
                    c.identity.set(field, change.new.clone());
                }
            }
        }
    }
    c
}

/// Whether the file's value of a planned change is written, given the clerk's choice.
fn taken(change: &import::FieldChange, choice: Option<&Choice>) -> bool {
    let take = choice.and_then(|c| c.take);
    match change.status {
        FieldStatus::Update => take != Some(Take::Current),
        FieldStatus::Conflict => take == Some(Take::File),
        FieldStatus::Stale | FieldStatus::Unchanged => false,
    }
}

/// The audit rows of the choices that decided a row: one per field a choice names, the field's
/// status before and what was taken (`file`, `file+force`, `current`).
fn choice_events<'a>(row: &'a CommitRow, person_id: i64, opts: &CommitOptions) -> Vec<crate::store::audit::Event<'a>> {
    row.changes
        .iter()
        .filter_map(|change| {
            let choice = opts.choice(row, &change.field)?;
            let taken =
                if taken(change, Some(choice)) { if choice.force { "file+force" } else { "file" } } else { "current" };
            Some(crate::store::audit::Event {
                action: "import_choice",
                entity: "person",
                entity_id: Some(person_id),
                field: Some(change.field.as_str()),
                old_value: Some(change.status.as_str().to_owned()),
                new_value: Some(taken.to_owned()),
            })
        })
        .collect()
}

fn row_conflict(row: &CommitRow, what: &str) -> StoreError {
    StoreError::Conflict {
        pointer: None,
        message: format!(
            "Dòng {} (trang “{}”): {what} Không có thay đổi nào được ghi; hãy tải tệp lên lại để xem trước lần nữa.",
            row.row, row.sheet
        ),
    }
}

/// Applies every accepted row in one transaction: all or nothing. Committing a committed
/// import changes nothing and answers it as it is.
pub async fn commit(
    db: &DatabaseConnection,
    clock: &Clock,
    caller: &Caller,
    request_id: Option<String>,
    id: &str,
    opts: &CommitOptions,
) -> StoreResult<imports::Model> {
    let record = get(db, caller, id).await?;
    writable(db, caller, &record).await?;
    match record.status.as_str() {
        status::COMMITTED => return Ok(record),
        status::UNDONE => {
            return Err(StoreError::Conflict {
                pointer: None, message: "Lần nhập này đã được hoàn tác.".to_owned()
            });
        }
        status::EXPIRED => {
            return Err(StoreError::Conflict {
                pointer: None,
                message: "Bản xem trước này đã hết hạn vì quá lâu chưa xác nhận ghi; hãy tải tệp lên lại.".to_owned(),
            });
        }
        status::FAILED => {
            return Err(StoreError::Conflict {
                pointer: None, message: "Lần nhập này bị lỗi khi đọc tệp.".to_owned()
            });
        }
        status::PROCESSING if opts.confirm_verified_changes || !opts.choices.is_empty() => {
            return Err(StoreError::Conflict {
                pointer: None,
                message: "Tệp còn đang được đọc; hãy chờ xem trước xong rồi mới chọn cách ghi từng ô.".to_owned(),
            });
        }
        status::PROCESSING => {
            // the job commits when it is done; a job that finished meanwhile left a preview
            // to commit now (the mark is conditional, so the request is never lost between)
            let marked = imports::Entity::update_many()
                .col_expr(imports::Column::CommitRequested, Expr::value(true))
                .filter(imports::Column::Id.eq(id))
                .filter(imports::Column::Status.eq(status::PROCESSING))
                .exec(db)
                .await?;
            if marked.rows_affected == 0 {
                return Box::pin(commit(db, clock, caller, request_id, id, opts)).await;
            }
            return get(db, caller, id).await;
        }
        _ => {}
    }
    let kind = kind_of(&record.kind);
    let ctx = AuditCtx::manual(caller, request_id, clock.now()).with_source(Source::Import, Some(id.to_owned()));
    let mut phases = super::phases::Phases::start();
    let txn = crate::store::begin_write(db).await?;
    // claim the import: a second commit racing this one finds nothing to claim
    let claimed = imports::Entity::update_many()
        .col_expr(imports::Column::Status, Expr::value(status::COMMITTED))
        .col_expr(imports::Column::CommittedAt, Expr::value(ctx.at))
        .col_expr(imports::Column::UpdatedAt, Expr::value(ctx.at))
        // a reason an earlier commit did not happen no longer holds
        .col_expr(imports::Column::Error, Expr::value(Option::<String>::None))
        .filter(imports::Column::Id.eq(id))
        .filter(imports::Column::Status.eq(status::READY))
        .exec(&txn)
        .await?;
    if claimed.rows_affected == 0 {
        drop(txn);
        return get(db, caller, id).await;
    }
    phases.mark("claim");
    let mut rows = rows_to_commit(&txn, id).await?;
    phases.mark("read_rows");
    // the classes the preview listed as new ("lớp mới"): created now, their rows pointed at them
    let new_classes = super::new_classes::of(&record);
    if !new_classes.is_empty() {
        let year = crate::config::school_year_of(ctx.today());
        let ids = super::new_classes::create(&txn, &ctx, record.unit_id, &year, &new_classes).await?;
        for row in &mut rows {
            if let Some(real) = row.class_id.and_then(|c| ids.get(&c)) {
                row.class_id = Some(*real);
            }
        }
    }
    // the counters' deltas of every row, written once at the end
    let mut deltas = crate::store::counters::Deltas::default();
    if rows.iter().any(|r| r.action == RowAction::Create) {
        bulk_create(&txn, &ctx, kind, record.unit_id, &rows, &mut deltas, &mut phases).await.map_err(|e| match e {
            StoreError::Conflict { .. } => StoreError::Conflict {
                pointer: None,
                message:
                    "Một mã định danh ngành trong tệp vừa được dùng cho hồ sơ khác; không có thay đổi nào được ghi. \
                          Hãy tải tệp lên lại để xem trước lần nữa."
                        .to_owned(),
            },
            other => other,
        })?;
    }
    let mut kept = 0i32;
    phases.mark("create");
    for row in &rows {
        match row.action {
            RowAction::Update => {
                let Some(pid) = row.person_id else { continue };
                let person = crate::store::people::get(&txn, caller, kind, pid)
                    .await
                    .map_err(|_| row_conflict(row, "hồ sơ đã bị xoá sau khi xem trước."))?;
                match crate::store::people::update_counted(
                    &txn,
                    caller,
                    &ctx,
                    person,
                    changes_of(row, opts),
                    &mut deltas,
                )
                .await
                {
                    Ok(_) => crate::store::audit::record(&txn, &ctx, choice_events(row, pid, opts)).await?,
                    // a verified record without the confirmation: left as it is, counted
                    Err(StoreError::VerifiedUnconfirmed { .. }) => kept += 1,
                    Err(StoreError::VersionConflict { .. }) => {
                        return Err(row_conflict(row, "hồ sơ đã được sửa sau khi xem trước."));
                    }
                    Err(StoreError::WouldWorsen(_)) => {
                        return Err(row_conflict(row, "giá trị mới làm hồ sơ có thêm lỗi."));
                    }
                    Err(StoreError::Conflict { message, .. }) => return Err(row_conflict(row, &message)),
                    Err(other) => return Err(other),
                }
            }
            RowAction::Create | RowAction::Unchanged | RowAction::Rejected => {}
        }
    }
    if kept > 0 {
        imports::Entity::update_many()
            .col_expr(imports::Column::Kept, Expr::value(kept))
            .filter(imports::Column::Id.eq(id))
            .exec(&txn)
            .await?;
    }
    phases.mark("update");
    // last: the shared counter rows stay locked only until the commit
    deltas.write(&txn).await?;
    phases.mark("counters");
    txn.commit().await?;
    phases.mark("commit");
    tracing::info!(import = id, rows = rows.len(), phases = %phases.summary(), "import committed");
    get(db, caller, id).await
}

/// A commit evaluates its new records this many at a time, inserts them in set-based statements
/// of up to [`crate::store::bulk::ROWS_PER_STATEMENT`] rows (`store::bulk`), and adds them to the
/// statistics counters once.
pub const BULK_CREATES: usize = 500;

/// Inserts the new records of a plan in bulk, inside the commit's transaction: people, finding
/// rows and one `create` audit row each (source `import`), then the duplicate-ID findings; the
/// counters' deltas go to `deltas`, for the commit to write once.
async fn bulk_create<C: ConnectionTrait>(
    txn: &C,
    ctx: &AuditCtx,
    kind: PersonKind,
    unit_id: i64,
    rows: &[CommitRow],
    deltas: &mut crate::store::counters::Deltas,
    phases: &mut super::phases::Phases,
) -> StoreResult<()> {
    use std::collections::HashMap;
    let school_classes = classes::Entity::find().filter(classes::Column::SchoolId.eq(unit_id)).all(txn).await?;
    let grades: HashMap<i64, i32> = school_classes.iter().map(|c| (c.id, c.grade)).collect();
    let years: HashMap<i64, String> = school_classes.into_iter().map(|c| (c.id, c.school_year)).collect();
    let mut pids = HashSet::new();
    let creates: Vec<&CommitRow> = rows.iter().filter(|r| r.action == RowAction::Create).collect();
    // ids from the sequence (PostgreSQL), so that commits running at once never pick the same
    let ids = crate::store::sealing::reserve_ids(txn, "people", creates.len()).await?;
    let mut ids = ids.into_iter();
    phases.mark("create_ids");
    let mut batch = Vec::new();
    let mut fields = Vec::new();
    let last = creates.len().div_ceil(BULK_CREATES);
    for (n, chunk) in creates.chunks(BULK_CREATES).enumerate() {
        for row in chunk {
            let class_id = if kind == PersonKind::Student { row.class_id } else { None };
            if kind == PersonKind::Student && class_id.is_none_or(|c| !grades.contains_key(&c)) {
                return Err(row_conflict(row, "lớp của học sinh không còn ở trường."));
            }
            let next = ids.next().ok_or(StoreError::NotFound)?;
            // cleaned as a record created one by one is
            let identity = row.values.identity().cleaned();
            let sector_code =
                crate::store::people::blank_to_none(row.values.sector_code.as_deref().map(|s| s.trim().to_owned()));
            let grade = class_id.and_then(|c| grades.get(&c).copied());
            let position = row.values.position.as_deref().and_then(crate::domain::org::Position::parse);
            let outcome =
                crate::store::people::evaluate(&identity, kind, grade, position.map(|p| p.as_str()), ctx.today());
            if let Some(pid) = &outcome.normalized.personal_id {
                pids.insert(crate::store::people::lookup_key(pid));
            }
            // the same audit rows as a record created one by one: every field entered
            for (field, value) in identity.fields() {
                if let Some(v) = value {
                    fields.push(crate::store::audit::Event {
                        action: "create",
                        entity: "person",
                        entity_id: Some(next),
                        field: Some(field.name()),
                        old_value: None,
                        new_value: Some(v.clone()),
                    });
                }
            }
            if let Some(code) = &sector_code {
                fields.push(crate::store::audit::Event {
                    action: "create",
                    entity: "person",
                    entity_id: Some(next),
                    field: Some("sectorCode"),
                    old_value: None,
                    new_value: Some(code.clone()),
                });
            }
            batch.push(crate::store::people::BulkPerson {
                id: next,
                kind,
                unit_id,
                class_id,
                position,
                sector_code,
                identity,
                outcome,
            });
        }
        phases.mark("create_evaluate");
        // written a few thousand at a time, in one statement per table
        if batch.len() >= crate::store::bulk::ROWS_PER_STATEMENT || n + 1 == last {
            crate::store::people::bulk_insert_counted(txn, ctx, std::mem::take(&mut batch), &years, deltas).await?;
            phases.mark("create_people");
            crate::store::audit::record(txn, ctx, std::mem::take(&mut fields)).await?;
            phases.mark("create_field_audit");
        }
    }
    let mut pids: Vec<String> = pids.into_iter().collect();
    pids.sort();
    let duplicated = crate::store::people::duplicated_among(txn, &pids).await?;
    phases.mark("create_duplicates_find");
    crate::store::people::sync_duplicates_counted(txn, &duplicated, deltas).await?;
    phases.mark("create_duplicates_sync");
    Ok(())
}
