//! Starting an import: reading the uploaded file, gathering what the plan needs from the records
//! in scope, planning every row and storing the preview. Large files are planned by a background
//! task (`jobs::import_plan`) through the steps at the end of this file.

use super::*;

/// What is kept of a file once read: its format and encoding, and its layout.
pub struct ReadFile {
    pub format: import::FileFormat,
    pub encoding: Option<import::csv::CsvEncoding>,
    pub layout: Layout,
    pub meta: Option<import::TemplateMeta>,
}

fn reader_failed(e: tokio::task::JoinError) -> ImportError {
    // a reader that panics on a malformed file is a malformed file
    tracing::warn!(error = %e, "spreadsheet reader failed");
    ImportError::Read(ReadError::Unreadable(
        "Không đọc được bảng tính (tệp bị hỏng hoặc không đúng định dạng); hãy mở bằng Excel, lưu lại rồi tải lên."
            .to_owned(),
    ))
}

/// Checks a file's structure and reads its template metadata only (off the async threads).
pub async fn open_file(
    filename: String,
    bytes: Vec<u8>,
    settings: &ImportSettings,
) -> Result<(import::read::OpenedFile, Option<import::TemplateMeta>), ImportError> {
    let limits = settings.limits();
    tokio::task::spawn_blocking(move || {
        let mut file = import::read::open(&filename, bytes, &limits)?;
        let meta = file.meta()?;
        Ok((file, meta))
    })
    .await
    .map_err(reader_failed)?
}

/// Reads an opened file's rows (off the async threads) and finds its layout.
pub async fn read_file_rows(
    file: import::read::OpenedFile,
    meta: Option<import::TemplateMeta>,
    settings: &ImportSettings,
) -> Result<ReadFile, ImportError> {
    let max_rows = settings.max_rows;
    tokio::task::spawn_blocking(move || {
        let (format, encoding) = (file.format, file.encoding);
        let book = file.read_rows()?;
        let layout = plan::layout(book, meta.as_ref()).map_err(ImportError::Layout)?;
        if layout.rows.len() > max_rows {
            return Err(ImportError::Read(ReadError::TooLarge {
                what: "rows",
                message: format!(
                    "Tệp có {} dòng dữ liệu, quá giới hạn {max_rows}; hãy chia thành nhiều tệp.",
                    layout.rows.len()
                ),
            }));
        }
        Ok(ReadFile { format, encoding, layout, meta })
    })
    .await
    .map_err(reader_failed)?
}

fn read_only() -> StoreError {
    StoreError::Forbidden(
        "Tài khoản này chỉ xem được hồ sơ của đơn vị; chỉ đơn vị quản lý hồ sơ mới nhập được tệp.".to_owned(),
    )
}

/// The checks that need no file, made before a byte of it is read: a caller who may write no
/// record of the requested population, or names a class or unit it may not write, is refused
/// at once.
async fn check_before_reading(db: &DatabaseConnection, caller: &Caller, opts: &ImportOptions) -> StoreResult<()> {
    if opts.kind == Some(PersonKind::Student) && !caller.writes_students() {
        return Err(read_only());
    }
    if opts.class_id.is_some() || opts.unit_id.is_some() {
        target_for(db, caller, opts, None).await?;
    }
    Ok(())
}

/// The population and the unit (and class) an upload writes to, from the query, else the
/// template's metadata, else the caller's own unit; refused unless the caller may write there.
async fn target_for(
    db: &DatabaseConnection,
    caller: &Caller,
    opts: &ImportOptions,
    meta: Option<&import::TemplateMeta>,
) -> StoreResult<(PersonKind, units::Model, Option<i64>)> {
    let kind = opts.kind.or_else(|| meta.and_then(|m| m.kind.as_deref()).map(kind_of)).unwrap_or_default();
    if kind == PersonKind::Student && !caller.writes_students() {
        return Err(read_only());
    }
    let mut class_id = None;
    let unit = if let Some(cid) = opts.class_id {
        let (class, school) = crate::store::classes::get_scoped(db, caller, cid)
            .await
            .map_err(|_| StoreError::missing("classId", "Không tìm thấy lớp này trong phạm vi của tài khoản."))?;
        class_id = Some(class.id);
        school
    } else if let Some(uid) = opts.unit_id {
        crate::store::units::get_scoped(db, caller, uid)
            .await
            .map_err(|_| StoreError::missing("schoolId", "Không tìm thấy đơn vị này trong phạm vi của tài khoản."))?
    } else {
        match meta.and_then(|m| m.unit_id) {
            Some(uid) => match crate::store::units::get_scoped(db, caller, uid).await {
                Ok(u) => u,
                Err(_) => crate::store::units::get(db, caller.unit_id).await?,
            },
            None => crate::store::units::get(db, caller.unit_id).await?,
        }
    };
    if !caller.writes_unit(unit.id, &unit.path) {
        return Err(read_only());
    }
    if unit.closed_at.is_some() {
        return Err(StoreError::invalid(
            "schoolId",
            "unit_closed",
            format!("{} đã đóng (giải thể, sáp nhập): không nhập thêm hồ sơ.", unit.name),
        ));
    }
    Ok((kind, unit, class_id))
}

