//! The identity-field rule engine: given a person's fields exactly as entered, the normalised
//! values and a list of findings. Pure: no IO, no clock (the caller passes `today`).

pub mod address;
/// Date-of-birth rules.
pub mod dob;
pub mod finding;
/// Gender rules.
pub mod gender;
/// Full-name rules.
pub mod name;
/// Personal-ID rules.
pub mod personal_id;

#[cfg(test)]
mod tests;

pub use finding::{Code, Field, Finding, Fix, Severity};

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::admin_units::ResolvedResidence;
use crate::domain::gender::NumericGender;
use crate::domain::grade::parse_grade;
use crate::domain::text::fold_ascii;

pub use crate::domain::identity::PersonKind;

/// Structured residence as entered: each part free text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResidenceInput {
    /// Province or city as entered (old or new name, with or without type word).
    pub province: Option<String>,
    /// District as entered (pre-2025 units only).
    pub district: Option<String>,
    /// Commune, ward or township as entered.
    pub commune: Option<String>,
}

/// One record's identity fields exactly as entered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecordInput {
    /// Full name as typed or pasted (any encoding damage included).
    pub full_name: Option<String>,
    /// Date of birth as text: dd/mm/yyyy and variants, ISO, an Excel serial, a year.
    pub date_of_birth: Option<String>,
    /// "Nam"/"Nữ" or any common spelling.
    pub gender: Option<String>,
    /// The 12-digit personal ID number as entered.
    pub personal_id: Option<String>,
    /// Class grade (1–12; 0 for preschool) for students.
    pub grade: Option<String>,
    /// `student` or `staff` (or a staff position); decides the plausible age range.
    pub role: Option<String>,
    /// Permanent residence, one field per level.
    pub residence: Option<ResidenceInput>,
    /// A whole address in one cell, used when `residence` is absent.
    pub residence_text: Option<String>,
}

/// Everything a rule needs besides the record. Build it with [`RuleContext::new`] and set the
/// optional conventions the import template or file gives.
#[derive(Debug, Clone)]
pub struct RuleContext {
    /// The date the rules take as today (future dates, ages, the school year).
    pub today: NaiveDate,
    /// Student or staff, unless the record's `role` says otherwise.
    pub kind: PersonKind,
    /// What digits mean in the gender column (digits are unrecognised by default).
    pub numeric_gender: NumericGender,
    /// The file or template is known to hold month-first dates (an importer saw "03/25/2015" or
    /// an AM/PM time in the column, see [`crate::domain::date::looks_month_first`]): every
    /// day/month date that reads both ways gets `dob_ambiguous`.
    pub month_first_dates: bool,
    /// The school year's first calendar year (2025 for 2025–2026). `None`: from `today`, the
    /// year turning in August.
    pub school_year: Option<i32>,
}

impl RuleContext {
    /// A context with no template conventions.
    pub fn new(today: NaiveDate, kind: PersonKind) -> RuleContext {
        RuleContext {
            today,
            kind,
            numeric_gender: NumericGender::Unspecified,
            month_first_dates: false,
            school_year: None,
        }
    }

    /// The school year in force: explicit, or the calendar year when `today` is August or
    /// later, else the year before.
    pub fn school_year(&self) -> i32 {
        self.school_year.unwrap_or_else(
            || {
                if self.today.month() >= 8 { self.today.year() } else { self.today.year() - 1 }
            },
        )
    }
}

/// Normalised values. `None` where the field is missing or could not be read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Normalized {
    /// NFC, Unicode text, single spaces, Title Case per syllable.
    pub full_name: Option<String>,
    /// ISO date, when the date is complete.
    pub date_of_birth: Option<NaiveDate>,
    /// A partial date of birth in ISO 8601 reduced precision ("1965", "1965-03"), when only
    /// that much is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth_partial: Option<String>,
    /// "Nam" or "Nữ".
    pub gender: Option<String>,
    /// 12 ASCII digits after safe repairs (or the cleaned digits when it cannot be repaired).
    pub personal_id: Option<String>,
    /// Residence resolved to official units (address rules).
    pub residence: Option<ResolvedResidence>,
    /// Matching key: case-folded, tone placement unified, diacritics kept.
    #[serde(skip)]
    pub name_key: Option<String>,
    /// Search key: case-folded, no diacritics at all (đ → d).
    #[serde(skip)]
    pub search_key: Option<String>,
}

/// The engine's answer for one record.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    /// The cleaned values.
    pub normalized: Normalized,
    /// What the rules found, in field order (name, date of birth, gender, ID, residence).
    pub findings: Vec<Finding>,
}

impl Outcome {
    /// Number of `error` findings (they block verification).
    pub fn errors(&self) -> usize {
        self.findings.iter().filter(|f| f.severity == Severity::Error).count()
    }
    /// Number of `warning` findings.
    pub fn warnings(&self) -> usize {
        self.findings.iter().filter(|f| f.severity == Severity::Warning).count()
    }
}

