//! `dinhdanh check FILE.csv`: the rule engine over a CSV file, offline and streaming. The input's
//! headers are the `/validate` field names; the output repeats every input column and adds the
//! normalised values and the findings, one row per input row, so a data officer can sort and
//! filter it in a spreadsheet. Memory stays flat whatever the file's size: one row at a time.

use std::collections::BTreeMap;
use std::io::{Read, Write};

use crate::domain::admin_units::ResolvedResidence;
use crate::rules::{self, Code, Finding, Normalized, RecordInput, ResidenceInput, RuleContext, Severity};

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

/// The [`ADDED_COLUMNS`] whose values never hold a delimiter, a quote or a line break (a result
/// word, the scheme, unit codes, counts): written without being scanned for them.
const ADDED_PLAIN: [bool; 20] = [
    true, false, false, false, false, false, false, false, true, true, true, true, false, false, true, true, true,
    true, false, false,
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
/// `progress` is called every 10,000 rows or so with the number of rows done.
pub fn check_csv<R: Read + Send, W: Write>(
    input: R,
    output: W,
    ctx: &RuleContext,
    progress: impl FnMut(u64),
) -> Result<CheckSummary, CheckError> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    check_csv_with(input, output, ctx, threads, progress)
}

/// Bytes of input per chunk: a chunk is cut at the last record end it holds and checked as a
/// whole (about 500 rows of the bench's file), large enough to amortise the hand-over, small
/// enough that the chunks in flight (two per worker, input and output) keep memory flat.
const CHUNK_BYTES: usize = 64 * 1024;

/// [`check_csv`] on `threads` threads. The input is cut into chunks of whole records by a cheap
/// byte scan (quotes taken into account, see [`Splitter`]); each chunk is parsed, checked and
/// rendered into its own buffer, and the buffers are written in file order. With one thread
/// this happens chunk after chunk; with more, a thread reads and cuts, `threads` workers parse,
/// check and render, and this thread only writes. The output is the same byte for byte.
pub fn check_csv_with<R: Read + Send, W: Write>(
    input: R,
    output: W,
    ctx: &RuleContext,
    threads: usize,
    mut progress: impl FnMut(u64),
) -> Result<CheckSummary, CheckError> {
    let mut chunks = Chunks::new(input);
    let (header, first_line) = chunks.header()?;
    let bom = first_line.starts_with("\u{feff}".as_bytes());
    let delimiter = sniff_delimiter(&first_line);
    chunks.splitter.delimiter = delimiter;
    let mut reader = reader_builder(delimiter).has_headers(true).from_reader(header.as_slice());
    let headers = reader.headers().map_err(|e| csv_error(e, 0))?.clone();
    let columns: Vec<Option<Column>> = headers.iter().map(Column::from_header).collect();
    if columns.iter().all(Option::is_none) {
        return Err(CheckError::NoKnownColumn { found: headers.iter().collect::<Vec<_>>().join(", ") });
    }
    let lines_before = newlines(&header);

    let mut output = std::io::BufWriter::with_capacity(1 << 16, output);
    if bom {
        output.write_all("\u{feff}".as_bytes())?;
    }
    let header_out: Vec<&str> =
        headers.iter().enumerate().map(|(i, h)| if i == 0 { h.trim_start_matches('\u{feff}') } else { h }).collect();
    {
        let mut writer = row_writer(delimiter, &mut output);
        writer.write_record(header_out.iter().copied().chain(ADDED_COLUMNS)).map_err(|e| csv_error(e, 0))?;
        writer.flush()?;
    }
    let job = Job { columns: &columns, width: headers.len(), delimiter, ctx };
    let mut order = InOrder { summary: CheckSummary::default(), lines_before, output: &mut output };
    if threads <= 1 {
        let mut worker = Worker::default();
        let mut out = Vec::new();
        while let Some(chunk) = chunks.next_chunk()? {
            out.clear();
            let checked = worker.check(&job, &chunk, &mut out);
            order.write(checked, &out, &mut progress)?;
            chunks.recycle(chunk);
        }
    } else {
        pipeline(chunks, &job, threads, &mut order, &mut progress)?;
    }
    order.output.flush()?;
    progress(order.summary.rows);
    Ok(order.summary)
}

/// A CSV error, its line counted from the start of the file (`lines_before` lines precede the
/// chunk it was read from).
fn csv_error(e: csv::Error, lines_before: u64) -> CheckError {
    CheckError::Csv { line: e.position().map(|p| p.line() + lines_before).unwrap_or(0), message: e.to_string() }
}

/// A row whose field `field` (from 0) is not UTF-8: the file was saved in another encoding.
fn not_utf8(record: &csv::ByteRecord, field: usize) -> CheckError {
    CheckError::Csv {
        line: record.position().map_or(0, csv::Position::line),
        message: format!(
            "cột thứ {} không phải văn bản UTF-8; hãy lưu lại tệp với kiểu «CSV UTF-8 (phân cách bằng dấu phẩy)»",
            field + 1
        ),
    }
}

fn reader_builder(delimiter: u8) -> csv::ReaderBuilder {
    let mut builder = csv::ReaderBuilder::new();
    builder.delimiter(delimiter).flexible(true);
    builder
}

