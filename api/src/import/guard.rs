//! Pre-passes that look at a spreadsheet's structure before calamine does, so that a small
//! hostile file cannot make the reader allocate in proportion to what it *declares* rather than
//! what it holds. calamine is fast and faithful but trusts a file: it reserves memory from
//! declared counts (`<sst uniqueCount>`, an `.xls` DIMENSIONS record), reads every shared
//! string eagerly at open, builds dense grids of `.xls` sheets on open, and inflates a cell's
//! text whatever its length.
//!
//! - [`check_zip_directory`]: the zip's end-of-central-directory record (entries, directory
//!   size and offset within the file) before the zip crate indexes it.
//! - [`prescan_xlsx`]: inflates every part once, streaming, through a small XML lexer that caps
//!   any single token (text, tag, comment, CDATA…) so the XML parser never buffers more; then
//!   caps each cell's text and each shared string at Excel's own limit, the shared strings'
//!   count and total size, and the counts of elements calamine collects at open (styles,
//!   sheets, names, relationships). Nothing it reads is kept.
//! - [`prescan_xls`]: walks the compound file's allocation chains (refusing cycles, which make
//!   calamine read forever) to the workbook stream, then its BIFF records: sheets, shared
//!   strings, and the row/column extent of every sheet's cells and declared dimensions, which
//!   calamine turns into dense grids.
//!
//! Every refusal is a [`ReadError`]: `TooLarge` (413) for what exceeds a limit, `Unreadable`
//! (422) for what is malformed.

use std::collections::HashSet;
use std::io::{Cursor, Read};

use super::read::{Limits, ReadError};

/// Excel's own limit on a cell's text, in characters.
pub const MAX_CELL_CHARS: usize = 32_767;
/// Raw XML bytes one cell (or one shared string) may take: Excel's 32,767 characters, each up
/// to four bytes of UTF-8 or a six-byte entity (`&quot;`), rounded up.
pub const MAX_CELL_XML_BYTES: usize = 256 * 1024;
/// The longest single XML token (a text run, a tag with its attributes, a comment, a CDATA
/// section) the pre-pass lets the parser buffer.
pub const MAX_TOKEN_BYTES: usize = 256 * 1024;
/// Most entries in a workbook's zip (a workbook of 100 sheets has a few hundred).
pub const MAX_ZIP_ENTRIES: usize = 10_000;
/// Most cell formats (Excel allows 65,490), and most fonts, fills, borders and number formats
/// together.
pub const MAX_STYLE_ELEMENTS: usize = 65_536;
/// Most defined names and most relationships in one part.
pub const MAX_NAMES: usize = 10_000;
/// Largest `.xls` shared-string table, in bytes of records.
pub const MAX_XLS_SST_BYTES: usize = 16 * 1024 * 1024;

fn too_large(what: &'static str, message: impl Into<String>) -> ReadError {
    ReadError::TooLarge { what, message: message.into() }
}

fn broken_xlsx() -> ReadError {
    ReadError::Unreadable(
        "Tệp Excel bị hỏng hoặc tải lên chưa hết (không đọc được cấu trúc .xlsx); hãy mở bằng Excel, lưu lại rồi tải lên."
            .to_owned(),
    )
}

fn broken_xls() -> ReadError {
    ReadError::Unreadable(
        "Tệp Excel .xls bị hỏng hoặc tải lên chưa hết; hãy mở bằng Excel, lưu lại dạng .xlsx rồi tải lên.".to_owned(),
    )
}

fn cell_too_long() -> ReadError {
    too_large(
        "cell",
        format!(
            "Bảng tính có ô dài hơn {} ký tự (giới hạn của Excel); tệp không hợp lệ, hãy kiểm tra lại.",
            MAX_CELL_CHARS
        ),
    )
}

fn too_many_cells(limits: &Limits) -> ReadError {
    too_large(
        "cells",
        format!("Bảng tính có hơn {} ô dữ liệu, quá giới hạn; hãy chia thành nhiều tệp.", limits.max_cells),
    )
}

fn too_many_rows(limits: &Limits) -> ReadError {
    too_large("rows", format!("Tệp có hơn {} dòng, quá giới hạn; hãy chia thành nhiều tệp.", limits.max_rows))
}

fn too_many_columns(limits: &Limits) -> ReadError {
    too_large(
        "columns",
        format!(
            "Bảng tính có dữ liệu ở quá {} cột; hãy xoá các cột thừa (hoặc ô lẻ ở xa bên phải) rồi tải lên lại.",
            limits.max_columns
        ),
    )
}

