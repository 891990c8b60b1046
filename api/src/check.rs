//! `dinhdanh check FILE.csv`: the rule engine over a CSV file, offline and streaming. The input's
//! headers are the `/validate` field names; the output repeats every input column and adds the
//! normalised values and the findings, one row per input row, so a data officer can sort and
//! filter it in a spreadsheet. Memory stays flat whatever the file's size: one row at a time.

use std::collections::BTreeMap;
use std::io::{Read, Write};

use crate::rules::{self, Outcome, RecordInput, ResidenceInput, RuleContext, Severity};

/// The input columns the engine reads, by their `/validate` field name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    FullName,
    DateOfBirth,
    Gender,
    PersonalId,
    Grade,
    Role,
    Province,
    District,
    Commune,
    ResidenceText,
}

impl Column {
    const ALL: [(Column, &'static str); 10] = [
        (Column::FullName, "fullName"),
        (Column::DateOfBirth, "dateOfBirth"),
        (Column::Gender, "gender"),
        (Column::PersonalId, "personalId"),
        (Column::Grade, "grade"),
        (Column::Role, "role"),
        (Column::Province, "province"),
        (Column::District, "district"),
        (Column::Commune, "commune"),
        (Column::ResidenceText, "residenceText"),
    ];

    /// The column a header names: the field name, whatever its case, spacing, `_` or `-`.
    fn from_header(header: &str) -> Option<Column> {
        let key: String = header
            .trim_start_matches('\u{feff}')
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-')
            .flat_map(char::to_lowercase)
            .collect();
        Column::ALL.iter().find(|(_, name)| name.to_lowercase() == key).map(|(c, _)| *c)
    }
}

/// The columns `check` appends to each row.
pub const ADDED_COLUMNS: [&str; 20] = [
    "checkResult",
    "normFullName",
    "normDateOfBirth",
    "normGender",
    "normPersonalId",
    "normProvince",
    "normDistrict",
    "normCommune",
    "normScheme",
    "normProvinceCode",
    "normDistrictCode",
    "normCommuneCode",
    "post2025Province",
    "post2025Commune",
    "post2025ProvinceCode",
    "post2025CommuneCode",
    "errors",
    "warnings",
    "findingCodes",
    "findings",
];

/// What a check found, for the summary printed at the end.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CheckSummary {
    pub rows: u64,
    /// Rows with at least one `error` finding (they would not be sent for verification).
    pub with_errors: u64,
    /// Rows with warnings but no error.
    pub with_warnings_only: u64,
    /// Rows where a safe repair was applied.
    pub repaired: u64,
    /// Rows with no finding at all, or only safe repairs.
    pub clean: u64,
    /// Findings by code: (severity, count).
    pub by_code: BTreeMap<&'static str, (Severity, u64)>,
}

/// Why a file could not be checked.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error(
        "không thấy cột nào của quy tắc kiểm tra ở dòng tiêu đề; cần các cột như fullName, dateOfBirth, gender, \
personalId, grade, province, district, commune hoặc residenceText (tiêu đề đang có: {found})"
    )]
    NoKnownColumn { found: String },
    #[error("tệp CSV không đọc được ở dòng {line}: {message}")]
    Csv { line: u64, message: String },
    #[error("không ghi được tệp kết quả: {0}")]
    Write(#[from] std::io::Error),
}

/// The delimiter of a CSV file from its first line: the most frequent of `,`, `;` and tab
/// (spreadsheets in locales with a decimal comma save with `;`).
pub fn sniff_delimiter(first_line: &[u8]) -> u8 {
    let count = |d: u8| first_line.iter().filter(|b| **b == d).count();
    [b',', b';', b'\t'].into_iter().max_by_key(|d| (count(*d), *d == b',')).unwrap_or(b',')
}

/// Checks every row of `input` and writes the checked CSV to `output`, on every core;
/// `progress` is called every 10,000 rows with the number of rows done.
pub fn check_csv<R: Read + Send, W: Write>(
    input: R,
    output: W,
    ctx: &RuleContext,
    progress: impl FnMut(u64),
) -> Result<CheckSummary, CheckError> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    check_csv_with(input, output, ctx, threads, progress)
}

/// Rows per batch handed to a worker: large enough to amortise the hand-over, small enough that
/// the batches in flight (two per worker) keep memory flat.
const BATCH_ROWS: usize = 1024;

