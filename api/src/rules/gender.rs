//! Gender rules: missing, unrecognised (including digits the template gives no meaning to),
//! and any spelling other than "Nam"/"Nữ" normalised (fixed).

use super::{Code, Field, Finding, RuleContext};
use crate::domain::gender::{Gender, GenderReading, read_gender};

/// Checks the entered gender; returns it when recognised.
pub fn check_gender(entered: Option<&str>, ctx: &RuleContext, findings: &mut Vec<Finding>) -> Option<Gender> {
    let text = entered.unwrap_or("");
    match read_gender(text, ctx.numeric_gender) {
        GenderReading::Known { gender, exact } => {
            if !exact {
                findings.push(
                    Finding::new(Field::Gender, Code::GenderNormalized)
                        .with_message(format!(
                            "Giới tính “{}” đã được chuẩn hoá thành “{}”.",
                            text.trim(),
                            gender.as_str()
                        ))
                        .with_fix(text, gender.as_str()),
                );
            }
            Some(gender)
        }
        GenderReading::Blank => {
            findings.push(
                Finding::new(Field::Gender, Code::GenderMissing)
                    .with_message("Chưa nhập giới tính; hãy nhập Nam hoặc Nữ."),
            );
            None
        }
        GenderReading::DigitWithoutConvention => {
            findings.push(
                Finding::new(Field::Gender, Code::GenderUnrecognized)
                    .with_message(format!(
                        "Giới tính ghi bằng số “{}” nhưng mẫu nhập không cho biết số nào là Nam, \
                         số nào là Nữ; hãy nhập Nam hoặc Nữ.",
                        text.trim()
                    ))
                    .with_param("entered", text)
                    .with_param("reason", "digit_without_convention"),
            );
            None
        }
        GenderReading::Unrecognized => {
            findings.push(
                Finding::new(Field::Gender, Code::GenderUnrecognized)
                    .with_message(format!("Không nhận ra giới tính “{}”; hãy nhập Nam hoặc Nữ.", text.trim()))
                    .with_param("entered", text),
            );
            None
        }
    }
}
