//! `/access-log` (issue 13): who read personal data, for the roles that may read the log (the
//! Department's everything, a district admin's subtree, a school principal's school), paged,
//! and the same as a workbook. Reading the log changes nothing; no route edits or deletes it.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::context::RequestContext;
use super::stats::XlsxFile;
use crate::domain::clock::VIETNAM;
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use crate::store::access_log::{self, AccessAction, LogEntry, LogFilter};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const MAX_PAGE_SIZE: u64 = 200;
/// Record ids listed per entry in the JSON answer (`personCount` says how many there were).
const MAX_IDS_PER_ENTRY: u64 = 200;
/// Entries in one workbook.
const MAX_EXPORT_ROWS: u64 = 100_000;

/// Filters of the access log.
#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct AccessLogQuery {
    /// Only entries naming this record.
    pub person_id: Option<i64>,
    /// Only entries of this account.
    pub user_id: Option<i64>,
    /// From this day (in Vietnam), inclusive.
    pub from: Option<NaiveDate>,
    /// To this day (in Vietnam), inclusive.
    pub to: Option<NaiveDate>,
    /// 1-based page number (default 1).
    #[param(minimum = 1, maximum = 1_000_000)]
    pub page: Option<u64>,
    /// Entries per page (default 50, at most 200).
    #[param(minimum = 1, maximum = 200)]
    pub page_size: Option<u64>,
}

/// The start of a day in Vietnam.
fn day_start(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(chrono::NaiveTime::MIN)
        .and_local_timezone(VIETNAM)
        .single()
        .map_or_else(|| day.and_time(chrono::NaiveTime::MIN).and_utc(), |t| t.with_timezone(&Utc))
}

impl AccessLogQuery {
    fn filter(&self) -> ApiResult<LogFilter> {
        let page_size = super::bounds::count("pageSize", self.page_size, 50, MAX_PAGE_SIZE)?;
        let page = super::bounds::page(self.page)?;
        if let (Some(from), Some(to)) = (self.from, self.to)
            && from > to
        {
            return Err(ApiError::field("to", "range", "Ngày kết thúc phải sau ngày bắt đầu."));
        }
        Ok(LogFilter {
            person_id: self.person_id,
            user_id: self.user_id,
            from: self.from.map(day_start),
            to: self.to.and_then(|d| d.checked_add_days(Days::new(1))).map(day_start),
            page,
            page_size,
        })
    }
}

/// One entry of the access log.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccessLogEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// The account (none for the system's own work, e.g. a retention purge).
    pub user_id: Option<i64>,
    pub username: String,
    pub request_id: Option<String>,
    pub action: AccessAction,
    /// The unit whose records were read.
    pub unit_id: Option<i64>,
    /// The field shown in full (`personalId`), if any.
    pub field: Option<String>,
    /// What was read (a file's scope, a purge's counts); never an ID number.
    pub detail: Option<String>,
    /// How many records the entry names.
    pub person_count: i32,
    /// The records it names (the first 200).
    pub person_ids: Vec<i64>,
}

impl TryFrom<LogEntry> for AccessLogEntry {
    type Error = ApiError;

    fn try_from(entry: LogEntry) -> ApiResult<AccessLogEntry> {
        let e = entry.event;
        let action = crate::store::read_stored(
            format_args!("access_events.action of {}", e.id),
            &e.action,
            AccessAction::parse,
        )?;
        Ok(AccessLogEntry {
            id: e.id,
            at: e.at,
            user_id: e.user_id,
            username: e.username,
            request_id: e.request_id,
            action,
            unit_id: e.unit_id,
            field: e.field,
            detail: e.detail,
            person_count: e.person_count,
            person_ids: entry.person_ids,
        })
    }
}

/// A page of the access log, newest first.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccessLogPage {
    pub items: Vec<AccessLogEntry>,
    pub page: u64,
    pub page_size: u64,
    pub total: u64,
}

/// Who read personal data and when, newest first: the Department's roles see everything, a
/// district admin its subtree, a school principal its school (others: 403).
#[utoipa::path(tag = "access-log", params(AccessLogQuery), responses(
    (status = 200, body = AccessLogPage),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[get("/access-log")]
pub async fn list_access_log(
    state: web::Data<AppState>,
    rc: RequestContext,
    query: web::Query<AccessLogQuery>,
) -> ApiResult<web::Json<AccessLogPage>> {
    let filter = query.filter()?;
    let (entries, total) = access_log::list(&state.store.db, &rc.caller, &filter, MAX_IDS_PER_ENTRY).await?;
    let items = entries.into_iter().map(AccessLogEntry::try_from).collect::<ApiResult<_>>()?;
    Ok(web::Json(AccessLogPage { items, page: filter.page, page_size: filter.page_size, total }))
}

/// The access log under the same filters as a workbook (every page, at most 100,000 entries).
#[utoipa::path(tag = "access-log", params(AccessLogQuery), responses(
    (status = 200, description = "The workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = XlsxFile),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[get("/access-log.xlsx")]
pub async fn export_access_log(
    state: web::Data<AppState>,
    rc: RequestContext,
    query: web::Query<AccessLogQuery>,
) -> ApiResult<HttpResponse> {
    let filter = query.filter()?;
    let entries = access_log::all(&state.store.db, &rc.caller, &filter, MAX_EXPORT_ROWS).await?;
    let title = format!("Nhật ký truy cập dữ liệu cá nhân – {} mục", entries.len());
    let bytes = web::block(move || crate::excel::access_log::write(&title, &entries))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, XLSX))
        .insert_header((header::CONTENT_DISPOSITION, super::bounds::content_disposition("nhat-ky-truy-cap.xlsx")))
        .body(bytes))
}
