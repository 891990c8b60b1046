//! DTOs and the shared handler bodies of `/students` and `/staff` (one table, two resources).

use actix_web::HttpResponse;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::context::RequestContext;
pub use super::person_patch::{PersonPatch, ResidencePatch};
use crate::domain::access::Caller;
use crate::domain::identity::{Identity, IdentityField};
use crate::domain::org::{Position, VerificationStatus};
use crate::domain::personal_id::mask as mask_personal_id;
use crate::error::{ApiError, ApiResult, from_validation};
use crate::rules::{Code, Field, Finding, Fix, Normalized, Outcome, PersonKind, Severity};
use crate::state::AppState;
use crate::store::access_log::{self, Access, AccessAction};
use crate::store::entities::audit_events;
use crate::store::people::{self, ListFilter, NewPerson, PersonRow, ViewRow};
use crate::store::{read_json, read_stored};
use serde_json::value::RawValue;

/// Largest page a list returns.
pub const MAX_PAGE_SIZE: u64 = 500;

/// Permanent residence as entered.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, Validate)]
#[serde(rename_all = "camelCase")]
pub struct ResidenceEntered {
    #[schema(max_length = 255, pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
    #[validate(length(max = 255))]
    pub province: Option<String>,
    #[schema(max_length = 255, pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
    #[validate(length(max = 255))]
    pub district: Option<String>,
    #[schema(max_length = 255, pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
    #[validate(length(max = 255))]
    pub commune: Option<String>,
}

/// Error, warning and fixed counts of a record's findings.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Quality {
    pub errors: i32,
    pub warnings: i32,
    pub fixed: i32,
}

/// A student or staff member. `personalId` (and every ID value inside `normalized` and
/// `findings`) is masked (`0310******56`) for everyone, in lists and in the record view; the
/// accounts that may see the full number ask for it with `POST …/{id}/reveal` (recorded in the
/// access log).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    pub id: i64,
    pub kind: PersonKind,
    /// The school (students) or school/office (staff).
    pub unit_id: i64,
    pub unit_name: String,
    pub class_id: Option<i64>,
    pub class_name: Option<String>,
    pub grade: Option<i32>,
    /// Staff only.
    pub position: Option<Position>,
    /// Education-sector code (mã định danh ngành).
    pub sector_code: Option<String>,
    /// As entered.
    pub full_name: Option<String>,
    /// As entered.
    pub date_of_birth: Option<String>,
    /// As entered.
    pub gender: Option<String>,
    /// As entered, masked (`POST …/{id}/reveal` shows it in full).
    pub personal_id: Option<String>,
    /// True when `personalId` (and ID values inside `normalized` and `findings`) are masked:
    /// always, since the full number is only revealed on request.
    pub personal_id_masked: bool,
    /// True when the caller may reveal the full ID number (`POST …/{id}/reveal`).
    pub can_reveal: bool,
    pub residence: ResidenceEntered,
    pub residence_text: Option<String>,
    /// What the rules made of the entered values.
    #[schema(value_type = Normalized)]
    pub normalized: ShownNormalized,
    #[schema(value_type = Vec<Finding>)]
    pub findings: Vec<ShownFinding>,
    pub quality: Quality,
    pub status: VerificationStatus,
    /// For `mismatched` (and `awaiting_evidence` after it): the fields the registry disagreed on.
    pub mismatch_fields: Vec<String>,
    /// For `mismatched` and `awaiting_evidence`: the registry's values of those fields, when it
    /// returned them (shown beside ours; `POST …/accept-registry-values` copies them in).
    pub registry_values: Option<crate::registry::RegistryValues>,
    /// Bumped whenever the values verification compares (the normalised identity) change;
    /// send it back as `version` to avoid overwriting someone else's change.
    pub version: i32,
    pub can_edit: bool,
    pub verified_at: Option<chrono::DateTime<chrono::Utc>>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// `error` findings that hold the record back from verification (a save that leaves some
    /// is a warning, "Đã lưu, còn N lỗi chặn gửi xác thực", never a plain success).
    pub blocking_errors: i32,
    /// No blocking error, and not verified, queued or awaiting evidence: "Gửi xác thực" sends it.
    pub ready_to_send: bool,
    /// Verified once, then changed ("đã sửa sau xác thực"): it needs sending again; the
    /// registry's answer stays in its history.
    pub changed_after_verification: bool,
}