fn too_many_sheets(count: usize, limits: &Limits) -> ReadError {
    too_large("sheets", format!("Bảng tính có {count} trang, quá giới hạn {}.", limits.max_sheets))
}

fn encrypted() -> ReadError {
    ReadError::Unsupported("Bảng tính được đặt mật khẩu; hãy gỡ mật khẩu rồi tải lên lại.".to_owned())
}

fn macros() -> ReadError {
    ReadError::Unsupported(
        "Bảng tính có macro (VBA) không được nhận; hãy lưu lại dạng .xlsx không có macro.".to_owned(),
    )
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

// ---------------------------------------------------------------------------------------------
// zip

/// Checks the zip's end-of-central-directory record (and its zip64 form) before the zip crate
/// indexes the directory: the entries it declares, and a directory that lies within the file.
pub fn check_zip_directory(bytes: &[u8]) -> Result<(), ReadError> {
    const EOCD: &[u8] = b"PK\x05\x06";
    let search_from = bytes.len().saturating_sub(22 + 65_535);
    let tail = &bytes[search_from..];
    let at = tail.windows(4).rposition(|w| w == EOCD).map(|p| p + search_from).ok_or_else(broken_xlsx)?;
    let entries = u16_at(bytes, at + 10).ok_or_else(broken_xlsx)?;
    let size = u32_at(bytes, at + 12).ok_or_else(broken_xlsx)?;
    let offset = u32_at(bytes, at + 16).ok_or_else(broken_xlsx)?;
    let (entries, size, offset) = if entries == u16::MAX || size == u32::MAX || offset == u32::MAX {
        // zip64: the locator sits just before the record and points at the zip64 record
        let locator = at.checked_sub(20).ok_or_else(broken_xlsx)?;
        if bytes.get(locator..locator + 4) != Some(b"PK\x06\x07") {
            return Err(broken_xlsx());
        }
        let record = usize::try_from(u64_at(bytes, locator + 8).ok_or_else(broken_xlsx)?).map_err(|_| broken_xlsx())?;
        if bytes.get(record..record + 4) != Some(b"PK\x06\x06") {
            return Err(broken_xlsx());
        }
        (
            u64_at(bytes, record + 32).ok_or_else(broken_xlsx)?,
            u64_at(bytes, record + 40).ok_or_else(broken_xlsx)?,
            u64_at(bytes, record + 48).ok_or_else(broken_xlsx)?,
        )
    } else {
        (u64::from(entries), u64::from(size), u64::from(offset))
    };
    let len = bytes.len() as u64;
    if offset > len || size > len || offset.saturating_add(size) > len {
        return Err(broken_xlsx());
    }
    if entries > MAX_ZIP_ENTRIES as u64 || size / 46 > MAX_ZIP_ENTRIES as u64 {
        return Err(too_large(
            "uncompressed",
            format!("Tệp nén có hơn {MAX_ZIP_ENTRIES} thành phần; đây không phải một bảng tính bình thường."),
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// xlsx

/// The lexical state of the token being read (see [`TokenGuard`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lex {
    Text,
    /// Just after `<`.
    Open,
    /// Inside a start or end tag; the quote of an attribute value when inside one.
    Tag(Option<u8>),
    /// After `<!`, until it is known to be a comment, CDATA or a declaration.
    Bang,
    Comment,
    CData,
    /// `<!DOCTYPE …>` and other declarations, with the depth of `[` … `]`.
    Decl(u32),
    /// `<? … ?>`.
    Pi,
}

/// Wraps an inflating reader: follows XML's lexical structure byte by byte and fails once any
/// single token grows beyond [`MAX_TOKEN_BYTES`], or the part inflates beyond what its entry
/// declared or the workbook's budget. The XML parser reading through it therefore never
/// buffers more than one capped token.
struct TokenGuard<R> {
    inner: R,
    state: Lex,
    token: usize,
    /// The last bytes of the token (for `-->`, `]]>`, `?>` and `<![CDATA[`).
    recent: [u8; 8],
    recent_len: usize,
    read: u64,
    declared: u64,
    budget: u64,
    /// What tripped the guard, if it tripped.
    tripped: Option<&'static str>,
}

impl<R: Read> TokenGuard<R> {
    fn new(inner: R, declared: u64, budget: u64) -> TokenGuard<R> {
        TokenGuard {
            inner,
            state: Lex::Text,
            token: 0,
            recent: [0; 8],
            recent_len: 0,
            read: 0,
            declared,
            budget,
            tripped: None,
        }
    }

    fn push_recent(&mut self, b: u8) {
        self.recent.copy_within(1.., 0);
        self.recent[7] = b;
        self.recent_len = (self.recent_len + 1).min(8);
    }

    fn ends_with(&self, s: &[u8]) -> bool {
        self.recent_len >= s.len() && self.recent[8 - s.len()..] == *s
    }

    fn start_token(&mut self, state: Lex) {
        self.state = state;
        self.token = 0;
        self.recent_len = 0;
    }

    fn step(&mut self, b: u8) {
        self.token += 1;
        self.push_recent(b);
        match self.state {
            Lex::Text => {
                if b == b'<' {
                    self.start_token(Lex::Open);
                }
            }
            Lex::Open => match b {
                b'!' => self.state = Lex::Bang,
                b'?' => self.state = Lex::Pi,
                b'>' => self.start_token(Lex::Text),
                b'"' | b'\'' => self.state = Lex::Tag(Some(b)),
                _ => self.state = Lex::Tag(None),
            },
            Lex::Tag(None) => match b {
                b'>' => self.start_token(Lex::Text),
                b'"' | b'\'' => self.state = Lex::Tag(Some(b)),
                _ => {}
            },
            Lex::Tag(Some(q)) => {
                if b == q {
                    self.state = Lex::Tag(None);
                }
            }
            Lex::Bang => {
                if self.ends_with(b"!--") {
                    self.state = Lex::Comment;
                } else if self.ends_with(b"![CDATA[") {
                    self.state = Lex::CData;
                } else if b == b'>' {
                    self.start_token(Lex::Text);
                } else if self.token > 8 || !(b.is_ascii_alphabetic() || b == b'-' || b == b'[') {
                    self.state = if b == b'[' { Lex::Decl(1) } else { Lex::Decl(0) };
                }
            }
            // the shortest comment is `<!---->`, the shortest CDATA `<![CDATA[]]>`, the shortest
            // instruction `<?x?>`: an end seen earlier is not one (and reading on is the safe side)
            Lex::Comment => {
                if self.token >= 6 && self.ends_with(b"-->") {
                    self.start_token(Lex::Text);
                }
            }
            Lex::CData => {
                if self.token >= 11 && self.ends_with(b"]]>") {
                    self.start_token(Lex::Text);
                }
            }
            Lex::Pi => {
                if self.token >= 3 && self.ends_with(b"?>") {
                    self.start_token(Lex::Text);
                }
            }
            Lex::Decl(depth) => match b {
                b'[' => self.state = Lex::Decl(depth + 1),
                b']' => self.state = Lex::Decl(depth.saturating_sub(1)),
                b'>' if depth == 0 => self.start_token(Lex::Text),
                _ => {}
            },
        }
    }
}

impl<R: Read> Read for TokenGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.tripped.is_some() {
            return Err(std::io::Error::other("refused"));
        }
        let n = self.inner.read(buf)?;
        if self.read == 0 && n >= 2 && (buf[..2] == [0xFF, 0xFE] || buf[..2] == [0xFE, 0xFF] || buf[1] == 0) {
            // Excel writes its parts in UTF-8; a UTF-16 part would hide its structure from the lexer
            self.tripped = Some("encoding");
            return Err(std::io::Error::other("refused"));
        }
        self.read += n as u64;
        if self.read > self.declared.saturating_add(1) || self.read > self.budget {
            self.tripped = Some("uncompressed");
            return Err(std::io::Error::other("refused"));
        }
        for &b in &buf[..n] {
            self.step(b);
            if self.token > MAX_TOKEN_BYTES {
                self.tripped = Some("token");
                return Err(std::io::Error::other("refused"));
            }
        }
        Ok(n)
    }
}

/// What the pre-pass counts across the whole workbook.
#[derive(Debug, Default)]
struct Tally {
    shared_strings: usize,
    shared_string_bytes: usize,
    sheets: usize,
}

/// Inflates and reads every XML part of an `.xlsx` once, streaming, and refuses the workbook
/// when a part is encrypted or carries macros, inflates suspiciously, or holds a cell, a shared
/// string or a count of elements beyond the limits. Runs before calamine opens the file.
pub fn prescan_xlsx(bytes: &[u8], limits: &Limits) -> Result<(), ReadError> {
    check_zip_directory(bytes)?;
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| broken_xlsx())?;
    let mut total: u64 = 0;
    let mut xml_parts = Vec::new();
    for i in 0..zip.len() {
        let file = zip.by_index_raw(i).map_err(|_| broken_xlsx())?;
        let name = file.name().map(|n| n.to_ascii_lowercase()).unwrap_or_default();
        if file.encrypted() {
            return Err(encrypted());
        }
        if name.ends_with("vbaproject.bin") {
            return Err(macros());
        }
        let size = file.size();
        // a part inflating more than 1000-fold to over 10 MB is a zip bomb, not a spreadsheet
        if size > 10 * 1024 * 1024 && size / file.compressed_size().max(1) > 1000 {
            return Err(too_large("uncompressed", "Tệp nén bất thường (giải nén ra quá lớn); không xử lý."));
        }
        total = total.saturating_add(size);
        if name.ends_with(".xml") || name.ends_with(".rels") || name.ends_with(".vml") {
            xml_parts.push((i, size));
        }
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
    let mut tally = Tally::default();
    let mut budget = limits.max_uncompressed_bytes;
    for (i, declared) in xml_parts {
        let file = zip.by_index(i).map_err(|_| broken_xlsx())?;
        let guard = TokenGuard::new(file, declared, budget);
        let read = scan_part(guard, limits, &mut tally)?;
        budget = budget.saturating_sub(read);
    }
    if tally.sheets > limits.max_sheets {
        return Err(too_many_sheets(tally.sheets, limits));
    }
    Ok(())
}

/// Where the scan of one part is: inside a cell or a shared string, and how much text so far.
#[derive(Default)]
struct PartCounts {
    in_cell: u32,
    in_si: u32,
    cell_bytes: usize,
    si_bytes: usize,
    xfs: usize,
    style_parts: usize,
    names: usize,
    relationships: usize,
}

fn scan_part<R: Read>(guard: TokenGuard<R>, limits: &Limits, tally: &mut Tally) -> Result<u64, ReadError> {
    use quick_xml::events::Event;
    let mut xml = quick_xml::Reader::from_reader(std::io::BufReader::with_capacity(16 * 1024, guard));
    let config = xml.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    let mut buf = Vec::with_capacity(1024);
    let mut c = PartCounts::default();
    let text_budget = limits.max_text_bytes;
    loop {
        buf.clear();
        let event = match xml.read_event_into(&mut buf) {
            Ok(e) => e,
            Err(_) => {
                return Err(match xml.get_ref().get_ref().tripped {
                    Some("token") => cell_too_long(),
                    Some("encoding") => broken_xlsx(),
                    Some(_) => too_large("uncompressed", "Tệp nén bất thường (giải nén ra quá lớn); không xử lý."),
                    // a part calamine does not read may be malformed; the ones it reads fail there
                    None => break,
                });
            }
        };
        let text_len = match &event {
            Event::Text(t) => t.len(),
            Event::CData(t) => t.len(),
            Event::GeneralRef(r) => r.len() + 2,
            _ => 0,
        };
        if text_len > 0 {
            if c.in_cell > 0 {
                c.cell_bytes += text_len;
                if c.cell_bytes > MAX_CELL_XML_BYTES {
                    return Err(cell_too_long());
                }
            }
            if c.in_si > 0 {
                c.si_bytes += text_len;
                tally.shared_string_bytes += text_len;
                if c.si_bytes > MAX_CELL_XML_BYTES {
                    return Err(cell_too_long());
                }
                if tally.shared_string_bytes > text_budget {
                    return Err(too_large(
                        "cells",
                        format!(
                            "Bảng tính có hơn {} MB chữ, quá giới hạn; hãy chia thành nhiều tệp.",
                            text_budget / (1024 * 1024)
                        ),
                    ));
                }
            }
            continue;
        }
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                match e.local_name().as_ref() {
                    "c" if !empty => {
                        c.in_cell += 1;
                        c.cell_bytes = 0;
                    }
                    "si" => {
                        tally.shared_strings += 1;
                        if tally.shared_strings > limits.max_cells {
                            return Err(too_many_cells(limits));
                        }
                        if !empty {
                            c.in_si += 1;
                            c.si_bytes = 0;
                        }
                    }
                    "sst" => {
                        // calamine reserves room for the declared count of strings
                        for attr in e.attributes().flatten() {
                            if attr.key.local_name().as_ref() == "uniqueCount"
                                && attr.value.trim().parse::<u64>().unwrap_or(0) > limits.max_cells as u64
                            {
                                return Err(too_many_cells(limits));
                            }
                        }
                    }
                    "xf" => {
                        c.xfs += 1;
                        if c.xfs > MAX_STYLE_ELEMENTS {
                            return Err(too_large("styles", "Bảng tính có quá nhiều định dạng ô; không xử lý."));
                        }
                    }
                    "font" | "fill" | "border" | "numFmt" | "dxf" | "cellStyle" => {
                        c.style_parts += 1;
                        if c.style_parts > MAX_STYLE_ELEMENTS {
                            return Err(too_large("styles", "Bảng tính có quá nhiều định dạng ô; không xử lý."));
                        }
                    }
                    "sheet" => {
                        tally.sheets += 1;
                        if tally.sheets > limits.max_sheets {
                            return Err(too_many_sheets(tally.sheets, limits));
                        }
                    }
                    "definedName" => {
                        c.names += 1;
                        if c.names > MAX_NAMES {
                            return Err(too_large("names", "Bảng tính có quá nhiều tên vùng; không xử lý."));
                        }
                    }
                    "Relationship" => {
                        c.relationships += 1;
                        if c.relationships > MAX_NAMES {
                            return Err(broken_xlsx());
                        }
                    }
                    _ => {}
                }
            }
            Event::End(ref e) => match e.local_name().as_ref() {
                "c" => c.in_cell = c.in_cell.saturating_sub(1),
                "si" => c.in_si = c.in_si.saturating_sub(1),
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(xml.get_ref().get_ref().read)
}

// ---------------------------------------------------------------------------------------------
// xls: the compound file

const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
const DIFSECT: u32 = 0xFFFF_FFFC;
const RESERVED_SECTORS: u32 = 0xFFFF_FFFA;

/// The compound file as calamine will read it: sector size, the FAT, the directory.
struct Compound<'a> {
    bytes: &'a [u8],
    sector: usize,
    maxid: u32,
    fat: Vec<u32>,
}

impl Compound<'_> {
    fn sector_bytes(&self, id: u32) -> Result<&[u8], ReadError> {
        if id > self.maxid {
            return Err(broken_xls());
        }
        let start = (id as usize + 1) * self.sector;
        let end = (start + self.sector).min(self.bytes.len());
        Ok(self.bytes.get(start..end).unwrap_or(&[]))
    }

    /// Reads a chain of sectors as calamine does (up to `len` bytes or the end of the chain),
    /// refusing a chain that loops or leaves the FAT.
    fn chain(&self, start: u32, len: usize) -> Result<Vec<u8>, ReadError> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut id = start;
        while id != ENDOFCHAIN {
            if !seen.insert(id) {
                return Err(broken_xls());
            }
            let sector = self.sector_bytes(id)?;
            let take = sector.len().min(len - out.len());
            out.extend_from_slice(&sector[..take]);
            if out.len() >= len {
                break;
            }
            id = *self.fat.get(id as usize).ok_or_else(broken_xls)?;
        }
        Ok(out)
    }
}

