//! The national population database (CSDLQG về dân cư) as dinhdanh sees it: our own contract
//! (the real interface is not public), the HTTP client with its retries, rate limit and circuit
//! breaker ([`client`]), the comparison the registry makes ([`compare`]) and a simulator of the
//! registry with faults on demand ([`sim`]), which answers from its own database
//! ([`population`]). A real adapter later maps onto the same contract.
//!
//! The contract: `POST /v1/verifications` with up to N items and an `Idempotency-Key` header
//! (a call resent with the same key gets the same answer, and the registry does the work once),
//! authenticated with `Authorization: Bearer <api key>` or `X-Api-Key`. Per item the answer is
//! `matched`, `mismatched` (with the fields that differ and, where the agency may receive them,
//! the registry's values), `not_found` or `invalid`. Whole-call errors: 401, 413, 429 with
//! `Retry-After`, 5xx, timeouts. `openapi/registry.json` is generated from [`sim::openapi`].

pub mod client;
pub mod compare;
pub mod population;
pub mod sim;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The path of the verification call, below the registry's base URL.
pub const VERIFY_PATH: &str = "/v1/verifications";

/// One call: the records to verify.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VerificationRequest {
    pub items: Vec<RequestItem>,
}

/// One record to verify, in the registry's formats.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RequestItem {
    /// The caller's id of this item, unique within the call; the answer repeats it.
    pub request_id: String,
    /// 12 ASCII digits.
    pub personal_id: String,
    /// NFC Unicode, as the school holds it.
    pub full_name: String,
    /// `YYYY-MM-DD` (or `YYYY` for people registered with a birth year only).
    pub date_of_birth: String,
    /// `Nam` or `Nữ`.
    pub gender: String,
    /// Permanent residence, post-2025 codes; compared when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub residence: Option<Residence>,
}

/// A permanent residence as post-2025 administrative codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Residence {
    /// 2-digit province code.
    pub province_code: String,
    /// 5-digit commune code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commune_code: Option<String>,
}

/// The answer to a call: one result per item, in any order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VerificationResponse {
    pub results: Vec<ItemResult>,
}

/// What the registry says about one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemOutcome {
    /// Every field agrees with the registry.
    Matched,
    /// The ID number is known but some fields differ (`fields`).
    Mismatched,
    /// No person with this ID number.
    NotFound,
    /// The item itself is malformed (`reason`).
    Invalid,
}

impl ItemOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemOutcome::Matched => "matched",
            ItemOutcome::Mismatched => "mismatched",
            ItemOutcome::NotFound => "not_found",
            ItemOutcome::Invalid => "invalid",
        }
    }
}

/// A field the registry compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum MismatchField {
    FullName,
    DateOfBirth,
    Gender,
    Residence,
}

impl MismatchField {
    pub fn as_str(self) -> &'static str {
        match self {
            MismatchField::FullName => "fullName",
            MismatchField::DateOfBirth => "dateOfBirth",
            MismatchField::Gender => "gender",
            MismatchField::Residence => "residence",
        }
    }
}

/// The registry's values of the fields that differ (only where the agency may receive them).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RegistryValues {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub residence: Option<Residence>,
}

/// The answer for one item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ItemResult {
    pub request_id: String,
    pub outcome: ItemOutcome,
    /// `mismatched`: the fields that differ (at least one). Empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<MismatchField>,
    /// `mismatched`: the registry's values of those fields, when returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry_values: Option<RegistryValues>,
    /// `invalid`: what is wrong with the item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Checks an answer against the call it answers: exactly one result per item sent, and each
/// result consistent with its outcome. Anything else is a malformed answer, which never marks
/// a record verified.
pub fn check_response(request: &VerificationRequest, response: &VerificationResponse) -> Result<(), String> {
    use std::collections::BTreeSet;
    let sent: BTreeSet<&str> = request.items.iter().map(|i| i.request_id.as_str()).collect();
    let mut seen = BTreeSet::new();
    for r in &response.results {
        if !sent.contains(r.request_id.as_str()) {
            return Err(format!("answer for an item that was not sent ({})", r.request_id));
        }
        if !seen.insert(r.request_id.as_str()) {
            return Err(format!("two answers for item {}", r.request_id));
        }
        match r.outcome {
            ItemOutcome::Matched | ItemOutcome::NotFound if !r.fields.is_empty() || r.registry_values.is_some() => {
                return Err(format!("{} answer with mismatch details for item {}", r.outcome.as_str(), r.request_id));
            }
            ItemOutcome::Mismatched if r.fields.is_empty() => {
                return Err(format!("mismatched answer without fields for item {}", r.request_id));
            }
            _ => {}
        }
    }
    if seen.len() != sent.len() {
        return Err(format!("{} of {} items answered", seen.len(), sent.len()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str) -> RequestItem {
        RequestItem {
            request_id: id.into(),
            personal_id: "031215001234".into(),
            full_name: "Nguyễn Văn An".into(),
            date_of_birth: "2015-02-01".into(),
            gender: "Nam".into(),
            residence: None,
        }
    }

    fn result(id: &str, outcome: ItemOutcome, fields: Vec<MismatchField>) -> ItemResult {
        ItemResult { request_id: id.into(), outcome, fields, registry_values: None, reason: None }
    }

    #[test]
    fn answers_are_checked_against_the_call() {
        let req = VerificationRequest { items: vec![item("1"), item("2")] };
        let ok = VerificationResponse {
            results: vec![
                result("2", ItemOutcome::Mismatched, vec![MismatchField::Gender]),
                result("1", ItemOutcome::Matched, vec![]),
            ],
        };
        assert_eq!(check_response(&req, &ok), Ok(()));
        let cases: Vec<(&str, Vec<ItemResult>)> = vec![
            ("missing item", vec![result("1", ItemOutcome::Matched, vec![])]),
            (
                "unknown item",
                vec![result("1", ItemOutcome::Matched, vec![]), result("3", ItemOutcome::Matched, vec![])],
            ),
            ("duplicate", vec![result("1", ItemOutcome::Matched, vec![]), result("1", ItemOutcome::Matched, vec![])]),
            (
                "matched with fields",
                vec![
                    result("1", ItemOutcome::Matched, vec![MismatchField::FullName]),
                    result("2", ItemOutcome::Matched, vec![]),
                ],
            ),
            (
                "mismatched without fields",
                vec![result("1", ItemOutcome::Mismatched, vec![]), result("2", ItemOutcome::Matched, vec![])],
            ),
        ];
        for (name, results) in cases {
            assert!(check_response(&req, &VerificationResponse { results }).is_err(), "{name}");
        }
    }

    #[test]
    fn wire_names() {
        let r = result("7", ItemOutcome::NotFound, vec![]);
        assert_eq!(
            serde_json::to_value(&r).expect("json"),
            serde_json::json!({"requestId": "7", "outcome": "not_found"})
        );
        assert_eq!(serde_json::to_value(MismatchField::DateOfBirth).expect("json"), "dateOfBirth");
    }
}