fn row_writer<W: Write>(delimiter: u8, out: W) -> csv::Writer<W> {
    csv::WriterBuilder::new().delimiter(delimiter).from_writer(out)
}

fn newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|b| **b == b'\n').count() as u64
}

/// Finds where CSV records end in a byte stream, with the csv crate's rules: a quote opens a
/// quoted field only at the start of a field, `""` inside one is a quote, and `\n`, `\r` or
/// `\r\n` outside quotes ends a record.
#[derive(Debug, Clone, Copy)]
struct Splitter {
    delimiter: u8,
    state: SplitState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SplitState {
    /// At the start of a field (or of a record).
    FieldStart,
    /// Inside a field that did not start with a quote.
    Unquoted,
    /// Inside a quoted field.
    Quoted,
    /// Just after a quote inside a quoted field: the field's end or the first of `""`.
    QuoteInQuoted,
}

impl Splitter {
    /// Scans `bytes`, continuing from the state the previous call left, and returns the offset
    /// just after the last record end in them (a `\r` at the very end is not taken: a `\n` may
    /// follow it).
    fn last_record_end(&mut self, bytes: &[u8]) -> Option<usize> {
        // Only quotes and line breaks (and, inside a quoted field, only quotes) can change more
        // than "inside a field": jump from one to the next a vector at a time, and step through
        // those bytes alone. The plain bytes jumped over leave the state that the last of them
        // gives (a delimiter: the start of a field).
        use SplitState::*;
        let delimiter = self.delimiter;
        let plain = move |b: u8| if b == delimiter { FieldStart } else { Unquoted };
        let mut last = None;
        let mut i = 0;
        while i < bytes.len() {
            let rest = &bytes[i..];
            let next = match self.state {
                Quoted => memchr::memchr(b'"', rest),
                FieldStart | Unquoted => memchr::memchr3(b'"', b'\n', b'\r', rest),
                QuoteInQuoted => Some(0),
            };
            let Some(skip) = next else {
                if self.state != Quoted {
                    self.state = plain(bytes[bytes.len() - 1]);
                }
                break;
            };
            let at = i + skip;
            if skip > 0 && self.state != Quoted {
                self.state = plain(bytes[at - 1]);
            }
            if self.step(bytes[at], bytes.get(at + 1).copied()) {
                last = Some(at + 1);
            }
            i = at + 1;
        }
        last
    }

    /// [`Splitter::last_record_end`] one byte at a time (what the tests compare it with).
    #[cfg(test)]
    fn last_record_end_bytewise(&mut self, bytes: &[u8]) -> Option<usize> {
        let mut last = None;
        for (i, &b) in bytes.iter().enumerate() {
            if self.step(b, bytes.get(i + 1).copied()) {
                last = Some(i + 1);
            }
        }
        last
    }

    /// The offset just after the first record end in `bytes` that is past `from`, scanning
    /// from the start of a record.
    fn first_record_end(delimiter: u8, bytes: &[u8], from: usize) -> Option<usize> {
        let mut splitter = Splitter { delimiter, state: SplitState::FieldStart };
        (0..bytes.len()).find(|&i| splitter.step(bytes[i], bytes.get(i + 1).copied()) && i >= from).map(|i| i + 1)
    }

    /// Takes one byte (`next` is the one after it, when known); true when a record ends with it.
    #[inline]
    fn step(&mut self, b: u8, next: Option<u8>) -> bool {
        use SplitState::*;
        let mut end = false;
        self.state = match (self.state, b) {
            (Quoted, b'"') => QuoteInQuoted,
            (Quoted, _) => Quoted,
            (FieldStart, b'"') => Quoted,
            (QuoteInQuoted, b'"') => Quoted,
            (_, b'\n') => {
                end = true;
                FieldStart
            }
            (_, b'\r') => {
                end = next.is_some_and(|n| n != b'\n');
                FieldStart
            }
            (_, d) if d == self.delimiter => FieldStart,
            _ => Unquoted,
        };
        end
    }
}

/// The input cut into chunks of whole records.
struct Chunks<R> {
    input: R,
    /// Bytes read and not yet handed out; the first `scanned` of them went through `splitter`.
    pending: Vec<u8>,
    scanned: usize,
    splitter: Splitter,
    /// Buffers handed back, to be filled again.
    spare: Vec<Vec<u8>>,
    done: bool,
}

impl<R: Read> Chunks<R> {
    fn new(input: R) -> Chunks<R> {
        Chunks {
            input,
            pending: Vec::with_capacity(CHUNK_BYTES * 2),
            scanned: 0,
            splitter: Splitter { delimiter: b',', state: SplitState::FieldStart },
            spare: Vec::new(),
            done: false,
        }
    }

    /// Reads until `pending` holds at least `want` bytes or the input ends.
    fn fill(&mut self, want: usize) -> std::io::Result<()> {
        while !self.done && self.pending.len() < want {
            let len = self.pending.len();
            self.pending.resize(want.max(len + 8192), 0);
            let n = loop {
                match self.input.read(&mut self.pending[len..]) {
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    other => break other,
                }
            };
            let n = n.inspect_err(|_| self.pending.truncate(len))?;
            self.pending.truncate(len + n);
            self.done = n == 0;
        }
        Ok(())
    }

