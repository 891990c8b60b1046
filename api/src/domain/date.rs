//! Dates of birth as schools type and export them: dd/mm/yyyy and its variants (d/m/yy,
//! dd-mm-yyyy, dd.mm.yyyy, "05 / 03 / 2015", "ngày 5 tháng 3 năm 2015", "5-Mar-15"), ISO dates
//! and datetimes, Excel serial numbers (1900 date system), and partial dates ("1965",
//! "00/00/1965", "03/1965"). Day and month are never swapped: the other reading is reported so
//! that a rule can warn. This module only reads the calendar; whether a date is plausible for a
//! person (future, age, grade) is the rules' business.

use std::ops::RangeInclusive;

use chrono::{Datelike, Duration, NaiveDate, NaiveTime};

use super::text::{collapse_whitespace_cow, fold_ascii};

/// A date of birth, complete or partial (the national database holds year-only births for some
/// adults).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BirthDate {
    Full(NaiveDate),
    MonthYear { year: i32, month: u32 },
    Year(i32),
}

impl BirthDate {
    /// The year, whatever the precision.
    pub fn year(&self) -> i32 {
        match *self {
            BirthDate::Full(d) => d.year(),
            BirthDate::MonthYear { year, .. } | BirthDate::Year(year) => year,
        }
    }

    /// The complete date, if it is one.
    pub fn full(&self) -> Option<NaiveDate> {
        match *self {
            BirthDate::Full(d) => Some(d),
            _ => None,
        }
    }

    /// ISO 8601 with the precision there is: "2015-03-05", "1965-03", "1965".
    pub fn iso(&self) -> String {
        match *self {
            BirthDate::Full(d) => d.format("%Y-%m-%d").to_string(),
            BirthDate::MonthYear { year, month } => format!("{year:04}-{month:02}"),
            BirthDate::Year(year) => format!("{year:04}"),
        }
    }

    /// Vietnamese display: "05/03/2015", "03/1965", "1965".
    pub fn display_vi(&self) -> String {
        match *self {
            BirthDate::Full(d) => format_vi(d),
            BirthDate::MonthYear { year, month } => format!("{month:02}/{year:04}"),
            BirthDate::Year(year) => format!("{year:04}"),
        }
    }
}

/// dd/mm/yyyy.
pub fn format_vi(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// A date read from text, with what a rule needs to know about how it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedDate {
    /// The date as read (day first).
    pub value: BirthDate,
    /// The Excel serial number the date came from (integer part).
    pub excel_serial: Option<i64>,
    /// A two-digit year as typed and the year it was read as (see [`expand_two_digit_year`]).
    pub two_digit_year: Option<(u32, i32)>,
    /// The text carried an AM/PM time ("3/5/2015 12:00:00 AM"), as a US-locale Excel writes
    /// month-first dates.
    pub month_first_marker: bool,
    /// For a numeric day/month/year date whose day and month are both 1–12 and differ: the
    /// date the month-first reading gives. Only a rule with evidence may act on it.
    pub swapped: Option<NaiveDate>,
}

/// Why a date could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateError {
    /// No date format fits the text.
    Unparseable,
    /// The text is a date that does not exist: day or month out of range, 29/02 in a common
    /// year, 00 as month with a day, Excel's fictitious 29/02/1900.
    Impossible {
        day: u32,
        month: u32,
        year: i32,
        /// The month-first reading, when that one exists ("03/25/2015" → 25 March 2015).
        swapped: Option<NaiveDate>,
    },
}

/// Integer parts that count as Excel serial numbers: five digits, 18 May 1927 to 13 October
/// 2173. Four-digit numbers are years; six- and seven-digit numbers are no plausible birth date.
pub const EXCEL_SERIAL_RANGE: RangeInclusive<i64> = 10_000..=99_999;

/// Years a bare four-digit number is read as (then checked for plausibility by the rules).
const YEAR_RANGE: RangeInclusive<i64> = 1000..=2999;

/// The date of an Excel serial number in the 1900 date system: 1 = 1900-01-01; 60 is Excel's
/// fictitious 1900-02-29 (Lotus 1-2-3's leap-year bug) and gives `None`; from 61 on, serials are
/// one ahead of a plain day count. The 1904 system (old Mac workbooks) is not handled.
pub fn excel_serial_to_date(serial: i64) -> Option<NaiveDate> {
    let base = NaiveDate::from_ymd_opt(1899, 12, 31)?;
    match serial {
        1..=59 => base.checked_add_signed(Duration::days(serial)),
        61..=2_958_465 => base.checked_add_signed(Duration::days(serial - 1)),
        _ => None,
    }
}

