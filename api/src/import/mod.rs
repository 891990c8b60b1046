//! Importing spreadsheets, pure: reading files into cells within limits ([`guard`], [`read`],
//! [`csv`], [`cells`]),
//! finding columns by header ([`headers`]), and planning what each row would change
//! ([`plan`]). Nothing here touches the database or the clock; `store::imports` feeds it the
//! records in scope and persists the plan.

pub mod cells;
pub mod csv;
pub mod guard;
pub mod headers;
pub mod plan;
pub mod read;
pub mod threeway;

pub use headers::Column;
pub use plan::{FieldChange, PlannedRow, RowAction, RowError, Totals};
pub use read::{FileFormat, Limits, RawBook, ReadError};

/// Name of the hidden sheet our template carries (template version, scope, export time, the
/// class of each sheet, record keys).
pub const META_SHEET: &str = "_dinhdanh";
/// Value of the `template` key in the metadata sheet.
pub const TEMPLATE_ID: &str = "dinhdanh-template";
/// Version of the template layout.
pub const TEMPLATE_VERSION: &str = "1";

/// What a cell holds to clear a field (an empty cell leaves the field as it is).
pub const CLEAR_MARKER: &str = "(xoá)";

/// Whether a cell's text is the clear marker: `(xoá)`, `(xóa)` or `(xoa)`, any case, spaces
/// around it ignored.
pub fn is_clear_marker(text: &str) -> bool {
    use unicode_normalization::UnicodeNormalization;
    let t: String = text.trim().nfc().collect::<String>().to_lowercase();
    matches!(t.as_str(), "(xoá)" | "(xóa)" | "(xoa)")
}

/// What the metadata sheet of our template says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateMeta {
    pub version: String,
    /// `student` or `staff`.
    pub kind: Option<String>,
    pub unit_id: Option<i64>,
    /// `(sheet name, class id)`.
    pub sheet_classes: Vec<(String, i64)>,
    /// The export this file is a copy of (three-way import), when the template says.
    pub export_id: Option<String>,
    /// Each record's version when exported, by record key (the `key` rows' fourth cell).
    pub versions: std::collections::BTreeMap<i64, i32>,
}

/// Reads the metadata sheet: two columns of key and value; `sheet` rows carry a sheet name and
/// a class id in the next two cells.
pub fn read_meta(book: &RawBook) -> Option<TemplateMeta> {
    read_meta_sheet(book.sheets.iter().find(|s| s.name == META_SHEET)?)
}

/// [`read_meta`] of the metadata sheet itself.
pub fn read_meta_sheet(sheet: &read::RawSheet) -> Option<TemplateMeta> {
    let text = |row: &Vec<cells::Cell>, i: usize| row.get(i).map(cells::Cell::display).unwrap_or_default();
    let mut meta = TemplateMeta::default();
    let mut ours = false;
    for row in &sheet.rows {
        match text(row, 0).as_str() {
            "template" => ours = text(row, 1) == TEMPLATE_ID,
            "version" => meta.version = text(row, 1),
            "kind" => meta.kind = Some(text(row, 1)),
            "unitId" => meta.unit_id = text(row, 1).trim().parse().ok(),
            "exportId" => meta.export_id = Some(text(row, 1).trim().to_owned()).filter(|id| is_export_id(id)),
            "key" => {
                if let (Ok(key), Ok(version)) = (text(row, 2).trim().parse(), text(row, 3).trim().parse()) {
                    meta.versions.insert(key, version);
                }
            }
            "sheet" => {
                if let Ok(class_id) = text(row, 2).trim().parse() {
                    meta.sheet_classes.push((text(row, 1), class_id));
                }
            }
            _ => {}
        }
    }
    ours.then_some(meta)
}

/// Whether a text is an export id as we write them (a UUID), not anything a file may hold.
fn is_export_id(text: &str) -> bool {
    uuid::Uuid::parse_str(text).is_ok_and(|u| u.hyphenated().to_string() == text)
}

/// Spreadsheet column letters of a 0-based index (0 → A, 26 → AA).
pub fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }
}
