//! `/stats`: progress of a unit and its children, daily timelines with the burn-down's
//! projection, failure reasons, laggards and the Excel report. Scoped to the caller's subtree
//! like every other read; no personal data.

use actix_web::{HttpResponse, get, http::header, post, web};
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::context::RequestContext;
use crate::auth::require_role;
use crate::domain::access::{Caller, Role};
use crate::domain::org::UnitKind;
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use crate::stats::rollup::{EXPORT_FORMAT, StatsExport};
use crate::stats::views::{Laggards, Progress, Reasons, Timeline};
use crate::stats::{Population, report};
use crate::store::audit;
use crate::store::stats::{self, SnapshotMode, StatsCtx};

/// Largest number of laggards one call returns.
pub const MAX_LAGGARDS: usize = 100;
/// Longest timeline one call returns, in days.
pub const MAX_TIMELINE_DAYS: i64 = 366;
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A spreadsheet file's bytes (a workbook answered, or a file uploaded as the raw body).
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)]
pub struct XlsxFile(Vec<u8>);

/// An uploaded spreadsheet as a form: the file in the part named `file` (its name from the
/// part's `filename`, else the `filename` query parameter).
#[derive(ToSchema)]
#[allow(dead_code)]
#[serde(deny_unknown_fields)]
pub struct UploadForm {
    /// The `.xlsx`, `.xls` or `.csv` file.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// The unit, population and campaign a statistics call is about.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// Any unit in the caller's subtree (default: the caller's unit).
    pub unit_id: Option<i64>,
    /// `students` (default) or `staff`.
    pub population: Option<Population>,
    /// The campaign whose deadline projections use (default: the latest active campaign for the
    /// population set by the unit or a unit above it).
    pub campaign_id: Option<i64>,
}

/// A timeline's unit, population, campaign and days.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct TimelineQuery {
    /// Any unit in the caller's subtree (default: the caller's unit).
    pub unit_id: Option<i64>,
    /// `students` (default) or `staff`.
    pub population: Option<Population>,
    /// The campaign whose deadline the projection uses (default as for `progress`).
    pub campaign_id: Option<i64>,
    /// First day, `YYYY-MM-DD` (default: 29 days before `to`).
    pub from: Option<NaiveDate>,
    /// Last day, `YYYY-MM-DD` (default: today). At most 366 days after `from`.
    pub to: Option<NaiveDate>,
}

/// Which laggards to list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct LaggardsQuery {
    /// Any unit in the caller's subtree (default: the caller's unit).
    pub unit_id: Option<i64>,
    /// `students` (default) or `staff`.
    pub population: Option<Population>,
    /// The campaign whose deadline decides "projected to miss" (default as for `progress`).
    pub campaign_id: Option<i64>,
    /// Units of this kind are ranked: `school` (default) or `district`.
    #[param(value_type = Option<String>, pattern = "^(school|district)$")]
    pub level: Option<UnitKind>,
    /// How many units (default 10, at most 100).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<usize>,
}

fn ctx(state: &AppState) -> StatsCtx {
    let today = state.settings.clock.today();
    StatsCtx {
        today,
        school_year: state.settings.current_school_year(today),
        window_days: state.settings.stats.projection_window_days,
    }
}

/// Progress of a unit and of each child unit (district offices → schools → classes): counts,
/// the four dimensions as shares, and the projected completion at the current pace.
#[utoipa::path(tag = "stats", params(StatsQuery), responses(
    (status = 200, body = Progress),
    (status = 400, description = "Unreadable query", body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Unit or campaign not in the caller's scope", body = Problem, content_type = "application/problem+json"),
))]
#[get("/stats/progress")]
pub async fn get_progress(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<StatsQuery>,
) -> ApiResult<web::Json<Progress>> {
    let population = query.population.unwrap_or_default();
    let out =
        stats::progress(&state.store.db, &caller, query.unit_id, population, query.campaign_id, &ctx(&state)).await?;
    Ok(web::Json(out))
}

/// Daily series of a unit and of each child unit (from the daily snapshots; today's point is
/// live), with the burn-down's projection against the campaign's deadline.
#[utoipa::path(tag = "stats", params(TimelineQuery), responses(
    (status = 200, body = Timeline),
    (status = 400, description = "Unreadable query", body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "`from` after `to`, or more than 366 days", body = Problem, content_type = "application/problem+json"),
))]
#[get("/stats/timeline")]
pub async fn get_timeline(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<TimelineQuery>,
) -> ApiResult<web::Json<Timeline>> {
    let ctx = ctx(&state);
    let to = query.to.unwrap_or(ctx.today);
    let from = query.from.unwrap_or_else(|| to.checked_sub_days(Days::new(29)).unwrap_or(to));
    if from > to {
        return Err(ApiError::field("from", "range", "Ngày bắt đầu phải trước hoặc bằng ngày kết thúc."));
    }
    if (to - from).num_days() > MAX_TIMELINE_DAYS {
        return Err(ApiError::field("from", "range", "Mỗi lần xem tối đa 366 ngày."));
    }
    let population = query.population.unwrap_or_default();
    let out =
        stats::timeline(&state.store.db, &caller, query.unit_id, population, from, to, query.campaign_id, &ctx).await?;
    Ok(web::Json(out))
}

/// Why records fail: counts by finding code (errors and warnings) and by mismatch field, for
/// the unit and each child unit.
#[utoipa::path(tag = "stats", params(StatsQuery), responses(
    (status = 200, body = Reasons),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/stats/reasons")]