/// [`check_csv`] on `threads` threads: with one, row after row; with more, a pipeline (a reader
/// thread cuts the file into batches, `threads` workers check them and render their output rows,
/// this thread writes the batches back in order). The output is the same byte for byte.
pub fn check_csv_with<R: Read + Send, W: Write>(
    input: R,
    output: W,
    ctx: &RuleContext,
    threads: usize,
    mut progress: impl FnMut(u64),
) -> Result<CheckSummary, CheckError> {
    let mut input = std::io::BufReader::with_capacity(1 << 16, input);
    let first = {
        use std::io::BufRead;
        let buf = input.fill_buf()?;
        let end = buf.iter().position(|b| *b == b'\n').unwrap_or(buf.len());
        buf[..end].to_vec()
    };
    let bom = first.starts_with("\u{feff}".as_bytes());
    let delimiter = sniff_delimiter(&first);
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(input);
    let headers = reader.headers().map_err(csv_error)?.clone();
    let columns: Vec<Option<Column>> = headers.iter().map(Column::from_header).collect();
    if columns.iter().all(Option::is_none) {
        return Err(CheckError::NoKnownColumn { found: headers.iter().collect::<Vec<_>>().join(", ") });
    }

    let mut output = std::io::BufWriter::with_capacity(1 << 16, output);
    if bom {
        output.write_all("\u{feff}".as_bytes())?;
    }
    let header_out: Vec<&str> =
        headers.iter().enumerate().map(|(i, h)| if i == 0 { h.trim_start_matches('\u{feff}') } else { h }).collect();
    {
        let mut writer = row_writer(delimiter, &mut output);
        writer.write_record(header_out.iter().copied().chain(ADDED_COLUMNS)).map_err(csv_error)?;
        writer.flush()?;
    }
    let job = Job { columns: &columns, width: headers.len(), delimiter, ctx };
    let mut summary = CheckSummary::default();
    if threads <= 1 {
        let mut record = csv::StringRecord::new();
        let mut writer = row_writer(delimiter, &mut output);
        while reader.read_record(&mut record).map_err(csv_error)? {
            job.row(&record, &mut writer, &mut summary)?;
            if summary.rows % 10_000 == 0 {
                progress(summary.rows);
            }
        }
        writer.flush()?;
    } else {
        pipeline(reader, &mut output, &job, threads, &mut summary, &mut progress)?;
    }
    output.flush()?;
    progress(summary.rows);
    Ok(summary)
}

fn csv_error(e: csv::Error) -> CheckError {
    CheckError::Csv { line: e.position().map(|p| p.line()).unwrap_or(0), message: e.to_string() }
}

fn row_writer<W: Write>(delimiter: u8, out: W) -> csv::Writer<W> {
    csv::WriterBuilder::new().delimiter(delimiter).from_writer(out)
}

/// What every row needs to be checked and rendered.
struct Job<'a> {
    columns: &'a [Option<Column>],
    width: usize,
    delimiter: u8,
    ctx: &'a RuleContext,
}

impl Job<'_> {
    /// Checks one row, counts it and writes its output line.
    fn row<W: Write>(
        &self,
        record: &csv::StringRecord,
        writer: &mut csv::Writer<W>,
        summary: &mut CheckSummary,
    ) -> Result<(), CheckError> {
        let input = record_input(self.columns, record);
        let outcome = rules::check_record(&input, self.ctx);
        tally(summary, &outcome);
        let added = added_values(&outcome);
        writer
            .write_record((0..self.width).map(|i| record.get(i).unwrap_or("")).chain(added.iter().map(String::as_str)))
            .map_err(csv_error)
    }
}

/// A batch of rows read: its place in the file, the rows.
type Batch = (u64, Vec<csv::StringRecord>);

/// A batch of checked rows: its place in the file, its rendered lines, its counts.
type Checked = (u64, Result<(Vec<u8>, CheckSummary), CheckError>);

