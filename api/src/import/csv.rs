//! CSV files as Vietnamese offices save them: UTF-8 with or without a byte-order mark, UTF-16
//! ("Unicode Text"), or Windows-1258 (Excel's "CSV" on a Vietnamese Windows, whose tone marks
//! are combining characters: the text is put in NFC); comma, semicolon or tab separated; quoted
//! fields with doubled quotes and line breaks inside.

use unicode_normalization::UnicodeNormalization;

/// The encoding a CSV file was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvEncoding {
    Utf8,
    Utf8Bom,
    Utf16,
    Windows1258,
}

impl CsvEncoding {
    pub fn as_str(self) -> &'static str {
        match self {
            CsvEncoding::Utf8 => "utf-8",
            CsvEncoding::Utf8Bom => "utf-8-bom",
            CsvEncoding::Utf16 => "utf-16",
            CsvEncoding::Windows1258 => "windows-1258",
        }
    }
}

/// Decodes the bytes of a text file.
pub fn decode(bytes: &[u8]) -> (String, CsvEncoding) {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return (String::from_utf8_lossy(rest).into_owned(), CsvEncoding::Utf8Bom);
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        let (text, _, _) = encoding_rs::UTF_16LE.decode(bytes);
        return (text.into_owned(), CsvEncoding::Utf16);
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_owned(), CsvEncoding::Utf8),
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1258.decode(bytes);
            (text.nfc().collect(), CsvEncoding::Windows1258)
        }
    }
}

/// The separator: whichever of `,` `;` tab occurs most in the first line (outside quotes).
pub fn sniff_separator(text: &str) -> char {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' if !quoted => break,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let seps = [',', ';', '\t'];
    let mut best = 0;
    for i in 1..3 {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    seps[best]
}

/// How far a CSV file may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvLimits {
    pub rows: usize,
    /// Fields of a row: a non-empty field beyond is refused, empty ones are dropped.
    pub columns: usize,
    /// Fields of the whole file.
    pub cells: usize,
}

/// Which of [`CsvLimits`] a file went over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvTooLarge {
    Rows,
    Columns,
    Cells,
}

/// Parses CSV text into rows of fields (RFC 4180, lenient: a stray quote inside an unquoted
/// field is kept as a character). Stops as soon as a limit is passed, so a file of separators
/// costs no more than the limits allow.
pub fn parse(text: &str, sep: char, limits: CsvLimits) -> Result<Vec<Vec<String>>, CsvTooLarge> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut row: Vec<String> = Vec::new();
    let mut cells = 0usize;
    let mut push = |row: &mut Vec<String>, field: String| -> Result<(), CsvTooLarge> {
        if row.len() >= limits.columns {
            return if field.trim().is_empty() { Ok(()) } else { Err(CsvTooLarge::Columns) };
        }
        cells += 1;
        if cells > limits.cells {
            return Err(CsvTooLarge::Cells);
        }
        row.push(field);
        Ok(())
    };
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    let mut at_field_start = true;
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' if at_field_start => {
                quoted = true;
                at_field_start = false;
            }
            c if c == sep => {
                push(&mut row, std::mem::take(&mut field))?;
                at_field_start = true;
            }
            '\r' => {}
            '\n' => {
                push(&mut row, std::mem::take(&mut field))?;
                rows.push(std::mem::take(&mut row));
                at_field_start = true;
                if rows.len() > limits.rows {
                    return Err(CsvTooLarge::Rows);
                }
            }
            c => {
                field.push(c);
                at_field_start = false;
            }
        }
    }
    if !field.is_empty() || !row.is_empty() {
        push(&mut row, field)?;
        rows.push(row);
    }
    if rows.len() > limits.rows {
        return Err(CsvTooLarge::Rows);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_are_recognised() {
        let (t, e) = decode("Họ tên\n".as_bytes());
        assert_eq!((t.as_str(), e), ("Họ tên\n", CsvEncoding::Utf8));
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend("Họ tên".as_bytes());
        assert_eq!(decode(&bom), ("Họ tên".to_owned(), CsvEncoding::Utf8Bom));
        // "Nguyễn" in Windows-1258: N g u y ê (0xEA) + combining tilde (0xDE) n
        let cp1258 = b"Nguy\xEA\xDEn V\xE3n";
        let (t, e) = decode(cp1258);
        assert_eq!(e, CsvEncoding::Windows1258);
        assert_eq!(t, "Nguyễn Văn");
        let (encoded, _, _) = encoding_rs::UTF_16LE.encode("x");
        let _ = encoded; // encoding_rs encodes UTF-16 as UTF-8 by design; decoding is what matters
        let utf16: Vec<u8> = [0xFF, 0xFE, b'H', 0, b'i', 0].to_vec();
        assert_eq!(decode(&utf16), ("Hi".to_owned(), CsvEncoding::Utf16));
    }

    #[test]
    fn fields_quotes_and_separators() {
        let text = "a;b;c\r\n\"x;y\";\"say \"\"hi\"\"\";\"two\nlines\"\n1;;3";
        assert_eq!(sniff_separator(text), ';');
        let rows = parse(text, ';', limits(100)).expect("rows");
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1], vec!["x;y", "say \"hi\"", "two\nlines"]);
        assert_eq!(rows[2], vec!["1", "", "3"]);
        assert_eq!(sniff_separator("a,b,c\n"), ',');
        assert_eq!(sniff_separator("a\tb\n"), '\t');
    }

    #[test]
    fn too_many_rows_stop_early() {
        let text = "a\nb\nc\nd\n";
        assert_eq!(parse(text, ',', limits(2)), Err(CsvTooLarge::Rows));
        assert_eq!(parse(text, ',', limits(4)).map(|r| r.len()), Ok(4));
    }

    fn limits(rows: usize) -> CsvLimits {
        CsvLimits { rows, columns: 8, cells: 100 }
    }

    #[test]
    fn a_line_of_separators_stops_at_the_column_and_cell_limits() {
        let wide = format!("a{}", ",".repeat(1_000_000));
        assert_eq!(parse(&wide, ',', limits(10)).map(|r| r[0].len()), Ok(8), "empty fields beyond are dropped");
        let far = format!("a{}b", ",".repeat(20));
        assert_eq!(parse(&far, ',', limits(10)), Err(CsvTooLarge::Columns));
        let many = "a,b,c\n".repeat(40);
        assert_eq!(parse(&many, ',', limits(1000)), Err(CsvTooLarge::Cells));
    }
}