/// A [`Finding`] as a record's view shows it: the same fields, its message, params and repair
/// passed through as stored (a page of 50 records holds about 600 findings; reading each into
/// typed values and writing them back was a fifth of the page's work). A finding about the ID
/// number is read, opened and masked ([`shown_outcome`]) and written back in the same form.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShownFinding {
    pub field: Field,
    pub code: Code,
    pub severity: Severity,
    /// A JSON string.
    pub message: Box<RawValue>,
    pub params: Box<RawValue>,
    /// A [`crate::rules::Fix`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Box<RawValue>>,
}

impl ShownFinding {
    /// The message as text.
    pub fn message(&self) -> ApiResult<std::borrow::Cow<'_, str>> {
        serde_json::from_str(self.message.get())
            .map_err(|e| ApiError::internal(format!("the message of a finding as text: {e}")))
    }
}

/// [`Normalized`] as a record's view shows it: the ID number opened and masked, the other
/// values passed through as stored (the same names, order and form: `Normalized`'s JSON).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShownNormalized {
    full_name: Option<Box<RawValue>>,
    date_of_birth: Option<Box<RawValue>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    date_of_birth_partial: Option<Box<RawValue>>,
    gender: Option<Box<RawValue>>,
    personal_id: Option<String>,
    residence: Option<Box<RawValue>>,
}

/// A stored outcome read for a view: everything but the ID values untyped.
#[derive(Deserialize)]
struct ShownOutcome {
    normalized: ShownNormalized,
    findings: Vec<ShownFinding>,
}

/// JSON text of a value built here (never fails for these types).
fn raw_json<T: Serialize + ?Sized>(id: i64, value: &T) -> ApiResult<Box<RawValue>> {
    serde_json::value::to_raw_value(value).map_err(|e| ApiError::internal(format!("a finding of {id} as JSON: {e}")))
}

/// A record's normalised values and findings as its view shows them: ID values opened, then
/// masked as [`mask_outcome`] masks them; only the findings about the ID number are read
/// (their repair opened, the numbers among their params and message masked), the others are
/// passed through as stored.
fn shown_outcome(p: &people::PersonView) -> ApiResult<(ShownNormalized, Vec<ShownFinding>)> {
    let ShownOutcome { mut normalized, mut findings } =
        read_json(format_args!("people.outcome of {}", p.id), &p.outcome)?;
    let mut id_findings = Vec::new();
    for (i, f) in findings.iter().enumerate().filter(|(_, f)| f.field == Field::PersonalId) {
        let fix: Option<Fix> = match &f.fix {
            Some(raw) => Some(read_json(format_args!("people.outcome of {}: fix", p.id), raw.get())?),
            None => None,
        };
        id_findings.push((i, fix));
    }
    people::open_outcome_id_values(
        p.id,
        normalized.personal_id.as_mut(),
        id_findings.iter_mut().filter_map(|(_, fix)| fix.as_mut()),
    )?;
    mask_normalized_id(&mut normalized.personal_id);
    for (i, mut fix) in id_findings {
        let f = &mut findings[i];
        let mut params: std::collections::BTreeMap<String, serde_json::Value> =
            read_json(format_args!("people.outcome of {}: params", p.id), f.params.get())?;
        let mut message: String = read_json(format_args!("people.outcome of {}: message", p.id), f.message.get())?;
        mask_id_finding(&mut fix, &mut params, &mut message);
        f.params = raw_json(p.id, &params)?;
        f.message = raw_json(p.id, &message)?;
        f.fix = fix.as_ref().map(|fix| raw_json(p.id, fix)).transpose()?;
    }
    Ok((normalized, findings))
}

/// Masks every ID value inside an outcome (normalised value, fixes and params of ID findings).
pub fn mask_outcome(outcome: &mut Outcome) {
    mask_normalized_id(&mut outcome.normalized.personal_id);
    for f in outcome.findings.iter_mut().filter(|f| f.field == Field::PersonalId) {
        mask_id_finding(&mut f.fix, &mut f.params, &mut f.message);
    }
}

