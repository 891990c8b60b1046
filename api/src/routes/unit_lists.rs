//! The unit tree from the Department's own list (issue 10): `POST /units/import` (multipart
//! `file`, or the raw body with `X-Filename`) answers the preview — per line `create`,
//! `update`, `close`, `unchanged` or `rejected` with its reasons — and `commit=true` commits at
//! once; `…/{id}/commit` and `…/{id}/undo`. Only the department administrator imports.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::context::RequestContext;
use super::stats::{UploadForm, XlsxFile};
use crate::domain::unit_list::{self, PlannedUnit, UnitAction, UnitLine};
use crate::error::{ApiError, ApiResult, ErrorCode, Problem};
use crate::import::ReadError;
use crate::state::AppState;
use crate::store::unit_imports::{self, UnitImport};

/// An import of a unit list: its status and every planned line.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UnitImportView {
    pub id: i64,
    pub filename: String,
    /// `preview`, `committed` or `undone`.
    pub status: String,
    pub created: usize,
    pub updated: usize,
    pub closed: usize,
    pub unchanged: usize,
    pub rejected: usize,
    pub lines: Vec<PlannedUnit>,
}

impl From<UnitImport> for UnitImportView {
    fn from(i: UnitImport) -> UnitImportView {
        let s = unit_list::summary(&i.plan);
        let n = |a: UnitAction| s.get(&a).copied().unwrap_or(0);
        UnitImportView {
            id: i.row.id,
            filename: i.row.filename,
            status: i.row.status,
            created: n(UnitAction::Create),
            updated: n(UnitAction::Update),
            closed: n(UnitAction::Close),
            unchanged: n(UnitAction::Unchanged),
            rejected: n(UnitAction::Rejected),
            lines: i.plan,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct UnitUploadQuery {
    /// Commit at once (the answer is then the committed import).
    pub commit: Option<bool>,
    /// The file name when the body is the raw file (else `X-Filename` or the multipart part's).
    pub filename: Option<String>,
}

fn read_problem(e: ReadError) -> ApiError {
    match e {
        ReadError::TooLarge { message, .. } => ApiError::with_detail(ErrorCode::PayloadTooLarge, message),
        ReadError::Unsupported(m) => ApiError::with_detail(ErrorCode::UnsupportedMediaType, m),
        ReadError::Unreadable(m) => ApiError::field("/file", "unreadable", m),
    }
}

/// Reads a unit list (every sheet, the first with a code and a name column) within the import
/// limits and the hostile-input guards of the people import.
pub fn read_unit_list(filename: &str, bytes: &[u8], limits: &crate::import::Limits) -> Result<Vec<UnitLine>, ApiError> {
    let book = crate::import::read::read(filename, bytes, limits).map_err(read_problem)?;
    for sheet in &book.sheets {
        let rows: Vec<Vec<String>> = sheet
            .rows
            .iter()
            .map(|r| r.iter().map(|c| crate::import::cells::read_id(c).unwrap_or_default()).collect())
            .collect();
        if let Some(lines) = unit_list::read_lines(&rows) {
            return Ok(lines);
        }
    }
    Err(ApiError::field(
        "/file/columns/code",
        "missing_column",
        "Không tìm thấy dòng tiêu đề có cột mã đơn vị (Mã trường) và tên đơn vị (Tên trường).",
    ))
}

/// Uploads the list of district offices and schools and answers its preview (or commits it at
/// once with `commit=true`).
#[utoipa::path(tag = "units", params(UnitUploadQuery), request_body(description = "The file as a form (part `file`), or the raw file as the body", content((UploadForm = "multipart/form-data"), (XlsxFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (XlsxFile = "application/vnd.ms-excel"), (XlsxFile = "text/csv"))), responses(
    (status = 201, description = "Preview ready (or committed with `commit=true`)", body = UnitImportView),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 409, body = Problem, content_type = "application/problem+json"),
    (status = 413, body = Problem, content_type = "application/problem+json"),
    (status = 415, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[post("/units/import")]
pub async fn import_units(
    state: web::Data<AppState>,
    rc: RequestContext,
    req: HttpRequest,
    query: web::Query<UnitUploadQuery>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    if !rc.caller.manages_units(&rc.caller.unit_path) {
        return Err(ApiError::forbidden("Chỉ quản trị Sở GDĐT (department_admin) mới nạp danh sách đơn vị."));
    }
    let settings = &state.settings.import;
    let (filename, bytes) =
        super::imports::read_upload(&req, payload, query.filename.clone(), settings.max_bytes).await?;
    let filename = super::bounds::upload_name(&filename);
    let limits = settings.limits();
    let name = filename.clone();
    let lines = web::block(move || read_unit_list(&name, &bytes, &limits)).await.map_err(ApiError::internal)??;
    let ctx = rc.audit();
    let mut import = unit_imports::preview(&state.store.db, &ctx, &rc.caller, &filename, &lines).await?;
    if query.commit.unwrap_or(false) {
        import = unit_imports::commit(&state.store.db, &ctx, &rc.caller, import.row.id).await?;
    }
    Ok(HttpResponse::Created().json(UnitImportView::from(import)))
}

/// The unit list's template: the MoET-style headers the import reads, drop-downs for the kind
/// and the level, and an instructions sheet in Vietnamese (the department administrator).
#[utoipa::path(tag = "units", responses(
    (status = 200, description = "The workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = XlsxFile),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
))]
#[get("/units/import/template.xlsx")]
pub async fn unit_list_template(rc: RequestContext) -> ApiResult<HttpResponse> {
    if !rc.caller.manages_units(&rc.caller.unit_path) {
        return Err(ApiError::forbidden("Chỉ quản trị Sở GDĐT (department_admin) mới nạp danh sách đơn vị."));
    }
    let bytes = web::block(crate::excel::unit_template::write)
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CONTENT_TYPE, super::templates::XLSX))
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            super::bounds::content_disposition("mau-danh-sach-don-vi.xlsx"),
        ))
        .body(bytes))
}

