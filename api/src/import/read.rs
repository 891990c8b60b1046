//! Bytes → sheets of cells, within limits: `.xlsx` (and `.xlsm` refused), `.xls`, `.csv`. The
//! zip directory is checked before anything is inflated, so a zip bomb is refused by its
//! declared sizes; an encrypted workbook or one carrying macros is refused; a truncated or
//! malformed file is an error, never a panic.

use std::io::Cursor;

use calamine::{Data, Reader};

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
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_bytes: 20 * 1024 * 1024,
            max_rows: 200_000,
            max_sheets: 100,
            max_uncompressed_bytes: 512 * 1024 * 1024,
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

/// Reads a whole file within the limits.
pub fn read(filename: &str, bytes: &[u8], limits: &Limits) -> Result<RawBook, ReadError> {
    if bytes.len() > limits.max_bytes {
        return Err(too_large(
            "bytes",
            format!("Tệp lớn hơn giới hạn {} MB; hãy chia thành nhiều tệp.", limits.max_bytes / (1024 * 1024)),
        ));
    }
    if bytes.is_empty() {
        return Err(ReadError::Unreadable("Tệp rỗng.".to_owned()));
    }
    match sniff(filename, bytes)? {
        FileFormat::Csv => read_csv(bytes, limits),
        FileFormat::Xlsx => {
            check_zip(bytes, limits)?;
            read_workbook(FileFormat::Xlsx, bytes, limits)
        }
        FileFormat::Xls => {
            if contains_utf16(bytes, "EncryptionInfo") || contains_utf16(bytes, "EncryptedPackage") {
                return Err(ReadError::Unsupported(
                    "Bảng tính được đặt mật khẩu; hãy gỡ mật khẩu rồi tải lên lại.".to_owned(),
                ));
            }
            if contains_utf16(bytes, "_VBA_PROJECT") {
                return Err(ReadError::Unsupported(
                    "Bảng tính có macro (VBA) không được nhận; hãy lưu lại dạng .xlsx không có macro.".to_owned(),
                ));
            }
            read_workbook(FileFormat::Xls, bytes, limits)
        }
    }
}

fn contains_utf16(bytes: &[u8], name: &str) -> bool {
    let needle: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
    bytes.windows(needle.len()).any(|w| w == needle.as_slice())
}

fn check_zip(bytes: &[u8], limits: &Limits) -> Result<(), ReadError> {
    let unreadable = || {
        ReadError::Unreadable(
            "Tệp Excel bị hỏng hoặc tải lên chưa hết (không đọc được cấu trúc .xlsx); hãy mở bằng Excel, lưu lại rồi tải lên."
                .to_owned(),
        )
    };
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| unreadable())?;
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let file = zip.by_index_raw(i).map_err(|_| unreadable())?;
        let name = file.name().map(|n| n.to_ascii_lowercase()).unwrap_or_default();
        if file.encrypted() {
            return Err(ReadError::Unsupported(
                "Bảng tính được đặt mật khẩu; hãy gỡ mật khẩu rồi tải lên lại.".to_owned(),
            ));
        }
        if name.ends_with("vbaproject.bin") {
            return Err(ReadError::Unsupported(
                "Bảng tính có macro (VBA) không được nhận; hãy lưu lại dạng .xlsx không có macro.".to_owned(),
            ));
        }
        let size = file.size();
        // a part inflating more than 1000-fold to over 10 MB is a zip bomb, not a spreadsheet
        if size > 10 * 1024 * 1024 && size / file.compressed_size().max(1) > 1000 {
            return Err(too_large("uncompressed", "Tệp nén bất thường (giải nén ra quá lớn); không xử lý.".to_owned()));
        }
        total = total.saturating_add(size);
    }
    if total > limits.max_uncompressed_bytes {
        return Err(too_large(
            "uncompressed",
            format!(
                "Bảng tính giải nén ra hơn {} MB; hãy chia thành nhiều tệp.",
                limits.max_uncompressed_bytes / (1024 * 1024)
            ),
        ));
    }
    Ok(())
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

fn read_workbook(format: FileFormat, bytes: &[u8], limits: &Limits) -> Result<RawBook, ReadError> {
    let unreadable = |e: calamine::Error| {
        let text = e.to_string();
        if text.to_ascii_lowercase().contains("password") || text.to_ascii_lowercase().contains("encrypt") {
            ReadError::Unsupported("Bảng tính được đặt mật khẩu; hãy gỡ mật khẩu rồi tải lên lại.".to_owned())
        } else {
            ReadError::Unreadable(
                "Không đọc được bảng tính (tệp bị hỏng hoặc không đúng định dạng); hãy mở bằng Excel, lưu lại rồi tải lên."
                    .to_owned(),
            )
        }
    };
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(unreadable)?;
    let names = book.sheet_names();
    if names.len() > limits.max_sheets {
        return Err(too_large(
            "sheets",
            format!("Bảng tính có {} trang, quá giới hạn {}.", names.len(), limits.max_sheets),
        ));
    }
    let mut sheets = Vec::with_capacity(names.len());
    let mut rows_seen = 0usize;
    for name in names {
        let range = book.worksheet_range(&name).map_err(unreadable)?;
        rows_seen += range.height();
        if rows_seen > limits.max_rows + super::headers::HEADER_SCAN_ROWS {
            return Err(too_large(
                "rows",
                format!("Tệp có hơn {} dòng, quá giới hạn; hãy chia thành nhiều tệp.", limits.max_rows),
            ));
        }
        let (first_row, first_col) = range.start().unwrap_or((0, 0));
        let mut rows: Vec<Vec<Cell>> = vec![Vec::new(); first_row as usize];
        for r in range.rows() {
            let mut row = vec![Cell::Empty; first_col as usize];
            row.extend(r.iter().map(cell_of));
            while matches!(row.last(), Some(Cell::Empty)) {
                row.pop();
            }
            rows.push(row);
        }
        sheets.push(RawSheet { name, rows });
    }
    Ok(RawBook { format, encoding: None, sheets })
}

fn read_csv(bytes: &[u8], limits: &Limits) -> Result<RawBook, ReadError> {
    let (text, encoding) = csv::decode(bytes);
    let sep = csv::sniff_separator(&text);
    let rows = csv::parse(&text, sep, limits.max_rows + super::headers::HEADER_SCAN_ROWS).map_err(|_| {
        too_large("rows", format!("Tệp có hơn {} dòng, quá giới hạn; hãy chia thành nhiều tệp.", limits.max_rows))
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