/// Masks the normalised ID number.
fn mask_normalized_id(personal_id: &mut Option<String>) {
    if let Some(pid) = personal_id {
        *pid = mask_personal_id(pid);
    }
}

/// Masks the ID values of a finding about the ID number: its repair, the numbers among its
/// params, the digit runs of its message.
fn mask_id_finding(
    fix: &mut Option<crate::rules::Fix>,
    params: &mut std::collections::BTreeMap<String, serde_json::Value>,
    message: &mut String,
) {
    if let Some(fix) = fix {
        fix.from = mask_personal_id(&fix.from);
        fix.to = mask_personal_id(&fix.to);
    }
    for value in params.values_mut() {
        if let serde_json::Value::String(s) = value
            && s.chars().filter(char::is_ascii_digit).count() >= 6
        {
            *s = mask_personal_id(s);
        }
    }
    if longest_digit_run(message) >= 6 {
        *message = mask_digit_runs(message);
    }
}

fn longest_digit_run(s: &str) -> usize {
    s.split(|c: char| !c.is_ascii_digit()).map(str::len).max().unwrap_or(0)
}

fn mask_digit_runs(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut run = String::new();
    for c in s.chars().chain(std::iter::once('\u{0}')) {
        if c.is_ascii_digit() {
            run.push(c);
            continue;
        }
        if run.len() >= 6 {
            out.push_str(&mask_personal_id(&run));
        } else {
            out.push_str(&run);
        }
        run.clear();
        if c != '\u{0}' {
            out.push(c);
        }
    }
    out
}

impl Person {
    /// Builds the view, ID values masked; `can_edit` says whether the caller edits the record
    /// (and so may reveal its number). A stored outcome that does not parse is an error (500),
    /// never shown as a clean record.
    pub fn from_row(row: PersonRow, can_edit: bool) -> ApiResult<Person> {
        Person::from_view(row.into(), can_edit)
    }

    /// [`Person::from_row`] of the columns a view shows (a list's item).
    pub fn from_view(row: ViewRow, can_edit: bool) -> ApiResult<Person> {
        let p = row.person;
        let (normalized, findings) = shown_outcome(&p)?;
        let personal_id = p.personal_id()?.map(|v| mask_personal_id(&v));
        Ok(Person {
            id: p.id,
            kind: p.kind()?,
            unit_id: row.unit.id,
            unit_name: row.unit.name,
            class_id: row.class.as_ref().map(|c| c.id),
            class_name: row.class.as_ref().map(|c| c.name.clone()),
            grade: row.class.as_ref().map(|c| c.grade),
            position: match p.position.as_deref() {
                Some(v) => Some(read_stored(format_args!("people.position of {}", p.id), v, Position::parse)?),
                None => None,
            },
            sector_code: p.sector_code,
            full_name: p.full_name,
            date_of_birth: p.date_of_birth,
            gender: p.gender,
            personal_id,
            personal_id_masked: true,
            can_reveal: can_edit && p.personal_id.is_some(),
            residence: ResidenceEntered { province: p.res_province, district: p.res_district, commune: p.res_commune },
            residence_text: p.res_text,
            normalized,
            findings,
            quality: Quality { errors: p.error_count, warnings: p.warning_count, fixed: p.fixed_count },
            status: read_stored(format_args!("people.status of {}", p.id), &p.status, VerificationStatus::parse)?,
            mismatch_fields: p
                .mismatch_fields
                .as_deref()
                .map(|s| s.split(',').filter(|x| !x.is_empty()).map(str::to_owned).collect())
                .unwrap_or_default(),
            registry_values: match p.registry_values.as_deref() {
                Some(v)
                    if p.status == VerificationStatus::Mismatched.as_str()
                        || p.status == VerificationStatus::AwaitingEvidence.as_str() =>
                {
                    Some(read_json(format_args!("people.registry_values of {}", p.id), v)?)
                }
                _ => None,
            },
            version: p.version,
            blocking_errors: p.error_count,
            ready_to_send: p.error_count == 0
                && !matches!(
                    VerificationStatus::parse(&p.status),
                    Some(
                        VerificationStatus::Verified
                            | VerificationStatus::Queued
                            | VerificationStatus::AwaitingEvidence
                    )
                ),
            changed_after_verification: p.status != VerificationStatus::Verified.as_str()
                && p.verified_at.is_some_and(|v| p.identity_changed_at > v),
            can_edit,
            verified_at: p.verified_at,
            updated_at: p.updated_at,
        })
    }
}