/// Read → check on `threads` workers → write in order, with bounded queues (flat memory).
fn pipeline<R: Read + Send, W: Write>(
    mut reader: csv::Reader<R>,
    output: &mut W,
    job: &Job<'_>,
    threads: usize,
    summary: &mut CheckSummary,
    progress: &mut impl FnMut(u64),
) -> Result<(), CheckError> {
    use std::sync::mpsc::{Receiver, sync_channel};
    use std::sync::{Arc, Mutex};
    let (batch_tx, batch_rx) = sync_channel::<Batch>(threads * 2);
    let batch_rx: Arc<Mutex<Receiver<Batch>>> = Arc::new(Mutex::new(batch_rx));
    let (done_tx, done_rx) = sync_channel::<Checked>(threads * 2);
    std::thread::scope(|scope| {
        let read = scope.spawn(move || -> Result<(), CheckError> {
            let mut seq = 0u64;
            loop {
                let mut batch = Vec::with_capacity(BATCH_ROWS);
                let mut record = csv::StringRecord::new();
                while batch.len() < BATCH_ROWS && reader.read_record(&mut record).map_err(csv_error)? {
                    batch.push(std::mem::take(&mut record));
                }
                let last = batch.len() < BATCH_ROWS;
                if !batch.is_empty() && batch_tx.send((seq, batch)).is_err() {
                    return Ok(());
                }
                seq += 1;
                if last {
                    return Ok(());
                }
            }
        });
        for _ in 0..threads {
            let (rx, tx) = (Arc::clone(&batch_rx), done_tx.clone());
            scope.spawn(move || {
                loop {
                    let next = rx.lock().map(|r| r.recv());
                    let Ok(Ok((seq, batch))) = next else { return };
                    let mut writer = row_writer(job.delimiter, Vec::with_capacity(batch.len() * 320));
                    let mut part = CheckSummary::default();
                    let result = batch
                        .iter()
                        .try_for_each(|r| job.row(r, &mut writer, &mut part))
                        .and_then(|()| writer.into_inner().map_err(|e| CheckError::Write(e.into_error())))
                        .map(|out| (out, part));
                    if tx.send((seq, result)).is_err() {
                        return;
                    }
                }
            });
        }
        drop((done_tx, batch_rx));
        let written = write_in_order(done_rx, output, summary, progress);
        // The reader's error (a malformed line) comes first: the rows after it were never read.
        let read = read.join().unwrap_or(Ok(()));
        read.and(written)
    })
}

/// Writes the batches in file order as they arrive; on a write error, stops (dropping the
/// receiver ends the workers and the reader).
fn write_in_order<W: Write>(
    done: std::sync::mpsc::Receiver<Checked>,
    output: &mut W,
    summary: &mut CheckSummary,
    progress: &mut impl FnMut(u64),
) -> Result<(), CheckError> {
    let mut waiting: BTreeMap<u64, (Vec<u8>, CheckSummary)> = BTreeMap::new();
    let mut next = 0u64;
    for (seq, result) in done {
        waiting.insert(seq, result?);
        while let Some((bytes, part)) = waiting.remove(&next) {
            output.write_all(&bytes)?;
            let before = summary.rows;
            merge(summary, part);
            if before / 10_000 != summary.rows / 10_000 {
                progress(summary.rows);
            }
            next += 1;
        }
    }
    Ok(())
}

fn merge(summary: &mut CheckSummary, part: CheckSummary) {
    summary.rows += part.rows;
    summary.with_errors += part.with_errors;
    summary.with_warnings_only += part.with_warnings_only;
    summary.repaired += part.repaired;
    summary.clean += part.clean;
    for (code, (severity, n)) in part.by_code {
        summary.by_code.entry(code).or_insert((severity, 0)).1 += n;
    }
}

fn record_input(columns: &[Option<Column>], record: &csv::StringRecord) -> RecordInput {
    let mut input = RecordInput::default();
    let mut residence = ResidenceInput::default();
    let mut has_residence = false;
    for (column, value) in columns.iter().zip(record.iter()) {
        let Some(column) = column else { continue };
        let value = (!value.trim().is_empty()).then(|| value.to_owned());
        match column {
            Column::FullName => input.full_name = value,
            Column::DateOfBirth => input.date_of_birth = value,
            Column::Gender => input.gender = value,
            Column::PersonalId => input.personal_id = value,
            Column::Grade => input.grade = value,
            Column::Role => input.role = value,
            Column::Province => (residence.province, has_residence) = (value, true),
            Column::District => (residence.district, has_residence) = (value, true),
            Column::Commune => (residence.commune, has_residence) = (value, true),
            Column::ResidenceText => input.residence_text = value,
        }
    }
    let any = residence.province.is_some() || residence.district.is_some() || residence.commune.is_some();
    if has_residence && any {
        input.residence = Some(residence);
    }
    input
}

