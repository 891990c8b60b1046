//! The template a school exports, fills in offline and imports back: one sheet per class (or
//! one sheet of staff), Vietnamese headers, the record key greyed in the first column, ID
//! numbers and dates as text cells (so Excel cannot turn them into numbers), a gender
//! drop-down and a province drop-down, input hints, the header row frozen, an instructions
//! sheet, and a hidden metadata sheet (template version, scope, export time, the export id, each
//! sheet's class, each record's key and version) that the import reads.

use chrono::{DateTime, Utc};
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, Format, FormatBorder, Formula, Workbook, XlsxError,
};

use super::{sheet_name, write_text};
use crate::domain::clock::VIETNAM;
use crate::import::{Column, META_SHEET, TEMPLATE_ID, TEMPLATE_VERSION};
use crate::rules::PersonKind;

/// Sheet name of the instructions.
pub const INSTRUCTIONS_SHEET: &str = "Hướng dẫn";

/// Headers after the imported columns: read-only information and the clerk's notes.
pub const STATUS_HEADER: &str = "Tình trạng xác thực";
pub const PROBLEMS_HEADER: &str = "Cần sửa (lỗi hệ thống phát hiện)";
pub const NOTE_HEADER: &str = "Ghi chú";

/// One record in the template (values as entered).
#[derive(Debug, Clone, Default)]
pub struct TemplateRecord {
    pub key: i64,
    /// The record's version when exported (written beside its key in the metadata sheet).
    pub version: i32,
    pub sector_code: Option<String>,
    pub full_name: Option<String>,
    pub date_of_birth: Option<String>,
    pub gender: Option<String>,
    pub personal_id: Option<String>,
    pub province: Option<String>,
    pub district: Option<String>,
    /// The entered commune when the residence is pre-2025 (or unresolved).
    pub commune: Option<String>,
    /// The entered commune when the residence is post-2025, else the unit it converts to.
    pub new_commune: Option<String>,
    pub position: Option<String>,
    /// Verification status, in Vietnamese.
    pub status: String,
    /// What is wrong, from the findings, in Vietnamese.
    pub problems: String,
}

/// One sheet: a class, or the staff of a unit.
#[derive(Debug, Clone, Default)]
pub struct TemplateSheet {
    pub name: String,
    pub class_id: Option<i64>,
    pub records: Vec<TemplateRecord>,
}

/// What to write.
#[derive(Debug, Clone)]
pub struct Template {
    pub kind: PersonKind,
    pub unit_id: i64,
    pub unit_name: String,
    /// "Lớp 6A", "Toàn trường", with the filter.
    pub scope: String,
    pub exported_at: DateTime<Utc>,
    /// The id under which the server keeps what this template carries (three-way import).
    pub export_id: Option<String>,
    pub sheets: Vec<TemplateSheet>,
    /// Names offered in drop-downs, per column (provinces; and for a unit in one province, its
    /// pre-2025 districts and communes and its post-2025 communes). Written to the metadata
    /// sheet; a value outside the list is allowed after a notice (old names, typing variants).
    pub lists: Vec<(Column, Vec<String>)>,
    /// Rows with validation and text formatting below the data, for new records.
    pub blank_rows: u32,
}

/// The imported columns of a template, in order.
pub fn columns(kind: PersonKind) -> Vec<Column> {
    let mut cols = vec![
        Column::RecordKey,
        Column::SectorCode,
        Column::FullName,
        Column::DateOfBirth,
        Column::Gender,
        Column::PersonalId,
        Column::ResidenceProvince,
        Column::ResidenceDistrict,
        Column::ResidenceCommune,
        Column::ResidenceNewCommune,
    ];
    if kind == PersonKind::Staff {
        cols.push(Column::Position);
    }
    cols
}

