//! Reading cells as text the rules understand. ID numbers and dates are read as text: a numeric
//! ID cell gives its digits (the rules then restore the leading zeros Excel dropped and say
//! so), a number too large or fractional to be digits gives scientific notation (the rules call
//! it unrecoverable); a date-typed cell gives dd/mm/yyyy, a bare number in a date column its
//! serial (the rules convert it and say so).

use chrono::NaiveDate;

use crate::domain::date::{excel_serial_to_date, format_vi};

/// One cell as the file holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    /// A date-typed cell (its serial, 1900 system).
    Date(f64),
    Bool(bool),
    /// `#N/A`, `#REF!`…
    Error(String),
}

impl Cell {
    /// What a clerk sees in the cell (for the error workbook and messages).
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Number(n) => number_text(*n),
            Cell::Date(serial) => date_of_serial(*serial).map(format_vi).unwrap_or_else(|| number_text(*serial)),
            Cell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
            Cell::Error(e) => e.clone(),
        }
    }
}

impl Cell {
    /// [`Cell::display`], moving a text cell's string instead of copying it.
    pub fn into_display(self) -> String {
        match self {
            Cell::Text(s) => s,
            other => other.display(),
        }
    }
}

fn date_of_serial(serial: f64) -> Option<NaiveDate> {
    if !serial.is_finite() || serial < 1.0 {
        return None;
    }
    excel_serial_to_date(serial.floor() as i64)
}

/// A number as Excel's General format shows it: integers without a fraction, large or tiny
/// ones in scientific notation ("3.12E+11").
pub fn number_text(n: f64) -> String {
    if !n.is_finite() {
        return n.to_string();
    }
    if n.fract() == 0.0 && n.abs() < 1e15 {
        return format!("{}", n as i64);
    }
    if n.abs() >= 1e15 || (n != 0.0 && n.abs() < 1e-9) {
        let s = format!("{n:E}");
        return match s.split_once('E') {
            Some((m, e)) if !e.starts_with('-') => format!("{m}E+{e}"),
            _ => s,
        };
    }
    n.to_string()
}

/// Text of an ordinary cell: `None` when empty.
pub fn read_text(cell: &Cell) -> Option<String> {
    let s = cell.display();
    let t = s.trim();
    (!t.is_empty()).then_some(s)
}

/// An ID-number cell (personal ID or sector code) as text. A numeric cell gives its integer
/// digits when it holds a whole number below 10^15; otherwise the scientific form Excel shows,
/// which the rules refuse as unrecoverable.
pub fn read_id(cell: &Cell) -> Option<String> {
    match cell {
        Cell::Number(n) if n.fract() != 0.0 && n.abs() > 1e6 => {
            // a fractional ID is the trace of scientific notation typed back in
            let s = format!("{n:E}");
            Some(match s.split_once('E') {
                Some((m, e)) => format!("{m}E+{e}"),
                None => s,
            })
        }
        Cell::Date(serial) => Some(number_text(*serial)),
        other => read_text(other),
    }
}

/// A date-of-birth cell as text: a date-typed cell as dd/mm/yyyy; a bare number as its
/// integer serial, which the rules convert and flag; text as typed.
pub fn read_date(cell: &Cell) -> Option<String> {
    match cell {
        Cell::Date(serial) => Some(match date_of_serial(*serial) {
            Some(d) => format_vi(d),
            None => number_text(*serial),
        }),
        Cell::Number(n) if n.fract() != 0.0 && *n > 0.0 => Some(format!("{}", n.floor() as i64)),
        other => read_text(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_cells_read_as_text() {
        let cases: &[(Cell, Option<&str>)] = &[
            (Cell::Text("031203001234".into()), Some("031203001234")),
            (Cell::Text(" 031 203 001 234 ".into()), Some(" 031 203 001 234 ")),
            (Cell::Number(31203001234.0), Some("31203001234")),
            (Cell::Number(312030012345.0), Some("312030012345")),
            (Cell::Number(3.12e20), Some("3.12E+20")),
            (Cell::Number(31203001234.5), Some("3.12030012345E+10")),
            (Cell::Text("3.12E+11".into()), Some("3.12E+11")),
            (Cell::Empty, None),
            (Cell::Text("   ".into()), None),
        ];
        for (cell, want) in cases {
            assert_eq!(read_id(cell).as_deref(), *want, "{cell:?}");
        }
    }

    #[test]
    fn scientific_id_cells_are_refused_by_the_rules() {
        use crate::domain::personal_id::{IdText, clean_id_text};
        for cell in [Cell::Number(3.12e20), Cell::Number(31203001234.5), Cell::Text("3,12E+11".into())] {
            let text = read_id(&cell).expect("text");
            assert_eq!(clean_id_text(&text), IdText::Scientific, "{text}");
        }
    }

    #[test]
    fn date_cells_read_as_text() {
        let cases: &[(Cell, Option<&str>)] = &[
            (Cell::Date(40179.0), Some("01/01/2010")),
            (Cell::Date(40179.5), Some("01/01/2010")),
            (Cell::Number(40179.0), Some("40179")),
            (Cell::Number(40179.25), Some("40179")),
            (Cell::Text("5/3/2014".into()), Some("5/3/2014")),
            (Cell::Text("2014-03-05".into()), Some("2014-03-05")),
            (Cell::Empty, None),
        ];
        for (cell, want) in cases {
            assert_eq!(read_date(cell).as_deref(), *want, "{cell:?}");
        }
    }

    #[test]
    fn numbers_display_as_excel_general_does() {
        assert_eq!(number_text(12.0), "12");
        assert_eq!(number_text(1.5), "1.5");
        assert_eq!(number_text(3.12e15), "3.12E+15");
        assert_eq!(Cell::Bool(true).display(), "TRUE");
    }
}