    /// The header record's bytes (blank lines before it included) and the file's first line
    /// (for the BOM and the delimiter). The delimiter is not known yet when the header is cut:
    /// it matters only for a quote right after it, which a header line does not hold.
    fn header(&mut self) -> Result<(Vec<u8>, Vec<u8>), CheckError> {
        self.fill(1 << 16)?;
        let end = self.pending.iter().position(|b| *b == b'\n').unwrap_or(self.pending.len());
        let first = self.pending[..end].to_vec();
        let delimiter = sniff_delimiter(&first);
        loop {
            let blank = self.pending.iter().take_while(|b| matches!(b, b'\r' | b'\n')).count();
            let found = Splitter::first_record_end(delimiter, &self.pending, blank);
            let cut = match found {
                Some(cut) => cut,
                None if self.done => self.pending.len(),
                None => {
                    let want = self.pending.len() * 2;
                    self.fill(want)?;
                    continue;
                }
            };
            let header = self.pending.drain(..cut).collect();
            return Ok((header, first));
        }
    }

    /// Scans the bytes not scanned yet; the offset after the last record end in `pending`.
    fn scan(&mut self) -> Option<usize> {
        let found = self.splitter.last_record_end(&self.pending[self.scanned..]).map(|e| e + self.scanned);
        self.scanned = self.pending.len();
        found
    }

    /// Hands out the first `cut` bytes of `pending` (already scanned).
    fn take(&mut self, cut: usize) -> Vec<u8> {
        let mut chunk = self.spare.pop().unwrap_or_default();
        chunk.clear();
        chunk.extend_from_slice(&self.pending[..cut]);
        self.pending.drain(..cut);
        self.scanned -= cut;
        chunk
    }

    /// The next chunk of whole records (`None` at the end of the input).
    fn next_chunk(&mut self) -> std::io::Result<Option<Vec<u8>>> {
        let mut want = CHUNK_BYTES;
        loop {
            self.fill(want)?;
            if self.done {
                if self.pending.is_empty() {
                    return Ok(None);
                }
                let all = self.pending.len();
                self.scan();
                self.splitter.state = SplitState::FieldStart;
                return Ok(Some(self.take(all)));
            }
            // A record longer than the chunk: read on until it ends.
            match self.scan() {
                Some(cut) => return Ok(Some(self.take(cut))),
                None => want = self.pending.len() * 2,
            }
        }
    }

    fn recycle(&mut self, chunk: Vec<u8>) {
        if self.spare.len() < 4 {
            self.spare.push(chunk);
        }
    }
}

/// What every row needs to be checked and rendered.
struct Job<'a> {
    columns: &'a [Option<Column>],
    width: usize,
    delimiter: u8,
    ctx: &'a RuleContext,
}

/// One chunk checked: its rows' counts, its newlines (for the line of a later error) and the
/// error that stopped it, if any (the rows before it are rendered and counted).
struct Checked {
    summary: CheckSummary,
    newlines: u64,
    error: Option<CheckError>,
}

/// What a thread that checks chunks keeps from one chunk to the next.
#[derive(Default)]
struct Worker {
    /// csv-core's output for a record with quotes: its fields unquoted, and where each ends.
    unquoted: Vec<u8>,
    ends: Vec<usize>,
    /// A chunk's findings by code (indexed by `Code as usize`): the first severity seen, count.
    by_code: Vec<Option<(Severity, u64)>>,
    input: RowInput,
    findings: Vec<Finding>,
    added: AddedValues,
}

impl Worker {
    /// Parses, checks and renders the rows of `chunk` into `out`.
    fn check(&mut self, job: &Job<'_>, chunk: &[u8], out: &mut Vec<u8>) -> Checked {
        let newlines = newlines(chunk);
        let mut summary = CheckSummary::default();
        self.by_code.clear();
        self.by_code.resize(Code::ALL.len(), None);
        // The chunk's UTF-8 is checked at once, a vector at a time; a chunk that is not UTF-8 is
        // read record by record to say which line and column is not.
        let error = match simdutf8::basic::from_utf8(chunk) {
            Ok(text) => {
                self.check_text(job, text, out, &mut summary);
                None
            }
            Err(_) => self.check_bytes(job, chunk, out, &mut summary),
        };
        for (code, counted) in Code::ALL.iter().zip(&self.by_code) {
            if let Some((severity, n)) = *counted {
                summary.by_code.entry(code.as_str()).or_insert((severity, 0)).1 += n;
            }
        }
        Checked { summary, newlines, error }
    }

