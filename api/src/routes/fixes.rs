//! `/fixes`: apply the rule engine's safe repairs in bulk, and undo them as a whole.

use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::context::RequestContext;
use crate::domain::access::Caller;
use crate::error::{ApiError, ApiResult, Problem};
use crate::rules::{Code, PersonKind};
use crate::state::AppState;
use crate::store::entities::fix_batches;
use crate::store::fixes::{self, FixScope};

/// Which records to repair: a class, or a unit (default: the caller's own), optionally only
/// some records and only one kind of repair.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FixRequest {
    /// `student` (default) or `staff`.
    #[serde(default)]
    pub population: PersonKind,
    pub unit_id: Option<i64>,
    pub class_id: Option<i64>,
    /// Only these records (at most 100,000).
    #[schema(max_items = 100_000)]
    pub person_ids: Option<Vec<i64>>,
    /// Only this repair: a code whose severity is `fixed` (e.g. `name_not_nfc`), or
    /// `address_outdated_unit`: a pre-2025 residence whose commune became exactly one new
    /// commune is converted to it (province and commune of 1 July 2025, no district; a split
    /// commune is left for the clerk to choose).
    #[schema(value_type = Option<FixableCode>)]
    pub finding_code: Option<String>,
    /// Answer what would be repaired (200, `records` and `changes`) without writing anything.
    #[serde(default)]
    pub dry_run: bool,
}

/// The finding codes a bulk repair applies (those of severity `fixed`, and the address
/// conversion), for the document.
pub struct FixableCode;

impl utoipa::PartialSchema for FixableCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        let fixable = Code::ALL.iter().filter(|c| fixes::is_repairable(**c)).map(|c| c.as_str());
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("A finding code of severity `fixed`, or `address_outdated_unit`."))
            .enum_values(Some(fixable))
            .into()
    }
}

impl ToSchema for FixableCode {}

/// A bulk repair: what it changed and whether it was undone.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FixBatch {
    /// Empty on a dry run (nothing was written).
    pub id: String,
    /// A dry run: what would be changed, nothing written.
    pub dry_run: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub created_by: String,
    pub unit_id: i64,
    pub class_id: Option<i64>,
    pub population: String,
    pub finding_code: Option<String>,
    /// Records changed.
    pub records: i32,
    /// Fields changed.
    pub changes: i32,
    pub undone_at: Option<chrono::DateTime<chrono::Utc>>,
    /// On undo: fields put back to their entered value.
    pub reverted: i32,
    /// On undo: fields left alone because they were changed again after the repair.
    pub kept: i32,
    /// When applied (or on a dry run): the first records repaired, before and after.
    #[schema(max_items = 5)]
    pub samples: Vec<FixSample>,
}

/// One record's repair: the changed values before and after (an address as one line, commune
/// first; an ID number masked).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FixSample {
    pub person_id: i64,
    pub full_name: Option<String>,
    pub before: String,
    pub after: String,
}

impl From<fixes::FixSample> for FixSample {
    fn from(s: fixes::FixSample) -> FixSample {
        FixSample { person_id: s.person_id, full_name: s.full_name, before: s.before, after: s.after }
    }
}

impl From<fixes::Applied> for FixBatch {
    fn from(a: fixes::Applied) -> FixBatch {
        FixBatch { samples: a.samples.into_iter().map(FixSample::from).collect(), ..FixBatch::from(a.batch) }
    }
}

impl From<fix_batches::Model> for FixBatch {
    fn from(b: fix_batches::Model) -> FixBatch {
        FixBatch {
            dry_run: false,
            id: b.id,
            created_at: b.created_at,
            created_by: b.actor,
            unit_id: b.unit_id,
            class_id: b.class_id,
            population: b.kind,
            finding_code: b.finding_code,
            records: b.records,
            changes: b.changes,
            undone_at: b.undone_at,
            reverted: b.reverted,
            kept: b.kept,
            samples: Vec::new(),
        }
    }
}

/// Writes every safe repair (findings of severity `fixed`) back into the entered values of
/// the records in scope, each field an audited change with source `auto_fix`.
#[utoipa::path(tag = "rules", request_body = FixRequest, responses(
    (status = 200, description = "`dryRun`: what would be repaired", body = FixBatch),
    (status = 201, body = FixBatch),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[post("/fixes")]
pub async fn apply_fixes(
    state: web::Data<AppState>,
    rc: RequestContext,
    body: crate::body::Json<FixRequest>,
) -> ApiResult<HttpResponse> {
    super::bounds::person_ids("/personIds", body.person_ids.as_ref())?;
    let finding_code = match body.finding_code.as_deref() {
        None => None,
        Some(code) => Some(
            Code::parse(code)
                .ok_or_else(|| ApiError::field("/findingCode", "unknown", format!("Không có mã lỗi {code:?}.")))?,
        ),
    };
    let scope = FixScope {
        kind: body.population,
        unit_id: body.unit_id,
        class_id: body.class_id,
        person_ids: body.person_ids.clone(),
        finding_code,
        dry_run: body.dry_run,
    };
    let batch = fixes::apply(&state.store.db, &rc.caller, &rc.audit(), scope).await?;
    if body.dry_run {
        return Ok(HttpResponse::Ok().json(FixBatch { dry_run: true, id: String::new(), ..FixBatch::from(batch) }));
    }
    Ok(HttpResponse::Created().json(FixBatch::from(batch)))
}

/// One bulk repair.
#[utoipa::path(tag = "rules", params(("id" = String, Path)), responses(
    (status = 200, body = FixBatch),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/fixes/{id}")]
pub async fn get_fix_batch(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> ApiResult<web::Json<FixBatch>> {
    Ok(web::Json(fixes::get(&state.store.db, &caller, &id).await?.into()))
}

/// Undoes a bulk repair: each repaired field goes back to what was entered, unless it was
/// changed again since (counted in `kept`).
#[utoipa::path(tag = "rules", params(("id" = String, Path)), responses(
    (status = 200, body = FixBatch),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Already undone", body = Problem, content_type = "application/problem+json"),
))]
#[post("/fixes/{id}/undo")]
pub async fn undo_fixes(
    state: web::Data<AppState>,
    rc: RequestContext,
    id: web::Path<String>,
) -> ApiResult<web::Json<FixBatch>> {
    Ok(web::Json(fixes::undo(&state.store.db, &rc.caller, &rc.audit(), &id).await?.into()))
}
