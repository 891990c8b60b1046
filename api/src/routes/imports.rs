//! `/imports`: upload a spreadsheet (multipart `file`, or the raw body with its name in
//! `X-Filename`), see the preview, commit it, undo it, discard it, download its error
//! workbook. `?commit=true` on the upload does both steps in one call for scripts.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::context::RequestContext;
use super::stats::{UploadForm, XlsxFile};
use crate::domain::access::Caller;
use crate::domain::personal_id::mask;
use crate::domain::status::ImportStatus;
use crate::error::{ApiError, ApiResult, ErrorCode, FieldError, Problem};
use crate::import::plan::{MatchedBy, SheetLayout};
use crate::import::{FieldChange, PlannedRow, ReadError, RowAction, RowError, Totals};
use crate::rules::{Finding, PersonKind};
use crate::state::AppState;
use crate::store::audit;
use crate::store::entities::imports as model;
use crate::store::imports::{self, CommitOptions, ImportError, ImportOptions, status};
use crate::store::{read_json, read_stored};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Upload options.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// Commit straight after the preview (scripts).
    pub commit: Option<bool>,
    /// `student` or `staff`; default: what our template says, else `student`.
    pub population: Option<PersonKind>,
    /// The class new students go to when the file does not say (no `Lớp` column, not our
    /// template).
    pub class_id: Option<i64>,
    /// The school (or unit, for staff) the rows belong to; default: the class's, the
    /// template's, or the caller's own.
    pub school_id: Option<i64>,
    /// The file name when the body is the raw file (else `X-Filename` or the multipart part's).
    pub filename: Option<String>,
}

/// Which preview rows to answer with.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct RowsQuery {
    /// 1-based page of rows (default 1).
    #[param(minimum = 1, maximum = 1_000_000)]
    pub page: Option<u64>,
    /// Rows per page (default 100, at most 1000).
    #[param(minimum = 1, maximum = 1000)]
    pub page_size: Option<u64>,
    /// Only rows with this action (`unchanged`, `update`, `create`, `rejected`).
    pub action: Option<RowAction>,
}

/// One row of the preview. ID numbers are masked.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportRow {
    /// Sheet name in the file.
    pub sheet: String,
    /// 1-based row number in the sheet.
    pub row: u32,
    pub action: RowAction,
    /// The record the row updates (or leaves unchanged).
    pub person_id: Option<i64>,
    pub matched_by: Option<MatchedBy>,
    pub class_id: Option<i64>,
    /// The full name the row leaves on the record.
    pub full_name: Option<String>,
    /// Field by field, old → new (as entered).
    pub changes: Vec<FieldChange>,
    /// What the rules find on the new values.
    pub findings: Vec<Finding>,
    /// Why the row is rejected (with the column).
    pub errors: Vec<RowError>,
}

/// An import: its status and progress, the totals, how the file was read, and a page of rows.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Import {
    pub id: String,
    pub status: ImportStatus,
    pub population: PersonKind,
    pub unit_id: i64,
    pub class_id: Option<i64>,
    pub filename: String,
    /// `xlsx`, `xls` or `csv`.
    pub format: String,
    /// For CSV: `utf-8`, `utf-8-bom`, `utf-16`, `windows-1258`.
    pub encoding: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub created_by: String,
    pub committed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub undone_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Rows planned so far (a background job's progress).
    pub rows_read: i32,
    /// Data rows in the file.
    pub rows_total: i32,
    pub totals: Totals,
    pub sheets: Vec<SheetLayout>,
    /// This page of rows (see `page`, `pageSize`, `rowsMatching`).
    pub rows: Vec<ImportRow>,
    pub page: u64,
    pub page_size: u64,
    /// Rows matching the `action` filter.
    pub rows_matching: u64,
    /// On undo: fields (and created records) put back.
    pub reverted: i32,
    /// On undo: fields (and created records) left alone because they changed after the import.
    /// On commit: rows changing a verified record left alone (no `confirmVerifiedChanges`).
    pub kept: i32,
    /// Why the import is `failed` (its file could not be read, or its server stopped while
    /// reading it) or `expired`; on a `ready` import, why the commit asked for with the upload
    /// did not happen (refused, or its server stopped first: nothing was written). In
    /// Vietnamese, for the clerk.
    pub error: Option<String>,
    /// Classes the file names that the school does not have yet ("lớp mới"): their rows carry
    /// the provisional `tempId` as `classId`; the commit creates them in the current year.
    pub new_classes: Vec<imports::NewClassPlan>,
    /// When the import's planned rows were deleted at the end of their retention time
    /// (`retention.import_days` after the commit): `rows` is empty from then on, the counts stay.
    pub rows_purged_at: Option<chrono::DateTime<chrono::Utc>>,
}