pub async fn get_reasons(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<StatsQuery>,
) -> ApiResult<web::Json<Reasons>> {
    let population = query.population.unwrap_or_default();
    Ok(web::Json(stats::reasons(&state.store.db, &caller, query.unit_id, population, &ctx(&state)).await?))
}

/// The units lagging most: projected to miss the deadline first, then lowest verified share;
/// with their top failure reasons and the unit to contact.
#[utoipa::path(tag = "stats", params(LaggardsQuery), responses(
    (status = 200, body = Laggards),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Bad limit or level", body = Problem, content_type = "application/problem+json"),
))]
#[get("/stats/laggards")]
pub async fn get_laggards(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<LaggardsQuery>,
) -> ApiResult<web::Json<Laggards>> {
    let limit = query.limit.unwrap_or(10);
    if limit == 0 || limit > MAX_LAGGARDS {
        return Err(ApiError::field("limit", "range", format!("limit phải từ 1 đến {MAX_LAGGARDS}.")));
    }
    let level = query.level.unwrap_or(UnitKind::School);
    if level == UnitKind::Department {
        return Err(ApiError::field("level", "not_allowed", "Chỉ xếp hạng được trường hoặc phòng/đơn vị quản lý."));
    }
    let population = query.population.unwrap_or_default();
    let out = stats::laggards(
        &state.store.db,
        &caller,
        query.unit_id,
        population,
        level,
        limit,
        query.campaign_id,
        &ctx(&state),
    )
    .await?;
    Ok(web::Json(out))
}

/// The progress report as an Excel workbook: a summary sheet (one row per child unit, shares as
/// percentages with colours), the failure reasons, and the laggards. The export is audited.
#[utoipa::path(tag = "stats", params(StatsQuery), responses(
    (status = 200, description = "The workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = XlsxFile),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/stats/report.xlsx")]
pub async fn get_report(
    state: web::Data<AppState>,
    rc: RequestContext,
    query: web::Query<StatsQuery>,
) -> ApiResult<HttpResponse> {
    let ctx = ctx(&state);
    let db = &state.store.db;
    let population = query.population.unwrap_or_default();
    let progress = stats::progress(db, &rc.caller, query.unit_id, population, query.campaign_id, &ctx).await?;
    let reasons = stats::reasons(db, &rc.caller, Some(progress.unit.id), population, &ctx).await?;
    let laggards = stats::laggards(
        db,
        &rc.caller,
        Some(progress.unit.id),
        population,
        UnitKind::School,
        MAX_LAGGARDS,
        query.campaign_id,
        &ctx,
    )
    .await?;
    let bytes =
        report::write(&progress, &reasons, &laggards, state.settings.clock.now()).map_err(ApiError::internal)?;
    audit::record_export(db, &rc.audit(), "stats_report", progress.unit.id, population.as_str().to_owned(), &[], None)
        .await?;
    let filename = format!(
        "bao-cao-tien-do-{}-{}-{}.xlsx",
        progress.unit.code.as_deref().unwrap_or("don-vi"),
        population.as_str(),
        ctx.today.format("%Y%m%d")
    );
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, XLSX))
        .insert_header((header::CONTENT_DISPOSITION, super::bounds::content_disposition(&filename)))
        .body(bytes))
}

/// The province's statistics for the nation's roll-up (`dinhdanh rollup`): the Department's
/// progress and each district office's, students and staff. Counts only, no personal data. The
/// Department's accounts (`department`, `department_admin`); others get 403.
#[utoipa::path(tag = "stats", responses(
    (status = 200, body = StatsExport),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
))]
#[get("/stats/export")]
pub async fn get_export(state: web::Data<AppState>, caller: Caller) -> ApiResult<web::Json<StatsExport>> {
    require_role(&caller, &[Role::Department, Role::DepartmentAdmin])?;
    let ctx = ctx(&state);
    let db = &state.store.db;
    let department = crate::store::units::get(db, caller.unit_id).await?;
    let students = stats::progress(db, &caller, None, Population::Students, None, &ctx).await?;
    let staff = stats::progress(db, &caller, None, Population::Staff, None, &ctx).await?;
    Ok(web::Json(StatsExport {
        format: EXPORT_FORMAT.to_owned(),
        province_code: department.province_code.unwrap_or_default(),
        department: department.name,
        as_of: ctx.today,
        school_year: ctx.school_year,
        generated_at: state.settings.clock.now(),
        students,
        staff,
    }))
}

/// How many snapshot rows were written.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotResult {
    /// Today (Vietnam).
    pub day: NaiveDate,
    /// One per unit and population.
    pub rows: usize,
}

/// Refreshes today's snapshot of every unit now (the background task does it at start-up, every
/// `stats.snapshot_interval_minutes` and just before midnight). Department and admin accounts.
#[utoipa::path(tag = "stats", responses(
    (status = 200, body = SnapshotResult),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
))]
#[post("/stats/snapshots")]
pub async fn take_snapshot(state: web::Data<AppState>, caller: Caller) -> ApiResult<web::Json<SnapshotResult>> {
    require_role(&caller, &[Role::Department, Role::DepartmentAdmin])?;
    let ctx = ctx(&state);
    let rows = stats::take_snapshot(&state.store.db, ctx.today, &ctx.school_year, SnapshotMode::Refresh).await?;
    Ok(web::Json(SnapshotResult { day: ctx.today, rows }))
}
