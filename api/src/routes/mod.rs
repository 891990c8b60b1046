//! HTTP only: DTOs, `#[utoipa::path]` documentation and thin handlers (parse, authorise, call
//! the store, map). Every route under `/api/v1` is registered in [`configure`], which also
//! feeds the generated OpenAPI document.

pub mod access_log;
pub mod admin_units;
pub mod auth;
pub mod bounds;
pub mod campaigns;
pub mod classes;
pub mod context;
pub mod fixes;
pub mod health;
pub mod imports;
pub mod people;
pub mod people_exports;
pub mod person_patch;
pub mod rollovers;
pub mod staff;
pub mod stats;
pub mod students;
pub mod templates;
pub mod transfers;
pub mod unit_lists;
pub mod units;
pub mod users;
pub mod validate;
pub mod verification;

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every `/api/v1` route.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(auth::login)
        .service(auth::logout)
        .service(auth::change_password)
        .service(auth::me)
        .service(users::list_users)
        .service(users::create_user)
        .service(users::bulk_create_users)
        .service(users::update_user)
        .service(users::reset_password)
        .service(unit_lists::unit_list_template)
        .service(unit_lists::import_units)
        .service(unit_lists::commit_unit_import)
        .service(unit_lists::undo_unit_import)
        .service(unit_lists::create_unit)
        .service(unit_lists::update_unit)
        .service(units::list_units)
        .service(units::get_unit)
        .service(classes::list_classes)
        .service(classes::get_class)
        .service(classes::create_class)
        .service(classes::update_class)
        .service(rollovers::create_rollover)
        .service(rollovers::commit_rollover)
        .service(transfers::transfer_student)
        .service(transfers::transfer_staff)
        .service(transfers::list_transfers)
        .service(transfers::transfer_destinations)
        .service(people_exports::export_students)
        .service(people_exports::export_staff)
        .service(students::list_students)
        .service(students::create_student)
        .service(students::get_student)
        .service(students::update_student)
        .service(students::delete_student)
        .service(students::student_history)
        .service(students::reveal_student_ids)
        .service(students::student_personal_data_report)
        .service(staff::list_staff)
        .service(staff::create_staff)
        .service(staff::get_staff)
        .service(staff::update_staff)
        .service(staff::delete_staff)
        .service(staff::staff_history)
        .service(staff::reveal_staff_ids)
        .service(staff::staff_personal_data_report)
        .service(access_log::list_access_log)
        .service(access_log::export_access_log)
        .service(validate::validate_records)
        .service(admin_units::find_admin_units)
        .service(fixes::apply_fixes)
        .service(fixes::get_fix_batch)
        .service(fixes::undo_fixes)
        .service(stats::get_progress)
        .service(stats::get_timeline)
        .service(stats::get_reasons)
        .service(stats::get_laggards)
        .service(stats::get_report)
        .service(stats::get_export)
        .service(stats::take_snapshot)
        .service(campaigns::create_campaign)
        .service(campaigns::list_campaigns)
        .service(campaigns::get_campaign)
        .service(templates::students_template)
        .service(templates::staff_template)
        .service(imports::list_imports)
        .service(imports::create_import)
        .service(imports::get_import)
        .service(imports::commit_import)
        .service(imports::undo_import)
        .service(imports::delete_import)
        .service(imports::import_report)
        .service(verification::start_verification_job)
        .service(verification::list_verification_jobs)
        .service(verification::get_verification_job)
        .service(verification::list_verification_job_items)
        .service(verification::cancel_verification_job)
        .service(verification::accept_student_registry_values)
        .service(verification::accept_staff_registry_values)
        .service(verification::accept_registry_values_in_bulk)
        .service(verification::mark_student_awaiting_evidence)
        .service(verification::mark_staff_awaiting_evidence)
        .service(verification::unmark_student_awaiting_evidence)
        .service(verification::unmark_staff_awaiting_evidence)
        .service(verification::mark_awaiting_evidence_in_bulk)
        .service(verification::unmark_awaiting_evidence_in_bulk)
        .service(verification::student_verifications)
        .service(verification::staff_verifications)
        .service(verification::class_evidence_requests);
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "dinhdanh API",
        version = "1",
        description = "Identity data of students and staff: correct, complete, clean and live (đúng, đủ, sạch, sống), \
verified against the national population database.\n\n\
Every error is `application/problem+json` (RFC 9457) with a stable `code`: bad_request, invalid_json, invalid_query, \
unauthenticated, invalid_credentials, token_expired, forbidden, password_change_required, not_found, method_not_allowed, conflict, \
version_conflict, payload_too_large, unsupported_media_type, validation_failed (with `errors[].pointer`), \
too_many_attempts (with `Retry-After`), internal, unavailable.\n\n\
Reads are scoped to the caller's unit and everything below it; a record outside that scope answers 404 like a \
missing one. Personal ID numbers are masked in lists (`0310******56`).",
    ),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    components(schemas(crate::error::Problem, crate::error::FieldError, crate::store::templates::Only, crate::slips::Paper)),
    tags(
        (name = "auth", description = "Sign-in and the current account"),
        (name = "accounts", description = "Accounts of the units an administrator manages, one-time passwords, bulk accounts for schools"),
        (name = "units", description = "The unit tree and classes"),
        (name = "students", description = "Students' identity records"),
        (name = "staff", description = "Staff members' identity records"),
        (name = "rules", description = "Checking identity fields, and applying safe repairs in bulk"),
        (name = "stats", description = "Progress statistics: counts and the four dimensions (đúng, đủ, sạch, sống) per unit, \
timelines and burn-down to a campaign's deadline, failure reasons, laggards, the Excel report; campaigns"),
        (name = "imports", description = "The Excel round trip: templates to fill in offline, spreadsheet imports with a preview, \
atomic commit, undo and an error workbook"),
        (name = "verification", description = "Verification against the national population database: jobs, \
the registry's answers per record, accepting the registry's values, evidence requests"),
        (name = "access-log", description = "Who read personal data: reveals of full ID numbers, history views, exports, \
import reports, data-subject reports, retention purges (append-only)"),
        (name = "system", description = "Health"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
    }
}

