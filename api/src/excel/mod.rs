//! Workbooks we write for the Excel round trip: the template a school fills in
//! ([`template`]) and the error workbook of an import ([`report`]). Text that Excel could take
//! for a formula is written as text with a quote prefix.

pub mod access_log;
pub mod accounts;
pub mod check;
pub mod people_list;
pub mod report;
pub mod template;
pub mod unit_template;

use rust_xlsxwriter::{Format, Worksheet, XlsxError};

/// True when Excel (or a spreadsheet a CSV is pasted into) would read the text as a formula.
pub fn looks_like_formula(text: &str) -> bool {
    matches!(text.chars().next(), Some('=' | '+' | '-' | '@' | '\t' | '\r'))
}

/// Most characters Excel keeps in one cell (and in one note).
pub const MAX_CELL_CHARS: usize = 32_767;

/// Text cut to what a cell holds: stored data longer than [`MAX_CELL_CHARS`] ends with `…`
/// instead of failing the whole export.
pub fn cell_text(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(MAX_CELL_CHARS) {
        None => std::borrow::Cow::Borrowed(text),
        Some(_) => {
            let cut = text.char_indices().nth(MAX_CELL_CHARS - 1).map(|(i, _)| i).unwrap_or(text.len());
            std::borrow::Cow::Owned(format!("{}…", &text[..cut]))
        }
    }
}

/// Writes a string cell; text that looks like a formula gets the quote prefix so Excel shows
/// it as text, also after the cell is edited.
pub fn write_text(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    text: &str,
    format: &Format,
    quoted: &Format,
) -> Result<(), XlsxError> {
    let text = cell_text(text);
    let text = text.as_ref();
    if text.is_empty() {
        sheet.write_blank(row, col, format)?;
    } else if looks_like_formula(text) {
        sheet.write_string_with_format(row, col, text, quoted)?;
    } else {
        sheet.write_string_with_format(row, col, text, format)?;
    }
    Ok(())
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`, unique in `taken`.
pub fn sheet_name(wanted: &str, taken: &mut Vec<String>) -> String {
    let clean: String =
        wanted.chars().map(|c| if "[]:*?/\\".contains(c) { '-' } else { c }).collect::<String>().trim().to_owned();
    let base: String = if clean.is_empty() { "Trang".to_owned() } else { clean.trim_matches('\'').to_owned() };
    let mut name: String = base.chars().take(31).collect();
    let mut n = 2;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&name)) {
        let suffix = format!(" ({n})");
        name = base.chars().take(31 - suffix.chars().count()).collect::<String>() + &suffix;
        n += 1;
    }
    taken.push(name.clone());
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_like_text() {
        for t in ["=1+1", "+84912", "-5", "@SUM(A1)", "\tx"] {
            assert!(looks_like_formula(t), "{t:?}");
        }
        for t in ["Nguyễn", "031203001234", "", " =x"] {
            assert!(!looks_like_formula(t), "{t:?}");
        }
    }

    #[test]
    fn cells_longer_than_excel_takes_are_cut() {
        assert_eq!(cell_text("Nguyễn Văn An"), "Nguyễn Văn An");
        let exact = "ă".repeat(MAX_CELL_CHARS);
        assert_eq!(cell_text(&exact).chars().count(), MAX_CELL_CHARS);
        let long = cell_text(&"ă".repeat(40_000)).into_owned();
        assert_eq!(long.chars().count(), MAX_CELL_CHARS);
        assert!(long.ends_with("ă…"));
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        let plain = Format::new();
        write_text(ws, 0, 0, &"x".repeat(100_000), &plain, &plain).expect("a long cell is written, cut");
        wb.save_to_buffer().expect("saved");
    }

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let mut taken = Vec::new();
        assert_eq!(sheet_name("6A", &mut taken), "6A");
        assert_eq!(sheet_name("6a", &mut taken), "6a (2)");
        assert_eq!(sheet_name("a/b:c", &mut taken), "a-b-c");
        assert_eq!(sheet_name(&"x".repeat(40), &mut taken).chars().count(), 31);
    }
}