fn tally(summary: &mut CheckSummary, outcome: &Outcome) {
    summary.rows += 1;
    let (errors, warnings) = (outcome.errors(), outcome.warnings());
    if errors > 0 {
        summary.with_errors += 1;
    } else if warnings > 0 {
        summary.with_warnings_only += 1;
    } else {
        summary.clean += 1;
    }
    if outcome.findings.iter().any(|f| f.severity == Severity::Fixed) {
        summary.repaired += 1;
    }
    for f in &outcome.findings {
        summary.by_code.entry(f.code.as_str()).or_insert((f.severity, 0)).1 += 1;
    }
}

/// The values of [`ADDED_COLUMNS`] for one outcome.
fn added_values(outcome: &Outcome) -> [String; 20] {
    let n = &outcome.normalized;
    let r = n.residence.as_ref();
    let text = |v: Option<&String>| v.cloned().unwrap_or_default();
    let result = if outcome.errors() > 0 {
        "loi"
    } else if outcome.warnings() > 0 {
        "can_xem_lai"
    } else {
        "dat"
    };
    [
        result.to_owned(),
        text(n.full_name.as_ref()),
        n.date_of_birth
            .map(|d| d.format("%d/%m/%Y").to_string())
            .or_else(|| n.date_of_birth_partial.clone())
            .unwrap_or_default(),
        text(n.gender.as_ref()),
        text(n.personal_id.as_ref()),
        text(r.and_then(|r| r.province_name.as_ref())),
        text(r.and_then(|r| r.district_name.as_ref())),
        text(r.and_then(|r| r.commune_name.as_ref())),
        r.map_or("", |r| r.scheme.as_str()).to_owned(),
        text(r.and_then(|r| r.province_code.as_ref())),
        text(r.and_then(|r| r.district_code.as_ref())),
        text(r.and_then(|r| r.commune_code.as_ref())),
        text(r.and_then(|r| r.post2025.as_ref()).map(|u| &u.province_name)),
        text(r.and_then(|r| r.post2025.as_ref()).and_then(|u| u.commune_name.as_ref())),
        text(r.and_then(|r| r.post2025.as_ref()).map(|u| &u.province_code)),
        text(r.and_then(|r| r.post2025.as_ref()).and_then(|u| u.commune_code.as_ref())),
        outcome.errors().to_string(),
        outcome.warnings().to_string(),
        outcome.findings.iter().map(|f| f.code.as_str()).collect::<Vec<_>>().join(";"),
        outcome.findings.iter().map(|f| f.message.as_str()).collect::<Vec<_>>().join(" | "),
    ]
}

/// True when `path` is a CSV file whose header line names at least the full name and one
/// more `/validate` field: such a file is checked row by row into a checked CSV; any other
/// layout goes through the import's reader.
pub fn is_validate_csv(path: &std::path::Path) -> bool {
    use std::io::BufRead;
    let is_csv = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let Ok(file) = std::fs::File::open(path) else { return false };
    let mut first = Vec::new();
    if !is_csv || std::io::BufReader::new(file).take(64 * 1024).read_until(b'\n', &mut first).is_err() {
        return false;
    }
    is_validate_header(&first)
}

/// True when a header line names the full name and at least one more `/validate` field.
pub fn is_validate_header(first_line: &[u8]) -> bool {
    let line = String::from_utf8_lossy(first_line);
    let line = line.trim_start_matches('\u{feff}');
    let delimiter = sniff_delimiter(first_line) as char;
    let columns: Vec<Column> =
        line.trim_end().split(delimiter).filter_map(|h| Column::from_header(h.trim_matches('"'))).collect();
    columns.contains(&Column::FullName) && columns.len() >= 2
}

