//! Bytes → sheets of cells, within limits: `.xlsx` (and `.xlsm` refused), `.xls`, `.csv`. A
//! workbook's structure is checked by [`super::guard`] before calamine sees it (zip bombs,
//! over-long cells, declared counts, `.xls` extents); `.xlsx` cells are then streamed (never a
//! dense grid of the sheet's dimension), each cell's position checked against the row and
//! column limits before anything is allocated for it, and the cells and their text counted
//! against a budget. [`open`] reads only the structure, so [`OpenedFile::meta`] can be checked
//! against the caller before [`OpenedFile::read_rows`]. An encrypted workbook or one carrying
//! macros is refused; a truncated or malformed file is an error, never a panic.

use std::io::Cursor;

use calamine::{Data, Reader};

use super::guard;

use super::cells::Cell;
use super::csv::{self, CsvEncoding};

/// What a file may hold.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_bytes: usize,
    /// Rows per file (all sheets together).
    pub max_rows: usize,
    pub max_sheets: usize,
    /// Total declared uncompressed size of a workbook's parts.
    pub max_uncompressed_bytes: u64,
    /// Columns a sheet may use (a cell beyond is refused).
    pub max_columns: usize,
    /// Cells a file may hold, all sheets together, each row counting up to its last non-empty
    /// cell (and, for `.xls`, the dense grid calamine builds).
    pub max_cells: usize,
    /// Bytes of text the cells may hold together (shared strings count once per cell using them).
    pub max_text_bytes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_bytes: 20 * 1024 * 1024,
            max_rows: 200_000,
            max_sheets: 100,
            max_uncompressed_bytes: 512 * 1024 * 1024,
            max_columns: 256,
            max_cells: 6_000_000,
            max_text_bytes: 256 * 1024 * 1024,
        }
    }
}

/// The kind of file, by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Xlsx,
    Xls,
    Csv,
}

impl FileFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            FileFormat::Xlsx => "xlsx",
            FileFormat::Xls => "xls",
            FileFormat::Csv => "csv",
        }
    }
}

/// One sheet's cells; `rows[0]` is the sheet's first row (row 1 in Excel).
#[derive(Debug, Clone, Default)]
pub struct RawSheet {
    pub name: String,
    pub rows: Vec<Vec<Cell>>,
}

/// A file read into sheets.
#[derive(Debug, Clone)]
pub struct RawBook {
    pub format: FileFormat,
    pub encoding: Option<CsvEncoding>,
    pub sheets: Vec<RawSheet>,
}

/// Why a file cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// Over a configured limit (413).
    #[error("{message}")]
    TooLarge { what: &'static str, message: String },
    /// Not a spreadsheet we read, or refused on principle (415/422).
    #[error("{0}")]
    Unsupported(String),
    /// Truncated, malformed, password-protected (422).
    #[error("{0}")]
    Unreadable(String),
}

const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

fn lower_ext(filename: &str) -> String {
    filename.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default()
}

/// The format of a file from its first bytes (and its name for text files).
pub fn sniff(filename: &str, bytes: &[u8]) -> Result<FileFormat, ReadError> {
    let ext = lower_ext(filename);
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return Ok(FileFormat::Xlsx);
    }
    if bytes.starts_with(OLE_MAGIC) {
        return Ok(FileFormat::Xls);
    }
    match ext.as_str() {
        "csv" | "txt" | "tsv" => Ok(FileFormat::Csv),
        "xlsx" | "xlsm" | "xls" => Err(ReadError::Unreadable(format!(
            "Tệp “{filename}” không phải bảng tính Excel hợp lệ (có thể bị hỏng hoặc tải lên chưa hết)."
        ))),
        _ if bytes.contains(&0) => {
            Err(ReadError::Unsupported("Chỉ nhận tệp Excel (.xlsx, .xls) hoặc CSV (.csv).".to_owned()))
        }
        _ => Ok(FileFormat::Csv),
    }
}

fn too_large(what: &'static str, message: String) -> ReadError {
    ReadError::TooLarge { what, message }
}