/// Reads the `Workbook` (or `Book`) stream of a compound file, checking every chain calamine
/// follows on the way (directory, mini stream, mini FAT, the stream itself).
fn workbook_stream(bytes: &[u8]) -> Result<Vec<u8>, ReadError> {
    let header = bytes.get(..512).ok_or_else(broken_xls)?;
    let sector = match u16_at(header, 30) {
        Some(9) => 512usize,
        Some(12) => 4096,
        _ => return Err(broken_xls()),
    };
    if bytes.len() < sector {
        return Err(broken_xls());
    }
    let maxid = u32::try_from(bytes.len() / sector).map_err(|_| broken_xls())?;
    let mut cf = Compound { bytes, sector, maxid, fat: Vec::new() };
    // the DIFAT: 109 entries in the header, then a chain of DIFAT sectors
    let mut difat: Vec<u32> = (0..109).filter_map(|i| u32_at(header, 76 + 4 * i)).collect();
    let mut id = u32_at(header, 68).ok_or_else(broken_xls)?;
    let mut difat_sectors = 0usize;
    while id < RESERVED_SECTORS {
        difat_sectors += 1;
        if difat_sectors > maxid as usize + 1 {
            return Err(broken_xls());
        }
        let s = cf.sector_bytes(id)?;
        difat.extend(s.chunks_exact(4).filter_map(|c| c.try_into().ok().map(u32::from_le_bytes)));
        id = difat.pop().ok_or_else(broken_xls)?;
    }
    let fat_sectors: Vec<u32> = difat.into_iter().filter(|id| *id < DIFSECT).collect();
    if fat_sectors.len() > maxid as usize + 1 {
        return Err(broken_xls());
    }
    let mut fat = Vec::with_capacity(fat_sectors.len() * sector / 4);
    for id in fat_sectors {
        let s = cf.sector_bytes(id)?;
        fat.extend(s.chunks_exact(4).filter_map(|c| c.try_into().ok().map(u32::from_le_bytes)));
    }
    cf.fat = fat;
    let dir_start = u32_at(header, 48).ok_or_else(broken_xls)?;
    let dirs = cf.chain(dir_start, usize::MAX)?;
    let entries: Vec<&[u8]> = dirs.chunks_exact(128).collect();
    let root = entries.first().ok_or_else(broken_xls)?;
    let entry_len = |e: &[u8]| -> Result<u64, ReadError> {
        if sector == 512 { u32_at(e, 120).map(u64::from) } else { u64_at(e, 120) }.ok_or_else(broken_xls)
    };
    let file_len = bytes.len() as u64;
    let mini_fat_len = u32_at(header, 64).ok_or_else(broken_xls)? as usize;
    let (mini_stream, mini_fat) = if mini_fat_len > 0 {
        let root_len = entry_len(root)?;
        if root_len > file_len {
            return Err(broken_xls());
        }
        let ms = cf.chain(u32_at(root, 116).ok_or_else(broken_xls)?, root_len as usize)?;
        let mf_len = mini_fat_len.checked_mul(sector).filter(|l| *l as u64 <= file_len).ok_or_else(broken_xls)?;
        let mf = cf.chain(u32_at(header, 60).ok_or_else(broken_xls)?, mf_len)?;
        let mf: Vec<u32> = mf.chunks_exact(4).filter_map(|c| c.try_into().ok().map(u32::from_le_bytes)).collect();
        (ms, mf)
    } else {
        (Vec::new(), Vec::new())
    };
    let name_of = |e: &[u8]| -> String {
        let units: Vec<u16> = e[..64].chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
        let name = String::from_utf16_lossy(&units);
        name.split('\0').next().unwrap_or_default().to_owned()
    };
    let entry = ["Workbook", "Book"]
        .iter()
        .find_map(|want| entries.iter().find(|e| name_of(e).eq_ignore_ascii_case(want)))
        .ok_or_else(broken_xls)?;
    let len = entry_len(entry)?;
    if len > file_len {
        return Err(broken_xls());
    }
    let len = len as usize;
    let start = u32_at(entry, 116).ok_or_else(broken_xls)?;
    if len < 4096 {
        // the mini stream: 64-byte sectors found through the mini FAT
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut id = start;
        while id != ENDOFCHAIN && out.len() < len {
            if !seen.insert(id) {
                return Err(broken_xls());
            }
            let at = id as usize * 64;
            let s = mini_stream.get(at..(at + 64).min(mini_stream.len())).ok_or_else(broken_xls)?;
            out.extend_from_slice(&s[..s.len().min(len - out.len())]);
            id = *mini_fat.get(id as usize).ok_or_else(broken_xls)?;
        }
        Ok(out)
    } else {
        cf.chain(start, len)
    }
}

