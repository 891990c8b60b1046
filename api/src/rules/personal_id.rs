//! Personal-ID rules (DOMAIN.md §2): missing; spreadsheet damage removed (fixed) or beyond repair
//! (scientific notation); letters; legacy 9-digit CMND; wrong length; leading zeros restored only
//! when the padded number then agrees with the birth year and the gender and has a known
//! prefix; and the soft structure checks (prefix, sex digit, century, birth year, a school-age
//! child born in the 2000s). Messages never show the full number; `fix` holds it, as it must to
//! be reversible.

use chrono::Datelike;

use super::{Code, Field, Finding, PersonKind, RuleContext};
use crate::domain::date::BirthDate;
use crate::domain::gender::Gender;
use crate::domain::grade::Grade;
use crate::domain::personal_id::{IdText, PersonalId, clean_id_text, describe_prefix};

/// What the other fields say, for the cross-checks.
pub struct Known<'a> {
    /// The date of birth, when plausible.
    pub dob: Option<BirthDate>,
    /// The gender, when recognised.
    pub gender: Option<Gender>,
    /// Student or staff.
    pub kind: PersonKind,
    /// The class grade of a student.
    pub grade: Option<Grade>,
    /// Today and the school year.
    pub ctx: &'a RuleContext,
}

fn finding(code: Code) -> Finding {
    Finding::new(Field::PersonalId, code)
}

/// First year of the century a year is in.
fn century_of(year: i32) -> i32 {
    year - year.rem_euclid(100)
}

/// "1900–1999".
fn century_span(century: i32) -> String {
    format!("{century}–{}", century + 99)
}

fn gender_word(g: Gender) -> &'static str {
    match g {
        Gender::Male => "nam",
        Gender::Female => "nữ",
    }
}