fn mask_opt(v: &Option<String>) -> Option<String> {
    v.as_deref().map(mask)
}

fn row_view(r: &PlannedRow) -> ImportRow {
    let changes = r
        .changes
        .iter()
        .map(|c| {
            if c.field == "personalId" {
                FieldChange { old: mask_opt(&c.old), new: mask_opt(&c.new), ..c.clone() }
            } else {
                c.clone()
            }
        })
        .collect();
    let mut outcome = crate::rules::Outcome { findings: r.findings.clone(), ..crate::rules::Outcome::default() };
    super::people::mask_outcome(&mut outcome);
    let findings = outcome.findings;
    ImportRow {
        sheet: r.sheet.clone(),
        row: r.row,
        action: r.action,
        person_id: r.person_id,
        matched_by: r.matched_by,
        class_id: r.class_id,
        full_name: r.values.full_name.clone(),
        changes,
        findings,
        errors: r.errors.clone(),
    }
}

async fn view(state: &AppState, m: &model::Model, q: &RowsQuery) -> ApiResult<Import> {
    let page = super::bounds::page(q.page)?;
    let page_size = super::bounds::count("pageSize", q.page_size, 100, 1000)?;
    let (rows, matching) = imports::page_of(&state.store.db, &m.id, q.action, page, page_size).await?;
    Ok(Import { rows: rows.iter().map(row_view).collect(), page, page_size, rows_matching: matching, ..summary(m)? })
}

/// An import without its rows (`page` 0, `pageSize` 0): what the list shows.
/// A stored status, kind or error that does not read back is an error.
fn summary(m: &model::Model) -> ApiResult<Import> {
    let what = |column: &str| format!("imports.{column} of {}", m.id);
    let error = match m.error.as_deref() {
        Some(e) => {
            read_json::<serde_json::Value>(what("error"), e)?.get("message").and_then(|m| m.as_str()).map(str::to_owned)
        }
        None => None,
    };
    Ok(Import {
        id: m.id.clone(),
        status: read_stored(what("status"), &m.status, ImportStatus::parse)?,
        population: read_stored(what("kind"), &m.kind, PersonKind::parse)?,
        unit_id: m.unit_id,
        class_id: m.class_id,
        filename: m.filename.clone(),
        format: m.format.clone(),
        encoding: m.encoding.clone(),
        created_at: m.created_at,
        created_by: m.actor.clone(),
        committed_at: m.committed_at,
        undone_at: m.undone_at,
        rows_read: m.rows_read,
        rows_total: m.rows_total,
        totals: imports::totals_of(m),
        sheets: imports::sheets_of(m),
        rows: Vec::new(),
        page: 0,
        page_size: 0,
        rows_matching: 0,
        reverted: m.reverted,
        kept: m.kept,
        error,
        new_classes: imports::new_classes_of(m),
        rows_purged_at: m.rows_purged_at,
    })
}

