//! Spreadsheet imports: read and plan a file against the records in scope (a preview, stored
//! as JSON), commit it atomically (every accepted row or nothing, each change audited with
//! source `import` and the import id), undo it as a whole (fields changed again since are
//! kept, records created by it are removed unless changed since), or discard it. Files with
//! many rows are planned by a background task that records its progress.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::audit::{AuditCtx, Source};
use super::entities::{audit_events, classes, import_rows, imports, people, units};
use super::people::{Identity, NewPerson, PersonChanges};
use super::{StoreError, StoreResult};
use crate::config::ImportSettings;
use crate::domain::access::Caller;
use crate::import::plan::{self, ClassInfo, Existing, Layout, LayoutError, PlanInput, SheetLayout};
use crate::import::{self, PlannedRow, ReadError, RowAction, Totals};
use crate::rules::PersonKind;

/// Import statuses.
pub mod status {
    /// A background task is reading and planning the file.
    pub const PROCESSING: &str = "processing";
    /// The preview is ready; nothing is written yet.
    pub const READY: &str = "ready";
    pub const COMMITTED: &str = "committed";
    pub const UNDONE: &str = "undone";
    /// The background task failed (`error` says why).
    pub const FAILED: &str = "failed";
}

/// Why an upload cannot become an import.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("{}", .0.message())]
    Layout(LayoutError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sea_orm::DbErr> for ImportError {
    fn from(e: sea_orm::DbErr) -> ImportError {
        ImportError::Store(e.into())
    }
}

/// What the uploader asked for.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Student or staff; default: what the template says, else students.
    pub kind: Option<PersonKind>,
    /// The class new students go to when the file does not say.
    pub class_id: Option<i64>,
    /// The unit (school) the rows belong to; default: the class's school, the template's, or
    /// the caller's own unit.
    pub unit_id: Option<i64>,
    /// Commit straight after the preview when nothing is in the way.
    pub commit: bool,
}

/// Everything the planner needs from the database, for one unit.
struct Scope {
    kind: PersonKind,
    unit: units::Model,
    class_id: Option<i64>,
    existing: Vec<Existing>,
    classes: Vec<ClassInfo>,
    outside_keys: HashSet<i64>,
    outside_sector_codes: HashSet<String>,
}

fn kind_of(s: &str) -> PersonKind {
    if s == "staff" { PersonKind::Staff } else { PersonKind::Student }
}

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
        let (class, school) = super::classes::get_scoped(db, caller, cid).await.map_err(|_| {
            StoreError::invalid("classId", "not_found", "Không tìm thấy lớp này trong phạm vi của tài khoản.")
        })?;
        class_id = Some(class.id);
        school
    } else if let Some(uid) = opts.unit_id {
        super::units::get_scoped(db, caller, uid).await.map_err(|_| {
            StoreError::invalid("schoolId", "not_found", "Không tìm thấy đơn vị này trong phạm vi của tài khoản.")
        })?
    } else {
        match meta.and_then(|m| m.unit_id) {
            Some(uid) => match super::units::get_scoped(db, caller, uid).await {
                Ok(u) => u,
                Err(_) => super::units::get(db, caller.unit_id).await?,
            },
            None => super::units::get(db, caller.unit_id).await?,
        }
    };
    if !caller.writes_unit(unit.id, &unit.path) {
        return Err(read_only());
    }
    Ok((kind, unit, class_id))
}

async fn scope_for(
    db: &DatabaseConnection,
    target: (PersonKind, units::Model, Option<i64>),
    layout: &Layout,
) -> Result<Scope, ImportError> {
    let (kind, unit, class_id) = target;
    let class_rows = classes::Entity::find()
        .filter(classes::Column::SchoolId.eq(unit.id))
        .order_by_asc(classes::Column::SchoolYear)
        .order_by_asc(classes::Column::Id)
        .all(db)
        .await?;
    let class_list: Vec<ClassInfo> =
        class_rows.iter().map(|c| ClassInfo { id: c.id, name: c.name.clone(), grade: c.grade }).collect();
    let records = people::Entity::find()
        .filter(people::Column::Kind.eq(kind.as_str()))
        .filter(people::Column::UnitId.eq(unit.id))
        .filter(people::Column::DeletedAt.is_null())
        .all(db)
        .await?;
    let existing: Vec<Existing> = records
        .into_iter()
        .map(|p| Existing {
            id: p.id,
            class_id: p.class_id,
            sector_code: p.sector_code.clone(),
            identity: Identity::of(&p),
            name_key: p.name_key.clone(),
            dob: p.norm_dob,
            personal_id: p.norm_personal_id.clone(),
            version: p.version,
        })
        .collect();
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
    Ok(Scope { kind, unit, class_id, existing, classes: class_list, outside_keys, outside_sector_codes })
}

