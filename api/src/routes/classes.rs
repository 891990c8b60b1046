//! Classes of a school in a school year (issue 10, item 4): read by whoever sees the school
//! (an office its subtree's), created and changed by the school itself, audited.

use actix_web::{HttpResponse, get, patch, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::context::RequestContext;
use crate::domain::access::Caller;
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use crate::store::entities::classes as class_rows;
use crate::store::{class_changes, classes};

/// A class of a school in a school year.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClassView {
    pub id: i64,
    pub school_id: i64,
    pub school_year: String,
    /// 0 for preschool, 1–12.
    pub grade: i32,
    pub name: String,
    pub homeroom_teacher: Option<String>,
    /// Active students in the class.
    pub student_count: u64,
}

impl ClassView {
    fn counted(c: classes::CountedClass) -> ClassView {
        ClassView::of(c.class, u64::try_from(c.student_count).unwrap_or(0))
    }

    fn of(c: class_rows::Model, student_count: u64) -> ClassView {
        ClassView {
            student_count,
            id: c.id,
            school_id: c.school_id,
            school_year: c.school_year,
            grade: c.grade,
            name: c.name,
            homeroom_teacher: c.homeroom_teacher,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ClassesQuery {
    /// The school; default: the caller's own unit.
    pub school_id: Option<i64>,
    /// Every school under this unit (an office's subtree); instead of `schoolId`.
    pub unit_id: Option<i64>,
    /// `2026-2027`; default: the current school year; `all` for every year. A year no class
    /// has (`2031-2032`, or one of two years that do not follow each other) answers no class.
    #[param(pattern = r"^([0-9]{4}-[0-9]{4}|all)$")]
    pub school_year: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ClassList {
    pub items: Vec<ClassView>,
}

fn school_year_param(state: &AppState, year: Option<&str>) -> ApiResult<Option<String>> {
    match year {
        Some("all") => Ok(None),
        Some(y) if is_year_pair(y) => Ok(Some(y.to_owned())),
        Some(_) => Err(ApiError::field("schoolYear", "format", "Năm học phải có dạng 2025-2026 hoặc all.")),
        None => Ok(Some(state.school_year())),
    }
}

/// The classes of a school (or of every school under an office), by grade and name.
#[utoipa::path(tag = "units", params(ClassesQuery), responses(
    (status = 200, body = ClassList),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/classes")]
pub async fn list_classes(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ClassesQuery>,
) -> ApiResult<web::Json<ClassList>> {
    let year = school_year_param(&state, query.school_year.as_deref())?;
    let scope = match (query.unit_id, query.school_id) {
        (Some(unit), _) => classes::ClassScope::Subtree(unit),
        (None, school) => classes::ClassScope::School(school.unwrap_or(caller.unit_id)),
    };
    let list = classes::list_counted(&state.store.db, &caller, scope, year.as_deref()).await?;
    Ok(web::Json(ClassList { items: list.into_iter().map(ClassView::counted).collect() }))
}

/// One class whose school is in the caller's scope.
#[utoipa::path(tag = "units", params(("id" = i64, Path)), responses(
    (status = 200, body = ClassView),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/classes/{id}")]
pub async fn get_class(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<i64>,
) -> ApiResult<web::Json<ClassView>> {
    let (c, _) = classes::get_scoped(&state.store.db, &caller, id.into_inner()).await?;
    let count = classes::active_count(&state.store.db, c.id).await?;
    Ok(web::Json(ClassView::of(c, count)))
}

/// A class to create.
#[derive(Deserialize, ToSchema, validator::Validate)]
#[serde(rename_all = "camelCase")]
pub struct NewClassBody {
    #[validate(length(min = 1, max = 32, message = "Tên lớp có 1–32 ký tự."))]
    pub name: String,
    /// 0 for preschool, 1–12.
    #[validate(range(min = 0, max = 12, message = "Khối lớp từ 0 (mầm non) đến 12."))]
    pub grade: i32,
    /// The school.
    pub unit_id: i64,
    /// `2026-2027`; default: the current school year.
    #[schema(pattern = r"^[0-9]{4}-[0-9]{4}$")]
    pub school_year: Option<String>,
    #[validate(length(max = 200, message = "Tên giáo viên chủ nhiệm tối đa 200 ký tự."))]
    pub homeroom_teacher: Option<String>,
}

/// A change to a class.
#[derive(Deserialize, ToSchema, validator::Validate)]
#[serde(rename_all = "camelCase")]
pub struct ClassPatchBody {
    #[validate(length(min = 1, max = 32, message = "Tên lớp có 1–32 ký tự."))]
    pub name: Option<String>,
    #[validate(range(min = 0, max = 12, message = "Khối lớp từ 0 (mầm non) đến 12."))]
    pub grade: Option<i32>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "super::people::double_option")]
    #[schema(value_type = Option<String>, nullable)]
    pub homeroom_teacher: Option<Option<String>>,
}

fn trimmed(s: Option<String>) -> Option<String> {
    s.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

/// Creates a class of the caller's school (the current school year by default); audited.
#[utoipa::path(tag = "units", request_body = NewClassBody, responses(
    (status = 201, body = ClassView),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 409, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[post("/classes")]
pub async fn create_class(
    state: web::Data<AppState>,
    rc: RequestContext,
    body: web::Json<NewClassBody>,
) -> ApiResult<HttpResponse> {
    use validator::Validate;
    body.validate().map_err(|e| crate::error::from_validation(&e))?;
    let b = body.into_inner();
    let school_year = match b.school_year {
        Some(y) if crate::config::parse_school_year(&y).is_some() => y,
        Some(_) => return Err(ApiError::field("/schoolYear", "format", "Năm học phải có dạng 2025-2026.")),
        None => state.school_year(),
    };
    let draft = class_changes::ClassDraft {
        school_id: b.unit_id,
        school_year,
        grade: b.grade,
        name: b.name.trim().to_owned(),
        homeroom_teacher: trimmed(b.homeroom_teacher),
    };
    let created = class_changes::create(&state.store.db, &rc.audit(), &rc.caller, draft).await?;
    Ok(HttpResponse::Created().json(ClassView::of(created, 0)))
}

/// Changes a class of the caller's school (name, grade, homeroom teacher); audited.
#[utoipa::path(tag = "units", request_body = ClassPatchBody, params(("id" = i64, Path)), responses(
    (status = 200, body = ClassView),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 409, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[patch("/classes/{id}")]
pub async fn update_class(
    state: web::Data<AppState>,
    rc: RequestContext,
    id: web::Path<i64>,
    body: web::Json<ClassPatchBody>,
) -> ApiResult<web::Json<ClassView>> {
    use validator::Validate;
    body.validate().map_err(|e| crate::error::from_validation(&e))?;
    let b = body.into_inner();
    let patch = class_changes::ClassPatch {
        name: b.name.map(|n| n.trim().to_owned()),
        grade: b.grade,
        homeroom_teacher: b.homeroom_teacher.map(trimmed),
    };
    let updated = class_changes::update(&state.store.db, &rc.audit(), &rc.caller, id.into_inner(), patch).await?;
    let count = classes::active_count(&state.store.db, updated.id).await?;
    Ok(web::Json(ClassView::of(updated, count)))
}

/// `YYYY-YYYY`, the shape the document's pattern gives (whether the years follow each other
/// is for the stored classes to answer: a pair no class has finds none).
fn is_year_pair(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 9 && b[4] == b'-' && b.iter().enumerate().all(|(i, c)| i == 4 || c.is_ascii_digit())
}
