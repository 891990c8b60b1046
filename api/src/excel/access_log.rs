//! The access log as a workbook (`GET /access-log.xlsx`): one line per entry, newest first,
//! the records it names as id ranges.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::write_text;
use crate::domain::clock::VIETNAM;
use crate::store::access_log::{AccessAction, LogEntry};
use crate::store::audit::id_ranges;

pub fn write(title: &str, entries: &[LogEntry]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Nhật ký truy cập")?;
    let bold = Format::new().set_bold();
    let plain = Format::new();
    let quoted = Format::new().set_quote_prefix();
    write_text(sheet, 0, 0, title, &bold, &quoted)?;
    let headers = [
        "Thời điểm",
        "Mã tài khoản",
        "Tên đăng nhập",
        "Thao tác",
        "Trường",
        "Số hồ sơ",
        "Mã hồ sơ",
        "Chi tiết",
        "Mã yêu cầu",
    ];
    for (col, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(2, col as u16, *h, &bold)?;
    }
    for (i, entry) in entries.iter().enumerate() {
        let e = &entry.event;
        let row = 3 + i as u32;
        let at = e.at.with_timezone(&VIETNAM).format("%d/%m/%Y %H:%M:%S").to_string();
        let action: &str = match AccessAction::parse(&e.action) {
            Some(a) => a.label(),
            None => &e.action,
        };
        let field = match e.field.as_deref() {
            Some("personalId") => "số định danh đầy đủ",
            Some(other) => other,
            None => "",
        };
        write_text(sheet, row, 0, &at, &plain, &quoted)?;
        write_text(sheet, row, 1, &e.user_id.map(|id| id.to_string()).unwrap_or_default(), &plain, &quoted)?;
        write_text(sheet, row, 2, &e.username, &plain, &quoted)?;
        write_text(sheet, row, 3, action, &plain, &quoted)?;
        write_text(sheet, row, 4, field, &plain, &quoted)?;
        sheet.write_number(row, 5, f64::from(e.person_count))?;
        write_text(sheet, row, 6, &id_ranges(&entry.person_ids), &plain, &quoted)?;
        write_text(sheet, row, 7, e.detail.as_deref().unwrap_or(""), &plain, &quoted)?;
        write_text(sheet, row, 8, e.request_id.as_deref().unwrap_or(""), &plain, &quoted)?;
    }
    for (col, width) in [20, 12, 20, 28, 20, 10, 30, 50, 24].iter().enumerate() {
        sheet.set_column_width(col as u16, *width)?;
    }
    book.save_to_buffer()
}
