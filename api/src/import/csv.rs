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

/// Parses CSV text into rows of fields (RFC 4180, lenient: a stray quote inside an unquoted
/// field is kept as a character). Stops with `Err(rows so far)` past `max_rows` rows.
pub fn parse(text: &str, sep: char, max_rows: usize) -> Result<Vec<Vec<String>>, usize> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
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
                row.push(std::mem::take(&mut field));
                at_field_start = true;
            }
            '\r' => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
                at_field_start = true;
                if rows.len() > max_rows {
                    return Err(rows.len());
                }
            }
            c => {
                field.push(c);
                at_field_start = false;
            }
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    if rows.len() > max_rows {
        return Err(rows.len());
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
        let rows = parse(text, ';', 100).expect("rows");
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1], vec!["x;y", "say \"hi\"", "two\nlines"]);
        assert_eq!(rows[2], vec!["1", "", "3"]);
        assert_eq!(sniff_separator("a,b,c\n"), ',');
        assert_eq!(sniff_separator("a\tb\n"), '\t');
    }

    #[test]
    fn too_many_rows_stop_early() {
        let text = "a\nb\nc\nd\n";
        assert!(parse(text, ',', 2).is_err());
        assert_eq!(parse(text, ',', 4).map(|r| r.len()), Ok(4));
    }
}