/// The plan of every row, each already serialised (a large file's plan is held as compact
/// JSON, not as a graph of small strings), with the totals.
struct Planned {
    rows: Vec<(RowAction, String)>,
    totals: Totals,
}

fn plan_rows(scope: &Scope, layout: &mut Layout, progress: &mut dyn FnMut(usize)) -> Planned {
    let input = PlanInput {
        kind: scope.kind,
        today: crate::domain::clock::today(),
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

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".to_owned())
}

/// Creates an import from an uploaded file: reads it, plans it against the records in scope and
/// stores the preview. Large files are planned by a background task (status `processing`).
/// With `commit`, commits straight away (or when the task is done).
pub async fn start(
    db: &DatabaseConnection,
    settings: &ImportSettings,
    caller: &Caller,
    request_id: Option<String>,
    filename: String,
    bytes: Vec<u8>,
    opts: ImportOptions,
) -> Result<imports::Model, ImportError> {
    // the caller's rights are checked before the file is read, and again from the file's own
    // metadata before its rows are
    check_before_reading(db, caller, &opts).await?;
    let (file, meta) = open_file(filename.clone(), bytes, settings).await?;
    let target = target_for(db, caller, &opts, meta.as_ref()).await?;
    let ReadFile { format, encoding, mut layout, meta: _ } = read_file_rows(file, meta, settings).await?;
    let scope = scope_for(db, target, &layout).await?;
    let id = uuid::Uuid::new_v4().to_string();
    let now = Utc::now();
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
    }
    .insert(db)
    .await?;
    if background {
        let db = db.clone();
        let caller = caller.clone();
        tokio::spawn(async move {
            if let Err(e) = run_job(&db, &caller, request_id, &id, scope, layout).await {
                tracing::warn!(import = %id, error = %e, "import job failed");
                let problem = serde_json::json!({"code": "import_failed", "message": e.to_string()}).to_string();
                let _ = imports::Entity::update_many()
                    .col_expr(imports::Column::Status, Expr::value(status::FAILED))
                    .col_expr(imports::Column::Error, Expr::value(problem))
                    .filter(imports::Column::Id.eq(id.as_str()))
                    .exec(&db)
                    .await;
            }
        });
        return Ok(record);
    }
    let rows = tokio::task::spawn_blocking(move || plan_rows(&scope, &mut layout, &mut |_| {}))
        .await
        .map_err(|e| StoreError::Db(sea_orm::DbErr::Custom(format!("import planner: {e}"))))?;
    let record = finish_plan(db, record, rows).await?;
    if opts.commit {
        return Ok(commit(db, caller, request_id, &record.id).await?);
    }
    Ok(record)
}

async fn finish_plan(db: &DatabaseConnection, record: imports::Model, planned: Planned) -> StoreResult<imports::Model> {
    let txn = super::begin_write(db).await?;
    save_rows(&txn, &record.id, &planned.rows).await?;
    let mut active: imports::ActiveModel = record.into();
    active.rows_read = Set(i32::try_from(planned.rows.len()).unwrap_or(i32::MAX));
    active.totals = Set(json(&planned.totals));
    active.status = Set(status::READY.to_owned());
    active.updated_at = Set(Utc::now());
    let out = active.update(&txn).await?;
    txn.commit().await?;
    Ok(out)
}

/// Stores the planned rows of an import (replacing any), in multi-row statements.
async fn save_rows<C: ConnectionTrait>(conn: &C, id: &str, rows: &[(RowAction, String)]) -> StoreResult<()> {
    import_rows::Entity::delete_many().filter(import_rows::Column::ImportId.eq(id)).exec(conn).await?;
    for (n, chunk) in rows.chunks(500).enumerate() {
        let models = chunk.iter().enumerate().map(|(i, (action, data))| import_rows::ActiveModel {
            import_id: Set(id.to_owned()),
            seq: Set(i32::try_from(n * 500 + i).unwrap_or(i32::MAX)),
            action: Set(action.as_str().to_owned()),
            data: Set(data.clone()),
        });
        import_rows::Entity::insert_many(models).exec_without_returning(conn).await?;
    }
    Ok(())
}