// ---------------------------------------------------------------------------------------------
// xls: BIFF records

/// BIFF records of a stream, each with its CONTINUE records' total length (as calamine groups
/// them).
struct Records<'a> {
    stream: &'a [u8],
}

struct Record<'a> {
    typ: u16,
    data: &'a [u8],
    continued: usize,
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<Record<'a>, ReadError>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.stream.is_empty() {
            return None;
        }
        let (Some(typ), Some(len)) = (u16_at(self.stream, 0), u16_at(self.stream, 2)) else {
            return Some(Err(broken_xls()));
        };
        let len = len as usize;
        let Some(data) = self.stream.get(4..4 + len) else { return Some(Err(broken_xls())) };
        self.stream = &self.stream[4 + len..];
        let mut continued = 0;
        while self.stream.len() > 4 && u16_at(self.stream, 0) == Some(0x003C) {
            let l = u16_at(self.stream, 2).unwrap_or(0) as usize;
            if self.stream.len() < l + 4 {
                return Some(Err(broken_xls()));
            }
            continued += l;
            self.stream = &self.stream[4 + l..];
        }
        Some(Ok(Record { typ, data, continued }))
    }
}

/// The extent of a set of cell positions.
#[derive(Debug, Default, Clone, Copy)]
struct Extent {
    cells: usize,
    rows: (u32, u32),
    cols: (u32, u32),
}