pub(super) async fn scope_for(
    db: &DatabaseConnection,
    target: (PersonKind, units::Model, Option<i64>),
    layout: &Layout,
    meta: Option<&import::TemplateMeta>,
) -> Result<Scope, ImportError> {
    let (kind, unit, class_id) = target;
    // three-way import: what the file's template carried, when the server still keeps it
    let mut carried = match meta.and_then(|m| m.export_id.as_deref()) {
        Some(export_id) => crate::store::template_exports::carried(db, export_id, unit.id, kind).await?,
        None => std::collections::HashMap::new(),
    };
    let no_versions = std::collections::BTreeMap::new();
    let versions = meta.map_or(&no_versions, |m| &m.versions);
    let class_rows = classes::Entity::find()
        .filter(classes::Column::SchoolId.eq(unit.id))
        .order_by_asc(classes::Column::SchoolYear)
        .order_by_asc(classes::Column::Id)
        .all(db)
        .await?;
    let mut class_list: Vec<ClassInfo> =
        class_rows.iter().map(|c| ClassInfo { id: c.id, name: c.name.clone(), grade: c.grade }).collect();
    let records = people::Entity::find()
        .filter(people::Column::Kind.eq(kind.as_str()))
        .filter(people::Column::UnitId.eq(unit.id))
        .filter(people::Column::DeletedAt.is_null())
        .all(db)
        .await?;
    let existing: Vec<Existing> = records
        .into_iter()
        .map(|p| -> StoreResult<Existing> {
            let snapshot = carried.remove(&p.id);
            let exported_position = snapshot.as_ref().and_then(|c| c.position.clone());
            Ok(Existing {
                id: p.id,
                class_id: p.class_id,
                sector_code: p.sector_code.clone(),
                identity: crate::store::people::identity_of(&p)?,
                name_key: p.name_key.clone(),
                dob: p.norm_dob,
                personal_id: crate::store::people::norm_personal_id_of(&p)?,
                version: p.version,
                verified: p.status == crate::domain::org::VerificationStatus::Verified.as_str(),
                position: p.position.clone(),
                exported_position,
                base: import::threeway::base_of(snapshot.map(|c| c.identity), versions.get(&p.id).copied(), p.version),
            })
        })
        .collect::<StoreResult<_>>()?;
    // record keys and sector codes of the file that are not in scope: do they exist elsewhere?
    let in_scope: HashSet<i64> = existing.iter().map(|e| e.id).collect();
    let in_scope_codes: HashSet<&str> = existing.iter().filter_map(|e| e.sector_code.as_deref()).collect();
    let mut keys = Vec::new();
    let mut codes = Vec::new();
    for row in &layout.rows {
        if let Some(Some(k)) = row.get(import::Column::RecordKey)
            && let Ok(id) = k.trim().trim_start_matches('#').parse::<i64>()
            && !in_scope.contains(&id)
        {
            keys.push(id);
        }
        if let Some(Some(c)) = row.get(import::Column::SectorCode)
            && !in_scope_codes.contains(c.trim())
        {
            codes.push(c.trim().to_owned());
        }
    }
    let mut outside_keys = HashSet::new();
    for chunk in keys.chunks(500) {
        let found: Vec<i64> = people::Entity::find()
            .select_only()
            .column(people::Column::Id)
            .filter(people::Column::Id.is_in(chunk.iter().copied()))
            .filter(people::Column::DeletedAt.is_null())
            .into_tuple()
            .all(db)
            .await?;
        outside_keys.extend(found);
    }
    let mut outside_sector_codes = HashSet::new();
    for chunk in codes.chunks(500) {
        let found: Vec<Option<String>> = people::Entity::find()
            .select_only()
            .column(people::Column::SectorCode)
            .filter(people::Column::SectorCode.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(db)
            .await?;
        outside_sector_codes.extend(found.into_iter().flatten());
    }
    // classes the file names that the school does not have yet: created at commit ("lớp mới")
    let new_classes = super::new_classes::find(
        kind,
        unit.level.as_deref().and_then(crate::domain::org::SchoolLevel::parse),
        layout,
        &class_list,
    );
    class_list.extend(new_classes.iter().map(|c| ClassInfo { id: c.temp_id, name: c.name.clone(), grade: c.grade }));
    Ok(Scope { kind, unit, class_id, existing, classes: class_list, new_classes, outside_keys, outside_sector_codes })
}

/// The plan of every row, each already serialised (a large file's plan is held as compact
/// JSON, not as a graph of small strings), with the totals.
pub(crate) struct Planned {
    rows: Vec<(RowAction, String)>,
    totals: Totals,
}

pub(crate) fn plan_rows(
    scope: &Scope,
    today: NaiveDate,
    layout: &mut Layout,
    progress: &mut dyn FnMut(usize),
) -> Planned {
    let input = PlanInput {
        kind: scope.kind,
        today,
        existing: &scope.existing,
        classes: &scope.classes,
        default_class_id: scope.class_id,
        outside_keys: &scope.outside_keys,
        outside_sector_codes: &scope.outside_sector_codes,
        can_create: true,
        require_class: true,
    };
    let mut out = Planned { rows: Vec::with_capacity(layout.rows.len()), totals: Totals::default() };
    plan::plan_each(layout, &input, progress, &mut |row| {
        out.totals.add(&row);
        out.rows.push((row.action, json(&row)));
    });
    out
}

/// An uploaded file: its name as sent and its bytes.
#[derive(Debug)]
pub struct Upload {
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// Creates an import from an uploaded file: reads it, plans it against the records in scope and
/// stores the preview. Large files are planned by a background task (status `processing`) that
/// signals the drain hook of `env` when it is done. With `commit`, commits straight away (or when
/// the task is done).
pub async fn start(
    db: &DatabaseConnection,
    settings: &ImportSettings,
    env: &WorkerEnv,
    caller: &Caller,
    request_id: Option<String>,
    upload: Upload,
    opts: ImportOptions,
) -> Result<imports::Model, ImportError> {
    let Upload { filename, bytes } = upload;
    // kept (sealed) while a background plan runs, so that another instance can take it over
    let kept = bytes.clone();
    // the caller's rights are checked before the file is read, and again from the file's own
    // metadata before its rows are
    let mut phases = super::phases::Phases::start();
    check_before_reading(db, caller, &opts).await?;
    let (file, meta) = open_file(filename.clone(), bytes, settings).await?;
    let target = target_for(db, caller, &opts, meta.as_ref()).await?;
    phases.mark("open");
    let ReadFile { format, encoding, mut layout, meta } = read_file_rows(file, meta, settings).await?;
    phases.mark("read");
    let scope = scope_for(db, target, &layout, meta.as_ref()).await?;
    phases.mark("scope");
    let clock = &env.clock;
    let id = uuid::Uuid::new_v4().to_string();
    let now = clock.now();
    let total = layout.rows.len();
    let background = total > settings.job_threshold_rows;
    let record = imports::ActiveModel {
        id: Set(id.clone()),
        actor_id: Set(caller.user_id),
        actor: Set(caller.username.clone()),
        unit_id: Set(scope.unit.id),
        class_id: Set(scope.class_id),
        kind: Set(scope.kind.as_str().to_owned()),
        filename: Set(filename.chars().take(255).collect()),
        format: Set(format.as_str().to_owned()),
        encoding: Set(encoding.map(|e| e.as_str().to_owned())),
        status: Set(status::PROCESSING.to_owned()),
        commit_requested: Set(opts.commit),
        rows_read: Set(0),
        rows_total: Set(i32::try_from(total).unwrap_or(i32::MAX)),
        totals: Set(json(&Totals::default())),
        sheets: Set(json(&layout.sheets)),
        error: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        committed_at: Set(None),
        undone_at: Set(None),
        reverted: Set(0),
        kept: Set(0),
        new_classes: Set((!scope.new_classes.is_empty()).then(|| json(&scope.new_classes))),
        rows_purged_at: Set(None),
    };
    if background {
        // the import and the file a takeover plans it again from: both or neither (a busy
        // database refuses the upload whole, and it can be sent again)
        let txn = crate::store::begin_write(db).await?;
        let record = record.insert(&txn).await?;
        super::takeover::keep_upload(&txn, clock, &id, &kept).await?;
        txn.commit().await?;
        drop(kept);
        let planning = crate::jobs::import_plan::Planning {
            caller: caller.clone(),
            request_id,
            id,
            scope,
            layout,
            progress: std::time::Duration::from_millis(settings.progress_interval_ms),
        };
        crate::jobs::import_plan::spawn(db.clone(), env.clone(), planning);
        return Ok(record);
    }
    let record = record.insert(db).await?;
    let today = clock.today();
    let rows = tokio::task::spawn_blocking(move || plan_rows(&scope, today, &mut layout, &mut |_| {}))
        .await
        .map_err(|e| StoreError::Db(sea_orm::DbErr::Custom(format!("import planner: {e}"))))?;
    phases.mark("plan");
    let record = finish_plan(db, clock, record, rows, &mut phases).await?;
    phases.mark("store");
    tracing::info!(import = %record.id, rows = total, phases = %phases.summary(), "import planned");
    if opts.commit {
        return Ok(commit(db, clock, caller, request_id, &record.id, &CommitOptions::default()).await?);
    }
    Ok(record)
}

async fn finish_plan(
    db: &DatabaseConnection,
    clock: &Clock,
    record: imports::Model,
    planned: Planned,
    phases: &mut super::phases::Phases,
) -> StoreResult<imports::Model> {
    let Planned { rows, totals } = planned;
    let rows_read = i32::try_from(rows.len()).unwrap_or(i32::MAX);
    // sealed before the write transaction, which then only inserts; on every core, off the
    // runtime's threads (100,000 rows: 0.3–0.4 s on two cores)
    let id = record.id.clone();
    let sealed = tokio::task::spawn_blocking(move || seal_rows(&id, rows))
        .await
        .map_err(|e| StoreError::Db(sea_orm::DbErr::Custom(format!("sealing planned rows: {e}"))))??;
    phases.mark("seal");
    let txn = crate::store::begin_write(db).await?;
    save_rows(&txn, &record.id, sealed).await?;
    phases.mark("save");
    // planned: the kept file is not needed any more
    super::takeover::drop_upload(&txn, &record.id).await?;
    let mut active: imports::ActiveModel = record.into();
    active.rows_read = Set(rows_read);
    active.totals = Set(json(&totals));
    active.status = Set(status::READY.to_owned());
    // a slow save the sweeper took for dead still ends ready
    active.error = Set(None);
    active.updated_at = Set(clock.now());
    let out = active.update(&txn).await?;
    txn.commit().await?;
    Ok(out)
}

/// The planned rows of an import as stored: in file order, each sealed whole (the row's cells
/// and values carry ID numbers), the rows shared out in runs over the machine's cores.
fn seal_rows(id: &str, rows: Vec<(RowAction, String)>) -> StoreResult<Vec<import_rows::ActiveModel>> {
    crate::cores::map_in_order(rows, |i, (action, data)| {
        let seq = i32::try_from(i).unwrap_or(i32::MAX);
        Ok(import_rows::ActiveModel {
            import_id: Set(id.to_owned()),
            seq: Set(seq),
            action: Set(action.as_str().to_owned()),
            data: Set(super::rows::seal_row(id, seq, data)?),
        })
    })
}

/// Stores the sealed planned rows of an import (replacing any), in multi-row statements of 500
/// rows. (`store::bulk`'s statements of 5,000 rows were slower for these few kilobytes of
/// sealed text per row: 100,000 rows 2.2 s on SQLite and 6.9 s on PostgreSQL, against 1.3 and
/// 2.4 s.)
async fn save_rows<C: ConnectionTrait>(conn: &C, id: &str, rows: Vec<import_rows::ActiveModel>) -> StoreResult<()> {
    import_rows::Entity::delete_many().filter(import_rows::Column::ImportId.eq(id)).exec(conn).await?;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(500).collect();
        import_rows::Entity::insert_many(chunk).exec_without_returning(conn).await?;
    }
    Ok(())
}

/// The background plan's progress: rows planned so far; also its heartbeat (`updated_at`),
/// which keeps [`sweep`] from failing it.
pub(crate) async fn record_progress(db: &DatabaseConnection, clock: &Clock, id: &str, rows: usize) -> StoreResult<()> {
    let n = i32::try_from(rows).unwrap_or(i32::MAX);
    imports::Entity::update_many()
        .col_expr(imports::Column::RowsRead, Expr::value(n))
        .col_expr(imports::Column::UpdatedAt, Expr::value(clock.now()))
        .filter(imports::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Stores a background plan: the preview is ready. Returns the import.
pub(crate) async fn finish_background(
    db: &DatabaseConnection,
    clock: &Clock,
    id: &str,
    planned: Planned,
) -> StoreResult<imports::Model> {
    let record = imports::Entity::find_by_id(id.to_owned()).one(db).await?.ok_or(StoreError::NotFound)?;
    let mut phases = super::phases::Phases::start();
    let record = finish_plan(db, clock, record, planned, &mut phases).await?;
    tracing::info!(import = id, phases = %phases.summary(), "background plan stored");
    Ok(record)
}

/// What [`sweep`] did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Swept {
    /// Background imports failed because their task stopped reporting, and previews whose
    /// requested commit was interrupted.
    pub interrupted: u64,
    /// Previews expired.
    pub expired: u64,
}

/// Fails the background imports whose task has not reported for `lease_secs` (the server that
/// planned them stopped or crashed) and that cannot be taken over (no kept file, or taken over
/// [`super::takeover::MAX_TAKEOVERS`] times already: the file must be uploaded again), says
/// why a preview whose requested commit never happened is still waiting (its server stopped
/// after planning: `commit_interrupted`), expires the previews older than `expire_days` (with
/// the reason). What imports and exports keep of personal data is deleted by the daily retention
/// task ([`crate::store::retention`]). Conditional updates and deletes: safe on every instance.
pub async fn sweep(db: &DatabaseConnection, clock: &Clock, settings: &ImportSettings) -> StoreResult<Swept> {
    let now = clock.now();
    let lease = chrono::Duration::seconds(i64::try_from(settings.lease_secs).unwrap_or(i64::MAX / 1000));
    let problem = serde_json::json!({
        "code": "import_interrupted",
        "message": "Máy chủ dừng giữa chừng khi đang đọc tệp này; hãy tải tệp lên lại.",
    })
    .to_string();
    let interrupted = imports::Entity::update_many()
        .col_expr(imports::Column::Status, Expr::value(status::FAILED))
        .col_expr(imports::Column::Error, Expr::value(problem))
        .col_expr(imports::Column::UpdatedAt, Expr::value(now))
        .filter(imports::Column::Status.eq(status::PROCESSING))
        .filter(imports::Column::UpdatedAt.lt(now - lease))
        // a kept file is planned again by the takeover instead (`takeover::claim_stale_plans`)
        .filter(imports::Column::Id.not_in_subquery(super::takeover::takeable()))
        .exec(db)
        .await?
        .rows_affected;
    // a commit asked for with the upload (`?commit=true`) whose server stopped before it was
    // written: the commit is one transaction, so nothing of it was; the preview stays to commit
    let not_committed = super::takeover::commit_interrupted();
    let interrupted = interrupted
        + imports::Entity::update_many()
            .col_expr(imports::Column::Error, Expr::value(not_committed))
            .col_expr(imports::Column::UpdatedAt, Expr::value(now))
            .filter(imports::Column::Status.eq(status::READY))
            .filter(imports::Column::CommitRequested.eq(true))
            .filter(imports::Column::Error.is_null())
            .filter(imports::Column::UpdatedAt.lt(now - lease))
            .exec(db)
            .await?
            .rows_affected;
    let days = settings.expire_days;
    let stale = serde_json::json!({
        "code": "import_expired",
        "message": format!(
            "Bản xem trước này đã hết hạn vì quá {days} ngày chưa được xác nhận ghi; không có hồ sơ nào bị thay đổi. \
             Hãy tải tệp lên lại."
        ),
    })
    .to_string();
    let expired = imports::Entity::update_many()
        .col_expr(imports::Column::Status, Expr::value(status::EXPIRED))
        .col_expr(imports::Column::Error, Expr::value(stale))
        .col_expr(imports::Column::UpdatedAt, Expr::value(now))
        .filter(imports::Column::Status.eq(status::READY))
        .filter(imports::Column::CreatedAt.lt(now - chrono::Duration::days(i64::from(settings.expire_days))))
        .exec(db)
        .await?
        .rows_affected;
    super::takeover::drop_finished_uploads(db).await?;
    Ok(Swept { interrupted, expired })
}

/// Marks an import failed with the reason as `{code, message}` (`import_failed`, or
/// `commit_failed` when the preview stays usable and only the requested commit did not happen).
pub(crate) async fn record_failure(
    db: &DatabaseConnection,
    id: &str,
    code: &str,
    message: &str,
    failed: bool,
) -> StoreResult<()> {
    let problem = serde_json::json!({"code": code, "message": message}).to_string();
    let mut update = imports::Entity::update_many().col_expr(imports::Column::Error, Expr::value(problem));
    if failed {
        update = update.col_expr(imports::Column::Status, Expr::value(status::FAILED));
    }
    update.filter(imports::Column::Id.eq(id)).exec(db).await?;
    if failed {
        super::takeover::drop_upload(db, id).await?;
    }
    Ok(())
}