async fn run_job(
    db: &DatabaseConnection,
    caller: &Caller,
    request_id: Option<String>,
    id: &str,
    scope: Scope,
    mut layout: Layout,
) -> Result<(), ImportError> {
    let done = Arc::new(AtomicUsize::new(0));
    let counter = done.clone();
    let mut task = tokio::task::spawn_blocking(move || {
        plan_rows(&scope, &mut layout, &mut |n| counter.store(n, Ordering::Relaxed))
    });
    let rows = loop {
        tokio::select! {
            res = &mut task => break res.map_err(|e| StoreError::Db(sea_orm::DbErr::Custom(format!("import planner: {e}"))))?,
            _ = tokio::time::sleep(std::time::Duration::from_millis(250)) => {
                let n = i32::try_from(done.load(Ordering::Relaxed)).unwrap_or(i32::MAX);
                imports::Entity::update_many()
                    .col_expr(imports::Column::RowsRead, Expr::value(n))
                    .filter(imports::Column::Id.eq(id))
                    .exec(db)
                    .await?;
            }
        }
    };
    let record = imports::Entity::find_by_id(id.to_owned()).one(db).await?.ok_or(StoreError::NotFound)?;
    let record = finish_plan(db, record, rows).await?;
    if record.commit_requested
        && let Err(e) = commit(db, caller, request_id, id).await
    {
        // the preview stays usable: say why the commit did not happen
        let message = match e {
            StoreError::Conflict { message, .. } => message,
            StoreError::Forbidden(message) => message,
            other => return Err(other.into()),
        };
        imports::Entity::update_many()
            .col_expr(
                imports::Column::Error,
                Expr::value(serde_json::json!({"code": "commit_failed", "message": message}).to_string()),
            )
            .filter(imports::Column::Id.eq(id))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// An import the caller may see (its unit is in the caller's subtree).
pub async fn get<C: ConnectionTrait>(conn: &C, caller: &Caller, id: &str) -> StoreResult<imports::Model> {
    let record = imports::Entity::find_by_id(id.to_owned()).one(conn).await?.ok_or(StoreError::NotFound)?;
    super::units::get_scoped(conn, caller, record.unit_id).await?;
    Ok(record)
}

/// The latest imports of the caller's subtree, newest first (at most `limit`).
pub async fn list_visible<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    limit: u64,
) -> StoreResult<Vec<imports::Model>> {
    let unit_ids: Vec<i64> = units::Entity::find()
        .select_only()
        .column(units::Column::Id)
        .filter(units::Column::Path.like(caller.subtree_pattern()))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(imports::Entity::find()
        .filter(imports::Column::UnitId.is_in(unit_ids))
        .order_by_desc(imports::Column::CreatedAt)
        .limit(limit)
        .all(conn)
        .await?)
}

/// Every planned row of an import, in file order (read in chunks).
pub async fn rows_of<C: ConnectionTrait>(conn: &C, id: &str) -> StoreResult<Vec<PlannedRow>> {
    read_rows(conn, id, None).await
}

/// The stored rows of an import (only those of `actions` when given), in file order, read in
/// chunks of 5,000. A row that no longer deserialises is an error, never silently left out.
async fn read_rows<C: ConnectionTrait, T: serde::de::DeserializeOwned>(
    conn: &C,
    id: &str,
    actions: Option<&[RowAction]>,
) -> StoreResult<Vec<T>> {
    const CHUNK: u64 = 5_000;
    let mut out = Vec::new();
    let mut after = -1;
    loop {
        let mut query = import_rows::Entity::find()
            .select_only()
            .column(import_rows::Column::Seq)
            .column(import_rows::Column::Data)
            .filter(import_rows::Column::ImportId.eq(id))
            .filter(import_rows::Column::Seq.gt(after));
        if let Some(actions) = actions {
            query = query.filter(import_rows::Column::Action.is_in(actions.iter().map(|a| a.as_str())));
        }
        let chunk: Vec<(i32, String)> =
            query.order_by_asc(import_rows::Column::Seq).limit(CHUNK).into_tuple().all(conn).await?;
        let Some((last, _)) = chunk.last() else { break };
        after = *last;
        let n = chunk.len();
        for (_, data) in chunk {
            out.push(serde_json::from_str(&data).map_err(|e| StoreError::Db(sea_orm::DbErr::Json(e.to_string())))?);
        }
        if (n as u64) < CHUNK {
            break;
        }
    }
    Ok(out)
}

/// What a commit needs of a planned row (the cells and findings stay in the database).
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommitRow {
    pub sheet: String,
    pub row: u32,
    pub action: RowAction,
    pub person_id: Option<i64>,
    pub class_id: Option<i64>,
    pub version: Option<i32>,
    pub changes: Vec<import::FieldChange>,
    pub values: plan::RowValues,
}

/// The rows a commit writes (`update` and `create`), in file order, read in chunks.
async fn rows_to_commit<C: ConnectionTrait>(conn: &C, id: &str) -> StoreResult<Vec<CommitRow>> {
    read_rows(conn, id, Some(&[RowAction::Update, RowAction::Create])).await
}

/// A page of planned rows (1-based `page`), optionally of one action, with how many match.
pub async fn page_of<C: ConnectionTrait>(
    conn: &C,
    id: &str,
    action: Option<RowAction>,
    page: u64,
    page_size: u64,
) -> StoreResult<(Vec<PlannedRow>, u64)> {
    let mut q = import_rows::Entity::find().filter(import_rows::Column::ImportId.eq(id));
    if let Some(a) = action {
        q = q.filter(import_rows::Column::Action.eq(a.as_str()));
    }
    let total = q.clone().count(conn).await?;
    let rows: Vec<String> = q
        .select_only()
        .column(import_rows::Column::Data)
        .order_by_asc(import_rows::Column::Seq)
        .offset(page.saturating_sub(1).saturating_mul(page_size))
        .limit(page_size)
        .into_tuple()
        .all(conn)
        .await?;
    Ok((rows.into_iter().filter_map(|d| serde_json::from_str(&d).ok()).collect(), total))
}

/// The sheet layouts of an import.
pub fn sheets_of(record: &imports::Model) -> Vec<SheetLayout> {
    serde_json::from_str(&record.sheets).unwrap_or_default()
}

/// The totals of an import.
pub fn totals_of(record: &imports::Model) -> Totals {
    serde_json::from_str(&record.totals).unwrap_or_default()
}

async fn writable(db: &DatabaseConnection, caller: &Caller, record: &imports::Model) -> StoreResult<()> {
    let unit = super::units::get(db, record.unit_id).await?;
    if !caller.writes_unit(unit.id, &unit.path) {
        return Err(StoreError::Forbidden(
            "Chỉ đơn vị quản lý hồ sơ mới ghi, hoàn tác hoặc huỷ lần nhập này.".to_owned(),
        ));
    }
    Ok(())
}

fn changes_of(row: &CommitRow) -> PersonChanges {
    let mut c = PersonChanges { expected_version: row.version, ..PersonChanges::default() };
    let v = &row.values;
    for change in &row.changes {
        match change.field.as_str() {
            "fullName" => c.full_name = Some(v.full_name.clone()),
            "dateOfBirth" => c.date_of_birth = Some(v.date_of_birth.clone()),
            "gender" => c.gender = Some(v.gender.clone()),
            "personalId" => c.personal_id = Some(v.personal_id.clone()),
            "residenceProvince" => c.res_province = Some(v.res_province.clone()),
            "residenceDistrict" => c.res_district = Some(v.res_district.clone()),
            "residenceCommune" => c.res_commune = Some(v.res_commune.clone()),
            "residenceText" => c.res_text = Some(v.res_text.clone()),
            "sectorCode" => c.sector_code = Some(v.sector_code.clone()),
            "classId" => c.class_id = row.class_id,
            _ => {}
        }
    }
    c
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
    caller: &Caller,
    request_id: Option<String>,
    id: &str,
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
        status::FAILED => {
            return Err(StoreError::Conflict {
                pointer: None, message: "Lần nhập này bị lỗi khi đọc tệp.".to_owned()
            });
        }
        status::PROCESSING => {
            // the job commits when it is done
            let mut active: imports::ActiveModel = record.into();
            active.commit_requested = Set(true);
            return Ok(active.update(db).await?);
        }
        _ => {}
    }
    let kind = kind_of(&record.kind);
    let txn = super::begin_write(db).await?;
    // claim the import: a second commit racing this one finds nothing to claim
    let claimed = imports::Entity::update_many()
        .col_expr(imports::Column::Status, Expr::value(status::COMMITTED))
        .col_expr(imports::Column::CommittedAt, Expr::value(Utc::now()))
        .col_expr(imports::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(imports::Column::Id.eq(id))
        .filter(imports::Column::Status.eq(status::READY))
        .exec(&txn)
        .await?;
    if claimed.rows_affected == 0 {
        drop(txn);
        return get(db, caller, id).await;
    }
    let rows = rows_to_commit(&txn, id).await?;
    let ctx = AuditCtx::manual(caller, request_id).with_source(Source::Import, Some(id.to_owned()));
    let creates = rows.iter().filter(|r| r.action == RowAction::Create).count();
    let bulk = creates >= BULK_CREATES;
    if bulk {
        bulk_create(&txn, &ctx, kind, record.unit_id, &rows).await.map_err(|e| match e {
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
    for row in &rows {
        match row.action {
            RowAction::Update => {
                let Some(pid) = row.person_id else { continue };
                let person = super::people::get(&txn, caller, kind, pid)
                    .await
                    .map_err(|_| row_conflict(row, "hồ sơ đã bị xoá sau khi xem trước."))?;
                super::people::update_in(&txn, caller, &ctx, person, changes_of(row)).await.map_err(|e| match e {
                    StoreError::VersionConflict { .. } => row_conflict(row, "hồ sơ đã được sửa sau khi xem trước."),
                    StoreError::Conflict { message, .. } => row_conflict(row, &message),
                    other => other,
                })?;
            }
            RowAction::Create if bulk => {}
            RowAction::Create => {
                let new = NewPerson {
                    kind,
                    unit_id: record.unit_id,
                    class_id: row.class_id,
                    position: None,
                    sector_code: row.values.sector_code.clone(),
                    identity: row.values.identity(),
                };
                super::people::create_in(&txn, caller, &ctx, new).await.map_err(|e| match e {
                    StoreError::Conflict { message, .. } => row_conflict(row, &message),
                    other => other,
                })?;
            }
            RowAction::Unchanged | RowAction::Rejected => {}
        }
    }
    txn.commit().await?;
    get(db, caller, id).await
}

/// From this many new records on, a commit inserts them in multi-row statements and recounts
/// the statistics once, instead of record by record.
pub const BULK_CREATES: usize = 500;

/// Inserts the new records of a plan in bulk, inside the commit's transaction: people, finding
/// rows and one `create` audit row each (source `import`), then the duplicate-ID findings and
/// the statistics counters.
async fn bulk_create<C: ConnectionTrait>(
    txn: &C,
    ctx: &AuditCtx,
    kind: PersonKind,
    unit_id: i64,
    rows: &[CommitRow],
) -> StoreResult<()> {
    use std::collections::HashMap;
    const CHUNK: usize = 2_000;
    let grades: HashMap<i64, i32> = classes::Entity::find()
        .filter(classes::Column::SchoolId.eq(unit_id))
        .all(txn)
        .await?
        .into_iter()
        .map(|c| (c.id, c.grade))
        .collect();
    let mut next = super::people::next_id(txn).await?;
    let mut pids = HashSet::new();
    let creates: Vec<&CommitRow> = rows.iter().filter(|r| r.action == RowAction::Create).collect();
    for chunk in creates.chunks(CHUNK) {
        let mut batch = Vec::with_capacity(chunk.len());
        let mut fields = Vec::new();
        for row in chunk {
            let class_id = if kind == PersonKind::Student { row.class_id } else { None };
            if kind == PersonKind::Student && class_id.is_none_or(|c| !grades.contains_key(&c)) {
                return Err(row_conflict(row, "lớp của học sinh không còn ở trường."));
            }
            let identity = row.values.identity();
            let grade = class_id.and_then(|c| grades.get(&c).copied());
            let outcome = super::people::evaluate(&identity, kind, grade, None);
            if let Some(pid) = &outcome.normalized.personal_id {
                pids.insert(pid.clone());
            }
            // the same audit rows as a record created one by one: every field entered
            for (field, value) in identity.fields() {
                if let Some(v) = value {
                    fields.push(super::audit::Event {
                        action: "create",
                        entity: "person",
                        entity_id: Some(next),
                        field: Some(field),
                        old_value: None,
                        new_value: Some(v.clone()),
                    });
                }
            }
            if let Some(code) = &row.values.sector_code {
                fields.push(super::audit::Event {
                    action: "create",
                    entity: "person",
                    entity_id: Some(next),
                    field: Some("sectorCode"),
                    old_value: None,
                    new_value: Some(code.clone()),
                });
            }
            batch.push(super::people::BulkPerson {
                id: next,
                kind,
                unit_id,
                class_id,
                position: None,
                sector_code: row.values.sector_code.clone(),
                identity,
                outcome,
            });
            next += 1;
        }
        super::people::bulk_insert(txn, ctx, batch).await?;
        for events in fields.chunks(1_000) {
            super::audit::record(txn, ctx, events.to_vec()).await?;
        }
    }
    super::people::reset_id_sequence(txn).await?;
    let duplicated: Vec<String> =
        super::people::duplicated_ids(txn).await?.into_iter().filter(|p| pids.contains(p)).collect();
    super::people::sync_duplicates(txn, &duplicated).await?;
    super::counters::rebuild(txn).await?;
    Ok(())
}

/// Undoes a committed import as a whole: each field it changed goes back unless it was changed
/// again since (then it is kept, and counted); each record it created is removed unless it
/// was changed since. Undoing twice is refused.
pub async fn undo(
    db: &DatabaseConnection,
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
    let txn = super::begin_write(db).await?;
    let events = audit_events::Entity::find()
        .filter(audit_events::Column::SourceRef.eq(id))
        .filter(audit_events::Column::Source.eq(Source::Import.as_str()))
        .filter(audit_events::Column::Entity.eq("person"))
        .order_by_asc(audit_events::Column::Id)
        .all(&txn)
        .await?;
    let last_import_event = events.iter().map(|e| e.id).max().unwrap_or(0);
    let mut per_person: BTreeMap<i64, Vec<audit_events::Model>> = BTreeMap::new();
    for e in events {
        if let Some(pid) = e.entity_id {
            per_person.entry(pid).or_default().push(e);
        }
    }
    let ctx = AuditCtx::manual(caller, request_id).with_source(Source::Import, Some(format!("{id}:undo")));
    let (mut reverted, mut kept) = (0i32, 0i32);
    for (pid, fields) in per_person {
        let Ok(row) = super::people::get(&txn, caller, kind, pid).await else {
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
                super::people::delete_in(&txn, &ctx, row).await?;
                reverted += 1;
            } else {
                kept += 1;
            }
            continue;
        }
        let current = Identity::of(&row.person);
        let mut changes = PersonChanges::default();
        let mut any = false;
        for e in fields.iter().filter(|e| e.action == "update") {
            let field = e.field.as_deref().unwrap_or("");
            let now: Option<String> = match field {
                "sectorCode" => row.person.sector_code.clone(),
                "classId" => row.person.class_id.map(|c| c.to_string()),
                "status" => continue,
                f => match current.fields().into_iter().find(|(name, _)| *name == f) {
                    Some((_, v)) => v.clone(),
                    None => continue,
                },
            };
            if now != e.new_value {
                kept += 1;
                continue;
            }
            let back = Some(e.old_value.clone());
            match field {
                "fullName" => changes.full_name = back,
                "dateOfBirth" => changes.date_of_birth = back,
                "gender" => changes.gender = back,
                "personalId" => changes.personal_id = back,
                "residenceProvince" => changes.res_province = back,
                "residenceDistrict" => changes.res_district = back,
                "residenceCommune" => changes.res_commune = back,
                "residenceText" => changes.res_text = back,
                "sectorCode" => changes.sector_code = back,
                "classId" => match e.old_value.as_deref().and_then(|v| v.parse().ok()) {
                    Some(c) => changes.class_id = Some(c),
                    None => continue,
                },
                _ => continue,
            }
            any = true;
            reverted += 1;
        }
        if any {
            super::people::update_in(&txn, caller, &ctx, row, changes).await?;
        }
    }
    let mut active: imports::ActiveModel = record.into();
    active.status = Set(status::UNDONE.to_owned());
    active.undone_at = Set(Some(Utc::now()));
    active.updated_at = Set(Utc::now());
    active.reverted = Set(reverted);
    active.kept = Set(kept);
    let out = active.update(&txn).await?;
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
    let txn = super::begin_write(db).await?;
    import_rows::Entity::delete_many().filter(import_rows::Column::ImportId.eq(id)).exec(&txn).await?;
    imports::Entity::delete_by_id(id.to_owned()).exec(&txn).await?;
    txn.commit().await?;
    Ok(())
}