impl Extent {
    fn add(&mut self, row: u32, col: u32) {
        if self.cells == 0 {
            self.rows = (row, row);
            self.cols = (col, col);
        } else {
            self.rows = (self.rows.0.min(row), self.rows.1.max(row));
            self.cols = (self.cols.0.min(col), self.cols.1.max(col));
        }
        self.cells += 1;
    }
    /// Cells of the dense grid calamine builds over it.
    fn area(&self) -> usize {
        if self.cells == 0 {
            return 0;
        }
        (self.rows.1 - self.rows.0 + 1) as usize * (self.cols.1 - self.cols.0 + 1) as usize
    }
}

/// Checks an `.xls` file against the limits before calamine opens it (which reads every sheet
/// into a dense grid at once): the compound file's chains, the number of sheets, the size of the
/// shared-string table, and for every sheet the extent of its cells and its declared
/// dimensions; the dense grids of all sheets together must fit the cell budget.
pub fn prescan_xls(bytes: &[u8], limits: &Limits) -> Result<(), ReadError> {
    let stream = workbook_stream(bytes)?;
    let mut sheets = Vec::new();
    for record in (Records { stream: &stream }) {
        let r = record?;
        match r.typ {
            0x002F if u16_at(r.data, 0).unwrap_or(0) != 0 => return Err(encrypted()),
            0x0085 => {
                if r.data.len() < 8 {
                    return Err(broken_xls());
                }
                let pos = u32_at(r.data, 0).ok_or_else(broken_xls)? as usize;
                if pos >= stream.len() {
                    return Err(broken_xls());
                }
                sheets.push(pos);
                if sheets.len() > limits.max_sheets {
                    return Err(too_many_sheets(sheets.len(), limits));
                }
            }
            0x00FC => {
                if r.data.len() + r.continued > MAX_XLS_SST_BYTES {
                    return Err(too_many_cells(limits));
                }
                // each string takes at least three bytes (length and flags)
                if (r.data.len() + r.continued) / 3 > limits.max_cells {
                    return Err(too_many_cells(limits));
                }
            }
            0x000A => break,
            _ => {}
        }
    }
    let row_limit = (limits.max_rows + super::headers::HEADER_SCAN_ROWS) as u64;
    let mut grid_cells = 0usize;
    let mut rows_seen = 0u64;
    for pos in sheets {
        let mut values = Extent::default();
        let mut formulas = Extent::default();
        let mut seen_bof = false;
        let mut depth = 0usize;
        for record in (Records { stream: &stream[pos..] }) {
            let r = record?;
            if depth > 0 {
                match r.typ {
                    0x0809 => depth += 1,
                    0x000A => depth -= 1,
                    _ => {}
                }
                continue;
            }
            let at = |r: &Record| -> Option<(u32, u32)> {
                Some((u32::from(u16_at(r.data, 0)?), u32::from(u16_at(r.data, 2)?)))
            };
            match r.typ {
                0x0809 => {
                    if seen_bof {
                        depth += 1;
                    } else {
                        seen_bof = true;
                    }
                }
                0x0200 => {
                    // DIMENSIONS: calamine reserves room for the declared rows × columns
                    let (first_row, last_row, first_col, last_col) = match r.data.len() {
                        10 => (
                            u64::from(u16_at(r.data, 0).unwrap_or(0)),
                            u64::from(u16_at(r.data, 2).unwrap_or(0)),
                            u64::from(u16_at(r.data, 4).unwrap_or(0)),
                            u64::from(u16_at(r.data, 6).unwrap_or(0)),
                        ),
                        14 | 16 => (
                            u64::from(u32_at(r.data, 0).unwrap_or(0)),
                            u64::from(u32_at(r.data, 4).unwrap_or(0)),
                            u64::from(u16_at(r.data, 8).unwrap_or(0)),
                            u64::from(u16_at(r.data, 10).unwrap_or(0)),
                        ),
                        _ => return Err(broken_xls()),
                    };
                    let first_col = if first_col > 0xFF || last_col < first_col { 0 } else { first_col };
                    if last_row >= 1 && last_col >= 1 {
                        if last_row < first_row + 1 {
                            return Err(broken_xls());
                        }
                        let rows = last_row - first_row;
                        let cols = last_col - first_col;
                        if last_row > row_limit {
                            return Err(too_many_rows(limits));
                        }
                        if last_col > limits.max_columns as u64 {
                            return Err(too_many_columns(limits));
                        }
                        if rows.saturating_mul(cols) > limits.max_cells as u64 {
                            return Err(too_many_cells(limits));
                        }
                    }
                }
                0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD => {
                    if let Some((row, col)) = at(&r) {
                        values.add(row, col);
                    }
                }
                0x0006 => {
                    if let Some((row, col)) = at(&r) {
                        values.add(row, col);
                        formulas.add(row, col);
                    }
                }
                0x00BD => {
                    if let Some((row, first)) = at(&r) {
                        let n = r.data.len().saturating_sub(6) / 6;
                        for i in 0..n {
                            values.add(row, first + i as u32);
                        }
                    }
                }
                0x000A => break,
                _ => {}
            }
            if values.cells > limits.max_cells {
                return Err(too_many_cells(limits));
            }
        }
        if values.cells > 0 {
            if u64::from(values.rows.1) >= row_limit {
                return Err(too_many_rows(limits));
            }
            if values.cols.1 as usize >= limits.max_columns {
                return Err(too_many_columns(limits));
            }
            rows_seen += u64::from(values.rows.1 - values.rows.0) + 1;
            if rows_seen > row_limit {
                return Err(too_many_rows(limits));
            }
        }
        grid_cells = grid_cells.saturating_add(values.area()).saturating_add(formulas.area());
        if grid_cells > limits.max_cells {
            return Err(too_many_cells(limits));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard_over(text: &[u8]) -> Result<usize, &'static str> {
        let mut g = TokenGuard::new(text, u64::MAX, u64::MAX);
        let mut sink = Vec::new();
        match g.read_to_end(&mut sink) {
            Ok(n) => Ok(n),
            Err(_) => Err(g.tripped.unwrap_or("io")),
        }
    }

    #[test]
    fn the_token_guard_follows_xml_and_trips_on_one_long_token() {
        let long = "a".repeat(MAX_TOKEN_BYTES + 10);
        let cases: Vec<(String, bool)> = vec![
            ("<c r=\"A1\"><v>12</v></c>".to_owned(), true),
            (format!("<c><v>{}</v></c>", "x".repeat(1000)), true),
            (format!("<c><v>{long}</v></c>"), false),
            (format!("<c r=\"{long}\"/>"), false),
            // a long attribute full of '>' is still one tag
            (format!("<c r=\"{}\"/>", ">".repeat(MAX_TOKEN_BYTES + 10)), false),
            // a long comment full of '<' is one comment
            (format!("<!--{}-->", "<a>".repeat(MAX_TOKEN_BYTES / 3 + 10)), false),
            (format!("<![CDATA[{}]]>", "<b>".repeat(MAX_TOKEN_BYTES / 3 + 10)), false),
            (format!("<!DOCTYPE x [{}]>", "<!ENTITY a 'b'>".repeat(MAX_TOKEN_BYTES / 15 + 10)), false),
            // many short tokens are fine
            ("<r><c/></r>".repeat(MAX_TOKEN_BYTES), true),
            (format!("<!-- short -->{}", "<a/>".repeat(100)), true),
        ];
        for (text, ok) in cases {
            let got = guard_over(text.as_bytes());
            assert_eq!(got.is_ok(), ok, "{}…: {got:?}", &text[..text.len().min(40)]);
        }
    }

    #[test]
    fn extents_measure_the_dense_grid() {
        let mut e = Extent::default();
        assert_eq!(e.area(), 0);
        e.add(5, 2);
        assert_eq!(e.area(), 1);
        e.add(9, 0);
        assert_eq!(e.area(), 5 * 3);
    }

    fn stored_zip(parts: &[(&str, &str)]) -> Vec<u8> {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        for (name, text) in parts {
            zip.start_file(*name, stored).expect("part");
            zip.write_all(text.as_bytes()).expect("write");
        }
        zip.finish().expect("zip").into_inner()
    }

    #[test]
    fn the_shared_strings_together_are_capped_not_only_each_one() {
        // calamine loads every shared string at open: each under Excel's limit, together over
        // the workbook's text budget, they are refused before it does
        let limits = Limits { max_text_bytes: 1024 * 1024, ..Limits::default() };
        let si = format!("<si><t>{}</t></si>", "ă".repeat(10_000));
        for (count, refused) in [(40, false), (60, true)] {
            let sst = format!("<sst count=\"{count}\" uniqueCount=\"{count}\">{}</sst>", si.repeat(count));
            let bytes = stored_zip(&[("xl/sharedStrings.xml", &sst)]);
            let got = prescan_xlsx(&bytes, &limits);
            assert_eq!(matches!(got, Err(ReadError::TooLarge { .. })), refused, "{count} strings: {got:?}");
        }
    }

    #[test]
    fn garbage_compound_files_are_unreadable_not_panics() {
        let mut bytes = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        bytes.resize(4096, 0xFF);
        assert!(prescan_xls(&bytes, &Limits::default()).is_err());
        assert!(prescan_xls(&bytes[..100], &Limits::default()).is_err());
    }
}
