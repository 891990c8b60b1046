//! The template of a Department's unit list (issue 10): the MoET-style headers the unit import
//! reads (`domain::unit_list::match_unit_header`), text cells for codes and phone numbers (so
//! Excel keeps their leading zeros), drop-downs for the kind and the level, the header row
//! frozen, and an instructions sheet in Vietnamese. Filled in and uploaded to
//! `POST /units/import`, it imports as it is.

use rust_xlsxwriter::{DataValidation, DataValidationErrorStyle, Format, FormatBorder, Workbook, XlsxError};

/// The sheet the units are entered on.
pub const UNITS_SHEET: &str = "Danh sách đơn vị";
/// The instructions sheet.
pub const INSTRUCTIONS_SHEET: &str = "Hướng dẫn";

/// The headers, in order, with their column widths.
pub const HEADERS: &[(&str, f64)] = &[
    ("STT", 6.0),
    ("Mã trường", 14.0),
    ("Tên trường", 40.0),
    ("Loại đơn vị", 16.0),
    ("Cấp học", 14.0),
    ("Đơn vị quản lý", 16.0),
    ("Mã xã/phường", 14.0),
    ("Địa chỉ", 36.0),
    ("Điện thoại", 14.0),
    ("Email", 28.0),
    ("Hiệu trưởng", 26.0),
    ("Trạng thái", 16.0),
];

/// The kinds offered in the drop-down.
pub const KINDS: &[&str] = &["Phòng GDĐT", "Trường"];
/// The levels offered in the drop-down (as `domain::unit_list::parse_level` reads them).
pub const LEVELS: &[&str] = &["Mầm non", "Tiểu học", "THCS", "THPT", "Liên cấp", "GDNN-GDTX"];

/// The rows prepared (text format and drop-downs) below the header.
const ROWS: u32 = 2000;

const INSTRUCTIONS: &[&str] = &[
    "HƯỚNG DẪN ĐIỀN DANH SÁCH ĐƠN VỊ (PHÒNG GDĐT VÀ CƠ SỞ GIÁO DỤC)",
    "",
    "1. Mỗi dòng của trang “Danh sách đơn vị” là một Phòng GDĐT (đơn vị quản lý) hoặc một trường, trung tâm.",
    "2. Mã trường: mã cơ sở giáo dục do Bộ GDĐT cấp (ví dụ 31304001), bắt đầu bằng mã tỉnh, thành phố; \
mã của tỉnh đã hợp nhất năm 2025 vẫn được nhận. Phòng GDĐT có thể dùng mã riêng (chữ, số, -, _, .), ví dụ PGD-HB.",
    "3. Tên trường: tên đầy đủ của đơn vị (ví dụ Trường THCS Lê Lợi). Bắt buộc.",
    "4. Loại đơn vị: chọn “Phòng GDĐT” hoặc “Trường”. Để trống thì dòng có cấp học được hiểu là trường.",
    "5. Cấp học: bắt buộc với trường — Mầm non, Tiểu học, THCS, THPT, Liên cấp, GDNN-GDTX.",
    "6. Đơn vị quản lý: mã của Phòng GDĐT quản lý trường. Để trống thì đơn vị trực thuộc Sở GDĐT. \
Phòng GDĐT có thể khai ở dòng dưới trong cùng tệp.",
    "7. Mã xã/phường, Địa chỉ, Điện thoại, Email, Hiệu trưởng: không bắt buộc.",
    "8. Trạng thái: ghi “Giải thể”, “Sáp nhập” hoặc “Ngừng hoạt động” để đóng một đơn vị đã có \
(đơn vị còn hồ sơ đang hoạt động thì phải chuyển hồ sơ đi trước). Đơn vị đã đóng vẫn giữ lịch sử và số liệu thống kê.",
    "9. Không đổi tên các cột, không gộp ô. Có thể thêm dòng tiêu đề phía trên hoặc cột khác: hệ thống tìm dòng tiêu đề có cột mã và tên.",
    "10. Nạp tệp ở mục Đơn vị → Nạp danh sách (hoặc lệnh dinhdanh import-units): hệ thống cho xem trước từng dòng \
(tạo mới, cập nhật, đóng, không đổi, bị từ chối kèm lý do) rồi mới ghi; lần nạp đã ghi có thể hoàn tác.",
    "11. Năm sau, nạp lại danh sách mới: tên, đơn vị quản lý và thông tin liên hệ được cập nhật theo mã trường.",
];