/// Commits a previewed unit list: offices before schools, in one transaction, each change
/// audited.
#[utoipa::path(tag = "units", params(("id" = i64, Path)), responses(
    (status = 200, body = UnitImportView),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
#[post("/units/import/{id}/commit")]
pub async fn commit_unit_import(
    state: web::Data<AppState>,
    rc: RequestContext,
    id: web::Path<i64>,
) -> ApiResult<web::Json<UnitImportView>> {
    let import = unit_imports::commit(&state.store.db, &rc.audit(), &rc.caller, id.into_inner()).await?;
    Ok(web::Json(import.into()))
}

/// Undoes a committed unit list: created units go (refused while accounts, classes or records
/// hang on them), changed ones are restored.
#[utoipa::path(tag = "units", params(("id" = i64, Path)), responses(
    (status = 200, body = UnitImportView),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 409, body = Problem, content_type = "application/problem+json"),
))]
#[post("/units/import/{id}/undo")]
pub async fn undo_unit_import(
    state: web::Data<AppState>,
    rc: RequestContext,
    id: web::Path<i64>,
) -> ApiResult<web::Json<UnitImportView>> {
    let import = unit_imports::undo(&state.store.db, &rc.audit(), &rc.caller, id.into_inner()).await?;
    Ok(web::Json(import.into()))
}

/// A unit to create by hand.
#[derive(Deserialize, ToSchema, validator::Validate)]
#[serde(rename_all = "camelCase")]
pub struct NewUnitBody {
    pub parent_id: i64,
    /// `district` or `school`.
    pub kind: crate::domain::org::UnitKind,
    /// The MoET code for a school (e.g. `31304001`).
    #[schema(min_length = 2, max_length = 32)]
    #[validate(length(min = 2, max = 32, message = "Mã đơn vị có 2–32 ký tự."))]
    pub code: String,
    #[schema(min_length = 1, max_length = 200)]
    #[validate(length(min = 1, max = 200, message = "Tên đơn vị có 1–200 ký tự."))]
    pub name: String,
    /// Required for a school.
    pub level: Option<crate::domain::org::SchoolLevel>,
    #[schema(max_length = 5)]
    #[validate(length(max = 5))]
    pub commune_code: Option<String>,
    #[schema(max_length = 300)]
    #[validate(length(max = 300))]
    pub address: Option<String>,
    #[schema(max_length = 32)]
    #[validate(length(max = 32))]
    pub phone: Option<String>,
    #[schema(max_length = 200)]
    #[validate(length(max = 200))]
    pub email: Option<String>,
    #[schema(max_length = 200)]
    #[validate(length(max = 200))]
    pub principal: Option<String>,
}

