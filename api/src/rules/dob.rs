//! Date-of-birth rules: missing, unreadable, impossible (no such day, future, older than
//! [`MAX_AGE`]), Excel serials and two-digit years (fixed), day/month order that could be either
//! (warning, on evidence only), partial dates (students), and age against grade or working age.
//!
//! `dob_ambiguous` rule: Vietnamese order (day first) is always the reading. The warning fires
//! only when the other reading also exists (day and month both 1–12 and different, numeric
//! day/month/year text) **and** there is evidence of month-first dates: an AM/PM time in the text
//! (US-locale Excel) or [`RuleContext::month_first_dates`] set by an importer that saw a date in
//! the same file that only reads month-first. Without evidence there is no warning: grade and ID
//! number carry the birth year only, so they cannot tell 05/04 from 04/05, and a warning on every
//! date with a day ≤ 12 (about 40 % of them) would drown the real problems. A date whose day-first
//! reading does not exist or lies in the future but whose month-first reading does is
//! `dob_impossible`, with the other reading in the message; it is never applied silently.

use chrono::{Datelike, NaiveDate};

use super::{Code, Field, Finding, PersonKind, RuleContext, Severity};
use crate::domain::date::{BirthDate, DateError, format_vi, parse_birth_date};
use crate::domain::grade::Grade;

/// Older than this many years is taken as a typing error.
pub const MAX_AGE: i32 = 100;

/// Working age for staff: outside it, a warning.
pub const STAFF_AGE: std::ops::RangeInclusive<i32> = 18..=65;

fn finding(code: Code) -> Finding {
    Finding::new(Field::DateOfBirth, code)
}

