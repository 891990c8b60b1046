//! The identity-field rule engine: given a person's fields exactly as entered, the normalised
//! values and a list of findings. Pure: no IO, no clock (the caller passes `today`).

pub mod address;
pub mod finding;

pub use finding::{Code, Field, Finding, Fix, Severity};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::admin_units::ResolvedResidence;

/// Whether the record is a student's or a staff member's (age plausibility differs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum PersonKind {
    #[default]
    Student,
    Staff,
}

/// Structured residence as entered: each part free text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResidenceInput {
    pub province: Option<String>,
    pub district: Option<String>,
    pub commune: Option<String>,
}

/// One record's identity fields exactly as entered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecordInput {
    pub full_name: Option<String>,
    pub date_of_birth: Option<String>,
    pub gender: Option<String>,
    pub personal_id: Option<String>,
    /// Class grade (1–12; 0 for preschool) for students.
    pub grade: Option<String>,
    /// `student` or `staff` (or a staff position); decides the plausible age range.
    pub role: Option<String>,
    pub residence: Option<ResidenceInput>,
    /// A whole address in one cell, used when `residence` is absent.
    pub residence_text: Option<String>,
}

/// Everything a rule needs besides the record: the date "today" and the kind of person.
#[derive(Debug, Clone)]
pub struct RuleContext {
    pub today: NaiveDate,
    pub kind: PersonKind,
}

/// Normalised values. `None` where the field is missing or could not be read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Normalized {
    /// NFC, Unicode text, single spaces, Title Case per syllable.
    pub full_name: Option<String>,
    /// ISO date.
    pub date_of_birth: Option<NaiveDate>,
    /// "Nam" or "Nữ".
    pub gender: Option<String>,
    /// 12 ASCII digits after safe repairs (or the cleaned digits when it cannot be repaired).
    pub personal_id: Option<String>,
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
    pub normalized: Normalized,
    pub findings: Vec<Finding>,
}

impl Outcome {
    pub fn errors(&self) -> usize {
        self.findings.iter().filter(|f| f.severity == Severity::Error).count()
    }
    pub fn warnings(&self) -> usize {
        self.findings.iter().filter(|f| f.severity == Severity::Warning).count()
    }
}

/// Runs every rule on one record.
pub fn check_record(input: &RecordInput, _ctx: &RuleContext) -> Outcome {
    // Placeholder until the rules issue lands: trims the fields and raises only "missing".
    let clean = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    let mut findings = Vec::new();
    let full_name = clean(&input.full_name);
    if full_name.is_none() {
        findings.push(Finding::new(Field::FullName, Code::NameMissing));
    }
    let personal_id = clean(&input.personal_id);
    if personal_id.is_none() {
        findings.push(Finding::new(Field::PersonalId, Code::IdMissing));
    }
    let residence = address::check_residence(input.residence.as_ref(), input.residence_text.as_deref(), &mut findings);
    let search_key = full_name.as_deref().map(crate::domain::text::fold_ascii);
    Outcome {
        normalized: Normalized {
            name_key: search_key.clone(),
            search_key,
            full_name,
            personal_id,
            gender: clean(&input.gender),
            residence,
            ..Normalized::default()
        },
        findings,
    }
}