fn value(r: &TemplateRecord, col: Column) -> String {
    let v = match col {
        Column::RecordKey => return r.key.to_string(),
        Column::SectorCode => &r.sector_code,
        Column::FullName => &r.full_name,
        Column::DateOfBirth => &r.date_of_birth,
        Column::Gender => &r.gender,
        Column::PersonalId => &r.personal_id,
        Column::ResidenceProvince => &r.province,
        Column::ResidenceDistrict => &r.district,
        Column::ResidenceCommune => &r.commune,
        Column::ResidenceNewCommune => &r.new_commune,
        Column::Position => &r.position,
        Column::ResidenceText | Column::Class => return String::new(),
    };
    v.clone().unwrap_or_default()
}

fn width(col: Column) -> f64 {
    match col {
        Column::RecordKey => 10.0,
        Column::FullName => 26.0,
        Column::DateOfBirth | Column::Gender => 13.0,
        Column::PersonalId | Column::SectorCode => 18.0,
        _ => 20.0,
    }
}

fn hint(col: Column) -> Option<(&'static str, &'static str)> {
    match col {
        Column::RecordKey => Some(("Không sửa", "Mã hồ sơ do hệ thống cấp; để trống ở dòng thêm mới.")),
        Column::DateOfBirth => Some(("Ngày sinh", "Nhập ngày/tháng/năm, ví dụ 05/03/2014.")),
        Column::PersonalId => {
            Some(("Số định danh", "Đủ 12 chữ số như trên thẻ CCCD hoặc giấy khai sinh; giữ số 0 ở đầu."))
        }
        Column::Gender => Some(("Giới tính", "Chọn Nam hoặc Nữ.")),
        Column::ResidenceNewCommune => Some(("Sau 2025", "Chỉ được đọc khi cột Xã/Phường (trước 2025) để trống.")),
        _ => None,
    }
}

