//! `/students.xlsx`, `/staff.xlsx`: any filtered list of the caller's scope as a workbook, ID
//! numbers masked as in the list, the export recorded in the access log with the records it
//! carried (as templates are).

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::context::RequestContext;
use super::people::{PeopleQuery, Person};
use super::stats::XlsxFile;
use super::templates::XLSX;
use crate::domain::org::VerificationStatus;
use crate::error::{ApiError, ApiResult, Problem};
use crate::excel::people_list::{self, ListLine};
use crate::rules::{Code, PersonKind, Severity};
use crate::state::AppState;
use crate::store::{audit, people};

/// Most records one list export carries.
pub const MAX_EXPORT_ROWS: u64 = 100_000;
const PAGE: u64 = 500;

/// The list's filters (as `GET /students` and `GET /staff`), without paging.
#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct PeopleExportQuery {
    /// Any unit in the caller's subtree (default: the caller's unit).
    pub unit_id: Option<i64>,
    pub class_id: Option<i64>,
    pub status: Option<VerificationStatus>,
    /// Name search, as in the list.
    pub q: Option<String>,
    /// Only records with this finding code.
    #[param(value_type = Option<Code>)]
    pub finding_code: Option<String>,
    /// Only records with a finding of this severity.
    pub severity: Option<Severity>,
}

fn line(p: Person) -> ApiResult<ListLine> {
    let group = match (p.kind, p.position) {
        (PersonKind::Staff, Some(pos)) => pos.label().to_owned(),
        _ => p.class_name.unwrap_or_default(),
    };
    let residence = [p.residence.commune, p.residence.district, p.residence.province]
        .into_iter()
        .flatten()
        .filter(|s| !s.trim().is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    let problems = p
        .findings
        .iter()
        .filter(|f| f.severity != Severity::Fixed)
        .map(|f| f.message())
        .collect::<ApiResult<Vec<_>>>()?
        .join("\n");
    Ok(ListLine {
        unit: p.unit_name,
        group,
        full_name: p.full_name.unwrap_or_default(),
        date_of_birth: p.date_of_birth.unwrap_or_default(),
        gender: p.gender.unwrap_or_default(),
        personal_id: p.personal_id.unwrap_or_default(),
        sector_code: p.sector_code.unwrap_or_default(),
        residence: if residence.is_empty() { p.residence_text.unwrap_or_default() } else { residence },
        status: p.status.label().to_owned(),
        errors: p.quality.errors,
        warnings: p.quality.warnings,
        problems,
    })
}

async fn export(
    state: &AppState,
    rc: &RequestContext,
    kind: PersonKind,
    q: PeopleExportQuery,
) -> ApiResult<HttpResponse> {
    let query = PeopleQuery {
        unit_id: q.unit_id,
        class_id: q.class_id,
        status: q.status,
        q: q.q,
        finding_code: q.finding_code,
        severity: q.severity,
        page: Some(1),
        page_size: Some(PAGE),
    };
    let mut filter = query.filter()?;
    let mut lines = Vec::new();
    let mut ids = Vec::new();
    let mut units = std::collections::BTreeSet::new();
    loop {
        let (rows, total) = people::list(&state.store.db, &rc.caller, kind, &filter).await?;
        if total > MAX_EXPORT_ROWS {
            return Err(ApiError::field(
                "",
                "too_many",
                format!(
                    "Danh sách có {total} hồ sơ, nhiều hơn {MAX_EXPORT_ROWS} dòng một tệp; hãy lọc theo đơn vị hoặc lớp."
                ),
            ));
        }
        let fetched = rows.len() as u64;
        for row in rows {
            units.insert(row.unit.id);
            ids.push(row.person.id);
            lines.push(line(Person::from_view(row, false)?)?);
        }
        if fetched < PAGE || lines.len() as u64 >= total {
            break;
        }
        filter.page += 1;
    }
    // the unit whose records were read: the one school listed, else the unit asked for
    let unit_id = match (units.len(), units.first()) {
        (1, Some(&only)) => only,
        _ => filter.unit_id.unwrap_or(rc.caller.unit_id),
    };
    let what = if kind == PersonKind::Staff { "Danh sách cán bộ" } else { "Danh sách học sinh" };
    let title = format!(
        "{what} ({} hồ sơ) — xuất ngày {}",
        lines.len(),
        state.settings.clock.now().with_timezone(&crate::domain::clock::VIETNAM).format("%d/%m/%Y")
    );
    let bytes = web::block(move || people_list::write(kind, &title, &lines))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    let note = format!("{}: danh sách đã lọc; {} hồ sơ", kind.as_str(), ids.len());
    audit::record_export(&state.store.db, &rc.audit(), "list", unit_id, note, &ids, None).await?;
    let filename = if kind == PersonKind::Staff { "danh-sach-can-bo.xlsx" } else { "danh-sach-hoc-sinh.xlsx" };
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, XLSX))
        .insert_header((header::CONTENT_DISPOSITION, super::bounds::content_disposition(filename)))
        .body(bytes))
}

/// The students of the list's filters as a workbook (at most 100,000), ID numbers masked. The
/// export is recorded in the access log with the records it carried.
#[utoipa::path(tag = "students", params(PeopleExportQuery), responses(
    (status = 200, description = "The workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = XlsxFile),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Bad filter, or more than 100,000 records", body = Problem, content_type = "application/problem+json"),
))]
#[get("/students.xlsx")]
pub async fn export_students(
    state: web::Data<AppState>,
    rc: RequestContext,
    query: web::Query<PeopleExportQuery>,
) -> ApiResult<HttpResponse> {
    export(&state, &rc, PersonKind::Student, query.into_inner()).await
}

/// The staff of the list's filters as a workbook (at most 100,000), ID numbers masked. The
/// export is recorded in the access log with the records it carried.
#[utoipa::path(tag = "staff", params(PeopleExportQuery), responses(
    (status = 200, description = "The workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = XlsxFile),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Bad filter, or more than 100,000 records", body = Problem, content_type = "application/problem+json"),
))]
#[get("/staff.xlsx")]
pub async fn export_staff(
    state: web::Data<AppState>,
    rc: RequestContext,
    query: web::Query<PeopleExportQuery>,
) -> ApiResult<HttpResponse> {
    export(&state, &rc, PersonKind::Staff, query.into_inner()).await
}