/// The Excel serial number of a date (1900 system), the inverse of [`excel_serial_to_date`].
pub fn date_to_excel_serial(date: NaiveDate) -> Option<i64> {
    let base = NaiveDate::from_ymd_opt(1899, 12, 31)?;
    let days = (date - base).num_days();
    match days {
        1..=59 => Some(days),
        60.. => Some(days + 1),
        _ => None,
    }
}

/// A two-digit year read as a birth year: the latest year ending in those digits that is not
/// after `today` (with today in 2025: "15" → 2015, "25" → 2025, "26" → 1926, "65" → 1965).
pub fn expand_two_digit_year(yy: u32, today: NaiveDate) -> i32 {
    let this_year = today.year();
    let century = this_year - this_year.rem_euclid(100);
    let candidate = century + yy as i32;
    if candidate <= this_year { candidate } else { candidate - 100 }
}

/// True when a text can only be a month-first date ("03/25/2015": month 25 does not exist, the
/// swapped reading does) or carries an AM/PM time. An importer that sees such a date in a column
/// can tell the rules ([`crate::rules::RuleContext::month_first_dates`]) that the column's other
/// day/month dates are doubtful.
pub fn looks_month_first(text: &str, today: NaiveDate) -> bool {
    match parse_birth_date(text, today) {
        Ok(p) => p.month_first_marker,
        Err(DateError::Impossible { swapped, .. }) => swapped.is_some(),
        Err(DateError::Unparseable) => false,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token<'a> {
    Num { value: i64, len: usize },
    Word(&'a str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Day,
    Month,
    Year,
}

const MONTHS_EN: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

fn month_word(word: &str) -> Option<u32> {
    if word.len() < 3 {
        return None;
    }
    let full = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    MONTHS_EN
        .iter()
        .zip(full)
        .position(|(abbr, full)| word == *abbr || word == full || (word == "sept" && *abbr == "sep"))
        .map(|i| i as u32 + 1)
}

/// Reads a date of birth. `today` only decides the century of a two-digit year. Blank text is
/// [`DateError::Unparseable`]; callers check for blank first.
pub fn parse_birth_date(text: &str, today: NaiveDate) -> Result<ParsedDate, DateError> {
    let collapsed = collapse_whitespace_cow(text);
    let s = collapsed.trim();
    if s.is_empty() {
        return Err(DateError::Unparseable);
    }
    let mut parsed = ParsedDate {
        value: BirthDate::Year(0),
        excel_serial: None,
        two_digit_year: None,
        month_first_marker: false,
        swapped: None,
    };
    if let Some(number) = plain_number(s) {
        return parse_number(number, parsed);
    }
    if let Some(date) = iso_datetime(s) {
        parsed.value = BirthDate::Full(date);
        return Ok(parsed);
    }
    if let Some((nums, n)) = numbers_only(s) {
        return by_position(&nums[..n], parsed, today);
    }
    // drop a time ("00:00:00", "12:00:00 AM", "0:00 SA") and remember AM/PM
    let folded = fold_ascii(s);
    let mut kept = String::with_capacity(folded.len());
    let mut after_time = false;
    for word in folded.split(' ') {
        if word.contains(':') {
            after_time = true;
            continue;
        }
        if after_time {
            match word.trim_matches('.') {
                "am" | "pm" | "a.m" | "p.m" => {
                    parsed.month_first_marker = true;
                    continue;
                }
                "sa" | "ch" => continue,
                _ => {}
            }
        }
        after_time = false;
        if !kept.is_empty() {
            kept.push(' ');
        }
        kept.push_str(word);
    }
    let tokens = tokenize(&kept).ok_or(DateError::Unparseable)?;
    let words: Vec<&str> = tokens
        .iter()
        .filter_map(|t| match t {
            Token::Word(w) => Some(*w),
            Token::Num { .. } => None,
        })
        .collect();
    let nums: Vec<(i64, usize)> = tokens
        .iter()
        .filter_map(|t| match *t {
            Token::Num { value, len } => Some((value, len)),
            Token::Word(_) => None,
        })
        .collect();
    if words.iter().any(|w| matches!(*w, "ngay" | "thang" | "nam")) {
        return by_keywords(&tokens, parsed, today);
    }
    if let [word] = words.as_slice() {
        let month = month_word(word).ok_or(DateError::Unparseable)?;
        let (day, year) = match nums.as_slice() {
            [(y, 4), (d, 1 | 2)] => (*d, (*y, 4)),
            [(d, 1 | 2), y] => (*d, *y),
            _ => return Err(DateError::Unparseable),
        };
        let year = year_of(year, today, &mut parsed)?;
        return finish(day, i64::from(month), year, false, parsed);
    }
    if !words.is_empty() {
        return Err(DateError::Unparseable);
    }
    by_position(&nums, parsed, today)
}

/// Numbers read by their place and length: yyyymmdd/ddmmyyyy, yyyy, yyyy-mm, mm/yyyy,
/// yyyy-mm-dd, dd/mm/yyyy, dd/mm/yy.
fn by_position(nums: &[(i64, usize)], mut parsed: ParsedDate, today: NaiveDate) -> Result<ParsedDate, DateError> {
    match nums {
        [(value, 8)] => compact(*value, parsed),
        [(value, 4)] => parse_number(Number::Integer(*value, 4), parsed),
        [(y, 4), (m, 1 | 2)] => finish(0, *m, *y as i32, false, parsed),
        [(m, 1 | 2), (y, 4)] => finish(0, *m, *y as i32, false, parsed),
        [(y, 4), (m, 1 | 2), (d, 1 | 2)] => finish(*d, *m, *y as i32, false, parsed),
        [(d, 1 | 2), (m, 1 | 2), y] => {
            let year = year_of(*y, today, &mut parsed)?;
            finish(*d, *m, year, true, parsed)
        }
        _ => Err(DateError::Unparseable),
    }
}

/// The numbers of an ASCII text made only of digits and separators (/ - . , space), without
/// allocating; `None` for anything else or more than four numbers.
fn numbers_only(s: &str) -> Option<([(i64, usize); 4], usize)> {
    let mut nums = [(0i64, 0usize); 4];
    let mut n = 0;
    let mut in_number = false;
    for b in s.bytes() {
        if b.is_ascii_digit() {
            if !in_number {
                if n == nums.len() {
                    return None;
                }
                n += 1;
                in_number = true;
            }
            let (value, len) = &mut nums[n - 1];
            if *len >= 8 {
                return None;
            }
            *value = *value * 10 + i64::from(b - b'0');
            *len += 1;
        } else if matches!(b, b'/' | b'-' | b'.' | b',' | b' ' | b'\\') {
            in_number = false;
        } else {
            return None;
        }
    }
    Some((nums, n))
}

/// A year token: four digits as is, two digits expanded (and noted).
fn year_of((value, len): (i64, usize), today: NaiveDate, parsed: &mut ParsedDate) -> Result<i32, DateError> {
    match len {
        4 => Ok(value as i32),
        2 => {
            let year = expand_two_digit_year(value as u32, today);
            parsed.two_digit_year = Some((value as u32, year));
            Ok(year)
        }
        _ => Err(DateError::Unparseable),
    }
}

/// "ngày 5 tháng 3 năm 2015", "5 tháng 3 năm 2015", "tháng 3/2015", "năm 1965": a keyword names
/// the number after it; a number without one takes the next free slot (day, month, year).
fn by_keywords(tokens: &[Token<'_>], mut parsed: ParsedDate, today: NaiveDate) -> Result<ParsedDate, DateError> {
    let mut day = None;
    let mut month = None;
    let mut year = None;
    let mut pending: Option<Slot> = None;
    for token in tokens {
        match *token {
            Token::Word("ngay") => pending = Some(Slot::Day),
            Token::Word("thang") => pending = Some(Slot::Month),
            Token::Word("nam") => pending = Some(Slot::Year),
            Token::Word("sinh") => {}
            Token::Word(_) => return Err(DateError::Unparseable),
            Token::Num { value, len } => {
                let slot = pending.take().or_else(|| {
                    [Slot::Day, Slot::Month, Slot::Year].into_iter().find(|s| match s {
                        Slot::Day => day.is_none() && month.is_none() && year.is_none(),
                        Slot::Month => month.is_none() && year.is_none(),
                        Slot::Year => year.is_none(),
                    })
                });
                let target = match slot {
                    Some(Slot::Day) => &mut day,
                    Some(Slot::Month) => &mut month,
                    Some(Slot::Year) => &mut year,
                    None => return Err(DateError::Unparseable),
                };
                if target.is_some() {
                    return Err(DateError::Unparseable);
                }
                *target = Some((value, len));
            }
        }
    }
    let year = year.ok_or(DateError::Unparseable)?;
    let year = year_of(year, today, &mut parsed)?;
    let month = month.map_or(0, |(m, _)| m);
    let day = day.map_or(0, |(d, _)| d);
    if month == 0 && day != 0 {
        return Err(DateError::Unparseable);
    }
    finish(day, month, year, false, parsed)
}

/// Checks the calendar and builds the result. Day 0 (and month 0) mean "unknown" as in
/// "00/00/1965".
fn finish(
    day: i64,
    month: i64,
    year: i32,
    ambiguous_order: bool,
    mut parsed: ParsedDate,
) -> Result<ParsedDate, DateError> {
    let (Ok(d), Ok(m)) = (u32::try_from(day), u32::try_from(month)) else {
        return Err(DateError::Unparseable);
    };
    let impossible = |swapped| DateError::Impossible { day: d, month: m, year, swapped };
    parsed.value = match (d, m) {
        (0, 0) => BirthDate::Year(year),
        (0, 1..=12) => BirthDate::MonthYear { year, month: m },
        (0, _) | (_, 0) => return Err(impossible(None)),
        _ => {
            let swapped = if ambiguous_order && d != m { NaiveDate::from_ymd_opt(year, d, m) } else { None };
            match NaiveDate::from_ymd_opt(year, m, d) {
                Some(date) => {
                    parsed.swapped = swapped;
                    BirthDate::Full(date)
                }
                None => return Err(impossible(swapped)),
            }
        }
    };
    Ok(parsed)
}

/// yyyymmdd, else ddmmyyyy.
fn compact(value: i64, parsed: ParsedDate) -> Result<ParsedDate, DateError> {
    let (a, b, c) = (value / 10_000, (value / 100) % 100, value % 100);
    if (1900..=2100).contains(&a) && (1..=12).contains(&b) && (1..=31).contains(&c) {
        return finish(c, b, a as i32, false, parsed);
    }
    let (d, m, y) = (value / 1_000_000, (value / 10_000) % 100, value % 10_000);
    if (1900..=2100).contains(&y) {
        return finish(d, m, y as i32, false, parsed);
    }
    Err(DateError::Unparseable)
}

/// A text that is one number, as a spreadsheet cell gives it.
#[derive(Debug, Clone, Copy)]
enum Number {
    /// Integer value and digit count.
    Integer(i64, usize),
    /// A number with a non-zero fraction ("40179.5"): integer part and its digit count.
    Fraction(i64, usize),
}

fn plain_number(s: &str) -> Option<Number> {
    let (int, frac) = match s.find(['.', ',']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    if int.is_empty() || int.len() > 18 || !int.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value: i64 = int.parse().ok()?;
    match frac {
        None => Some(Number::Integer(value, int.len())),
        Some(f) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => {
            if f.bytes().all(|b| b == b'0') {
                Some(Number::Integer(value, int.len()))
            } else if int.len() == 5 {
                Some(Number::Fraction(value, int.len()))
            } else {
                None
            }
        }
        Some(_) => None,
    }
}

fn parse_number(number: Number, mut parsed: ParsedDate) -> Result<ParsedDate, DateError> {
    let (value, len) = match number {
        Number::Integer(v, l) | Number::Fraction(v, l) => (v, l),
    };
    if len == 4 && YEAR_RANGE.contains(&value) {
        parsed.value = BirthDate::Year(value as i32);
        return Ok(parsed);
    }
    if len == 8 && matches!(number, Number::Integer(..)) {
        return compact(value, parsed);
    }
    if len == 5 && EXCEL_SERIAL_RANGE.contains(&value) {
        let date = excel_serial_to_date(value).ok_or(DateError::Unparseable)?;
        parsed.value = BirthDate::Full(date);
        parsed.excel_serial = Some(value);
        return Ok(parsed);
    }
    Err(DateError::Unparseable)
}

/// "2015-03-05T00:00:00", "2015-03-05 00:00:00.000", "2015-03-04T17:00:00Z": the date part; a
/// datetime with an offset is an instant and gives its calendar date in Vietnam (UTC+7), so a
/// midnight that a browser serialised as the previous day 17:00Z comes back as the right day.
fn iso_datetime(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() < 11 || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let date = iso_date(&s[..10])?;
    let rest = &s[11..];
    let (time, offset_minutes) = if let Some(t) = rest.strip_suffix(['Z', 'z']) {
        (t, Some(0))
    } else if let Some(i) = rest.rfind(['+', '-']) {
        let (t, off) = rest.split_at(i);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let digits: String = off[1..].chars().filter(char::is_ascii_digit).collect();
        if digits.len() != 4 {
            return None;
        }
        let hours: i64 = digits[..2].parse().ok()?;
        let minutes: i64 = digits[2..].parse().ok()?;
        (t, Some(sign * (hours * 60 + minutes)))
    } else {
        (rest, None)
    };
    let time = time.split('.').next()?;
    let time =
        NaiveTime::parse_from_str(time, "%H:%M:%S").or_else(|_| NaiveTime::parse_from_str(time, "%H:%M")).ok()?;
    match offset_minutes {
        None => Some(date),
        Some(offset) => {
            let vietnam = date.and_time(time) - Duration::minutes(offset) + Duration::hours(7);
            Some(vietnam.date())
        }
    }
}

fn iso_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Numbers and words; separators are / - . , space and backslash. `None` on anything else.
fn tokenize(s: &str) -> Option<Vec<Token<'_>>> {
    let mut tokens = Vec::with_capacity(6);
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            let len = i - start;
            if len > 8 {
                return None;
            }
            tokens.push(Token::Num { value: s[start..i].parse().ok()?, len });
        } else if b.is_ascii_alphabetic() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                i += 1;
            }
            tokens.push(Token::Word(&s[start..i]));
        } else if matches!(b, b'/' | b'-' | b'.' | b',' | b' ' | b'\\') {
            i += 1;
        } else {
            return None;
        }
    }
    Some(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 10, 15).expect("date")
    }

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    fn read(s: &str) -> BirthDate {
        parse_birth_date(s, today()).unwrap_or_else(|e| panic!("{s}: {e:?}")).value
    }

    #[test]
    fn reads_common_formats() {
        let full = BirthDate::Full(ymd(2015, 3, 5));
        for s in [
            "05/03/2015",
            "5/3/2015",
            "05-03-2015",
            "05.03.2015",
            "05 / 03 / 2015",
            "2015-03-05",
            "2015/03/05",
            "2015-03-05T00:00:00",
            "2015-03-05 00:00:00",
            "2015-03-05T00:00:00.000",
            "2015-03-04T17:00:00Z",
            "2015-03-04T17:00:00.000+00:00",
            "05/03/2015 00:00:00",
            "05/03/2015 0:00 SA",
            "ngày 5 tháng 3 năm 2015",
            "Ngày 05 tháng 03 năm 2015",
            "NGÀY 05 THÁNG 03 NĂM 2015",
            "5 tháng 3 năm 2015",
            "sinh ngày 05/03/2015",
            "5/3/15",
            "05-Mar-15",
            "5 March 2015",
            "Mar 5, 2015",
            "05032015",
            "20150305",
            "\u{00A0}05/03/2015 ",
        ] {
            assert_eq!(read(s), full, "{s}");
        }
    }

    #[test]
    fn reads_partial_dates() {
        for s in ["1965", "00/00/1965", "0/0/1965", "năm 1965", "1965.0"] {
            assert_eq!(read(s), BirthDate::Year(1965), "{s}");
        }
        for s in ["03/1965", "00/03/1965", "1965-03", "tháng 3 năm 1965"] {
            assert_eq!(read(s), BirthDate::MonthYear { year: 1965, month: 3 }, "{s}");
        }
        assert_eq!(BirthDate::Year(1965).iso(), "1965");
        assert_eq!(BirthDate::MonthYear { year: 1965, month: 3 }.iso(), "1965-03");
    }

    #[test]
    fn reads_excel_serials() {
        let p = parse_birth_date("40179", today()).expect("serial");
        assert_eq!(p.value, BirthDate::Full(ymd(2010, 1, 1)));
        assert_eq!(p.excel_serial, Some(40179));
        assert_eq!(read("40179.0"), BirthDate::Full(ymd(2010, 1, 1)));
        assert_eq!(read("40179.5"), BirthDate::Full(ymd(2010, 1, 1)));
        assert_eq!(read("40179,75"), BirthDate::Full(ymd(2010, 1, 1)));
        // the 1900 leap-year bug
        assert_eq!(excel_serial_to_date(1), Some(ymd(1900, 1, 1)));
        assert_eq!(excel_serial_to_date(59), Some(ymd(1900, 2, 28)));
        assert_eq!(excel_serial_to_date(60), None);
        assert_eq!(excel_serial_to_date(61), Some(ymd(1900, 3, 1)));
        assert_eq!(excel_serial_to_date(25569), Some(ymd(1970, 1, 1)));
        assert_eq!(excel_serial_to_date(45658), Some(ymd(2025, 1, 1)));
        for serial in [1, 59, 61, 10_000, 40_179, 99_999] {
            let date = excel_serial_to_date(serial).expect("date");
            assert_eq!(date_to_excel_serial(date), Some(serial));
        }
        // outside the range: not a serial
        for s in ["9999", "123456", "1234567", "123"] {
            assert!(parse_birth_date(s, today()).is_err(), "{s}");
        }
    }

    #[test]
    fn two_digit_years_pivot_on_today() {
        let p = parse_birth_date("5/3/15", today()).expect("date");
        assert_eq!(p.two_digit_year, Some((15, 2015)));
        assert_eq!(read("5/3/65"), BirthDate::Full(ymd(1965, 3, 5)));
        assert_eq!(read("5/3/25"), BirthDate::Full(ymd(2025, 3, 5)));
        assert_eq!(read("5/3/26"), BirthDate::Full(ymd(1926, 3, 5)));
        assert_eq!(expand_two_digit_year(0, today()), 2000);
    }

    #[test]
    fn never_swaps_but_reports_the_other_reading() {
        let p = parse_birth_date("05/04/2015", today()).expect("date");
        assert_eq!(p.value, BirthDate::Full(ymd(2015, 4, 5)));
        assert_eq!(p.swapped, Some(ymd(2015, 5, 4)));
        assert!(!p.month_first_marker);
        let p = parse_birth_date("4/5/2015 12:00:00 AM", today()).expect("date");
        assert_eq!(p.value, BirthDate::Full(ymd(2015, 5, 4)));
        assert!(p.month_first_marker);
        // no other reading
        for s in ["05/05/2015", "25/04/2015", "2015-04-05", "ngày 5 tháng 4 năm 2015"] {
            assert_eq!(parse_birth_date(s, today()).expect(s).swapped, None, "{s}");
        }
        assert!(looks_month_first("03/25/2015", today()));
        assert!(looks_month_first("3/5/2015 1:00 PM", today()));
        assert!(!looks_month_first("25/03/2015", today()));
    }

    #[test]
    fn impossible_dates() {
        let cases = [
            ("31/02/2015", None),
            ("29/02/2015", None),
            ("32/01/2015", None),
            ("03/25/2015", Some(ymd(2015, 3, 25))),
            ("12/31/2010", Some(ymd(2010, 12, 31))),
            ("15/00/2015", None),
            ("2015-02-30", None),
        ];
        for (s, swapped) in cases {
            match parse_birth_date(s, today()) {
                Err(DateError::Impossible { swapped: got, .. }) => assert_eq!(got, swapped, "{s}"),
                other => panic!("{s}: {other:?}"),
            }
        }
        assert_eq!(read("29/02/2016"), BirthDate::Full(ymd(2016, 2, 29)));
    }

    #[test]
    fn unparseable_texts() {
        for s in [
            "abc",
            "không rõ",
            "5/3",
            "05/03/201",
            "05/03/20155",
            "2015-03-05T99:00",
            "?",
            "3.1E+11",
            "ngày 5",
            "1/2/3/4",
        ] {
            assert_eq!(parse_birth_date(s, today()), Err(DateError::Unparseable), "{s}");
        }
    }
}