/// The template's bytes.
pub fn write() -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let header = Format::new().set_bold().set_border(FormatBorder::Thin).set_background_color("D9E1F2");
    let text = Format::new().set_num_format("@");
    let ws = wb.add_worksheet();
    ws.set_name(UNITS_SHEET)?;
    for (c, (title, width)) in HEADERS.iter().enumerate() {
        let c = c as u16;
        ws.write_string_with_format(0, c, *title, &header)?;
        ws.set_column_width(c, *width)?;
        if *title != "STT" {
            ws.set_column_format(c, &text)?;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    let column = |title: &str| HEADERS.iter().position(|(t, _)| *t == title).unwrap_or(0) as u16;
    let kind = DataValidation::new().allow_list_strings(KINDS)?.set_error_style(DataValidationErrorStyle::Warning);
    ws.add_data_validation(1, column("Loại đơn vị"), ROWS, column("Loại đơn vị"), &kind)?;
    let level = DataValidation::new().allow_list_strings(LEVELS)?.set_error_style(DataValidationErrorStyle::Warning);
    ws.add_data_validation(1, column("Cấp học"), ROWS, column("Cấp học"), &level)?;
    let code = DataValidation::new()
        .allow_any_value()
        .set_input_title("Mã trường")?
        .set_input_message("Mã do Bộ GDĐT cấp, ví dụ 31304001; Phòng GDĐT: mã riêng, ví dụ PGD-HB.")?;
    ws.add_data_validation(1, column("Mã trường"), ROWS, column("Mã trường"), &code)?;
    let parent = DataValidation::new()
        .allow_any_value()
        .set_input_title("Đơn vị quản lý")?
        .set_input_message("Mã Phòng GDĐT quản lý; để trống nếu trực thuộc Sở.")?;
    ws.add_data_validation(1, column("Đơn vị quản lý"), ROWS, column("Đơn vị quản lý"), &parent)?;
    let ins = wb.add_worksheet();
    ins.set_name(INSTRUCTIONS_SHEET)?;
    ins.set_column_width(0, 120)?;
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    for (r, line) in INSTRUCTIONS.iter().enumerate() {
        ins.write_string_with_format(r as u32, 0, *line, if r == 0 { &bold } else { &wrap })?;
    }
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::unit_list::{UnitColumn, detect_columns, match_unit_header, parse_level};

    #[test]
    fn every_header_but_the_row_number_is_read_by_the_import() {
        let want = [
            ("Mã trường", UnitColumn::Code),
            ("Tên trường", UnitColumn::Name),
            ("Loại đơn vị", UnitColumn::Kind),
            ("Cấp học", UnitColumn::Level),
            ("Đơn vị quản lý", UnitColumn::Parent),
            ("Mã xã/phường", UnitColumn::Commune),
            ("Địa chỉ", UnitColumn::Address),
            ("Điện thoại", UnitColumn::Phone),
            ("Email", UnitColumn::Email),
            ("Hiệu trưởng", UnitColumn::Principal),
            ("Trạng thái", UnitColumn::Status),
        ];
        assert_eq!(want.len() + 1, HEADERS.len());
        for (title, column) in want {
            assert_eq!(match_unit_header(title), Some(column), "{title}");
        }
        assert_eq!(match_unit_header("STT"), None);
        let row: Vec<String> = HEADERS.iter().map(|(t, _)| (*t).to_owned()).collect();
        assert_eq!(detect_columns(&[row]).map(|(r, m)| (r, m.len())), Some((0, 11)));
    }

    #[test]
    fn every_level_offered_is_understood() {
        for level in LEVELS {
            assert!(parse_level(level).is_some(), "{level}");
        }
    }

    #[test]
    fn the_workbook_has_the_list_and_the_instructions() {
        use calamine::Reader;
        let bytes = write().expect("workbook");
        let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).expect("open");
        assert_eq!(book.sheet_names(), [UNITS_SHEET, INSTRUCTIONS_SHEET]);
        let range = book.worksheet_range(UNITS_SHEET).expect("sheet");
        let first: Vec<String> = range.rows().next().expect("header").iter().map(|c| c.to_string()).collect();
        assert_eq!(first, HEADERS.iter().map(|(t, _)| (*t).to_owned()).collect::<Vec<_>>());
    }
}
