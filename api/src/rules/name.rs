//! Full-name rules: missing, repaired (whitespace, decomposed marks, legacy font, look-alikes,
//! case — each a `fixed` finding with its before/after), characters a name cannot hold, and
//! single-word names.

use super::{Code, Field, Finding};
use crate::domain::name::{NameRepair, NormalizedName, normalize_name};

/// Checks the entered name; returns its normalised form unless it is blank.
pub fn check_name(entered: Option<&str>, findings: &mut Vec<Finding>) -> Option<NormalizedName> {
    let Some(n) = entered.and_then(normalize_name) else {
        findings.push(
            Finding::new(Field::FullName, Code::NameMissing)
                .with_message("Chưa nhập họ và tên; hãy nhập đủ họ, tên đệm và tên theo giấy khai sinh."),
        );
        return None;
    };
    for step in &n.steps {
        let finding = match step.repair {
            NameRepair::Whitespace => Finding::new(Field::FullName, Code::NameWhitespace).with_message(
                "Đã bỏ khoảng trắng thừa trong họ tên (dấu cách ở đầu/cuối, dấu cách kép, \
                     khoảng trắng không ngắt, ký tự vô hình).",
            ),
            NameRepair::Marks => Finding::new(Field::FullName, Code::NameNotNfc).with_message(
                "Họ tên có dấu gõ tách rời khỏi chữ (Unicode tổ hợp); đã chuyển về dạng dựng sẵn \
                 (NFC) để tra cứu khớp.",
            ),
            NameRepair::Legacy(encoding) => Finding::new(Field::FullName, Code::NameLegacyEncoding)
                .with_message(format!(
                    "Họ tên gõ bằng bảng mã cũ {}; đã chuyển sang Unicode thành “{}”. Hãy \
                         kiểm tra lại chính tả.",
                    encoding.label(),
                    step.to
                ))
                .with_param("encoding", encoding.as_str()),
            NameRepair::Lookalikes => {
                let replaced: Vec<String> = step
                    .from
                    .chars()
                    .filter(|c| !step.to.contains(*c))
                    .map(|c| format!("U+{:04X} {c}", c as u32))
                    .fold(Vec::new(), |mut acc, c| {
                        if acc.len() < 16 && !acc.contains(&c) {
                            acc.push(c);
                        }
                        acc
                    });
                Finding::new(Field::FullName, Code::NameLookalikeChars)
                    .with_message(format!(
                        "Họ tên có ký tự trông giống chữ Việt nhưng sai mã ({}); đã thay bằng \
                         chữ đúng.",
                        replaced.join(", ")
                    ))
                    .with_param("replaced", replaced)
            }
            NameRepair::Case => Finding::new(Field::FullName, Code::NameCase)
                .with_message(format!("Đã viết hoa chữ cái đầu mỗi tiếng trong họ tên: “{}”.", step.to)),
        };
        findings.push(finding.with_fix(step.from.clone(), step.to.clone()));
    }
    if !n.invalid_chars.is_empty() {
        let chars: Vec<String> = n.invalid_chars.iter().map(char::to_string).collect();
        let quoted: Vec<String> = chars.iter().map(|c| format!("“{c}”")).collect();
        findings.push(
            Finding::new(Field::FullName, Code::NameInvalidChars)
                .with_message(format!(
                    "Họ tên có ký tự không phải chữ cái tiếng Việt: {}. Họ tên chỉ gồm chữ cái, \
                     dấu cách, dấu nháy (') và gạch nối (-); hãy sửa theo giấy khai sinh.",
                    quoted.join(", ")
                ))
                .with_param("chars", chars),
        );
    }
    if n.words == 1 {
        findings.push(Finding::new(Field::FullName, Code::NameSingleWord).with_message(format!(
            "Họ tên chỉ có một từ (“{}”); hãy nhập đủ họ, tên đệm và tên theo giấy khai sinh.",
            n.name
        )));
    }
    Some(n)
}