/// Checks the entered ID number; returns the digits (12 after safe repairs, or the cleaned
/// digits of a wrong length) or `None` when there are none to keep.
pub fn check_personal_id(entered: Option<&str>, known: &Known<'_>, findings: &mut Vec<Finding>) -> Option<String> {
    let text = entered.unwrap_or("");
    let (value, repaired) = match clean_id_text(text) {
        IdText::Blank => {
            findings.push(finding(Code::IdMissing).with_message(
                "Chưa có số định danh cá nhân. Nếu chưa được cấp, cần đăng ký khai sinh hoặc \
                 liên hệ công an xã/phường để được cấp số; không tự đặt số tạm.",
            ));
            return None;
        }
        IdText::Scientific => {
            findings.push(
                finding(Code::IdScientificNotation)
                    .with_message(format!(
                        "Excel đã đổi số định danh thành dạng số mũ (“{}”) nên các chữ số đã mất, \
                         không khôi phục được. Hãy định dạng cột là Văn bản (Text) rồi nhập lại đủ \
                         12 số.",
                        text.trim()
                    ))
                    .with_param("entered", text.trim()),
            );
            return None;
        }
        IdText::Cleaned { value, repaired, non_digits } => {
            if !non_digits.is_empty() {
                let chars: Vec<String> = non_digits.iter().map(char::to_string).collect();
                let quoted: Vec<String> = chars.iter().map(|c| format!("“{c}”")).collect();
                findings.push(
                    finding(Code::IdNonDigit)
                        .with_message(format!(
                            "Số định danh có ký tự không phải chữ số: {}. Số định danh chỉ gồm 12 \
                             chữ số (kiểm tra chữ O thay số 0, chữ l/I thay số 1); hãy nhập lại \
                             theo thẻ CCCD.",
                            quoted.join(", ")
                        ))
                        .with_param("chars", chars),
                );
                return None;
            }
            (value, repaired)
        }
    };
    if repaired {
        findings.push(
            finding(Code::IdSeparatorsRemoved)
                .with_message(
                    "Đã bỏ dấu cách, dấu chấm, gạch nối, dấu nháy hoặc đuôi “.0” trong số định \
                     danh.",
                )
                .with_fix(text, value.clone()),
        );
    }
    let len = value.len();
    if len == 12 {
        if let Some(id) = PersonalId::parse(&value) {
            check_structure(&id, known, findings);
        }
        return Some(value);
    }
    if len == 9 {
        findings.push(
            finding(Code::IdLegacyCmnd)
                .with_message(
                    "Đây là số chứng minh nhân dân 9 số, đã hết hiệu lực từ 01/01/2025. Cần số \
                     định danh cá nhân 12 số (in trên thẻ CCCD; có thể xin công an giấy xác nhận \
                     số CMND cũ và số định danh).",
                )
                .with_param("length", 9),
        );
        return Some(value);
    }
    if matches!(len, 10 | 11) {
        let padded = format!("{}{value}", "0".repeat(12 - len));
        let candidate = PersonalId::parse(&padded);
        let problems = candidate.as_ref().map(|id| padding_problems(id, known)).unwrap_or_default();
        if let Some(id) = candidate.filter(|_| problems.is_empty()) {
            let zeros = 12 - len;
            let birthplace = describe_prefix(id.prefix()).unwrap_or_default();
            findings.push(
                finding(Code::IdLeadingZerosRestored)
                    .with_message(format!(
                        "Excel đã làm mất {zeros} số 0 ở đầu số định danh; đã thêm lại thành {} \
                         vì số 12 chữ số khớp năm sinh {}, giới tính {} và nơi đăng ký khai sinh \
                         {birthplace}.",
                        id.masked(),
                        id.birth_year(),
                        id.sex().as_str(),
                    ))
                    .with_param("zeros", zeros)
                    .with_fix(value, padded.clone()),
            );
            return Some(padded);
        }
        let reasons: Vec<&str> = problems.iter().map(|(code, _)| *code).collect();
        let explained: Vec<&str> = problems.iter().map(|(_, text)| text.as_str()).collect();
        findings.push(
            finding(Code::IdBadLength)
                .with_message(format!(
                    "Số định danh có {len} chữ số, cần đúng 12. Có thể Excel đã làm mất số 0 ở \
                     đầu, nhưng khi thêm số 0 thì {}, nên không tự sửa. Hãy hỏi lại số định danh \
                     12 số (thẻ CCCD) và định dạng cột là Văn bản (Text).",
                    explained.join("; ")
                ))
                .with_param("length", len)
                .with_param("reasons", reasons),
        );
        return Some(value);
    }
    let hint = if len == 8 {
        " Nếu đây là CMND 9 số bị mất số 0 đầu thì số đó cũng đã hết hiệu lực."
    } else {
        ""
    };
    findings.push(
        finding(Code::IdBadLength)
            .with_message(format!(
                "Số định danh có {len} chữ số, cần đúng 12.{hint} Hãy đối chiếu thẻ CCCD và nhập \
                 lại."
            ))
            .with_param("length", len),
    );
    Some(value)
}

/// Why a zero-padded number cannot be trusted (empty when it can): (reason code, Vietnamese).
fn padding_problems(id: &PersonalId, known: &Known<'_>) -> Vec<(&'static str, String)> {
    let mut problems = Vec::new();
    if !id.has_known_prefix() {
        problems.push(("prefix_unknown", format!("ba số đầu {} không phải mã tỉnh", id.prefix())));
    }
    match known.dob {
        Some(dob) if dob.year() != id.birth_year() => problems.push((
            "birth_year_mismatch",
            format!("năm sinh theo số là {} nhưng ngày sinh ghi năm {}", id.birth_year(), dob.year()),
        )),
        Some(_) => {}
        None => problems.push(("dob_unknown", "chưa có ngày sinh hợp lệ để đối chiếu".to_owned())),
    }
    match known.gender {
        Some(g) if g != id.sex() => problems.push((
            "sex_mismatch",
            format!("chữ số thứ 4 là của {} nhưng giới tính ghi {}", gender_word(id.sex()), g.as_str()),
        )),
        Some(_) => {}
        None => problems.push(("gender_unknown", "chưa có giới tính hợp lệ để đối chiếu".to_owned())),
    }
    problems
}

/// An ID number masked, written out only when a message is (most numbers get none).
struct Masked<'a>(&'a PersonalId);