fn too_large(max: usize) -> ApiError {
    let mut e = ApiError::with_detail(
        ErrorCode::PayloadTooLarge,
        format!("Tệp lớn hơn giới hạn {} MB; hãy chia thành nhiều tệp.", max / (1024 * 1024)),
    );
    e.errors.push(FieldError {
        pointer: "/file".to_owned(),
        code: "too_large".to_owned(),
        message: e.detail.clone().unwrap_or_default(),
    });
    e
}

impl From<ImportError> for ApiError {
    fn from(err: ImportError) -> ApiError {
        match err {
            ImportError::Store(e) => e.into(),
            ImportError::Read(ReadError::TooLarge { what, message }) => {
                let mut e = ApiError::with_detail(ErrorCode::PayloadTooLarge, message.clone());
                let code = match what {
                    "rows" => "too_many_rows",
                    "sheets" => "too_many_sheets",
                    "uncompressed" => "too_large_uncompressed",
                    "columns" => "too_many_columns",
                    "cells" => "too_many_cells",
                    "cell" => "cell_too_long",
                    _ => "too_large",
                };
                e.errors.push(FieldError { pointer: "/file".to_owned(), code: code.to_owned(), message });
                e
            }
            ImportError::Read(ReadError::Unsupported(message)) => {
                let mut e = ApiError::with_detail(ErrorCode::UnsupportedMediaType, message.clone());
                e.errors.push(FieldError { pointer: "/file".to_owned(), code: "unsupported".to_owned(), message });
                e
            }
            ImportError::Read(ReadError::Unreadable(message)) => {
                let mut e = ApiError::field("/file", "unreadable", message.clone());
                e.detail = Some(message);
                e
            }
            ImportError::Layout(layout) => {
                let message = layout.message();
                let errors = match &layout {
                    crate::import::plan::LayoutError::NoHeader => vec![FieldError {
                        pointer: "/file".to_owned(),
                        code: "header_not_found".to_owned(),
                        message: message.clone(),
                    }],
                    crate::import::plan::LayoutError::MissingColumns { sheet, columns } => columns
                        .iter()
                        .map(|c| FieldError {
                            pointer: format!("/file/columns/{}", c.as_str()),
                            code: "column_missing".to_owned(),
                            message: format!("Trang “{sheet}” thiếu cột “{}”.", c.label()),
                        })
                        .collect(),
                };
                let mut e = ApiError::validation(errors);
                e.detail = Some(message);
                e
            }
        }
    }
}

fn filename_from_disposition(value: &str) -> Option<String> {
    value.split(';').map(str::trim).find_map(|p| p.strip_prefix("filename=")).map(|f| f.trim_matches('"').to_owned())
}