/// A page of people.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PersonPage {
    pub items: Vec<Person>,
    pub page: u64,
    pub page_size: u64,
    pub total: u64,
}

/// List filters of `/students` and `/staff`.
#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct PeopleQuery {
    /// Any unit in the caller's subtree (default: the caller's unit).
    pub unit_id: Option<i64>,
    pub class_id: Option<i64>,
    pub status: Option<VerificationStatus>,
    /// Name search, diacritics-insensitive, by parts (`nguyen van an` or `van an` finds
    /// "Nguyễn Văn An"); four or more digits find the record whose whole ID number or
    /// education-sector code it is (a part of a number finds nothing, for every role).
    pub q: Option<String>,
    /// Only records with this finding code (e.g. `id_legacy_cmnd`).
    #[param(value_type = Option<Code>)]
    pub finding_code: Option<String>,
    /// Only records with a finding of this severity.
    pub severity: Option<Severity>,
    /// 1-based page number (default 1).
    #[param(minimum = 1, maximum = 1_000_000)]
    pub page: Option<u64>,
    /// Items per page (default 50, at most 500).
    #[param(minimum = 1, maximum = 500)]
    pub page_size: Option<u64>,
}

impl PeopleQuery {
    pub(super) fn filter(&self) -> ApiResult<ListFilter> {
        let page_size = super::bounds::count("pageSize", self.page_size, 50, MAX_PAGE_SIZE)?;
        let page = super::bounds::page(self.page)?;
        let finding_code = match self.finding_code.as_deref() {
            None | Some("") => None,
            Some(code) => Some(
                Code::parse(code)
                    .ok_or_else(|| ApiError::field("findingCode", "unknown", format!("Không có mã lỗi {code:?}.")))?,
            ),
        };
        Ok(ListFilter {
            unit_id: self.unit_id,
            class_id: self.class_id,
            status: self.status,
            q: self.q.clone(),
            finding_code,
            severity: self.severity,
            page,
            page_size,
        })
    }
}

/// Deserializes a field that may be absent (`None`), null (`Some(None)`) or a value.
pub fn double_option<'de, T: Deserialize<'de>, D: Deserializer<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// Identity fields of a new record, every one optional and kept exactly as entered.
#[derive(Debug, Clone, Default, Deserialize, ToSchema, Validate)]
#[serde(rename_all = "camelCase")]
pub struct IdentityBody {
    #[schema(max_length = 32, pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
    #[validate(length(max = 32, message = "Mã định danh ngành tối đa 32 ký tự."))]
    pub sector_code: Option<String>,
    #[schema(max_length = 255, pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
    #[validate(length(max = 255, message = "Họ tên tối đa 255 ký tự."))]
    pub full_name: Option<String>,
    #[schema(max_length = 64, pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
    #[validate(length(max = 64, message = "Ngày sinh tối đa 64 ký tự."))]
    pub date_of_birth: Option<String>,
    #[schema(max_length = 32, pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
    #[validate(length(max = 32, message = "Giới tính tối đa 32 ký tự."))]
    pub gender: Option<String>,
    #[schema(max_length = 64, pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
    #[validate(length(max = 64, message = "Số định danh tối đa 64 ký tự."))]
    pub personal_id: Option<String>,
    #[validate(nested)]
    pub residence: Option<ResidenceEntered>,
    #[schema(max_length = 500, pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
    #[validate(length(max = 500, message = "Địa chỉ tối đa 500 ký tự."))]
    pub residence_text: Option<String>,
}