/// Student or staff: the record's `role` when it names one ("student", "học sinh", "HS" are
/// students; any other non-empty role, e.g. "Giáo viên", is a staff position), else the
/// context's kind.
pub fn person_kind(role: Option<&str>, default: PersonKind) -> PersonKind {
    let Some(role) = role.map(fold_ascii) else {
        return default;
    };
    match role.trim() {
        "" => default,
        "student" | "hoc sinh" | "hs" | "tre" | "tre em" | "hoc vien" | "pupil" => PersonKind::Student,
        _ => PersonKind::Staff,
    }
}

/// Runs every rule on one record: name, date of birth, gender, personal ID (with its
/// cross-checks against date of birth, gender and grade) and residence. Findings come in that
/// field order. A `fixed` finding's `fix.from` is the value before that repair and `fix.to` the
/// value after it; several repairs to one field chain, the last `to` being the normalised value.
pub fn check_record(input: &RecordInput, ctx: &RuleContext) -> Outcome {
    let mut findings = Vec::new();
    let fields = check_fields(input, ctx, &mut findings);
    let residence = address::check_residence(input.residence.as_ref(), input.residence_text.as_deref(), &mut findings);
    let (name_key, search_key) = match &fields.name {
        Some(n) => (Some(n.name.match_key()), Some(n.name.search_key())),
        None => (None, None),
    };
    let mut normalized = fields.normalized();
    normalized.residence = residence;
    normalized.name_key = name_key;
    normalized.search_key = search_key;
    Outcome { normalized, findings }
}

/// [`check_record`] for a caller that only reads the outcome and checks many records
/// (`dinhdanh check`): `findings` (cleared first) gets the name, date-of-birth, gender and ID
/// findings; the residence and its findings come back as the address rules' outcome, borrowed
/// when their table holds it (not copied per record). The name's match and search keys are not
/// computed, and `residence` is left `None` in the normalised values: the outcome holds it.
/// The findings of both, in that order, are those of [`check_record`].
pub fn check_record_into(
    input: &RecordInput,
    ctx: &RuleContext,
    findings: &mut Vec<Finding>,
) -> (Normalized, address::OutcomeRef) {
    findings.clear();
    let fields = check_fields(input, ctx, findings);
    let residence = address::resolve_residence_ref(input.residence.as_ref(), input.residence_text.as_deref());
    (fields.normalized(), residence)
}

/// The checked fields other than the residence.
struct CheckedFields {
    name: Option<crate::domain::name::NormalizedName>,
    dob: Option<crate::domain::date::BirthDate>,
    gender: Option<crate::domain::gender::Gender>,
    personal_id: Option<String>,
}

impl CheckedFields {
    /// The normalised values, without residence or name keys.
    fn normalized(self) -> Normalized {
        Normalized {
            full_name: self.name.map(|n| n.name.into_string()),
            date_of_birth: self.dob.and_then(|d| d.full()),
            date_of_birth_partial: self.dob.filter(|d| d.full().is_none()).map(|d| d.iso()),
            gender: self.gender.map(|g| g.as_str().to_owned()),
            personal_id: self.personal_id,
            ..Normalized::default()
        }
    }
}

/// Name, date of birth, gender and personal ID (with its cross-checks), findings in that order.
fn check_fields(input: &RecordInput, ctx: &RuleContext, findings: &mut Vec<Finding>) -> CheckedFields {
    let kind = person_kind(input.role.as_deref(), ctx.kind);
    let grade = match kind {
        PersonKind::Student => input.grade.as_deref().and_then(parse_grade),
        PersonKind::Staff => None,
    };
    let name = name::check_name(input.full_name.as_deref(), findings);
    let dob = dob::check_dob(input.date_of_birth.as_deref(), ctx, kind, grade, findings);
    let gender = gender::check_gender(input.gender.as_deref(), ctx, findings);
    let personal_id = personal_id::check_personal_id(
        input.personal_id.as_deref(),
        &personal_id::Known { dob, gender, kind, grade, ctx },
        findings,
    );
    CheckedFields { name, dob, gender, personal_id }
}

impl RecordInput {
    /// The rule engine's input for an identity of this kind (and grade or position).
    pub fn of_identity(
        identity: &crate::domain::identity::Identity,
        kind: PersonKind,
        grade: Option<i32>,
        position: Option<&str>,
    ) -> RecordInput {
        let residence = identity.has_structured_residence().then(|| ResidenceInput {
            province: identity.res_province.clone(),
            district: identity.res_district.clone(),
            commune: identity.res_commune.clone(),
        });
        RecordInput {
            full_name: identity.full_name.clone(),
            date_of_birth: identity.date_of_birth.clone(),
            gender: identity.gender.clone(),
            personal_id: identity.personal_id.clone(),
            grade: grade.map(|g| g.to_string()),
            role: Some(position.unwrap_or(kind.as_str()).to_owned()),
            residence,
            residence_text: identity.res_text.clone(),
        }
    }
}