    /// The rows of a chunk that is UTF-8. A record without a quote is its line split at the
    /// delimiter (no copy); csv-core finds where records end and unquotes those with quotes.
    fn check_text(&mut self, job: &Job<'_>, text: &str, out: &mut Vec<u8>, summary: &mut CheckSummary) {
        let mut reader = csv_core::ReaderBuilder::new().delimiter(job.delimiter).build();
        let bytes = text.as_bytes();
        let mut spare_fields: Vec<&str> = Vec::with_capacity(job.width + 1);
        let mut unquoted = std::mem::take(&mut self.unquoted);
        let mut ends = std::mem::take(&mut self.ends);
        unquoted.resize(unquoted.len().max(1024), 0);
        ends.resize(ends.len().max(64), 0);
        let mut consumed = 0;
        loop {
            let start = consumed;
            let (mut written, mut fields_read) = (0, 0);
            let record = loop {
                let (result, read, wrote, ended) =
                    reader.read_record(&bytes[consumed..], &mut unquoted[written..], &mut ends[fields_read..]);
                consumed += read;
                written += wrote;
                fields_read += ended;
                match result {
                    csv_core::ReadRecordResult::OutputFull => unquoted.resize(unquoted.len() * 2, 0),
                    csv_core::ReadRecordResult::OutputEndsFull => ends.resize(ends.len() * 2, 0),
                    // Nothing left: the next call, with no input, ends the last record.
                    csv_core::ReadRecordResult::InputEmpty => {}
                    csv_core::ReadRecordResult::Record => break true,
                    csv_core::ReadRecordResult::End => break false,
                }
            };
            if !record {
                break;
            }
            let mut fields = reuse(std::mem::take(&mut spare_fields));
            // Blank lines before the record and its line end are read with it; a field without
            // quotes holds no line break.
            let line = text[start..consumed].trim_matches(['\r', '\n']);
            if !line.contains('"') {
                fields.extend(line.split(char::from(job.delimiter)));
            } else {
                let mut from = 0;
                for &end in &ends[..fields_read] {
                    // Unquoting a UTF-8 text removes ASCII quotes only: it stays UTF-8.
                    fields.push(std::str::from_utf8(&unquoted[from..end]).unwrap_or_default());
                    from = end;
                }
            }
            self.row(job, &fields, out, summary);
            spare_fields = reuse(fields);
        }
        self.unquoted = unquoted;
        self.ends = ends;
    }

    /// The rows of a chunk that is not UTF-8, up to the first field that is not (the error).
    fn check_bytes(
        &mut self,
        job: &Job<'_>,
        chunk: &[u8],
        out: &mut Vec<u8>,
        summary: &mut CheckSummary,
    ) -> Option<CheckError> {
        let mut reader = reader_builder(job.delimiter).has_headers(false).from_reader(chunk);
        let mut record = csv::ByteRecord::new();
        let mut spare_fields: Vec<&str> = Vec::with_capacity(job.width + 1);
        loop {
            match reader.read_byte_record(&mut record) {
                Ok(true) => {}
                Ok(false) => return None,
                Err(e) => return Some(csv_error(e, 0)),
            }
            if let Some(field) = record.iter().position(|f| std::str::from_utf8(f).is_err()) {
                return Some(not_utf8(&record, field));
            }
            let mut fields = reuse(std::mem::take(&mut spare_fields));
            fields.extend(record.iter().map(|f| std::str::from_utf8(f).unwrap_or_default()));
            self.row(job, &fields, out, summary);
            spare_fields = reuse(fields);
        }
    }

    /// Checks one row and renders it into `out`: its fields as read, then the added columns.
    fn row(&mut self, job: &Job<'_>, fields: &[&str], out: &mut Vec<u8>, summary: &mut CheckSummary) {
        let input = self.input.fill(job.columns, fields);
        let (normalized, residence) = rules::check_record_into(input, job.ctx, &mut self.findings);
        let findings = self.findings.iter().chain(&residence.findings);
        tally(summary, &mut self.by_code, findings.clone());
        self.added.fill(&normalized, findings);
        let row = (0..job.width)
            .map(|i| (fields.get(i).copied().unwrap_or_default().as_bytes(), false))
            .chain(self.added.fields(&normalized, residence.residence.as_ref()).into_iter().zip(ADDED_PLAIN));
        write_row(out, job.delimiter, row);
    }
}

/// An emptied list of fields whose room is kept for the next record's (of another lifetime).
fn reuse<'b>(mut fields: Vec<&str>) -> Vec<&'b str> {
    fields.clear();
    fields.into_iter().map(|_| "").collect()
}

/// Appends one CSV row as the csv crate's writer does by default: a field holding the
/// delimiter, a quote or a line break is quoted (its quotes doubled), fields are separated by the
/// delimiter and the row ends with `\n` (its byte-by-byte writer was a tenth of the run).
/// A field paired with `true` is one that never needs quotes (see [`ADDED_PLAIN`]): not scanned.
fn write_row<'a>(out: &mut Vec<u8>, delimiter: u8, fields: impl Iterator<Item = (&'a [u8], bool)>) {
    for (i, (field, plain)) in fields.enumerate() {
        if i > 0 {
            out.push(delimiter);
        }
        debug_assert!(!plain || !needs_quotes(field, delimiter), "{:?}", String::from_utf8_lossy(field));
        if !plain && needs_quotes(field, delimiter) {
            out.push(b'"');
            let mut rest = field;
            while let Some(q) = memchr::memchr(b'"', rest) {
                out.extend_from_slice(&rest[..=q]);
                out.push(b'"');
                rest = &rest[q + 1..];
            }
            out.extend_from_slice(rest);
            out.push(b'"');
        } else {
            out.extend_from_slice(field);
        }
    }
    out.push(b'\n');
}

/// True when `field` holds the delimiter, a quote or a line break. Blocks of 16 bytes are tested
/// whole, without a branch per byte (on the bench's output this beat a 256-entry table and
/// zero-padded 32-byte blocks): most fields hold none and are read to their end.
fn needs_quotes(field: &[u8], delimiter: u8) -> bool {
    let special = |b: &u8| (*b == delimiter) | (*b == b'"') | (*b == b'\r') | (*b == b'\n');
    let mut blocks = field.chunks_exact(16);
    blocks.any(|block| block.iter().fold(false, |any, b| any | special(b))) || blocks.remainder().iter().any(special)
}