/// A file whose structure was checked and whose workbook is open: its template metadata can be
/// read before its rows, so that the caller's rights are checked before anything proportional
/// to the rows is read.
pub struct OpenedFile {
    pub format: FileFormat,
    pub encoding: Option<CsvEncoding>,
    book: Opened,
    /// The metadata sheet once read (kept for [`OpenedFile::read_rows`]).
    meta_sheet: Option<RawSheet>,
    /// What the metadata sheet used of the limits (the rows read after it share them).
    budget: Budget,
}

enum Opened {
    /// Cells are streamed sheet by sheet when the rows are read.
    Xlsx(Box<calamine::Xlsx<Cursor<Vec<u8>>>>),
    /// calamine reads every sheet of an `.xls` at open (after [`guard::prescan_xls`]).
    Xls(Box<calamine::Xls<Cursor<Vec<u8>>>>),
    Csv(RawBook),
}

fn workbook_error(e: impl std::fmt::Display) -> ReadError {
    let text = e.to_string().to_ascii_lowercase();
    if text.contains("password") || text.contains("encrypt") {
        ReadError::Unsupported("Bảng tính được đặt mật khẩu; hãy gỡ mật khẩu rồi tải lên lại.".to_owned())
    } else {
        ReadError::Unreadable(
            "Không đọc được bảng tính (tệp bị hỏng hoặc không đúng định dạng); hãy mở bằng Excel, lưu lại rồi tải lên."
                .to_owned(),
        )
    }
}

/// Checks a file against the limits and opens it: the size, the format, and for workbooks the
/// structural pre-pass of [`guard`] before calamine sees a byte.
pub fn open(filename: &str, bytes: Vec<u8>, limits: &Limits) -> Result<OpenedFile, ReadError> {
    if bytes.len() > limits.max_bytes {
        return Err(too_large(
            "bytes",
            format!("Tệp lớn hơn giới hạn {} MB; hãy chia thành nhiều tệp.", limits.max_bytes / (1024 * 1024)),
        ));
    }
    if bytes.is_empty() {
        return Err(ReadError::Unreadable("Tệp rỗng.".to_owned()));
    }
    let format = sniff(filename, &bytes)?;
    let book = match format {
        FileFormat::Csv => Opened::Csv(read_csv(&bytes, limits)?),
        FileFormat::Xlsx => {
            guard::prescan_xlsx(&bytes, limits)?;
            let book = calamine::Xlsx::new(Cursor::new(bytes)).map_err(workbook_error)?;
            let names = book.sheet_names();
            if names.len() > limits.max_sheets {
                return Err(too_large(
                    "sheets",
                    format!("Bảng tính có {} trang, quá giới hạn {}.", names.len(), limits.max_sheets),
                ));
            }
            Opened::Xlsx(Box::new(book))
        }
        FileFormat::Xls => {
            if contains_utf16(&bytes, "EncryptionInfo") || contains_utf16(&bytes, "EncryptedPackage") {
                return Err(ReadError::Unsupported(
                    "Bảng tính được đặt mật khẩu; hãy gỡ mật khẩu rồi tải lên lại.".to_owned(),
                ));
            }
            if contains_utf16(&bytes, "_VBA_PROJECT") {
                return Err(ReadError::Unsupported(
                    "Bảng tính có macro (VBA) không được nhận; hãy lưu lại dạng .xlsx không có macro.".to_owned(),
                ));
            }
            guard::prescan_xls(&bytes, limits)?;
            let book = calamine::Xls::new(Cursor::new(bytes)).map_err(workbook_error)?;
            Opened::Xls(Box::new(book))
        }
    };
    let encoding = match &book {
        Opened::Csv(b) => b.encoding,
        _ => None,
    };
    Ok(OpenedFile { format, encoding, book, meta_sheet: None, budget: Budget::new(limits) })
}

/// Reads a whole file within the limits.
pub fn read(filename: &str, bytes: &[u8], limits: &Limits) -> Result<RawBook, ReadError> {
    open(filename, bytes.to_vec(), limits)?.read_rows()
}

