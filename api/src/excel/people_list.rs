//! A filtered list of students or staff as a workbook (`GET /students.xlsx`, `/staff.xlsx`):
//! one line per record as the list shows it (ID numbers masked), its verification state and
//! what is wrong with it, in Vietnamese.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::write_text;
use crate::rules::PersonKind;

/// One record, already as the caller may see it.
#[derive(Debug, Clone, Default)]
pub struct ListLine {
    pub unit: String,
    /// A student's class or a staff member's position.
    pub group: String,
    pub full_name: String,
    pub date_of_birth: String,
    pub gender: String,
    /// Masked.
    pub personal_id: String,
    pub sector_code: String,
    pub residence: String,
    pub status: String,
    pub errors: i32,
    pub warnings: i32,
    /// The messages of the errors and warnings, one per line.
    pub problems: String,
}

/// The workbook: a title line (what was filtered), the header, the lines.
pub fn write(kind: PersonKind, title: &str, lines: &[ListLine]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(if kind == PersonKind::Staff { "Cán bộ" } else { "Học sinh" })?;
    let bold = Format::new().set_bold();
    let plain = Format::new();
    let wrap = Format::new().set_text_wrap();
    let quoted = Format::new().set_quote_prefix();
    write_text(sheet, 0, 0, title, &bold, &quoted)?;
    let group = if kind == PersonKind::Staff { "Chức vụ" } else { "Lớp" };
    let headers = [
        "STT",
        "Đơn vị",
        group,
        "Họ và tên",
        "Ngày sinh",
        "Giới tính",
        "Số định danh (đã che)",
        "Mã định danh ngành",
        "Nơi thường trú",
        "Xác thực",
        "Lỗi chặn gửi",
        "Cần kiểm tra",
        "Vấn đề",
    ];
    for (col, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(2, col as u16, *h, &bold)?;
    }
    for (i, l) in lines.iter().enumerate() {
        let row = 3 + i as u32;
        sheet.write_number(row, 0, (i + 1) as f64)?;
        for (col, text) in [
            &l.unit,
            &l.group,
            &l.full_name,
            &l.date_of_birth,
            &l.gender,
            &l.personal_id,
            &l.sector_code,
            &l.residence,
            &l.status,
        ]
        .into_iter()
        .enumerate()
        {
            // every value as text: an ID or a date stays as typed
            write_text(sheet, row, 1 + col as u16, text, &plain, &quoted)?;
        }
        sheet.write_number(row, 10, f64::from(l.errors))?;
        sheet.write_number(row, 11, f64::from(l.warnings))?;
        write_text(sheet, row, 12, &l.problems, &wrap, &quoted)?;
    }
    for (col, width) in [6, 30, 12, 28, 12, 10, 18, 16, 44, 20, 12, 12, 70].iter().enumerate() {
        sheet.set_column_width(col as u16, *width)?;
    }
    sheet.set_freeze_panes(3, 0)?;
    book.save_to_buffer()
}