/// Reads the uploaded file within the size limit: `(file name, bytes)`.
pub(super) async fn read_upload(
    req: &HttpRequest,
    mut payload: web::Payload,
    query_filename: Option<String>,
    max: usize,
) -> ApiResult<(String, Vec<u8>)> {
    let headers = req.headers();
    if let Some(len) =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok())
        && len > max + 64 * 1024
    {
        return Err(too_large(max));
    }
    let content_type =
        headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    if content_type.starts_with("multipart/form-data") {
        let mut form = actix_multipart::Multipart::new(headers, payload);
        while let Some(field) = form.next().await {
            let mut field = field.map_err(|e| ApiError::bad_request(format!("Dữ liệu multipart không hợp lệ: {e}")))?;
            let is_file = field.name() == Some("file");
            let name = field
                .content_disposition()
                .and_then(|d| d.get_filename().map(str::to_owned))
                .or_else(|| query_filename.clone())
                .unwrap_or_else(|| "tep-tai-len".to_owned());
            let mut bytes = Vec::new();
            while let Some(chunk) = field.next().await {
                let chunk = chunk.map_err(|e| ApiError::bad_request(format!("Không đọc hết được tệp: {e}")))?;
                if bytes.len() + chunk.len() > max {
                    return Err(too_large(max));
                }
                if is_file {
                    bytes.extend_from_slice(&chunk);
                }
            }
            if is_file {
                return Ok((name, bytes));
            }
        }
        return Err(ApiError::field("/file", "required", "Chưa chọn tệp: gửi tệp trong trường “file”."));
    }
    if content_type.starts_with("application/json") {
        return Err(ApiError::with_detail(
            ErrorCode::UnsupportedMediaType,
            "Gửi tệp Excel/CSV dạng multipart (trường “file”) hoặc nguyên tệp trong thân yêu cầu.",
        ));
    }
    let name = query_filename
        .clone()
        .or_else(|| headers.get("x-filename").and_then(|v| v.to_str().ok()).map(str::to_owned))
        .or_else(|| {
            headers.get(header::CONTENT_DISPOSITION).and_then(|v| v.to_str().ok()).and_then(filename_from_disposition)
        })
        .unwrap_or_else(|| {
            if content_type.contains("csv") { "tep-tai-len.csv".to_owned() } else { "tep-tai-len".to_owned() }
        });
    let mut bytes = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::bad_request(format!("Không đọc hết được tệp: {e}")))?;
        if bytes.len() + chunk.len() > max {
            return Err(too_large(max));
        }
        bytes.extend_from_slice(&chunk);
    }
    if bytes.is_empty() {
        return Err(ApiError::field("/file", "required", "Chưa có tệp: thân yêu cầu rỗng."));
    }
    Ok((name, bytes))
}

async fn answer(state: &AppState, m: &model::Model, created: bool) -> ApiResult<HttpResponse> {
    let body = view(state, m, &RowsQuery { page: None, page_size: None, action: None }).await?;
    Ok(if m.status == status::PROCESSING {
        HttpResponse::Accepted().json(body)
    } else if created {
        HttpResponse::Created().json(body)
    } else {
        HttpResponse::Ok().json(body)
    })
}

/// Uploads a spreadsheet (`.xlsx`, `.xls`, `.csv` in UTF-8 with or without BOM, UTF-16 or
/// Windows-1258) and answers its preview: per row `unchanged`, `update` (field by field),
/// `create` or `rejected` (with column and reason), the findings the rules raise on the new
/// values, and totals. Each changed field carries its `status`: `update`, or, for a file of our
/// template whose export the server still keeps, `stale` (kept: the record changed since the
/// export) or `conflict` (both changed: the clerk chooses at commit). Nothing is written unless `commit=true`. Files with more rows than
/// `import.job_threshold_rows` answer 202 at once with `status: processing`; poll
/// `GET /imports/{id}` (`rowsRead` / `rowsTotal`).
#[utoipa::path(tag = "imports", params(UploadQuery), request_body(description = "The file as a form (part `file`), or the raw file as the body", content((UploadForm = "multipart/form-data"), (XlsxFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (XlsxFile = "application/vnd.ms-excel"), (XlsxFile = "text/csv"))), responses(
    (status = 201, description = "Preview ready (or committed with `commit=true`)", body = Import),
    (status = 202, description = "A background job reads the file", body = Import),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "A record changed while committing", body = Problem, content_type = "application/problem+json"),
    (status = 413, description = "File, rows, columns, cells, a cell's text or sheets over the limits (`errors[].code`: `too_large`, `too_many_rows`, `too_many_columns`, `too_many_cells`, `cell_too_long`, `too_many_sheets`, `too_large_uncompressed`)", body = Problem, content_type = "application/problem+json"),
    (status = 415, description = "Not a spreadsheet, encrypted, or with macros", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Unreadable file, no header row, or a required column missing (`errors[].pointer` = `/file/columns/<field>`)", body = Problem, content_type = "application/problem+json"),
))]
#[post("/imports")]
pub async fn create_import(
    state: web::Data<AppState>,
    rc: RequestContext,
    // the multipart body's boundary is in the request's headers
    req: HttpRequest,
    query: web::Query<UploadQuery>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let settings = &state.settings.import;
    let (filename, bytes) = read_upload(&req, payload, query.filename.clone(), settings.max_bytes).await?;
    let filename = super::bounds::upload_name(&filename);
    let opts = ImportOptions {
        kind: query.population,
        class_id: query.class_id,
        unit_id: query.school_id,
        commit: query.commit.unwrap_or(false),
    };
    let record = imports::start(
        &state.store.db,
        settings,
        &state.worker_env(),
        &rc.caller,
        rc.request_id.clone(),
        imports::Upload { filename, bytes },
        opts,
    )
    .await?;
    answer(&state, &record, true).await
}