/// The output path next to the input: `lop-6a.csv` → `lop-6a.checked.csv`.
pub fn checked_path(input: &std::path::Path) -> std::path::PathBuf {
    let stem = input.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "ket-qua".to_owned());
    input.with_file_name(format!("{stem}.checked.csv"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::PersonKind;
    use chrono::NaiveDate;

    fn ctx() -> RuleContext {
        RuleContext::new(NaiveDate::from_ymd_opt(2026, 11, 30).expect("date"), PersonKind::Student)
    }

    fn run(input: &str) -> (CheckSummary, Vec<Vec<String>>) {
        let mut out = Vec::new();
        let summary = check_csv(input.as_bytes(), &mut out, &ctx(), |_| {}).expect("check");
        let text = String::from_utf8(out).expect("utf-8");
        let rows = csv::ReaderBuilder::new()
            .has_headers(false)
            .delimiter(sniff_delimiter(text.lines().next().unwrap_or("").as_bytes()))
            .from_reader(text.trim_start_matches('\u{feff}').as_bytes())
            .records()
            .map(|r| r.expect("row").iter().map(str::to_owned).collect())
            .collect();
        (summary, rows)
    }

    fn cell<'a>(rows: &'a [Vec<String>], row: usize, name: &str) -> &'a str {
        let i = rows[0].iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
        &rows[row][i]
    }

    #[test]
    fn headers_are_the_validate_field_names_in_any_case_or_spelling() {
        let cases = [
            ("fullName", Some(Column::FullName)),
            ("FULLNAME", Some(Column::FullName)),
            ("full_name", Some(Column::FullName)),
            ("\u{feff}fullName", Some(Column::FullName)),
            ("date-of-birth", Some(Column::DateOfBirth)),
            ("personalId", Some(Column::PersonalId)),
            ("residenceText", Some(Column::ResidenceText)),
            ("Họ tên", None),
            ("ghiChu", None),
        ];
        for (header, want) in cases {
            assert_eq!(Column::from_header(header), want, "{header}");
        }
    }

    #[test]
    fn the_delimiter_is_sniffed_from_the_header_line() {
        let cases = [
            ("fullName,dateOfBirth,gender", b','),
            ("fullName;dateOfBirth;gender", b';'),
            ("fullName\tdateOfBirth\tgender", b'\t'),
            ("fullName", b','),
            ("", b','),
        ];
        for (line, want) in cases {
            assert_eq!(sniff_delimiter(line.as_bytes()), want, "{line}");
        }
    }

    #[test]
    fn each_row_gets_its_normalised_values_and_findings_and_extra_columns_pass_through() {
        let input = "stt,fullName,dateOfBirth,gender,personalId,grade,province,district,commune\n\
1,NGUYỄN  VĂN AN,05/09/2015,nam,031215001234,6,Hải Phòng,Ngô Quyền,Máy Chai\n\
2,Lê Thị Bình,31/02/2015,Nữ,3.1E+11,6,Hải Phòng,,\n";
        let (summary, rows) = run(input);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0][0], "stt");
        assert_eq!(cell(&rows, 1, "stt"), "1");
        assert_eq!(cell(&rows, 1, "normFullName"), "Nguyễn Văn An");
        assert_eq!(cell(&rows, 1, "normDateOfBirth"), "05/09/2015");
        assert_eq!(cell(&rows, 1, "normGender"), "Nam");
        assert!(cell(&rows, 1, "findingCodes").contains("name_case"), "{:?}", rows[1]);
        assert_eq!(cell(&rows, 1, "normCommune"), "Phường Máy Chai");
        assert_eq!(cell(&rows, 2, "checkResult"), "loi");
        assert!(cell(&rows, 2, "findingCodes").contains("dob_impossible"), "{:?}", rows[2]);
        assert!(cell(&rows, 2, "findingCodes").contains("id_scientific_notation"), "{:?}", rows[2]);
        assert!(!cell(&rows, 2, "findings").is_empty());
        assert_eq!(summary.rows, 2);
        assert_eq!(summary.with_errors, 1);
        assert_eq!(summary.by_code.get("id_scientific_notation").map(|(_, n)| *n), Some(1));
    }

    #[test]
    fn every_core_writes_the_same_file_as_one() {
        let mut input =
            String::from("stt;fullName;dateOfBirth;gender;personalId;grade;province;district;commune;residenceText\n");
        let rows = [
            "NGUYỄN  VĂN AN;05/09/2015;nam;031215001234;6;Hải Phòng;Ngô Quyền;Máy Chai;",
            "Lê Thị Bình;31/02/2015;Nữ;3.1E+11;6;Hải Phòng;;;",
            "Trần Văn Cường;12/03/2012;Nam;031212004321;9;Hà Tĩnh;Huyện Thạch Hà;Xã Thạch Lạc;",
            "Phạm Thu \"Hà\";1/1/2014;nữ;;7;;;;P8Q10",
        ];
        for i in 0..5_000 {
            input.push_str(&format!("{i};{}\n", rows[i % rows.len()]));
        }
        let run = |threads| {
            let mut out = Vec::new();
            let summary = check_csv_with(input.as_bytes(), &mut out, &ctx(), threads, |_| {}).expect("check");
            (summary, out)
        };
        let (one, one_out) = run(1);
        for threads in [2, 3] {
            let (many, many_out) = run(threads);
            assert_eq!(many, one, "{threads} threads");
            assert!(many_out == one_out, "{threads} threads: the output differs");
        }
        assert_eq!(one.rows, 5_000);
        // A line that is not UTF-8 stops both the same way, after the rows before it.
        let mut bad = input.clone().into_bytes();
        bad.extend_from_slice(b"5000;\xff\xfe;1/1/2015\n5001;An;1/1/2015\n");
        for threads in [1, 2] {
            let mut out = Vec::new();
            let err = check_csv_with(bad.as_slice(), &mut out, &ctx(), threads, |_| {}).expect_err("not UTF-8");
            assert!(matches!(err, CheckError::Csv { line: 5002, .. }), "{threads} threads: {err:?}");
        }
    }

    #[test]
    fn the_output_carries_the_unit_codes_of_both_schemes() {
        let input = "fullName,province,district,commune\nAn,Hà Tĩnh,Huyện Thạch Hà,Xã Thạch Lạc\n";
        let (_, rows) = run(input);
        assert_eq!(cell(&rows, 1, "normScheme"), "pre2025");
        assert_eq!(cell(&rows, 1, "normDistrictCode"), "436");
        assert_eq!(cell(&rows, 1, "normCommuneCode"), "18622");
        assert_eq!(cell(&rows, 1, "post2025ProvinceCode"), "42");
        assert!(!cell(&rows, 1, "post2025CommuneCode").is_empty());
        assert!(cell(&rows, 1, "findingCodes").contains("address_historical_unit"));
    }

    #[test]
    fn a_semicolon_file_with_a_bom_keeps_both() {
        let input = "\u{feff}fullName;dateOfBirth;gender;personalId\nTrần Văn Cường;12/03/2012;Nam;031212004321\n";
        let mut out = Vec::new();
        check_csv(input.as_bytes(), &mut out, &ctx(), |_| {}).expect("check");
        let text = String::from_utf8(out).expect("utf-8");
        assert!(text.starts_with("\u{feff}fullName;dateOfBirth;gender;personalId;checkResult;"), "{text}");
    }

    #[test]
    fn a_file_without_any_known_header_says_which_headers_are_expected() {
        let err =
            check_csv("Họ tên,Ngày sinh\nAn,1/1/2015\n".as_bytes(), Vec::new(), &ctx(), |_| {}).expect_err("no column");
        let message = err.to_string();
        assert!(message.contains("fullName") && message.contains("Họ tên"), "{message}");
    }

    #[test]
    fn validate_headers_are_told_apart_from_import_layouts() {
        let cases = [
            ("fullName,dateOfBirth,gender,personalId\n", true),
            ("\u{feff}\"fullName\";\"personalId\"\r\n", true),
            ("stt,full_name,date_of_birth\n", true),
            ("fullName\n", false),
            ("Mã học sinh,Họ tên,Ngày sinh,Giới tính,Số định danh cá nhân\n", false),
            ("Họ và tên,fullName\n", false),
        ];
        for (line, want) in cases {
            assert_eq!(is_validate_header(line.as_bytes()), want, "{line}");
        }
    }

    #[test]
    fn the_output_goes_next_to_the_input() {
        assert_eq!(
            checked_path(std::path::Path::new("/tmp/lop-6a.csv")),
            std::path::PathBuf::from("/tmp/lop-6a.checked.csv")
        );
        assert_eq!(checked_path(std::path::Path::new("ds")), std::path::PathBuf::from("ds.checked.csv"));
    }
}