/// The workbook's bytes.
pub fn write(t: &Template) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_background_color(Color::RGB(0xDDEBF7))
        .set_border(FormatBorder::Thin);
    let key_format = Format::new()
        .set_background_color(Color::RGB(0xE7E6E6))
        .set_font_color(Color::RGB(0x595959))
        .set_num_format("@");
    let text = Format::new().set_num_format("@");
    let quoted = Format::new().set_num_format("@").set_quote_prefix();
    let info = Format::new().set_font_color(Color::RGB(0x7F7F7F)).set_text_wrap();
    let info_quoted = info.clone().set_quote_prefix();
    let cols = columns(t.kind);
    let extra = [STATUS_HEADER, PROBLEMS_HEADER, NOTE_HEADER];
    let mut taken = vec![INSTRUCTIONS_SHEET.to_owned(), META_SHEET.to_owned()];
    let mut names = Vec::new();
    let sheets: Vec<TemplateSheet> = if t.sheets.is_empty() {
        vec![TemplateSheet { name: "Danh sách".to_owned(), ..TemplateSheet::default() }]
    } else {
        t.sheets.clone()
    };
    // drop-down lists live in the metadata sheet, one column each from E on
    let list_ranges: Vec<(Column, String)> = t
        .lists
        .iter()
        .enumerate()
        .filter(|(_, (_, names))| !names.is_empty())
        .map(|(i, (col, names))| {
            let letter = crate::import::column_letter(4 + i);
            (*col, format!("='{META_SHEET}'!${letter}$1:${letter}${}", names.len()))
        })
        .collect();
    for s in &sheets {
        let name = sheet_name(&s.name, &mut taken);
        names.push((name.clone(), s.class_id));
        let ws = wb.add_worksheet();
        ws.set_name(&name)?;
        for (c, col) in cols.iter().enumerate() {
            let c = u16::try_from(c).unwrap_or(u16::MAX);
            ws.write_string_with_format(0, c, col.template_header(), &header)?;
            ws.set_column_width(c, width(*col))?;
            // text format on whole columns: what a clerk types stays text
            ws.set_column_format(c, if *col == Column::RecordKey { &key_format } else { &text })?;
        }
        let first_extra = u16::try_from(cols.len()).unwrap_or(u16::MAX);
        for (i, h) in extra.iter().enumerate() {
            let c = first_extra + u16::try_from(i).unwrap_or(0);
            ws.write_string_with_format(0, c, *h, &header)?;
            ws.set_column_width(c, if i == 1 { 45.0 } else { 20.0 })?;
        }
        ws.set_row_height(0, 32)?;
        ws.set_freeze_panes(1, 0)?;
        for (r, rec) in s.records.iter().enumerate() {
            let row = u32::try_from(r + 1).unwrap_or(u32::MAX);
            for (c, col) in cols.iter().enumerate() {
                let c = u16::try_from(c).unwrap_or(u16::MAX);
                let fmt = if *col == Column::RecordKey { &key_format } else { &text };
                write_text(ws, row, c, &value(rec, *col), fmt, &quoted)?;
            }
            write_text(ws, row, first_extra, &rec.status, &info, &info_quoted)?;
            write_text(ws, row, first_extra + 1, &rec.problems, &info, &info_quoted)?;
        }
        let last = u32::try_from(s.records.len()).unwrap_or(0) + t.blank_rows.max(1);
        for (c, col) in cols.iter().enumerate() {
            let c = u16::try_from(c).unwrap_or(u16::MAX);
            let mut dv = match col {
                Column::Gender => DataValidation::new()
                    .allow_list_strings(&["Nam", "Nữ"])?
                    .set_error_style(DataValidationErrorStyle::Warning),
                _ if list_ranges.iter().any(|(c, _)| c == col) => {
                    let range = list_ranges.iter().find(|(c, _)| c == col).map(|(_, r)| r.clone()).unwrap_or_default();
                    DataValidation::new()
                        .allow_list_formula(Formula::new(range))
                        .set_error_style(DataValidationErrorStyle::Information)
                }
                _ if hint(*col).is_some() => DataValidation::new().allow_any_value(),
                _ => continue,
            };
            if let Some((title, message)) = hint(*col) {
                dv = dv.set_input_title(title)?.set_input_message(message)?;
            }
            ws.add_data_validation(1, c, last, c, &dv)?;
        }
    }
    // instructions
    let ins = wb.add_worksheet();
    ins.set_name(INSTRUCTIONS_SHEET)?;
    ins.set_column_width(0, 110)?;
    let title = Format::new().set_bold().set_font_size(14);
    let wrap = Format::new().set_text_wrap();
    ins.write_string_with_format(0, 0, "Hướng dẫn nhập thông tin định danh", &title)?;
    let exported = t.exported_at.with_timezone(&VIETNAM).format("%d/%m/%Y %H:%M").to_string();
    let lines = [
        format!("Đơn vị: {} — {}. Xuất lúc {exported}.", t.unit_name, t.scope),
        "1. Mỗi trang là một lớp (hoặc danh sách cán bộ). Không đổi tên trang, không xoá cột “Mã hồ sơ”.".to_owned(),
        "2. Sửa trực tiếp vào ô cần sửa. Dòng học sinh mới: để trống “Mã hồ sơ”, nhập các cột còn lại.".to_owned(),
        "3. Ngày sinh nhập theo ngày/tháng/năm (05/03/2014). Số định danh cá nhân nhập đủ 12 chữ số, giữ số 0 ở đầu; các ô này đã định dạng Văn bản, đừng đổi sang Số.".to_owned(),
        "4. Giới tính chọn Nam hoặc Nữ. Nơi thường trú: tỉnh/thành phố, quận/huyện và xã/phường trước 01/7/2025; nếu chỉ biết xã/phường mới (sau 2025) thì để trống cột trước 2025 và nhập cột sau 2025.".to_owned(),
        "5. Các cột “Tình trạng xác thực”, “Cần sửa” chỉ để đọc; cột “Ghi chú” dành cho nhà trường, hệ thống không nhập.".to_owned(),
        "6. Có thể đổi thứ tự cột; hệ thống tìm cột theo tên tiêu đề. Tải tệp lên tại mục Nhập từ Excel: hệ thống cho xem trước từng thay đổi trước khi ghi.".to_owned(),
        "7. Không dán công thức; nội dung bắt đầu bằng dấu =, +, -, @ được giữ nguyên là chữ.".to_owned(),
        format!(
            "8. Ô để trống nghĩa là giữ nguyên giá trị đang có. Muốn xoá hẳn một thông tin, ghi {} vào ô đó.",
            crate::import::CLEAR_MARKER
        ),
        "9. Giá trị mới làm hồ sơ có thêm lỗi (ví dụ ngày 31/02, số định danh thiếu số) không được ghi trừ khi bạn chọn “Vẫn ghi” khi xem trước; hồ sơ đã xác thực chỉ được sửa khi bạn xác nhận, và sẽ phải gửi xác thực lại.".to_owned(),
    ];
    for (i, line) in lines.iter().enumerate() {
        ins.write_string_with_format(u32::try_from(i + 2).unwrap_or(0), 0, line, &wrap)?;
    }
    // hidden metadata
    let meta = wb.add_worksheet();
    meta.set_name(META_SHEET)?;
    let mut r = 0u32;
    let kv = |meta: &mut rust_xlsxwriter::Worksheet, k: &str, v: &str, r: &mut u32| -> Result<(), XlsxError> {
        meta.write_string(*r, 0, k)?;
        meta.write_string(*r, 1, v)?;
        *r += 1;
        Ok(())
    };
    kv(meta, "template", TEMPLATE_ID, &mut r)?;
    kv(meta, "version", TEMPLATE_VERSION, &mut r)?;
    kv(meta, "kind", t.kind.as_str(), &mut r)?;
    kv(meta, "unitId", &t.unit_id.to_string(), &mut r)?;
    kv(meta, "unitName", &t.unit_name, &mut r)?;
    kv(meta, "scope", &t.scope, &mut r)?;
    kv(meta, "exportedAt", &t.exported_at.to_rfc3339(), &mut r)?;
    if let Some(id) = &t.export_id {
        kv(meta, "exportId", id, &mut r)?;
    }
    for (name, class_id) in &names {
        meta.write_string(r, 0, "sheet")?;
        meta.write_string(r, 1, name)?;
        meta.write_string(r, 2, class_id.map(|c| c.to_string()).unwrap_or_default())?;
        r += 1;
    }
    for ((name, _), s) in names.iter().zip(&sheets) {
        for rec in &s.records {
            meta.write_string(r, 0, "key")?;
            meta.write_string(r, 1, name)?;
            meta.write_string(r, 2, rec.key.to_string())?;
            meta.write_string(r, 3, rec.version.to_string())?;
            r += 1;
        }
    }
    for (i, (_, names)) in t.lists.iter().filter(|(_, names)| !names.is_empty()).enumerate() {
        let col = u16::try_from(4 + i).unwrap_or(u16::MAX);
        for (r, name) in names.iter().enumerate() {
            meta.write_string(u32::try_from(r).unwrap_or(0), col, name)?;
        }
    }
    meta.set_hidden(true);
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hidden_sheet_carries_the_export_id_and_each_records_version() {
        let record = TemplateRecord {
            key: 41,
            version: 4,
            full_name: Some("Lê Tuệ Hân".into()),
            date_of_birth: Some("17/07/2015".into()),
            ..TemplateRecord::default()
        };
        let export_id = "3f2a9c1e-0000-4000-8000-000000000001".to_owned();
        let t = Template {
            kind: PersonKind::Student,
            unit_id: 5,
            unit_name: "Trường THCS Lê Lợi".into(),
            scope: "Lớp 6A".into(),
            exported_at: "2026-12-07T05:00:00Z".parse().expect("instant"),
            export_id: Some(export_id.clone()),
            sheets: vec![TemplateSheet { name: "6A".into(), class_id: Some(9), records: vec![record] }],
            lists: Vec::new(),
            blank_rows: 1,
        };
        let bytes = write(&t).expect("workbook");
        let mut file = crate::import::read::open("mau.xlsx", bytes, &crate::import::Limits::default()).expect("opened");
        let meta = file.meta().expect("read").expect("our template");
        assert_eq!(meta.version, TEMPLATE_VERSION, "the template's layout version stays its own key");
        assert_eq!(meta.export_id.as_deref(), Some(export_id.as_str()));
        assert_eq!(meta.versions.get(&41), Some(&4));
        assert_eq!(meta.sheet_classes, vec![("6A".to_owned(), 9)]);
    }
}