/// The latest imports, newest first, without their rows (`page`, `pageSize`, `rowsMatching` are 0).
#[derive(Serialize, ToSchema)]
pub struct ImportList {
    pub items: Vec<Import>,
}

/// Which imports to list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Most imports answered (default 50, at most 200).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u64>,
}

/// The latest imports of the caller's unit and the units below it (the jobs page): status,
/// progress and totals, without rows (`GET /imports/{id}` pages those).
#[utoipa::path(tag = "imports", params(ListQuery), responses(
    (status = 200, body = ImportList),
    (status = 401, body = Problem, content_type = "application/problem+json"),
))]
#[get("/imports")]
pub async fn list_imports(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ListQuery>,
) -> ApiResult<web::Json<ImportList>> {
    let limit = super::bounds::count("limit", query.limit, 50, 200)?;
    let records = imports::list_visible(&state.store.db, &caller, limit).await?;
    Ok(web::Json(ImportList { items: records.iter().map(summary).collect::<ApiResult<_>>()? }))
}

/// An import: status, progress, totals, and a page of its rows.
#[utoipa::path(tag = "imports", params(("id" = String, Path), RowsQuery), responses(
    (status = 200, body = Import),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/imports/{id}")]
pub async fn get_import(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    query: web::Query<RowsQuery>,
) -> ApiResult<web::Json<Import>> {
    let record = imports::get(&state.store.db, &caller, &id).await?;
    Ok(web::Json(view(&state, &record, &query).await?))
}

/// Commits an import: every accepted row in one transaction, each change audited with source
/// `import` and the import id. A change whose new value would bring an `error` finding
/// (`wouldWorsen` in the preview) is written only when a choice forces it (audited as forced);
/// changes of verified records only with `confirmVerifiedChanges` (else they are left alone and
/// counted in `kept`); `take: "current"` keeps the record's value. A file exported from our
/// template is compared three ways: a `stale` field (the file holds what was exported, the
/// record changed since) keeps the record's newer value; a `conflict` (both changed) is written
/// only with `take: "file"`. The choices are audited (`import_choice`). The body is optional.
/// Committing again changes nothing. While a background job still reads the file, answers 202
/// and the job commits when done.
#[utoipa::path(tag = "imports", params(("id" = String, Path)), request_body(content = Option<CommitOptions>, content_type = "application/json"), responses(
    (status = 200, body = Import),
    (status = 202, description = "Will commit when the job is done", body = Import),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "A record changed since the preview, or the import was undone", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "A body of the wrong shape", body = Problem, content_type = "application/problem+json"),
))]
#[post("/imports/{id}/commit")]
pub async fn commit_import(
    state: web::Data<AppState>,
    rc: RequestContext,
    id: web::Path<String>,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    // no body, or `null`, is the default options
    let value: serde_json::Value = if body.iter().all(u8::is_ascii_whitespace) {
        serde_json::Value::Null
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| ApiError::with_detail(ErrorCode::InvalidJson, format!("Nội dung gửi lên không hợp lệ: {e}")))?
    };
    let opts: CommitOptions = crate::body::from_value::<Option<CommitOptions>>(value)
        .map_err(|e| ApiError::with_detail(ErrorCode::ValidationFailed, format!("Dữ liệu không đúng kiểu: {e}")))?
        .unwrap_or_default();
    if let Some(i) = opts.choices.iter().position(|c| !(1..=1_048_576).contains(&c.row)) {
        return Err(ApiError::field(
            &format!("/choices/{i}/row"),
            "range",
            "Số dòng phải từ 1 đến 1.048.576 (số dòng tối đa của một trang tính).",
        ));
    }
    let record =
        imports::commit(&state.store.db, &state.settings.clock, &rc.caller, rc.request_id.clone(), &id, &opts).await?;
    answer(&state, &record, false).await
}

