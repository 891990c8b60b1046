//! The workbook of accounts created in bulk: one line per school, its username and one-time
//! password (the only copy), or "đã có" when the account existed already.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::write_text;
use crate::domain::access::Role;

/// One line of the workbook.
#[derive(Debug, Clone)]
pub struct AccountLine {
    pub school_code: String,
    pub school_name: String,
    pub username: String,
    /// `None`: the account existed already (its password is not known here).
    pub one_time_password: Option<String>,
}

pub fn write(role: Role, lines: &[AccountLine]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Tài khoản")?;
    let bold = Format::new().set_bold();
    let plain = Format::new();
    let quoted = Format::new().set_quote_prefix();
    sheet.write_string_with_format(0, 0, format!("Tài khoản {} – mật khẩu một lần, phải đổi ở lần đăng nhập đầu; tệp này là bản duy nhất, hãy giao tận tay và xóa sau khi dùng", role.label()), &bold)?;
    for (col, title) in ["Mã trường", "Tên trường", "Tên đăng nhập", "Mật khẩu một lần"].iter().enumerate()
    {
        sheet.write_string_with_format(2, col as u16, *title, &bold)?;
    }
    for (i, line) in lines.iter().enumerate() {
        let row = 3 + i as u32;
        write_text(sheet, row, 0, &line.school_code, &plain, &quoted)?;
        write_text(sheet, row, 1, &line.school_name, &plain, &quoted)?;
        write_text(sheet, row, 2, &line.username, &plain, &quoted)?;
        let otp = line.one_time_password.as_deref().unwrap_or("(đã có tài khoản)");
        write_text(sheet, row, 3, otp, &plain, &quoted)?;
    }
    sheet.set_column_width(0, 14)?;
    sheet.set_column_width(1, 40)?;
    sheet.set_column_width(2, 22)?;
    sheet.set_column_width(3, 20)?;
    book.save_to_buffer()
}