/// The writing end: chunks' output in file order, their counts added up.
struct InOrder<'w, W: Write> {
    summary: CheckSummary,
    /// Lines of the file before the next chunk.
    lines_before: u64,
    output: &'w mut W,
}

impl<W: Write> InOrder<'_, W> {
    /// Writes the next chunk's rows and counts them; its error, if any, with its line in the file.
    fn write(&mut self, checked: Checked, out: &[u8], progress: &mut impl FnMut(u64)) -> Result<(), CheckError> {
        self.output.write_all(out)?;
        let before = self.summary.rows;
        merge(&mut self.summary, checked.summary);
        if before / 10_000 != self.summary.rows / 10_000 {
            progress(self.summary.rows);
        }
        if let Some(error) = checked.error {
            return Err(match error {
                CheckError::Csv { line, message } => CheckError::Csv { line: line + self.lines_before, message },
                other => other,
            });
        }
        self.lines_before += checked.newlines;
        Ok(())
    }
}

/// A chunk to check: its place in the file and its bytes.
type Chunk = (u64, Vec<u8>);

/// A chunk checked: its place, its rendered rows, what checking it gave.
type Done = (u64, Vec<u8>, Checked);

/// Read and cut on one thread → parse, check and render on `threads` workers → write in file
/// order on this one, with bounded queues (flat memory) and the buffers handed back for reuse.
fn pipeline<R: Read + Send, W: Write>(
    mut chunks: Chunks<R>,
    job: &Job<'_>,
    threads: usize,
    order: &mut InOrder<'_, W>,
    progress: &mut impl FnMut(u64),
) -> Result<(), CheckError> {
    use std::sync::mpsc::{Receiver, channel, sync_channel};
    use std::sync::{Arc, Mutex};
    let (chunk_tx, chunk_rx) = sync_channel::<Chunk>(threads * 2);
    let chunk_rx: Arc<Mutex<Receiver<Chunk>>> = Arc::new(Mutex::new(chunk_rx));
    let (done_tx, done_rx) = sync_channel::<Done>(threads * 2);
    // Emptied buffers go back: input ones to the reader, output ones to the workers.
    let (spare_in_tx, spare_in_rx) = channel::<Vec<u8>>();
    let spare_out: Arc<Mutex<Vec<Vec<u8>>>> = Arc::new(Mutex::new(Vec::new()));
    // At most `window` chunks between reading and writing: when one worker is descheduled the
    // others would otherwise run ahead and their output wait in `waiting`, without bound.
    let window = threads * 2 + 2;
    let (ticket_tx, ticket_rx) = sync_channel::<()>(window);
    for _ in 0..window {
        let _ = ticket_tx.send(());
    }
    std::thread::scope(|scope| {
        let read = scope.spawn(move || -> std::io::Result<()> {
            let mut seq = 0u64;
            while ticket_rx.recv().is_ok()
                && let Some(chunk) = chunks.next_chunk()?
            {
                if chunk_tx.send((seq, chunk)).is_err() {
                    return Ok(());
                }
                seq += 1;
                while let Ok(buffer) = spare_in_rx.try_recv() {
                    chunks.recycle(buffer);
                }
            }
            Ok(())
        });
        for _ in 0..threads {
            let (rx, tx, spare_in, spare_out) =
                (Arc::clone(&chunk_rx), done_tx.clone(), spare_in_tx.clone(), Arc::clone(&spare_out));
            scope.spawn(move || {
                let mut worker = Worker::default();
                loop {
                    let next = rx.lock().map(|r| r.recv());
                    let Ok(Ok((seq, chunk))) = next else { return };
                    let mut out = spare_out.lock().ok().and_then(|mut s| s.pop()).unwrap_or_default();
                    out.clear();
                    let checked = worker.check(job, &chunk, &mut out);
                    let _ = spare_in.send(chunk);
                    if tx.send((seq, out, checked)).is_err() {
                        return;
                    }
                }
            });
        }
        drop((done_tx, chunk_rx, spare_in_tx));
        let mut waiting: BTreeMap<u64, (Vec<u8>, Checked)> = BTreeMap::new();
        let mut next = 0u64;
        let mut written = Ok(());
        'receive: for (seq, out, checked) in done_rx {
            waiting.insert(seq, (out, checked));
            while let Some((out, checked)) = waiting.remove(&next) {
                written = order.write(checked, &out, progress);
                if written.is_err() {
                    // Dropping the receiver ends the workers, then the reader.
                    break 'receive;
                }
                if let Ok(mut spare) = spare_out.lock()
                    && spare.len() < threads * 2
                {
                    spare.push(out);
                }
                next += 1;
                let _ = ticket_tx.send(());
            }
        }
        // A reader waiting for a ticket after an error stops here.
        drop(ticket_tx);
        let read = read.join().unwrap_or(Ok(()));
        // A chunk's error (a malformed line) comes before a read error after it.
        written.and(read.map_err(CheckError::from))
    })
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