/// The OpenAPI document of the whole API, built from the registered routes.
pub fn openapi() -> utoipa::openapi::OpenApi {
    use utoipa_actix_web::AppExt;
    let (_, api) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .service(utoipa_actix_web::scope("/api/v1").configure(configure))
        .service(health::health)
        .split_for_parts();
    let mut api = api;
    document_common_problems(&mut api);
    api
}

/// Adds to every operation the problems any request of its shape can get, so the document
/// tells the truth to clients built from it: a body can be malformed (400), too large (413),
/// of another type (415) or invalid (422); a query string can be malformed (400) or out of
/// bounds (422); a path or query id can name nothing the caller sees (404); every `/api/v1`
/// route but sign-in needs a token (401); a write can be refused to a role (403).
fn document_common_problems(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::{Operation, ParameterIn};
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    let problem = |description: &str| {
        RefOr::T(
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/problem+json",
                    ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build(),
                )
                .build(),
        )
    };
    let add = |op: &mut Operation, path: &str, body: bool, writes: bool| {
        // a DELETE may take a body too (the bulk evidence withdrawal does)
        let body = body || op.request_body.is_some();
        let params: Vec<ParameterIn> = op
            .parameters
            .iter()
            .flatten()
            .filter_map(|p| match p {
                RefOr::T(p) => Some(p.parameter_in.clone()),
                RefOr::Ref(_) => None,
            })
            .collect();
        let query = params.iter().any(|p| matches!(p, ParameterIn::Query));
        let in_path = params.iter().any(|p| matches!(p, ParameterIn::Path));
        let api = path.starts_with("/api/v1/");
        let secured = api && path != "/api/v1/auth/login";
        let mut wanted: Vec<(&str, &str)> = Vec::new();
        if body || query {
            wanted.push(("400", "Malformed query string or body (`invalid_query`, `invalid_json`, `bad_request`)"));
            wanted.push(("422", "Invalid values (`validation_failed`, `errors[].pointer` names each)"));
        }
        if body {
            wanted.push(("413", "Body over the size limit (`payload_too_large`)"));
            wanted.push(("415", "Body of another media type (`unsupported_media_type`)"));
        }
        if secured {
            wanted.push(("401", "No valid token (`unauthenticated`, `token_expired`)"));
            if in_path || query || writes {
                wanted.push(("404", "Nothing the caller may see has this id (`not_found`)"));
            }
            if writes {
                wanted.push(("403", "The caller's role may not do this here (`forbidden`)"));
            }
        }
        for (status, description) in wanted {
            op.responses.responses.entry(status.to_owned()).or_insert_with(|| problem(description));
        }
    };
    for (path, item) in api.paths.paths.iter_mut() {
        for (op, body, writes) in [
            (&mut item.get, false, false),
            (&mut item.delete, false, true),
            (&mut item.post, true, true),
            (&mut item.put, true, true),
            (&mut item.patch, true, true),
        ] {
            if let Some(op) = op.as_mut() {
                add(op, path, body, writes);
            }
        }
    }
}

/// The request id the middleware assigned, for audit rows.
pub fn request_id(req: &actix_web::HttpRequest) -> Option<String> {
    use actix_web::HttpMessage;
    req.extensions().get::<crate::http::RequestId>().map(|r| r.0.clone())
}