/// Undoes a committed import: its changes go back unless changed again since (counted in
/// `kept`), records it created are removed unless changed since.
#[utoipa::path(tag = "imports", params(("id" = String, Path)), responses(
    (status = 200, body = Import),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Not committed, or already undone", body = Problem, content_type = "application/problem+json"),
))]
#[post("/imports/{id}/undo")]
pub async fn undo_import(
    state: web::Data<AppState>,
    rc: RequestContext,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let record = imports::undo(&state.store.db, &state.settings.clock, &rc.caller, rc.request_id.clone(), &id).await?;
    answer(&state, &record, false).await
}

/// Discards an import that was not committed.
#[utoipa::path(tag = "imports", params(("id" = String, Path)), responses(
    (status = 204, description = "Discarded"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Already committed", body = Problem, content_type = "application/problem+json"),
))]
#[delete("/imports/{id}")]
pub async fn delete_import(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    imports::discard(&state.store.db, &caller, &id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The error workbook: the uploaded rows with problem cells highlighted and a comment on each
/// in Vietnamese, the outcome of each row, and a summary sheet. Audited as an export.
#[utoipa::path(tag = "imports", params(("id" = String, Path)), responses(
    (status = 200, description = "The workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = XlsxFile),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Still processing, or its rows were deleted at the end of their retention time (`rows_purged`)", body = Problem, content_type = "application/problem+json"),
))]
#[get("/imports/{id}/report.xlsx")]
pub async fn import_report(
    state: web::Data<AppState>,
    rc: RequestContext,
    id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let record = imports::get(&state.store.db, &rc.caller, &id).await?;
    if record.status == status::PROCESSING || record.status == status::FAILED {
        return Err(ApiError::with_detail(ErrorCode::Conflict, "Tệp chưa được đọc xong; hãy thử lại sau."));
    }
    imports::rows_kept(&record)?;
    let filename =
        format!("ket-qua-{}.xlsx", record.filename.rsplit_once('.').map(|(b, _)| b).unwrap_or(&record.filename));
    let unit_id = record.unit_id;
    let unit = crate::store::units::get(&state.store.db, unit_id).await?;
    // full numbers only to the roles that see them in full on screen (those that edit them)
    let full = rc.caller.writes_unit(unit.id, &unit.path);
    let rows = imports::rows_of(&state.store.db, &record.id).await?;
    let carried: Vec<i64> = rows.iter().filter_map(|r| r.person_id).collect();
    let unmatched = rows.iter().filter(|r| r.person_id.is_none()).count();
    let bytes = web::block(move || {
        let sheets = imports::sheets_of(&record);
        let totals = imports::totals_of(&record);
        crate::excel::report::write(&crate::excel::report::ReportInput {
            filename: &record.filename,
            created_at: record.created_at,
            status: &record.status,
            totals: &totals,
            sheets: &sheets,
            rows: &rows,
            mask_ids: !full,
        })
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(ApiError::internal)?;
    let note = format!("{id}; {} dòng, {unmatched} dòng chưa gắn hồ sơ", carried.len() + unmatched);
    audit::record_export(
        &state.store.db,
        &rc.audit(),
        "import_report",
        unit_id,
        note,
        &carried,
        full.then_some(&carried[..]),
    )
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, XLSX))
        .insert_header((header::CONTENT_DISPOSITION, super::bounds::content_disposition(&filename)))
        .body(bytes))
}
