//! Classes of a school.

use actix_web::{get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::access::Caller;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::classes;

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
    /// Active students in the class.
    pub student_count: u64,
}

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ClassesQuery {
    /// The school; default: the caller's own unit.
    pub school_id: Option<i64>,
    /// `2026-2027`; default: the current school year; `all` for every year. A year no class
    /// has (`2031-2032`, or one of two years that do not follow each other) answers no class.
    #[param(pattern = r"^([0-9]{4}-[0-9]{4}|all)$")]
    pub school_year: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ClassList {
    pub items: Vec<ClassView>,
}

/// The classes of a school, by grade and name.
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
    let school_id = query.school_id.unwrap_or(caller.unit_id);
    let year = match query.school_year.as_deref() {
        Some("all") => None,
        Some(y) if is_year_pair(y) => Some(y.to_owned()),
        Some(_) => return Err(ApiError::field("schoolYear", "format", "Năm học phải có dạng 2025-2026 hoặc all.")),
        None => Some(state.school_year()),
    };
    let list = classes::list_for_school(&state.store.db, &caller, school_id, year.as_deref()).await?;
    let counts = classes::student_counts(&state.store.db, list.iter().map(|c| c.id).collect()).await?;
    let items = list
        .into_iter()
        .map(|c| ClassView {
            student_count: counts.get(&c.id).copied().unwrap_or(0),
            id: c.id,
            school_id: c.school_id,
            school_year: c.school_year,
            grade: c.grade,
            name: c.name,
        })
        .collect();
    Ok(web::Json(ClassList { items }))
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
    let counts = classes::student_counts(&state.store.db, vec![c.id]).await?;
    Ok(web::Json(ClassView {
        student_count: counts.get(&c.id).copied().unwrap_or(0),
        id: c.id,
        school_id: c.school_id,
        school_year: c.school_year,
        grade: c.grade,
        name: c.name,
    }))
}

/// `YYYY-YYYY`, the shape the document's pattern gives (whether the years follow each other
/// is for the stored classes to answer: a pair no class has finds none).
fn is_year_pair(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 9 && b[4] == b'-' && b.iter().enumerate().all(|(i, c)| i == 4 || c.is_ascii_digit())
}