impl std::fmt::Display for Masked<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.masked())
    }
}

/// The soft checks on a 12-digit number.
fn check_structure(id: &PersonalId, known: &Known<'_>, findings: &mut Vec<Finding>) {
    let masked = Masked(id);
    if !id.has_known_prefix() {
        findings.push(
            finding(Code::IdPrefixUnknown)
                .with_message(format!(
                    "Ba số đầu “{}” của số định danh {masked} không phải mã tỉnh nơi đăng ký khai \
                     sinh (danh mục trước 2025); có thể đăng ký khai sinh ở nước ngoài hoặc nhập \
                     sai. Hãy đối chiếu thẻ CCCD.",
                    id.prefix()
                ))
                .with_param("prefix", id.prefix()),
        );
    }
    let d4 = id.century_sex_digit();
    if let Some(g) = known.gender
        && g != id.sex()
    {
        findings.push(
            finding(Code::IdSexMismatch)
                .with_message(format!(
                    "Chữ số thứ 4 của số định danh {masked} là {d4}, dành cho {}, nhưng giới tính \
                     ghi {}. Hãy kiểm tra giới tính hoặc số định danh.",
                    gender_word(id.sex()),
                    g.as_str()
                ))
                .with_param("digit", d4)
                .with_param("idGender", id.sex().as_str())
                .with_param("gender", g.as_str()),
        );
    }
    let this_year = known.ctx.today.year();
    match known.dob {
        Some(dob) => {
            let year = dob.year();
            if id.century() != century_of(year) {
                findings.push(
                    finding(Code::IdCenturyMismatch)
                        .with_message(format!(
                            "Chữ số thứ 4 của số định danh {masked} là {d4}, dành cho người sinh \
                             {}, nhưng năm sinh ghi {year}. Hãy kiểm tra năm sinh hoặc số định \
                             danh.",
                            century_span(id.century())
                        ))
                        .with_param("digit", d4)
                        .with_param("year", year),
                );
            }
            if id.birth_year().rem_euclid(100) != year.rem_euclid(100) {
                findings.push(
                    finding(Code::IdBirthYearMismatch)
                        .with_message(format!(
                            "Chữ số thứ 5–6 của số định danh {masked} là {:02} (năm sinh {}), \
                             nhưng ngày sinh ghi năm {year}. Hãy kiểm tra năm sinh hoặc số định \
                             danh.",
                            id.birth_year().rem_euclid(100),
                            id.birth_year()
                        ))
                        .with_param("idYear", id.birth_year())
                        .with_param("year", year),
                );
            }
        }
        None if id.birth_year() > this_year => {
            let (code, what) = if id.century() > century_of(this_year) {
                (Code::IdCenturyMismatch, format!("chữ số thứ 4 là {d4}"))
            } else {
                (Code::IdBirthYearMismatch, format!("chữ số thứ 5–6 là {:02}", id.birth_year().rem_euclid(100)))
            };
            findings.push(
                finding(code)
                    .with_message(format!(
                        "Số định danh {masked} cho năm sinh {} ({what}), ở tương lai. Hãy kiểm tra \
                         số định danh.",
                        id.birth_year()
                    ))
                    .with_param("idYear", id.birth_year()),
            );
        }
        None => {
            if let (PersonKind::Student, Some(grade)) = (known.kind, known.grade) {
                let expected = grade.expected_birth_year(known.ctx.school_year());
                if id.century() != century_of(expected) {
                    findings.push(
                        finding(Code::IdCenturyMismatch)
                            .with_message(format!(
                                "Học sinh {} sinh khoảng năm {expected}, nên chữ số thứ 4 của số \
                                 định danh phải là {} hoặc {}; số {masked} có chữ số thứ 4 là \
                                 {d4}. Hãy kiểm tra số định danh.",
                                grade.label(),
                                (century_of(expected) - 1900) / 50,
                                (century_of(expected) - 1900) / 50 + 1
                            ))
                            .with_param("digit", d4)
                            .with_param("expectedYear", expected),
                    );
                }
            }
        }
    }
}