impl OpenedFile {
    /// Our template's metadata sheet, when the file has one (read alone, before any other sheet).
    pub fn meta(&mut self) -> Result<Option<super::TemplateMeta>, ReadError> {
        if self.meta_sheet.is_none() {
            let budget = &mut self.budget;
            self.meta_sheet = match &mut self.book {
                Opened::Xlsx(book) => {
                    if book.sheet_names().iter().any(|n| n == super::META_SHEET) {
                        Some(stream_sheet(book, super::META_SHEET, budget)?)
                    } else {
                        None
                    }
                }
                Opened::Xls(book) => {
                    if book.sheet_names().iter().any(|n| n == super::META_SHEET) {
                        Some(dense_sheet(book, super::META_SHEET, budget)?)
                    } else {
                        None
                    }
                }
                Opened::Csv(_) => None,
            };
        }
        Ok(self.meta_sheet.as_ref().and_then(super::read_meta_sheet))
    }

    /// Every sheet's cells, in the workbook's order, within the limits: a cell beyond the row or
    /// column limit, or more cells or text than the budget, stops the reading at once.
    pub fn read_rows(self) -> Result<RawBook, ReadError> {
        let OpenedFile { format, encoding, book, mut meta_sheet, mut budget, .. } = self;
        let sheets = match book {
            Opened::Csv(book) => return Ok(book),
            Opened::Xlsx(mut book) => {
                let mut sheets = Vec::new();
                for name in book.sheet_names() {
                    let sheet = match meta_sheet.take_if(|s| s.name == name) {
                        Some(s) => s,
                        None => stream_sheet(&mut book, &name, &mut budget)?,
                    };
                    sheets.push(sheet);
                }
                sheets
            }
            Opened::Xls(mut book) => {
                let mut sheets = Vec::new();
                for name in book.sheet_names() {
                    let sheet = match meta_sheet.take_if(|s| s.name == name) {
                        Some(s) => s,
                        None => dense_sheet(&mut book, &name, &mut budget)?,
                    };
                    sheets.push(sheet);
                }
                sheets
            }
        };
        Ok(RawBook { format, encoding, sheets })
    }
}

fn contains_utf16(bytes: &[u8], name: &str) -> bool {
    let needle: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
    bytes.windows(needle.len()).any(|w| w == needle.as_slice())
}

/// What reading may still hold: rows (all sheets together), cells (each row counts up to its
/// last non-empty cell) and bytes of text.
struct Budget {
    limits: Limits,
    rows: usize,
    cells: usize,
    text: usize,
}

impl Budget {
    fn new(limits: &Limits) -> Budget {
        Budget { limits: *limits, rows: 0, cells: 0, text: 0 }
    }

    fn row_limit(&self) -> usize {
        self.limits.max_rows + super::headers::HEADER_SCAN_ROWS
    }

    fn too_many_rows(&self) -> ReadError {
        too_large("rows", format!("Tệp có hơn {} dòng, quá giới hạn; hãy chia thành nhiều tệp.", self.limits.max_rows))
    }

    /// Checks a cell's position before anything is allocated for it.
    fn position(&self, sheet_rows_before: usize, row: usize, col: usize) -> Result<(), ReadError> {
        if col >= self.limits.max_columns {
            return Err(too_large(
                "columns",
                format!(
                    "Bảng tính có dữ liệu ở quá {} cột; hãy xoá các cột thừa (hoặc ô lẻ ở xa bên phải) rồi tải lên lại.",
                    self.limits.max_columns
                ),
            ));
        }
        if row >= self.row_limit() || self.rows + row.max(sheet_rows_before) >= self.row_limit() {
            return Err(self.too_many_rows());
        }
        Ok(())
    }

    fn add(&mut self, cells: usize, text: usize) -> Result<(), ReadError> {
        self.cells += cells;
        self.text += text;
        if self.cells > self.limits.max_cells {
            return Err(too_large(
                "cells",
                format!(
                    "Bảng tính có hơn {} ô dữ liệu, quá giới hạn; hãy chia thành nhiều tệp.",
                    self.limits.max_cells
                ),
            ));
        }
        if self.text > self.limits.max_text_bytes {
            return Err(too_large(
                "cells",
                format!(
                    "Bảng tính có hơn {} MB chữ, quá giới hạn; hãy chia thành nhiều tệp.",
                    self.limits.max_text_bytes / (1024 * 1024)
                ),
            ));
        }
        Ok(())
    }
}

