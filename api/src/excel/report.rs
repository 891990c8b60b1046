//! The error workbook of an import: a summary sheet, then each uploaded sheet's rows as they
//! were read (the original row number first), problem cells highlighted (red for what blocks
//! the row or verification, yellow for warnings, green for automatic repairs) with a comment
//! on each saying what is wrong in Vietnamese, and the row's outcome at the end. Fixed in
//! place, it can be uploaded again: the extra columns are ignored by the import.

use chrono::{DateTime, Utc};
use rust_xlsxwriter::{Color, Format, FormatBorder, Note, Workbook, XlsxError};

use super::{sheet_name, write_text};
use crate::domain::clock::VIETNAM;
use crate::domain::personal_id::{mask, mask_digit_runs};
use crate::import::plan::SheetLayout;
use crate::import::{PlannedRow, RowAction, Totals};
use crate::rules::{Field, Severity};

pub const SUMMARY_SHEET: &str = "Tổng hợp";
pub const ROW_HEADER: &str = "Dòng gốc";
pub const RESULT_HEADER: &str = "Kết quả nhập";
pub const DETAIL_HEADER: &str = "Chi tiết lỗi";

/// Comments written at most (beyond that, the detail column still says everything).
const MAX_NOTES: usize = 20_000;

/// What the report is about.
pub struct ReportInput<'a> {
    pub filename: &'a str,
    pub created_at: DateTime<Utc>,
    pub status: &'a str,
    pub totals: &'a Totals,
    pub sheets: &'a [SheetLayout],
    pub rows: &'a [PlannedRow],
    /// ID numbers masked (`0312******34`): the personal ID column, any run of nine or more
    /// digits in another cell, runs of six or more in the messages.
    pub mask_ids: bool,
}

fn letter_index(letters: &str) -> Option<usize> {
    let mut n = 0usize;
    for b in letters.bytes() {
        if !b.is_ascii_uppercase() {
            return None;
        }
        n = n * 26 + usize::from(b - b'A' + 1);
    }
    n.checked_sub(1)
}

/// The 0-based source column a finding about `field` points at.
fn column_of(row: &PlannedRow, field: Field) -> Option<usize> {
    let names: &[&str] = match field {
        Field::FullName => &["fullName"],
        Field::DateOfBirth => &["dateOfBirth"],
        Field::Gender => &["gender"],
        Field::PersonalId => &["personalId"],
        Field::Residence => {
            &["residenceCommune", "residenceNewCommune", "residenceText", "residenceProvince", "residenceDistrict"]
        }
    };
    names.iter().find_map(|n| row.columns.iter().find(|(f, _)| f == n).map(|(_, i)| *i))
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Fixed,
    Warning,
    Error,
}

