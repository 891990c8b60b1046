//! The school-year rollover (issue 10, item 4): from a school's classes of the ending year, the
//! classes of the next one — `6A` → `7A`, the final grade graduates, a preschool class carries
//! on under its name — and when a rollover may run (from 1 June of the ending year). A student
//! kept back ("ở lại lớp") goes to next year's class of the name they have now. Pure: the store
//! reads the classes, this decides, the store applies.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::org::SchoolLevel;

/// What becomes of a class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClassStep {
    /// Its students go up a grade, to `nextName`.
    Promote,
    /// The final grade: its students finish school and stay in last year's class.
    Graduate,
    /// Preschool: the class goes on under the same name.
    Carry,
}

/// A class of the ending year, as the plan sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassInfo {
    pub id: i64,
    pub grade: i32,
    pub name: String,
}

/// One class's step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClassPlan {
    pub class_id: i64,
    pub name: String,
    pub grade: i32,
    pub step: ClassStep,
    /// Next year's class (none when the class graduates).
    pub next_name: Option<String>,
    pub next_grade: Option<i32>,
}

/// The year after `2025-2026`.
pub fn next_year(year: &str) -> Option<String> {
    let (a, b) = crate::config::parse_school_year(year)?;
    Some(format!("{}-{}", a + 1, b + 1))
}

/// Why a rollover from `from_year` may not run on `today`, if it may not: from 1 June of the
/// year's last calendar year on.
pub fn refusal(from_year: &str, today: NaiveDate) -> Option<String> {
    let Some((_, end)) = crate::config::parse_school_year(from_year) else {
        return Some(format!("Năm học “{from_year}” phải có dạng 2025-2026."));
    };
    let opens = NaiveDate::from_ymd_opt(end, 6, 1)?;
    (today < opens).then(|| {
        format!(
            "Chỉ chuyển năm học {from_year} sang năm mới từ ngày {:02}/{:02}/{}.",
            opens.day(),
            opens.month(),
            opens.year()
        )
    })
}

/// The last grade a school teaches: by its level, except a multi-level (liên cấp) or
/// continuing-education school, whose highest class of the year says it.
pub fn final_grade(level: Option<SchoolLevel>, classes: &[ClassInfo]) -> i32 {
    let highest = classes.iter().map(|c| c.grade).max().unwrap_or(12);
    match level {
        Some(SchoolLevel::LienCap | SchoolLevel::GdnnGdtx) | None => highest,
        Some(l) => *l.grades().end(),
    }
}

/// The name of next year's class: the first number in the name that is the grade goes up by one
/// (`6A` → `7A`, `Lớp 9A2` → `Lớp 10A2`, `10 Toán` → `11 Toán`); a name without it gets the new
/// grade in front (`Hoa Mai` → `7 Hoa Mai`).
pub fn next_name(name: &str, grade: i32) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let number: String = chars[start..i].iter().collect();
            if number.parse::<i32>().ok() == Some(grade) {
                let before: String = chars[..start].iter().collect();
                let after: String = chars[i..].iter().collect();
                return format!("{before}{}{after}", grade + 1);
            }
        } else {
            i += 1;
        }
    }
    format!("{} {name}", grade + 1)
}

/// The plan of a school's classes.
pub fn plan_school(level: Option<SchoolLevel>, classes: &[ClassInfo]) -> Vec<ClassPlan> {
    let last = final_grade(level, classes);
    classes
        .iter()
        .map(|c| {
            let (step, next_name, next_grade) = if c.grade == 0 {
                (ClassStep::Carry, Some(c.name.clone()), Some(0))
            } else if c.grade >= last {
                (ClassStep::Graduate, None, None)
            } else {
                (ClassStep::Promote, Some(next_name(&c.name, c.grade)), Some(c.grade + 1))
            };
            ClassPlan { class_id: c.id, name: c.name.clone(), grade: c.grade, step, next_name, next_grade }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_names() {
        for (name, grade, want) in [
            ("6A", 6, "7A"),
            ("6A1", 6, "7A1"),
            ("Lớp 9A2", 9, "Lớp 10A2"),
            ("10 Toán", 10, "11 Toán"),
            ("11A12", 11, "12A12"),
            ("1/3", 1, "2/3"),
            ("Hoa Mai", 3, "4 Hoa Mai"),
            ("A6", 6, "A7"),
            ("12B", 6, "7 12B"),
        ] {
            assert_eq!(next_name(name, grade), want, "{name} ({grade})");
        }
    }

    fn class(id: i64, grade: i32, name: &str) -> ClassInfo {
        ClassInfo { id, grade, name: name.to_owned() }
    }

    #[test]
    fn a_lower_secondary_school_promotes_and_graduates_grade_nine() {
        let classes = [class(1, 6, "6A"), class(2, 8, "8B"), class(3, 9, "9A")];
        let plan = plan_school(Some(SchoolLevel::Thcs), &classes);
        let steps: Vec<(ClassStep, Option<&str>, Option<i32>)> =
            plan.iter().map(|p| (p.step, p.next_name.as_deref(), p.next_grade)).collect();
        assert_eq!(
            steps,
            [
                (ClassStep::Promote, Some("7A"), Some(7)),
                (ClassStep::Promote, Some("9B"), Some(9)),
                (ClassStep::Graduate, None, None)
            ]
        );
    }

    #[test]
    fn final_grades_by_level() {
        let some = [class(1, 1, "1A"), class(2, 9, "9A")];
        for (level, want) in [
            (Some(SchoolLevel::TieuHoc), 5),
            (Some(SchoolLevel::Thcs), 9),
            (Some(SchoolLevel::Thpt), 12),
            (Some(SchoolLevel::LienCap), 9),
            (Some(SchoolLevel::GdnnGdtx), 9),
            (None, 9),
        ] {
            assert_eq!(final_grade(level, &some), want, "{level:?}");
        }
        let preschool = plan_school(Some(SchoolLevel::MamNon), &[class(4, 0, "Lá 1")]);
        assert_eq!((preschool[0].step, preschool[0].next_name.as_deref()), (ClassStep::Carry, Some("Lá 1")));
    }

    #[test]
    fn a_rollover_opens_on_the_first_of_june() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        for (year, today, open) in [
            ("2025-2026", "2026-05-31", false),
            ("2025-2026", "2026-06-01", true),
            ("2025-2026", "2026-08-15", true),
            ("2026-2027", "2026-12-06", false),
            ("2026-2027", "2027-07-31", true),
            ("2026", "2027-07-31", false),
        ] {
            assert_eq!(refusal(year, d(today)).is_none(), open, "{year} on {today}");
        }
        assert_eq!(next_year("2025-2026").as_deref(), Some("2026-2027"));
        assert_eq!(next_year("2025"), None);
    }
}