fn text_len(cell: &Cell) -> usize {
    match cell {
        Cell::Text(s) | Cell::Error(s) => s.len(),
        _ => 0,
    }
}

/// Places a cell in a sheet's rows, growing only as far as the cell (positions were checked).
fn place(rows: &mut Vec<Vec<Cell>>, row: usize, col: usize, cell: Cell, budget: &mut Budget) -> Result<(), ReadError> {
    if rows.len() <= row {
        rows.resize_with(row + 1, Vec::new);
    }
    let r = &mut rows[row];
    let grow = (col + 1).saturating_sub(r.len());
    budget.add(grow, text_len(&cell))?;
    if grow > 0 {
        r.resize(col + 1, Cell::Empty);
    }
    r[col] = cell;
    Ok(())
}

fn cell_of_ref(d: calamine::DataRef<'_>) -> Cell {
    use calamine::DataRef;
    match d {
        DataRef::Empty => Cell::Empty,
        DataRef::String(s) => Cell::Text(s),
        DataRef::SharedString(s) => Cell::Text(s.to_owned()),
        DataRef::Float(f) => Cell::Number(f),
        DataRef::Int(i) => Cell::Number(i as f64),
        DataRef::Bool(b) => Cell::Bool(b),
        DataRef::DateTime(dt) if dt.is_datetime() => Cell::Date(dt.as_f64()),
        DataRef::DateTime(dt) => Cell::Number(dt.as_f64()),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Cell::Text(s),
        DataRef::Error(e) => Cell::Error(format!("#{e:?}")),
    }
}

/// Reads one `.xlsx` sheet cell by cell (calamine's streaming reader): nothing is allocated for
/// the sheet's declared dimension or for empty cells, and each cell's position is checked
/// against the limits before it is placed.
fn stream_sheet(
    book: &mut calamine::Xlsx<Cursor<Vec<u8>>>,
    name: &str,
    budget: &mut Budget,
) -> Result<RawSheet, ReadError> {
    let mut reader = book.worksheet_cells_reader(name).map_err(workbook_error)?;
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    while let Some(cell) = reader.next_cell().map_err(workbook_error)? {
        let (row, col) = cell.get_position();
        let value = cell_of_ref(cell.get_value().clone());
        if value == Cell::Empty {
            continue;
        }
        let (row, col) = (row as usize, col as usize);
        budget.position(rows.len(), row, col)?;
        place(&mut rows, row, col, value, budget)?;
    }
    budget.rows += rows.len();
    Ok(RawSheet { name: name.to_owned(), rows })
}

/// Reads one `.xls` sheet from calamine's dense grid (bounded by the pre-scan).
fn dense_sheet(
    book: &mut calamine::Xls<Cursor<Vec<u8>>>,
    name: &str,
    budget: &mut Budget,
) -> Result<RawSheet, ReadError> {
    let range = book.worksheet_range(name).map_err(workbook_error)?;
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    for (row, col, data) in range.used_cells() {
        let (row, col) = (row + first_row as usize, col + first_col as usize);
        let value = cell_of(data);
        if value == Cell::Empty {
            continue;
        }
        budget.position(rows.len(), row, col)?;
        place(&mut rows, row, col, value, budget)?;
    }
    budget.rows += rows.len();
    Ok(RawSheet { name: name.to_owned(), rows })
}

fn cell_of(d: &Data) -> Cell {
    match d {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Float(f) => Cell::Number(*f),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) if dt.is_datetime() => Cell::Date(dt.as_f64()),
        Data::DateTime(dt) => Cell::Number(dt.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Error(format!("#{e:?}")),
    }
}

