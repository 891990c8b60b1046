//! `/templates`: the Excel templates a school fills in offline and imports back.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::context::RequestContext;
use super::stats::XlsxFile;
use crate::error::{ApiError, ApiResult, Problem};
use crate::excel::template::{self, Template};
use crate::rules::PersonKind;
use crate::state::AppState;
use crate::store::templates::{self, Only};
use crate::store::{audit, template_exports};

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Which students go into the template.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct StudentTemplateQuery {
    /// One class (one sheet).
    pub class_id: Option<i64>,
    /// A whole school, one sheet per class of the current school year (default: the caller's
    /// unit).
    pub school_id: Option<i64>,
    /// `all` (default), `without_id` (no valid ID number yet), `unverified` or `with_errors`.
    pub only: Option<Only>,
}

/// Which staff go into the template.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct StaffTemplateQuery {
    /// The unit (default: the caller's).
    pub unit_id: Option<i64>,
    /// `all` (default), `without_id` (no valid ID number yet), `unverified` or `with_errors`.
    pub only: Option<Only>,
}

fn ascii_slug(s: &str) -> String {
    let folded = crate::domain::text::fold_ascii(s);
    let slug: String = folded.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    slug.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-")
}

async fn send(
    state: &AppState,
    rc: &RequestContext,
    kind: PersonKind,
    unit: crate::store::entities::units::Model,
    scope: String,
    sheets: Vec<template::TemplateSheet>,
) -> ApiResult<HttpResponse> {
    let records: usize = sheets.iter().map(|s| s.records.len()).sum();
    // full numbers only to the roles that see them in full on screen (those that edit them)
    let full = rc.caller.writes_unit(unit.id, &unit.path);
    let mut sheets = sheets;
    let carried: Vec<i64> =
        sheets.iter().flat_map(|s| &s.records).filter(|r| r.personal_id.is_some()).map(|r| r.key).collect();
    let records_carried: Vec<i64> = sheets.iter().flat_map(|s| &s.records).map(|r| r.key).collect();
    if !full {
        for r in sheets.iter_mut().flat_map(|s| s.records.iter_mut()) {
            r.personal_id = r.personal_id.as_deref().map(crate::domain::personal_id::mask);
            r.problems = crate::domain::personal_id::mask_digit_runs(&r.problems, 6);
        }
    }
    // what the template carries is kept, so that importing it back tells the file's changes
    // from the records' changes since (three-way import)
    let export_id = uuid::Uuid::new_v4().to_string();
    let exported_at = state.settings.clock.now();
    let carried_values = sheets
        .iter()
        .flat_map(|s| &s.records)
        .map(|r| (r.key, r.version, template_exports::exported_values(r, kind)))
        .collect();
    template_exports::save(
        &state.store.db,
        template_exports::NewExport {
            id: &export_id,
            unit_id: unit.id,
            kind,
            actor_id: rc.caller.user_id,
            at: exported_at,
            records: carried_values,
        },
    )
    .await?;
    let t = Template {
        kind,
        unit_id: unit.id,
        unit_name: unit.name.clone(),
        scope: scope.clone(),
        exported_at,
        export_id: Some(export_id),
        sheets,
        lists: templates::dropdown_lists(&unit),
        blank_rows: 200,
    };
    let bytes =
        web::block(move || template::write(&t)).await.map_err(ApiError::internal)?.map_err(ApiError::internal)?;
    let note = format!("{}: {scope}; {records} hồ sơ", kind.as_str());
    audit::record_export(
        &state.store.db,
        &rc.audit(),
        "template",
        unit.id,
        note,
        &records_carried,
        full.then_some(&carried[..]),
    )
    .await?;
    let what = if kind == PersonKind::Staff { "can-bo" } else { "hoc-sinh" };
    let filename = format!("mau-{what}-{}-{}.xlsx", ascii_slug(&unit.name), ascii_slug(&scope));
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, XLSX))
        .insert_header((header::CONTENT_DISPOSITION, super::bounds::content_disposition(&filename)))
        .body(bytes))
}

/// The students' template: one sheet per class (a class, or every class of a school), the
/// records as entered with their record keys, what is wrong with each, and room for new rows.
/// The export is audited.
#[utoipa::path(tag = "imports", params(StudentTemplateQuery), responses(
    (status = 200, description = "The workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = XlsxFile),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/templates/students.xlsx")]
pub async fn students_template(
    state: web::Data<AppState>,
    rc: RequestContext,
    query: web::Query<StudentTemplateQuery>,
) -> ApiResult<HttpResponse> {
    let only = query.only.unwrap_or_default();
    let (unit, scope, sheets) =
        templates::students(&state.store.db, &rc.caller, query.class_id, query.school_id, &state.school_year(), only)
            .await?;
    send(&state, &rc, PersonKind::Student, unit, scope, sheets).await
}

/// The staff template of a unit. The export is audited.
#[utoipa::path(tag = "imports", params(StaffTemplateQuery), responses(
    (status = 200, description = "The workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = XlsxFile),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/templates/staff.xlsx")]
pub async fn staff_template(
    state: web::Data<AppState>,
    rc: RequestContext,
    query: web::Query<StaffTemplateQuery>,
) -> ApiResult<HttpResponse> {
    let only = query.only.unwrap_or_default();
    let (unit, scope, sheets) = templates::staff(&state.store.db, &rc.caller, query.unit_id, only).await?;
    send(&state, &rc, PersonKind::Staff, unit, scope, sheets).await
}
