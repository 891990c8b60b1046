//! `/validate`: the rule engine over HTTP, for live validation in the web app and for third
//! parties. Nothing is stored.

use actix_web::{post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::access::Caller;
use crate::domain::gender::NumericGender;
use crate::error::{ApiError, ApiResult, Problem};
use crate::rules::{self, Outcome, PersonKind, RecordInput, RuleContext};
use crate::state::AppState;

/// Most records one call may check.
pub const MAX_RECORDS: usize = 1_000;

/// Records to check, every value a string exactly as entered.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ValidateRequest {
    /// At most 1,000 records.
    pub records: Vec<RecordInput>,
    /// What digits in the gender column mean, when the template says so (default: digits
    /// are not a gender).
    #[serde(default)]
    pub numeric_gender: NumericGender,
    /// The file is known to hold month-first dates: every date that reads both ways is
    /// flagged `dob_ambiguous`.
    #[serde(default)]
    pub month_first_dates: bool,
}

/// One outcome per record, in input order.
#[derive(Serialize, ToSchema)]
pub struct ValidateResponse {
    pub results: Vec<Outcome>,
}

/// Checks identity fields as entered and answers the normalised values and the findings
/// (`error` blocks verification, `warning` needs a human, `fixed` was repaired safely).
/// The duplicate-ID check needs the stored records and is only done on saved records.
#[utoipa::path(tag = "rules", request_body = ValidateRequest, responses(
    (status = 200, body = ValidateResponse),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "More than 1,000 records", body = Problem, content_type = "application/problem+json"),
))]
#[post("/validate")]
pub async fn validate_records(
    _caller: Caller,
    state: web::Data<AppState>,
    body: crate::body::Json<ValidateRequest>,
) -> ApiResult<web::Json<ValidateResponse>> {
    if body.records.len() > MAX_RECORDS {
        return Err(ApiError::field(
            "/records",
            "too_many",
            format!("Mỗi lần kiểm tra tối đa {MAX_RECORDS} bản ghi; hãy chia nhỏ danh sách."),
        ));
    }
    let today = state.settings.clock.today();
    let mut ctx = RuleContext::new(today, PersonKind::Student);
    ctx.numeric_gender = body.numeric_gender;
    ctx.month_first_dates = body.month_first_dates;
    let results = body.records.iter().map(|r| rules::check_record(r, &ctx)).collect();
    Ok(web::Json(ValidateResponse { results }))
}