fn read_csv(bytes: &[u8], limits: &Limits) -> Result<RawBook, ReadError> {
    let (text, encoding) = csv::decode(bytes);
    let sep = csv::sniff_separator(&text);
    let csv_limits = csv::CsvLimits {
        rows: limits.max_rows + super::headers::HEADER_SCAN_ROWS,
        columns: limits.max_columns,
        cells: limits.max_cells,
    };
    let rows = csv::parse(&text, sep, csv_limits).map_err(|e| match e {
        csv::CsvTooLarge::Rows => {
            too_large("rows", format!("Tệp có hơn {} dòng, quá giới hạn; hãy chia thành nhiều tệp.", limits.max_rows))
        }
        csv::CsvTooLarge::Columns => too_large(
            "columns",
            format!("Tệp có dữ liệu ở quá {} cột; hãy xoá các cột thừa rồi tải lên lại.", limits.max_columns),
        ),
        csv::CsvTooLarge::Cells => too_large(
            "cells",
            format!("Tệp có hơn {} ô dữ liệu, quá giới hạn; hãy chia thành nhiều tệp.", limits.max_cells),
        ),
    })?;
    let rows = rows
        .into_iter()
        .map(|r| r.into_iter().map(|s| if s.is_empty() { Cell::Empty } else { Cell::Text(s) }).collect())
        .collect();
    Ok(RawBook {
        format: FileFormat::Csv,
        encoding: Some(encoding),
        sheets: vec![RawSheet { name: "CSV".to_owned(), rows }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_by_content() {
        assert_eq!(sniff("a.xlsx", b"PK\x03\x04rest"), Ok(FileFormat::Xlsx));
        assert_eq!(sniff("a.bin", OLE_MAGIC), Ok(FileFormat::Xls));
        assert_eq!(sniff("a.csv", b"Ho ten,Ngay sinh\n"), Ok(FileFormat::Csv));
        assert!(matches!(sniff("a.xlsx", b"garbage"), Err(ReadError::Unreadable(_))));
        assert!(matches!(sniff("a.pdf", b"%PDF\0"), Err(ReadError::Unsupported(_))));
    }

    #[test]
    fn truncated_and_oversized_files_are_errors_not_panics() {
        let limits = Limits { max_bytes: 10, ..Limits::default() };
        assert!(matches!(read("a.csv", b"01234567890", &limits), Err(ReadError::TooLarge { what: "bytes", .. })));
        let truncated = b"PK\x03\x04\x14\x00\x00\x00\x08\x00garbage-that-ends-here";
        assert!(matches!(read("a.xlsx", truncated, &Limits::default()), Err(ReadError::Unreadable(_))));
        assert!(read("a.xls", OLE_MAGIC, &Limits::default()).is_err());
    }

    #[test]
    fn csv_rows_beyond_the_limit_are_refused() {
        let limits = Limits { max_rows: 2, ..Limits::default() };
        let text: String = (0..100).map(|i| format!("{i}\n")).collect();
        assert!(matches!(read("a.csv", text.as_bytes(), &limits), Err(ReadError::TooLarge { what: "rows", .. })));
    }

    fn zip_with(name: &str, content: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default();
        zip.start_file(name, opts).expect("entry");
        zip.write_all(content).expect("write");
        zip.finish().expect("zip").into_inner()
    }

    #[test]
    fn encrypted_and_macro_ole_files_are_refused() {
        let mut encrypted = OLE_MAGIC.to_vec();
        encrypted.extend(vec![0u8; 64]);
        encrypted.extend("EncryptionInfo".encode_utf16().flat_map(u16::to_le_bytes));
        assert!(
            matches!(read("secret.xlsx", &encrypted, &Limits::default()), Err(ReadError::Unsupported(m)) if m.contains("mật khẩu"))
        );
        let mut vba = OLE_MAGIC.to_vec();
        vba.extend("_VBA_PROJECT".encode_utf16().flat_map(u16::to_le_bytes));
        assert!(
            matches!(read("old.xls", &vba, &Limits::default()), Err(ReadError::Unsupported(m)) if m.contains("macro"))
        );
    }

    #[test]
    fn zip_bombs_and_macros_are_refused_before_inflating() {
        let zeros = vec![0u8; 2 * 1024 * 1024];
        let bomb = zip_with("xl/worksheets/sheet1.xml", &zeros);
        assert!(bomb.len() < 64 * 1024, "compresses well: {}", bomb.len());
        let limits = Limits { max_uncompressed_bytes: 1024 * 1024, ..Limits::default() };
        assert!(matches!(read("bomb.xlsx", &bomb, &limits), Err(ReadError::TooLarge { what: "uncompressed", .. })));
        let vba = zip_with("xl/vbaProject.bin", b"macro");
        assert!(matches!(read("m.xlsm", &vba, &Limits::default()), Err(ReadError::Unsupported(_))));
    }
}