/// The engine's input of one row, its strings kept from row to row (no allocation per row once
/// they are long enough).
#[derive(Default)]
struct RowInput {
    input: RecordInput,
    residence: ResidenceInput,
    spare: Vec<String>,
}

impl RowInput {
    /// The input of a record's fields: each known column's value, `None` when blank; a
    /// residence when a province, district or commune column holds something.
    fn fill(&mut self, columns: &[Option<Column>], fields: &[&str]) -> &RecordInput {
        let RowInput { input, residence, spare } = self;
        if let Some(r) = input.residence.take() {
            *residence = r;
        }
        let slots = [
            &mut input.full_name,
            &mut input.date_of_birth,
            &mut input.gender,
            &mut input.personal_id,
            &mut input.grade,
            &mut input.role,
            &mut input.residence_text,
            &mut residence.province,
            &mut residence.district,
            &mut residence.commune,
        ];
        spare.extend(slots.into_iter().filter_map(Option::take));
        let mut has_residence = false;
        for (column, value) in columns.iter().zip(fields) {
            let Some(column) = column else { continue };
            let slot = match column {
                Column::FullName => &mut input.full_name,
                Column::DateOfBirth => &mut input.date_of_birth,
                Column::Gender => &mut input.gender,
                Column::PersonalId => &mut input.personal_id,
                Column::Grade => &mut input.grade,
                Column::Role => &mut input.role,
                Column::Province => &mut residence.province,
                Column::District => &mut residence.district,
                Column::Commune => &mut residence.commune,
                Column::ResidenceText => &mut input.residence_text,
            };
            has_residence |= matches!(column, Column::Province | Column::District | Column::Commune);
            // A column named twice: the last one counts.
            spare.extend(slot.take());
            if !value.trim().is_empty() {
                let mut text = spare.pop().unwrap_or_default();
                text.clear();
                text.push_str(value);
                *slot = Some(text);
            }
        }
        let any = residence.province.is_some() || residence.district.is_some() || residence.commune.is_some();
        if has_residence && any {
            input.residence = Some(std::mem::take(residence));
        }
        input
    }
}

/// Counts one row by its findings (by code into `by_code`, indexed by `Code as usize`).
fn tally<'a>(
    summary: &mut CheckSummary,
    by_code: &mut [Option<(Severity, u64)>],
    findings: impl Iterator<Item = &'a Finding> + Clone,
) {
    summary.rows += 1;
    let errors = findings.clone().filter(|f| f.severity == Severity::Error).count();
    let warnings = findings.clone().filter(|f| f.severity == Severity::Warning).count();
    if errors > 0 {
        summary.with_errors += 1;
    } else if warnings > 0 {
        summary.with_warnings_only += 1;
    } else {
        summary.clean += 1;
    }
    if findings.clone().any(|f| f.severity == Severity::Fixed) {
        summary.repaired += 1;
    }
    for f in findings {
        by_code[f.code as usize].get_or_insert((f.severity, 0)).1 += 1;
    }
}

/// The values of [`ADDED_COLUMNS`] that are not borrowed from the outcome, in buffers kept from
/// row to row.
#[derive(Default)]
struct AddedValues {
    outcome: Vec<u8>,
    date: String,
    errors: String,
    warnings: String,
    codes: String,
    messages: String,
}