/// The identity texts of a body against `domain::limits` (the control characters the
/// `validator` lengths do not see): 422 with one field error per broken field.
fn check_texts<'a>(
    texts: impl IntoIterator<Item = (&'static str, &'static str, Option<&'a str>, usize)>,
) -> ApiResult<()> {
    let errors: Vec<crate::error::FieldError> = texts
        .into_iter()
        .filter_map(|(pointer, label, text, max)| {
            let problem = crate::domain::limits::check(text?, max)?;
            Some(crate::error::FieldError {
                pointer: pointer.to_owned(),
                code: problem.code().to_owned(),
                message: problem.message(label),
            })
        })
        .collect();
    if errors.is_empty() { Ok(()) } else { Err(ApiError::validation(errors)) }
}

/// Pointer, label and limit of each identity field in a body.
fn identity_texts<'a>(
    sector_code: Option<&'a str>,
    get: impl Fn(IdentityField) -> Option<&'a str>,
) -> Vec<(&'static str, &'static str, Option<&'a str>, usize)> {
    use crate::domain::limits::{MAX_SECTOR_CODE, max_chars};
    let mut out = vec![("/sectorCode", "Mã định danh ngành", sector_code, MAX_SECTOR_CODE)];
    for field in IdentityField::ALL {
        let (pointer, label) = match field {
            IdentityField::FullName => ("/fullName", "Họ tên"),
            IdentityField::DateOfBirth => ("/dateOfBirth", "Ngày sinh"),
            IdentityField::Gender => ("/gender", "Giới tính"),
            IdentityField::PersonalId => ("/personalId", "Số định danh"),
            IdentityField::ResidenceProvince => ("/residence/province", "Tỉnh/Thành phố"),
            IdentityField::ResidenceDistrict => ("/residence/district", "Quận/Huyện"),
            IdentityField::ResidenceCommune => ("/residence/commune", "Xã/Phường"),
            IdentityField::ResidenceText => ("/residenceText", "Địa chỉ"),
        };
        out.push((pointer, label, get(field), max_chars(field)));
    }
    out
}

impl IdentityBody {
    fn identity(&self) -> Identity {
        let r = self.residence.as_ref();
        Identity::from_fn(|field| match field {
            IdentityField::FullName => self.full_name.clone(),
            IdentityField::DateOfBirth => self.date_of_birth.clone(),
            IdentityField::Gender => self.gender.clone(),
            IdentityField::PersonalId => self.personal_id.clone(),
            IdentityField::ResidenceProvince => r.and_then(|r| r.province.clone()),
            IdentityField::ResidenceDistrict => r.and_then(|r| r.district.clone()),
            IdentityField::ResidenceCommune => r.and_then(|r| r.commune.clone()),
            IdentityField::ResidenceText => self.residence_text.clone(),
        })
    }
}

/// One entry of a record's audit trail.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    pub id: i64,
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor: String,
    /// `create`, `update`, `delete`, `view_personal_id`, …
    pub action: String,
    pub field: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub source: crate::store::audit::Source,
    pub source_ref: Option<String>,
    pub request_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct History {
    pub items: Vec<HistoryEntry>,
}

fn history_entry(e: audit_events::Model, full_id: bool) -> ApiResult<HistoryEntry> {
    let source =
        read_stored(format_args!("audit_events.source of {}", e.id), &e.source, crate::store::audit::Source::parse)?;
    let mask = |v: Option<String>| match (&e.field, full_id) {
        (Some(f), false) if f == "personalId" => v.map(|s| mask_personal_id(&s)),
        _ => v,
    };
    Ok(HistoryEntry {
        old_value: mask(e.old_value.clone()),
        new_value: mask(e.new_value.clone()),
        id: e.id,
        at: e.at,
        actor: e.actor,
        action: e.action,
        field: e.field,
        source,
        source_ref: e.source_ref,
        request_id: e.request_id,
    })
}

// Shared handler bodies.

pub async fn list(state: &AppState, caller: &Caller, kind: PersonKind, query: &PeopleQuery) -> ApiResult<PersonPage> {
    let filter = query.filter()?;
    let (rows, total) = people::list(&state.store.db, caller, kind, &filter).await?;
    let items = rows
        .into_iter()
        .map(|row| {
            let can_edit = people::can_write(caller, &row.unit);
            Person::from_view(row, can_edit)
        })
        .collect::<ApiResult<_>>()?;
    Ok(PersonPage { items, page: filter.page, page_size: filter.page_size, total })
}