/// The workbook's bytes.
pub fn write(input: &ReportInput<'_>) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_background_color(Color::RGB(0xDDEBF7))
        .set_border(FormatBorder::Thin);
    let plain = Format::new().set_num_format("@");
    let quoted = plain.clone().set_quote_prefix();
    let fill = |c: u32| Format::new().set_num_format("@").set_background_color(Color::RGB(c));
    let red = fill(0xFFC7CE);
    let yellow = fill(0xFFEB9C);
    let green = fill(0xC6EFCE);
    let wrap = Format::new().set_text_wrap();

    let summary = wb.add_worksheet();
    summary.set_name(SUMMARY_SHEET)?;
    summary.set_column_width(0, 40)?;
    summary.set_column_width(1, 18)?;
    summary.write_string_with_format(0, 0, "Kết quả kiểm tra tệp nhập", &Format::new().set_bold().set_font_size(14))?;
    let t = input.totals;
    let lines: [(&str, String); 11] = [
        ("Tệp", input.filename.to_owned()),
        ("Thời điểm tải lên", input.created_at.with_timezone(&VIETNAM).format("%d/%m/%Y %H:%M").to_string()),
        ("Trạng thái", input.status.to_owned()),
        ("Số dòng dữ liệu", t.rows.to_string()),
        ("Không đổi", t.unchanged.to_string()),
        ("Cập nhật", t.update.to_string()),
        ("Thêm mới", t.create.to_string()),
        ("Bị từ chối", t.rejected.to_string()),
        ("Số ô thay đổi", t.changed_fields.to_string()),
        ("Dòng còn lỗi phải sửa", t.rows_with_errors.to_string()),
        ("Dòng có cảnh báo", t.rows_with_warnings.to_string()),
    ];
    for (i, (k, v)) in lines.iter().enumerate() {
        let r = u32::try_from(i + 2).unwrap_or(0);
        summary.write_string_with_format(r, 0, *k, &bold)?;
        write_text(summary, r, 1, v, &plain, &quoted)?;
    }
    summary.write_string_with_format(
        15,
        0,
        "Ô tô đỏ: lỗi phải sửa; ô tô vàng: cần kiểm tra; ô tô xanh: hệ thống đã tự sửa. Rê chuột vào ô để xem ghi chú.",
        &wrap,
    )?;

    let mut taken = vec![SUMMARY_SHEET.to_owned()];
    let mut notes = 0usize;
    for layout in input.sheets {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(&layout.name, &mut taken))?;
        let width = layout.headers.len();
        ws.write_string_with_format(0, 0, ROW_HEADER, &header)?;
        for (i, h) in layout.headers.iter().enumerate() {
            write_text(ws, 0, u16::try_from(i + 1).unwrap_or(u16::MAX), h, &header, &header)?;
            ws.set_column_width(u16::try_from(i + 1).unwrap_or(u16::MAX), 16)?;
        }
        let result_col = u16::try_from(width + 1).unwrap_or(u16::MAX);
        ws.write_string_with_format(0, result_col, RESULT_HEADER, &header)?;
        ws.write_string_with_format(0, result_col + 1, DETAIL_HEADER, &header)?;
        ws.set_column_width(result_col, 14)?;
        ws.set_column_width(result_col + 1, 60)?;
        ws.set_freeze_panes(1, 1)?;
        for (r, row) in (1u32..).zip(input.rows.iter().filter(|p| p.sheet == layout.name)) {
            // messages per source column, with the worst level
            let mut per_col: std::collections::BTreeMap<Option<usize>, (Level, Vec<String>)> = Default::default();
            let mut push = |col: Option<usize>, level: Level, msg: String| {
                let e = per_col.entry(col).or_insert((level, Vec::new()));
                e.0 = e.0.max(level);
                e.1.push(msg);
            };
            let message = |m: &str| if input.mask_ids { mask_digit_runs(m, 6) } else { m.to_owned() };
            let id_col = row.columns.iter().find(|(f, _)| f == "personalId").map(|(_, i)| *i);
            for e in &row.errors {
                push(e.column.as_deref().and_then(letter_index), Level::Error, message(&e.message));
            }
            for f in &row.findings {
                let level = match f.severity {
                    Severity::Error => Level::Error,
                    Severity::Warning => Level::Warning,
                    Severity::Fixed => Level::Fixed,
                };
                push(column_of(row, f.field), level, message(&f.message));
            }
            ws.write_number(r, 0, f64::from(row.row))?;
            let cells = row.cells.len().max(width);
            for c in 0..cells {
                let text = row.cells.get(c).map(String::as_str).unwrap_or("");
                let masked;
                let text = if !input.mask_ids || text.is_empty() {
                    text
                } else {
                    masked = if id_col == Some(c) { mask(text) } else { mask_digit_runs(text, 9) };
                    masked.as_str()
                };
                let out_col = u16::try_from(c + 1).unwrap_or(u16::MAX);
                match per_col.get(&Some(c)) {
                    Some((level, msgs)) => {
                        let fmt = match level {
                            Level::Error => &red,
                            Level::Warning => &yellow,
                            Level::Fixed => &green,
                        };
                        let fmt_q = fmt.clone().set_quote_prefix();
                        write_text(ws, r, out_col, text, fmt, &fmt_q)?;
                        if notes < MAX_NOTES {
                            let note = Note::new(super::cell_text(&msgs.join("\n")))
                                .set_author("dinhdanh")
                                .set_width(360)
                                .set_height(120);
                            ws.insert_note(r, out_col, &note)?;
                            notes += 1;
                        }
                    }
                    None => write_text(ws, r, out_col, text, &plain, &quoted)?,
                }
            }
            let result_fmt = if row.action == RowAction::Rejected { &red } else { &plain };
            ws.write_string_with_format(r, result_col, row.action.label(), result_fmt)?;
            if let Some((_, msgs)) = per_col.get(&None)
                && notes < MAX_NOTES
            {
                let note =
                    Note::new(super::cell_text(&msgs.join("\n"))).set_author("dinhdanh").set_width(360).set_height(120);
                ws.insert_note(r, result_col, &note)?;
                notes += 1;
            }
            let mut detail: Vec<String> = per_col
                .values()
                .filter(|(level, _)| *level != Level::Fixed)
                .flat_map(|(_, m)| m.iter().cloned())
                .collect();
            detail.dedup();
            write_text(ws, r, result_col + 1, &detail.join(" | "), &plain, &quoted)?;
        }
    }
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_back_to_indexes() {
        assert_eq!(letter_index("A"), Some(0));
        assert_eq!(letter_index("Z"), Some(25));
        assert_eq!(letter_index("AA"), Some(26));
        assert_eq!(letter_index("a"), None);
    }
}