/// A change to a unit: `name`, `parentId`, `level`, `closed` (the department administrator), or
/// its contacts (also a district administrator, for its schools).
#[derive(Deserialize, ToSchema, validator::Validate)]
#[serde(rename_all = "camelCase")]
pub struct UnitPatchBody {
    #[schema(min_length = 1, max_length = 200)]
    #[validate(length(min = 1, max = 200, message = "Tên đơn vị có 1–200 ký tự."))]
    pub name: Option<String>,
    pub parent_id: Option<i64>,
    pub level: Option<crate::domain::org::SchoolLevel>,
    /// Closes (or reopens) the unit; refused (409) while it holds active records.
    pub closed: Option<bool>,
    #[schema(max_length = 5)]
    #[validate(length(max = 5))]
    pub commune_code: Option<String>,
    #[schema(max_length = 300)]
    #[validate(length(max = 300))]
    pub address: Option<String>,
    #[schema(max_length = 32)]
    #[validate(length(max = 32))]
    pub phone: Option<String>,
    #[schema(max_length = 200)]
    #[validate(length(max = 200))]
    pub email: Option<String>,
    #[schema(max_length = 200)]
    #[validate(length(max = 200))]
    pub principal: Option<String>,
}

/// Creates a district office or a school (the department administrator).
#[utoipa::path(tag = "units", request_body = NewUnitBody, responses(
    (status = 201, body = super::units::UnitView),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 409, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[post("/units")]
pub async fn create_unit(
    state: web::Data<AppState>,
    rc: RequestContext,
    body: crate::body::Json<NewUnitBody>,
) -> ApiResult<HttpResponse> {
    use validator::Validate;
    body.validate().map_err(|e| crate::error::from_validation(&e))?;
    let b = body.into_inner();
    let draft = crate::store::unit_changes::UnitDraft {
        parent_id: b.parent_id,
        kind: b.kind,
        code: b.code.trim().to_owned(),
        name: b.name.trim().to_owned(),
        level: b.level,
        commune_code: b.commune_code,
        address: b.address,
        phone: b.phone,
        email: b.email,
        principal: b.principal,
    };
    let unit = crate::store::unit_changes::create(&state.store.db, &rc.audit(), &rc.caller, draft).await?;
    Ok(HttpResponse::Created().json(super::units::UnitView::from(unit)))
}

/// Changes a unit.
#[utoipa::path(tag = "units", request_body = UnitPatchBody, params(("id" = i64, Path)), responses(
    (status = 200, body = super::units::UnitView),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 409, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[patch("/units/{id}")]
pub async fn update_unit(
    state: web::Data<AppState>,
    rc: RequestContext,
    id: web::Path<i64>,
    body: crate::body::Json<UnitPatchBody>,
) -> ApiResult<web::Json<super::units::UnitView>> {
    use validator::Validate;
    body.validate().map_err(|e| crate::error::from_validation(&e))?;
    let b = body.into_inner();
    let patch = crate::store::unit_changes::UnitPatch {
        name: b.name.map(|n| n.trim().to_owned()),
        parent_id: b.parent_id,
        level: b.level,
        closed: b.closed,
        commune_code: b.commune_code,
        address: b.address,
        phone: b.phone,
        email: b.email,
        principal: b.principal,
    };
    let unit =
        crate::store::unit_changes::update(&state.store.db, &rc.audit(), &rc.caller, id.into_inner(), patch).await?;
    Ok(web::Json(unit.into()))
}