pub async fn get(state: &AppState, rc: &RequestContext, kind: PersonKind, id: i64) -> ApiResult<Person> {
    let row = people::get(&state.store.db, &rc.caller, kind, id).await?;
    let can_edit = people::can_write(&rc.caller, &row.unit);
    Person::from_row(row, can_edit)
}

/// Where a new record goes: its unit, class (students) and position (staff).
pub struct Placement {
    pub unit_id: i64,
    pub class_id: Option<i64>,
    pub position: Option<Position>,
}

pub async fn create(
    state: &AppState,
    rc: &RequestContext,
    kind: PersonKind,
    placement: Placement,
    body: &IdentityBody,
) -> ApiResult<HttpResponse> {
    body.validate().map_err(|e| from_validation(&e))?;
    let identity = body.identity();
    check_texts(identity_texts(body.sector_code.as_deref(), |f| identity.get(f).as_deref()))?;
    let new = NewPerson {
        kind,
        unit_id: placement.unit_id,
        class_id: placement.class_id,
        position: placement.position,
        sector_code: body.sector_code.clone(),
        identity,
    };
    let ctx = rc.audit();
    let row = people::create(&state.store.db, &rc.caller, &ctx, new).await?;
    let location =
        format!("/api/v1/{}/{}", if kind == PersonKind::Staff { "staff" } else { "students" }, row.person.id);
    Ok(HttpResponse::Created()
        .insert_header((actix_web::http::header::LOCATION, location))
        .json(Person::from_row(row, true)?))
}

pub async fn update(
    state: &AppState,
    rc: &RequestContext,
    kind: PersonKind,
    id: i64,
    patch: &PersonPatch,
) -> ApiResult<Person> {
    patch.validate().map_err(|e| from_validation(&e))?;
    let changes = patch.changes();
    check_texts(identity_texts(patch.sector_code.as_ref().and_then(|c| c.as_deref()), |f| {
        changes.identity.get(f).and_then(|v| v.as_deref())
    }))?;
    if kind == PersonKind::Student && patch.position.is_some() {
        return Err(ApiError::field("/position", "not_allowed", "Học sinh không có chức vụ."));
    }
    let ctx = rc.audit();
    let row = people::update(&state.store.db, &rc.caller, &ctx, kind, id, changes).await?;
    Person::from_row(row, true)
}

pub async fn delete(state: &AppState, rc: &RequestContext, kind: PersonKind, id: i64) -> ApiResult<HttpResponse> {
    let ctx = rc.audit();
    people::delete(&state.store.db, &rc.caller, &ctx, kind, id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The record's change history; the view is recorded in the access log.
pub async fn history(state: &AppState, rc: &RequestContext, kind: PersonKind, id: i64) -> ApiResult<History> {
    let (row, events) = people::history(&state.store.db, &rc.caller, kind, id).await?;
    let full = people::can_write(&rc.caller, &row.unit);
    let access = Access {
        action: AccessAction::HistoryView,
        unit_id: Some(row.unit.id),
        field: full.then_some("personalId"),
        detail: None,
        person_ids: &[row.person.id],
    };
    access_log::record(&state.store.db, &rc.audit(), access).await?;
    Ok(History { items: events.into_iter().map(|e| history_entry(e, full)).collect::<ApiResult<_>>()? })
}

/// The data-subject report of a record as a printable PDF (what is held, where each value came
/// from, who changed and who viewed it, the legal basis), for the unit that holds the record
/// (403 for others who read it); recorded in the access log before it is gathered, so that it
/// lists itself.
pub async fn personal_data_report(
    state: &AppState,
    rc: &RequestContext,
    kind: PersonKind,
    id: i64,
) -> ApiResult<HttpResponse> {
    use actix_web::http::header;
    let row = people::get(&state.store.db, &rc.caller, kind, id).await?;
    if !rc.caller.writes_unit(row.unit.id, &row.unit.path) {
        return Err(ApiError::forbidden("Chỉ đơn vị quản lý hồ sơ mới lập được báo cáo dữ liệu cá nhân."));
    }
    let ctx = rc.audit();
    let access = Access {
        action: AccessAction::PersonalDataReport,
        unit_id: Some(row.unit.id),
        field: None,
        detail: Some(crate::store::personal_data::detail(ctx.at)),
        person_ids: &[row.person.id],
    };
    access_log::record(&state.store.db, &ctx, access).await?;
    let population =
        if kind == PersonKind::Staff { crate::stats::Population::Staff } else { crate::stats::Population::Students };
    let campaign =
        crate::store::campaigns::resolve(&state.store.db, &rc.caller, None, &row.unit, population, rc.today())
            .await?
            .map(|c| (c.campaign.name, c.campaign.deadline));
    let report = crate::store::personal_data::gather(&state.store.db, &rc.caller, &row, campaign, rc.today()).await?;
    let bytes = actix_web::web::block(move || crate::pdf::personal_data::render(&report))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    let filename = format!("bao-cao-du-lieu-ca-nhan-{}.pdf", row.person.id);
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "application/pdf"))
        .insert_header((header::CONTENT_DISPOSITION, super::bounds::content_disposition(&filename)))
        .body(bytes))
}