/// Age in whole years on `today`.
pub fn age_on(birth: NaiveDate, today: NaiveDate) -> i32 {
    let mut age = today.year() - birth.year();
    if (today.month(), today.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

/// Checks the entered date of birth; returns it when it is a plausible date (complete or
/// partial) that the other rules may rely on.
pub fn check_dob(
    entered: Option<&str>,
    ctx: &RuleContext,
    kind: PersonKind,
    grade: Option<Grade>,
    findings: &mut Vec<Finding>,
) -> Option<BirthDate> {
    let Some(text) = entered.filter(|t| !crate::domain::text::collapse_whitespace_cow(t).is_empty()) else {
        findings.push(
            finding(Code::DobMissing)
                .with_message("Chưa nhập ngày sinh; hãy nhập theo dạng ngày/tháng/năm, ví dụ 05/03/2015."),
        );
        return None;
    };
    let today = ctx.today;
    let parsed = match parse_birth_date(text, today) {
        Ok(p) => p,
        Err(DateError::Unparseable) => {
            findings.push(
                finding(Code::DobUnparseable)
                    .with_message(format!(
                        "Không đọc được ngày sinh “{}”; hãy nhập theo dạng ngày/tháng/năm, ví dụ \
                         05/03/2015.",
                        text.trim()
                    ))
                    .with_param("entered", text),
            );
            return None;
        }
        Err(DateError::Impossible { day, month, year, swapped }) => {
            let what = if !(1..=12).contains(&month) {
                format!("không có tháng {month}")
            } else {
                format!("tháng {month}/{year} không có ngày {day}")
            };
            let mut f = finding(Code::DobImpossible).with_param("reason", "no_such_date").with_param("entered", text);
            let mut message = format!("Ngày sinh “{}” không tồn tại: {what}.", text.trim());
            if let Some(other) = swapped.filter(|d| *d <= today) {
                message.push_str(&format!(
                    " Nếu ngày và tháng bị đảo (máy tính đặt kiểu tháng/ngày) thì là ngày {}; \
                     hãy đối chiếu giấy khai sinh rồi nhập lại theo ngày/tháng/năm.",
                    format_vi(other)
                ));
                f = f.with_param("swapped", other.to_string());
            } else {
                message.push_str(" Hãy đối chiếu giấy khai sinh.");
            }
            findings.push(f.with_message(message));
            return None;
        }
    };
    let value = parsed.value;
    if let Some(serial) = parsed.excel_serial {
        findings.push(
            finding(Code::DobExcelSerial)
                .with_message(format!(
                    "Ô ngày sinh chứa số {serial} (Excel lưu ngày dưới dạng số); đã chuyển thành \
                     ngày {}. Hãy kiểm tra lại.",
                    value.display_vi()
                ))
                .with_param("serial", serial)
                .with_fix(text, value.iso()),
        );
    }
    if let Some((yy, year)) = parsed.two_digit_year {
        findings.push(
            finding(Code::DobTwoDigitYear)
                .with_message(format!(
                    "Năm sinh chỉ có 2 chữ số (“{yy:02}”), đã hiểu là năm {year}. Hãy kiểm tra \
                     và nhập đủ 4 chữ số."
                ))
                .with_param("year", year)
                .with_fix(text, value.iso()),
        );
    }
    // the date exists; is it a birth date?
    let year = value.year();
    let in_future = match value {
        BirthDate::Full(d) => d > today,
        BirthDate::MonthYear { year, month } => (year, month) > (today.year(), today.month()),
        BirthDate::Year(y) => y > today.year(),
    };
    if in_future {
        let mut message = format!("Ngày sinh {} ở sau ngày hôm nay ({}).", value.display_vi(), format_vi(today));
        let mut f = finding(Code::DobImpossible).with_param("reason", "future").with_param("entered", text);
        if let Some(other) = parsed.swapped.filter(|d| *d <= today) {
            message.push_str(&format!(
                " Nếu ngày và tháng bị đảo thì là ngày {}; hãy đối chiếu giấy khai sinh.",
                format_vi(other)
            ));
            f = f.with_param("swapped", other.to_string());
        } else {
            message.push_str(" Hãy đối chiếu giấy khai sinh.");
        }
        findings.push(f.with_message(message));
        return None;
    }
    if today.year() - year > MAX_AGE {
        findings.push(
            finding(Code::DobImpossible)
                .with_message(format!(
                    "Năm sinh {year} cho tuổi trên {MAX_AGE}; có lẽ nhập sai. Hãy đối chiếu giấy \
                     tờ."
                ))
                .with_param("reason", "too_old")
                .with_param("entered", text),
        );
        return None;
    }
    if let Some(other) = parsed.swapped.filter(|d| *d <= today)
        && (parsed.month_first_marker || ctx.month_first_dates)
        && let BirthDate::Full(read) = value
    {
        let why = if parsed.month_first_marker {
            "ô có giờ dạng AM/PM, dấu hiệu máy tính đặt định dạng Mỹ tháng/ngày"
        } else {
            "tệp này có ngày ghi theo kiểu tháng/ngày"
        };
        findings.push(
            finding(Code::DobAmbiguous)
                .with_message(format!(
                    "Ngày sinh “{}” có thể bị đảo ngày và tháng: {why}. Đang hiểu là ngày {} \
                     (ngày {} tháng {}); nếu là tháng/ngày thì là {}. Hãy đối chiếu giấy khai sinh.",
                    text.trim(),
                    format_vi(read),
                    read.day(),
                    read.month(),
                    format_vi(other)
                ))
                .with_param("read", read.to_string())
                .with_param("swapped", other.to_string()),
        );
    }
    match (kind, value) {
        (_, BirthDate::Full(_)) | (PersonKind::Staff, _) => {}
        (PersonKind::Student, partial) => findings.push(
            finding(Code::DobIncomplete)
                .with_message(format!(
                    "Ngày sinh chỉ có {} ({}); học sinh cần ngày sinh đầy đủ ngày/tháng/năm theo \
                     giấy khai sinh.",
                    if matches!(partial, BirthDate::Year(_)) { "năm" } else { "tháng và năm" },
                    partial.display_vi()
                ))
                .with_param("precision", partial.iso()),
        ),
    }
    check_age(value, ctx, kind, grade, findings);
    Some(value)
}

/// Age against the grade (students) or working age (staff).
fn check_age(value: BirthDate, ctx: &RuleContext, kind: PersonKind, grade: Option<Grade>, findings: &mut Vec<Finding>) {
    let year = value.year();
    match kind {
        PersonKind::Student => {
            let Some(grade) = grade else { return };
            let school_year = ctx.school_year();
            let range = grade.plausible_birth_years(school_year);
            if !range.contains(&year) {
                findings.push(
                    finding(Code::DobImplausibleForGrade)
                        .with_message(format!(
                            "Học sinh {} năm học {}–{} thường sinh năm {} (chấp nhận {}–{}), \
                             nhưng năm sinh ghi {year}. Hãy kiểm tra ngày sinh hoặc lớp.",
                            grade.label(),
                            school_year,
                            school_year + 1,
                            grade.expected_birth_year(school_year),
                            range.start(),
                            range.end()
                        ))
                        .with_param("expectedFrom", *range.start())
                        .with_param("expectedTo", *range.end())
                        .with_param("year", year),
                );
            }
        }
        PersonKind::Staff => {
            let age = match value {
                BirthDate::Full(d) => age_on(d, ctx.today),
                _ => ctx.today.year() - year,
            };
            if !STAFF_AGE.contains(&age) {
                findings.push(
                    finding(Code::DobImplausibleForGrade)
                        .with_severity(Severity::Warning)
                        .with_message(format!(
                            "Cán bộ, giáo viên, nhân viên {age} tuổi: ngoài độ tuổi lao động \
                             thường gặp ({}–{}). Hãy kiểm tra ngày sinh.",
                            STAFF_AGE.start(),
                            STAFF_AGE.end()
                        ))
                        .with_param("age", age),
                );
            }
        }
    }
}
