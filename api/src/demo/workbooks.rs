//! The files a real province hands dinhdanh, written for the demo world: the Department's list
//! of district offices and schools (MoET-style headers under a title block) and each unit's
//! class list or staff list as a school keeps it. The seeder imports them through the same
//! unit import and people import a province uses, so the demo proves that path. Cells are
//! written the way Excel leaves them: an ID number that lost its leading zero and a date of
//! birth typed as a serial are numbers, everything else is text as entered (damage included).
//! Pure: bytes in memory, no IO.

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::generate::{Person, Plan, PlannedUnit};
use crate::domain::org::Position;
use crate::excel::write_text;

/// The unit list's file name.
pub const UNIT_LIST_FILE: &str = "danh-sach-don-vi-hai-phong.xlsx";

/// The headers of the unit list, as a Department's list has them.
const UNIT_HEADERS: [&str; 11] = [
    "STT",
    "Mã trường",
    "Tên trường",
    "Loại đơn vị",
    "Cấp học",
    "Đơn vị quản lý",
    "Xã/Phường",
    "Địa chỉ",
    "Điện thoại",
    "Email",
    "Hiệu trưởng",
];

fn title_block(sheet: &mut Worksheet, title: &str, subtitle: &str, bold: &Format) -> Result<(), XlsxError> {
    sheet.write_string_with_format(0, 0, "SỞ GIÁO DỤC VÀ ĐÀO TẠO HẢI PHÒNG", bold)?;
    sheet.write_string_with_format(1, 0, title, bold)?;
    sheet.write_string(2, 0, subtitle)?;
    Ok(())
}

/// The list of the plan's district offices and schools (offices first, each school under its
/// office's code), one sheet.
pub fn unit_list(plan: &Plan) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Danh sách đơn vị")?;
    let bold = Format::new().set_bold();
    let (plain, quoted) = (Format::new(), Format::new().set_quote_prefix());
    title_block(sheet, "DANH SÁCH PHÒNG GIÁO DỤC VÀ ĐÀO TẠO, CƠ SỞ GIÁO DỤC", "(theo mã trường của Bộ GDĐT)", &bold)?;
    let header = 4u32;
    for (col, title) in UNIT_HEADERS.iter().enumerate() {
        sheet.write_string_with_format(header, col as u16, *title, &bold)?;
    }
    let mut row = header + 1;
    let mut line = |sheet: &mut Worksheet, u: &PlannedUnit, kind: &str, parent: &str| -> Result<(), XlsxError> {
        let cells = [
            (row - header).to_string(),
            u.code.clone(),
            u.name.clone(),
            kind.to_owned(),
            u.level.map(|l| l.label().to_owned()).unwrap_or_default(),
            parent.to_owned(),
            u.commune_code.clone().unwrap_or_default(),
            u.address.clone(),
            u.phone.clone(),
            u.email.clone(),
            String::new(),
        ];
        for (col, text) in cells.iter().enumerate() {
            write_text(sheet, row, col as u16, text, &plain, &quoted)?;
        }
        row += 1;
        Ok(())
    };
    for d in &plan.districts {
        line(sheet, &d.unit, "Phòng GDĐT", "")?;
    }
    for s in &plan.schools {
        line(sheet, &s.unit, "Trường", &plan.districts[s.district].unit.code)?;
    }
    sheet.set_column_width(2, 48)?;
    sheet.set_column_width(7, 48)?;
    book.save_to_buffer()
}

/// A class list (students, the class named in a column) or a staff list, as a school keeps it.
pub struct PeopleList<'a> {
    pub school_name: &'a str,
    /// Students: (class name, person); staff: ("", person).
    pub rows: Vec<(&'a str, &'a Person)>,
    pub staff: bool,
}

/// True for text Excel would have turned into a number when typed without an apostrophe: digits
/// only, no leading zero, short enough to stay exact.
fn excel_number(text: &str) -> Option<f64> {
    let t = text.trim();
    (!t.is_empty() && t.len() < 16 && t.chars().all(|c| c.is_ascii_digit()) && !t.starts_with('0'))
        .then(|| t.parse().ok())
        .flatten()
}