/// A PDF file (the data-subject report).
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)]
pub struct PdfFile(Vec<u8>);

/// The fields `POST …/reveal` shows in full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum RevealField {
    PersonalId,
}

/// Which fields to show in full.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RevealRequest {
    #[schema(min_items = 1, max_items = 1)]
    pub fields: Vec<RevealField>,
}

/// The fields asked for, in full (`null`: the record holds no value).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Revealed {
    pub personal_id: Option<String>,
}

/// Shows a record's full ID number to an account that may see it (the unit that edits the
/// record), recorded in the access log; 403 for the others who read the record.
pub async fn reveal(
    state: &AppState,
    rc: &RequestContext,
    kind: PersonKind,
    id: i64,
    body: &RevealRequest,
) -> ApiResult<Revealed> {
    if body.fields.len() != 1 {
        return Err(ApiError::field("/fields", "range", "Hãy chọn trường cần hiện: personalId."));
    }
    let row = people::get(&state.store.db, &rc.caller, kind, id).await?;
    if !rc.caller.reveals_ids(row.unit.id, &row.unit.path) {
        return Err(ApiError::forbidden("Chỉ đơn vị quản lý hồ sơ mới được xem số định danh đầy đủ.".to_owned()));
    }
    let personal_id = people::personal_id_clear(&row.person)?;
    let access = Access {
        action: AccessAction::Reveal,
        unit_id: Some(row.unit.id),
        field: Some("personalId"),
        detail: None,
        person_ids: &[row.person.id],
    };
    access_log::record(&state.store.db, &rc.audit(), access).await?;
    Ok(Revealed { personal_id })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Fix;

    fn view_of(outcome: &Outcome) -> people::PersonView {
        let at = chrono::DateTime::<chrono::Utc>::from_timestamp(1_780_000_000, 0).expect("time");
        people::PersonView {
            id: 7,
            kind: "student".into(),
            unit_id: 1,
            class_id: None,
            position: None,
            sector_code: None,
            full_name: None,
            date_of_birth: None,
            gender: None,
            personal_id: None,
            res_province: None,
            res_district: None,
            res_commune: None,
            res_text: None,
            outcome: serde_json::to_string(outcome).expect("json"),
            error_count: 0,
            warning_count: 0,
            fixed_count: 0,
            status: "not_sent".into(),
            mismatch_fields: None,
            registry_values: None,
            verified_at: None,
            version: 1,
            identity_changed_at: at,
            updated_at: at,
        }
    }

    #[test]
    fn a_view_shows_an_outcome_as_the_masked_outcome_reads() {
        let mut address = Finding::new(Field::Residence, Code::AddressOutdatedUnit);
        address.params.insert("oldCommuneName".into(), serde_json::json!("Phường Đằng Giang"));
        address.params.insert("split".into(), serde_json::json!(false));
        address.params.insert("candidates".into(), serde_json::json!([{"code": "11359"}]));
        let mut id = Finding::new(Field::PersonalId, Code::IdSeparatorsRemoved);
        id.fix = Some(Fix { from: "031 012 345 656".into(), to: "031012345656".into() });
        id.params.insert("padded".into(), serde_json::json!("031012345656"));
        let mut quoted = Finding::new(Field::FullName, Code::NameCase);
        quoted.message = "Tên \"NGUYỄN  VĂN\tAN\" đã sửa\n(viết hoa toàn bộ)".into();
        quoted.fix = Some(Fix { from: "NGUYỄN  VĂN\tAN".into(), to: "Nguyễn Văn An".into() });
        let mut id_message = Finding::new(Field::PersonalId, Code::IdSeparatorsRemoved);
        id_message.message = "Đã bỏ dấu cách: 031012345656 \"031 012 345 656\"".into();
        let normalized = Normalized { personal_id: Some("031012345656".into()), ..Normalized::default() };
        let full = Normalized {
            full_name: Some("Nguyễn Văn An".into()),
            date_of_birth: chrono::NaiveDate::from_ymd_opt(2015, 10, 23),
            gender: Some("Nam".into()),
            personal_id: Some("031215000001".into()),
            residence: serde_json::from_value(serde_json::json!({
                "scheme": "pre2025", "provinceCode": "31", "districtCode": "316", "communeCode": "11860",
                "provinceName": "Thành phố Hải Phòng", "districtName": "Huyện Vĩnh Bảo", "communeName": "Xã Tân Liên",
                "post2025": {"provinceCode": "31", "provinceName": "Thành phố Hải Phòng",
                             "communeCode": "11824", "communeName": "Xã Vĩnh Bảo"}
            }))
            .expect("a resolved residence"),
            ..Normalized::default()
        };
        let partial = Normalized { date_of_birth_partial: Some("1965-03".into()), ..Normalized::default() };
        let cases = [
            Outcome { normalized: normalized.clone(), findings: vec![address.clone()] },
            Outcome { normalized: normalized.clone(), findings: vec![id, address.clone()] },
            Outcome { normalized, findings: vec![] },
            Outcome { normalized: full, findings: vec![quoted, id_message, address] },
            Outcome { normalized: partial, findings: vec![] },
            Outcome::default(),
        ];
        for outcome in cases {
            let (shown_normalized, shown) = shown_outcome(&view_of(&outcome)).expect("shown");
            let mut masked = outcome.clone();
            mask_outcome(&mut masked);
            // the same JSON text, byte for byte, as the typed outcome masked and written
            #[derive(Serialize)]
            struct Shown<'a> {
                normalized: &'a ShownNormalized,
                findings: &'a [ShownFinding],
            }
            let text = serde_json::to_string(&Shown { normalized: &shown_normalized, findings: &shown }).expect("json");
            assert_eq!(text, serde_json::to_string(&masked).expect("json"), "{outcome:?}");
            for (f, typed) in shown.iter().zip(&masked.findings) {
                assert_eq!(f.message().expect("text"), typed.message);
            }
            assert!(!text.contains("031012345656") && !text.contains("031215000001"), "{text}");
        }
    }

    #[test]
    fn masking_reaches_every_id_value_in_an_outcome() {
        let mut f = Finding::new(Field::PersonalId, Code::IdSeparatorsRemoved);
        f.fix = Some(Fix { from: "031 012 345 656".into(), to: "031012345656".into() });
        f.params.insert("padded".into(), serde_json::json!("031012345656"));
        f.message = "Đã sửa thành 031012345656.".into();
        let mut name = Finding::new(Field::FullName, Code::NameCase);
        name.fix = Some(Fix { from: "AN 123456".into(), to: "An 123456".into() });
        let mut outcome = Outcome {
            normalized: Normalized { personal_id: Some("031012345656".into()), ..Normalized::default() },
            findings: vec![f, name],
        };
        mask_outcome(&mut outcome);
        let text = serde_json::to_string(&outcome).expect("json");
        assert!(!text.contains("031012345656"), "{text}");
        assert!(text.contains("0310******56"));
        assert!(text.contains("AN 123456"), "other fields are left alone");
    }
}