impl AddedValues {
    /// Fills the buffers for a row's normalised values and findings.
    fn fill<'a>(&mut self, n: &Normalized, findings: impl Iterator<Item = &'a Finding> + Clone) {
        use std::fmt::Write as _;
        let errors = findings.clone().filter(|f| f.severity == Severity::Error).count();
        let warnings = findings.clone().filter(|f| f.severity == Severity::Warning).count();
        let result: &[u8] = if errors > 0 {
            b"loi"
        } else if warnings > 0 {
            b"can_xem_lai"
        } else {
            b"dat"
        };
        self.outcome.clear();
        self.outcome.extend_from_slice(result);
        self.date.clear();
        match (n.date_of_birth, &n.date_of_birth_partial) {
            (Some(d), _) => {
                use chrono::Datelike;
                let _ = write!(self.date, "{:02}/{:02}/{:04}", d.day(), d.month(), d.year());
            }
            (None, Some(p)) => self.date.push_str(p),
            (None, None) => {}
        }
        self.errors.clear();
        let _ = write!(self.errors, "{errors}");
        self.warnings.clear();
        let _ = write!(self.warnings, "{warnings}");
        self.codes.clear();
        self.messages.clear();
        for (i, f) in findings.enumerate() {
            if i > 0 {
                self.codes.push(';');
                self.messages.push_str(" | ");
            }
            self.codes.push_str(f.code.as_str());
            self.messages.push_str(&f.message);
        }
    }

    /// The 20 fields, in the order of [`ADDED_COLUMNS`]: the buffers filled for the row, its
    /// normalised values and its residence.
    fn fields<'a>(&'a self, n: &'a Normalized, r: Option<&'a ResolvedResidence>) -> [&'a [u8]; 20] {
        let post = r.and_then(|r| r.post2025.as_ref());
        let b = |v: Option<&'a str>| v.unwrap_or("").as_bytes();
        [
            self.outcome.as_slice(),
            b(n.full_name.as_deref()),
            self.date.as_bytes(),
            b(n.gender.as_deref()),
            b(n.personal_id.as_deref()),
            b(r.and_then(|r| r.province_name.as_deref())),
            b(r.and_then(|r| r.district_name.as_deref())),
            b(r.and_then(|r| r.commune_name.as_deref())),
            b(r.map(|r| r.scheme.as_str())),
            b(r.and_then(|r| r.province_code.as_deref())),
            b(r.and_then(|r| r.district_code.as_deref())),
            b(r.and_then(|r| r.commune_code.as_deref())),
            b(post.map(|u| u.province_name.as_str())),
            b(post.and_then(|u| u.commune_name.as_deref())),
            b(post.map(|u| u.province_code.as_str())),
            b(post.and_then(|u| u.commune_code.as_deref())),
            self.errors.as_bytes(),
            self.warnings.as_bytes(),
            self.codes.as_bytes(),
            self.messages.as_bytes(),
        ]
    }
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
    fn chunks_are_cut_between_records_whatever_the_quotes_and_line_ends() {
        // Quoted delimiters, quoted line breaks, `""`, a bare quote inside a field, CRLF and a
        // lone CR: about 700 KB, so several chunks, each cut where the csv crate ends a record.
        let mut input = String::from("stt,fullName,residenceText\r\n");
        for i in 0..12_000 {
            let row = match i % 4 {
                0 => format!("{i},\"Lê, Thị\nBình\",\"Số 1, \"\"Ngõ\"\" 2\r\nHà Nội\"\r\n"),
                1 => format!("{i},Phạm Thu \"Hà\",P8Q10\n"),
                2 => format!("{i},\"An\"\"\",\"\"\r"),
                _ => format!("{i},Trần Văn Cường,\"Phường 7, Quận 10, TP.HCM\"\n"),
            };
            input.push_str(&row);
        }
        let want: Vec<csv::StringRecord> = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(input.as_bytes())
            .records()
            .collect::<Result<_, _>>()
            .expect("rows");
        let (summary, rows) = run(&input);
        assert_eq!(summary.rows, 12_000);
        for (i, row) in want.iter().enumerate() {
            let got: Vec<&str> = rows[i + 1].iter().take(3).map(String::as_str).collect();
            assert_eq!(got, row.iter().collect::<Vec<_>>(), "row {i}");
        }
        let mut one = Vec::new();
        check_csv_with(input.as_bytes(), &mut one, &ctx(), 1, |_| {}).expect("check");
        let mut two = Vec::new();
        check_csv_with(input.as_bytes(), &mut two, &ctx(), 2, |_| {}).expect("check");
        assert!(one == two, "two threads write another file");
    }

    #[test]
    fn jumping_between_quotes_and_line_breaks_cuts_where_stepping_through_every_byte_cuts() {
        let texts: [&[u8]; 10] = [
            b"1,An,P8Q10\n2,Binh,Q1\r\n3,Cuong,\r4,Dung\n",
            b"\r\r\n\n\r",
            b"5;x;y\r",
            b"6\tz\t",
            b"no line break here",
            b"",
            b"7,\"Le, Thi\nBinh\",\"So 1, \"\"Ngo\"\" 2\r\nHa Noi\"\r\n8,Pham \"Ha\",P8\n",
            b"9;\"An\"\"\";\"\"\r10;\"\"\"\";x\"y\"\n",
            b"\"\n\"\",\"\r\n\"x\ty\",\t\"",
            b"11,\"open to the end, \n and more",
        ];
        for text in texts {
            for delimiter in [b',', b';', b'\t'] {
                // Every cut of the text into two scans, from every state.
                for cut in 0..=text.len() {
                    for state in
                        [SplitState::FieldStart, SplitState::Unquoted, SplitState::Quoted, SplitState::QuoteInQuoted]
                    {
                        let (mut fast, mut slow) = (Splitter { delimiter, state }, Splitter { delimiter, state });
                        for part in [&text[..cut], &text[cut..]] {
                            assert_eq!(
                                fast.last_record_end(part),
                                slow.last_record_end_bytewise(part),
                                "{:?} cut at {cut}",
                                String::from_utf8_lossy(text)
                            );
                            assert_eq!(fast.state, slow.state, "{:?} cut at {cut}", String::from_utf8_lossy(text));
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_utf8_chunk_is_read_as_the_csv_crate_reads_it() {
        // Quoted fields with delimiters, quotes and line breaks, a bare quote, blank lines, CRLF
        // and lone CR, short and long records, a last record without a line end.
        let chunk = "1,Lê Thị Bình,P8Q10\n\n2,\"Lê, \"\"Thị\"\"\r\nBình\",\"\"\r\n\r\n3,Phạm Thu \"Hà\",x,extra,more\r4\n5,Trần Văn Cường,\"Phường 7, Quận 10, TP.HCM\"";
        let ctx = ctx();
        let columns = [None, Some(Column::FullName), Some(Column::ResidenceText)];
        let job = Job { columns: &columns, width: 3, delimiter: b',', ctx: &ctx };
        let (mut text_out, mut bytes_out) = (Vec::new(), Vec::new());
        let (mut text_summary, mut bytes_summary) = (CheckSummary::default(), CheckSummary::default());
        let mut worker = Worker::default();
        worker.by_code.resize(Code::ALL.len(), None);
        worker.check_text(&job, chunk, &mut text_out, &mut text_summary);
        let error = worker.check_bytes(&job, chunk.as_bytes(), &mut bytes_out, &mut bytes_summary);
        assert!(error.is_none(), "{error:?}");
        assert_eq!(text_summary.rows, 5);
        assert_eq!(text_summary, bytes_summary);
        assert_eq!(String::from_utf8_lossy(&text_out), String::from_utf8_lossy(&bytes_out));
        let first_cells: Vec<String> = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text_out.as_slice())
            .records()
            .map(|r| r.expect("row")[1].to_owned())
            .collect();
        assert_eq!(first_cells, ["Lê Thị Bình", "Lê, \"Thị\"\r\nBình", "Phạm Thu \"Hà\"", "", "Trần Văn Cường"]);
    }

    #[test]
    fn a_field_that_is_not_utf8_is_reported_with_its_line_and_column() {
        let input = b"stt,fullName,note\n1,An,ok\n2,B\xecnh,ok\n3,An,\xff\n".as_slice();
        let mut out = Vec::new();
        let err = check_csv_with(input, &mut out, &ctx(), 1, |_| {}).expect_err("not UTF-8");
        assert!(matches!(&err, CheckError::Csv { line: 3, message } if message.contains("cột thứ 2")), "{err:?}");
        // A column the engine does not read must be UTF-8 too: it is copied into the output.
        let input = b"stt,fullName,note\n1,An,\xff\n".as_slice();
        let err = check_csv_with(input, &mut Vec::new(), &ctx(), 1, |_| {}).expect_err("not UTF-8");
        assert!(matches!(&err, CheckError::Csv { line: 2, message } if message.contains("cột thứ 3")), "{err:?}");
        assert!(err.to_string().contains("CSV UTF-8"), "{err}");
    }

    #[test]
    fn the_borrowing_engine_call_finds_what_check_record_finds() {
        let cells = |p: &str, d: &str, c: &str| {
            let v = |s: &str| (!s.is_empty()).then(|| s.to_owned());
            Some(ResidenceInput { province: v(p), district: v(d), commune: v(c) })
        };
        let records = [
            RecordInput {
                full_name: Some("NGUYỄN  VĂN AN".into()),
                date_of_birth: Some("05/09/2015".into()),
                gender: Some("nam".into()),
                personal_id: Some("031215001234".into()),
                grade: Some("6".into()),
                residence: cells("Hải Phòng", "Ngô Quyền", "Máy Chai"),
                ..RecordInput::default()
            },
            RecordInput {
                full_name: Some("Lê Thị Bình".into()),
                date_of_birth: Some("1965".into()),
                personal_id: Some("3.1E+11".into()),
                role: Some("Giáo viên".into()),
                residence: cells("Hà Tĩnh", "Huyện Thạch Hà", "Xã Thạch Lạc"),
                ..RecordInput::default()
            },
            RecordInput { residence_text: Some("P8Q10".into()), ..RecordInput::default() },
            RecordInput::default(),
        ];
        let mut findings = Vec::new();
        for record in &records {
            let want = rules::check_record(record, &ctx());
            let (mut normalized, residence) = rules::check_record_into(record, &ctx(), &mut findings);
            normalized.residence = residence.residence.clone();
            normalized.name_key = want.normalized.name_key.clone();
            normalized.search_key = want.normalized.search_key.clone();
            let all: Vec<Finding> = findings.iter().chain(&residence.findings).cloned().collect();
            assert_eq!(normalized, want.normalized, "{record:?}");
            assert_eq!(all, want.findings, "{record:?}");
        }
    }

    #[test]
    fn rows_are_written_as_the_csv_crate_writes_them() {
        let rows: [&[&str]; 4] = [
            &["a", "", "b c", "Nguyễn Văn An"],
            &["x,y", "say \"hi\"", "\"", "two\nlines"],
            &["cr\r", "semi;colon", "tab\there", "\"\"quoted\"\""],
            &["", "", "", ""],
        ];
        // Long fields too (tested 16 bytes at a time): each special byte at every place of a
        // 40-byte field, and a field of 33 plain bytes.
        let mut long: Vec<[Vec<u8>; 4]> = Vec::new();
        for special in [b',', b';', b'\t', b'"', b'\r', b'\n'] {
            for at in 0..40 {
                let mut field = b"Phuong Co Giang, Quan 1, TP HCM".repeat(2)[..40].to_vec();
                field.retain(|b| *b != b',');
                field.extend_from_slice(b"_____");
                field.truncate(40);
                field[at] = special;
                long.push([field.clone(), b"x".repeat(33), Vec::new(), field[..at + 1].to_vec()]);
            }
        }
        for delimiter in [b',', b';', b'\t'] {
            let mut want = csv::WriterBuilder::new().delimiter(delimiter).from_writer(Vec::new());
            let mut got = Vec::new();
            for row in rows {
                want.write_record(row).expect("row");
                write_row(&mut got, delimiter, row.iter().map(|f| (f.as_bytes(), false)));
            }
            for row in &long {
                want.write_record(row).expect("row");
                write_row(&mut got, delimiter, row.iter().map(|f| (f.as_slice(), false)));
            }
            let want = want.into_inner().expect("flush");
            assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(&want), "{}", delimiter as char);
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