/// The workbook of a people list.
pub fn people_list(list: &PeopleList<'_>) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(if list.staff { "Cán bộ" } else { "Học sinh" })?;
    let bold = Format::new().set_bold();
    let (plain, quoted) = (Format::new(), Format::new().set_quote_prefix());
    let title = if list.staff { "DANH SÁCH CÁN BỘ, GIÁO VIÊN, NHÂN VIÊN" } else { "DANH SÁCH HỌC SINH" };
    title_block(sheet, title, list.school_name, &bold)?;
    let mut headers = vec![
        "STT",
        if list.staff { "Mã cán bộ" } else { "Mã học sinh" },
        "Họ và tên",
        "Ngày sinh",
        "Giới tính",
        "Số định danh cá nhân",
        "Tỉnh/Thành phố",
        "Quận/Huyện",
        "Xã/Phường",
        "Địa chỉ thường trú",
    ];
    headers.push(if list.staff { "Chức vụ" } else { "Lớp" });
    let header = 4u32;
    for (col, title) in headers.iter().enumerate() {
        sheet.write_string_with_format(header, col as u16, *title, &bold)?;
    }
    for (i, (class, p)) in list.rows.iter().enumerate() {
        let row = header + 1 + i as u32;
        let e = &p.entered;
        sheet.write_number(row, 0, (i + 1) as f64)?;
        write_text(sheet, row, 1, &p.sector_code, &plain, &quoted)?;
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        write_text(sheet, row, 2, &text(&e.full_name), &plain, &quoted)?;
        for (col, value) in [(3u16, &e.date_of_birth), (5, &e.personal_id)] {
            match value.as_deref().and_then(excel_number) {
                Some(n) => sheet.write_number(row, col, n).map(|_| ())?,
                None => write_text(sheet, row, col, &text(value), &plain, &quoted)?,
            }
        }
        write_text(sheet, row, 4, &text(&e.gender), &plain, &quoted)?;
        write_text(sheet, row, 6, &text(&e.res_province), &plain, &quoted)?;
        write_text(sheet, row, 7, &text(&e.res_district), &plain, &quoted)?;
        write_text(sheet, row, 8, &text(&e.res_commune), &plain, &quoted)?;
        write_text(sheet, row, 9, &text(&e.res_text), &plain, &quoted)?;
        let last = if list.staff { p.position.unwrap_or(Position::Teacher).label() } else { class };
        write_text(sheet, row, 10, last, &plain, &quoted)?;
    }
    sheet.set_column_width(2, 28)?;
    sheet.set_column_width(9, 40)?;
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_excel_would_make_numbers() {
        for (text, want) in [
            ("31215001234", Some(31_215_001_234.0)),
            ("031215001234", None),
            ("41234", Some(41_234.0)),
            ("15/03/2012", None),
            ("3.12E+11", None),
            ("", None),
        ] {
            assert_eq!(excel_number(text), want, "{text}");
        }
    }

    #[test]
    fn the_unit_list_reads_back_as_the_plans_units() {
        let plan = super::super::generate::plan(2_000, 7, 2026);
        let bytes = unit_list(&plan).expect("workbook");
        let lines = crate::routes::unit_lists::read_unit_list(
            UNIT_LIST_FILE,
            &bytes,
            &crate::config::ImportSettings::default().limits(),
        )
        .expect("read");
        assert_eq!(lines.len(), plan.districts.len() + plan.schools.len());
        assert_eq!(lines[0].code, plan.districts[0].unit.code);
        let school = &lines[plan.districts.len()];
        assert_eq!(school.code, plan.schools[0].unit.code);
        assert_eq!(school.parent.as_deref(), Some(plan.districts[plan.schools[0].district].unit.code.as_str()));
        assert_eq!(school.level.as_deref(), Some("THCS"));
    }
}
